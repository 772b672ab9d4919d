// The architectures NAM's trainer writes, as named types: the four A1 WaveNet presets (standard, lite,
// feather, nano) and the LSTMs, each a typenet::network whose parameter vector is the .nam weight array.
//
// Documentation: docs/nam.md
// Distributed under the Boost Software License, Version 1.0 (see LICENSE or https://www.boost.org/LICENSE_1_0.txt).
#pragma once

#include <cstddef>

#include "../../input.hpp"
#include "../../network.hpp"
#include "lstm.hpp"
#include "wavenet.hpp"

namespace typenet::nam::inline TYPENET_ISA {

// The dilations of the presets' layer arrays (nam/models/wavenet.py and nam/train/core.py of NAM's trainer).
using standard_dilations = dilations<1, 2, 4, 8, 16, 32, 64, 128, 256, 512>;
using short_dilations = dilations<1, 2, 4, 8, 16, 32, 64>;
using long_dilations = dilations<128, 256, 512, 1, 2, 4, 8, 16, 32, 64, 128, 256, 512>;

// A two-array A1 WaveNet: Channels on the first array's residual stream, Channels / 2 on the second's.
template <std::size_t Channels, class FirstDilations, class SecondDilations, class T = float>
using a1_wavenet = basic_network<T, input<1>,
                                 wavenet<layer_array<1, Channels, Channels / 2, 3, FirstDilations>,
                                         layer_array<Channels, Channels / 2, 1, 3, SecondDilations, typenet::tanh, false, true>>>;

template <class T = float>
using basic_standard = a1_wavenet<16, standard_dilations, standard_dilations, T>;
template <class T = float>
using basic_lite = a1_wavenet<12, short_dilations, long_dilations, T>;
template <class T = float>
using basic_feather = a1_wavenet<8, short_dilations, long_dilations, T>;
template <class T = float>
using basic_nano = a1_wavenet<4, short_dilations, long_dilations, T>;

using standard = basic_standard<>;
using lite = basic_lite<>;
using feather = basic_feather<>;
using nano = basic_nano<>;

// NAM's LSTM: num_layers x hidden_size over a one-channel input.
template <std::size_t Layers, std::size_t Hidden, class T = float>
using lstm_model = basic_network<T, input<1>, lstm<Layers, Hidden>>;

using lstm_1x8 = lstm_model<1, 8>;
using lstm_1x12 = lstm_model<1, 12>;
using lstm_1x16 = lstm_model<1, 16>;
using lstm_1x24 = lstm_model<1, 24>;
using lstm_2x8 = lstm_model<2, 8>;
using lstm_2x12 = lstm_model<2, 12>;
using lstm_2x16 = lstm_model<2, 16>;

// The weight counts of the files NAM's trainer writes for each preset.
static_assert(standard::parameter_count == 13802, "typenet::nam::standard: NAM's standard WaveNet has 13 802 weights");
static_assert(lite::parameter_count == 6554, "typenet::nam::lite: NAM's lite WaveNet has 6 554 weights");
static_assert(feather::parameter_count == 3026, "typenet::nam::feather: NAM's feather WaveNet has 3 026 weights");
static_assert(nano::parameter_count == 842, "typenet::nam::nano: NAM's nano WaveNet has 842 weights");
static_assert(lstm_1x8::parameter_count == 345, "typenet::nam::lstm_1x8: NAM's 1 x 8 LSTM has 345 weights");
static_assert(lstm_1x12::parameter_count == 709, "typenet::nam::lstm_1x12: NAM's 1 x 12 LSTM has 709 weights");
static_assert(lstm_1x16::parameter_count == 1201, "typenet::nam::lstm_1x16: NAM's 1 x 16 LSTM has 1 201 weights");
static_assert(lstm_1x24::parameter_count == 2569, "typenet::nam::lstm_1x24: NAM's 1 x 24 LSTM has 2 569 weights");
static_assert(lstm_2x8::parameter_count == 905, "typenet::nam::lstm_2x8: NAM's 2 x 8 LSTM has 905 weights");
static_assert(lstm_2x12::parameter_count == 1933, "typenet::nam::lstm_2x12: NAM's 2 x 12 LSTM has 1 933 weights");
static_assert(lstm_2x16::parameter_count == 3345, "typenet::nam::lstm_2x16: NAM's 2 x 16 LSTM has 3 345 weights");

}  // namespace typenet::nam::inline TYPENET_ISA
