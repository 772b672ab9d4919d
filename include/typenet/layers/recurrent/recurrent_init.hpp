// How a recurrent layer (gru, lstm) is initialized: one initializer for its input kernel (weight_ih), one
// for its recurrent kernel (weight_hh), one for its biases, and whether LSTM's forget-gate bias starts at 1.
//
// Documentation: docs/initializers.md
// Distributed under the Boost Software License, Version 1.0 (see LICENSE or https://www.boost.org/LICENSE_1_0.txt).
//
// The two frameworks differ, and the difference is the vanishing-gradient story of recurrent nets:
//   torch_recurrent   PyTorch nn.GRU / nn.LSTM: every tensor U(-1/sqrt(Hidden), 1/sqrt(Hidden))
//   keras_recurrent   Keras GRU / LSTM: glorot_uniform input kernel, orthogonal recurrent kernel (its
//                     singular values are all 1, so the linear part of the recurrence neither shrinks nor
//                     grows a gradient from step to step; Saxe et al. 2014), zero biases and, for LSTM, a
//                     forget-gate bias of 1 (Jozefowicz et al. 2015: the cell remembers by default)
//   auto_init         keras_recurrent
//   recurrent_init<InputInit, RecurrentInit, BiasInit, UnitForgetBias>   any other combination
#pragma once

#include <cmath>
#include <cstddef>
#include <string>
#include <string_view>
#include <type_traits>

#include "../../detail/constexpr_math.hpp"
#include "../../init.hpp"
#include "../../random.hpp"
#include "../../spelling.hpp"

namespace typenet {

template <class InputInit, class RecurrentInit, class BiasInit = zeros, bool UnitForgetBias = true>
struct recurrent_init {
    static_assert(InputInit::initializes_weights && RecurrentInit::initializes_weights,
                  "typenet::recurrent_init<InputInit, RecurrentInit, ...>: both must be weight initializers");
    static_assert(BiasInit::initializes_biases, "typenet::recurrent_init<..., BiasInit>: BiasInit cannot initialize biases");
    using input_init = InputInit;
    using recurrent_weight_init = RecurrentInit;
    using bias_init = BiasInit;
    static constexpr bool unit_forget_bias = UnitForgetBias;  // LSTM only
};

// PyTorch's default (resolved per layer: the bound depends on Hidden).
struct torch_recurrent {
    static constexpr std::string_view name = "torch_recurrent";
};

using keras_recurrent = recurrent_init<glorot_uniform, orthogonal<>, zeros, true>;

// U(-1/sqrt(Hidden), 1/sqrt(Hidden)) for weights and biases, whatever their fans.
template <std::size_t Hidden>
struct hidden_uniform {
    static constexpr std::string_view name = "hidden_uniform";
    static constexpr bool initializes_weights = true;
    static constexpr bool initializes_biases = true;
    static constexpr double bound(std::size_t = 0, std::size_t = 0) noexcept {
        return 1 / detail::constexpr_sqrt(static_cast<double>(Hidden));
    }
    static constexpr double stddev(std::size_t = 0, std::size_t = 0) noexcept { return bound() / detail::constexpr_sqrt(3.0); }
    template <class Set>
    static void sample_weights(std::size_t fan_in, std::size_t fan_out, random_stream& stream, Set&& set) {
        detail::for_each_weight(fan_in, fan_out, set, [&] { return bound() * stream.symmetric_uniform(); });
    }
    template <class Set>
    static void sample_bias(std::size_t, std::size_t fan_out, random_stream& stream, Set&& set) {
        for (std::size_t out = 0; out < fan_out; ++out) set(out, bound() * stream.symmetric_uniform());
    }
};

namespace detail {

template <std::size_t Hidden, class Init>
struct resolve_recurrent_init {
    using type = Init;
};
template <std::size_t Hidden>
struct resolve_recurrent_init<Hidden, auto_init> {
    using type = keras_recurrent;
};
template <std::size_t Hidden>
struct resolve_recurrent_init<Hidden, torch_recurrent> {
    using type = recurrent_init<hidden_uniform<Hidden>, hidden_uniform<Hidden>, hidden_uniform<Hidden>, false>;
};

// LSTM's bias_ih under unit_forget_bias: BiasInit, then the forget gate's block [Hidden, 2 Hidden) set to 1
// (Keras' one bias is PyTorch's bias_ih + bias_hh; bias_hh keeps BiasInit).
template <class BiasInit, std::size_t Hidden>
struct unit_forget_bias {
    static constexpr std::string_view name = BiasInit::name;
    static constexpr bool initializes_weights = false;
    static constexpr bool initializes_biases = true;
    template <class Set>
    static void sample_bias(std::size_t fan_in, std::size_t fan_out, random_stream& stream, Set&& set) {
        BiasInit::sample_bias(fan_in, fan_out, stream, [&](std::size_t out, double value) {
            set(out, out >= Hidden && out < 2 * Hidden ? 1.0 : value);
        });
    }
};

}  // namespace detail

template <>
struct spelling<torch_recurrent> : detail::spelled_as_name<torch_recurrent> {};
template <std::size_t Hidden>
struct spelling<hidden_uniform<Hidden>> {
    static std::string get() { return "typenet::hidden_uniform<" + std::to_string(Hidden) + ">"; }
};
template <class InputInit, class RecurrentInit, class BiasInit, bool UnitForgetBias>
struct spelling<recurrent_init<InputInit, RecurrentInit, BiasInit, UnitForgetBias>> {
    static std::string get() {
        std::string text = "typenet::recurrent_init<";
        text.append(spelling<InputInit>::get()).append(", ").append(spelling<RecurrentInit>::get()).append(", ");
        text.append(spelling<BiasInit>::get()).append(UnitForgetBias ? ", true>" : ", false>");
        return text;
    }
};

}  // namespace typenet
