// recurrent_layer<Cell, FanIn, Hidden, Init>: what GRU and LSTM share. One layer of PyTorch's nn.GRU /
// nn.LSTM (batch_first), with its four tensors weight_ih_l0 [Gates Hidden][FanIn], weight_hh_l0
// [Gates Hidden][Hidden], bias_ih_l0, bias_hh_l0, as a stateful layer of the layer contract (layer.hpp).
//
// Documentation: docs/internals.md
// Distributed under the Boost Software License, Version 1.0 (see LICENSE or https://www.boost.org/LICENSE_1_0.txt).
//
// A step computes the gate pre-activations gi = W_ih x + b_ih and gh = W_hh h + b_hh with the dense layer's
// kernel (the matrices are stored as dense matrices, gate_layout.hpp), then Cell's element-wise update on
// whole vectors. The backward pass recomputes gi and gh from the saved state instead of storing them.
//
// A Cell (gru.hpp, lstm.hpp) provides: name, gates, state_vectors (h, or h and c), summed_gates (how many
// leading gates need only gi + gh, not the two apart), update(pre, input, state, cell_offset) (the SIMD
// step of one vector of units from its gate pre-activations pre and the input parts gi of them),
// backward_unit(...) (the scalar derivative of one unit) and reference(...) (the double oracle).
#pragma once

#include <algorithm>
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
#include "../../kernel/tanh.hpp"
#include "../../layer.hpp"
#include "../../simd.hpp"
#include "../../kernel/dense_forward.hpp"
#include "gate_layout.hpp"
#include "recurrent_init.hpp"

namespace typenet::detail {
// The scalar sigmoid of the cells' backward passes.
template <class T>
T logistic(T x) noexcept {
    return T(1) / (T(1) + std::exp(-x));
}
// The cells' SIMD sigmoid (kernel/tanh.hpp): a rational for float, about 2e-7 absolute error.
template <class Batch>
TYPENET_ALWAYS_INLINE Batch gate_sigmoid(const Batch& x) noexcept {
    return kernel::sigmoid(x);
}
}  // namespace typenet::detail

namespace typenet::inline TYPENET_ISA {

template <class Cell, std::size_t FanIn, std::size_t Hidden, class Init>
struct recurrent_layer {
    static constexpr std::size_t gates = Cell::gates;
    static constexpr std::size_t fan_in = FanIn;
    static constexpr std::size_t hidden = Hidden;
    using init = Init;
    using input_init = typename Init::input_init;
    using recurrent_weight_init = typename Init::recurrent_weight_init;
    using bias_init = typename Init::bias_init;
    using input_bias_init = std::conditional_t<Cell::has_forget_gate && Init::unit_forget_bias,
                                               detail::unit_forget_bias<bias_init, Hidden>, bias_init>;

    template <class T>
    using input_gates = detail::gate_layout<T, FanIn, Hidden, gates>;
    template <class T>
    using hidden_gates = detail::gate_layout<T, Hidden, Hidden, gates>;
    // Where tensors 1 to 3 of `parameters` start in the layer's block (tensor 0, weight_ih, at 0); the
    // parameter gradient has the same layout.
    template <class T>
    struct tensor_offsets {
        static constexpr std::size_t hidden_weights = input_gates<T>::matrix::weight_storage;
        static constexpr std::size_t input_bias = hidden_weights + hidden_gates<T>::matrix::weight_storage;
        static constexpr std::size_t hidden_bias = input_bias + input_gates<T>::matrix::bias_storage;
    };

    // ---- The layer contract (typenet/layer.hpp), stateful.
    static constexpr std::string_view name = Cell::name;
    static constexpr std::size_t input_width = FanIn;
    static constexpr std::size_t output_width = Hidden;

