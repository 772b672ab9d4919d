// Optimizer settings. The update itself is one fused SIMD loop over the network's parameter block
// (kernel/optimizer.hpp), run by the trainer, which owns the moments. Fields are float for every scalar type.
//
// Documentation: docs/training.md
// Distributed under the Boost Software License, Version 1.0 (see LICENSE or https://www.boost.org/LICENSE_1_0.txt).
#pragma once

#include <string_view>

namespace typenet {

// torch.optim.SGD(lr, momentum): buf = momentum buf + g (buf = g at the first step), p -= lr buf.
struct sgd {
    float lr = 1e-2f;
    float momentum = 0;
};

// torch.optim.Adam, bias correction included. weight_decay adds weight_decay * p to the gradient (L2);
// with decoupled = true it instead scales p by (1 - lr weight_decay) before the step: torch.optim.AdamW.
struct adam {
    float lr = 1e-3f, beta1 = 0.9f, beta2 = 0.999f, eps = 1e-8f;
    float weight_decay = 0;
    bool decoupled = false;
};

}  // namespace typenet
