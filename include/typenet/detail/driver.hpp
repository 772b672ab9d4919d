// The forward driver: the one loop over a plan's layers that every pass uses, the single sample and the
// batch of inference (fused stages, ping-pong buffers) as well as training, diagnostics and LSUV (every
// layer writes its own output rows, kept for the backward pass).
//
// Documentation: docs/internals.md
// Distributed under the Boost Software License, Version 1.0 (see LICENSE or https://www.boost.org/LICENSE_1_0.txt).
#pragma once

#include <array>
#include <cstddef>
#include <utility>

#include "../config.hpp"
#include "../layer.hpp"
#include "static_for.hpp"

namespace typenet::detail::inline TYPENET_ISA {

// Passes over at most this many layers are unrolled, every layer's kernel inlined into one function, which
// is what makes small networks fast (one schedule, no calls). Deeper ones walk a table of out-of-line
// kernels (stage_table, backward_table): layers of the same type and width share one compiled kernel, and
// compile time grows by a table entry per layer instead of an inlined body (tools/compile_scale.py).
inline constexpr std::size_t inline_layer_limit = 12;

// A layer's kernels as functions of their own (the tables below; sequence_trainer's passes).
template <class Layer, class T, std::size_t Width, std::size_t Rows, class Epilogue>
TYPENET_NOINLINE void forward_out_of_line(const T* parameters, const T* x, std::size_t x_stride, T* y, std::size_t y_stride) noexcept {
    Layer::template forward<T, Width, Rows, Epilogue>(parameters, x, x_stride, y, y_stride);
}

template <class Layer, class T, std::size_t Width, std::size_t Batch, bool InputGradient>
TYPENET_NOINLINE void backward_out_of_line(const backward_arguments<T>& arguments) noexcept {
    Layer::template backward<T, Width, Batch, InputGradient>(arguments);
}

// ---- Deep networks: the stages as a table of out-of-line kernels, walked by a run-time loop. Unrolling
// the loop over hundreds of layers costs the compiler a body per layer (and makes one huge function to
// optimize); a table costs it one entry per layer, and the calls are out of line anyway.

// One stage's kernel behind one signature: a stateful layer's step, or a layer's forward with the stage's
// fused epilogue (the state arguments unused).
template <class T>
using stage_kernel = void (*)(const T* parameters, T* state, std::size_t state_stride, const T* x, std::size_t x_stride, T* y,
                              std::size_t y_stride) noexcept;

// How a pass treats stateful layers: not at all (a compile error, stateless passes), one time step of Rows
// streams, or Rows consecutive time steps of one stream (layer by layer over the steps: forward_sequence).
enum class state_pass { none, streams, sequence };

// A stateful layer's work in a pass over Rows rows.
template <class Layer, class T, std::size_t Width, std::size_t Rows, state_pass Mode>
TYPENET_ALWAYS_INLINE void run_stateful(const T* parameters, T* state, std::size_t state_stride, const T* x, std::size_t x_stride, T* y,
                                        std::size_t y_stride) noexcept {
    if constexpr (Mode == state_pass::streams)
        Layer::template step<T, Width, Rows>(parameters, state, state_stride, x, x_stride, y, y_stride);
    else if constexpr (Mode == state_pass::sequence)  // only in forward_sequence's prefix, whose layers have the hook
        Layer::template sequence<T, Width, Rows>(parameters, state, x, x_stride, y, y_stride);
}

template <class Layer, class T, std::size_t Width, std::size_t Rows, class Epilogue, state_pass Mode>
TYPENET_NOINLINE void stage_out_of_line(const T* parameters, [[maybe_unused]] T* state, [[maybe_unused]] std::size_t state_stride,
                                        const T* x, std::size_t x_stride, T* y, std::size_t y_stride) noexcept {
    if constexpr (is_stateful<Layer>())
        run_stateful<Layer, T, Width, Rows, Mode>(parameters, state, state_stride, x, x_stride, y, y_stride);
    else
        Layer::template forward<T, Width, Rows, Epilogue>(parameters, x, x_stride, y, y_stride);
}

template <class T>
struct stage_entry {
    stage_kernel<T> kernel;
    std::size_t parameter_offset;
    std::size_t state_offset;
    std::size_t last_layer;  // the stage's last layer (the one whose output it writes)
};

// The first layer of a stage: fused stages begin where the plan says, unfused ones are single layers.
template <class Plan, bool Fused>
constexpr std::size_t stage_head(std::size_t stage) noexcept {
    if constexpr (Fused)
        return Plan::stage_begin[stage];
    else
        return stage;
}

template <class Plan, bool Fused, std::size_t Rows, std::size_t FirstStage, std::size_t StageCount, state_pass Mode>
struct stage_table {
    using T = typename Plan::value_type;
    template <std::size_t Stage>
    static constexpr stage_entry<T> entry() noexcept {
        constexpr std::size_t head = stage_head<Plan, Fused>(Stage);
        constexpr std::size_t end = stage_head<Plan, Fused>(Stage + 1);
        using layer = typename Plan::template layer<head>;
        return {&stage_out_of_line<layer, T, Plan::widths[head], Rows, typename Plan::template epilogue_of<head + 1, end>, Mode>,
                Plan::offsets[head], Plan::state_offsets[head], end - 1};
    }
    static constexpr std::array<stage_entry<T>, StageCount> entries = []<std::size_t... S>(std::index_sequence<S...>) {
        return std::array<stage_entry<T>, StageCount>{entry<FirstStage + S>()...};
    }(std::make_index_sequence<StageCount>{});
};

// Layer i's backward kernel (layer 0 computes no input gradient) and whether it runs in place.
template <class T>
struct backward_entry {
    void (*kernel)(const backward_arguments<T>&) noexcept;
    bool in_place;
};

template <class Plan, std::size_t Batch, bool FirstInputGradient = false>
struct backward_table {
    using T = typename Plan::value_type;
    template <std::size_t I>
    static constexpr backward_entry<T> entry() noexcept {
        using layer = typename Plan::template layer<I>;
        return {&backward_out_of_line<layer, T, Plan::widths[I], Batch, (I > 0 || FirstInputGradient)>, flag_backward_in_place<layer>()};
    }
    static constexpr std::array<backward_entry<T>, Plan::layer_count> entries = []<std::size_t... I>(std::index_sequence<I...>) {
        return std::array<backward_entry<T>, Plan::layer_count>{entry<I>()...};
    }(std::make_index_sequence<Plan::layer_count>{});
};

// A first layer that needs aligned, padded input rows (layer contract: needs_aligned_input) runs in place on
// a copy of the caller's rows in its output rows; signal then points there.
template <std::size_t Rows, std::size_t Width, class T>
TYPENET_ALWAYS_INLINE void copy_into_output(const T*& signal, std::size_t& signal_stride, T* output, std::size_t output_stride) noexcept {
    for (std::size_t r = 0; r < Rows; ++r)
        for (std::size_t k = 0; k < Width; ++k) output[r * output_stride + k] = signal[r * signal_stride + k];
    signal = output;
    signal_stride = output_stride;
}

// The stages [FirstStage, FirstStage + StageCount) of a network of at most inline_layer_limit layers,
// unrolled and inlined; see run_layers.
template <class Plan, bool Fused, std::size_t Rows, std::size_t FirstStage, std::size_t StageCount, state_pass Mode, class T,
          class Destination>
TYPENET_ALWAYS_INLINE void run_unrolled(const T* parameters, T* state, std::size_t state_stride, const T*& signal,
                                        std::size_t& signal_stride, Destination& destination) noexcept {
    static_for<StageCount>([&](auto stage_index) TYPENET_INLINE_LAMBDA {
        constexpr std::size_t stage = FirstStage + decltype(stage_index)::value;
        constexpr std::size_t head = stage_head<Plan, Fused>(stage);
        constexpr std::size_t end = stage_head<Plan, Fused>(stage + 1);
        using layer = typename Plan::template layer<head>;
        using fused_epilogue = typename Plan::template epilogue_of<head + 1, end>;
        const auto [output, output_stride] = destination(stage - FirstStage, end - 1);
        if constexpr (head == 0 && flag_needs_aligned_input<layer>()) copy_into_output<Rows, Plan::widths[0]>(signal, signal_stride, output, output_stride);
        if constexpr (is_stateful<layer>()) {
            run_stateful<layer, T, Plan::widths[head], Rows, Mode>(parameters + Plan::offsets[head], state + Plan::state_offsets[head],
                                                                   state_stride, signal, signal_stride, output, output_stride);
        } else {
            layer::template forward<T, Plan::widths[head], Rows, fused_epilogue>(parameters + Plan::offsets[head], signal, signal_stride,
                                                                                 output, output_stride);
        }
        signal = output;
        signal_stride = output_stride;
    });
}

// Runs stages [FirstStage, FirstStage + StageCount) of Plan over Rows rows of x (rows x_stride apart; the
// input of FirstStage). Fused: a stage is a layer with the activations after it fused into its epilogue;
// unfused: every layer is a stage. destination(stage, last layer of the stage) returns the (T*, stride) the
// stage writes to; stage counts from FirstStage (both std::size_t: constants once an unrolled pass is
// inlined, run-time values in a deep network's table). Returns the last stage's output rows.
// Mode: whether stateful layers run one time step of Rows streams on the states at state (rows state_stride
// apart), or Rows consecutive steps of the one stream whose state is at state; state_pass::none makes a
// network with a stateful layer a compile error that points to the streaming API.
template <class Plan, bool Fused, std::size_t Rows, std::size_t FirstStage, std::size_t StageCount, state_pass Mode, class T,
          class Destination>
TYPENET_ALWAYS_INLINE const T* run_stages(const T* parameters, T* state, std::size_t state_stride, const T* x, std::size_t x_stride,
                                          Destination&& destination) noexcept {
    static_assert(StageCount > 0 && FirstStage + StageCount <= (Fused ? Plan::stage_count : Plan::layer_count));
    const T* signal = x;
    std::size_t signal_stride = x_stride;
    static_assert(Mode != state_pass::none || !Plan::has_state,
                  "typenet: this network has a stateful layer (gru, lstm, conv1d): run it with a state, "
                  "net.forward(state, x, y) or net.forward_sequence(state, xs, ys), and train it with "
                  "typenet::sequence_trainer");
    if constexpr (Plan::layer_count > inline_layer_limit) {
        using table = stage_table<Plan, Fused, Rows, FirstStage, StageCount, Mode>;
        if constexpr (FirstStage == 0 && flag_needs_aligned_input<typename Plan::template layer<0>>()) {
            const auto [output, output_stride] = destination(std::size_t{0}, table::entries[0].last_layer);
            copy_into_output<Rows, Plan::widths[0]>(signal, signal_stride, output, output_stride);
        }
        for (std::size_t stage = 0; stage < StageCount; ++stage) {
            const stage_entry<T>& entry = table::entries[stage];
            const auto [output, output_stride] = destination(stage, entry.last_layer);
            entry.kernel(parameters + entry.parameter_offset, Mode != state_pass::none ? state + entry.state_offset : state, state_stride,
                         signal, signal_stride, output, output_stride);
            signal = output;
            signal_stride = output_stride;
        }
    } else {
        run_unrolled<Plan, Fused, Rows, FirstStage, StageCount, Mode>(parameters, state, state_stride, signal, signal_stride, destination);
    }
    return signal;
}

// Layers [First, Last) of Plan (fused passes: the whole network), as run_stages.
template <class Plan, bool Fused, std::size_t Rows, std::size_t First, std::size_t Last, state_pass Mode, class T, class Destination>
TYPENET_ALWAYS_INLINE const T* run_layers(const T* parameters, T* state, std::size_t state_stride, const T* x, std::size_t x_stride,
                                          Destination&& destination) noexcept {
    static_assert(!Fused || (First == 0 && Last == Plan::layer_count), "typenet: fused passes run the whole network");
    static_assert(First < Last && Last <= Plan::layer_count);
    constexpr std::size_t first_stage = Fused ? 0 : First;
    constexpr std::size_t stage_count = (Fused ? Plan::stage_count : Last) - first_stage;
    return run_stages<Plan, Fused, Rows, first_stage, stage_count, Mode>(parameters, state, state_stride, x, x_stride, destination);
}

template <class Plan, bool Fused, std::size_t Rows, std::size_t First = 0, std::size_t Last = Plan::layer_count, class T, class Destination>
TYPENET_ALWAYS_INLINE const T* run_forward(const T* parameters, const T* x, std::size_t x_stride, Destination&& destination) noexcept {
    return run_layers<Plan, Fused, Rows, First, Last, state_pass::none>(parameters, static_cast<T*>(nullptr), 0, x, x_stride, destination);
}

// One time step of Rows streams through the whole network (fused stages), each stream's state block at
// state + r * state_stride.
template <class Plan, std::size_t Rows, class T, class Destination>
TYPENET_ALWAYS_INLINE const T* run_step(const T* parameters, T* state, std::size_t state_stride, const T* x, std::size_t x_stride,
                                        Destination&& destination) noexcept {
    return run_layers<Plan, true, Rows, 0, Plan::layer_count, state_pass::streams>(parameters, state, state_stride, x, x_stride,
                                                                                   destination);
}

// A stage whose layer runs all of a run of steps at once: a stateless layer (its rows are the steps), or a
// stateful one with a sequence hook.
template <class Plan, std::size_t Stage>
constexpr bool stage_runs_sequences() {
    constexpr std::size_t head = Plan::stage_begin[Stage];
    using layer = typename Plan::template layer<head>;
    using T = typename Plan::value_type;
    if constexpr (is_stateful<layer>())
        return requires(const T* p, T* state, const T* x, T* y, std::size_t stride) {
            layer::template sequence<T, Plan::widths[head], 8>(p, state, x, stride, y, stride);
        };
    else
        return true;
}

// forward_sequence's split of the fused stages: the leading stages that run over a run of steps at once
// (stateless layers, stateful ones with a sequence hook: a convolutional front end), layer by layer; from
// the first stateful layer without one (a recurrent layer) on, step by step. A recurrence is a latency-bound
// chain: the work of the stages after it (and of its own input product) hides in its shadow when they run
// step by step, and would add to it if they ran over the run of steps after it (measured; README).
template <class Plan>
constexpr std::size_t sequence_prefix_stages() {
    return []<std::size_t... S>(std::index_sequence<S...>) {
        std::size_t count = 0;
        bool leading = true;
        ((leading = leading && stage_runs_sequences<Plan, S>(), count += leading ? 1 : 0), ...);
        return count;
    }(std::make_index_sequence<Plan::stage_count>{});
}

// Steps consecutive time steps of one stream (rows of x) through the first PrefixStages fused stages, layer
// by layer: each runs over all the steps at once.
template <class Plan, std::size_t Steps, std::size_t PrefixStages, class T, class Destination>
TYPENET_ALWAYS_INLINE const T* run_sequence_prefix(const T* parameters, T* state, const T* x, std::size_t x_stride,
                                                   Destination&& destination) noexcept {
    return run_stages<Plan, true, Steps, 0, PrefixStages, state_pass::sequence>(parameters, state, 0, x, x_stride, destination);
}

// One time step of one stream through the fused stages from FirstStage on (the rest after a prefix).
template <class Plan, std::size_t FirstStage, class T, class Destination>
TYPENET_ALWAYS_INLINE const T* run_step_from(const T* parameters, T* state, const T* x, Destination&& destination) noexcept {
    return run_stages<Plan, true, 1, FirstStage, Plan::stage_count - FirstStage, state_pass::streams>(parameters, state, 0, x, 0,
                                                                                                       destination);
}

// Where a backward pass over Batch rows of a chain finds its buffers: the forward's rows of every layer
// (layer i's at outputs + Plan::output_offsets<Batch>[i], rows Plan::output_strides[i] apart), two gradient
// buffers of Batch rows of Plan::gradient_width (gradients[0] holds d loss / d output of the last layer on
// entry), the parameter gradient laid out like the parameters, and the scratch of each layer
// (Plan::workspace_offsets<Batch>). workspace and the combinators of structure/ run their chains with it.
template <class T>
struct backward_buffers {
    const T* outputs;
    T* gradients[2];
    T* parameter_gradient;
    T* scratch;
};

// Backward through the layers of Plan over Batch rows, last to first: parameter gradients into
// buffers.parameter_gradient (each layer's part overwritten), and, if InputGradient, d loss / d x into
// input_gradient (rows input_gradient_stride apart, zeros past the input width). observe(i, rows, stride)
// sees d loss / d (output of layer i) before layer i turns it into its input's gradient.
template <class Plan, std::size_t Batch, bool InputGradient, class T, class Observer>
TYPENET_ALWAYS_INLINE void run_backward(const T* parameters, const T* x, std::size_t x_stride, const backward_buffers<T>& buffers,
                                        T* input_gradient, std::size_t input_gradient_stride, Observer& observe) noexcept {
    constexpr std::size_t layer_count = Plan::layer_count;
    constexpr auto& strides = Plan::output_strides;
    constexpr auto& output_offsets = Plan::template output_offsets<Batch>;
    constexpr auto& scratch_offsets = Plan::template workspace_offsets<Batch>;
    // Layer i's arguments, its output gradient in gradients[current]. The first layer writes the caller's
    // input gradient (never in place: the caller's rows are not the gradient buffers).
    auto arguments_of = [&](std::size_t i, int current, bool in_place) TYPENET_INLINE_LAMBDA {
        T* gradient = buffers.gradients[current];
        observe(i, static_cast<const T*>(gradient), strides[i]);
        const bool first = i == 0;
        return backward_arguments<T>{parameters + Plan::offsets[i],
                                     first ? x : buffers.outputs + output_offsets[i - 1],
                                     first ? x_stride : strides[i - 1],
                                     buffers.outputs + output_offsets[i],
                                     strides[i],
                                     gradient,
                                     strides[i],
                                     buffers.parameter_gradient + Plan::offsets[i],
                                     first ? (InputGradient ? input_gradient : nullptr) : in_place ? gradient : buffers.gradients[1 - current],
                                     first ? input_gradient_stride : strides[i - 1],
                                     buffers.scratch + scratch_offsets[i]};
    };
    int current = 0;  // gradients[current]: d loss / d (output of layer i)
    if constexpr (layer_count > inline_layer_limit) {
        using table = backward_table<Plan, Batch, InputGradient>;
        for (std::size_t reverse = 0; reverse < layer_count; ++reverse) {
            const std::size_t i = layer_count - 1 - reverse;
            const bool in_place = table::entries[i].in_place;
            table::entries[i].kernel(arguments_of(i, current, in_place));
            if (i > 0 && !in_place) current = 1 - current;
        }
    } else {
        static_for<layer_count>([&](auto reverse_index) TYPENET_INLINE_LAMBDA {
            constexpr std::size_t i = layer_count - 1 - decltype(reverse_index)::value;
            using layer = typename Plan::template layer<i>;
            constexpr bool in_place = flag_backward_in_place<layer>();
            layer::template backward<T, Plan::widths[i], Batch, (i > 0 || InputGradient)>(arguments_of(i, current, in_place));
            if constexpr (i > 0 && !in_place) current = 1 - current;
        });
    }
}

}  // namespace typenet::detail::inline TYPENET_ISA