    template <class T>
    using parameters = boost::mp11::mp_list<
        tensor<"weight_ih_l0", tensor_role::weight, input_init, detail::gate_weight_layout<T, FanIn, Hidden, gates>, FanIn, gates * Hidden>,
        tensor<"weight_hh_l0", tensor_role::weight, recurrent_weight_init, detail::gate_weight_layout<T, Hidden, Hidden, gates>, Hidden,
               gates * Hidden>,
        tensor<"bias_ih_l0", tensor_role::bias, input_bias_init, detail::gate_bias_layout<T, FanIn, Hidden, gates>, Hidden, gates * Hidden>,
        tensor<"bias_hh_l0", tensor_role::bias, bias_init, detail::gate_bias_layout<T, Hidden, Hidden, gates>, Hidden, gates * Hidden>>;

    static constexpr std::size_t parameter_count = 2 * gates * Hidden + gates * Hidden * (FanIn + Hidden);

    // Scales of the resolved initializers for this layer's shapes (where the initializer defines them).
    static constexpr double input_weight_bound() noexcept
        requires requires { input_init::bound(FanIn, gates * Hidden); }
    {
        return input_init::bound(FanIn, gates * Hidden);
    }
    static constexpr double input_weight_stddev() noexcept { return input_init::stddev(FanIn, gates * Hidden); }
    static constexpr double recurrent_weight_bound() noexcept
        requires requires { recurrent_weight_init::bound(Hidden, gates * Hidden); }
    {
        return recurrent_weight_init::bound(Hidden, gates * Hidden);
    }
    static constexpr double recurrent_weight_stddev() noexcept { return recurrent_weight_init::stddev(Hidden, gates * Hidden); }

    // State of one stream: h, then (LSTM) c, each padded to whole cache lines.
    template <class T>
    static constexpr std::size_t state_vector_stride = detail::round_up(Hidden, detail::storage_alignment / sizeof(T));
    template <class T>
    static constexpr std::size_t state_size = Cell::state_vectors * state_vector_stride<T>;
    static constexpr std::size_t reference_state_size = Cell::state_vectors * Hidden;

    template <class T, std::size_t Width, std::size_t Rows>
    static void step(const T* parameters, T* state, std::size_t state_stride, const T* x, std::size_t x_stride, T* y,
                     std::size_t y_stride) noexcept {
        if constexpr (Rows == 1) {
            stream_step<T>(parameters, state, x, y);
        } else {
            using batch = simd::batch<T>;
            constexpr std::size_t padded = input_gates<T>::padded_hidden;
            constexpr std::size_t gate_stride = input_gates<T>::row_stride;
            alignas(detail::storage_alignment) T input_part[Rows * gate_stride];
            alignas(detail::storage_alignment) T hidden_part[Rows * gate_stride];
            pre_activations<T, Rows>(parameters, state, state_stride, x, x_stride, input_part, hidden_part);
            for (std::size_t r = 0; r < Rows; ++r) {
                T* stream = state + r * state_stride;
                const T* gi = input_part + r * gate_stride;
                const T* gh = hidden_part + r * gate_stride;
                for (std::size_t e = 0; e < padded; e += batch::size) {
                    batch pre[gates], input[gates];
                    for (std::size_t g = 0; g < gates; ++g) {
                        input[g] = batch::load_aligned(gi + g * padded + e);
                        const batch hidden_gate = batch::load_aligned(gh + g * padded + e);
                        pre[g] = g < Cell::summed_gates ? input[g] + hidden_gate : hidden_gate;
                    }
                    update_and_emit(pre, input, stream + e, y + r * y_stride + e);
                }
            }
        }
    }

