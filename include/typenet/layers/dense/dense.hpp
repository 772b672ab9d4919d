// dense<N, WeightInit, BiasInit>: a fully connected layer with N outputs, y = W x + b (PyTorch nn.Linear).
//
// Documentation: docs/declaring-networks.md
// Distributed under the Boost Software License, Version 1.0 (see LICENSE or https://www.boost.org/LICENSE_1_0.txt).
//
// As declared, dense<> knows only its output width; inside a network it is resolved into
// dense_layer<FanIn, FanOut, WeightInit, BiasInit>, which knows its fan-in, its parameter count and a
// concrete initializer (auto_init replaced according to the following activation), and implements the
// layer contract (typenet/layer.hpp) with the kernels of this folder.
#pragma once

#include <algorithm>
#include <cstddef>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>

#include <boost/mp11/list.hpp>

#include "../../config.hpp"
#include "../../detail/constexpr_math.hpp"
#include "../../init.hpp"
#include "../../layer.hpp"
#include "../../spelling.hpp"
#include "../../kernel/dense_backward.hpp"
#include "../../kernel/dense_forward.hpp"
#include "../../kernel/dense_layout.hpp"
#include "../../kernel/transpose.hpp"

namespace typenet::inline TYPENET_ISA {

template <std::size_t FanIn, std::size_t FanOut, class WeightInit, class BiasInit>
struct dense_layer;

template <std::size_t N, class WeightInit = auto_init, class BiasInit = zeros>
struct dense {
    static_assert(N >= 1, "typenet::dense<N>: N (the number of outputs) must be at least 1");
    static constexpr std::size_t units = N;
    using weight_init = WeightInit;
    using bias_init = BiasInit;

    // auto_init looks at the layer after this one (an activation names its preferred initializer).
    template <std::size_t InputWidth, class Next>
    using resolve =
        dense_layer<InputWidth, N,
                    std::conditional_t<std::is_same_v<WeightInit, auto_init>, typename auto_init_for<Next>::type, WeightInit>, BiasInit>;
};

template <class Layer>
inline constexpr bool is_dense_v = false;
template <std::size_t N, class W, class B>
inline constexpr bool is_dense_v<dense<N, W, B>> = true;

// weight_bound(), weight_stddev(): the scale of the resolved initializer for this layer's shape.
template <std::size_t FanIn, std::size_t FanOut, class WeightInit, class BiasInit>
struct dense_layer : detail::weight_scales<WeightInit, FanIn, FanOut> {
    static_assert(WeightInit::initializes_weights, "typenet::dense: the weight initializer cannot initialize a weight matrix");
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

    // ---- The layer contract (typenet/layer.hpp).
    static constexpr std::string_view name = "dense";
    static constexpr std::size_t input_width = FanIn;
    static constexpr std::size_t output_width = FanOut;
    static constexpr bool fuses_epilogue = true;
    static constexpr bool epilogue_reads_destination = true;  // a residual block's add fuses into its stores

    template <class T>
    using layout = detail::dense_layout<T, FanIn, FanOut>;
    template <class T>
    using parameters = boost::mp11::mp_list<
        tensor<"weight", tensor_role::weight, WeightInit, detail::dense_weight_layout<T, FanIn, FanOut>, FanIn, FanOut>,
        tensor<"bias", tensor_role::bias, BiasInit, detail::dense_bias_layout<T, FanIn, FanOut>, FanIn, FanOut>>;

    // W^T in the layout of a layer with fan_in and fan_out swapped: the input gradient delta W^T is then a
    // forward pass through it (the forward micro-kernel, no horizontal sums), with a zero bias.
    template <class T>
    using transposed_layout = detail::dense_layout<T, FanOut, FanIn>;
    template <class T>
    static constexpr std::size_t workspace_size =
        transposed_layout<T>::storage + detail::round_up(transposed_layout<T>::padded_out, detail::storage_alignment / sizeof(T));

    template <class T, std::size_t Width, std::size_t Rows, class Epilogue>
    TYPENET_ALWAYS_INLINE static void forward(const T* parameters, const T* x, std::size_t x_stride, T* y, std::size_t y_stride) noexcept {
        kernel::dense_forward<layout<T>, Epilogue, Rows>(x, x_stride, parameters, parameters + layout<T>::weight_storage, y, y_stride);
    }

    template <class T, std::size_t Width, std::size_t Batch, bool InputGradient>
    static void backward(const backward_arguments<T>& a) noexcept {
        using weights = layout<T>;
        kernel::dense_parameter_gradient<weights, Batch>(a.input, a.input_stride, a.output_gradient, a.output_gradient_stride,
                                                         a.parameter_gradient, a.parameter_gradient + weights::weight_storage);
        if constexpr (InputGradient) {
            using transposed = transposed_layout<T>;
            T* weights_transposed = a.workspace;
            // Zeroed here, every call: inside a combinator the workspace is shared (parallel<...> runs its
            // branches one after another in the same scratch), so its contents are not ours between calls.
            T* zero_bias = a.workspace + transposed::storage;
            std::fill_n(zero_bias, detail::round_up(transposed::padded_out, detail::storage_alignment / sizeof(T)), T(0));
            kernel::transpose_weights<weights, transposed>(a.parameters, weights_transposed);
            kernel::dense_forward<transposed, epilogue<>, Batch>(a.output_gradient, a.output_gradient_stride, weights_transposed, zero_bias,
                                                                 a.input_gradient, a.input_gradient_stride);
            // Columns past the input width must be zero: the derivative of an activation before this layer
            // multiplies them, and a dense layer before it sums them into its weight gradient's padding.
            constexpr std::size_t written = transposed::is_dot ? 1 : transposed::padded_out;
            for (std::size_t b = 0; b < Batch; ++b)
                for (std::size_t k = written; k < a.input_gradient_stride; ++k) a.input_gradient[b * a.input_gradient_stride + k] = T(0);
        }
    }

    static void reference_forward(reference_tensors parameters, std::span<const double> x, std::span<double> y) {
        const std::vector<double>& weight = parameters[0];
        const std::vector<double>& bias = parameters[1];
        for (std::size_t out = 0; out < FanOut; ++out) {
            double sum = bias[out];
            for (std::size_t in = 0; in < FanIn; ++in) sum += weight[out * FanIn + in] * x[in];
            y[out] = sum;
        }
    }

    static summary_row summary() { return {std::string(WeightInit::name), detail::describe_initializer<WeightInit>(FanIn, FanOut)}; }
};

}  // namespace typenet::inline TYPENET_ISA

namespace typenet {
template <std::size_t N, class WeightInit, class BiasInit>
struct spelling<dense<N, WeightInit, BiasInit>> {
    static std::string get() {
        return "typenet::dense<" + std::to_string(N) + ", " + spelling<WeightInit>::get() + ", " + spelling<BiasInit>::get() + ">";
    }
};
}  // namespace typenet
