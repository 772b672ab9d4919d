// The scalar reference path: each layer's reference_forward (layer contract), plain loops in double
// precision over the parameters in PyTorch order, with the <cmath> definitions of every activation. Slow by
// design; it is the oracle the SIMD kernels are tested against, and a way for users to check a network they
// loaded.
#pragma once

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

}  // namespace typenet::reference