    template <class T, std::size_t Width, std::size_t Rows, bool InputGradient>
    static void step_backward(const step_backward_arguments<T>& a) noexcept {
        using input_matrix = typename input_gates<T>::matrix;
        using hidden_matrix = typename hidden_gates<T>::matrix;
        constexpr std::size_t padded = input_gates<T>::padded_hidden;
        constexpr std::size_t gate_stride = input_gates<T>::row_stride;
        constexpr std::size_t cell = state_vector_stride<T>;
        alignas(detail::storage_alignment) T input_part[Rows * gate_stride];
        alignas(detail::storage_alignment) T hidden_part[Rows * gate_stride];
        pre_activations<T, Rows>(a.parameters, a.state, a.state_stride, a.input, a.input_stride, input_part, hidden_part);

        using offsets = tensor_offsets<T>;
        const T* input_weights = a.parameters;
        const T* hidden_weights = a.parameters + offsets::hidden_weights;
        T* input_weight_gradient = a.parameter_gradient;
        T* hidden_weight_gradient = a.parameter_gradient + offsets::hidden_weights;
        T* input_bias_gradient = a.parameter_gradient + offsets::input_bias;
        T* hidden_bias_gradient = a.parameter_gradient + offsets::hidden_bias;

        for (std::size_t r = 0; r < Rows; ++r) {
            const T* gi = input_part + r * gate_stride;
            const T* gh = hidden_part + r * gate_stride;
            const T* before = a.state + r * a.state_stride;
            const T* x = a.input + r * a.input_stride;
            T* state_gradient = a.state_gradient + r * a.state_gradient_stride;
            const T* output_gradient = a.output_gradient + r * a.output_gradient_stride;
            T input_gate_gradient[gates * padded]{};
            T hidden_gate_gradient[gates * padded]{};
            T hidden_direct[Hidden];
            T cell_before_gradient[Hidden];
            for (std::size_t j = 0; j < Hidden; ++j) {
                const T hidden_after_gradient = output_gradient[j] + state_gradient[j];
                const T cell_after_gradient = Cell::state_vectors > 1 ? state_gradient[cell + j] : T(0);
                Cell::backward_unit(gi, gh, padded, j, before, cell, hidden_after_gradient, cell_after_gradient, input_gate_gradient,
                                    hidden_gate_gradient, hidden_direct[j], cell_before_gradient[j]);
            }
            for (std::size_t g = 0; g < gates; ++g)
                for (std::size_t j = 0; j < Hidden; ++j) {
                    const std::size_t out = g * padded + j;
                    const T d_input = input_gate_gradient[out], d_hidden = hidden_gate_gradient[out];
                    input_bias_gradient[out] += d_input;
                    hidden_bias_gradient[out] += d_hidden;
                    for (std::size_t k = 0; k < FanIn; ++k) input_weight_gradient[input_matrix::weight_index(out, k)] += d_input * x[k];
                    for (std::size_t k = 0; k < Hidden; ++k)
                        hidden_weight_gradient[hidden_matrix::weight_index(out, k)] += d_hidden * before[k];
                }
            if constexpr (InputGradient) {
                T* dx = a.input_gradient + r * a.input_gradient_stride;
                for (std::size_t k = 0; k < FanIn; ++k) {
                    T sum = 0;
                    for (std::size_t out = 0; out < gates * padded; ++out) sum += input_weights[input_matrix::weight_index(out, k)] * input_gate_gradient[out];
                    dx[k] = sum;
                }
                for (std::size_t k = FanIn; k < a.input_gradient_stride; ++k) dx[k] = T(0);
            }
            for (std::size_t k = 0; k < Hidden; ++k) {
                T sum = hidden_direct[k];
                for (std::size_t out = 0; out < gates * padded; ++out) sum += hidden_weights[hidden_matrix::weight_index(out, k)] * hidden_gate_gradient[out];
                state_gradient[k] = sum;
                if constexpr (Cell::state_vectors > 1) state_gradient[cell + k] = cell_before_gradient[k];
            }
        }
    }

