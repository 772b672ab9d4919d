// parallel<Combine, Branches...>: every branch sees the block's input; their outputs are summed
// (parallel<sum, ...>: Inception-style sums, multi-scale TCN heads) or concatenated in order
// (parallel<concat, ...>: widths add up). A branch is one layer declaration: dense<8>, conv1d<4, 3, 2>,
// sequential<dense<8>, relu>, a residual block, another parallel block. PyTorch names: "I.B.<tensor>" for
// branch B (class Parallel(nn.ModuleList)); a sequential branch adds its own ".J". Documented in
// docs/declaring-networks.md.
//
// Documentation: docs/declaring-networks.md
// Distributed under the Boost Software License, Version 1.0 (see LICENSE or https://www.boost.org/LICENSE_1_0.txt).
#pragma once

#include <algorithm>
#include <array>
#include <cstddef>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include <boost/mp11/algorithm.hpp>
#include <boost/mp11/list.hpp>

#include "../config.hpp"
#include "../layer.hpp"
#include "../spelling.hpp"
#include "branch.hpp"

namespace typenet {

// How a parallel block combines its branches.
struct sum {
    static constexpr std::string_view name = "sum";
};
struct concat {
    static constexpr std::string_view name = "concat";
};

}  // namespace typenet

namespace typenet::detail {

// Branches of a sum with different output widths: the template arguments name the first branch's width and
// the other's.
template <std::size_t FirstWidth, std::size_t OtherWidth>
struct parallel_sum_branches_must_have_equal_widths {
    static_assert(FirstWidth == OtherWidth,
                  "typenet::parallel<sum, Branches...>: two branches have different output widths (the template arguments "
                  "above); use parallel<concat, ...> or make the widths equal");
    static constexpr bool value = FirstWidth == OtherWidth;
};

}  // namespace typenet::detail

namespace typenet::inline TYPENET_ISA {

template <std::size_t InputWidth, class Context, class Combine, class... Branches>
struct parallel_layer {
    static_assert(std::is_same_v<Combine, sum> || std::is_same_v<Combine, concat>,
                  "typenet::parallel<Combine, Branches...>: Combine is typenet::sum or typenet::concat");
    static_assert(sizeof...(Branches) >= 1, "typenet::parallel<Combine, Branches...>: no branches");
    static constexpr std::size_t count = sizeof...(Branches);
    static constexpr bool concatenates = std::is_same_v<Combine, concat>;

    // Branch b as a chain of its one layer (planned and run as a combinator's branch).
    using branches = boost::mp11::mp_list<detail::branch<InputWidth, Context, Branches>...>;
    template <std::size_t B>
    using branch = boost::mp11::mp_at_c<branches, B>;

    static constexpr std::array<std::size_t, count> widths = {detail::branch<InputWidth, Context, Branches>::output_width...};
    static constexpr bool stateful = (detail::branch<InputWidth, Context, Branches>::stateful || ...);
    static_assert((std::conditional_t<concatenates, std::true_type,
                                      detail::parallel_sum_branches_must_have_equal_widths<
                                          widths[0], detail::branch<InputWidth, Context, Branches>::output_width>>::value &&
                   ...));

    // Where branch b's output starts in a row (concat), and its parameters and state in the block.
    static constexpr std::array<std::size_t, count + 1> output_offsets = [] {
        std::array<std::size_t, count + 1> result{};
        for (std::size_t b = 0; b < count; ++b) result[b + 1] = result[b] + (concatenates ? widths[b] : 0);
        return result;
    }();
    template <class T>
    static constexpr std::array<std::size_t, count + 1> parameter_offsets = [] {
        const std::size_t sizes[] = {detail::branch<InputWidth, Context, Branches>::template storage<T>...};
        std::array<std::size_t, count + 1> result{};
        for (std::size_t b = 0; b < count; ++b) result[b + 1] = result[b] + sizes[b];
        return result;
    }();
    template <class T>
    static constexpr std::array<std::size_t, count + 1> state_offsets = [] {
        const std::size_t sizes[] = {detail::branch<InputWidth, Context, Branches>::template state_size<T>...};
        std::array<std::size_t, count + 1> result{};
        for (std::size_t b = 0; b < count; ++b) result[b + 1] = result[b] + sizes[b];
        return result;
    }();

    // ---- The layer contract (typenet/layer.hpp).
    static constexpr std::string_view name = "parallel";
    static constexpr std::size_t input_width = InputWidth;
    static constexpr std::size_t output_width = concatenates ? output_offsets[count] : widths[0];

