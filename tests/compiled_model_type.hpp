// The network that header_generator trains and writes with typenet::write_header, and that
// test_compiled_model compiles in. Initializers and a float template argument exercise typenet::spelling.
#pragma once

#include <typenet/typenet.hpp>

namespace header_test {

using Net = typenet::network<typenet::input<5>, typenet::dense<12, typenet::he_uniform>, typenet::leaky_relu<0.2f>,
                             typenet::dense<9, typenet::variance_scaling<1.5, typenet::fan_mode::fan_out, typenet::distribution::uniform>,
                                            typenet::uniform<-0.1, 0.1>>,
                             typenet::tanh, typenet::dense<4>, typenet::sigmoid>;

}  // namespace header_test