    static void reference_step(reference_tensors parameters, std::span<double> state, std::span<const double> x, std::span<double> y) {
        const std::vector<double>& weight_ih = parameters[0];
        const std::vector<double>& weight_hh = parameters[1];
        std::vector<double> gi(gates * Hidden), gh(gates * Hidden);
        for (std::size_t row = 0; row < gates * Hidden; ++row) {
            double input_sum = parameters[2][row], hidden_sum = parameters[3][row];
            for (std::size_t k = 0; k < FanIn; ++k) input_sum += weight_ih[row * FanIn + k] * x[k];
            for (std::size_t k = 0; k < Hidden; ++k) hidden_sum += weight_hh[row * Hidden + k] * state[k];
            gi[row] = input_sum;
            gh[row] = hidden_sum;
        }
        Cell::reference(gi.data(), gh.data(), Hidden, state);
        std::copy_n(state.begin(), Hidden, y.begin());
    }

    static summary_row summary() {
        return {std::string(input_init::name) + " / " + std::string(recurrent_weight_init::name),
                detail::describe_initializer<input_init>(FanIn, gates * Hidden) + " / " +
                    detail::describe_initializer<recurrent_weight_init>(Hidden, gates * Hidden)};
    }

private:
    // One stream: the recurrence h -> W_hh h -> cell -> h is the step's critical path, so everything that
    // does not depend on h is done before it (W_ih x + b_ih, plus b_hh for the gates that need only the sum,
    // which seed the accumulators). When the gate vectors fit in registers (up to a panel of 8), both
    // products stay in registers and the cell reads them there: no store and reload of W_ih x, which also
    // made the step's time depend on where the network lies in memory (LSTM-16 with input 16: 62 to 71 ns
    // over the 64-byte offsets of one page, a stack store and later weight loads 4 KB apart look dependent
    // to the core).
    template <class T>
    TYPENET_ALWAYS_INLINE static void stream_step(const T* parameters, T* state, const T* x, T* y) noexcept {
        using batch = simd::batch<T>;
        using input_matrix = typename input_gates<T>::matrix;
        using hidden_matrix = typename hidden_gates<T>::matrix;
        using offsets = tensor_offsets<T>;
        constexpr std::size_t width = batch::size;
        constexpr std::size_t padded = input_gates<T>::padded_hidden;
        constexpr std::size_t unit_vectors = padded / width;
        constexpr std::size_t vectors = gates * unit_vectors;
        const T* input_bias = parameters + offsets::input_bias;
        const T* hidden_bias = parameters + offsets::hidden_bias;
        // The start of vector v's hidden product: b_hh, plus W_ih x + b_ih (input) for the gates that need
        // only the sum.
        auto seed = [&](std::size_t v, const batch& input) TYPENET_INLINE_LAMBDA {
            const batch bias = batch::load_aligned(hidden_bias + v * width);
            return v / unit_vectors < Cell::summed_gates ? input + bias : bias;
        };
        constexpr bool in_registers = vectors <= detail::panel_vectors && std::is_same_v<typename hidden_matrix::arch, simd::wide_arch> &&
                                      std::is_same_v<typename input_matrix::arch, simd::wide_arch> && !input_matrix::is_row_major;
        if constexpr (in_registers) {
            constexpr std::size_t input_splits = kernel::detail::single_row_splits(vectors, FanIn);
            batch input_acc[input_splits][1][vectors];
            detail::static_for<vectors>(
                [&](auto v) TYPENET_INLINE_LAMBDA { input_acc[0][0][v] = batch::load_aligned(input_bias + v * width); });
            kernel::detail::tile_products<simd::wide_arch, FanIn, input_matrix::panel_width, 1, vectors, input_splits,
                                          kernel::detail::keep_loop>(x, 0, parameters, input_acc);
            constexpr std::size_t splits = kernel::detail::single_row_splits(vectors, Hidden);
            batch acc[splits][1][vectors];
            detail::static_for<vectors>([&](auto v) TYPENET_INLINE_LAMBDA { acc[0][0][v] = seed(v, input_acc[0][0][v]); });
            kernel::detail::tile_products<simd::wide_arch, Hidden, hidden_matrix::panel_width, 1, vectors, splits,
                                          kernel::detail::keep_loop>(state, 0, parameters + offsets::hidden_weights, acc);
            detail::static_for<unit_vectors>([&](auto u) TYPENET_INLINE_LAMBDA {
                batch pre[gates], input[gates];
                detail::static_for<gates>([&](auto g) TYPENET_INLINE_LAMBDA {
                    pre[g] = acc[0][0][g * unit_vectors + u];
                    input[g] = input_acc[0][0][g * unit_vectors + u];
                });
                update_and_emit(pre, input, state + u * width, y + u * width);
            });
        } else {
            alignas(detail::storage_alignment) T input_part[input_gates<T>::row_stride];
            alignas(detail::storage_alignment) T seeds[input_gates<T>::row_stride];
            alignas(detail::storage_alignment) T hidden_part[input_gates<T>::row_stride];
            kernel::dense_forward<input_matrix, epilogue<>, 1, kernel::detail::keep_loop>(x, FanIn, parameters, input_bias, input_part, 0);
            for (std::size_t v = 0; v < vectors; ++v)
                seed(v, batch::load_aligned(input_part + v * width)).store_aligned(seeds + v * width);
            kernel::dense_forward<hidden_matrix, epilogue<>, 1, kernel::detail::keep_loop>(state, 0, parameters + offsets::hidden_weights,
                                                                                           seeds, hidden_part, 0);
            for (std::size_t e = 0; e < padded; e += width) {
                batch pre[gates], input[gates];
                for (std::size_t g = 0; g < gates; ++g) {
                    pre[g] = batch::load_aligned(hidden_part + g * padded + e);
                    input[g] = batch::load_aligned(input_part + g * padded + e);
                }
                update_and_emit(pre, input, state + e, y + e);
            }
        }
    }

