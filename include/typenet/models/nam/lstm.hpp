// Neural Amp Modeler's LSTM as a type: nam::lstm<Layers, Hidden>, one stateful layer of the layer contract
// (typenet/layer.hpp): Layers stacked LSTM layers of Hidden units over a one-channel input, each starting
// from a learned initial hidden and cell state, and a linear head from the last layer's hidden state to
// the output sample (NAM's trainer, nam/models/recurrent.py; NAM Core, NAM/lstm.cpp).
//
// Documentation: docs/nam.md
// Distributed under the Boost Software License, Version 1.0 (see LICENSE or https://www.boost.org/LICENSE_1_0.txt).
//
// Gates i, f, g, o in PyTorch's order: [i f g o] = W [x; h] + b, c' = f c + i g, h' = o tanh(c').
// The parameter vector is NAM's weight array: per layer W = [W_ih | W_hh] ([4H][in + H], row-major), the
// summed bias b_ih + b_hh, the initial hidden state, the initial cell state; then the head's weight [1][H]
// and bias.
//
// State of one stream: a "started" flag, then per layer h and c. All zeros (the contract's start of a
// sequence) means not started: the first step reads the learned initial states instead of the state's, so
// they are exact, and they get a gradient only where a sequence starts (as PyTorch's truncated BPTT
// does with a detached carried state).
#pragma once

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include <boost/mp11/list.hpp>

#include "../../activation.hpp"
#include "../../config.hpp"
#include "../../detail/constexpr_math.hpp"
#include "../../detail/static_for.hpp"
#include "../../init.hpp"
#include "../../layer.hpp"
#include "../../simd.hpp"
#include "wavenet.hpp"

namespace typenet::nam::detail::inline TYPENET_ISA {

// The gates' weight [4H][in + H] stored input-major with each gate on whole vectors: row i holds gates i,
// f, g and o of every unit for input i, each padded to output_vectors<T, H>::padded, so that a step's
// products leave each gate in registers of its own.
template <class T, std::size_t In, std::size_t Hidden>
struct gate_weight_layout {
    static constexpr std::size_t padded = output_vectors<T, Hidden>::padded;
    static constexpr std::array<std::size_t, 2> shape = {4 * Hidden, In + Hidden};
    static constexpr std::size_t size = 4 * Hidden * (In + Hidden);
    static constexpr std::size_t storage = round_up((In + Hidden) * 4 * padded, storage_alignment / sizeof(T));
    static constexpr std::size_t storage_index(std::size_t flat) noexcept {
        const std::size_t out = flat / (In + Hidden), in = flat % (In + Hidden);
        return in * 4 * padded + out / Hidden * padded + out % Hidden;
    }
};
template <class T, std::size_t Hidden>
struct gate_bias_layout {
    static constexpr std::size_t padded = output_vectors<T, Hidden>::padded;
    static constexpr std::array<std::size_t, 1> shape = {4 * Hidden};
    static constexpr std::size_t size = 4 * Hidden;
    static constexpr std::size_t storage = round_up(4 * padded, storage_alignment / sizeof(T));
    static constexpr std::size_t storage_index(std::size_t flat) noexcept { return flat / Hidden * padded + flat % Hidden; }
};

}  // namespace typenet::nam::detail::inline TYPENET_ISA

namespace typenet::nam::inline TYPENET_ISA {

template <std::size_t Layers, std::size_t Hidden, std::size_t InputSize = 1>
struct lstm_layer;

// The declaration: nam::lstm<num_layers, hidden_size> after input<1> (input_size 1, as NAM's files).
template <std::size_t Layers, std::size_t Hidden, std::size_t InputSize = 1>
struct lstm {
    static_assert(Layers >= 1, "typenet::nam::lstm<Layers, Hidden>: Layers (num_layers) must be at least 1");
    static_assert(Hidden >= 1, "typenet::nam::lstm<Layers, Hidden>: Hidden (hidden_size) must be at least 1");
    template <std::size_t InputWidth, class Next>
    using resolve = lstm_layer<Layers, Hidden, InputSize>;
};

template <std::size_t Layers, std::size_t Hidden, std::size_t InputSize>
struct lstm_layer {
    static constexpr std::size_t layers = Layers, hidden = Hidden, input_size = InputSize;

    // ---- The layer contract (typenet/layer.hpp), stateful.
    static constexpr std::string_view name = "nam_lstm";
    static constexpr std::size_t input_width = InputSize;
    static constexpr std::size_t output_width = 1;

    static constexpr std::size_t in_of(std::size_t layer) noexcept { return layer == 0 ? InputSize : Hidden; }

