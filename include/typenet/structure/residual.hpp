// residual<Layers...>: y = x + F(x), F the chain Layers... (any layers, stateful ones and nested combinators
// included); residual_projection<Projection, Layers...>: y = P(x) + F(x), P a layer on the shortcut (dense<N>
// or a 1x1 conv1d<N, 1>, as temporal convolution networks use) when F changes the width.
//
// Documentation: docs/declaring-networks.md
// Distributed under the Boost Software License, Version 1.0 (see LICENSE or https://www.boost.org/LICENSE_1_0.txt).
//
// A residual block may start with an initialization policy that knows the network's depth at compile time:
//   residual<fixup, Layers...>            Fixup (Zhang, Dauphin & Ma 2019): the branch's weight layers but the
//                                         last drawn from their initializers times L^(-1/(2m-2)), the last at
//                                         zero (L: residual branches in the network, m: weight layers in this
//                                         branch)
//   residual<zero_last_layer, Layers...>  the branch's last weight layer at zero (Goyal et al. 2017): every
//                                         block starts as the identity
//   residual<skip_init, Layers...>        SkipInit (De & Smith 2020): y = x + g F(x), g a learnable scalar
//                                         "gain" that starts at zero
// PyTorch names (state_dict, safetensors) are those of `class Residual(nn.Sequential)` whose forward returns
// x + super().forward(x): "I.J.<tensor>" for layer J of the branch; the shortcut's "I.shortcut.<tensor>"
// and SkipInit's "I.gain" (tools/torch_structure.py writes such modules). Documented in
// docs/declaring-networks.md and docs/initializers.md.
#pragma once

#include <cstddef>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include <boost/mp11/algorithm.hpp>
#include <boost/mp11/list.hpp>

#include "../config.hpp"
#include "../detail/constexpr_math.hpp"
#include "../init.hpp"
#include "../layer.hpp"
#include "../spelling.hpp"
#include "branch.hpp"

namespace typenet {

// Initialization policies of a residual block (its optional first argument).
struct fixup {
    static constexpr std::string_view name = "fixup";
};
struct zero_last_layer {
    static constexpr std::string_view name = "zero_last_layer";
};
struct skip_init {
    static constexpr std::string_view name = "skip_init";
};

template <class T>
inline constexpr bool is_residual_policy_v = std::is_same_v<T, fixup> || std::is_same_v<T, zero_last_layer> || std::is_same_v<T, skip_init>;

template <class... Parts>
struct residual;
template <class Projection, class... Parts>
struct residual_projection;

}  // namespace typenet

