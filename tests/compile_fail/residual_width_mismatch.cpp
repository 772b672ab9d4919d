#include <typenet/typenet.hpp>
// expect: residual_branch_width_must_equal_its_input_width<8, 4>
// A branch that ends narrower than its input, without a projection on the shortcut: the message names both widths.
typenet::network<typenet::input<8>, typenet::residual<typenet::dense<16>, typenet::relu, typenet::dense<4>>> net;
