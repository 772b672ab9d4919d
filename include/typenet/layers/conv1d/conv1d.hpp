// conv1d<OutChannels, KernelSize, Dilation, WeightInit, BiasInit>: PyTorch's nn.Conv1d (weight
// [out][in][k], bias [out]) applied causally, one time step at a time: the output at step t sees the frames
// t - (KernelSize - 1 - k) * Dilation for k = 0 ... KernelSize - 1, zeros before the start of the sequence
// (nn.Conv1d with (KernelSize - 1) * Dilation zeros of left padding, the last frame being the current one).
//
// Documentation: docs/sequence-layers.md
// Distributed under the Boost Software License, Version 1.0 (see LICENSE or https://www.boost.org/LICENSE_1_0.txt).
//
// The state is the history of the last (KernelSize - 1) * Dilation input frames. A step gathers the
// KernelSize frames it sees into one row and runs the dense layer's kernel over it: the weight is stored
// as a dense [out][k * in + channel] matrix. Initializers see PyTorch's and Keras' fans: fan_in = in k,
// fan_out = out k.
#pragma once

#include <algorithm>
#include <array>
#include <cstddef>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include <boost/mp11/list.hpp>

#include "../../config.hpp"
#include "../../detail/constexpr_math.hpp"
#include "../../init.hpp"
#include "../../layer.hpp"
#include "../../spelling.hpp"
#include "../../kernel/dense_forward.hpp"
#include "../../kernel/dense_layout.hpp"

namespace typenet::detail::inline TYPENET_ISA {

template <class T, std::size_t Channels, std::size_t OutChannels, std::size_t KernelSize>
struct conv1d_weight_layout {
    using matrix = dense_layout<T, KernelSize * Channels, OutChannels>;
    static constexpr std::array<std::size_t, 3> shape = {OutChannels, Channels, KernelSize};
    static constexpr std::size_t size = OutChannels * Channels * KernelSize;
    static constexpr std::size_t storage = matrix::weight_storage;
    // weight[out][channel][k] -> column k * Channels + channel of the gathered row.
    static constexpr std::size_t storage_index(std::size_t flat) noexcept {
        const std::size_t out = flat / (Channels * KernelSize), channel = flat / KernelSize % Channels, k = flat % KernelSize;
        return matrix::weight_index(out, k * Channels + channel);
    }
};

}  // namespace typenet::detail::inline TYPENET_ISA

namespace typenet::inline TYPENET_ISA {

// weight_bound(), weight_stddev(): the scale of the resolved initializer for the fans (in k, out k).
template <std::size_t Channels, std::size_t OutChannels, std::size_t KernelSize, std::size_t Dilation, class WeightInit, class BiasInit>
struct conv1d_layer : detail::weight_scales<WeightInit, Channels * KernelSize, OutChannels * KernelSize> {
    static_assert(WeightInit::initializes_weights, "typenet::conv1d: the weight initializer cannot initialize a weight matrix");
    static_assert(BiasInit::initializes_biases, "typenet::conv1d: this BiasInit cannot initialize biases");

    using weight_init = WeightInit;
    using bias_init = BiasInit;
    static constexpr std::size_t in_channels = Channels, out_channels = OutChannels, kernel_size = KernelSize, dilation = Dilation;
    static constexpr std::size_t fan_in = Channels * KernelSize, fan_out = OutChannels * KernelSize;
    // Frames of history a step needs besides the current one.
    static constexpr std::size_t history = (KernelSize - 1) * Dilation;

    template <class T>
    using matrix = detail::dense_layout<T, KernelSize * Channels, OutChannels>;

    // ---- The layer contract (typenet/layer.hpp), stateful.
    static constexpr std::string_view name = "conv1d";
    static constexpr std::size_t input_width = Channels;
    static constexpr std::size_t output_width = OutChannels;