namespace typenet::detail {

// The policy (void: none) and the layers of a residual's arguments.
template <class... Parts>
struct residual_parts {
    using policy = void;
    using layers = boost::mp11::mp_list<Parts...>;
};
template <class First, class... Rest>
    requires is_residual_policy_v<First>
struct residual_parts<First, Rest...> {
    using policy = First;
    using layers = boost::mp11::mp_list<Rest...>;
};

// Fixup's factor L^(-1/(2m-2)) (1 for a branch of one weight layer, which is zero anyway).
constexpr double fixup_factor(std::size_t branches, std::size_t weight_layers) noexcept {
    if (weight_layers < 2 || branches < 1) return 1;
    return 1 / constexpr_root(double(branches), unsigned(2 * weight_layers - 2));
}

// The initializers a policy gives the branch's tensors.
template <class Policy, std::size_t LastWeightLayer, double Factor>
struct residual_initializers {
    template <std::size_t J, class Tensor>
    struct of {
        using declared = typename Tensor::initializer;
        static constexpr bool weight = Tensor::role == tensor_role::weight;
        static constexpr bool zero = weight && J == LastWeightLayer &&
                                     (std::is_same_v<Policy, fixup> || std::is_same_v<Policy, zero_last_layer>);
        static constexpr bool rescale = weight && !zero && std::is_same_v<Policy, fixup> && Factor != 1;
        using type = std::conditional_t<zero, zeros, std::conditional_t<rescale, scaled<declared, Factor>, declared>>;
    };
};

// A branch whose output width differs from its input, without a projection: the template arguments of
// this type, in the compiler's message, are the two widths.
template <std::size_t InputWidth, std::size_t BranchOutputWidth>
struct residual_branch_width_must_equal_its_input_width {
    static_assert(InputWidth == BranchOutputWidth,
                  "typenet::residual<Layers...>: the branch's output width differs from its input width (the two template "
                  "arguments above); end the branch with a layer of the input's width or put a projection on the "
                  "shortcut: residual_projection<dense<N>, Layers...>");
    static constexpr bool value = InputWidth == BranchOutputWidth;
};

template <std::size_t ProjectionWidth, std::size_t BranchOutputWidth>
struct residual_projection_width_must_equal_branch_width {
    static_assert(ProjectionWidth == 0 || ProjectionWidth == BranchOutputWidth,
                  "typenet::residual_projection<Projection, Layers...>: the projection's output width differs from the "
                  "branch's (the two template arguments above)");
    static constexpr bool ok = ProjectionWidth == 0 || ProjectionWidth == BranchOutputWidth;
};

// The shortcut's output width (void: no shortcut, nothing to check).
template <class Projection, std::size_t InputWidth>
constexpr std::size_t projection_width_of() {
    if constexpr (std::is_void_v<Projection>)
        return 0;
    else
        return output_width_of<Projection, InputWidth>();
}

template <class... Layers>
using residual_branch_sum = std::integral_constant<std::size_t, (std::size_t{0} + ... + residual_branches_of<Layers>())>;


}  // namespace typenet::detail

namespace typenet::inline TYPENET_ISA {

// The resolved residual block. Projection: the resolved shortcut layer, or void.
template <std::size_t InputWidth, class Context, class Policy, class Projection, class... Layers>
struct residual_layer {
    using branch = detail::branch<InputWidth, Context, Layers...>;
    using projection = Projection;
    using policy = Policy;
    static constexpr bool has_projection = !std::is_void_v<Projection>;
    static constexpr bool has_gain = std::is_same_v<Policy, skip_init>;

    static_assert(sizeof...(Layers) >= 1, "typenet::residual<Layers...>: the branch has no layers");
    // The shortcut if it carries a state (a causal conv1d), else void; the block is stateful if either is.
    using stateful_projection = std::conditional_t<has_projection && detail::is_stateful<std::conditional_t<has_projection, Projection, int>>(),
                                                   Projection, void>;
    static constexpr bool is_stateful_block = branch::stateful || !std::is_void_v<stateful_projection>;
    static_assert(std::conditional_t<has_projection, std::true_type,
                                     detail::residual_branch_width_must_equal_its_input_width<InputWidth, branch::output_width>>::value);

    // ---- Compile-time facts: L (the network's residual branches), m (weight layers in this branch) and the
    // scale Fixup gives the branch's weight layers but the last.
    static constexpr std::size_t network_residual_branches = Context::residual_branch_count;
    static constexpr std::size_t branch_weight_layers = branch::weight_layer_count;
    static constexpr double branch_scale =
        std::is_same_v<Policy, fixup> ? detail::fixup_factor(network_residual_branches, branch_weight_layers) : 1.0;
    using initializers = detail::residual_initializers<Policy, branch::last_weight_layer, branch_scale>;

    // ---- The layer contract (typenet/layer.hpp).
    static constexpr std::string_view name = has_projection ? "residual_projection" : "residual";
    static constexpr std::size_t input_width = InputWidth;
    static constexpr std::size_t output_width = branch::output_width;
    // Activations after a stateless block run in its add pass (the contract's step has no epilogue).
    static constexpr bool fuses_epilogue = !is_stateful_block;
    static constexpr bool needs_aligned_input = true;  // the add reads whole vectors of x

    static_assert(detail::residual_projection_width_must_equal_branch_width<detail::projection_width_of<Projection, InputWidth>(),
                                                                          branch::output_width>::ok);