    // Cell's update of one vector of units from its gate pre-activations, and the new h as the step's output.
    template <class Batch, class T>
    TYPENET_ALWAYS_INLINE static void update_and_emit(const Batch (&pre)[gates], const Batch (&input)[gates], T* state, T* y) noexcept {
        Cell::update(pre, input, state, state_vector_stride<T>);
        Batch::load_aligned(state).store_aligned(y);
    }

    template <class T, std::size_t Rows>
    TYPENET_ALWAYS_INLINE static void pre_activations(const T* parameters, const T* state, std::size_t state_stride, const T* x,
                                                      std::size_t x_stride, T* input_part, T* hidden_part) noexcept {
        using input_matrix = typename input_gates<T>::matrix;
        using hidden_matrix = typename hidden_gates<T>::matrix;
        constexpr std::size_t gate_stride = input_gates<T>::row_stride;
        using offsets = tensor_offsets<T>;
        const T* input_weights = parameters;
        const T* hidden_weights = parameters + offsets::hidden_weights;
        const T* input_bias = parameters + offsets::input_bias;
        const T* hidden_bias = parameters + offsets::hidden_bias;
        kernel::dense_forward<input_matrix, epilogue<>, Rows>(x, x_stride, input_weights, input_bias, input_part, gate_stride);
        kernel::dense_forward<hidden_matrix, epilogue<>, Rows>(state, state_stride, hidden_weights, hidden_bias, hidden_part, gate_stride);
    }
};

// What gru<Hidden, Init> and lstm<Hidden, Init> declare: at its place in a network, the layer of Cell with the
// input width it is fed and Init resolved (auto_init, torch_recurrent -> recurrent_init<...>).
template <class Cell, std::size_t Hidden, class Init>
struct recurrent_declaration {
    static_assert(Hidden >= 1, "typenet::gru<Hidden> / lstm<Hidden>: Hidden (the number of units) must be at least 1");
    static constexpr std::size_t units = Hidden;
    template <std::size_t InputWidth, class Next>
    using resolve = recurrent_layer<Cell, InputWidth, Hidden, typename detail::resolve_recurrent_init<Hidden, Init>::type>;
};

}  // namespace typenet::inline TYPENET_ISA
