// The scalar reference path: plain loops in double precision over the PyTorch-layout accessors, with the
// <cmath> definitions of every activation. Slow by design; it is the oracle the SIMD kernels are tested
// against, and a way for users to check a network they loaded.
#pragma once

#include <array>
#include <cstddef>
#include <span>
#include <utility>
#include <vector>

#include <boost/mp11/algorithm.hpp>

#include "network.hpp"

namespace typenet::reference {

template <class Net>
std::array<double, Net::output_size> forward(const Net& net, std::span<const typename Net::value_type, Net::input_size> x) {
    std::vector<double> signal(x.begin(), x.end());
    boost::mp11::mp_for_each<boost::mp11::mp_iota_c<Net::layer_count>>([&](auto index) {
        constexpr std::size_t i = decltype(index)::value;
        using layer = typename Net::template layer<i>;
        if constexpr (is_activation_v<layer>) {
            for (double& value : signal) value = layer::reference(value);
        } else {
            std::vector<double> next(layer::fan_out);
            for (std::size_t out = 0; out < layer::fan_out; ++out) {
                double sum = net.template bias<i>(out);
                for (std::size_t in = 0; in < layer::fan_in; ++in)
                    sum += static_cast<double>(net.template weight<i>(out, in)) * signal[in];
                next[out] = sum;
            }
            signal = std::move(next);
        }
    });
    std::array<double, Net::output_size> result{};
    std::copy(signal.begin(), signal.end(), result.begin());
    return result;
}

}  // namespace typenet::reference
