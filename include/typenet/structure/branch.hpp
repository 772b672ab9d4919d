// A branch: a chain of layers run inside a combinator (residual, sequential, parallel), with the kernels
// the combinators share. A branch is planned like a network (detail::chain_plan, in the network's context)
// and run by the network's own driver: fused stages in inference, every layer's rows kept in training. Its
// parameter tensors sit one after another in the combinator's block, renamed "J.<tensor>" (J: the layer's
// index in the branch, activations counted), as PyTorch names the children of an nn.Sequential.
// Documented in docs/declaring-networks.md (the combinators) and docs/writing-a-layer.md (the contract).
//
// Documentation: docs/declaring-networks.md
// Distributed under the Boost Software License, Version 1.0 (see LICENSE or https://www.boost.org/LICENSE_1_0.txt).
#pragma once

#include <algorithm>
#include <cstddef>
#include <span>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include <boost/mp11/algorithm.hpp>
#include <boost/mp11/list.hpp>

#include "../config.hpp"
#include "../detail/constexpr_math.hpp"
#include "../detail/driver.hpp"
#include "../detail/plan.hpp"
#include "../detail/static_for.hpp"
#include "../layer.hpp"
#include "../simd.hpp"

namespace typenet::detail {

// Tensor renamed into a submodule Prefix, drawn by Init instead of its own initializer.
template <fixed_name Prefix, class Tensor, class Init>
using renamed_tensor = tensor<joined_name<Prefix, Tensor::fixed_name_value>(), Tensor::role, Init, typename Tensor::layout, Tensor::fan_in,
                              Tensor::fan_out, Tensor::receptive_field>;

// How a branch's tensors are initialized: Initializers::of<J, Tensor>::type for tensor Tensor of the branch's
// layer J; declared_initializers keeps every tensor's own.
struct declared_initializers {
    template <std::size_t J, class Tensor>
    struct of {
        using type = typename Tensor::initializer;
    };
};

// "Prefix.J", or "J" for an empty Prefix (a branch directly inside its combinator).
template <fixed_name Prefix, std::size_t J>
constexpr auto layer_prefix() noexcept {
    if constexpr (Prefix.view().empty())
        return index_name<J>();
    else
        return joined_name<Prefix, index_name<J>()>();
}

template <class Plan, class Initializers, fixed_name Prefix, std::size_t J>
struct branch_layer_tensors {
    template <class Tensor>
    using renamed = renamed_tensor<layer_prefix<Prefix, J>(), Tensor, typename Initializers::template of<J, Tensor>::type>;
    using type = boost::mp11::mp_transform<renamed, typename Plan::template tensors<J>>;
};

template <class Plan, class Initializers, fixed_name Prefix, class Indices>
struct branch_tensor_list;
template <class Plan, class Initializers, fixed_name Prefix, std::size_t... J>
struct branch_tensor_list<Plan, Initializers, Prefix, std::index_sequence<J...>> {
    using type = boost::mp11::mp_append<boost::mp11::mp_list<>, typename branch_layer_tensors<Plan, Initializers, Prefix, J>::type...>;
};

// Whether layer J of a plan has a weight tensor (what Fixup and zero-initialized last layers count).
template <class Plan, std::size_t J>
constexpr bool has_weight_tensor() {
    return []<std::size_t... K>(std::index_sequence<K...>) {
        return ((Plan::template tensor<J, K>::role == tensor_role::weight) || ... || false);
    }(std::make_index_sequence<Plan::template tensor_count<J>>{});
}

}  // namespace typenet::detail

