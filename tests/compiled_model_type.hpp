// The network that header_generator trains and writes with typenet::write_header, and that
// test_compiled_model compiles in. Initializers, a float template argument and the combinators of
// structure/ (a residual block with a policy, a parallel block, a stateful residual block) exercise
// typenet::spelling and the compiled-in (constexpr) construction.
#pragma once

#include <typenet/typenet.hpp>

namespace header_test {

using Net = typenet::network<typenet::input<5>, typenet::dense<12, typenet::he_uniform>, typenet::leaky_relu<0.2f>,
                             typenet::dense<9, typenet::variance_scaling<1.5, typenet::fan_mode::fan_out, typenet::distribution::uniform>,
                                            typenet::uniform<-0.1, 0.1>>,
                             typenet::tanh, typenet::dense<4>, typenet::sigmoid,
                             typenet::residual<typenet::skip_init, typenet::dense<4>, typenet::gelu, typenet::dense<4>>,
                             typenet::parallel<typenet::concat, typenet::dense<2>, typenet::sequential<typenet::dense<4>, typenet::gated<>>>>;

// A stateful network: conv1d, GRU, LSTM with recurrent initializers to spell.
using SequenceNet =
    typenet::network<typenet::input<2>, typenet::conv1d<4, 3, 2>, typenet::tanh,
                     typenet::gru<5, typenet::recurrent_init<typenet::glorot_uniform, typenet::orthogonal<>, typenet::zeros, false>>,
                     typenet::dense<3>, typenet::relu, typenet::lstm<3, typenet::torch_recurrent>, typenet::dense<1>,
                     typenet::residual_projection<typenet::conv1d<2, 1>, typenet::conv1d<4, 2, 1>, typenet::gated<>>>;

}  // namespace header_test