    template <class T, class P>
    struct projection_tensors {
        using type = boost::mp11::mp_list<>;
    };
    template <class T, class P>
        requires(!std::is_void_v<P>)
    struct projection_tensors<T, P> {
        template <class Tensor>
        using renamed = detail::renamed_tensor<"shortcut", Tensor, typename Tensor::initializer>;
        using type = boost::mp11::mp_transform<renamed, typename P::template parameters<T>>;
    };


    template <class T>
    using gain_tensor = tensor<"gain", tensor_role::other, zeros, contiguous_layout<T, 1>, 1, 1>;
    template <class T>
    using gain_tensors = std::conditional_t<has_gain, boost::mp11::mp_list<gain_tensor<T>>, boost::mp11::mp_list<>>;
    template <class T>
    using shortcut_tensors = typename projection_tensors<T, Projection>::type;
    template <class T>
    using parameters = boost::mp11::mp_append<gain_tensors<T>, typename branch::template tensors<T, initializers>, shortcut_tensors<T>>;

    // Where the parts sit in the block: the gain (a vector of one cache line), the branch, the shortcut.
    template <class T>
    static constexpr std::size_t branch_offset = has_gain ? contiguous_layout<T, 1>::storage : 0;
    template <class T>
    static constexpr std::size_t shortcut_offset = branch_offset<T> + branch::template storage<T>;

private:
    template <class T>
    static constexpr std::size_t projection_state_offset = branch::template state_size<T>;
    template <class T>
    static constexpr std::size_t stateful_size() {
        if constexpr (!is_stateful_block)
            return 0;
        else if constexpr (std::is_void_v<stateful_projection>)
            return branch::template state_size<T>;
        else
            return branch::template state_size<T> + stateful_projection::template state_size<T>;
    }
    template <class T>
    static constexpr bool projection_runs_sequences() {
        if constexpr (std::is_void_v<stateful_projection>)
            return true;
        else
            return requires(const T* p, T* s, const T* x, T* y, std::size_t stride) {
                stateful_projection::template sequence<T, InputWidth, 8>(p, s, x, stride, y, stride);
            };
    }
    template <class T>
    static constexpr std::size_t projection_storage = detail::tensor_totals<shortcut_tensors<T>>::storage;

    template <class T>
    static constexpr std::size_t input_stride = detail::round_up(InputWidth, detail::storage_alignment / sizeof(T));
    template <class T>
    static constexpr std::size_t output_stride = detail::round_up(output_width, detail::storage_alignment / sizeof(T));

    template <class T, std::size_t Rows>
    static constexpr std::size_t projection_workspace() {
        if constexpr (has_projection)
            return detail::workspace_size_of<Projection, T, Rows>();
        else
            return 0;
    }

    // The block's scratch: the branch's, then the shortcut's outputs, input gradient, own scratch and
    // parameter gradient.
    template <class T, std::size_t Rows>
    struct scratch {
        static constexpr std::size_t alignment = detail::storage_alignment / sizeof(T);
        static constexpr std::size_t projection_outputs = detail::round_up(branch::template scratch_size<T, Rows>, alignment);
        static constexpr std::size_t projection_input_gradient = projection_outputs + (has_projection ? Rows * output_stride<T> : 0);
        static constexpr std::size_t projection_scratch = projection_input_gradient + (has_projection ? Rows * input_stride<T> : 0);
        static constexpr std::size_t projection_parameter_gradient =
            projection_scratch + detail::round_up(projection_workspace<T, Rows>(), alignment);
        static constexpr std::size_t size = projection_parameter_gradient + (has_projection ? projection_storage<T> : 0);
    };
public:

