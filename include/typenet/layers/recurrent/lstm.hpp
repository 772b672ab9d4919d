// lstm<Hidden, Init>: one layer of PyTorch's nn.LSTM (batch_first), gates i, f, g, o in PyTorch's order:
//   i = sigmoid(W_ii x + b_ii + W_hi h + b_hi)      f, o likewise
//   g = tanh(W_ig x + b_ig + W_hg h + b_hg)
//   c' = f * c + i * g,  h' = o * tanh(c')          h' is the output; (h', c') the new state
// Init: auto_init (Keras' scheme, forget-gate bias 1), torch_recurrent or recurrent_init<...>.
//
// Documentation: docs/sequence-layers.md
// Distributed under the Boost Software License, Version 1.0 (see LICENSE or https://www.boost.org/LICENSE_1_0.txt).
#pragma once

#include <cmath>
#include <cstddef>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "../../activation.hpp"
#include "../../config.hpp"
#include "../../spelling.hpp"
#include "recurrent.hpp"
#include "recurrent_init.hpp"

namespace typenet::detail {

struct lstm_cell {
    static constexpr std::string_view name = "lstm";
    static constexpr std::size_t gates = 4;
    static constexpr std::size_t state_vectors = 2;
    static constexpr bool has_forget_gate = true;
    static constexpr std::size_t summed_gates = 4;  // every gate needs only gi + gh

    // pre: the four gates' pre-activations at these units (the input parts are in them); state: h there, c
    // at state + cell.
    template <class Batch, class T>
    TYPENET_ALWAYS_INLINE static void update(const Batch (&pre)[4], const Batch (&)[4], T* state, std::size_t cell) noexcept {
        const Batch input = gate_sigmoid(pre[0]);
        const Batch forget = gate_sigmoid(pre[1]);
        const Batch candidate = typenet::tanh::apply(pre[2]);
        const Batch output = gate_sigmoid(pre[3]);
        const Batch memory = simd::fma(forget, Batch::load_aligned(state + cell), input * candidate);
        memory.store_aligned(state + cell);
        (output * typenet::tanh::apply(memory)).store_aligned(state);
    }

    template <class T>
    static void backward_unit(const T* gi, const T* gh, std::size_t padded, std::size_t j, const T* before, std::size_t cell,
                              T hidden_gradient, T cell_after_gradient, T* input_gate_gradient, T* hidden_gate_gradient,
                              T& hidden_direct, T& cell_gradient) noexcept {
        auto pre = [&](std::size_t gate) { return gi[gate * padded + j] + gh[gate * padded + j]; };
        const T input = logistic(pre(0)), forget = logistic(pre(1)), candidate = std::tanh(pre(2)), output = logistic(pre(3));
        const T memory_before = before[cell + j];
        const T squashed = std::tanh(forget * memory_before + input * candidate);
        const T memory_gradient = cell_after_gradient + hidden_gradient * output * (1 - squashed * squashed);
        const T pre_gradient[4] = {memory_gradient * candidate * input * (1 - input),
                                   memory_gradient * memory_before * forget * (1 - forget),
                                   memory_gradient * input * (1 - candidate * candidate), hidden_gradient * squashed * output * (1 - output)};
        for (std::size_t gate = 0; gate < 4; ++gate)
            input_gate_gradient[gate * padded + j] = hidden_gate_gradient[gate * padded + j] = pre_gradient[gate];
        hidden_direct = 0;
        cell_gradient = memory_gradient * forget;
    }

    static void reference(const double* gi, const double* gh, std::size_t hidden, std::span<double> state) {
        for (std::size_t j = 0; j < hidden; ++j) {
            auto pre = [&](std::size_t gate) { return gi[gate * hidden + j] + gh[gate * hidden + j]; };
            auto logistic = [](double x) { return 1 / (1 + std::exp(-x)); };
            const double memory = logistic(pre(1)) * state[hidden + j] + logistic(pre(0)) * std::tanh(pre(2));
            state[hidden + j] = memory;
            state[j] = logistic(pre(3)) * std::tanh(memory);
        }
    }
};

}  // namespace typenet::detail

namespace typenet::inline TYPENET_ISA {

template <std::size_t Hidden, class Init = auto_init>
struct lstm : recurrent_declaration<detail::lstm_cell, Hidden, Init> {};

}  // namespace typenet::inline TYPENET_ISA

namespace typenet {
template <std::size_t Hidden, class Init>
struct spelling<lstm<Hidden, Init>> {
    static std::string get() { return "typenet::lstm<" + std::to_string(Hidden) + ", " + spelling<Init>::get() + ">"; }
};
}  // namespace typenet
