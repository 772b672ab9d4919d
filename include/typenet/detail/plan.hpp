// The compile-time plan of a network, computed once from its type list against the layer contract
// (layer.hpp): resolved layers, widths, parameter tensors and their offsets in the parameter block, the
// fused stages of inference (a layer with the activations that run in its epilogue), buffer sizes.
//
// Documentation: docs/internals.md
// Distributed under the Boost Software License, Version 1.0 (see LICENSE or https://www.boost.org/LICENSE_1_0.txt).
#pragma once

#include <array>
#include <cstddef>
#include <utility>

#include <boost/mp11/algorithm.hpp>
#include <boost/mp11/list.hpp>
#include <boost/mp11/utility.hpp>

#include "../config.hpp"
#include "static_for.hpp"
#include "../input.hpp"
#include "../layer.hpp"
#include "constexpr_math.hpp"

namespace typenet::detail::inline TYPENET_ISA {

// A declared layer at its place in the network: Declared::resolve_in_network<InputWidth, Next, Context> or
// Declared::resolve<InputWidth, Next> if it has one (Context: the network_context of the whole network).
template <class Declared, std::size_t InputWidth, class Next, class Context>
struct resolve_layer {
    static_assert(!is_input_v<Declared>, "typenet: input<N> may only appear as the first layer of a network");
    using type = Declared;
};
template <class Declared, std::size_t InputWidth, class Next, class Context>
    requires requires { typename Declared::template resolve<InputWidth, Next>; }
struct resolve_layer<Declared, InputWidth, Next, Context> {
    using type = typename Declared::template resolve<InputWidth, Next>;
};
template <class Declared, std::size_t InputWidth, class Next, class Context>
    requires requires { typename Declared::template resolve_in_network<InputWidth, Next, Context>; }
struct resolve_layer<Declared, InputWidth, Next, Context> {
    using type = typename Declared::template resolve_in_network<InputWidth, Next, Context>;
};

template <class Layer>
constexpr std::size_t output_width_of(std::size_t input_width) noexcept {
    if constexpr (is_element_wise<Layer>())
        return input_width;
    else
        return Layer::output_width;
}

// Checks the contract once per layer, and that the layer accepts the width it is fed.
template <class Layer, class T, std::size_t Width>
constexpr bool check_resolved_layer() {
    if constexpr (!layer_checks<Layer, T>::ok) {
        return false;
    } else {
        if constexpr (requires { Layer::input_width; })
            static_assert(Layer::input_width == Width,
                          "typenet: a layer's input_width differs from the width of the signal the network feeds it");
        return true;
    }
}

// Resolves the declared layers left to right (each needs the width the previous one outputs).
template <class T, std::size_t Width, class Context, class Resolved, class Declared>
struct resolve_chain;
template <class T, std::size_t Width, class Context, class... Resolved>
struct resolve_chain<T, Width, Context, boost::mp11::mp_list<Resolved...>, boost::mp11::mp_list<>> {
    using type = boost::mp11::mp_list<Resolved...>;
};
template <class T, std::size_t Width, class Context, class... Resolved, class Declared, class... Rest>
struct resolve_chain<T, Width, Context, boost::mp11::mp_list<Resolved...>, boost::mp11::mp_list<Declared, Rest...>> {
    using layer = typename resolve_layer<Declared, Width, boost::mp11::mp_first<boost::mp11::mp_list<Rest..., void>>, Context>::type;
    static constexpr bool valid = check_resolved_layer<layer, T, Width>();
    using type = typename resolve_chain<T, valid ? output_width_of<layer>(Width) : Width, Context, boost::mp11::mp_list<Resolved..., layer>,
                                        boost::mp11::mp_list<Rest...>>::type;
};

// The network_context of a network declared as Layers...
template <class... Layers>
using context_of = network_context<(std::size_t{0} + ... + residual_branches_of<Layers>())>;

template <class Tensors>
struct tensor_totals;
template <class... Tensors>
struct tensor_totals<boost::mp11::mp_list<Tensors...>> {
    static constexpr std::size_t storage = (std::size_t{0} + ... + Tensors::storage);
    static constexpr std::size_t size = (std::size_t{0} + ... + Tensors::size);
    // offsets[j]: start of tensor j within the layer's block.
    static constexpr std::array<std::size_t, sizeof...(Tensors) + 1> offsets = [] {
        const std::size_t storages[] = {Tensors::storage..., 0};
        std::array<std::size_t, sizeof...(Tensors) + 1> result{};
        for (std::size_t j = 0; j < sizeof...(Tensors); ++j) result[j + 1] = result[j] + storages[j];
        return result;
    }();
    // parameter_offsets[j]: start of tensor j within the layer's part of the parameter vector.
    static constexpr std::array<std::size_t, sizeof...(Tensors) + 1> parameter_offsets = [] {
        const std::size_t sizes[] = {Tensors::size..., 0};
        std::array<std::size_t, sizeof...(Tensors) + 1> result{};
        for (std::size_t j = 0; j < sizeof...(Tensors); ++j) result[j + 1] = result[j] + sizes[j];
        return result;
    }();
};

// epilogue<layers Begin + K...> of a resolved list: indexed one by one (a stage fuses one or two
// activations), not sliced with mp_take/mp_drop, whose cost grows with the whole list for every stage.
template <class Resolved, std::size_t Begin, class Offsets>
struct epilogue_slice;
template <class Resolved, std::size_t Begin, std::size_t... K>
struct epilogue_slice<Resolved, Begin, std::index_sequence<K...>> {
    using type = epilogue<boost::mp11::mp_at_c<Resolved, Begin + K>...>;
};

// The plan of a chain of layers fed InputSize values per row: a network's (plan below), or the branch of a
// combinator (structure/), resolved in the context of the network around it.
template <class T, std::size_t InputSize, class Context, class... Layers>
struct chain_plan {
    using value_type = T;
    using context = Context;
    static constexpr std::size_t input_size = InputSize;
    static constexpr std::size_t layer_count = sizeof...(Layers);
    using declared = boost::mp11::mp_list<Layers...>;
    using resolved = typename resolve_chain<T, InputSize, Context, boost::mp11::mp_list<>, declared>::type;

