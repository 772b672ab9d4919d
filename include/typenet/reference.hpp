// The scalar reference path: each layer's reference_forward (layer contract), plain loops in double
// precision over the parameters in PyTorch order, with the <cmath> definitions of every activation. Slow by
// design; it is the oracle the SIMD kernels are tested against, and a way for users to check a network they
// loaded.
//
// Documentation: docs/declaring-networks.md
// Distributed under the Boost Software License, Version 1.0 (see LICENSE or https://www.boost.org/LICENSE_1_0.txt).
#pragma once

#include <algorithm>
#include <array>
#include <cstddef>
#include <span>
#include <utility>
#include <vector>

#include "detail/static_for.hpp"
#include "network.hpp"

namespace typenet::reference {

// Layer I's tensors as the reference sees them: tensor j in PyTorch's row-major logical order.
template <std::size_t I, class Net>
std::vector<std::vector<double>> tensors(const Net& net) {
    using plan = typename Net::plan;
    std::vector<std::vector<double>> result;
    detail::static_for<plan::template tensor_count<I>>([&](auto tensor_index) {
        const auto view = net.template parameter_tensor<I, decltype(tensor_index)::value>();
        std::vector<double>& values = result.emplace_back(view.size);
        for (std::size_t flat = 0; flat < view.size; ++flat) values[flat] = static_cast<double>(view[flat]);
    });
    return result;
}

template <class Net>
std::array<double, Net::output_size> forward(const Net& net, std::span<const typename Net::value_type, Net::input_size> x) {
    using plan = typename Net::plan;
    std::vector<double> signal(x.begin(), x.end());
    detail::static_for<Net::layer_count>([&](auto index) {
        constexpr std::size_t i = decltype(index)::value;
        const std::vector<std::vector<double>> parameters = tensors<i>(net);
        std::vector<double> next(plan::widths[i + 1]);
        Net::template layer<i>::reference_forward(parameters, signal, next);
        signal = std::move(next);
    });
    std::array<double, Net::output_size> result{};
    std::copy(signal.begin(), signal.end(), result.begin());
    return result;
}

// The state of a stateful network for the reference: each layer's state in the layer's own reference
// layout (reference_state_size doubles; none for stateless layers), zeros at the start of a sequence.
template <class Net>
struct state {
    std::vector<std::vector<double>> layers = [] {
        std::vector<std::vector<double>> result;
        detail::static_for<Net::layer_count>([&](auto index) {
            using layer = typename Net::template layer<decltype(index)::value>;
            if constexpr (detail::is_stateful<layer>())
                result.emplace_back(layer::reference_state_size, 0.0);
            else
                result.emplace_back();
        });
        return result;
    }();
};

// One time step of a (stateful or stateless) network.
template <class Net>
std::array<double, Net::output_size> step(const Net& net, state<Net>& current, std::span<const typename Net::value_type, Net::input_size> x) {
    using plan = typename Net::plan;
    std::vector<double> signal(x.begin(), x.end());
    detail::static_for<Net::layer_count>([&](auto index) {
        constexpr std::size_t i = decltype(index)::value;
        using layer = typename Net::template layer<i>;
        const std::vector<std::vector<double>> parameters = tensors<i>(net);
        std::vector<double> next(plan::widths[i + 1]);
        if constexpr (detail::is_stateful<layer>())
            layer::reference_step(parameters, current.layers[i], signal, next);
        else
            layer::reference_forward(parameters, signal, next);
        signal = std::move(next);
    });
    std::array<double, Net::output_size> result{};
    std::copy(signal.begin(), signal.end(), result.begin());
    return result;
}

}  // namespace typenet::reference