    template <class T, std::size_t B>
    struct branch_tensors {
        template <class Tensor>
        using renamed = detail::renamed_tensor<detail::index_name<B>(), Tensor, typename Tensor::initializer>;
        using type = boost::mp11::mp_transform<renamed, typename branch<B>::template plan<T>::template tensors<0>>;
    };
    template <class T>
    using parameters = decltype([]<std::size_t... B>(std::index_sequence<B...>) {
        return boost::mp11::mp_append<boost::mp11::mp_list<>, typename branch_tensors<T, B>::type...>{};
    }(std::make_index_sequence<count>{}));

    template <class T, std::size_t Width, std::size_t Rows, class Epilogue>
    TYPENET_ALWAYS_INLINE static void forward(const T* parameters, const T* x, std::size_t x_stride, T* y, std::size_t y_stride) noexcept
        requires(!stateful)
    {
        detail::static_for<count>([&](auto index) {
            constexpr std::size_t b = decltype(index)::value;
            branch<b>::template forward<T, Rows>(parameters + parameter_offsets<T>[b], x, x_stride,
                                                 [&](std::size_t first, auto rows, const T* f, std::size_t f_stride) {
                                                     combine<T, b>(f, f_stride, y + first * y_stride, y_stride, decltype(rows)::value);
                                                 });
        });
        apply_epilogue<T, Epilogue>(y, y_stride, Rows);
    }

    template <class T, std::size_t Width, std::size_t Batch, bool InputGradient>
    static void backward(const backward_arguments<T>& a) noexcept
        requires(!stateful)
    {
        T* input_gradient = a.workspace + input_gradient_offset<T, Batch>;
        detail::static_for<count>([&](auto index) {
            constexpr std::size_t b = decltype(index)::value;
            branch<b>::template backward<T, Batch, InputGradient>(
                a.parameters + parameter_offsets<T>[b], a.input, a.input_stride, a.workspace, a.parameter_gradient + parameter_offsets<T>[b],
                b == 0 ? a.input_gradient : input_gradient, a.input_gradient_stride,
                [&](const T*, T* gradient, std::size_t stride) { seed<T, b>(a.output_gradient, a.output_gradient_stride, gradient, stride, Batch); });
            if constexpr (InputGradient && b > 0) add_input_gradient<T>(input_gradient, a.input_gradient, a.input_gradient_stride, Batch);
        });
    }

    static void reference_forward(reference_tensors parameters, std::span<const double> x, std::span<double> y) {
        reference_pass(parameters, nullptr, x, y);
    }

    template <class T>
        requires(stateful)
    static constexpr std::size_t state_size = state_offsets<T>[count];
    static constexpr std::size_t reference_state_size = (std::size_t{0} + ... + detail::branch<InputWidth, Context, Branches>::reference_state_size);

    template <class T, std::size_t Width, std::size_t Rows>
    TYPENET_ALWAYS_INLINE static void step(const T* parameters, T* state, std::size_t state_stride, const T* x, std::size_t x_stride, T* y,
                     std::size_t y_stride) noexcept
        requires(stateful)
    {
        detail::static_for<count>([&](auto index) {
            constexpr std::size_t b = decltype(index)::value;
            branch<b>::template step<T, Rows>(parameters + parameter_offsets<T>[b], state + state_offsets<T>[b], state_stride, x, x_stride,
                                              [&](std::size_t, auto, const T* f, std::size_t f_stride) { combine<T, b>(f, f_stride, y, y_stride, Rows); });
        });
    }

    template <class T, std::size_t Width, std::size_t Rows, bool InputGradient>
    static void step_backward(const step_backward_arguments<T>& a) noexcept
        requires(stateful)
    {
        T* input_gradient = a.workspace + input_gradient_offset<T, Rows>;
        detail::static_for<count>([&](auto index) {
            constexpr std::size_t b = decltype(index)::value;
            branch<b>::template step_backward<T, Rows, InputGradient>(
                a.parameters + parameter_offsets<T>[b], a.state + state_offsets<T>[b], a.state_stride, a.input, a.input_stride,
                a.state_gradient + state_offsets<T>[b], a.state_gradient_stride, a.workspace, a.parameter_gradient + parameter_offsets<T>[b],
                b == 0 ? a.input_gradient : input_gradient, a.input_gradient_stride,
                [&](const T*, T* gradient, std::size_t stride) { seed<T, b>(a.output_gradient, a.output_gradient_stride, gradient, stride, Rows); });
            if constexpr (InputGradient && b > 0) add_input_gradient<T>(input_gradient, a.input_gradient, a.input_gradient_stride, Rows);
        });
    }

    static void reference_step(reference_tensors parameters, std::span<double> state, std::span<const double> x, std::span<double> y)
        requires(stateful)
    {
        reference_pass(parameters, state.data(), x, y);
    }

