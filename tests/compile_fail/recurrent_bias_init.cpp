#include <typenet/typenet.hpp>
// expect: BiasInit cannot initialize biases
typenet::network<typenet::input<2>, typenet::gru<4, typenet::recurrent_init<typenet::glorot_uniform, typenet::orthogonal<>, typenet::glorot_uniform>>> net;
