// The layer contract: what a layer type provides so that basic_network, workspace, trainer, reference,
// summary, diagnose and lsuv_initialize can run it. Every layer kind of the library (layers/dense/, the
// activations of activation.hpp) is written against it, and so can a user's (tests/test_custom_layer.cpp
// defines one in a test file and trains it). Checked by the concept typenet::layer<L, T>: a layer that lacks
// a piece fails to compile with a static_assert naming the piece (detail::layer_checks below).
//
// Documentation: docs/writing-a-layer.md
// Distributed under the Boost Software License, Version 1.0 (see LICENSE or https://www.boost.org/LICENSE_1_0.txt).
//
// DECLARED AND RESOLVED LAYERS
//   The type list holds declarations (dense<64>, relu, ...). A declaration D may provide
//       template <std::size_t InputWidth, class Next> using resolve = R;
//   to become, at its place in the network, the resolved layer R (Next: the declaration after it, void if
//   last; dense<N> uses it to let auto_init look at the following activation). Without `resolve`, D is its
//   own resolved layer. typenet::layer_t<Net, I> is the resolved layer. A declaration that needs facts of
//   the whole network provides instead
//       template <std::size_t InputWidth, class Next, class Context> using resolve_in_network = R;
//   Context is typenet::network_context<...> (residual_branch_count: what Fixup scales by). A combinator
//   (structure/: residual, parallel, sequential) resolves its own layers with it, as a network does, and
//   says how many residual branches it holds: static constexpr std::size_t residual_branches.
//
// A RESOLVED LAYER L PROVIDES (T is the network's scalar, float or double)
//   L::name                          std::string_view: the kind, e.g. "dense", "relu" (summary, diagnostics)
//   Shape, one of:
//     L::input_width, L::output_width     std::size_t: widths of one sample in and out (checked against the
//                                          width the network feeds it), or
//     L::element_wise = true              output width = input width, any width (activations)
//   template <class T> using parameters = boost::mp11::mp_list<tensor<...>...>
//                                    its parameter tensors, in order (mp_list<> for none). A tensor names its
//                                    PyTorch state_dict suffix ("weight", "bias"), its role, initializer,
//                                    logical shape and internal layout (see typenet::tensor below). The
//                                    network stores them one after another in its parameter block, each on a
//                                    cache line; padding elements are zero and must stay zero.
//   template <class T, std::size_t Width, std::size_t Rows, class Epilogue>
//   static void forward(const T* parameters, const T* x, std::size_t x_stride, T* y, std::size_t y_stride) noexcept
//                                    Rows samples: reads x[r * x_stride + k] for k < Width, writes
//                                    y[r * y_stride + o] for o < output width; may write y up to the row's
//                                    padding (output width rounded up to 64 bytes). Width is the input width.
//                                    Epilogue (typenet::epilogue<A...>) is the element-wise layers fused
//                                    after it: epilogue<> unless L::fuses_epilogue; apply it to every output.
//                                    Rows of the network's input are caller memory: unaligned, Width wide.
//                                    Every other row is 64-byte aligned and padded to whole cache lines.
//   template <class T, std::size_t Width, std::size_t Batch, bool InputGradient>
//   static void backward(const backward_arguments<T>& a) noexcept
//                                    given the forward's input and output rows and d loss / d output, writes
//                                    d loss / d parameters (summed over the batch, into a.parameter_gradient,
//                                    laid out like the parameters; padding untouched) and, if InputGradient
//                                    (false for the first layer, whose a.input_gradient is null), d loss /
//                                    d input, with zeros past Width in each row (up to a.input_gradient_stride).
//   static void reference_forward(reference_tensors parameters, std::span<const double> x, std::span<double> y)
//                                    the scalar double-precision oracle: plain loops, parameters[j] is tensor
//                                    j in PyTorch order (row-major over its logical shape).
//
// OPTIONAL (the default when absent)
//   L::fuses_epilogue                true: forward applies Epilogue, so following activations fuse into it
//                                    (false: they run as a pass of their own)
//   L::backward_in_place             true: backward accepts a.input_gradient == a.output_gradient (false)
//   L::needs_aligned_input           true: forward needs aligned, padded input rows even as the first layer
//                                    (the driver then copies the network input and runs forward in place,
//                                    x == y); false
//   template <class T> static constexpr std::size_t workspace_size
//                                    elements of scratch memory backward and step_backward may use (64-byte
//                                    aligned; its contents are not kept between calls: a combinator runs
//                                    other layers in the same scratch); 0
//   template <class T, std::size_t Rows> static constexpr std::size_t rows_workspace_size
//                                    more scratch, for a pass over Rows rows (a combinator keeps its
//                                    branch's activations there); must not shrink as Rows grows; 0
//   static void nested_summary(std::vector<summary_entry>&, const std::string& prefix, int depth)
//                                    the rows of typenet::summary for the layers inside a combinator
//   static summary_row summary()     the initializer columns of typenet::summary; empty
//   L::unit_statistic                what diagnose counts among the outputs: unit_statistic::dead (units
//                                    never positive over the batch), ::saturated (outputs for which
//                                    L::saturated(y) is true), ::none (the default)
//
// STATEFUL LAYERS (sequence layers: gru, lstm, conv1d) carry a state from one time step to the next, kept
// apart from the weights (in Net::state_type, one per stream) so that one const network serves many streams.
// Instead of forward, backward and reference_forward they provide
//   template <class T> static constexpr std::size_t state_size
//                                    elements of one stream's state, a multiple of 64 bytes; all zeros is the
//                                    state at the start of a sequence
//   template <class T, std::size_t Width, std::size_t Rows>
//   static void step(const T* parameters, T* state, std::size_t state_stride, const T* x, std::size_t x_stride,
//                    T* y, std::size_t y_stride) noexcept
//                                    one time step of Rows independent streams; stream r's state is at
//                                    state + r * state_stride (64-byte aligned) and is updated in place. Rows
//                                    of x and y as for forward; padding lanes of y and of the state stay zero.
//   template <class T, std::size_t Width, std::size_t Rows, bool InputGradient>
//   static void step_backward(const step_backward_arguments<T>& a) noexcept
//                                    the gradients of one step, given the state before it and the step's input:
//                                    adds d loss / d parameters to a.parameter_gradient (the caller zeroes it
//                                    before the last step of a sequence), replaces d loss / d (state after the
//                                    step) in a.state_gradient by d loss / d (state before it), and writes
//                                    d loss / d input (zeros past Width) if InputGradient. a.workspace:
//                                    workspace_size<T> + rows_workspace_size<T, Rows> elements of scratch.
//   static constexpr std::size_t reference_state_size
//   static void reference_step(reference_tensors parameters, std::span<double> state, std::span<const double> x,
//                              std::span<double> y)
//                                    the double-precision oracle of one step, with a state of its own layout.
// and may provide (optional)
//   template <class T, std::size_t Width, std::size_t Steps>
//   static void sequence(const T* parameters, T* state, const T* x, std::size_t x_stride, T* y,
//                        std::size_t y_stride) noexcept
//                                    Steps consecutive time steps of one stream (row t of x and y is step t):
//                                    what Steps calls of step<T, Width, 1> compute, up to rounding, with the
//                                    work that does not wait for the previous step done for all steps at once
//                                    (conv1d: one batched product). forward_sequence runs a network's leading
//                                    stateless and sequence-capable layers over chunks of up to 32 steps,
//                                    layer by layer, and everything from the first stateful layer without
//                                    this hook on step by step (a recurrence hides the work around it when
//                                    stepped; docs/internals.md has the measurements).
//
// ACTIVATIONS are layers of the same contract without parameters; typenet::activation<Derived> below
// implements it from four element-wise functions (apply, derivative and their <cmath> references), and
// marks the layer as fusable into the epilogue of the layer before it.
#pragma once

