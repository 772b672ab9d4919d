// Layer-sequential unit-variance initialization (Mishkin & Matas 2015, "All you need is a good init"):
// orthogonal weights first, then, layer by layer in order, each layer's weights (its tensors of role
// tensor_role::weight) are divided by the standard deviation of the layer's outputs on a data batch until
// that variance is 1 within a tolerance.
// Data-driven: it fits whatever activation, depth and input scale the network really has. As in the
// reference implementation: tolerance 0.1, at most 10 iterations per layer, biases zero, the variance of
// the layer's output (before its activation) over the whole batch.
//
// Documentation: docs/initializers.md
// Distributed under the Boost Software License, Version 1.0 (see LICENSE or https://www.boost.org/LICENSE_1_0.txt).
#pragma once

#include <array>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <memory>

#include <boost/mp11/algorithm.hpp>

#include "detail/static_for.hpp"
#include "diagnostics.hpp"
#include "init.hpp"
#include "layer.hpp"
#include "network.hpp"
#include "workspace.hpp"

namespace typenet {

struct lsuv_options {
    double tolerance = 0.1;  // |variance - 1| < tolerance ends a layer
    int max_iterations = 10;
};

struct lsuv_layer {
    bool has_weights = false;  // the layer has weight tensors, which LSUV calibrates
    int iterations = 0;        // rescalings applied
    double variance = 0;       // output variance when the layer was done
    bool converged = false;
};

template <class Net>
using lsuv_report = std::array<lsuv_layer, Net::layer_count>;

// Re-initializes every layer with weights (declared initializers are replaced by orthogonal<1> weights and
// zero biases, drawn from `seed`'s streams), then calibrates them on x.
template <class Net, std::size_t Batch>
lsuv_report<Net> lsuv_initialize(Net& net, const std::array<typename Net::input_type, Batch>& x, std::uint64_t seed,
                                 lsuv_options options = {}) {
    using T = typename Net::value_type;
    using plan = typename Net::plan;
    net.template initialize_as<orthogonal<1.0>, zeros>(seed);
    auto buffers = std::make_unique<workspace<Net, Batch>>();
    lsuv_report<Net> report{};
    detail::static_for<Net::layer_count>([&](auto index) {
        constexpr std::size_t i = decltype(index)::value;
        constexpr std::size_t units = plan::widths[i + 1];
        buffers->template forward<i, i + 1>(net, x);  // the layers before i are final: only layer i runs
        // Applies f to every weight tensor of layer i (padding is zero and stays zero when scaled).
        auto for_each_weight_tensor = [&](auto&& f) {
            detail::static_for<plan::template tensor_count<i>>([&](auto tensor_index) {
                constexpr std::size_t j = decltype(tensor_index)::value;
                if constexpr (plan::template tensor<i, j>::role == tensor_role::weight) f(net.template parameter_tensor<i, j>());
            });
        };
        for_each_weight_tensor([&](auto) { report[i].has_weights = true; });
        if (!report[i].has_weights) return;
        lsuv_layer& entry = report[i];
        auto output_variance = [&] {
            const T* rows = buffers->output(i);
            const std::size_t stride = buffers->row_stride(i);
            detail::moments m;
            for (std::size_t b = 0; b < Batch; ++b)
                for (std::size_t o = 0; o < units; ++o) m.add(double(rows[b * stride + o]));
            return m.variance();
        };
        double variance = output_variance();
        while (std::abs(variance - 1) >= options.tolerance && entry.iterations < options.max_iterations && variance > 0 &&
               std::isfinite(variance)) {
            const T scale = T(1 / std::sqrt(variance));
            for_each_weight_tensor([&](auto weights) {
                for (T& value : weights.storage()) value *= scale;
            });
            ++entry.iterations;
            buffers->template forward<i, i + 1>(net, x);
            variance = output_variance();
        }
        entry.variance = variance;
        entry.converged = std::abs(variance - 1) < options.tolerance;
    });
    return report;
}

}  // namespace typenet
