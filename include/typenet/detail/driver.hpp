// The forward driver: the one loop over a plan's layers that every pass uses, the single sample and the
// batch of inference (fused stages, ping-pong buffers) as well as training, diagnostics and LSUV (every
// layer writes its own output rows, kept for the backward pass).
#pragma once

#include <cstddef>
#include <utility>

#include "../config.hpp"
#include "../layer.hpp"
#include "static_for.hpp"

namespace typenet::detail::inline TYPENET_ISA {

// Passes over at most this many layers inline every layer's kernel into one function, which is what makes
// small networks fast (one schedule, no calls). Deeper ones call each kernel as a function of its own:
// layers of the same type and width then share one compiled kernel, so compile time and code size grow with
// the number of distinct layers instead of the depth (tools/compile_scale.py), for a call per layer.
inline constexpr std::size_t inline_layer_limit = 12;

template <class Layer, class T, std::size_t Width, std::size_t Rows, class Epilogue>
TYPENET_NOINLINE void forward_out_of_line(const T* parameters, const T* x, std::size_t x_stride, T* y, std::size_t y_stride) noexcept {
    Layer::template forward<T, Width, Rows, Epilogue>(parameters, x, x_stride, y, y_stride);
}

template <bool Inline, class Layer, class T, std::size_t Width, std::size_t Rows, class Epilogue>
TYPENET_ALWAYS_INLINE void forward_layer(const T* parameters, const T* x, std::size_t x_stride, T* y, std::size_t y_stride) noexcept {
    if constexpr (Inline)
        Layer::template forward<T, Width, Rows, Epilogue>(parameters, x, x_stride, y, y_stride);
    else
        forward_out_of_line<Layer, T, Width, Rows, Epilogue>(parameters, x, x_stride, y, y_stride);
}

template <class Layer, class T, std::size_t Width, std::size_t Batch, bool InputGradient>
TYPENET_NOINLINE void backward_out_of_line(const backward_arguments<T>& arguments) noexcept {
    Layer::template backward<T, Width, Batch, InputGradient>(arguments);
}

template <bool Inline, class Layer, class T, std::size_t Width, std::size_t Batch, bool InputGradient>
TYPENET_ALWAYS_INLINE void backward_layer(const backward_arguments<T>& arguments) noexcept {
    if constexpr (Inline)
        Layer::template backward<T, Width, Batch, InputGradient>(arguments);
    else
        backward_out_of_line<Layer, T, Width, Batch, InputGradient>(arguments);
}

template <class Layer, class T, std::size_t Width, std::size_t Rows>
TYPENET_NOINLINE void step_out_of_line(const T* parameters, T* state, std::size_t state_stride, const T* x, std::size_t x_stride, T* y,
                                       std::size_t y_stride) noexcept {
    Layer::template step<T, Width, Rows>(parameters, state, state_stride, x, x_stride, y, y_stride);
}

template <bool Inline, class Layer, class T, std::size_t Width, std::size_t Rows>
TYPENET_ALWAYS_INLINE void step_layer(const T* parameters, T* state, std::size_t state_stride, const T* x, std::size_t x_stride, T* y,
                                      std::size_t y_stride) noexcept {
    if constexpr (Inline)
        Layer::template step<T, Width, Rows>(parameters, state, state_stride, x, x_stride, y, y_stride);
    else
        step_out_of_line<Layer, T, Width, Rows>(parameters, state, state_stride, x, x_stride, y, y_stride);
}

template <class Plan, bool Fused>
constexpr std::size_t stage_head(std::size_t stage) noexcept {
    if constexpr (Fused)
        return Plan::stage_begin[stage];
    else
        return stage;
}

// Runs layers [First, Last) of Plan over Rows rows of x (rows x_stride apart; the input of layer First).
// Fused: every stage is a layer with the activations fused into its epilogue (only the whole network);
// unfused: every layer is a stage. destination(stage constant, last layer of the stage constant) returns
// the (T*, stride) the stage writes to. Returns the last stage's output rows.
// Streaming: stateful layers run one time step on the states at state (rows state_stride apart); without
// it a stateful layer is a compile error that points to the streaming API.
template <class Plan, bool Fused, std::size_t Rows, std::size_t First, std::size_t Last, bool Streaming, class T, class Destination>
TYPENET_ALWAYS_INLINE const T* run_layers(const T* parameters, T* state, std::size_t state_stride, const T* x, std::size_t x_stride,
                                          Destination&& destination) noexcept {
    static_assert(!Fused || (First == 0 && Last == Plan::layer_count), "typenet: fused passes run the whole network");
    static_assert(First < Last && Last <= Plan::layer_count);
    constexpr std::size_t first_stage = Fused ? 0 : First;
    constexpr std::size_t stage_count = (Fused ? Plan::stage_count : Last) - first_stage;
    const T* signal = x;
    std::size_t signal_stride = x_stride;
    static_for<stage_count>([&](auto stage_index) TYPENET_INLINE_LAMBDA {
        constexpr std::size_t stage = first_stage + decltype(stage_index)::value;
        constexpr std::size_t head = stage_head<Plan, Fused>(stage);
        constexpr std::size_t end = stage_head<Plan, Fused>(stage + 1);
        using layer = typename Plan::template layer<head>;
        using fused_epilogue = typename Plan::template epilogue_of<head + 1, end>;
        const auto [output, output_stride] =
            destination(std::integral_constant<std::size_t, stage - first_stage>{}, std::integral_constant<std::size_t, end - 1>{});
        if constexpr (head == 0 && flag_needs_aligned_input<layer>()) {
            // The caller's rows are unaligned and unpadded: copy them into the output rows and run in place.
            for (std::size_t r = 0; r < Rows; ++r)
                for (std::size_t k = 0; k < Plan::widths[0]; ++k) output[r * output_stride + k] = signal[r * signal_stride + k];
            signal = output;
            signal_stride = output_stride;
        }
        if constexpr (is_stateful<layer>()) {
            static_assert(Streaming,
                          "typenet: this network has a stateful layer (gru, lstm, conv1d): run it with a state, "
                          "net.forward(state, x, y) or net.forward_sequence(state, xs, ys), and train it with "
                          "typenet::sequence_trainer");
            if constexpr (Streaming)
                step_layer<(Plan::layer_count <= inline_layer_limit), layer, T, Plan::widths[head], Rows>(
                    parameters + Plan::offsets[head], state + Plan::state_offsets[head], state_stride, signal, signal_stride, output,
                    output_stride);
        } else {
            forward_layer<(Plan::layer_count <= inline_layer_limit), layer, T, Plan::widths[head], Rows, fused_epilogue>(
                parameters + Plan::offsets[head], signal, signal_stride, output, output_stride);
        }
        signal = output;
        signal_stride = output_stride;
    });
    return signal;
}

template <class Plan, bool Fused, std::size_t Rows, std::size_t First = 0, std::size_t Last = Plan::layer_count, class T, class Destination>
TYPENET_ALWAYS_INLINE const T* run_forward(const T* parameters, const T* x, std::size_t x_stride, Destination&& destination) noexcept {
    return run_layers<Plan, Fused, Rows, First, Last, false>(parameters, static_cast<T*>(nullptr), 0, x, x_stride, destination);
}

// One time step of Rows streams through the whole network (fused stages), each stream's state block at
// state + r * state_stride.
template <class Plan, std::size_t Rows, class T, class Destination>
TYPENET_ALWAYS_INLINE const T* run_step(const T* parameters, T* state, std::size_t state_stride, const T* x, std::size_t x_stride,
                                        Destination&& destination) noexcept {
    return run_layers<Plan, true, Rows, 0, Plan::layer_count, true>(parameters, state, state_stride, x, x_stride, destination);
}

}  // namespace typenet::detail::inline TYPENET_ISA