#include <array>
#include <concepts>
#include <cstddef>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include <boost/mp11/algorithm.hpp>
#include <boost/mp11/list.hpp>

#include "config.hpp"
#include "detail/constexpr_math.hpp"
#include "simd.hpp"

namespace typenet {

// A compile-time string: the state_dict suffix of a tensor, as a template argument (tensor<"weight", ...>).
template <std::size_t N>
struct fixed_name {
    char text[N]{};
    constexpr fixed_name() noexcept = default;
    constexpr fixed_name(const char (&name)[N]) noexcept {  // NOLINT: implicit, so that "weight" converts
        for (std::size_t i = 0; i < N; ++i) text[i] = name[i];
    }
    constexpr std::string_view view() const noexcept { return {text, N - 1}; }
};

namespace detail {
constexpr std::size_t decimal_digits(std::size_t value) noexcept {
    std::size_t digits = 1;
    for (; value >= 10; value /= 10) ++digits;
    return digits;
}
// "J" for an index J, as a fixed_name.
template <std::size_t Index>
constexpr auto index_name() noexcept {
    fixed_name<decimal_digits(Index) + 1> result{};
    std::size_t value = Index;
    for (std::size_t d = decimal_digits(Index); d-- > 0; value /= 10) result.text[d] = char('0' + value % 10);
    return result;
}
// "Prefix.Name": the state_dict name of a tensor inside a submodule called Prefix.
template <fixed_name Prefix, fixed_name Name>
constexpr auto joined_name() noexcept {
    constexpr std::size_t prefix = Prefix.view().size(), name = Name.view().size();
    fixed_name<prefix + 1 + name + 1> result{};
    for (std::size_t i = 0; i < prefix; ++i) result.text[i] = Prefix.text[i];
    result.text[prefix] = '.';
    for (std::size_t i = 0; i < name; ++i) result.text[prefix + 1 + i] = Name.text[i];
    return result;
}
}  // namespace detail

// What a declaration may know of the whole network when it is resolved (resolve_in_network below): facts
// that no single place in the type list shows. residual_branch_count: residual branches anywhere in the
// network, nested ones included (the L of Fixup's L^(-1/(2m-2))).
template <std::size_t ResidualBranches>
struct network_context {
    static constexpr std::size_t residual_branch_count = ResidualBranches;
};

// How initialize() draws a tensor and what initialize_as<WeightInit, BiasInit> replaces:
//   weight  a [fan_out][fan_in] matrix, drawn by Init::sample_weights; initialize_as draws it from WeightInit
//   bias    a [fan_out] vector, drawn by Init::sample_bias; initialize_as draws it from BiasInit
//   other   a vector drawn by Init::sample_bias that initialize_as leaves to its declared initializer (a
//           learnable scale that must start at one, say)
enum class tensor_role { weight, bias, other };

// Row-major storage of a tensor of logical shape Shape..., padded at the end to whole cache lines.
template <class T, std::size_t... Shape>
struct contiguous_layout {
    static constexpr std::array<std::size_t, sizeof...(Shape)> shape = {Shape...};
    static constexpr std::size_t size = (std::size_t{1} * ... * Shape);
    static constexpr std::size_t storage = detail::round_up(size, 64 / sizeof(T));
    static constexpr std::size_t storage_index(std::size_t flat) noexcept { return flat; }
};

// One parameter tensor of a layer. Layout provides shape (std::array, PyTorch's), size (elements),
// storage (elements in the parameter block, padding included, a multiple of 64 bytes) and
// storage_index(flat): where the element with row-major logical index `flat` is stored. FanIn and FanOut
// are what the initializer's scale is computed from. ReceptiveField: a convolution's kernel size, which
// PyTorch and Keras count in both fans (weight [out][in][k]: fan_in = in k, fan_out = out k); the weight is
// drawn as the [out][in k] matrix.
template <fixed_name Name, tensor_role Role, class Init, class Layout, std::size_t FanIn, std::size_t FanOut,
          std::size_t ReceptiveField = 1>
struct tensor {
    static constexpr fixed_name fixed_name_value = Name;
    static constexpr std::string_view name = Name.view();
    static constexpr tensor_role role = Role;
    using initializer = Init;
    using layout = Layout;
    static constexpr std::size_t fan_in = FanIn;
    static constexpr std::size_t fan_out = FanOut;
    static constexpr auto shape = Layout::shape;
    static constexpr std::size_t rank = shape.size();
    static constexpr std::size_t size = Layout::size;
    static constexpr std::size_t storage = Layout::storage;
    static constexpr std::size_t storage_index(std::size_t flat) noexcept { return Layout::storage_index(flat); }
    static constexpr std::size_t receptive_field = ReceptiveField;
    // Rows of the matrix an initializer draws (columns: fan_in).
    static constexpr std::size_t rows = FanOut / ReceptiveField;

