#include <typenet/typenet.hpp>
// expect: typenet::input<N>: N (the number of inputs) must be at least 1
typenet::network<typenet::input<0>, typenet::dense<2>> net;