namespace typenet::detail::inline TYPENET_ISA {

// A layer's row of typenet::summary inside a combinator (index: its state_dict prefix), then the rows of
// the layers inside it, if it is a combinator too.
template <class Layer>
void append_summary_rows(std::vector<summary_entry>& rows, const std::string& index, std::size_t width, summary_row columns, int depth) {
    rows.push_back({index, Layer::name, width, tensor_totals<typename Layer::template parameters<float>>::size, std::move(columns), depth});
    if constexpr (requires { Layer::nested_summary(rows, index, depth); }) Layer::nested_summary(rows, index, depth + 1);
}

// Elements of a layer's reference state (0: stateless, or void: no layer).
template <class Layer>
constexpr std::size_t reference_state_size_of() {
    if constexpr (!std::is_void_v<Layer> && is_stateful<Layer>())
        return Layer::reference_state_size;
    else
        return 0;
}

// y = f over rows of Width values (whole vectors).
template <class T, std::size_t Width>
TYPENET_ALWAYS_INLINE void copy_rows(const T* f, std::size_t f_stride, T* y, std::size_t y_stride, std::size_t rows) noexcept {
    using batch = simd::batch<T>;
    constexpr std::size_t end = round_up(Width, batch::size);
    for (std::size_t r = 0; r < rows; ++r)
        for (std::size_t e = 0; e < end; e += batch::size) batch::load_aligned(f + r * f_stride + e).store_aligned(y + r * y_stride + e);
}

// A branch's d loss / d output from the block's: the first Width values of each row, zeros up to stride.
template <class T, std::size_t Width>
void seed_rows(const T* output_gradient, std::size_t output_gradient_stride, T* gradient, std::size_t stride, std::size_t rows) noexcept {
    for (std::size_t r = 0; r < rows; ++r)
        for (std::size_t k = 0; k < stride; ++k) gradient[r * stride + k] = k < Width ? output_gradient[r * output_gradient_stride + k] : T(0);
}

// The chain Layers... of a combinator, resolved with input width InputWidth in the network's Context.
template <std::size_t InputWidth, class Context, class... Layers>
struct branch {
    template <class T>
    using plan = chain_plan<T, InputWidth, Context, Layers...>;
    using probe = plan<float>;  // widths and counts do not depend on the scalar
    static constexpr std::size_t input_width = InputWidth;
    static constexpr std::size_t output_width = probe::output_size;
    static constexpr std::size_t layer_count = probe::layer_count;
    static constexpr bool stateful = probe::has_state;
    template <class T>
    static constexpr std::size_t storage = plan<T>::storage_size;
    template <class T>
    static constexpr std::size_t state_size = plan<T>::state_storage;

    // Layers of the branch with a weight tensor (Fixup's m), and the index of the last one.
    static constexpr std::size_t weight_layer_count = []<std::size_t... J>(std::index_sequence<J...>) {
        return (std::size_t{0} + ... + std::size_t(has_weight_tensor<probe, J>()));
    }(std::make_index_sequence<layer_count>{});
    static constexpr std::size_t last_weight_layer = []<std::size_t... J>(std::index_sequence<J...>) {
        std::size_t last = layer_count;
        ((last = has_weight_tensor<probe, J>() ? J : last), ...);
        return last;
    }(std::make_index_sequence<layer_count>{});

    // The branch's tensors renamed "Prefix.J.<tensor>" ("J.<tensor>" for an empty Prefix), Initializers choosing
    // their initializers.
    template <class T, class Initializers = declared_initializers, fixed_name Prefix = "">
    using tensors = typename branch_tensor_list<plan<T>, Initializers, Prefix, std::make_index_sequence<layer_count>>::type;

    // Rows per tile of a forward pass: the tile's activations (two buffers on the stack) stay under 64 KB.
    template <class T, std::size_t Rows>
    static constexpr std::size_t tile_rows = std::clamp<std::size_t>(32 * 1024 / (plan<T>::buffer_size * sizeof(T)), 1, Rows);

    // Forward of Rows rows in tiles through the fused stages; finish(first row, rows of the tile as an
    // std::integral_constant, output rows, stride) consumes each tile's output.
    template <class T, std::size_t Rows, class Finish>
    TYPENET_ALWAYS_INLINE static void forward(const T* parameters, const T* x, std::size_t x_stride, Finish&& finish) noexcept {
        constexpr std::size_t tile = tile_rows<T, Rows>;
        std::size_t row = 0;
        for (; row + tile <= Rows; row += tile) forward_tile<T, tile>(parameters, x + row * x_stride, x_stride, row, finish);
        if constexpr (Rows % tile != 0) forward_tile<T, Rows % tile>(parameters, x + row * x_stride, x_stride, row, finish);
    }