    template <std::size_t I>
    using layer = boost::mp11::mp_at_c<resolved, I>;
    // Layer I's parameter tensors (an mp_list of typenet::tensor).
    template <std::size_t I>
    using tensors = typename layer<I>::template parameters<T>;
    template <std::size_t I>
    static constexpr std::size_t tensor_count = boost::mp11::mp_size<tensors<I>>::value;
    template <std::size_t I, std::size_t J>
    using tensor = boost::mp11::mp_at_c<tensors<I>, J>;

    // widths[i]: width of the signal entering layer i; widths[layer_count] is the output width.
    static constexpr std::array<std::size_t, layer_count + 1> widths = [] {
        std::array<std::size_t, layer_count + 1> result{InputSize};
        static_for<layer_count>([&](auto i) { result[i + 1] = output_width_of<layer<decltype(i)::value>>(result[i]); });
        return result;
    }();
    static constexpr std::size_t output_size = widths[layer_count];

    // Rows of activations and gradients are padded to whole cache lines.
    static constexpr std::size_t row_alignment = storage_alignment / sizeof(T);
    static constexpr std::size_t row_stride(std::size_t width) noexcept { return round_up(width, row_alignment); }

    // offsets[i]: start of layer i's parameters in the parameter block; offsets[layer_count] is its size.
    static constexpr std::array<std::size_t, layer_count + 1> offsets = []<std::size_t... I>(std::index_sequence<I...>) {
        const std::size_t storage[] = {tensor_totals<tensors<I>>::storage..., 0};
        std::array<std::size_t, layer_count + 1> result{};
        for (std::size_t i = 0; i < layer_count; ++i) result[i + 1] = result[i] + storage[i];
        return result;
    }(std::make_index_sequence<layer_count>{});
    static constexpr std::size_t storage_size = offsets[layer_count];
    static_assert(storage_size % row_alignment == 0, "typenet: every parameter tensor's storage must be whole cache lines");