    static_assert(Role != tensor_role::weight || (rank >= 2 && shape[0] * ReceptiveField == FanOut && size == shape[0] * FanIn),
                  "typenet::tensor: a weight tensor is a [fan_out][fan_in] matrix (or a convolution's [out][in][k], "
                  "fan_out = out k, fan_in = in k)");
    static_assert(Role == tensor_role::weight || rank == 1, "typenet::tensor: bias and other tensors are vectors");
};

// The initializer columns of one row of typenet::summary.
struct summary_row {
    std::string initializer;  // e.g. "he_uniform"
    std::string scale;        // e.g. "U(-a, a), a = 0.306"
};

enum class unit_statistic { none, dead, saturated };

// Tensors of a layer for reference_forward, each in PyTorch order.
using reference_tensors = std::span<const std::vector<double>>;

// One row of typenet::summary for a layer nested in a combinator (layer contract: nested_summary).
struct summary_entry {
    std::string index;  // e.g. "3.1": the state_dict prefix of the layer
    std::string_view name;
    std::size_t width = 0;  // outputs (0: not shown, as for activations)
    std::size_t parameters = 0;
    summary_row columns;
    int depth = 0;  // nesting: 1 for a layer inside a top-level combinator
};

}  // namespace typenet

namespace typenet::inline TYPENET_ISA {

// The element-wise layers fused after a layer, applied in order. Piecewise-linear ones cost an instruction
// or two and may run on accumulators in registers (in_registers); transcendental ones are better applied
// in one pass over the stored outputs (the dense kernel does so).
//
// add_to_destination, as one of them, adds the value the output already holds (a residual block copies its
// input there first): the shortcut's add fused into the branch's last layer, with no pass of its own. Only
// layers that say so (epilogue_reads_destination) are given such an epilogue; they call the two-argument
// apply with the destination's old value.
struct add_to_destination {
    static constexpr bool is_piecewise_linear = true;
};

template <class... Layers>
struct epilogue;
template <class List>
struct epilogue_of_list;
template <class... Layers>
struct epilogue_of_list<boost::mp11::mp_list<Layers...>> {
    using type = epilogue<Layers...>;
};

template <class... Layers>
struct epilogue {
    static constexpr bool in_registers = (Layers::is_piecewise_linear && ...);
    static constexpr bool empty = sizeof...(Layers) == 0;
    static constexpr bool reads_destination = (std::is_same_v<Layers, add_to_destination> || ...);
    // An add first (nothing to apply before it): a kernel may start its sum from the destination's value,
    // off the critical path, and apply only the rest at the end.
    static constexpr bool leading_add = sizeof...(Layers) > 0 && std::is_same_v<boost::mp11::mp_first<boost::mp11::mp_list<Layers..., void>>, add_to_destination>;
    using after_leading_add = typename epilogue_of_list<boost::mp11::mp_drop_c<boost::mp11::mp_list<Layers...>, leading_add ? 1 : 0>>::type;