    template <class T>
    using parameters = boost::mp11::mp_list<
        tensor<"weight", tensor_role::weight, WeightInit, detail::conv1d_weight_layout<T, Channels, OutChannels, KernelSize>, fan_in, fan_out,
               KernelSize>,
        tensor<"bias", tensor_role::bias, BiasInit, detail::dense_bias_layout<T, KernelSize * Channels, OutChannels>, fan_in, fan_out,
               KernelSize>>;

    // history frames of Channels values, oldest first.
    template <class T>
    static constexpr std::size_t state_size = detail::round_up(history * Channels, detail::storage_alignment / sizeof(T));
    static constexpr std::size_t reference_state_size = history * Channels;

    template <class T, std::size_t Width, std::size_t Rows>
    static void step(const T* parameters, T* state, std::size_t state_stride, const T* x, std::size_t x_stride, T* y,
                     std::size_t y_stride) noexcept {
        constexpr std::size_t row = gathered_stride<T>;
        alignas(detail::storage_alignment) T gathered[Rows * row];
        for (std::size_t r = 0; r < Rows; ++r) {
            gather(state + r * state_stride, x + r * x_stride, gathered + r * row);
            push(state + r * state_stride, x + r * x_stride);
        }
        kernel::dense_forward<matrix<T>, epilogue<>, Rows>(gathered, row, parameters, parameters + matrix<T>::weight_storage, y, y_stride);
    }

    // Steps consecutive steps of one stream (layer contract, optional): step's code with every row on the
    // same state (gather, then push, row after row), so the frames of up to 16 KB of steps are gathered
    // first and go through one batched product.
    template <class T, std::size_t Width, std::size_t Steps>
    static void sequence(const T* parameters, T* state, const T* x, std::size_t x_stride, T* y, std::size_t y_stride) noexcept {
        constexpr std::size_t block = std::clamp<std::size_t>(16384 / (gathered_stride<T> * sizeof(T)), 1, Steps);
        constexpr std::size_t full_blocks = Steps / block, rest = Steps % block;
        for (std::size_t b = 0; b < full_blocks; ++b)
            step<T, Width, block>(parameters, state, 0, x + b * block * x_stride, x_stride, y + b * block * y_stride, y_stride);
        if constexpr (rest > 0)
            step<T, Width, rest>(parameters, state, 0, x + full_blocks * block * x_stride, x_stride, y + full_blocks * block * y_stride,
                                 y_stride);
    }

    template <class T, std::size_t Width, std::size_t Rows, bool InputGradient>
    static void step_backward(const step_backward_arguments<T>& a) noexcept {
        constexpr std::size_t columns = KernelSize * Channels;
        const T* weights = a.parameters;
        T* weight_gradient = a.parameter_gradient;
        T* bias_gradient = a.parameter_gradient + matrix<T>::weight_storage;
        for (std::size_t r = 0; r < Rows; ++r) {
            T gathered[columns];
            gather(a.state + r * a.state_stride, a.input + r * a.input_stride, gathered);
            const T* output_gradient = a.output_gradient + r * a.output_gradient_stride;
            T gathered_gradient[columns]{};
            for (std::size_t out = 0; out < OutChannels; ++out) {
                const T d = output_gradient[out];
                bias_gradient[out] += d;
                for (std::size_t c = 0; c < columns; ++c) {
                    const std::size_t index = matrix<T>::weight_index(out, c);
                    weight_gradient[index] += d * gathered[c];
                    gathered_gradient[c] += weights[index] * d;
                }
            }
            // The history after the step is the one before shifted by a frame, with x appended.
            T* history_gradient = a.state_gradient + r * a.state_gradient_stride;
            if constexpr (InputGradient) {
                T* dx = a.input_gradient + r * a.input_gradient_stride;
                for (std::size_t channel = 0; channel < Channels; ++channel)
                    dx[channel] = gathered_gradient[(KernelSize - 1) * Channels + channel] +
                                  (history > 0 ? history_gradient[(history == 0 ? 0 : history - 1) * Channels + channel] : T(0));
                for (std::size_t k = Channels; k < a.input_gradient_stride; ++k) dx[k] = T(0);
            }
            if constexpr (history > 0) {
                std::copy_backward(history_gradient, history_gradient + (history - 1) * Channels, history_gradient + history * Channels);
                std::fill_n(history_gradient, Channels, T(0));
                for (std::size_t k = 0; k + 1 < KernelSize; ++k)
                    for (std::size_t channel = 0; channel < Channels; ++channel)
                        history_gradient[k * Dilation * Channels + channel] += gathered_gradient[k * Channels + channel];
            }
        }
    }