    template <class T, std::size_t L>
    using layer_tensors = boost::mp11::mp_list<
        tensor<detail::indexed_name<"layers", L, "weight">(), tensor_role::weight, torch_default,
               detail::gate_weight_layout<T, in_of(L), Hidden>, in_of(L) + Hidden, 4 * Hidden>,
        tensor<detail::indexed_name<"layers", L, "bias">(), tensor_role::bias, torch_default,
               detail::gate_bias_layout<T, Hidden>, in_of(L) + Hidden, 4 * Hidden>,
        tensor<detail::indexed_name<"layers", L, "initial_hidden">(), tensor_role::other, zeros, detail::vector_layout<T, Hidden>, Hidden, Hidden>,
        tensor<detail::indexed_name<"layers", L, "initial_cell">(), tensor_role::other, zeros, detail::vector_layout<T, Hidden>, Hidden, Hidden>>;
    // The head's weight [1][H], contiguous and zero-padded to whole vectors.
    template <class T>
    struct vector_head_layout {
        static constexpr std::array<std::size_t, 2> shape = {1, Hidden};
        static constexpr std::size_t size = Hidden;
        static constexpr std::size_t storage = typenet::detail::round_up(Hidden, typenet::detail::storage_alignment / sizeof(T));
        static constexpr std::size_t storage_index(std::size_t flat) noexcept { return flat; }
    };
    template <class T, class Indices>
    struct tensors_of;
    template <class T, std::size_t... L>
    struct tensors_of<T, std::index_sequence<L...>> {
        using type = boost::mp11::mp_append<
            layer_tensors<T, L>...,
            boost::mp11::mp_list<tensor<"head.weight", tensor_role::weight, torch_default, vector_head_layout<T>, Hidden, 1>,
                                 tensor<"head.bias", tensor_role::bias, torch_default, detail::vector_layout<T, 1>, Hidden, 1>>>;
    };
    template <class T>
    using parameters = typename tensors_of<T, std::make_index_sequence<Layers>>::type;
    template <class T>
    using offsets = detail::storage_offsets<parameters<T>>;

    template <class T>
    static constexpr std::size_t line = typenet::detail::storage_alignment / sizeof(T);
    template <class T>
    static constexpr std::size_t vector_storage = typenet::detail::round_up(Hidden, line<T>);
    template <class T>
    static constexpr std::size_t state_size = line<T> + 2 * Layers * vector_storage<T>;
    static constexpr std::size_t reference_state_size = state_size<double>;

    template <class T, std::size_t Width, std::size_t Rows>
    static void step(const T* parameters, T* state, std::size_t state_stride, const T* x, std::size_t x_stride, T* y,
                     std::size_t y_stride) noexcept {
        for (std::size_t r = 0; r < Rows; ++r) step_one<T>(parameters, state + r * state_stride, x + r * x_stride, y + r * y_stride);
    }

    // One step of one stream. Each layer's products leave the four gates in registers (the weights are
    // gate-blocked, see gate_weight_layout), two partial sums per gate halve the chain of FMAs a step waits
    // on, and the cell runs on them in place.
    template <class T>
    TYPENET_ALWAYS_INLINE static void step_one(const T* parameters, T* state, const T* x, T* y) noexcept {
        using vectors = detail::output_vectors<T, Hidden>;
        using batch = typename vectors::batch;
        constexpr std::size_t V = vectors::count, width = vectors::width, padded = vectors::padded;
        const bool started = state[0] != T(0);
        const T* input = x;
        detail::static_for<Layers>([&](auto l) TYPENET_INLINE_LAMBDA {
            constexpr std::size_t in = in_of(l), J = 4 * l;
            const T* weight = parameters + offsets<T>::value[J];
            const T* bias = parameters + offsets<T>::value[J + 1];
            T* h = state + line<T> + 2 * l * vector_storage<T>;
            T* c = h + vector_storage<T>;
            const T* h_start = started ? h : parameters + offsets<T>::value[J + 2];
            const T* c_start = started ? c : parameters + offsets<T>::value[J + 3];
            batch acc[2][4][V];
            detail::static_for<4 * V>([&](auto g) TYPENET_INLINE_LAMBDA {
                acc[0][g / V][g % V] = batch::load_aligned(bias + g * width);
                acc[1][g / V][g % V] = batch(T(0));
            });
            auto product = [&](auto chain, T value, const T* row) TYPENET_INLINE_LAMBDA {
                const batch broadcast(value);
                detail::static_for<4 * V>([&](auto g) TYPENET_INLINE_LAMBDA {
                    acc[chain][g / V][g % V] = simd::fma(broadcast, batch::load_aligned(row + g * width), acc[chain][g / V][g % V]);
                });
            };
            for (std::size_t i = 0; i < in; ++i) product(std::integral_constant<std::size_t, 0>{}, input[i], weight + i * 4 * padded);
            std::size_t j = 0;
            for (; j + 2 <= Hidden; j += 2) {
                product(std::integral_constant<std::size_t, 0>{}, h_start[j], weight + (in + j) * 4 * padded);
                product(std::integral_constant<std::size_t, 1>{}, h_start[j + 1], weight + (in + j + 1) * 4 * padded);
            }
            if (j < Hidden) product(std::integral_constant<std::size_t, 1>{}, h_start[j], weight + (in + j) * 4 * padded);
            batch h_new[V], c_new[V];
            detail::static_for<V>([&](auto v) TYPENET_INLINE_LAMBDA {
                const batch i = gate_sigmoid(acc[0][0][v] + acc[1][0][v]);
                const batch f = gate_sigmoid(acc[0][1][v] + acc[1][1][v]);
                const batch g = typenet::tanh::apply(acc[0][2][v] + acc[1][2][v]);
                const batch o = gate_sigmoid(acc[0][3][v] + acc[1][3][v]);
                c_new[v] = simd::fma(f, batch::load_aligned(c_start + v * width), i * g);
                h_new[v] = o * typenet::tanh::apply(c_new[v]);
            });
            detail::static_for<V>([&](auto v) TYPENET_INLINE_LAMBDA {
                c_new[v].store_aligned(c + v * width);
                h_new[v].store_aligned(h + v * width);
            });
            input = h;
        });
        state[0] = T(1);
        const T* head = parameters + offsets<T>::value[4 * Layers];
        batch sum(T(0));
        detail::static_for<V>([&](auto v) TYPENET_INLINE_LAMBDA {
            sum = simd::fma(batch::load_aligned(input + v * width), batch::load_aligned(head + v * width), sum);
        });
        y[0] = simd::reduce_add(sum) + parameters[offsets<T>::value[4 * Layers + 1]];
    }