    // Start of tensor J of layer I in the parameter block.
    template <std::size_t I, std::size_t J>
    static constexpr std::size_t tensor_offset = offsets[I] + tensor_totals<tensors<I>>::offsets[J];

    // The parameter vector: every tensor in logical (PyTorch) order, layer by layer, tensor by tensor, each
    // row-major and unpadded; what torch.nn.utils.parameters_to_vector gives for the same nn.Sequential, and
    // the payload of the file formats. parameter_offsets[i]: start of layer i in it.
    static constexpr std::array<std::size_t, layer_count + 1> parameter_offsets = []<std::size_t... I>(std::index_sequence<I...>) {
        const std::size_t sizes[] = {tensor_totals<tensors<I>>::size..., 0};
        std::array<std::size_t, layer_count + 1> result{};
        for (std::size_t i = 0; i < layer_count; ++i) result[i + 1] = result[i] + sizes[i];
        return result;
    }(std::make_index_sequence<layer_count>{});
    static constexpr std::size_t parameter_count = parameter_offsets[layer_count];

    // Start of tensor J of layer I in the parameter vector.
    template <std::size_t I, std::size_t J>
    static constexpr std::size_t parameter_offset = parameter_offsets[I] + tensor_totals<tensors<I>>::parameter_offsets[J];

    // Inference fuses an activation into the epilogue of the layer before it when that layer accepts one.
    static constexpr std::array<bool, layer_count> fused = []<std::size_t... I>(std::index_sequence<I...>) {
        return std::array<bool, layer_count>{(I > 0 && is_activation_v<layer<I>> && flag_fuses_epilogue<layer<I == 0 ? 0 : I - 1>>())...};
    }(std::make_index_sequence<layer_count>{});
    static constexpr std::size_t stage_count = [] {
        std::size_t count = 0;
        for (bool f : fused) count += !f;
        return count;
    }();
    // stage_begin[s]: the layer opening fused stage s; stage_begin[stage_count] = layer_count.
    static constexpr std::array<std::size_t, stage_count + 1> stage_begin = [] {
        std::array<std::size_t, stage_count + 1> result{};
        std::size_t stage = 0;
        for (std::size_t i = 0; i < layer_count; ++i)
            if (!fused[i]) result[stage++] = i;
        result[stage_count] = layer_count;
        return result;
    }();
    template <std::size_t Begin, std::size_t End>
    using epilogue_of = typename epilogue_slice<resolved, Begin, std::make_index_sequence<End - Begin>>::type;

    // Largest padded row any layer writes, for the stack buffers of inference.
    static constexpr std::size_t buffer_size = [] {
        std::size_t largest = 1;
        for (std::size_t i = 1; i <= layer_count; ++i) largest = widths[i] > largest ? widths[i] : largest;
        return row_stride(largest);
    }();

    // Streaming state (stateful layers of the contract): state_offsets[i] is where layer i's state starts in
    // one stream's state block; state_offsets[layer_count] is the block's size (0: a stateless network).
    static constexpr std::array<std::size_t, layer_count + 1> state_offsets = []<std::size_t... I>(std::index_sequence<I...>) {
        const std::size_t sizes[] = {state_size_of<layer<I>, T>()..., 0};
        std::array<std::size_t, layer_count + 1> result{};
        for (std::size_t i = 0; i < layer_count; ++i) result[i + 1] = result[i] + sizes[i];
        return result;
    }(std::make_index_sequence<layer_count>{});
    static constexpr std::size_t state_storage = state_offsets[layer_count];
    static constexpr bool has_state = []<std::size_t... I>(std::index_sequence<I...>) {
        const bool stateful[] = {is_stateful<layer<I>>()..., false};  // a list, not a fold: clang nests folds 256 deep at most
        for (bool flag : stateful)
            if (flag) return true;
        return false;
    }(std::make_index_sequence<layer_count>{});