    // The last stage's epilogue: its fused activations, the shortcut's add, then Outer.
    template <class T, class Outer>
    using last_epilogue = typename epilogue_concat<
        typename epilogue_concat<typename plan<T>::template epilogue_of<plan<T>::stage_begin[plan<T>::stage_count - 1] + 1, plan<T>::layer_count>,
                                 epilogue<add_to_destination>>::type,
        Outer>::type;

    // Whether y = x + F(x), Outer fused after it, can run as one pass per layer: the last stage's layer adds
    // the destination in its stores (epilogue_reads_destination), in registers, after stages of its own (its
    // input is then the branch's buffers, never x, so x may be y).
    template <class T, class Outer>
    static constexpr bool adds_in_last_layer = [] {
        using p = plan<T>;
        if constexpr (p::stage_count < 2 || stateful) {
            return false;
        } else {
            constexpr std::size_t head = p::stage_begin[p::stage_count - 1];
            using layer = typename p::template layer<head>;
            if constexpr (requires { layer::epilogue_reads_destination; })
                return layer::epilogue_reads_destination && last_epilogue<T, Outer>::in_registers;
            else
                return false;
        }
    }();

    // y = x + F(x), then Outer, over Rows rows: x copied into y (unless it is y), the stages but the last
    // into the branch's buffers, the last stage's layer adding what y holds as it stores.
    template <class T, std::size_t Rows, class Outer>
    TYPENET_ALWAYS_INLINE static void forward_adding(const T* parameters, const T* x, std::size_t x_stride, T* y, std::size_t y_stride) noexcept {
        constexpr std::size_t tile = tile_rows<T, Rows>;
        std::size_t row = 0;
        for (; row + tile <= Rows; row += tile) adding_tile<T, tile, Outer>(parameters, x + row * x_stride, x_stride, y + row * y_stride, y_stride);
        if constexpr (Rows % tile != 0) adding_tile<T, Rows % tile, Outer>(parameters, x + row * x_stride, x_stride, y + row * y_stride, y_stride);
    }

    // One time step of Rows streams (state: the branch's part of each stream's state, rows state_stride apart).
    template <class T, std::size_t Rows, class Finish>
    TYPENET_ALWAYS_INLINE static void step(const T* parameters, T* state, std::size_t state_stride, const T* x, std::size_t x_stride,
                                           Finish&& finish) noexcept {
        alignas(storage_alignment) T buffers[2][Rows * plan<T>::buffer_size];
        const T* output = run_step<plan<T>, Rows>(parameters, state, state_stride, x, x_stride, ping_pong<T>(buffers[0], buffers[1]));
        finish(std::size_t{0}, std::integral_constant<std::size_t, Rows>{}, output, plan<T>::buffer_size);
    }

    // Whether every stage can run a run of steps at once (stateless layers, stateful ones with a sequence
    // hook: a convolutional branch), so that the combinator offers the sequence hook too.
    template <class T>
    static constexpr bool runs_sequences = sequence_prefix_stages<plan<T>>() == plan<T>::stage_count;

    template <class T, std::size_t Steps, class Finish>
    TYPENET_ALWAYS_INLINE static void sequence(const T* parameters, T* state, const T* x, std::size_t x_stride, Finish&& finish) noexcept {
        constexpr std::size_t tile = tile_rows<T, Steps>;
        std::size_t row = 0;
        for (; row + tile <= Steps; row += tile) sequence_tile<T, tile>(parameters, state, x + row * x_stride, x_stride, row, finish);
        if constexpr (Steps % tile != 0) sequence_tile<T, Steps % tile>(parameters, state, x + row * x_stride, x_stride, row, finish);
    }

    // ---- Training. The scratch a backward pass over Rows rows needs: every layer's rows, two gradient
    // buffers, the layers' own scratch, a copy of the states (step_backward re-runs the step on it) and one
    // layer's parameter gradient (a stateless layer inside step_backward overwrites, the contract adds).
    template <class T, std::size_t Rows>
    struct scratch_layout {
        using p = plan<T>;
        static constexpr std::size_t outputs = 0;
        static constexpr std::size_t gradients = outputs + p::template output_offsets<Rows>[p::layer_count];
        static constexpr std::size_t layer_scratch = gradients + 2 * Rows * p::gradient_width;
        static constexpr std::size_t states = layer_scratch + p::template workspace_offsets<Rows>[p::layer_count];
        static constexpr std::size_t parameter_gradient = states + round_up(Rows * p::state_storage, p::row_alignment);
        static constexpr std::size_t size = parameter_gradient + (stateful ? p::storage_size : 0);
    };
    template <class T, std::size_t Rows>
    static constexpr std::size_t scratch_size = scratch_layout<T, Rows>::size;