    template <class Batch>
    TYPENET_ALWAYS_INLINE static Batch apply(Batch value) noexcept {
        static_assert(!reads_destination, "typenet::epilogue: this epilogue adds the destination's value: call apply(value, destination)");
        ((value = Layers::apply(value)), ...);
        return value;
    }
    template <class Batch>
    TYPENET_ALWAYS_INLINE static Batch apply(Batch value, const Batch& destination) noexcept {
        ((value = step<Layers>(value, destination)), ...);
        return value;
    }
    // Applies the epilogue to value, reading the destination's old value first if the epilogue needs it.
    template <class Batch, class Load>
    TYPENET_ALWAYS_INLINE static Batch finish(Batch value, Load&& load_destination) noexcept {
        if constexpr (reads_destination)
            return apply(value, load_destination());
        else
            return apply(value);
    }

private:
    template <class Layer, class Batch>
    TYPENET_ALWAYS_INLINE static Batch step(const Batch& value, const Batch& destination) noexcept {
        if constexpr (std::is_same_v<Layer, add_to_destination>)
            return value + destination;
        else
            return Layer::apply(value);
    }
};

template <class First, class Second>
struct epilogue_concat;
template <class... A, class... B>
struct epilogue_concat<epilogue<A...>, epilogue<B...>> {
    using type = epilogue<A..., B...>;
};

template <class T>
struct backward_arguments {
    const T* parameters;  // the layer's parameters (as forward saw them)
    const T* input;       // the forward's input rows
    std::size_t input_stride;
    const T* output;  // the forward's output rows (activations need them for their derivative)
    std::size_t output_stride;
    const T* output_gradient;  // d loss / d output; zero past the output width in each row
    std::size_t output_gradient_stride;
    T* parameter_gradient;  // laid out like the parameters
    T* input_gradient;      // null when InputGradient is false (the first layer of the network)
    std::size_t input_gradient_stride;
    T* workspace;  // workspace_size<T> elements
};

template <class T>
struct step_backward_arguments {
    const T* parameters;  // the layer's parameters
    const T* state;       // the state before the step (as step saw it)
    std::size_t state_stride;
    const T* input;  // the step's input rows
    std::size_t input_stride;
    const T* output_gradient;  // d loss / d output of this step; zero past the output width in each row
    std::size_t output_gradient_stride;
    T* state_gradient;  // in: d loss / d (state after the step); out: d loss / d (state before it)
    std::size_t state_gradient_stride;
    T* parameter_gradient;  // laid out like the parameters; accumulated over steps
    T* input_gradient;      // null when InputGradient is false
    std::size_t input_gradient_stride;
    T* workspace;  // workspace_size<T> + rows_workspace_size<T, Rows> elements (layer contract)
};

}  // namespace typenet::inline TYPENET_ISA