    // One branch's scratch at a time (the largest), then a row block for the other branches' input gradient.
    template <class T, std::size_t Rows>
    static constexpr std::size_t input_gradient_offset =
        detail::round_up(std::max({detail::branch<InputWidth, Context, Branches>::template scratch_size<T, Rows>...}),
                         detail::storage_alignment / sizeof(T));
    template <class T, std::size_t Rows>
    static constexpr std::size_t rows_workspace_size =
        input_gradient_offset<T, Rows> + Rows * detail::round_up(InputWidth, detail::storage_alignment / sizeof(T));

    static summary_row summary() { return {std::string(Combine::name), std::to_string(count) + " branches"}; }
    static void nested_summary(std::vector<summary_entry>& rows, const std::string& prefix, int depth) {
        detail::static_for<count>([&](auto index) {
            constexpr std::size_t b = decltype(index)::value;
            using layer = typename branch<b>::template plan<float>::template layer<0>;
            detail::append_summary_rows<layer>(rows, prefix + "." + std::to_string(b), widths[b], detail::summary_of<layer>(), depth);
        });
    }

private:
    // Branch b's rows into y: its columns (concat), the whole row (the first of a sum) or added (the others).
    template <class T, std::size_t B>
    static void combine(const T* f, std::size_t f_stride, T* y, std::size_t y_stride, std::size_t rows) noexcept {
        for (std::size_t r = 0; r < rows; ++r)
            for (std::size_t k = 0; k < widths[B]; ++k) {
                T& out = y[r * y_stride + output_offsets[B] + k];
                out = concatenates || B == 0 ? f[r * f_stride + k] : out + f[r * f_stride + k];
            }
    }
    template <class T, class Epilogue>
    static void apply_epilogue(T* y, std::size_t y_stride, std::size_t rows) noexcept {
        if constexpr (!Epilogue::empty) {
            using batch = simd::batch<T>;
            for (std::size_t r = 0; r < rows; ++r)
                for (std::size_t e = 0; e < detail::round_up(output_width, batch::size); e += batch::size)
                    Epilogue::apply(batch::load_aligned(y + r * y_stride + e)).store_aligned(y + r * y_stride + e);
        }
    }
    // Branch b's d loss / d output: its columns of the block's (concat) or all of it (sum); zeros past them.
    template <class T, std::size_t B>
    static void seed(const T* output_gradient, std::size_t output_gradient_stride, T* gradient, std::size_t stride, std::size_t rows) noexcept {
        for (std::size_t r = 0; r < rows; ++r)
            for (std::size_t k = 0; k < stride; ++k)
                gradient[r * stride + k] = k < widths[B] ? output_gradient[r * output_gradient_stride + output_offsets[B] + k] : T(0);
    }
    template <class T>
    static void add_input_gradient(const T* part, T* input_gradient, std::size_t input_gradient_stride, std::size_t rows) noexcept {
        constexpr std::size_t stride = detail::round_up(InputWidth, detail::storage_alignment / sizeof(T));
        for (std::size_t r = 0; r < rows; ++r)
            for (std::size_t k = 0; k < InputWidth; ++k) input_gradient[r * input_gradient_stride + k] += part[r * stride + k];
    }

    static void reference_pass(reference_tensors parameters, double* state, std::span<const double> x, std::span<double> y) {
        std::size_t first_tensor = 0, state_offset = 0;
        std::fill(y.begin(), y.end(), 0.0);
        detail::static_for<count>([&](auto index) {
            constexpr std::size_t b = decltype(index)::value;
            std::vector<double> f(widths[b]);
            branch<b>::reference(parameters.subspan(first_tensor, branch<b>::tensor_count), state == nullptr ? nullptr : state + state_offset, x, f);
            first_tensor += branch<b>::tensor_count;
            state_offset += branch<b>::reference_state_size;
            for (std::size_t k = 0; k < widths[b]; ++k) y[output_offsets[b] + k] += f[k];
        });
    }
};

}  // namespace typenet::inline TYPENET_ISA

namespace typenet {

template <class Combine, class... Branches>
struct parallel {
    static constexpr std::size_t residual_branches = (std::size_t{0} + ... + detail::residual_branches_of<Branches>());
    template <std::size_t InputWidth, class Next, class Context>
    using resolve_in_network = parallel_layer<InputWidth, Context, Combine, Branches...>;
};

template <>
struct spelling<sum> : detail::spelled_as_name<sum> {};
template <>
struct spelling<concat> : detail::spelled_as_name<concat> {};
template <class Combine, class... Branches>
struct spelling<parallel<Combine, Branches...>> {
    static std::string get() { return "typenet::parallel<" + detail::spell_list<Combine, Branches...>() + ">"; }
};

}  // namespace typenet