    // The exact logistic 1 / (1 + exp(-x)), as NAM Core's exact mode: (1 + tanh(x / 2)) / 2 with the rational
    // tanh is faster but moved the output further from NAM Core's (docs/internals.md).
    template <class Batch>
    TYPENET_ALWAYS_INLINE static Batch gate_sigmoid(const Batch& x) noexcept {
        return typenet::sigmoid::apply(x);
    }

    // ---- Training (step_backward) and the oracle (reference_step): one scalar pass in plain loops.
    template <class S>
    struct record {
        std::array<std::array<S, std::max(InputSize, Hidden) + Hidden>, Layers> row{};  // [x; h] each layer saw
        std::array<std::array<S, 4 * Hidden>, Layers> gates{};                          // after their nonlinearities
        std::array<std::array<S, Hidden>, Layers> cell_before{}, cell_after{}, hidden_after{};
    };

    template <class S, class Weights>
    static S forward_frame(const Weights& w, const S* state, const S* x, record<S>& rec) {
        const bool started = state[0] != S(0);
        std::array<S, std::max(InputSize, Hidden)> input{};
        std::copy_n(x, InputSize, input.begin());
        detail::static_for<Layers>([&](auto l) {
            constexpr std::size_t in = in_of(l), J = 4 * l;
            const S* h = state + line<S> + 2 * l * vector_storage<S>;
            const S* c = h + vector_storage<S>;
            auto& row = rec.row[l];
            std::copy_n(input.begin(), in, row.begin());
            for (std::size_t j = 0; j < Hidden; ++j) {
                row[in + j] = started ? h[j] : w.template get<J + 2>(j);
                rec.cell_before[l][j] = started ? c[j] : w.template get<J + 3>(j);
            }
            for (std::size_t o = 0; o < 4 * Hidden; ++o) {
                double sum = w.template get<J + 1>(o);
                for (std::size_t k = 0; k < in + Hidden; ++k) sum += double(w.template get<J>(o * (in + Hidden) + k)) * double(row[k]);
                const bool candidate = o / Hidden == 2;
                rec.gates[l][o] = static_cast<S>(candidate ? std::tanh(sum) : typenet::sigmoid::reference(sum));
            }
            for (std::size_t j = 0; j < Hidden; ++j) {
                const auto& g = rec.gates[l];
                const double memory = double(g[Hidden + j]) * double(rec.cell_before[l][j]) + double(g[j]) * double(g[2 * Hidden + j]);
                rec.cell_after[l][j] = static_cast<S>(memory);
                rec.hidden_after[l][j] = static_cast<S>(double(g[3 * Hidden + j]) * std::tanh(memory));
                input[j] = rec.hidden_after[l][j];
            }
        });
        double y = w.template get<4 * Layers + 1>(0);
        for (std::size_t j = 0; j < Hidden; ++j) y += double(w.template get<4 * Layers>(j)) * double(input[j]);
        return static_cast<S>(y);
    }
    template <class S>
    static void store_state(const record<S>& rec, S* state) noexcept {
        state[0] = S(1);
        for (std::size_t l = 0; l < Layers; ++l) {
            S* h = state + line<S> + 2 * l * vector_storage<S>;
            std::copy_n(rec.hidden_after[l].begin(), Hidden, h);
            std::copy_n(rec.cell_after[l].begin(), Hidden, h + vector_storage<S>);
        }
    }

