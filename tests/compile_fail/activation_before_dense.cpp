#include <typenet/typenet.hpp>
// expect: an activation must follow a layer with parameters
typenet::network<typenet::input<3>, typenet::relu, typenet::dense<2>> net;