    template <class T, std::size_t Width, std::size_t Rows, class Epilogue>
    TYPENET_ALWAYS_INLINE static void forward(const T* parameters, const T* x, std::size_t x_stride, T* y, std::size_t y_stride) noexcept
        requires(!is_stateful_block)
    {
        if constexpr (!has_projection && !has_gain && branch::template adds_in_last_layer<T, Epilogue>) {
            // The add is the last layer's epilogue: no pass of its own (bench/residual_block measures it).
            branch::template forward_adding<T, Rows, Epilogue>(parameters + branch_offset<T>, x, x_stride, y, y_stride);
            return;
        }
        const T scale = gain<T>(parameters);
        branch::template forward<T, Rows>(parameters + branch_offset<T>, x, x_stride,
                                          [&](std::size_t first, auto rows, const T* f, std::size_t f_stride) TYPENET_INLINE_LAMBDA {
                                              finish<T, Epilogue, decltype(rows)::value>(parameters, nullptr, 0, x + first * x_stride, x_stride, f,
                                                                                         f_stride, scale, y + first * y_stride, y_stride);
                                          });
    }

    template <class T, std::size_t Width, std::size_t Batch, bool InputGradient>
    static void backward(const backward_arguments<T>& a) noexcept
        requires(!is_stateful_block)
    {
        using layout = scratch<T, Batch>;
        const T scale = gain<T>(a.parameters);
        T gain_gradient = 0;
        branch::template backward<T, Batch, InputGradient>(
            a.parameters + branch_offset<T>, a.input, a.input_stride, a.workspace, a.parameter_gradient + branch_offset<T>, a.input_gradient,
            a.input_gradient_stride, [&](const T* f, T* gradient, std::size_t stride) {
                seed<T, Batch>(a.output_gradient, a.output_gradient_stride, f, stride, scale, gradient, gain_gradient);
            });
        if constexpr (has_gain) a.parameter_gradient[0] = gain_gradient;
        if constexpr (has_projection) {
            T* outputs = a.workspace + layout::projection_outputs;
            Projection::template forward<T, InputWidth, Batch, epilogue<>>(a.parameters + shortcut_offset<T>, a.input, a.input_stride, outputs,
                                                                           output_stride<T>);
            const backward_arguments<T> p{a.parameters + shortcut_offset<T>,
                                          a.input,
                                          a.input_stride,
                                          outputs,
                                          output_stride<T>,
                                          a.output_gradient,
                                          a.output_gradient_stride,
                                          a.parameter_gradient + shortcut_offset<T>,
                                          InputGradient ? a.workspace + layout::projection_input_gradient : nullptr,
                                          input_stride<T>,
                                          a.workspace + layout::projection_scratch};
            Projection::template backward<T, InputWidth, Batch, InputGradient>(p);
        }
        if constexpr (InputGradient)
            add_shortcut_gradient<T, Batch>(a.output_gradient, a.output_gradient_stride, a.workspace, a.input_gradient, a.input_gradient_stride);
    }

    static void reference_forward(reference_tensors parameters, std::span<const double> x, std::span<double> y) {
        reference_pass(parameters, nullptr, x, y);
    }

    // ---- Stateful when the branch or the shortcut is: the branch's state, then the shortcut's.
    template <class T>
        requires(is_stateful_block)
    static constexpr std::size_t state_size = stateful_size<T>();
    static constexpr std::size_t reference_state_size = branch::reference_state_size + detail::reference_state_size_of<stateful_projection>();

    template <class T, std::size_t Width, std::size_t Rows>
    TYPENET_ALWAYS_INLINE static void step(const T* parameters, T* state, std::size_t state_stride, const T* x, std::size_t x_stride, T* y,
                     std::size_t y_stride) noexcept
        requires(is_stateful_block)
    {
        const T scale = gain<T>(parameters);
        branch::template step<T, Rows>(parameters + branch_offset<T>, state, state_stride, x, x_stride,
                                       [&](std::size_t, auto, const T* f, std::size_t f_stride) TYPENET_INLINE_LAMBDA {
                                           finish<T, epilogue<>, Rows>(parameters, state, state_stride, x, x_stride, f, f_stride, scale, y,
                                                                       y_stride);
                                       });
    }

