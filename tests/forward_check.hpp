// Shared by the forward tests: the SIMD forward pass against typenet::reference::forward.
#pragma once

#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <memory>
#include <string>

#include <typenet/typenet.hpp>

namespace test {

template <class Net>
typename Net::input_type random_input(std::uint64_t seed) {
    typenet::random_stream stream(seed, 1000);
    typename Net::input_type x;
    for (auto& value : x) value = static_cast<typename Net::value_type>(2 * stream.symmetric_uniform());
    return x;
}

// Tolerance: float rounding of the accumulation (a few ulp of the sum of |w x| per layer, compounded over
// the layers) and of the activations. Relative to max(|y|, 1): outputs are O(1) by construction of the
// initializers, and an absolute term is needed where y crosses zero.
template <class T>
constexpr double forward_tolerance = std::is_same_v<T, float> ? 2e-5 : 1e-12;

template <class Net>
double worst_forward_error(const Net& net, int samples) {
    using T = typename Net::value_type;
    double worst = 0;
    for (int s = 0; s < samples; ++s) {
        const auto x = random_input<Net>(s);
        const auto y = net(x);
        const auto expected = typenet::reference::forward(net, std::span<const T, Net::input_size>(x));
        for (std::size_t o = 0; o < Net::output_size; ++o) {
            REQUIRE(std::isfinite(y[o]));
            worst = std::max(worst, std::abs(y[o] - expected[o]) / std::max(1.0, std::abs(expected[o])));
        }
    }
    return worst;
}

template <class Net>
void check_forward(std::uint64_t seed = 1) {
    auto net = std::make_unique<Net>();
    net->initialize(seed);
    const double worst = worst_forward_error(*net, 8);
    INFO(typenet::summary<Net>());
    CHECK(worst <= forward_tolerance<typename Net::value_type>);
}

// Three-layer nets whose widths exercise every kernel path: dot product (1 output), partial vectors, exact
// multiples of the vector width, several register blocks, wide (512-bit) layers. Activations rotate over the
// shapes so each one meets several layouts without compiling 7 x 9 networks.
template <class T, class First, class Second, std::size_t In, std::size_t Hidden, std::size_t Out>
using shape_net =
    typenet::basic_network<T, typenet::input<In>, typenet::dense<Hidden>, First, typenet::dense<Hidden>, Second, typenet::dense<Out>>;

template <class T>
void check_shapes() {
    using namespace typenet;
    check_forward<shape_net<T, relu, typenet::tanh, 1, 1, 1>>();
    check_forward<shape_net<T, leaky_relu<0.1f>, sigmoid, 3, 7, 1>>();
    check_forward<shape_net<T, selu, gelu, 7, 17, 3>>();
    check_forward<shape_net<T, typenet::tanh, relu, 17, 33, 7>>();
    check_forward<shape_net<T, gelu, identity, 33, 65, 17>>();
    check_forward<shape_net<T, sigmoid, selu, 65, 8, 16>>();
    check_forward<shape_net<T, identity, leaky_relu<>, 16, 32, 64>>();
    check_forward<shape_net<T, relu, gelu, 64, 128, 1>>();
    check_forward<shape_net<T, typenet::tanh, sigmoid, 128, 256, 10>>();
    check_forward<shape_net<T, selu, leaky_relu<0.3f>, 256, 48, 2>>();
}

}  // namespace test
