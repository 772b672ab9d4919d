#include <typenet/typenet.hpp>
// expect: typenet::repeat<N, Layers...>: N must be at least 1
typenet::deep_network<typenet::input<3>, typenet::repeat<0, typenet::dense<4>, typenet::relu>, typenet::dense<1>> net;