    template <class T, std::size_t Width, std::size_t Steps>
    static void sequence(const T* parameters, T* state, const T* x, std::size_t x_stride, T* y, std::size_t y_stride) noexcept
        requires(is_stateful_block && branch::template runs_sequences<T> && projection_runs_sequences<T>())
    {
        const T scale = gain<T>(parameters);
        branch::template sequence<T, Steps>(parameters + branch_offset<T>, state, x, x_stride,
                                            [&](std::size_t first, auto rows, const T* f, std::size_t f_stride) TYPENET_INLINE_LAMBDA {
                                                finish<T, epilogue<>, decltype(rows)::value, true>(parameters, state, 0, x + first * x_stride,
                                                                                                   x_stride, f, f_stride, scale,
                                                                                                   y + first * y_stride, y_stride);
                                            });
    }

    template <class T, std::size_t Width, std::size_t Rows, bool InputGradient>
    static void step_backward(const step_backward_arguments<T>& a) noexcept
        requires(is_stateful_block)
    {
        using layout = scratch<T, Rows>;
        const T scale = gain<T>(a.parameters);
        T gain_gradient = 0;
        branch::template step_backward<T, Rows, InputGradient>(
            a.parameters + branch_offset<T>, a.state, a.state_stride, a.input, a.input_stride, a.state_gradient, a.state_gradient_stride,
            a.workspace, a.parameter_gradient + branch_offset<T>, a.input_gradient, a.input_gradient_stride,
            [&](const T* f, T* gradient, std::size_t stride) {
                seed<T, Rows>(a.output_gradient, a.output_gradient_stride, f, stride, scale, gradient, gain_gradient);
            });
        if constexpr (has_gain) a.parameter_gradient[0] += gain_gradient;
        if constexpr (has_projection) {
            T* input_gradient = InputGradient ? a.workspace + layout::projection_input_gradient : nullptr;
            T* projection_gradient = a.parameter_gradient + shortcut_offset<T>;
            if constexpr (detail::is_stateful<Projection>()) {
                const step_backward_arguments<T> p{a.parameters + shortcut_offset<T>,
                                                   a.state + projection_state_offset<T>,
                                                   a.state_stride,
                                                   a.input,
                                                   a.input_stride,
                                                   a.output_gradient,
                                                   a.output_gradient_stride,
                                                   a.state_gradient + projection_state_offset<T>,
                                                   a.state_gradient_stride,
                                                   projection_gradient,
                                                   input_gradient,
                                                   input_stride<T>,
                                                   a.workspace + layout::projection_scratch};
                Projection::template step_backward<T, InputWidth, Rows, InputGradient>(p);
            } else {
                // A stateless shortcut's backward overwrites its gradient; a step's gradients add up.
                T* outputs = a.workspace + layout::projection_outputs;
                T* own = a.workspace + layout::projection_parameter_gradient;
                Projection::template forward<T, InputWidth, Rows, epilogue<>>(a.parameters + shortcut_offset<T>, a.input, a.input_stride, outputs,
                                                                              output_stride<T>);
                const backward_arguments<T> p{a.parameters + shortcut_offset<T>, a.input, a.input_stride, outputs, output_stride<T>,
                                              a.output_gradient, a.output_gradient_stride, own, input_gradient, input_stride<T>,
                                              a.workspace + layout::projection_scratch};
                Projection::template backward<T, InputWidth, Rows, InputGradient>(p);
                for (std::size_t k = 0; k < projection_storage<T>; ++k) projection_gradient[k] += own[k];
            }
        }
        if constexpr (InputGradient)
            add_shortcut_gradient<T, Rows>(a.output_gradient, a.output_gradient_stride, a.workspace, a.input_gradient, a.input_gradient_stride);
    }

    static void reference_step(reference_tensors parameters, std::span<double> state, std::span<const double> x, std::span<double> y)
        requires(is_stateful_block)
    {
        reference_pass(parameters, state.data(), x, y);
    }