    // Re-runs the forward of Rows rows keeping every layer's rows in scratch, then turns d loss / d output
    // (rows of the branch's output stride, written by seed(gradient rows, stride) into the scratch) into the
    // parameter gradient (overwritten) and, if InputGradient, d loss / d x into input_gradient.
    template <class T, std::size_t Rows, bool InputGradient, class Seed>
    static void backward(const T* parameters, const T* x, std::size_t x_stride, T* scratch, T* parameter_gradient, T* input_gradient,
                         std::size_t input_gradient_stride, Seed&& seed) noexcept {
        using p = plan<T>;
        using layout = scratch_layout<T, Rows>;
        T* outputs = scratch + layout::outputs;
        run_forward<p, false, Rows>(parameters, x, x_stride, [&](std::size_t, std::size_t last) {
            return std::pair<T*, std::size_t>(outputs + p::template output_offsets<Rows>[last], p::output_strides[last]);
        });
        T* gradients = scratch + layout::gradients;
        seed(static_cast<const T*>(outputs + p::template output_offsets<Rows>[p::layer_count - 1]), gradients,
             p::output_strides[p::layer_count - 1]);
        const backward_buffers<T> buffers{outputs, {gradients, gradients + Rows * p::gradient_width}, parameter_gradient,
                                          scratch + layout::layer_scratch};
        struct ignore {
            void operator()(std::size_t, const T*, std::size_t) const noexcept {}
        } observe;
        run_backward<p, Rows, InputGradient>(parameters, x, x_stride, buffers, input_gradient, input_gradient_stride, observe);
    }

    // The gradients of one time step of Rows streams: re-runs the step on a copy of the states before it
    // (keeping every layer's rows), then walks back through the layers: parameter gradients added, the state
    // gradient (the branch's part, rows state_gradient_stride apart) replaced by the one before the step, and
    // d loss / d x written if InputGradient. seed as for backward.
    template <class T, std::size_t Rows, bool InputGradient, class Seed>
    static void step_backward(const T* parameters, const T* state, std::size_t state_stride, const T* x, std::size_t x_stride,
                              T* state_gradient, std::size_t state_gradient_stride, T* scratch, T* parameter_gradient, T* input_gradient,
                              std::size_t input_gradient_stride, Seed&& seed) noexcept {
        using p = plan<T>;
        using layout = scratch_layout<T, Rows>;
        constexpr std::size_t n = p::layer_count;
        T* outputs = scratch + layout::outputs;
        T* states = scratch + layout::states;
        for (std::size_t r = 0; r < Rows; ++r) std::copy_n(state + r * state_stride, p::state_storage, states + r * p::state_storage);
        run_layers<p, false, Rows, 0, n, state_pass::streams>(parameters, states, p::state_storage, x, x_stride,
                                                              [&](std::size_t, std::size_t last) {
                                                                  return std::pair<T*, std::size_t>(
                                                                      outputs + p::template output_offsets<Rows>[last], p::output_strides[last]);
                                                              });
        T* gradients[2] = {scratch + layout::gradients, scratch + layout::gradients + Rows * p::gradient_width};
        seed(static_cast<const T*>(outputs + p::template output_offsets<Rows>[n - 1]), gradients[0], p::output_strides[n - 1]);
        int current = 0;
        static_for<n>([&](auto reverse_index) {
            constexpr std::size_t i = n - 1 - decltype(reverse_index)::value;
            using layer = typename p::template layer<i>;
            constexpr bool computes_input = i > 0 || InputGradient;
            T* gradient = gradients[current];
            const T* input = i == 0 ? x : outputs + p::template output_offsets<Rows>[i - 1];
            const std::size_t input_stride = i == 0 ? x_stride : p::output_strides[i - 1];
            T* layer_scratch = scratch + layout::layer_scratch + p::template workspace_offsets<Rows>[i];
            if constexpr (is_stateful<layer>()) {
                T* next = i == 0 ? input_gradient : gradients[1 - current];
                const step_backward_arguments<T> a{parameters + p::offsets[i], state + p::state_offsets[i], state_stride, input,
                                                   input_stride, gradient, p::output_strides[i], state_gradient + p::state_offsets[i],
                                                   state_gradient_stride, parameter_gradient + p::offsets[i], computes_input ? next : nullptr,
                                                   i == 0 ? input_gradient_stride : input_stride, layer_scratch};
                layer::template step_backward<T, p::widths[i], Rows, computes_input>(a);
                if constexpr (i > 0) current = 1 - current;
            } else {
                constexpr bool in_place = flag_backward_in_place<layer>() && i > 0;
                T* next = i == 0 ? input_gradient : in_place ? gradient : gradients[1 - current];
                constexpr std::size_t size = p::offsets[i + 1] - p::offsets[i];
                T* layer_gradient = scratch + layout::parameter_gradient;
                const backward_arguments<T> a{parameters + p::offsets[i],
                                              input,
                                              input_stride,
                                              outputs + p::template output_offsets<Rows>[i],
                                              p::output_strides[i],
                                              gradient,
                                              p::output_strides[i],
                                              layer_gradient,
                                              computes_input ? next : nullptr,
                                              i == 0 ? input_gradient_stride : input_stride,
                                              layer_scratch};
                layer::template backward<T, p::widths[i], Rows, computes_input>(a);
                for (std::size_t k = 0; k < size; ++k) parameter_gradient[p::offsets[i] + k] += layer_gradient[k];
                if constexpr (i > 0 && !in_place) current = 1 - current;
            }
        });
    }

