#include <typenet/typenet.hpp>
// expect: a network needs at least one layer after input<N>
typenet::network<typenet::input<3>> net;
