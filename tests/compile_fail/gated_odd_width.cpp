#include <typenet/typenet.hpp>
// expect: gated_input_width_must_be_even<7>
// The gated unit splits its input into signal and gate halves.
typenet::network<typenet::input<3>, typenet::dense<7>, typenet::gated<>> net;