    // ---- The scalar reference. tensors: the branch's tensors in order (first: where they start).
    static constexpr std::size_t reference_state_size = []<std::size_t... J>(std::index_sequence<J...>) {
        return (std::size_t{0} + ... + reference_state_size_of<typename probe::template layer<J>>());
    }(std::make_index_sequence<layer_count>{});

    // state: null for a stateless pass (reference_forward), else the branch's reference state.
    static void reference(reference_tensors tensors, double* state, std::span<const double> x, std::span<double> y) {
        using p = probe;
        std::vector<double> signal(x.begin(), x.end());
        std::size_t first_tensor = 0, state_offset = 0;
        static_for<layer_count>([&](auto index) {
            constexpr std::size_t i = decltype(index)::value;
            using layer = typename p::template layer<i>;
            constexpr std::size_t count = p::template tensor_count<i>;
            std::vector<double> next(p::widths[i + 1]);
            const reference_tensors mine = tensors.subspan(first_tensor, count);
            if constexpr (is_stateful<layer>()) {
                layer::reference_step(mine, std::span<double>(state + state_offset, layer::reference_state_size), signal, next);
                state_offset += layer::reference_state_size;
            } else {
                layer::reference_forward(mine, signal, next);
            }
            first_tensor += count;
            signal = std::move(next);
        });
        std::copy(signal.begin(), signal.end(), y.begin());
    }
    static constexpr std::size_t tensor_count = []<std::size_t... J>(std::index_sequence<J...>) {
        return (std::size_t{0} + ... + probe::template tensor_count<J>);
    }(std::make_index_sequence<layer_count>{});

