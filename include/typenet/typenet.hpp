// typenet: a neural network is a type. Umbrella header.
//
// Documentation: docs/README.md
// Distributed under the Boost Software License, Version 1.0 (see LICENSE or https://www.boost.org/LICENSE_1_0.txt).
#pragma once

#include "config.hpp"
#include "simd.hpp"
#include "layer.hpp"
#include "input.hpp"
#include "activation.hpp"
#include "init.hpp"
#include "random.hpp"
#include "layers/dense/dense.hpp"
#include "layers/conv1d/conv1d.hpp"
#include "layers/recurrent/gru.hpp"
#include "layers/recurrent/lstm.hpp"
#include "structure/gated.hpp"
#include "structure/parallel.hpp"
#include "structure/residual.hpp"
#include "structure/sequential.hpp"
#include "network.hpp"
#include "reference.hpp"
#include "summary.hpp"
#include "loss.hpp"
#include "optim.hpp"
#include "workspace.hpp"
#include "trainer.hpp"
#include "sequence_trainer.hpp"
#include "monitor.hpp"
#include "diagnostics.hpp"
#include "lsuv.hpp"
#include "repeat.hpp"
#include "denormals.hpp"
