#include <typenet/typenet.hpp>
// expect: a layer's input_width differs from the width of the signal the network feeds it
// A resolved layer that insists on 5 inputs, placed after a layer with 4 outputs.
using fixed = typenet::layer_t<typenet::network<typenet::input<5>, typenet::dense<2>>, 0>;
typenet::network<typenet::input<3>, typenet::dense<4>, fixed> net;