    // The buffers of passes that keep every layer's output rows (workspace, sequence_trainer): layer i's rows
    // are output_strides[i] elements apart (its width padded to whole cache lines), its block of Rows rows
    // starts at output_offsets<Rows>[i]; a gradient row needs at most gradient_width elements.
    static constexpr std::array<std::size_t, layer_count> output_strides = [] {
        std::array<std::size_t, layer_count> result{};
        for (std::size_t i = 0; i < layer_count; ++i) result[i] = row_stride(widths[i + 1]);
        return result;
    }();
    template <std::size_t Rows>
    static constexpr std::array<std::size_t, layer_count + 1> output_offsets = [] {
        std::array<std::size_t, layer_count + 1> result{};
        for (std::size_t i = 0; i < layer_count; ++i) result[i + 1] = result[i] + Rows * output_strides[i];
        return result;
    }();
    static constexpr std::size_t gradient_width = [] {
        std::size_t widest = row_stride(InputSize);
        for (std::size_t stride : output_strides) widest = stride > widest ? stride : widest;
        return widest;
    }();

    // Scratch memory of each layer's backward pass over Rows rows (layer contract: workspace_size and
    // rows_workspace_size), cache-line aligned.
    template <std::size_t Rows>
    static constexpr std::array<std::size_t, layer_count + 1> workspace_offsets = []<std::size_t... I>(std::index_sequence<I...>) {
        const std::size_t sizes[] = {row_stride(workspace_size_of<layer<I>, T, Rows>())..., 0};
        std::array<std::size_t, layer_count + 1> result{};
        for (std::size_t i = 0; i < layer_count; ++i) result[i + 1] = result[i] + sizes[i];
        return result;
    }(std::make_index_sequence<layer_count>{});

    // Residual branches in the chain, nested ones included.
    static constexpr std::size_t residual_branch_count = (std::size_t{0} + ... + residual_branches_of<Layers>());
};

// A network's plan: its chain in the context the chain itself defines.
template <class T, std::size_t InputSize, class... Layers>
using plan = chain_plan<T, InputSize, context_of<Layers...>, Layers...>;

// Index of the tensor named Name in layer I of Plan, or tensor_count if it has none.
template <class Plan, std::size_t I, fixed_name Name>
constexpr std::size_t find_tensor() {
    return []<std::size_t... J>(std::index_sequence<J...>) {
        std::size_t found = sizeof...(J);
        ((found = found == sizeof...(J) && Plan::template tensor<I, J>::name == Name.view() ? J : found), ...);
        return found;
    }(std::make_index_sequence<Plan::template tensor_count<I>>{});
}

// The same for the accessors by name (weight<I>, bias<I> and their gradients): a compile error that names
// the mistake when layer I does not exist or has no such tensor.
template <class Plan, std::size_t I, fixed_name Name>
constexpr std::size_t named_tensor() noexcept {
    static_assert(I < Plan::layer_count, "typenet: weight<I>/bias<I>: the layer index I is out of range");
    if constexpr (I >= Plan::layer_count) {
        return 0;
    } else {
        constexpr std::size_t index = find_tensor<Plan, I, Name>();
        static_assert(index < Plan::template tensor_count<I>,
                      "typenet: weight<I>/bias<I>: layer I has no such tensor (it is an activation or another kind of layer; "
                      "indices count activations, as PyTorch nn.Sequential)");
        return index < Plan::template tensor_count<I> ? index : 0;
    }
}

}  // namespace typenet::detail::inline TYPENET_ISA