namespace typenet::detail {
struct activation_tag {};

// A layer with a state carried between time steps (the STATEFUL LAYERS of the contract above).
template <class Layer, class T>
constexpr std::size_t state_size_of() {
    if constexpr (requires { Layer::template state_size<T>; })
        return Layer::template state_size<T>;
    else
        return 0;
}
template <class Layer>
constexpr bool is_stateful() {
    return requires { Layer::template state_size<float>; };
}

template <class Layer>
constexpr bool flag_fuses_epilogue() {
    if constexpr (requires { Layer::fuses_epilogue; })
        return Layer::fuses_epilogue;
    else
        return false;
}
template <class Layer>
constexpr bool flag_backward_in_place() {
    if constexpr (requires { Layer::backward_in_place; })
        return Layer::backward_in_place;
    else
        return false;
}
template <class Layer>
constexpr bool flag_needs_aligned_input() {
    if constexpr (requires { Layer::needs_aligned_input; })
        return Layer::needs_aligned_input;
    else
        return false;
}
template <class Layer>
constexpr bool is_element_wise() {
    if constexpr (requires { Layer::element_wise; })
        return Layer::element_wise;
    else
        return false;
}
template <class Layer, class T>
constexpr std::size_t workspace_size_of() {
    if constexpr (requires { Layer::template workspace_size<T>; })
        return Layer::template workspace_size<T>;
    else
        return 0;
}
// Scratch of a backward pass over Rows rows (or a step_backward of Rows streams): workspace_size plus the
// part that grows with the rows (rows_workspace_size: a combinator keeps its branch's activations there).
template <class Layer, class T, std::size_t Rows>
constexpr std::size_t workspace_size_of() {
    if constexpr (requires { Layer::template rows_workspace_size<T, Rows>; })
        return workspace_size_of<Layer, T>() + Layer::template rows_workspace_size<T, Rows>;
    else
        return workspace_size_of<Layer, T>();
}
// Residual branches a declaration holds, nested ones included (a combinator says so: residual_branches).
template <class Declared>
constexpr std::size_t residual_branches_of() {
    if constexpr (requires { Declared::residual_branches; })
        return Declared::residual_branches;
    else
        return 0;
}
template <class Layer>
constexpr unit_statistic unit_statistic_of() {
    if constexpr (requires { Layer::unit_statistic; })
        return Layer::unit_statistic;
    else
        return unit_statistic::none;
}
template <class Layer>
summary_row summary_of() {
    if constexpr (requires { Layer::summary(); })
        return Layer::summary();
    else
        return {};
}

// Output width of the resolved layer given its input width.
template <class Layer, std::size_t InputWidth>
constexpr std::size_t output_width_of() {
    if constexpr (is_element_wise<Layer>())
        return InputWidth;
    else
        return Layer::output_width;
}

template <class Tensor>
concept parameter_tensor = requires {
    { Tensor::name } -> std::convertible_to<std::string_view>;
    { Tensor::role } -> std::convertible_to<tensor_role>;
    typename Tensor::initializer;
    { Tensor::storage } -> std::convertible_to<std::size_t>;
    { Tensor::size } -> std::convertible_to<std::size_t>;
    { Tensor::storage_index(std::size_t{}) } -> std::convertible_to<std::size_t>;
};

template <class List>
inline constexpr bool is_tensor_list = false;
template <class... Tensors>
inline constexpr bool is_tensor_list<boost::mp11::mp_list<Tensors...>> = (parameter_tensor<Tensors> && ...);

template <class L>
concept has_name = requires {
    { L::name } -> std::convertible_to<std::string_view>;
};
template <class L>
concept has_shape = is_element_wise<L>() || requires {
    { L::input_width } -> std::convertible_to<std::size_t>;
    { L::output_width } -> std::convertible_to<std::size_t>;
};
template <class L, class T>
concept has_parameters = requires { typename L::template parameters<T>; } && is_tensor_list<typename L::template parameters<T>>;

// Widths the contract is probed with: an element-wise layer at one whole vector, others at their own.
template <class L>
constexpr std::size_t probe_width() {
    if constexpr (requires { L::input_width; })
        return L::input_width;
    else
        return 16;
}
template <class L, class T>
concept has_forward = requires(const T* p, const T* x, T* y, std::size_t stride) {
    L::template forward<T, probe_width<L>(), 1, epilogue<>>(p, x, stride, y, stride);
};
template <class L, class T>
concept has_backward = requires(const backward_arguments<T>& arguments) { L::template backward<T, probe_width<L>(), 1, true>(arguments); };
template <class L>
concept has_reference = requires(reference_tensors p, std::span<const double> x, std::span<double> y) { L::reference_forward(p, x, y); };

template <class L, class T>
concept has_step = requires(const T* p, T* state, const T* x, T* y, std::size_t stride) {
    L::template step<T, probe_width<L>(), 1>(p, state, stride, x, stride, y, stride);
};
template <class L, class T>
concept has_step_backward =
    requires(const step_backward_arguments<T>& arguments) { L::template step_backward<T, probe_width<L>(), 1, true>(arguments); };
template <class L>
concept has_reference_step = requires(reference_tensors p, std::span<double> state, std::span<const double> x, std::span<double> y) {
    L::reference_step(p, state, x, y);
    { L::reference_state_size } -> std::convertible_to<std::size_t>;
};
// What a layer runs: forward and backward, or (stateful) step and step_backward.
template <class L, class T>
concept has_passes = (is_stateful<L>() && has_step<L, T> && has_step_backward<L, T> && has_reference_step<L>) ||
                     (!is_stateful<L>() && has_forward<L, T> && has_backward<L, T> && has_reference<L>);

}  // namespace typenet::detail

