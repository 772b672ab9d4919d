// The network of the dispatch test, shared by the kernel translation units (one per instruction set) and the
// test that chooses among them.
#pragma once

#include <typenet/typenet.hpp>

namespace dispatch_test {
// A residual block among them: combinators dispatch like any layer.
using model = typenet::network<typenet::input<19>, typenet::dense<37>, typenet::tanh, typenet::dense<24>, typenet::gelu,
                               typenet::residual<typenet::dense<24>, typenet::relu, typenet::dense<24>>, typenet::dense<5>>;
using other_model = typenet::network<typenet::input<19>, typenet::dense<6>>;
// A streaming model: every stateful layer kind, dense layers per step, and a residual block of convolutions.
using stateful_model = typenet::network<typenet::input<3>, typenet::conv1d<8, 3, 2>, typenet::tanh, typenet::gru<16>, typenet::lstm<5>,
                                        typenet::dense<4>, typenet::residual<typenet::conv1d<4, 2, 3>, typenet::tanh>>;
}  // namespace dispatch_test
