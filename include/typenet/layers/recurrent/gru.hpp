// gru<Hidden, Init>: one layer of PyTorch's nn.GRU (batch_first), gates r, z, n in PyTorch's order:
//   r = sigmoid(W_ir x + b_ir + W_hr h + b_hr)
//   z = sigmoid(W_iz x + b_iz + W_hz h + b_hz)
//   n = tanh(W_in x + b_in + r * (W_hn h + b_hn))
//   h' = (1 - z) * n + z * h                       the output and the new state
// Init: auto_init (Keras' scheme), torch_recurrent or recurrent_init<...> (recurrent_init.hpp).
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

struct gru_cell {
    static constexpr std::string_view name = "gru";
    static constexpr std::size_t gates = 3;
    static constexpr std::size_t state_vectors = 1;
    static constexpr bool has_forget_gate = false;
    static constexpr std::size_t summed_gates = 2;  // r and z; the candidate needs W_hn h + b_hn alone

    // pre: r and z pre-activations (gi + gh), W_hn h + b_hn; input: gi = W_i x + b_i of each gate.
    template <class Batch, class T>
    TYPENET_ALWAYS_INLINE static void update(const Batch (&pre)[3], const Batch (&input)[3], T* state, std::size_t) noexcept {
        const Batch reset = gate_sigmoid(pre[0]);
        const Batch update = gate_sigmoid(pre[1]);
        // h' = (1 - z) n + z h: both factors beside n are ready long before n, so n is one FMA from h'.
        const Batch hidden = Batch::load_aligned(state);
        const Batch kept = update * hidden;
        const Batch candidate = typenet::tanh::apply(simd::fma(reset, pre[2], input[2]));
        simd::fma(Batch(T(1)) - update, candidate, kept).store_aligned(state);
    }

    template <class T>
    static void backward_unit(const T* gi, const T* gh, std::size_t padded, std::size_t j, const T* before, std::size_t,
                              T hidden_gradient, T, T* input_gate_gradient, T* hidden_gate_gradient, T& hidden_direct,
                              T& cell_gradient) noexcept {
        const T reset = logistic(gi[j] + gh[j]);
        const T update = logistic(gi[padded + j] + gh[padded + j]);
        const T hidden_candidate_part = gh[2 * padded + j];
        const T candidate = std::tanh(gi[2 * padded + j] + reset * hidden_candidate_part);
        const T candidate_pre = hidden_gradient * (1 - update) * (1 - candidate * candidate);
        const T update_pre = hidden_gradient * (before[j] - candidate) * update * (1 - update);
        const T reset_pre = candidate_pre * hidden_candidate_part * reset * (1 - reset);
        input_gate_gradient[j] = hidden_gate_gradient[j] = reset_pre;
        input_gate_gradient[padded + j] = hidden_gate_gradient[padded + j] = update_pre;
        input_gate_gradient[2 * padded + j] = candidate_pre;
        hidden_gate_gradient[2 * padded + j] = candidate_pre * reset;
        hidden_direct = hidden_gradient * update;
        cell_gradient = 0;
    }

    static void reference(const double* gi, const double* gh, std::size_t hidden, std::span<double> state) {
        std::vector<double> next(hidden);
        for (std::size_t j = 0; j < hidden; ++j) {
            const double reset = 1 / (1 + std::exp(-(gi[j] + gh[j])));
            const double update = 1 / (1 + std::exp(-(gi[hidden + j] + gh[hidden + j])));
            const double candidate = std::tanh(gi[2 * hidden + j] + reset * gh[2 * hidden + j]);
            next[j] = (1 - update) * candidate + update * state[j];
        }
        for (std::size_t j = 0; j < hidden; ++j) state[j] = next[j];
    }
};

}  // namespace typenet::detail

namespace typenet::inline TYPENET_ISA {

template <std::size_t Hidden, class Init = auto_init>
struct gru : recurrent_declaration<detail::gru_cell, Hidden, Init> {};

}  // namespace typenet::inline TYPENET_ISA

namespace typenet {
template <std::size_t Hidden, class Init>
struct spelling<gru<Hidden, Init>> {
    static std::string get() { return "typenet::gru<" + std::to_string(Hidden) + ", " + spelling<Init>::get() + ">"; }
};
}  // namespace typenet
