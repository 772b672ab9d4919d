#include <typenet/typenet.hpp>
// expect: not a layer type
struct conv2d {};
typenet::network<typenet::input<3>, typenet::dense<4>, conv2d, typenet::dense<2>> net;