    static void reference_step(reference_tensors parameters, std::span<double> state, std::span<const double> x, std::span<double> y) {
        const std::vector<double>& weight = parameters[0];
        auto frame = [&](std::size_t k, std::size_t channel) {
            return k + 1 == KernelSize ? x[channel] : state[k * Dilation * Channels + channel];
        };
        for (std::size_t out = 0; out < OutChannels; ++out) {
            double sum = parameters[1][out];
            for (std::size_t channel = 0; channel < Channels; ++channel)
                for (std::size_t k = 0; k < KernelSize; ++k)
                    sum += weight[(out * Channels + channel) * KernelSize + k] * frame(k, channel);
            y[out] = sum;
        }
        if constexpr (history > 0) {
            std::copy(state.begin() + Channels, state.begin() + history * Channels, state.begin());
            std::copy_n(x.begin(), Channels, state.begin() + (history - 1) * Channels);
        }
    }

    static summary_row summary() { return {std::string(WeightInit::name), detail::describe_initializer<WeightInit>(fan_in, fan_out)}; }

private:
    template <class T>
    static constexpr std::size_t gathered_stride = detail::round_up(KernelSize * Channels, detail::storage_alignment / sizeof(T));

    // The KernelSize frames the step sees, oldest first: history frames 0, Dilation, 2 Dilation, ..., then x.
    template <class T>
    static void gather(const T* state, const T* x, T* row) noexcept {
        for (std::size_t k = 0; k + 1 < KernelSize; ++k) std::copy_n(state + k * Dilation * Channels, Channels, row + k * Channels);
        std::copy_n(x, Channels, row + (KernelSize - 1) * Channels);
    }
    template <class T>
    static void push(T* state, const T* x) noexcept {
        if constexpr (history > 0) {
            std::copy(state + Channels, state + history * Channels, state);
            std::copy_n(x, Channels, state + (history - 1) * Channels);
        }
    }
};

template <std::size_t OutChannels, std::size_t KernelSize, std::size_t Dilation = 1, class WeightInit = auto_init, class BiasInit = zeros>
struct conv1d {
    static_assert(OutChannels >= 1, "typenet::conv1d<OutChannels, KernelSize>: OutChannels must be at least 1");
    static_assert(KernelSize >= 1, "typenet::conv1d<OutChannels, KernelSize>: KernelSize must be at least 1");
    static_assert(Dilation >= 1, "typenet::conv1d<OutChannels, KernelSize, Dilation>: Dilation must be at least 1");
    static constexpr std::size_t units = OutChannels;
    template <std::size_t InputWidth, class Next>
    using resolve =
        conv1d_layer<InputWidth, OutChannels, KernelSize, Dilation,
                     std::conditional_t<std::is_same_v<WeightInit, auto_init>, typename auto_init_for<Next>::type, WeightInit>, BiasInit>;
};

}  // namespace typenet::inline TYPENET_ISA

namespace typenet {
template <std::size_t OutChannels, std::size_t KernelSize, std::size_t Dilation, class WeightInit, class BiasInit>
struct spelling<conv1d<OutChannels, KernelSize, Dilation, WeightInit, BiasInit>> {
    static std::string get() {
        std::string text = "typenet::conv1d<";
        text.append(std::to_string(OutChannels)).append(", ").append(std::to_string(KernelSize)).append(", ");
        text.append(std::to_string(Dilation)).append(", ").append(spelling<WeightInit>::get()).append(", ");
        return text.append(spelling<BiasInit>::get()).append(">");
    }
};
}  // namespace typenet