    // Scratch of backward and step_backward over Rows rows (layer contract: rows_workspace_size).
    template <class T, std::size_t Rows>
    static constexpr std::size_t rows_workspace_size = scratch<T, Rows>::size;

    // ---- summary: the policy on the block's row, the branch's layers (and the shortcut) below it.
    static summary_row summary() {
        if constexpr (std::is_same_v<Policy, fixup>) {
            char text[96];
            std::snprintf(text, sizeof text, "L = %zu, m = %zu: x %.6g, last 0", network_residual_branches, branch_weight_layers, branch_scale);
            return {"fixup", text};
        } else if constexpr (std::is_same_v<Policy, zero_last_layer>) {
            return {"zero_last_layer", "last weight layer 0"};
        } else if constexpr (std::is_same_v<Policy, skip_init>) {
            return {"skip_init", "y = x + g F(x), g = 0"};
        } else {
            return {};
        }
    }
    static void nested_summary(std::vector<summary_entry>& rows, const std::string& prefix, int depth) {
        branch::template nested_summary<initializers>(rows, prefix, depth);
        if constexpr (has_projection) {
            detail::append_summary_rows<Projection>(rows, prefix + ".shortcut", output_width, detail::summary_of<Projection>(), depth);
        }
    }

private:
    template <class T>
    static T gain(const T* parameters) noexcept {
        if constexpr (has_gain)
            return parameters[0];
        else
            return T(1);
    }

    // y = shortcut(x) + scale f, then Epilogue, for Rows rows (Sequence: the rows are consecutive steps of
    // one stream, for a stateful shortcut's sequence hook).
    template <class T, class Epilogue, std::size_t Rows, bool Sequence = false>
    TYPENET_ALWAYS_INLINE static void finish(const T* parameters, T* state, std::size_t state_stride, const T* x, std::size_t x_stride,
                                             const T* f, std::size_t f_stride, T scale, T* y, std::size_t y_stride) noexcept {
        if constexpr (has_projection) {
            alignas(detail::storage_alignment) T shortcut[Rows * output_stride<T>];
            const T* p = parameters + shortcut_offset<T>;
            if constexpr (std::is_void_v<stateful_projection>)
                Projection::template forward<T, InputWidth, Rows, epilogue<>>(p, x, x_stride, shortcut, output_stride<T>);
            else if constexpr (Sequence)
                Projection::template sequence<T, InputWidth, Rows>(p, state + projection_state_offset<T>, x, x_stride, shortcut,
                                                                   output_stride<T>);
            else
                Projection::template step<T, InputWidth, Rows>(p, state + projection_state_offset<T>, state_stride, x, x_stride, shortcut,
                                                               output_stride<T>);
            detail::add_rows<T, output_width, Epilogue>(shortcut, output_stride<T>, f, f_stride, scale, y, y_stride, Rows);
        } else {
            detail::add_rows<T, output_width, Epilogue>(x, x_stride, f, f_stride, scale, y, y_stride, Rows);
        }
    }

    // The branch's d loss / d output: scale times the block's; the gain's gradient sum(dY f) on the way.
    template <class T, std::size_t Rows>
    static void seed(const T* output_gradient, std::size_t output_gradient_stride, const T* f, std::size_t stride, T scale, T* gradient,
                     T& gain_gradient) noexcept {
        for (std::size_t r = 0; r < Rows; ++r)
            for (std::size_t k = 0; k < stride; ++k) {
                const T d = k < output_width ? output_gradient[r * output_gradient_stride + k] : T(0);
                if constexpr (has_gain) gain_gradient += d * f[r * stride + k];
                gradient[r * stride + k] = scale * d;
            }
    }

