// dense<N, WeightInit, BiasInit>: a fully connected layer with N outputs, y = W x + b.
//
// As declared, dense<> knows only its output width; inside a network it is resolved into
// dense_layer<FanIn, FanOut, WeightInit, BiasInit>, which knows its fan-in, its parameter count and a
// concrete initializer (auto_init replaced according to the following activation).
#pragma once

#include <cstddef>
#include <type_traits>

#include "activation.hpp"
#include "init.hpp"
#include "input.hpp"

namespace typenet {

template <std::size_t N, class WeightInit = auto_init, class BiasInit = zeros>
struct dense {
    static_assert(N >= 1, "typenet::dense<N>: N (the number of outputs) must be at least 1");
    static constexpr std::size_t units = N;
    using weight_init = WeightInit;
    using bias_init = BiasInit;
};

template <class Layer>
inline constexpr bool is_dense_v = false;
template <std::size_t N, class W, class B>
inline constexpr bool is_dense_v<dense<N, W, B>> = true;

// The initializer auto_init stands for, given the activation after the layer (void: none, the last layer).
// He for the rectifiers (half the units are zero, so the variance needs a factor 2), LeCun normal for SELU
// (its self-normalizing fixed point assumes Var[w] = 1/fan_in), Glorot for the rest.
template <class NextActivation>
struct auto_init_for {
    using type = glorot_uniform;
};
template <>
struct auto_init_for<relu> {
    using type = he_uniform;
};
template <float Slope>
struct auto_init_for<leaky_relu<Slope>> {
    using type = he_uniform;
};
template <>
struct auto_init_for<selu> {
    using type = lecun_normal;
};

template <std::size_t FanIn, std::size_t FanOut, class WeightInit, class BiasInit>
struct dense_layer {
    static_assert(WeightInit::initializes_weights,
                  "typenet::dense: the weight initializer cannot initialize a weight matrix");
    static_assert(!std::is_same_v<BiasInit, auto_init>,
                  "typenet::dense: auto_init chooses weight initializers only; use zeros (the default) or "
                  "torch_default as BiasInit");
    static_assert(BiasInit::initializes_biases,
                  "typenet::dense: this BiasInit needs a weight matrix (fan-in and fan-out); biases take zeros, "
                  "ones, constant, uniform, normal or torch_default");

    using declared = dense<FanOut, WeightInit, BiasInit>;
    using weight_init = WeightInit;
    using bias_init = BiasInit;
    static constexpr std::size_t fan_in = FanIn;
    static constexpr std::size_t fan_out = FanOut;
    static constexpr std::size_t weight_count = FanIn * FanOut;
    static constexpr std::size_t bias_count = FanOut;
    static constexpr std::size_t parameter_count = weight_count + bias_count;

    // Scale of the resolved initializer for this layer's shape (where the initializer defines it).
    static constexpr double weight_bound() noexcept
        requires requires { WeightInit::bound(FanIn, FanOut); } {
        return WeightInit::bound(FanIn, FanOut);
    }
    static constexpr double weight_stddev() noexcept
        requires requires { WeightInit::stddev(FanIn, FanOut); } {
        return WeightInit::stddev(FanIn, FanOut);
    }
};

namespace detail {

// Resolve a declared layer given its input width and the layer after it (void if last).
template <class Layer, std::size_t FanIn, class Next>
struct resolve_layer {
    static_assert(is_activation_v<Layer> || is_input_v<Layer>,
                  "typenet: not a layer type; use dense<N>, an activation (relu, tanh, ...) or, first, input<N>");
    static_assert(!is_input_v<Layer>, "typenet: input<N> may only appear as the first layer of a network");
    using type = Layer;
};

template <std::size_t N, class W, class B, std::size_t FanIn, class Next>
struct resolve_layer<dense<N, W, B>, FanIn, Next> {
    using next_activation = std::conditional_t<is_activation_v<Next>, Next, void>;
    using weight_init = std::conditional_t<std::is_same_v<W, auto_init>, typename auto_init_for<next_activation>::type, W>;
    using type = dense_layer<FanIn, N, weight_init, B>;
};

}  // namespace detail
}  // namespace typenet
