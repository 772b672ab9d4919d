#include <typenet/typenet.hpp>
// expect: input<N> may only appear as the first layer of a network
typenet::network<typenet::input<3>, typenet::dense<4>, typenet::input<4>, typenet::dense<2>> net;