namespace typenet {

// The contract as a concept, for static_assert(typenet::layer<my_layer, float>) in users' code.
template <class L, class T = float>
concept layer = detail::has_name<L> && detail::has_shape<L> && detail::has_parameters<L, T> && detail::has_passes<L, T>;

}  // namespace typenet

namespace typenet::detail {

// One static_assert per piece, so a layer that is not one says which piece it lacks. The instantiation
// context of the message names the layer type.
template <class L, class T>
struct layer_checks {
    static_assert(has_name<L>,
                  "typenet: not a layer type; use dense<N>, an activation (relu, tanh, ...) or a type that meets the layer "
                  "contract of typenet/layer.hpp: it needs a static member `name` (std::string_view)");
    static_assert(!has_name<L> || has_shape<L>,
                  "typenet: layer contract (typenet/layer.hpp): the layer declares neither `input_width` and `output_width` nor "
                  "`element_wise = true`");
    static_assert(!has_name<L> || has_parameters<L, T>,
                  "typenet: layer contract (typenet/layer.hpp): the layer has no `template <class T> using parameters = "
                  "boost::mp11::mp_list<typenet::tensor<...>...>` (mp_list<> when it has none)");
    static_assert(!is_stateful<L>() || !has_name<L> || !has_shape<L> || has_step<L, T>,
                  "typenet: layer contract (typenet/layer.hpp): the stateful layer has no `template <class T, std::size_t Width, "
                  "std::size_t Rows> static void step(const T* parameters, T* state, std::size_t state_stride, const T* x, "
                  "std::size_t x_stride, T* y, std::size_t y_stride) noexcept`");
    static_assert(!is_stateful<L>() || !has_name<L> || !has_shape<L> || has_step_backward<L, T>,
                  "typenet: layer contract (typenet/layer.hpp): the stateful layer has no `template <class T, std::size_t "
                  "Width, std::size_t Rows, bool InputGradient> static void step_backward(const "
                  "typenet::step_backward_arguments<T>&) noexcept`");
    static_assert(!is_stateful<L>() || !has_name<L> || has_reference_step<L>,
                  "typenet: layer contract (typenet/layer.hpp): the stateful layer has no `reference_state_size` and `static "
                  "void reference_step(typenet::reference_tensors, std::span<double> state, std::span<const double> x, "
                  "std::span<double> y)`");
    static_assert(is_stateful<L>() || !has_name<L> || !has_shape<L> || has_forward<L, T>,
                  "typenet: layer contract (typenet/layer.hpp): the layer has no `template <class T, std::size_t Width, "
                  "std::size_t Rows, class Epilogue> static void forward(const T* parameters, const T* x, std::size_t "
                  "x_stride, T* y, std::size_t y_stride) noexcept`");
    static_assert(is_stateful<L>() || !has_name<L> || !has_shape<L> || has_backward<L, T>,
                  "typenet: layer contract (typenet/layer.hpp): the layer has no `template <class T, std::size_t Width, "
                  "std::size_t Batch, bool InputGradient> static void backward(const typenet::backward_arguments<T>&) "
                  "noexcept`");
    static_assert(is_stateful<L>() || !has_name<L> || has_reference<L>,
                  "typenet: layer contract (typenet/layer.hpp): the layer has no `static void reference_forward("
                  "typenet::reference_tensors, std::span<const double> x, std::span<double> y)`");
    static_assert(
        unit_statistic_of<L>() != unit_statistic::saturated || requires(double y) {
            { L::saturated(y) } -> std::convertible_to<bool>;
        }, "typenet: layer contract (typenet/layer.hpp): unit_statistic::saturated needs `static bool saturated(double y)`");
    static constexpr bool ok = layer<L, T>;
};

}  // namespace typenet::detail

