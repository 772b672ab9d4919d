// sequential<Layers...>: a chain of layers as one layer (PyTorch's nn.Sequential as a child module): the
// branch of a parallel block (parallel<concat, sequential<dense<8>, relu>, dense<4>>), or a named group of
// layers. Its tensors are "I.J.<tensor>", J the index inside it (activations counted). Documented in
// docs/declaring-networks.md.
//
// Documentation: docs/declaring-networks.md
// Distributed under the Boost Software License, Version 1.0 (see LICENSE or https://www.boost.org/LICENSE_1_0.txt).
#pragma once

#include <cstddef>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <boost/mp11/list.hpp>

#include "../config.hpp"
#include "../layer.hpp"
#include "../spelling.hpp"
#include "branch.hpp"

namespace typenet::inline TYPENET_ISA {

template <std::size_t InputWidth, class Context, class... Layers>
struct sequential_layer {
    using branch = detail::branch<InputWidth, Context, Layers...>;
    static_assert(sizeof...(Layers) >= 1, "typenet::sequential<Layers...>: no layers");

    static constexpr std::string_view name = "sequential";
    static constexpr std::size_t input_width = InputWidth;
    static constexpr std::size_t output_width = branch::output_width;

    template <class T>
    using parameters = typename branch::template tensors<T>;

    template <class T, std::size_t Width, std::size_t Rows, class Epilogue>
    TYPENET_ALWAYS_INLINE static void forward(const T* parameters, const T* x, std::size_t x_stride, T* y, std::size_t y_stride) noexcept
        requires(!branch::stateful)
    {
        branch::template forward<T, Rows>(parameters, x, x_stride, [&](std::size_t first, auto rows, const T* f, std::size_t f_stride) {
            detail::copy_rows<T, output_width>(f, f_stride, y + first * y_stride, y_stride, decltype(rows)::value);
        });
    }

    template <class T, std::size_t Width, std::size_t Batch, bool InputGradient>
    static void backward(const backward_arguments<T>& a) noexcept
        requires(!branch::stateful)
    {
        branch::template backward<T, Batch, InputGradient>(a.parameters, a.input, a.input_stride, a.workspace, a.parameter_gradient,
                                                           a.input_gradient, a.input_gradient_stride,
                                                           [&](const T*, T* gradient, std::size_t stride) {
                                                               detail::seed_rows<T, output_width>(a.output_gradient, a.output_gradient_stride,
                                                                                                  gradient, stride, Batch);
                                                           });
    }

    static void reference_forward(reference_tensors parameters, std::span<const double> x, std::span<double> y) {
        branch::reference(parameters, nullptr, x, y);
    }

    template <class T>
        requires(branch::stateful)
    static constexpr std::size_t state_size = branch::template state_size<T>;
    static constexpr std::size_t reference_state_size = branch::reference_state_size;

    template <class T, std::size_t Width, std::size_t Rows>
    TYPENET_ALWAYS_INLINE static void step(const T* parameters, T* state, std::size_t state_stride, const T* x, std::size_t x_stride, T* y,
                     std::size_t y_stride) noexcept
        requires(branch::stateful)
    {
        branch::template step<T, Rows>(parameters, state, state_stride, x, x_stride, [&](std::size_t, auto, const T* f, std::size_t f_stride) {
            detail::copy_rows<T, output_width>(f, f_stride, y, y_stride, Rows);
        });
    }

    template <class T, std::size_t Width, std::size_t Steps>
    static void sequence(const T* parameters, T* state, const T* x, std::size_t x_stride, T* y, std::size_t y_stride) noexcept
        requires(branch::stateful && branch::template runs_sequences<T>)
    {
        branch::template sequence<T, Steps>(parameters, state, x, x_stride, [&](std::size_t first, auto rows, const T* f, std::size_t f_stride) {
            detail::copy_rows<T, output_width>(f, f_stride, y + first * y_stride, y_stride, decltype(rows)::value);
        });
    }

    template <class T, std::size_t Width, std::size_t Rows, bool InputGradient>
    static void step_backward(const step_backward_arguments<T>& a) noexcept
        requires(branch::stateful)
    {
        branch::template step_backward<T, Rows, InputGradient>(
            a.parameters, a.state, a.state_stride, a.input, a.input_stride, a.state_gradient, a.state_gradient_stride, a.workspace,
            a.parameter_gradient, a.input_gradient, a.input_gradient_stride, [&](const T*, T* gradient, std::size_t stride) {
                detail::seed_rows<T, output_width>(a.output_gradient, a.output_gradient_stride, gradient, stride, Rows);
            });
    }

    static void reference_step(reference_tensors parameters, std::span<double> state, std::span<const double> x, std::span<double> y)
        requires(branch::stateful)
    {
        branch::reference(parameters, state.data(), x, y);
    }

    template <class T, std::size_t Rows>
    static constexpr std::size_t rows_workspace_size = branch::template scratch_size<T, Rows>;

    static void nested_summary(std::vector<summary_entry>& rows, const std::string& prefix, int depth) {
        branch::nested_summary(rows, prefix, depth);
    }
};

}  // namespace typenet::inline TYPENET_ISA

namespace typenet {

template <class... Layers>
struct sequential {
    static constexpr std::size_t residual_branches = (std::size_t{0} + ... + detail::residual_branches_of<Layers>());
    template <std::size_t InputWidth, class Next, class Context>
    using resolve_in_network = sequential_layer<InputWidth, Context, Layers...>;
};

template <class... Layers>
struct spelling<sequential<Layers...>> {
    static std::string get() { return "typenet::sequential<" + detail::spell_list<Layers...>() + ">"; }
};

}  // namespace typenet
