#include <typenet/typenet.hpp>
// expect: typenet::dense<N>: N (the number of outputs) must be at least 1
typenet::network<typenet::input<3>, typenet::dense<0>, typenet::relu, typenet::dense<2>> net;