    // d loss / d x += the shortcut's part: dY itself, or the projection's input gradient (in the scratch).
    template <class T, std::size_t Rows>
    static void add_shortcut_gradient(const T* output_gradient, std::size_t output_gradient_stride, const T* workspace, T* input_gradient,
                                      std::size_t input_gradient_stride) noexcept {
        for (std::size_t r = 0; r < Rows; ++r)
            for (std::size_t k = 0; k < InputWidth; ++k) {
                if constexpr (has_projection)
                    input_gradient[r * input_gradient_stride + k] +=
                        workspace[scratch<T, Rows>::projection_input_gradient + r * input_stride<T> + k];
                else
                    input_gradient[r * input_gradient_stride + k] += output_gradient[r * output_gradient_stride + k];
            }
    }

    // The scalar reference: [gain] [branch tensors] [shortcut tensors], states as the step's.
    static void reference_pass(reference_tensors parameters, double* state, std::span<const double> x, std::span<double> y) {
        const double scale = has_gain ? parameters[0][0] : 1.0;
        const reference_tensors branch_tensors = parameters.subspan(has_gain ? 1 : 0, branch::tensor_count);
        std::vector<double> f(output_width), shortcut(x.begin(), x.end());
        branch::reference(branch_tensors, state, x, f);
        if constexpr (has_projection) {
            const reference_tensors mine = parameters.subspan((has_gain ? 1 : 0) + branch::tensor_count);
            shortcut.assign(output_width, 0.0);
            if constexpr (detail::is_stateful<Projection>())
                Projection::reference_step(mine, std::span<double>(state + branch::reference_state_size, Projection::reference_state_size), x,
                                           shortcut);
            else
                Projection::reference_forward(mine, x, shortcut);
        }
        for (std::size_t k = 0; k < output_width; ++k) y[k] = shortcut[k] + scale * f[k];
    }
};

}  // namespace typenet::inline TYPENET_ISA

namespace typenet::detail {
template <std::size_t InputWidth, class Context, class Policy, class Projection>
struct residual_resolver {
    template <class... Layers>
    using type = residual_layer<InputWidth, Context, Policy, Projection, Layers...>;
};
}  // namespace typenet::detail

namespace typenet {

template <class... Parts>
struct residual {
    using parts = detail::residual_parts<Parts...>;
    static_assert(boost::mp11::mp_size<typename parts::layers>::value >= 1, "typenet::residual<Layers...>: the branch has no layers");
    // Counted for Net::residual_branch_count: this branch and those nested in it.
    static constexpr std::size_t residual_branches =
        1 + boost::mp11::mp_apply<detail::residual_branch_sum, typename parts::layers>::value;

    template <std::size_t InputWidth, class Next, class Context>
    using resolve_in_network = boost::mp11::mp_apply<
        detail::residual_resolver<InputWidth, Context, typename parts::policy, void>::template type, typename parts::layers>;
};

template <class Projection, class... Parts>
struct residual_projection {
    using parts = detail::residual_parts<Parts...>;
    static_assert(!is_residual_policy_v<Projection>,
                  "typenet::residual_projection<Projection, Layers...>: the projection comes first, the policy after it");
    static constexpr std::size_t residual_branches =
        1 + boost::mp11::mp_apply<detail::residual_branch_sum, typename parts::layers>::value;

    template <std::size_t InputWidth, class Next, class Context>
    using resolve_in_network =
        boost::mp11::mp_apply<detail::residual_resolver<InputWidth, Context, typename parts::policy,
                                                        typename detail::resolve_layer<Projection, InputWidth, void, Context>::type>::template type,
                              typename parts::layers>;
};

template <>
struct spelling<fixup> : detail::spelled_as_name<fixup> {};
template <>
struct spelling<zero_last_layer> : detail::spelled_as_name<zero_last_layer> {};
template <>
struct spelling<skip_init> : detail::spelled_as_name<skip_init> {};
template <class... Parts>
struct spelling<residual<Parts...>> {
    static std::string get() { return "typenet::residual<" + detail::spell_list<Parts...>() + ">"; }
};
template <class Projection, class... Parts>
struct spelling<residual_projection<Projection, Parts...>> {
    static std::string get() { return "typenet::residual_projection<" + detail::spell_list<Projection, Parts...>() + ">"; }
};

}  // namespace typenet