namespace typenet {

// Activations: element-wise layers without parameters, from four functions of Derived:
//   template <class Batch> static Batch apply(const Batch& x)            the SIMD function (typenet::simd)
//   template <class Batch> static Batch derivative(const Batch& input, const Batch& output)
//                                                                          d output / d input, from either
//   static double reference(double x), reference_derivative(double x)    their <cmath> oracles
//   static constexpr bool is_piecewise_linear                             cheap enough for registers
// Passes over rows use the widest vectors on whole 64-byte rows; Rows's padding lanes compute garbage that
// nothing reads, and zero gradients stay zero.
template <class Derived>
struct activation : detail::activation_tag {
    static constexpr bool element_wise = true;
    static constexpr bool fuses_epilogue = true;
    static constexpr bool backward_in_place = true;
    static constexpr bool needs_aligned_input = true;
    template <class T>
    using parameters = boost::mp11::mp_list<>;

    template <class T, std::size_t Width, std::size_t Rows, class Epilogue>
    static void forward(const T*, const T* x, std::size_t x_stride, T* y, std::size_t y_stride) noexcept {
        using batch = simd::batch<T>;
        constexpr std::size_t end = detail::round_up(Width, batch::size);
        for (std::size_t r = 0; r < Rows; ++r)
            for (std::size_t e = 0; e < end; e += batch::size)
                Epilogue::apply(Derived::apply(batch::load_aligned(x + r * x_stride + e))).store_aligned(y + r * y_stride + e);
    }

    template <class T, std::size_t Width, std::size_t Batch, bool InputGradient>
    static void backward(const backward_arguments<T>& a) noexcept {
        if constexpr (!InputGradient) return;
        using batch = simd::batch<T>;
        constexpr std::size_t end = detail::round_up(Width, batch::size);
        for (std::size_t r = 0; r < Batch; ++r)
            for (std::size_t e = 0; e < end; e += batch::size) {
                const batch d = Derived::derivative(batch::load_aligned(a.input + r * a.input_stride + e),
                                                    batch::load_aligned(a.output + r * a.output_stride + e));
                (batch::load_aligned(a.output_gradient + r * a.output_gradient_stride + e) * d)
                    .store_aligned(a.input_gradient + r * a.input_gradient_stride + e);
            }
    }

    static void reference_forward(reference_tensors, std::span<const double> x, std::span<double> y) {
        for (std::size_t i = 0; i < x.size(); ++i) y[i] = Derived::reference(x[i]);
    }
};

template <class Layer>
inline constexpr bool is_activation_v = std::is_base_of_v<detail::activation_tag, Layer>;

}  // namespace typenet
