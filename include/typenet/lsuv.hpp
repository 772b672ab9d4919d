// Layer-sequential unit-variance initialization (Mishkin & Matas 2015, "All you need is a good init"):
// orthogonal weights first, then, dense layer by dense layer in order, the weights are divided by the
// standard deviation of the layer's outputs on a data batch until that variance is 1 within a tolerance.
// Data-driven: it fits whatever activation, depth and input scale the network really has. As in the
// reference implementation: tolerance 0.1, at most 10 iterations per layer, biases zero, the variance of
// the dense layer's output (before its activation) over the whole batch.
#pragma once

#include <array>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <memory>

#include <boost/mp11/algorithm.hpp>

#include "diagnostics.hpp"
#include "init.hpp"
#include "trainer.hpp"

namespace typenet {

struct lsuv_options {
    double tolerance = 0.1;  // |variance - 1| < tolerance ends a layer
    int max_iterations = 10;
};

struct lsuv_layer {
    bool is_dense = false;
    int iterations = 0;     // rescalings applied
    double variance = 0;    // output variance when the layer was done
    bool converged = false;
};

template <class Net>
using lsuv_report = std::array<lsuv_layer, Net::layer_count>;

// Re-initializes every dense layer of net (declared initializers are replaced by orthogonal<1> weights and
// zero biases, drawn from `seed`'s streams), then calibrates them on x.
template <class Net, std::size_t Batch>
lsuv_report<Net> lsuv_initialize(Net& net, const std::array<typename Net::input_type, Batch>& x, std::uint64_t seed,
                                 lsuv_options options = {}) {
    using T = typename Net::value_type;
    using trainer_type = trainer<Net, mse, sgd, Batch>;
    using access = detail::trainer_access;
    net.template initialize_as<orthogonal<1.0>, zeros>(seed);
    auto runner = std::make_unique<trainer_type>();
    lsuv_report<Net> report{};
    boost::mp11::mp_for_each<boost::mp11::mp_iota_c<Net::layer_count>>([&](auto index) {
        constexpr std::size_t i = decltype(index)::value;
        using layer = typename Net::template layer<i>;
        access::forward<i, i + 1>(*runner, net, x);  // the layers before i are final: only layer i runs
        if constexpr (!is_activation_v<layer>) {
            lsuv_layer& entry = report[i];
            entry.is_dense = true;
            auto output_variance = [&] {
                const T* rows = access::layer_output(*runner, i);
                const std::size_t stride = access::row_width<trainer_type>(i);
                detail::moments m;
                for (std::size_t b = 0; b < Batch; ++b)
                    for (std::size_t o = 0; o < layer::fan_out; ++o) m.add(double(rows[b * stride + o]));
                return m.variance();
            };
            double variance = output_variance();
            while (std::abs(variance - 1) >= options.tolerance && entry.iterations < options.max_iterations && variance > 0 &&
                   std::isfinite(variance)) {
                const T scale = T(1 / std::sqrt(variance));
                for (std::size_t o = 0; o < layer::fan_out; ++o)
                    for (std::size_t k = 0; k < layer::fan_in; ++k) net.template weight<i>(o, k) *= scale;
                ++entry.iterations;
                access::forward<i, i + 1>(*runner, net, x);
                variance = output_variance();
            }
            entry.variance = variance;
            entry.converged = std::abs(variance - 1) < options.tolerance;
        }
    });
    return report;
}

}  // namespace typenet
