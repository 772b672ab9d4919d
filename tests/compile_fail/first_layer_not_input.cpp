// A network must start with input<N>.
#include <typenet/typenet.hpp>
// expect: the first layer of a network must be typenet::input<N>
typenet::network<typenet::dense<4>, typenet::relu, typenet::dense<2>> net;
