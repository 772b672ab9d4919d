// Neural Amp Modeler models: the WaveNet and LSTM types, the presets NAM's trainer writes, .nam files in
// and out, and nam::model, which runs whichever of a list of architectures a file holds.
//
// Documentation: docs/nam.md
// Distributed under the Boost Software License, Version 1.0 (see LICENSE or https://www.boost.org/LICENSE_1_0.txt).
#pragma once

#include "../io/nam.hpp"
#include "nam/activations.hpp"
#include "nam/lstm.hpp"
#include "nam/model.hpp"
#include "nam/presets.hpp"
#include "nam/wavenet.hpp"