    template <class T, std::size_t Width, std::size_t Rows, bool InputGradient>
    static void step_backward(const step_backward_arguments<T>& a) noexcept {
        using tensors = parameters<T>;
        const detail::block_weights<T, tensors> w{a.parameters};
        auto add = [&](auto j, std::size_t flat, T value) {
            using tensor = boost::mp11::mp_at_c<tensors, decltype(j)::value>;
            a.parameter_gradient[offsets<T>::value[decltype(j)::value] + tensor::storage_index(flat)] += value;
        };
        for (std::size_t r = 0; r < Rows; ++r) {
            const T* state = a.state + r * a.state_stride;
            T* state_gradient = a.state_gradient + r * a.state_gradient_stride;
            const bool started = state[0] != T(0);
            record<T> rec;
            forward_frame<T>(w, state, a.input + r * a.input_stride, rec);
            const T dy = a.output_gradient[r * a.output_gradient_stride];
            constexpr std::size_t head = 4 * Layers;
            add(std::integral_constant<std::size_t, head + 1>{}, 0, dy);
            std::array<T, std::max(InputSize, Hidden)> d_input{};  // d loss / d (this layer's output h, then its input)
            for (std::size_t j = 0; j < Hidden; ++j) {
                add(std::integral_constant<std::size_t, head>{}, j, dy * rec.hidden_after[Layers - 1][j]);
                d_input[j] = w.template get<head>(j) * dy;
            }
            state_gradient[0] = 0;
            detail::static_for<Layers>([&](auto reversed) {
                constexpr std::size_t l = Layers - 1 - reversed, in = in_of(l), J = 4 * l;
                T* dh_state = state_gradient + line<T> + 2 * l * vector_storage<T>;
                T* dc_state = dh_state + vector_storage<T>;
                const auto& g = rec.gates[l];
                std::array<T, 4 * Hidden> d_pre{};
                std::array<T, Hidden> dc_before{};
                for (std::size_t j = 0; j < Hidden; ++j) {
                    const T dh = d_input[j] + dh_state[j];
                    const T squashed = std::tanh(rec.cell_after[l][j]);
                    const T dc = dc_state[j] + dh * g[3 * Hidden + j] * (1 - squashed * squashed);
                    const T i = g[j], f = g[Hidden + j], cand = g[2 * Hidden + j], o = g[3 * Hidden + j];
                    d_pre[j] = dc * cand * i * (1 - i);
                    d_pre[Hidden + j] = dc * rec.cell_before[l][j] * f * (1 - f);
                    d_pre[2 * Hidden + j] = dc * i * (1 - cand * cand);
                    d_pre[3 * Hidden + j] = dh * squashed * o * (1 - o);
                    dc_before[j] = dc * f;
                }
                std::array<T, in + Hidden> d_row{};
                for (std::size_t o = 0; o < 4 * Hidden; ++o) {
                    add(std::integral_constant<std::size_t, J + 1>{}, o, d_pre[o]);
                    for (std::size_t k = 0; k < in + Hidden; ++k) {
                        add(std::integral_constant<std::size_t, J>{}, o * (in + Hidden) + k, d_pre[o] * rec.row[l][k]);
                        d_row[k] += w.template get<J>(o * (in + Hidden) + k) * d_pre[o];
                    }
                }
                for (std::size_t j = 0; j < Hidden; ++j) {
                    if (started) {
                        dh_state[j] = d_row[in + j];
                        dc_state[j] = dc_before[j];
                    } else {
                        add(std::integral_constant<std::size_t, J + 2>{}, j, d_row[in + j]);
                        add(std::integral_constant<std::size_t, J + 3>{}, j, dc_before[j]);
                        dh_state[j] = dc_state[j] = 0;
                    }
                }
                std::fill(d_input.begin(), d_input.end(), T(0));
                std::copy_n(d_row.begin(), in, d_input.begin());
            });
            if constexpr (InputGradient) {
                T* dx = a.input_gradient + r * a.input_gradient_stride;
                std::fill_n(dx, a.input_gradient_stride, T(0));
                std::copy_n(d_input.begin(), InputSize, dx);
            }
        }
    }

    static void reference_step(reference_tensors parameters, std::span<double> state, std::span<const double> x, std::span<double> y) {
        record<double> rec;
        y[0] = forward_frame<double>(detail::vector_weights{parameters.data()}, state.data(), x.data(), rec);
        store_state(rec, state.data());
    }

    static summary_row summary() { return {"torch_default", "NAM LSTM " + std::to_string(Layers) + " x " + std::to_string(Hidden)}; }

};

}  // namespace typenet::nam::inline TYPENET_ISA