    // ---- summary: one row per layer of the branch, Prefix.J, nested combinators below their row. Initializers
    // as for tensors: a layer whose weight initializer the combinator replaced shows the replacement.
    template <class Initializers = declared_initializers>
    static void nested_summary(std::vector<summary_entry>& rows, const std::string& prefix, int depth) {
        using p = probe;
        static_for<layer_count>([&](auto index) {
            constexpr std::size_t i = decltype(index)::value;
            using layer = typename p::template layer<i>;
            summary_row columns = summary_of<layer>();
            static_for<p::template tensor_count<i>>([&](auto tensor_index) {
                using tensor = typename p::template tensor<i, decltype(tensor_index)::value>;
                using chosen = typename Initializers::template of<i, tensor>::type;
                if constexpr (tensor::role == tensor_role::weight && !std::is_same_v<chosen, typename tensor::initializer>)
                    columns = {std::string(chosen::name), describe_initializer<chosen>(tensor::fan_in, tensor::fan_out)};
            });
            const bool shows_width = tensor_totals<typename p::template tensors<i>>::size != 0 || !is_element_wise<layer>();
            append_summary_rows<layer>(rows, prefix + "." + std::to_string(i), shows_width ? p::widths[i + 1] : 0, std::move(columns), depth);
        });
    }

private:
    template <class T>
    TYPENET_ALWAYS_INLINE static auto ping_pong(T* buffer_a, T* buffer_b) noexcept {
        return [buffer_a, buffer_b](std::size_t stage, std::size_t) TYPENET_INLINE_LAMBDA {
            return std::pair<T*, std::size_t>(stage % 2 == 0 ? buffer_a : buffer_b, plan<T>::buffer_size);
        };
    }
    template <class T, std::size_t Rows, class Finish>
    TYPENET_ALWAYS_INLINE static void forward_tile(const T* parameters, const T* x, std::size_t x_stride, std::size_t first_row,
                                                   Finish& finish) noexcept {
        alignas(storage_alignment) T buffers[2][Rows * plan<T>::buffer_size];
        const T* output = run_forward<plan<T>, true, Rows>(parameters, x, x_stride, ping_pong<T>(buffers[0], buffers[1]));
        finish(first_row, std::integral_constant<std::size_t, Rows>{}, output, plan<T>::buffer_size);
    }
    template <class T, std::size_t Rows, class Outer>
    TYPENET_ALWAYS_INLINE static void adding_tile(const T* parameters, const T* x, std::size_t x_stride, T* y, std::size_t y_stride) noexcept {
        using p = plan<T>;
        constexpr std::size_t last = p::stage_count - 1, head = p::stage_begin[last];
        using layer = typename p::template layer<head>;
        alignas(storage_alignment) T buffers[2][Rows * p::buffer_size];
        const T* signal = run_stages<p, true, Rows, 0, last, state_pass::none>(parameters, static_cast<T*>(nullptr), 0, x, x_stride,
                                                                                ping_pong<T>(buffers[0], buffers[1]));
        // Read x's rows before anything is stored over them: copy_rows runs after the stages, which read x first.
        if (x != y) copy_rows<T, InputWidth>(x, x_stride, y, y_stride, Rows);
        layer::template forward<T, p::widths[head], Rows, last_epilogue<T, Outer>>(parameters + p::offsets[head], signal, p::buffer_size, y,
                                                                                   y_stride);
    }

    template <class T, std::size_t Steps, class Finish>
    TYPENET_ALWAYS_INLINE static void sequence_tile(const T* parameters, T* state, const T* x, std::size_t x_stride, std::size_t first_row,
                                                    Finish& finish) noexcept {
        alignas(storage_alignment) T buffers[2][Steps * plan<T>::buffer_size];
        const T* output = run_sequence_prefix<plan<T>, Steps, plan<T>::stage_count>(parameters, state, x, x_stride,
                                                                                  ping_pong<T>(buffers[0], buffers[1]));
        finish(first_row, std::integral_constant<std::size_t, Steps>{}, output, plan<T>::buffer_size);
    }
};

// y = x + scale * f over Rows rows of Width values (whole vectors: the rows are aligned and padded), then
// Epilogue (the activations fused after a combinator).
template <class T, std::size_t Width, class Epilogue>
TYPENET_ALWAYS_INLINE void add_rows(const T* x, std::size_t x_stride, const T* f, std::size_t f_stride, T scale, T* y, std::size_t y_stride,
                                    std::size_t rows) noexcept {
    using batch = simd::batch<T>;
    constexpr std::size_t end = round_up(Width, batch::size);
    const batch s(scale);
    for (std::size_t r = 0; r < rows; ++r)
        for (std::size_t e = 0; e < end; e += batch::size)
            Epilogue::apply(simd::fma(s, batch::load_aligned(f + r * f_stride + e), batch::load_aligned(x + r * x_stride + e)))
                .store_aligned(y + r * y_stride + e);
}

}  // namespace typenet::detail::inline TYPENET_ISA
