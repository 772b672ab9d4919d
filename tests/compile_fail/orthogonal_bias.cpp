#include <typenet/typenet.hpp>
// expect: this BiasInit needs a weight matrix
typenet::network<typenet::input<3>, typenet::dense<4, typenet::he_uniform, typenet::orthogonal<>>> net;
