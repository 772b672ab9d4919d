// The network of the dispatch test, shared by the kernel translation units (one per instruction set) and the
// test that chooses among them.
#pragma once

#include <typenet/typenet.hpp>

namespace dispatch_test {
using model = typenet::network<typenet::input<19>, typenet::dense<37>, typenet::tanh, typenet::dense<24>, typenet::gelu, typenet::dense<5>>;
using other_model = typenet::network<typenet::input<19>, typenet::dense<6>>;
// A streaming model: every stateful layer kind, and dense layers per step.
using stateful_model = typenet::network<typenet::input<3>, typenet::conv1d<8, 3, 2>, typenet::tanh, typenet::gru<16>, typenet::lstm<5>,
                                        typenet::dense<4>>;
}  // namespace dispatch_test
