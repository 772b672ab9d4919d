#include <typenet/typenet.hpp>
// expect: typenet::uniform<Lower, Upper>: Lower must be less than Upper
typenet::network<typenet::input<3>, typenet::dense<4, typenet::uniform<0.5, -0.5>>> net;
