// Neural Amp Modeler's WaveNet as a type: nam::wavenet<layer_array<...>...>, one stateful layer of the
// layer contract (typenet/layer.hpp) that a network runs, trains (sequence_trainer) and saves like any other.
//
// Documentation: docs/nam.md
// Distributed under the Boost Software License, Version 1.0 (see LICENSE or https://www.boost.org/LICENSE_1_0.txt).
//
// What it computes (NAM's trainer, nam/models/wavenet.py, and NAM Core, NAM/wavenet.cpp): the model's input
// x is also the condition c of every layer. Layer array i takes the previous array's residual stream (x for
// the first) and its head output (nothing for the first):
//   v = rechannel(input)                                   1x1, no bias
//   for each layer (dilation d, kernel size K):
//     z = sum_k conv_k v[t - (K-1-k) d] + conv_bias + input_mixin(c)
//     a = activation(z), or tanh(z[:B]) * sigmoid(z[B:]) when gated
//     head += a;  v = v + 1x1(a) + 1x1_bias
//   head_output = head_rechannel(head) (+ its bias when head_bias)
// and the model's output is head_scale * the last array's head output.
//
// The parameter vector (Net::get_parameters) is NAM's weight array, in its order: per array the rechannel
// weight, per layer the convolution's weight ([out][in][k]) and bias, the input mixin's weight, the 1x1's
// weight and bias, then the head rechannel's weight (and bias), and head_scale last.
//
// The state of one stream is, per layer, a ring of the last frames its convolution looks back on (a power
// of two of them, so that a tap is one masked index), and the position in the rings: all zeros is NAM's
// start, empty buffers. The weights are stored input-major (a row of every output per input), so that a
// product broadcasts one input over whole vectors of outputs; frames go through the layers a tile at a time
// (up to 16), each weight row loaded once for up to 8 frames in registers, the taps read straight from the
// rings. Every layer of one shape runs one out-of-line kernel with its dilation and ring as arguments, so a
// pass through twenty layers stays in the instruction cache. One frame at a time, a chain of dependent
// steps, an array keeps its residual stream and head sum in registers through its layers instead
// (docs/internals.md has the measurements).
#pragma once

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <cstring>
#include <span>
#include <string>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

#include <boost/mp11/algorithm.hpp>
#include <boost/mp11/list.hpp>

#include "../../activation.hpp"
#include "../../config.hpp"
#include "../../detail/constexpr_math.hpp"
#include "../../detail/static_for.hpp"
#include "../../init.hpp"
#include "../../layer.hpp"
#include "../../simd.hpp"
#include "../../spelling.hpp"

namespace typenet::nam {

// One layer of a layer array: its dilation, kernel size and activation, and whether it is gated
// (tanh(z[:B]) * sigmoid(z[B:])). NAM's A1 files give every layer of an array the same kernel size and
// activation; A2 files give each layer its own, which is why they are here.
template <std::size_t Dilation, std::size_t KernelSize = 3, class Activation = typenet::tanh, bool Gated = false>
struct layer {
    static_assert(Dilation >= 1, "typenet::nam::layer<Dilation, ...>: Dilation must be at least 1");
    static_assert(KernelSize >= 1, "typenet::nam::layer<Dilation, KernelSize, ...>: KernelSize must be at least 1");
    static_assert(is_activation_v<Activation>, "typenet::nam::layer<..., Activation>: Activation must be a typenet activation");
    static constexpr std::size_t dilation = Dilation, kernel_size = KernelSize;
    static constexpr bool gated = Gated;
    using activation = Activation;
};

// A layer array with its layers listed (nam::layer<...>...): InputSize channels in (1 for the first array,
// the previous array's Channels after it), Channels on the residual stream, HeadSize out of the head
// rechannel. Bottleneck: the width of the convolution's output (doubled when gated), of the head and of
// the 1x1's input; NAM's A1 files have Bottleneck = Channels. ConditionSize: channels of the condition (1,
// the model's input). HeadKernel, HeadDilation: the head rechannel as a causal convolution of the head
// sum (NAM's A2 "head" of a layer array; 1 and 1 in A1 files, a 1x1).
template <std::size_t InputSize, std::size_t Channels, std::size_t HeadSize, bool HeadBias, class Layers, std::size_t Bottleneck = Channels,
          std::size_t ConditionSize = 1, std::size_t HeadKernel = 1, std::size_t HeadDilation = 1>
struct layer_array_of {
    static_assert(InputSize >= 1 && Channels >= 1 && HeadSize >= 1 && Bottleneck >= 1 && ConditionSize >= 1,
                  "typenet::nam::layer_array: every size must be at least 1");
    static_assert(boost::mp11::mp_size<Layers>::value >= 1, "typenet::nam::layer_array: an array needs at least one layer");
    static constexpr std::size_t input_size = InputSize, channels = Channels, head_size = HeadSize, bottleneck = Bottleneck,
                                 condition_size = ConditionSize;
    static_assert(HeadKernel >= 1 && HeadDilation >= 1, "typenet::nam::layer_array: the head's kernel size and dilation must be at least 1");
    static constexpr bool head_bias = HeadBias;
    static constexpr std::size_t head_kernel = HeadKernel, head_dilation = HeadDilation;
    using layers = Layers;
};

template <std::size_t... D>
struct dilations {};

template <class Dilations, std::size_t KernelSize, class Activation, bool Gated>
struct uniform_layers;
template <std::size_t... D, std::size_t KernelSize, class Activation, bool Gated>
struct uniform_layers<dilations<D...>, KernelSize, Activation, Gated> {
    using type = boost::mp11::mp_list<layer<D, KernelSize, Activation, Gated>...>;
};

// An A1 layer array, as NAM's config.layers[i] spells it: input_size, condition_size (1), head_size,
// channels, kernel_size, dilations, activation, gated, head_bias.
template <std::size_t InputSize, std::size_t Channels, std::size_t HeadSize, std::size_t KernelSize, class Dilations,
          class Activation = typenet::tanh, bool Gated = false, bool HeadBias = false>
using layer_array = layer_array_of<InputSize, Channels, HeadSize, HeadBias, typename uniform_layers<Dilations, KernelSize, Activation, Gated>::type>;

}  // namespace typenet::nam

namespace typenet::nam::detail::inline TYPENET_ISA {

using typenet::detail::round_up;
using typenet::detail::static_for;
using typenet::detail::storage_alignment;

// Frames one pass through the layers handles at once (wavenet_layer::sequence, nam::model's process).
inline constexpr std::size_t tile_frames = 16;

constexpr std::size_t power_of_two_at_least(std::size_t value) noexcept {
    std::size_t power = 1;
    while (power < value) power *= 2;
    return power;
}

// "Prefix.I.Suffix" as a fixed_name.
template <fixed_name Prefix, std::size_t I, fixed_name Suffix>
constexpr auto indexed_name() noexcept {
    return typenet::detail::joined_name<typenet::detail::joined_name<Prefix, typenet::detail::index_name<I>()>(), Suffix>();
}

// The vectors that hold Outputs values of one frame: the narrow vectors (256-bit under AVX-512) up to their
// width, the widest ones above.
template <class T, std::size_t Outputs>
struct output_vectors {
    using batch = std::conditional_t<(Outputs > simd::lanes<T, simd::narrow_arch>), simd::batch<T>, simd::batch<T, simd::narrow_arch>>;
    static constexpr std::size_t width = batch::size;
    static constexpr std::size_t count = (Outputs + width - 1) / width;
    static constexpr std::size_t padded = count * width;
};

// A convolution's weight [out][in][k] (a 1x1's with k = 1), stored input-major: row k * In + in holds the
// weights of every output, padded to whole vectors, so that a product broadcasts one input and multiplies
// whole vectors of outputs, and several frames share each load of a row.
template <class T, std::size_t In, std::size_t Out, std::size_t K = 1>
struct input_major_layout {
    static constexpr std::size_t padded = output_vectors<T, Out>::padded;
    static constexpr std::array<std::size_t, 3> shape = {Out, In, K};
    static constexpr std::size_t size = Out * In * K;
    static constexpr std::size_t storage = round_up(K * In * padded, storage_alignment / sizeof(T));
    static constexpr std::size_t storage_index(std::size_t flat) noexcept {
        const std::size_t out = flat / (In * K), in = flat / K % In, k = flat % K;
        return (k * In + in) * padded + out;
    }
};
template <class T, std::size_t Size>
using vector_layout = contiguous_layout<T, Size>;

// An array of few channels runs its full tiles "planar": a vector holds one channel over the tile's frames
// (vectors of channels would be mostly padding), and its rings keep each channel's frames together.
template <class Array>
constexpr bool is_planar() noexcept {
    bool narrow = Array::channels <= 8 && Array::input_size <= 16 && Array::head_size <= 16;
    boost::mp11::mp_for_each<typename Array::layers>([&](auto layer) { narrow = narrow && (decltype(layer)::gated ? 2 : 1) * Array::bottleneck <= 16; });
    return narrow;
}

// Slot `slot` of channel `channel` in a planar ring (ring_length values per channel, ring_frames slots), and
// its copy past the last slot when the slot is among the first tile_frames.
template <class S>
inline void planar_store(S* ring, std::size_t ring_length, std::size_t ring_frames, std::size_t slot, std::size_t channel, S value) noexcept {
    ring[channel * ring_length + slot] = value;
    if (slot < tile_frames) ring[channel * ring_length + ring_frames + slot] = value;
}

// A convolution's ring of past inputs (Channels of them per frame, History frames looked back on). It holds
// the frames a step looks back on and those of a whole tile (tile_frames), which are pushed before the
// tile's taps are read. Frame-major rings: frame slot s at [s * channels]. Planar rings: channel c's frames
// at [c * ring_length], slots 0 ... tile_frames - 1 repeated after the last, so that the tile_frames frames
// from any slot are contiguous.
template <std::size_t Channels, std::size_t History, bool Planar>
struct ring_facts {
    static constexpr std::size_t channels = Channels, history = History;
    static constexpr std::size_t ring_frames = history == 0 ? 0 : power_of_two_at_least(history + tile_frames);
    static constexpr bool planar = Planar;
    static constexpr std::size_t ring_length = planar ? ring_frames + tile_frames : ring_frames;
    static constexpr std::size_t ring_elements = ring_frames == 0 ? 0 : ring_length * channels;
    template <class S>
    static S& at(S* ring, std::size_t slot, std::size_t channel) noexcept {
        return planar ? ring[channel * ring_length + slot] : ring[slot * channels + channel];
    }
    template <class S>
    static void write(S* ring, std::size_t slot, std::size_t channel, S value) noexcept {
        if constexpr (planar)
            planar_store(ring, ring_length, ring_frames, slot, channel, value);
        else
            at(ring, slot, channel) = value;
    }
};

// A causal convolution's ring (kernel_size taps, dilation apart) and the scalar pass's bookkeeping of it,
// shared by the layers and the head convolution. Taps are numbered oldest first: tap k of the frame at
// position is the frame (kernel_size - 1 - k) * dilation back, tap kernel_size - 1 the frame itself.
template <std::size_t Channels, std::size_t KernelSize, std::size_t Dilation, bool Planar>
struct conv_ring_facts : ring_facts<Channels, (KernelSize - 1) * Dilation, Planar> {
    using ring = ring_facts<Channels, (KernelSize - 1) * Dilation, Planar>;
    static constexpr std::size_t kernel_size = KernelSize, dilation = Dilation;
    static constexpr std::size_t slot_of(std::size_t position, std::size_t k) noexcept {
        return (position - (kernel_size - 1 - k) * dilation) & (ring::ring_frames - 1);
    }
    // taps[k * Channels + c] for every tap: the past ones from the ring, the newest from frame.
    template <class S>
    static void gather(const S* ring_values, std::size_t position, const S* frame, S* taps) noexcept {
        for (std::size_t k = 0; k + 1 < kernel_size; ++k)
            for (std::size_t c = 0; c < Channels; ++c) taps[k * Channels + c] = ring::at(ring_values, slot_of(position, k), c);
        std::copy_n(frame, Channels, taps + (kernel_size - 1) * Channels);
    }
    // The frame into its slot, for the frames after it.
    template <class S>
    static void push(S* ring_values, std::size_t position, const S* frame) noexcept {
        if constexpr (ring::history > 0)
            for (std::size_t c = 0; c < Channels; ++c) ring::write(ring_values, slot_of(position, kernel_size - 1), c, frame[c]);
    }
    // Backward through gather and push: d_frame gets the newest tap's gradient and what later frames left in
    // the frame's slot of ring_gradient (d loss / d every value in the ring), which the slot then gives up
    // (it held an older frame before the push); each past tap's gradient goes to its slot.
    template <class S>
    static void backward(S* ring_gradient, std::size_t position, const S* d_taps, S* d_frame) noexcept {
        for (std::size_t c = 0; c < Channels; ++c) d_frame[c] += d_taps[(kernel_size - 1) * Channels + c];
        if constexpr (ring::history > 0) {
            const std::size_t slot = slot_of(position, kernel_size - 1);
            for (std::size_t c = 0; c < Channels; ++c) {
                d_frame[c] += ring::at(ring_gradient, slot, c);
                ring::at(ring_gradient, slot, c) = 0;
            }
            for (std::size_t k = 0; k + 1 < kernel_size; ++k)
                for (std::size_t c = 0; c < Channels; ++c) ring::at(ring_gradient, slot_of(position, k), c) += d_taps[k * Channels + c];
        }
    }
};

// Everything about one layer of an array that the kernels need, at compile time.
template <class Array, class Layer>
struct layer_facts : conv_ring_facts<Array::channels, Layer::kernel_size, Layer::dilation, is_planar<Array>()> {
    static constexpr std::size_t bottleneck = Array::bottleneck, condition = Array::condition_size;
    static constexpr bool gated = Layer::gated;
    using activation = typename Layer::activation;
    static constexpr std::size_t conv_out = (gated ? 2 : 1) * bottleneck;
};

// The head convolution's ring: its history of head sums.
template <class Array>
struct head_facts : conv_ring_facts<Array::bottleneck, Array::head_kernel, Array::head_dilation, is_planar<Array>()> {};

template <class Array, std::size_t ArrayIndex>
struct array_tensors {
    template <class T, class Layer, std::size_t J>
    using layer_list = boost::mp11::mp_list<
        tensor<indexed_name<indexed_name<"_layer_arrays", ArrayIndex, "_layers">(), J, "_conv.weight">(), tensor_role::weight, torch_default,
               input_major_layout<T, Array::channels, layer_facts<Array, Layer>::conv_out, Layer::kernel_size>,
               Array::channels * Layer::kernel_size, layer_facts<Array, Layer>::conv_out * Layer::kernel_size, Layer::kernel_size>,
        tensor<indexed_name<indexed_name<"_layer_arrays", ArrayIndex, "_layers">(), J, "_conv.bias">(), tensor_role::bias, torch_default,
               vector_layout<T, layer_facts<Array, Layer>::conv_out>, Array::channels * Layer::kernel_size,
               layer_facts<Array, Layer>::conv_out * Layer::kernel_size, Layer::kernel_size>,
        tensor<indexed_name<indexed_name<"_layer_arrays", ArrayIndex, "_layers">(), J, "_input_mixer.weight">(), tensor_role::weight,
               torch_default, input_major_layout<T, Array::condition_size, layer_facts<Array, Layer>::conv_out>, Array::condition_size,
               layer_facts<Array, Layer>::conv_out>,
        tensor<indexed_name<indexed_name<"_layer_arrays", ArrayIndex, "_layers">(), J, "_1x1.weight">(), tensor_role::weight, torch_default,
               input_major_layout<T, Array::bottleneck, Array::channels>, Array::bottleneck, Array::channels>,
        tensor<indexed_name<indexed_name<"_layer_arrays", ArrayIndex, "_layers">(), J, "_1x1.bias">(), tensor_role::bias, torch_default,
               vector_layout<T, Array::channels>, Array::bottleneck, Array::channels>>;

    template <class T, class Indices>
    struct all_layers;
    template <class T, std::size_t... J>
    struct all_layers<T, std::index_sequence<J...>> {
        using type = boost::mp11::mp_append<layer_list<T, boost::mp11::mp_at_c<typename Array::layers, J>, J>...>;
    };
    static constexpr std::size_t layer_count = boost::mp11::mp_size<typename Array::layers>::value;

    template <class T>
    using head_weight = tensor<indexed_name<"_layer_arrays", ArrayIndex, "_head_rechannel.weight">(), tensor_role::weight, torch_default,
                               input_major_layout<T, Array::bottleneck, Array::head_size, Array::head_kernel>,
                               Array::bottleneck * Array::head_kernel, Array::head_size * Array::head_kernel, Array::head_kernel>;
    template <class T>
    using head = std::conditional_t<
        Array::head_bias,
        boost::mp11::mp_list<head_weight<T>, tensor<indexed_name<"_layer_arrays", ArrayIndex, "_head_rechannel.bias">(), tensor_role::bias,
                                                    torch_default, vector_layout<T, Array::head_size>, Array::bottleneck * Array::head_kernel,
                                                    Array::head_size * Array::head_kernel, Array::head_kernel>>,
        boost::mp11::mp_list<head_weight<T>>>;

    template <class T>
    using type = boost::mp11::mp_append<
        boost::mp11::mp_list<tensor<indexed_name<"_layer_arrays", ArrayIndex, "_rechannel.weight">(), tensor_role::weight, torch_default,
                                    input_major_layout<T, Array::input_size, Array::channels>, Array::input_size, Array::channels>>,
        typename all_layers<T, std::make_index_sequence<layer_count>>::type, head<T>>;
};

template <class List>
struct storage_offsets;
template <class... Tensors>
struct storage_offsets<boost::mp11::mp_list<Tensors...>> {
    static constexpr std::array<std::size_t, sizeof...(Tensors) + 1> value = [] {
        std::array<std::size_t, sizeof...(Tensors) + 1> offsets{};
        const std::size_t storages[] = {Tensors::storage..., 0};
        for (std::size_t i = 0; i < sizeof...(Tensors); ++i) offsets[i + 1] = offsets[i] + storages[i];
        return offsets;
    }();
};

// Reads tensor j of a layer array at its logical (PyTorch) index: from the parameter block (Storage) or
// from the reference's vectors.
template <class T, class Tensors>
struct block_weights {
    const T* block;
    template <std::size_t J>
    T get(std::size_t flat) const noexcept {
        using tensor = boost::mp11::mp_at_c<Tensors, J>;
        return block[storage_offsets<Tensors>::value[J] + tensor::storage_index(flat)];
    }
};
struct vector_weights {
    const std::vector<double>* tensors;
    template <std::size_t J>
    double get(std::size_t flat) const noexcept {
        return tensors[J][flat];
    }
};

}  // namespace typenet::nam::detail::inline TYPENET_ISA

namespace typenet::nam::inline TYPENET_ISA {

template <class... Arrays>
struct wavenet_layer;

// The declaration: nam::wavenet<layer_array<...>...> after input<1>.
template <class... Arrays>
struct wavenet {
    static_assert(sizeof...(Arrays) >= 1, "typenet::nam::wavenet: a WaveNet needs at least one layer array");
    template <std::size_t InputWidth, class Next>
    using resolve = wavenet_layer<Arrays...>;
};

template <class... Arrays>
struct wavenet_layer {
    using arrays = boost::mp11::mp_list<Arrays...>;
    static constexpr std::size_t array_count = sizeof...(Arrays);
    using first = boost::mp11::mp_first<arrays>;
    using last = boost::mp11::mp_back<arrays>;
    static_assert(first::condition_size == first::input_size,
                  "typenet::nam::wavenet: the condition is the model's input, so the first array's condition_size must equal its input_size");
    static_assert(last::head_size == 1, "typenet::nam::wavenet: the last layer array's head_size must be 1 (one output sample)");
    template <std::size_t I>
    using array = boost::mp11::mp_at_c<arrays, I>;
    static constexpr bool chained = [] {
        bool ok = true;
        detail::static_for<array_count - 1>([&](auto i) {
            using a = array<i>;
            using b = array<i + 1>;
            ok = ok && a::channels == b::input_size;
        });
        return ok;
    }();
    static_assert(chained, "typenet::nam::wavenet: each layer array's input_size must equal the previous array's channels");
    static constexpr bool heads_chained = [] {
        bool ok = true;
        detail::static_for<array_count - 1>([&](auto i) { ok = ok && array<i>::head_size == array<i + 1>::bottleneck; });
        return ok;
    }();
    static_assert(heads_chained,
                  "typenet::nam::wavenet: each layer array's head_size must equal the next array's channels (its head starts from it)");
    static constexpr bool same_condition = ((Arrays::condition_size == first::condition_size) && ...);
    static_assert(same_condition, "typenet::nam::wavenet: every layer array sees the same condition (condition_size)");

    // ---- The layer contract (typenet/layer.hpp), stateful.
    static constexpr std::string_view name = "nam_wavenet";
    static constexpr std::size_t input_width = first::condition_size;
    static constexpr std::size_t output_width = 1;

    template <class T, class Indices>
    struct tensors_of;
    template <class T, std::size_t... I>
    struct tensors_of<T, std::index_sequence<I...>> {
        using type = boost::mp11::mp_append<typename detail::array_tensors<Arrays, I>::template type<T>...,
                                            boost::mp11::mp_list<tensor<"_head_scale", tensor_role::other, constant<0.02>,
                                                                        detail::vector_layout<T, 1>, 1, 1>>>;
    };
    template <class T>
    using parameters = typename tensors_of<T, std::index_sequence_for<Arrays...>>::type;

    // Tensors before array I's in the list, and the array's own.
    template <std::size_t I>
    static constexpr std::size_t first_tensor = [] {
        std::size_t count = 0;
        detail::static_for<I>([&](auto i) { count += boost::mp11::mp_size<typename detail::array_tensors<array<i>, i>::template type<float>>::value; });
        return count;
    }();
    template <class T, std::size_t I>
    static constexpr std::size_t block_offset = detail::storage_offsets<parameters<T>>::value[first_tensor<I>];
    template <class T, std::size_t I>
    using array_tensor_list = typename detail::array_tensors<array<I>, I>::template type<T>;
    template <class T>
    static constexpr std::size_t head_scale_offset = detail::storage_offsets<parameters<T>>::value[boost::mp11::mp_size<parameters<T>>::value - 1];

    // Receptive field: the frames of input an output depends on.
    static constexpr std::size_t receptive_field = [] {
        std::size_t frames = 1;
        detail::static_for<array_count>([&](auto i) {
            boost::mp11::mp_for_each<typename array<i>::layers>([&](auto l) {
                using L = decltype(l);
                frames += (L::kernel_size - 1) * L::dilation;
            });
            frames += detail::head_facts<array<i>>::history;
        });
        return frames;
    }();

    // ---- State: the position (a frame count modulo the largest ring), then per array and layer its ring.
    template <class T>
    static constexpr std::size_t position_storage = typenet::detail::storage_alignment / sizeof(T);
    // Ring L of array I: layer L's, and for L = the array's layer count its head's.
    template <std::size_t I, std::size_t L>
    static constexpr std::size_t ring_elements_of = [] {
        if constexpr (L == boost::mp11::mp_size<typename array<I>::layers>::value)
            return detail::head_facts<array<I>>::ring_elements;
        else
            return detail::layer_facts<array<I>, boost::mp11::mp_at_c<typename array<I>::layers, L>>::ring_elements;
    }();
    template <class T, std::size_t I, std::size_t L>
    static constexpr std::size_t ring_storage = typenet::detail::round_up(ring_elements_of<I, L>, typenet::detail::storage_alignment / sizeof(T));
    template <class T>
    static constexpr auto ring_offsets = [] {
        std::array<std::array<std::size_t, 65>, array_count> offsets{};
        std::size_t offset = position_storage<T>;
        detail::static_for<array_count>([&](auto i) {
            constexpr std::size_t layers = boost::mp11::mp_size<typename array<i>::layers>::value;
            static_assert(layers <= 64, "typenet::nam::wavenet: at most 64 layers per layer array");
            detail::static_for<layers + 1>([&](auto l) {
                offsets[i][l] = offset;
                offset += ring_storage<T, i, l>;
            });
        });
        return offsets;
    }();
    template <class T>
    static constexpr std::size_t state_size = [] {
        std::size_t size = position_storage<T>;
        detail::static_for<array_count>([&](auto i) {
            detail::static_for<boost::mp11::mp_size<typename array<i>::layers>::value + 1>([&](auto l) { size += ring_storage<T, i, l>; });
        });
        return size;
    }();
    static constexpr std::size_t largest_ring = [] {
        std::size_t frames = 1;
        detail::static_for<array_count>([&](auto i) {
            detail::static_for<boost::mp11::mp_size<typename array<i>::layers>::value>([&](auto l) {
                frames = std::max(frames, detail::layer_facts<array<i>, boost::mp11::mp_at_c<typename array<i>::layers, l>>::ring_frames);
            });
            frames = std::max(frames, detail::head_facts<array<i>>::ring_frames);
        });
        return frames;
    }();
    static constexpr std::size_t reference_state_size = state_size<double>;

    static constexpr std::size_t tile_frames = detail::tile_frames;

    template <class T, std::size_t Width, std::size_t Rows>
    static void step(const T* parameters, T* state, std::size_t state_stride, const T* x, std::size_t x_stride, T* y,
                     std::size_t y_stride) noexcept {
        for (std::size_t r = 0; r < Rows; ++r)
            run<T, 1>(parameters, state + r * state_stride, x + r * x_stride, x_stride, y + r * y_stride, y_stride);
    }

    template <class T, std::size_t Width, std::size_t Steps>
    static void sequence(const T* parameters, T* state, const T* x, std::size_t x_stride, T* y, std::size_t y_stride) noexcept {
        constexpr std::size_t tiles = Steps / tile_frames, rest = Steps % tile_frames;
        for (std::size_t t = 0; t < tiles; ++t)
            run<T, tile_frames>(parameters, state, x + t * tile_frames * x_stride, x_stride, y + t * tile_frames * y_stride, y_stride);
        if constexpr (rest > 0)
            run<T, rest>(parameters, state, x + tiles * tile_frames * x_stride, x_stride, y + tiles * tile_frames * y_stride, y_stride);
    }

    // Frames consecutive frames of one stream, Frames <= tile_frames.
    template <class T, std::size_t Frames>
    static void run(const T* parameters, T* state, const T* x, std::size_t x_stride, T* y, std::size_t y_stride) noexcept {
        static_assert(Frames >= 1 && Frames <= tile_frames);
        const std::size_t position = static_cast<std::size_t>(state[0]);
        // The residual stream and the head between arrays, row r for frame r.
        constexpr std::size_t stream_stride = widest_stride<T>;
        alignas(typenet::detail::storage_alignment) T stream[Frames * stream_stride];
        alignas(typenet::detail::storage_alignment) T head[Frames * stream_stride];
        alignas(typenet::detail::storage_alignment) T condition[Frames * stream_stride];
        for (std::size_t r = 0; r < Frames; ++r) {
            std::fill_n(condition + r * stream_stride, stream_stride, T(0));
            std::copy_n(x + r * x_stride, input_width, condition + r * stream_stride);
        }
        detail::static_for<array_count>([&](auto i) TYPENET_INLINE_LAMBDA {
            if constexpr (Frames == 1 && single_frame_in_registers<array<i>>)
                run_array_single<T, i>(parameters + block_offset<T, i>, state, position, condition, i == 0 ? condition : stream, stream, head);
            else
                run_array<T, Frames, i>(parameters + block_offset<T, i>, state, position, condition, i == 0 ? condition : stream, stream, head);
        });
        const T scale = parameters[head_scale_offset<T>];
        for (std::size_t r = 0; r < Frames; ++r) y[r * y_stride] = scale * head[r * stream_stride];
        state[0] = static_cast<T>((position + Frames) & (largest_ring - 1));
    }

    // ---- Training (layer contract: step_backward) and the oracle (reference_step) share one scalar pass.
    template <class T, std::size_t Width, std::size_t Rows, bool InputGradient>
    static void step_backward(const step_backward_arguments<T>& a) noexcept {
        for (std::size_t r = 0; r < Rows; ++r) {
            const T* state = a.state + r * a.state_stride;
            T* state_gradient = a.state_gradient + r * a.state_gradient_stride;
            const std::size_t position = static_cast<std::size_t>(state[0]);
            const T* x = a.input + r * a.input_stride;
            records<T> record;
            forward_frame<T>([&](auto i) { return detail::block_weights<T, array_tensor_list<T, i>>{a.parameters + block_offset<T, i>}; },
                             state, position, x, record, nullptr);
            const T head_output = std::get<array_count - 1>(record).head_output[0];
            const T scale = a.parameters[head_scale_offset<T>];
            const T dy = a.output_gradient[r * a.output_gradient_stride];
            a.parameter_gradient[head_scale_offset<T>] += dy * head_output;
            std::fill_n(state_gradient, position_storage<T>, T(0));
            T dx[input_width]{};
            backward_frame<T>(a.parameters, a.parameter_gradient, state_gradient, position, record, scale * dy, dx);
            if constexpr (InputGradient) {
                T* input_gradient = a.input_gradient + r * a.input_gradient_stride;
                std::fill_n(input_gradient, a.input_gradient_stride, T(0));
                std::copy_n(dx, input_width, input_gradient);
            }
        }
    }

    static void reference_step(reference_tensors parameters, std::span<double> state, std::span<const double> x, std::span<double> y) {
        const std::size_t position = static_cast<std::size_t>(state[0]);
        records<double> record;
        forward_frame<double>(
            [&](auto i) { return detail::vector_weights{parameters.data() + first_tensor<i>}; }, state.data(), position, x.data(), record,
            state.data());
        y[0] = parameters.back()[0] * std::get<array_count - 1>(record).head_output[0];
        state[0] = static_cast<double>((position + 1) & (largest_ring - 1));
    }

    static summary_row summary() { return {"torch_default", "NAM WaveNet, " + std::to_string(array_count) + " layer arrays"}; }

    template <class T>
    static constexpr std::size_t widest_stride = [] {
        std::size_t widest = 1;
        detail::static_for<array_count>([&](auto i) {
            widest = std::max({widest, array<i>::channels, array<i>::bottleneck, array<i>::head_size, array<i>::input_size});
        });
        return typenet::detail::round_up(widest, 64 / sizeof(T));
    }();

private:
    // One frame in plain loops, keeping what the backward pass needs; pushes the frame into the rings of
    // push_state when it is not null.
    template <class S, class A>
    struct array_record {
        static constexpr std::size_t layer_count = boost::mp11::mp_size<typename A::layers>::value;
        static constexpr std::size_t widest_kernel = [] {
            std::size_t widest = 1;
            boost::mp11::mp_for_each<typename A::layers>([&](auto l) { widest = std::max(widest, decltype(l)::kernel_size); });
            return widest;
        }();
        std::array<S, A::input_size> input{};
        std::array<std::array<S, widest_kernel * A::channels>, layer_count> taps{};
        std::array<std::array<S, 2 * A::bottleneck>, layer_count> z{};
        std::array<std::array<S, A::bottleneck>, layer_count> activated{};
        std::array<S, A::bottleneck> head{};
        std::array<S, A::head_kernel * A::bottleneck> head_taps{};  // the head convolution's taps, oldest first
        std::array<S, A::head_size> head_output{};
        std::array<S, A::channels> output{};
    };
    template <class S>
    using records = std::tuple<array_record<S, Arrays>...>;

    // (One function per array and per layer, not nested generic lambdas: g++ 12 fails on those here with an
    // internal compiler error.)
    template <class S, class Weights>
    static void forward_frame(Weights&& weights_of, const S* state, std::size_t position, const S* x, records<S>& record, S* push_state) {
        detail::static_for<array_count>(
            [&](auto i) { forward_array<S, decltype(i)::value>(weights_of(i), state, position, x, record, push_state); });
    }

    template <class S, std::size_t I, class W>
    static void forward_array(const W& w, const S* state, std::size_t position, const S* x, records<S>& record, S* push_state) {
        using A = array<I>;
        auto& rec = std::get<I>(record);
        if constexpr (I == 0)
            std::copy_n(x, A::input_size, rec.input.begin());
        else
            std::copy_n(std::get<I - 1>(record).output.begin(), A::input_size, rec.input.begin());
        std::array<S, A::channels> v{};
        for (std::size_t c = 0; c < A::channels; ++c)
            for (std::size_t in = 0; in < A::input_size; ++in) v[c] += w.template get<0>(c * A::input_size + in) * rec.input[in];
        if constexpr (I > 0) std::copy_n(std::get<I - 1>(record).head_output.begin(), A::bottleneck, rec.head.begin());
        constexpr std::size_t layers = array_record<S, A>::layer_count;
        detail::static_for<layers>([&](auto l) { forward_layer<S, I, decltype(l)::value>(w, state, position, x, rec, v, push_state); });
        constexpr std::size_t H = 1 + 5 * layers, B = A::bottleneck;
        using head = detail::head_facts<A>;
        constexpr std::size_t HK = head::kernel_size;
        head::gather(state + ring_offsets<S>[I][layers], position, rec.head.data(), rec.head_taps.data());
        if (push_state) head::push(push_state + ring_offsets<S>[I][layers], position, rec.head.data());
        for (std::size_t h = 0; h < A::head_size; ++h) {
            S sum = 0;
            if constexpr (A::head_bias) sum = w.template get<H + 1>(h);
            for (std::size_t o = 0; o < B; ++o)
                for (std::size_t k = 0; k < HK; ++k) sum += w.template get<H>((h * B + o) * HK + k) * rec.head_taps[k * B + o];
            rec.head_output[h] = sum;
        }
        rec.output = v;
    }

    template <class S, std::size_t I, std::size_t L, class W>
    static void forward_layer(const W& w, const S* state, std::size_t position, const S* x, array_record<S, array<I>>& rec,
                              std::array<S, array<I>::channels>& v, S* push_state) {
        using A = array<I>;
        using facts = detail::layer_facts<A, boost::mp11::mp_at_c<typename A::layers, L>>;
        constexpr std::size_t J = 1 + 5 * L, C = A::channels, K = facts::kernel_size, B = A::bottleneck;
        auto& taps = rec.taps[L];
        facts::gather(state + ring_offsets<S>[I][L], position, v.data(), taps.data());
        if (push_state) facts::push(push_state + ring_offsets<S>[I][L], position, v.data());
        auto& z = rec.z[L];
        for (std::size_t o = 0; o < facts::conv_out; ++o) {
            S sum = w.template get<J + 1>(o);
            for (std::size_t c = 0; c < C; ++c)
                for (std::size_t k = 0; k < K; ++k) sum += w.template get<J>((o * C + c) * K + k) * taps[k * C + c];
            for (std::size_t c = 0; c < A::condition_size; ++c) sum += w.template get<J + 2>(o * A::condition_size + c) * x[c];
            z[o] = sum;
        }
        auto& activated = rec.activated[L];
        for (std::size_t o = 0; o < B; ++o) {
            activated[o] = facts::gated ? static_cast<S>(std::tanh(double(z[o])) * typenet::sigmoid::reference(double(z[B + o])))
                                        : static_cast<S>(facts::activation::reference(double(z[o])));
            rec.head[o] += activated[o];
        }
        for (std::size_t c = 0; c < C; ++c) {
            S sum = w.template get<J + 4>(c);
            for (std::size_t o = 0; o < B; ++o) sum += w.template get<J + 3>(c * B + o) * activated[o];
            v[c] += sum;
        }
    }

    // Adds value to d loss / d (tensor J of array I) at logical index flat.
    template <class T, std::size_t I, std::size_t J>
    static void add_gradient(T* array_gradient, std::size_t flat, T value) noexcept {
        using tensors = array_tensor_list<T, I>;
        array_gradient[detail::storage_offsets<tensors>::value[J] + boost::mp11::mp_at_c<tensors, J>::storage_index(flat)] += value;
    }

    // d loss / d everything of one frame, from d loss / d (the last array's head output).
    template <class T>
    static void backward_frame(const T* parameters, T* gradient, T* state_gradient, std::size_t position, const records<T>& record,
                               T head_output_gradient, T* dx) noexcept {
        std::array<T, widest_stride<T>> d_out{}, d_head_output{};
        d_head_output[0] = head_output_gradient;
        detail::static_for<array_count>([&](auto reversed) {
            backward_array<T, array_count - 1 - decltype(reversed)::value>(parameters, gradient, state_gradient, position, record, d_out,
                                                                            d_head_output, dx);
        });
    }

    // Array I's part: d_out and d_head_output (d loss / d its residual and head outputs) become those of its
    // input and of the previous array's head output.
    template <class T, std::size_t I>
    static void backward_array(const T* parameters, T* gradient, T* state_gradient, std::size_t position, const records<T>& record,
                               std::array<T, widest_stride<T>>& d_out, std::array<T, widest_stride<T>>& d_head_output, T* dx) noexcept {
        using A = array<I>;
        using tensors = array_tensor_list<T, I>;
        const auto& rec = std::get<I>(record);
        const detail::block_weights<T, tensors> w{parameters + block_offset<T, I>};
        T* g = gradient + block_offset<T, I>;
        constexpr std::size_t layer_count = array_record<T, A>::layer_count;
        constexpr std::size_t H = 1 + 5 * layer_count, C = A::channels, B = A::bottleneck;
        std::array<T, B> d_head{};
        using head = detail::head_facts<A>;
        constexpr std::size_t HK = head::kernel_size;
        std::array<T, HK * B> d_head_taps{};
        for (std::size_t h = 0; h < A::head_size; ++h) {
            if constexpr (A::head_bias) add_gradient<T, I, H + 1>(g, h, d_head_output[h]);
            for (std::size_t o = 0; o < B; ++o)
                for (std::size_t k = 0; k < HK; ++k) {
                    add_gradient<T, I, H>(g, (h * B + o) * HK + k, d_head_output[h] * rec.head_taps[k * B + o]);
                    d_head_taps[k * B + o] += w.template get<H>((h * B + o) * HK + k) * d_head_output[h];
                }
        }
        head::backward(state_gradient + ring_offsets<T>[I][layer_count], position, d_head_taps.data(), d_head.data());
        std::array<T, C> dv{};
        std::copy_n(d_out.begin(), C, dv.begin());
        detail::static_for<layer_count>([&](auto reversed) {
            backward_layer<T, I, layer_count - 1 - decltype(reversed)::value>(w, g, state_gradient, position, record, d_head, dv, dx);
        });
        // v = rechannel(input)
        std::fill(d_out.begin(), d_out.end(), T(0));
        for (std::size_t c = 0; c < C; ++c)
            for (std::size_t in = 0; in < A::input_size; ++in) {
                add_gradient<T, I, 0>(g, c * A::input_size + in, dv[c] * rec.input[in]);
                d_out[in] += w.template get<0>(c * A::input_size + in) * dv[c];
            }
        std::fill(d_head_output.begin(), d_head_output.end(), T(0));
        std::copy_n(d_head.begin(), B, d_head_output.begin());
        if constexpr (I == 0)
            for (std::size_t c = 0; c < A::input_size; ++c) dx[c] += d_out[c];
    }

    // Layer L of array I: dv (d loss / d the residual stream after the layer) becomes the one before it.
    template <class T, std::size_t I, std::size_t L, class W>
    static void backward_layer(const W& w, T* g, T* state_gradient, std::size_t position, const records<T>& record,
                               const std::array<T, array<I>::bottleneck>& d_head, std::array<T, array<I>::channels>& dv, T* dx) noexcept {
        using A = array<I>;
        using facts = detail::layer_facts<A, boost::mp11::mp_at_c<typename A::layers, L>>;
        constexpr std::size_t J = 1 + 5 * L, K = facts::kernel_size, C = A::channels, B = A::bottleneck;
        const auto& rec = std::get<I>(record);
        const auto& z = rec.z[L];
        const auto& activated = rec.activated[L];
        const auto& taps = rec.taps[L];
        std::array<T, B> da = d_head;
        for (std::size_t c = 0; c < C; ++c) {
            add_gradient<T, I, J + 4>(g, c, dv[c]);
            for (std::size_t o = 0; o < B; ++o) {
                add_gradient<T, I, J + 3>(g, c * B + o, dv[c] * activated[o]);
                da[o] += w.template get<J + 3>(c * B + o) * dv[c];
            }
        }
        std::array<T, facts::conv_out> dz{};
        for (std::size_t o = 0; o < B; ++o) {
            if constexpr (facts::gated) {
                const double t = std::tanh(double(z[o])), s = typenet::sigmoid::reference(double(z[B + o]));
                dz[o] = static_cast<T>(da[o] * (1 - t * t) * s);
                dz[B + o] = static_cast<T>(da[o] * t * s * (1 - s));
            } else {
                dz[o] = static_cast<T>(da[o] * facts::activation::reference_derivative(double(z[o])));
            }
        }
        std::array<T, K * C> d_taps{};
        for (std::size_t o = 0; o < facts::conv_out; ++o) {
            add_gradient<T, I, J + 1>(g, o, dz[o]);
            for (std::size_t c = 0; c < A::condition_size; ++c) {
                add_gradient<T, I, J + 2>(g, o * A::condition_size + c, dz[o] * std::get<0>(record).input[c]);
                dx[c] += w.template get<J + 2>(o * A::condition_size + c) * dz[o];
            }
            for (std::size_t c = 0; c < C; ++c)
                for (std::size_t k = 0; k < K; ++k) {
                    add_gradient<T, I, J>(g, (o * C + c) * K + k, dz[o] * taps[k * C + c]);
                    d_taps[k * C + c] += w.template get<J>((o * C + c) * K + k) * dz[o];
                }
        }
        facts::backward(state_gradient + ring_offsets<T>[I][L], position, d_taps.data(), dv.data());
    }

    // acc[r][v] += sum over In inputs of x[r][i] * row i of w (input-major, Padded values per row). With
    // one frame, partial sums keep several FMA chains in flight.
    template <class Batch, std::size_t Vectors, std::size_t Rows, std::size_t In, std::size_t Padded, class T>
    TYPENET_ALWAYS_INLINE static void accumulate(Batch (&acc)[Rows][Vectors], const T* const (&x)[Rows], const T* w,
                                                 std::size_t input_stride = 1) noexcept {
        constexpr std::size_t width = Batch::size;
        // One frame's product waits on its chain of FMAs: up to 8 chains (two FMA units, four cycles each)
        // when the inputs are many.
        constexpr std::size_t chains = Rows * Vectors;
        constexpr std::size_t splits = chains >= 4 ? 1 : std::max<std::size_t>(1, std::min<std::size_t>((In >= 16 ? 8 : 4) / chains, In));
        if constexpr (splits == 1) {
            for (std::size_t i = 0; i < In; ++i) {
                Batch row[Vectors];
                detail::static_for<Vectors>([&](auto v) TYPENET_INLINE_LAMBDA { row[v] = Batch::load_aligned(w + i * Padded + v * width); });
                detail::static_for<Rows>([&](auto r) TYPENET_INLINE_LAMBDA {
                    const Batch input(x[r][i * input_stride]);
                    detail::static_for<Vectors>([&](auto v) TYPENET_INLINE_LAMBDA { acc[r][v] = simd::fma(input, row[v], acc[r][v]); });
                });
            }
        } else {
            Batch partial[splits][Rows][Vectors];
            detail::static_for<splits>([&](auto s) TYPENET_INLINE_LAMBDA {
                detail::static_for<Rows>([&](auto r) TYPENET_INLINE_LAMBDA {
                    detail::static_for<Vectors>([&](auto v) TYPENET_INLINE_LAMBDA { partial[s][r][v] = s == 0 ? acc[r][v] : Batch(T(0)); });
                });
            });
            constexpr std::size_t main_end = In - In % splits;
            for (std::size_t i = 0; i < main_end; i += splits)
                detail::static_for<splits>([&](auto s) TYPENET_INLINE_LAMBDA {
                    detail::static_for<Rows>([&](auto r) TYPENET_INLINE_LAMBDA {
                        const Batch input(x[r][(i + s) * input_stride]);
                        detail::static_for<Vectors>([&](auto v) TYPENET_INLINE_LAMBDA {
                            partial[s][r][v] = simd::fma(input, Batch::load_aligned(w + (i + s) * Padded + v * width), partial[s][r][v]);
                        });
                    });
                });
            detail::static_for<In % splits>([&](auto s) TYPENET_INLINE_LAMBDA {
                detail::static_for<Rows>([&](auto r) TYPENET_INLINE_LAMBDA {
                    const Batch input(x[r][(main_end + s) * input_stride]);
                    detail::static_for<Vectors>([&](auto v) TYPENET_INLINE_LAMBDA {
                        partial[s][r][v] = simd::fma(input, Batch::load_aligned(w + (main_end + s) * Padded + v * width), partial[s][r][v]);
                    });
                });
            });
            detail::static_for<Rows>([&](auto r) TYPENET_INLINE_LAMBDA {
                detail::static_for<Vectors>([&](auto v) TYPENET_INLINE_LAMBDA {
                    Batch sum = partial[0][r][v];
                    detail::static_for<splits - 1>([&](auto s) TYPENET_INLINE_LAMBDA { sum += partial[s + 1][r][v]; });
                    acc[r][v] = sum;
                });
            });
        }
    }

    // Rows per register tile: 8 frames of up to two vectors, 4 of more.
    template <std::size_t Vectors>
    static constexpr std::size_t tile_rows = Vectors <= 2 ? 8 : 4;

    // For every tile of rows of Frames: Body<Rows>(first row).
    template <std::size_t Frames, std::size_t Rows, class Body>
    TYPENET_ALWAYS_INLINE static void for_row_tiles(Body&& body) noexcept {
        constexpr std::size_t tiles = Frames / Rows, rest = Frames % Rows;
        for (std::size_t t = 0; t < tiles; ++t) body(std::integral_constant<std::size_t, Rows>{}, t * Rows);
        if constexpr (rest > 0) body(std::integral_constant<std::size_t, rest>{}, tiles * Rows);
    }

    // y rows = bias (or zero) + W x rows (a 1x1 convolution of In inputs to Out outputs); with Add, y += that.
    template <class T, std::size_t Frames, std::size_t In, std::size_t Out, bool Add>
    TYPENET_ALWAYS_INLINE static void pointwise(const T* x, std::size_t x_stride, const T* w, const T* bias, T* y, std::size_t y_stride) noexcept {
        using vectors = detail::output_vectors<T, Out>;
        using batch = typename vectors::batch;
        constexpr std::size_t V = vectors::count, width = vectors::width;
        for_row_tiles<Frames, tile_rows<V>>([&](auto rows, std::size_t first) TYPENET_INLINE_LAMBDA {
            constexpr std::size_t R = decltype(rows)::value;
            batch acc[R][V];
            const T* inputs[R];
            detail::static_for<R>([&](auto r) TYPENET_INLINE_LAMBDA {
                inputs[r] = x + (first + r) * x_stride;
                detail::static_for<V>([&](auto v) TYPENET_INLINE_LAMBDA {
                    acc[r][v] = bias ? batch::load_aligned(bias + v * width) : batch(T(0));
                    if constexpr (Add) acc[r][v] += batch::load_aligned(y + (first + r) * y_stride + v * width);
                });
            });
            accumulate<batch, V, R, In, vectors::padded>(acc, inputs, w);
            detail::static_for<R>([&](auto r) TYPENET_INLINE_LAMBDA {
                detail::static_for<V>([&](auto v) TYPENET_INLINE_LAMBDA { acc[r][v].store_aligned(y + (first + r) * y_stride + v * width); });
            });
        });
    }

    // Layer L of array I over Frames frames: v (the residual stream) and accumulated (the head sum) in place.
    // The kernel is shared by every layer of the same shape (the dilation, ring and weights are arguments),
    // so that a pass through the layers runs a few kilobytes of code, not one copy per layer.
    template <class T, std::size_t Frames, std::size_t I, std::size_t L>
    TYPENET_ALWAYS_INLINE static void run_layer(const T* block, T* state, std::size_t position, const T* condition, T* v,
                                                T* accumulated) noexcept {
        using A = array<I>;
        using tensors = array_tensor_list<T, I>;
        using facts = detail::layer_facts<A, boost::mp11::mp_at_c<typename A::layers, L>>;
        constexpr std::size_t layer_count = boost::mp11::mp_size<typename A::layers>::value;
        constexpr bool residual = !(I + 1 == array_count && L + 1 == layer_count);
        constexpr std::size_t J = 1 + 5 * L;
        const auto& offsets = detail::storage_offsets<tensors>::value;
        layer_kernel<T, Frames, A::channels, A::bottleneck, facts::kernel_size, A::condition_size, facts::gated, typename facts::activation,
                     residual, facts::planar>(block + offsets[J], block + offsets[J + 1], block + offsets[J + 2], block + offsets[J + 3],
                                              block + offsets[J + 4], state + ring_offsets<T>[I][L],
                                              facts::ring_frames == 0 ? 0 : facts::ring_frames - 1, facts::ring_length, facts::dilation,
                                              position, condition, v, accumulated);
    }

    template <class T, std::size_t Frames, std::size_t C, std::size_t B, std::size_t K, std::size_t CS, bool Gated, class Activation,
              bool Residual, bool Planar>
    TYPENET_NOINLINE static void layer_kernel(const T* conv, const T* conv_bias, const T* mixin, const T* pointwise_weight,
                                              const T* pointwise_bias, T* ring, std::size_t mask, std::size_t ring_length,
                                              std::size_t dilation, std::size_t position, const T* condition, T* v,
                                              T* accumulated) noexcept {
        constexpr std::size_t stride = widest_stride<T>;
        constexpr std::size_t conv_out = (Gated ? 2 : 1) * B;
        using vectors = detail::output_vectors<T, conv_out>;
        using batch = typename vectors::batch;
        constexpr std::size_t V = vectors::count, width = vectors::width;
        constexpr std::size_t z_stride = typenet::detail::round_up(vectors::padded + width, 64 / sizeof(T));
        // The tile's frames go into the ring first; every tap is then read from it.
        if constexpr (K > 1) {
            if constexpr (Planar) {
                for (std::size_t r = 0; r < Frames; ++r) planar_write(ring, ring_length, mask, (position + r) & mask, v + r * stride, C);
            } else {
                for (std::size_t r = 0; r < Frames; ++r) std::memcpy(ring + ((position + r) & mask) * C, v + r * stride, C * sizeof(T));
            }
        }
        alignas(typenet::detail::storage_alignment) T z[Gated ? Frames * z_stride : 1];
        alignas(typenet::detail::storage_alignment) T activated[Frames * stride];
        for_row_tiles<Frames, tile_rows<V>>([&](auto rows, std::size_t first) TYPENET_INLINE_LAMBDA {
            constexpr std::size_t R = decltype(rows)::value;
            batch acc[R][V];
            for (std::size_t r = 0; r < R; ++r)
                for (std::size_t vi = 0; vi < V; ++vi) acc[r][vi] = batch::load_aligned(conv_bias + vi * width);
            // The condition first: known from the start, it stays off the chain that waits for this frame.
            const T* conditions[R];
            for (std::size_t r = 0; r < R; ++r) conditions[r] = condition + (first + r) * stride;
            accumulate<batch, V, R, CS, vectors::padded>(acc, conditions, mixin);
            auto slot_of = [&](std::size_t r, std::size_t k) TYPENET_INLINE_LAMBDA { return (position + first + r - (K - 1 - k) * dilation) & mask; };
            if constexpr (K > 1 && R * V < 4) {
                // Few accumulators: the K taps gathered into one row go through one product, whose partial
                // sums span all K C inputs (one reduction, not one per tap).
                alignas(typenet::detail::storage_alignment) T gathered[R][K * C];
                const T* rows_of_taps[R];
                for (std::size_t r = 0; r < R; ++r) {
                    for (std::size_t k = 0; k < K; ++k)
                        for (std::size_t c = 0; c < C; ++c) gathered[r][k * C + c] = Planar ? ring[c * ring_length + slot_of(r, k)] : ring[slot_of(r, k) * C + c];
                    rows_of_taps[r] = gathered[r];
                }
                accumulate<batch, V, R, K * C, vectors::padded>(acc, rows_of_taps, conv);
            } else {
                for (std::size_t k = 0; k < K; ++k) {
                    const T* taps[R];
                    for (std::size_t r = 0; r < R; ++r)
                        taps[r] = K == 1 ? v + (first + r) * stride : Planar ? ring + slot_of(r, k) : ring + slot_of(r, k) * C;
                    accumulate<batch, V, R, C, vectors::padded>(acc, taps, conv + k * C * vectors::padded, K > 1 && Planar ? ring_length : 1);
                }
            }
            for (std::size_t r = 0; r < R; ++r) {
                T* a = activated + (first + r) * stride;
                T* h = accumulated + (first + r) * stride;
                if constexpr (Gated) {
                    for (std::size_t vi = 0; vi < V; ++vi) acc[r][vi].store_aligned(z + (first + r) * z_stride + vi * width);
                    gate<T, B>(z + (first + r) * z_stride, a, h);
                } else {
                    for (std::size_t vi = 0; vi < V; ++vi) {
                        const batch value = Activation::apply(acc[r][vi]);
                        value.store_aligned(a + vi * width);
                        (batch::load_aligned(h + vi * width) + value).store_aligned(h + vi * width);
                    }
                }
            }
        });
        if constexpr (Residual) pointwise<T, Frames, B, C, true>(activated, stride, pointwise_weight, pointwise_bias, v, stride);
    }

    // Frame `slot` of a planar ring whose sizes are arguments (the kernels shared by layers of one shape).
    template <class T>
    TYPENET_ALWAYS_INLINE static void planar_write(T* ring, std::size_t ring_length, std::size_t mask, std::size_t slot, const T* frame,
                                                   std::size_t channels) noexcept {
        for (std::size_t c = 0; c < channels; ++c) detail::planar_store(ring, ring_length, mask + 1, slot, c, frame[c]);
    }

    // ---- One frame at a time (block size 1: what a pedal with no added latency runs). A frame's pass is one
    // chain of dependent steps through every layer, so it is bound by latency, not by throughput: the
    // residual stream and the head sum stay in registers from layer to layer, a product's inputs that the
    // step before it computed are broadcast from those registers (simd::broadcast_lane: no store and reload
    // on the chain), and only the past frames (the lagged taps, known long before) are read from the rings,
    // straight from their slots. An array with a gated layer or a head convolution (A2) takes the frame-major
    // kernels instead.
    template <class A>
    static constexpr bool single_frame_in_registers = [] {
        bool ok = detail::head_facts<A>::kernel_size == 1;
        boost::mp11::mp_for_each<typename A::layers>([&](auto layer) { ok = ok && !decltype(layer)::gated; });
        return ok;
    }();

    // Independent sums in flight for a product into Vectors vectors whose inputs on the critical path are
    // Inputs: about 8 (two FMA units, four cycles), but no more than those inputs, since every further chain
    // adds a level to the final sum.
    template <std::size_t Vectors, std::size_t Inputs>
    static constexpr std::size_t chain_count = std::max<std::size_t>(1, std::min(Inputs, Vectors >= 8 ? 1 : 8 / Vectors));

    // Input I of a row held in registers (lane I % width of vector I / width), broadcast as a To batch.
    template <class To, std::size_t I, class From, std::size_t N>
    TYPENET_ALWAYS_INLINE static To lane_of(const From (&x)[N]) noexcept {
        constexpr std::size_t width = From::size;
        if constexpr (std::is_same_v<To, From>) {
            return simd::broadcast_lane<I % width>(x[I / width]);
        } else {  // a bottleneck of another width than the channels (A2): through memory
            alignas(typenet::detail::storage_alignment) typename From::value_type lanes[width];
            x[I / width].store_aligned(lanes);
            return To(lanes[I % width]);
        }
    }

    // chains[s][v] += input(i) * row i of w (input-major, Padded values per row) for i < In; input i goes on
    // chain (First + i) % S, so a product's inputs spread over every chain.
    template <class Batch, std::size_t S, std::size_t V, std::size_t In, std::size_t Padded, std::size_t First = 0, class Input>
    TYPENET_ALWAYS_INLINE static void chained_product(Batch (&chains)[S][V], const typename Batch::value_type* w, Input&& input) noexcept {
        detail::static_for<In>([&](auto i) TYPENET_INLINE_LAMBDA {
            const Batch x = input(i);
            detail::static_for<V>([&](auto v) TYPENET_INLINE_LAMBDA {
                chains[(First + i) % S][v] = simd::fma(x, Batch::load_aligned(w + i * Padded + v * Batch::size), chains[(First + i) % S][v]);
            });
        });
    }

    // out = the sum of the S chains, as a tree.
    template <std::size_t Step, class Batch, std::size_t S, std::size_t V>
    TYPENET_ALWAYS_INLINE static void sum_chains(Batch (&chains)[S][V], Batch (&out)[V]) noexcept {
        if constexpr (Step < S) {
            detail::static_for<(S + 2 * Step - 1) / (2 * Step)>([&](auto pair) TYPENET_INLINE_LAMBDA {
                constexpr std::size_t s = 2 * Step * decltype(pair)::value;
                if constexpr (s + Step < S)
                    detail::static_for<V>([&](auto v) TYPENET_INLINE_LAMBDA { chains[s][v] += chains[s + Step][v]; });
            });
            sum_chains<2 * Step>(chains, out);
        } else {
            detail::static_for<V>([&](auto v) TYPENET_INLINE_LAMBDA { out[v] = chains[0][v]; });
        }
    }
    template <class Batch, std::size_t S, std::size_t V>
    TYPENET_ALWAYS_INLINE static void sum_chains(Batch (&chains)[S][V], Batch (&out)[V]) noexcept {
        sum_chains<1>(chains, out);
    }

    template <class Batch, std::size_t S, std::size_t V>
    TYPENET_ALWAYS_INLINE static void start_chains(Batch (&chains)[S][V], const typename Batch::value_type* bias) noexcept {
        detail::static_for<S>([&](auto s) TYPENET_INLINE_LAMBDA {
            detail::static_for<V>([&](auto v) TYPENET_INLINE_LAMBDA {
                chains[s][v] = s == 0 && bias ? Batch::load_aligned(bias + v * Batch::size) : Batch(0);
            });
        });
    }

    // Array I for one frame: in (a row of input_size), head (the previous array's head output, ignored for
    // the first array) -> out (the residual stream), head (this array's head output).
    template <class T, std::size_t I>
    TYPENET_NOINLINE TYPENET_FLATTEN static void run_array_single(const T* block, T* state, std::size_t position, const T* condition, const T* in, T* out,
                                                  T* head) noexcept {
        using A = array<I>;
        const auto& offsets = detail::storage_offsets<array_tensor_list<T, I>>::value;
        constexpr std::size_t layer_count = boost::mp11::mp_size<typename A::layers>::value;
        using channel_vectors = detail::output_vectors<T, A::channels>;
        using head_vectors = detail::output_vectors<T, A::bottleneck>;
        using channel_batch = typename channel_vectors::batch;
        using head_batch = typename head_vectors::batch;
        constexpr std::size_t VC = channel_vectors::count, VH = head_vectors::count;
        // v = rechannel(in); the input may alias out.
        channel_batch v[VC];
        {
            channel_batch chains[chain_count<VC, A::input_size>][VC];
            start_chains(chains, static_cast<const T*>(nullptr));
            chained_product<channel_batch, chain_count<VC, A::input_size>, VC, A::input_size, channel_vectors::padded>(
                chains, block + offsets[0], [&](auto i) TYPENET_INLINE_LAMBDA { return channel_batch(in[i]); });
            sum_chains(chains, v);
        }
        head_batch h[VH];
        for (std::size_t vi = 0; vi < VH; ++vi) h[vi] = I == 0 ? head_batch(T(0)) : head_batch::load_aligned(head + vi * head_vectors::width);
        detail::static_for<layer_count>([&](auto l) TYPENET_INLINE_LAMBDA { single_frame_layer<T, I, decltype(l)::value>(block, state, position, condition, v, h); });
        // head = head_rechannel(head sum)
        using output_vectors = detail::output_vectors<T, A::head_size>;
        using output_batch = typename output_vectors::batch;
        constexpr std::size_t VO = output_vectors::count, HI = 1 + 5 * layer_count;
        constexpr std::size_t SO = chain_count<VO, A::bottleneck>;
        output_batch chains[SO][VO], sums[VO];
        start_chains(chains, A::head_bias ? block + offsets[HI + 1] : nullptr);
        chained_product<output_batch, SO, VO, A::bottleneck, output_vectors::padded>(
            chains, block + offsets[HI], [&](auto o) TYPENET_INLINE_LAMBDA { return lane_of<output_batch, decltype(o)::value>(h); });
        sum_chains(chains, sums);
        for (std::size_t vi = 0; vi < VO; ++vi) sums[vi].store_aligned(head + vi * output_vectors::width);
        if constexpr (I + 1 < array_count)
            for (std::size_t vi = 0; vi < VC; ++vi) v[vi].store_aligned(out + vi * channel_vectors::width);
    }

    template <class T, std::size_t I, std::size_t L, class ChannelBatch, std::size_t VC, class HeadBatch, std::size_t VH>
    TYPENET_ALWAYS_INLINE static void single_frame_layer(const T* block, T* state, std::size_t position, const T* condition, ChannelBatch (&v)[VC],
                                                         HeadBatch (&h)[VH]) noexcept {
        using A = array<I>;
        using facts = detail::layer_facts<A, boost::mp11::mp_at_c<typename A::layers, L>>;
        constexpr std::size_t C = A::channels, B = A::bottleneck, K = facts::kernel_size, CS = A::condition_size, J = 1 + 5 * L;
        constexpr bool residual = !(I + 1 == array_count && L + 1 == boost::mp11::mp_size<typename A::layers>::value);
        const auto& offsets = detail::storage_offsets<array_tensor_list<T, I>>::value;
        constexpr std::size_t padded = detail::output_vectors<T, B>::padded, S = chain_count<VH, C>;
        const T* conv = block + offsets[J];
        HeadBatch chains[S][VH];
        start_chains(chains, block + offsets[J + 1]);
        chained_product<HeadBatch, S, VH, CS, padded>(chains, block + offsets[J + 2],
                                                      [&](auto c) TYPENET_INLINE_LAMBDA { return HeadBatch(condition[c]); });
        if constexpr (K > 1) {
            T* ring = state + ring_offsets<T>[I][L];
            detail::static_for<K - 1>([&](auto k) TYPENET_INLINE_LAMBDA {
                const std::size_t slot = facts::slot_of(position, k);
                chained_product<HeadBatch, S, VH, C, padded, CS + k * C>(chains, conv + k * C * padded,
                                                                         [&](auto c) TYPENET_INLINE_LAMBDA { return HeadBatch(facts::at(ring, slot, c)); });
            });
            // This frame into the ring, for the frames after it (no tap of this one reads its slot): whole
            // vectors where a frame-major slot holds them, else facts::push.
            constexpr std::size_t width = ChannelBatch::size;
            if constexpr (!facts::planar && C % width == 0) {
                for (std::size_t vi = 0; vi < VC; ++vi) v[vi].store_unaligned(ring + facts::slot_of(position, K - 1) * C + vi * width);
            } else {
                alignas(typenet::detail::storage_alignment) T frame[VC * width];
                for (std::size_t vi = 0; vi < VC; ++vi) v[vi].store_aligned(frame + vi * width);
                facts::push(ring, position, frame);
            }
        }
        chained_product<HeadBatch, S, VH, C, padded, CS + (K - 1) * C>(chains, conv + (K - 1) * C * padded, [&](auto c) TYPENET_INLINE_LAMBDA {
            return lane_of<HeadBatch, decltype(c)::value>(v);
        });
        HeadBatch a[VH];
        sum_chains(chains, a);
        detail::static_for<VH>([&](auto vi) TYPENET_INLINE_LAMBDA {
            a[vi] = facts::activation::apply(a[vi]);
            h[vi] += a[vi];
        });
        if constexpr (residual) {
            // v += 1x1(a) + bias: v itself starts one chain, the bias another.
            constexpr std::size_t S1 = chain_count<VC, B>;
            ChannelBatch sums[S1][VC];
            start_chains(sums, block + offsets[J + 4]);
            detail::static_for<VC>([&](auto vi) TYPENET_INLINE_LAMBDA { sums[S1 - 1][vi] += v[vi]; });
            chained_product<ChannelBatch, S1, VC, B, detail::output_vectors<T, C>::padded>(
                sums, block + offsets[J + 3], [&](auto o) TYPENET_INLINE_LAMBDA { return lane_of<ChannelBatch, decltype(o)::value>(a); });
            sum_chains(sums, v);
        }
    }

    // ---- Planar tiles: an array of few channels (detail::is_planar) over tile_frames frames, each vector one
    // channel (or head or condition channel) over the frames of the tile.
    template <class T>
    using frame_batch = simd::batch<T>;
    template <class T>
    static constexpr std::size_t frame_vectors = tile_frames / frame_batch<T>::size;

    template <class T, std::size_t I>
    TYPENET_ALWAYS_INLINE static void run_array_planar(const T* block, T* state, std::size_t position, const T* condition, const T* in, T* out,
                                                       T* head) noexcept {
        using A = array<I>;
        using tensors = array_tensor_list<T, I>;
        using batch = frame_batch<T>;
        constexpr std::size_t F = tile_frames, W = batch::size, FV = frame_vectors<T>;
        static_assert(F % W == 0, "typenet::nam::wavenet: a tile is whole vectors of frames");
        constexpr std::size_t stride = widest_stride<T>;
        constexpr std::size_t C = A::channels, B = A::bottleneck, In = A::input_size, H = A::head_size, CS = A::condition_size;
        constexpr std::size_t layer_count = boost::mp11::mp_size<typename A::layers>::value;
        constexpr bool last_array = I + 1 == array_count;
        const auto& offsets = detail::storage_offsets<tensors>::value;
        alignas(typenet::detail::storage_alignment) T cond_p[CS][F], in_p[In][F], v_p[C][F], head_p[B][F];
        for (std::size_t t = 0; t < F; ++t) {
            for (std::size_t c = 0; c < CS; ++c) cond_p[c][t] = condition[t * stride + c];
            for (std::size_t i = 0; i < In; ++i) in_p[i][t] = in[t * stride + i];
            for (std::size_t o = 0; o < B; ++o) head_p[o][t] = I == 0 ? T(0) : head[t * stride + o];
        }
        // v = rechannel(in)
        {
            const T* w = block + offsets[0];
            constexpr std::size_t padded = detail::output_vectors<T, C>::padded;
            for (std::size_t c = 0; c < C; ++c)
                for (std::size_t f = 0; f < FV; ++f) {
                    batch sum(T(0));
                    for (std::size_t i = 0; i < In; ++i) sum = simd::fma(batch(w[i * padded + c]), batch::load_aligned(in_p[i] + f * W), sum);
                    sum.store_aligned(v_p[c] + f * W);
                }
        }
        detail::static_for<layer_count>([&](auto l) TYPENET_INLINE_LAMBDA {
            using facts = detail::layer_facts<A, boost::mp11::mp_at_c<typename A::layers, l>>;
            constexpr std::size_t J = 1 + 5 * l;
            planar_layer<T, C, B, facts::kernel_size, CS, facts::gated, typename facts::activation, !(last_array && l + 1 == layer_count)>(
                block + offsets[J], block + offsets[J + 1], block + offsets[J + 2], block + offsets[J + 3], block + offsets[J + 4],
                state + ring_offsets<T>[I][l], facts::ring_frames == 0 ? 0 : facts::ring_frames - 1, facts::ring_length, facts::dilation, position,
                cond_p[0], v_p[0], head_p[0]);
        });
        // head = head_rechannel(head sum), written back frame-major with the residual stream.
        constexpr std::size_t HI = 1 + 5 * layer_count;
        const T* wh = block + offsets[HI];
        constexpr std::size_t padded_head = detail::output_vectors<T, H>::padded;
        using head_ring = detail::head_facts<A>;
        constexpr std::size_t HK = head_ring::kernel_size;
        // The taps of the head convolution: the head sums of the tile (HK = 1), or their ring (A2's head kernels).
        T* ring = state + ring_offsets<T>[I][layer_count];
        if constexpr (HK > 1)
            for (std::size_t t = 0; t < F; ++t)
                for (std::size_t o = 0; o < B; ++o) head_ring::write(ring, head_ring::slot_of(position + t, HK - 1), o, head_p[o][t]);
        auto tap = [&](std::size_t k, std::size_t o, std::size_t f) TYPENET_INLINE_LAMBDA {
            if constexpr (HK == 1)
                return batch::load_aligned(head_p[o] + f * W);
            else
                return batch::load_unaligned(ring + o * head_ring::ring_length + head_ring::slot_of(position, k) + f * W);
        };
        for (std::size_t h = 0; h < H; ++h)
            for (std::size_t f = 0; f < FV; ++f) {
                batch sum(T(0));
                if constexpr (A::head_bias) sum = batch(block[offsets[HI + 1] + h]);
                for (std::size_t k = 0; k < HK; ++k)
                    for (std::size_t o = 0; o < B; ++o) sum = simd::fma(batch(wh[(k * B + o) * padded_head + h]), tap(k, o, f), sum);
                alignas(typenet::detail::storage_alignment) T lanes[W];
                sum.store_aligned(lanes);
                for (std::size_t t = 0; t < W; ++t) head[(f * W + t) * stride + h] = lanes[t];
            }
        if constexpr (!last_array)
            for (std::size_t t = 0; t < F; ++t)
                for (std::size_t c = 0; c < C; ++c) out[t * stride + c] = v_p[c][t];
    }

    // One layer over a planar tile: v (C channels) and head (B) in place, each channel tile_frames apart.
    template <class T, std::size_t C, std::size_t B, std::size_t K, std::size_t CS, bool Gated, class Activation, bool Residual>
    TYPENET_NOINLINE static void planar_layer(const T* conv, const T* conv_bias, const T* mixin, const T* pointwise_weight,
                                              const T* pointwise_bias, T* ring, std::size_t mask, std::size_t ring_length,
                                              std::size_t dilation, std::size_t position, const T* condition, T* v, T* head) noexcept {
        using batch = frame_batch<T>;
        constexpr std::size_t F = tile_frames, W = batch::size, FV = frame_vectors<T>;
        constexpr std::size_t conv_out = (Gated ? 2 : 1) * B;
        constexpr std::size_t padded = detail::output_vectors<T, conv_out>::padded, padded_c = detail::output_vectors<T, C>::padded;
        if constexpr (K > 1) {
            const std::size_t start = position & mask, frames = mask + 1;
            for (std::size_t c = 0; c < C; ++c) {
                T* channel = ring + c * ring_length;
                if (start >= F && start + F <= frames) {
                    std::memcpy(channel + start, v + c * F, F * sizeof(T));
                } else {
                    for (std::size_t t = 0; t < F; ++t) {
                        const std::size_t slot = (start + t) & mask;
                        channel[slot] = v[c * F + t];
                        if (slot < F) channel[frames + slot] = v[c * F + t];
                    }
                }
            }
        }
        batch acc[conv_out][FV];
        detail::static_for<conv_out>([&](auto o) TYPENET_INLINE_LAMBDA {
            detail::static_for<FV>([&](auto f) TYPENET_INLINE_LAMBDA { acc[o][f] = batch(conv_bias[o]); });
        });
        for (std::size_t k = 0; k < K; ++k) {
            const std::size_t first = (position - (K - 1 - k) * dilation) & mask;
            for (std::size_t c = 0; c < C; ++c) {
                const T* taps = K > 1 ? ring + c * ring_length + first : v + c * F;
                batch tap[FV];
                detail::static_for<FV>([&](auto f) TYPENET_INLINE_LAMBDA { tap[f] = batch::load_unaligned(taps + f * W); });
                const T* w = conv + (k * C + c) * padded;
                detail::static_for<conv_out>([&](auto o) TYPENET_INLINE_LAMBDA {
                    const batch weight(w[o]);
                    detail::static_for<FV>([&](auto f) TYPENET_INLINE_LAMBDA { acc[o][f] = simd::fma(weight, tap[f], acc[o][f]); });
                });
            }
        }
        for (std::size_t c = 0; c < CS; ++c) {
            batch value[FV];
            detail::static_for<FV>([&](auto f) TYPENET_INLINE_LAMBDA { value[f] = batch::load_aligned(condition + c * F + f * W); });
            detail::static_for<conv_out>([&](auto o) TYPENET_INLINE_LAMBDA {
                const batch weight(mixin[c * padded + o]);
                detail::static_for<FV>([&](auto f) TYPENET_INLINE_LAMBDA { acc[o][f] = simd::fma(weight, value[f], acc[o][f]); });
            });
        }
        batch activated[B][FV];
        detail::static_for<B>([&](auto o) TYPENET_INLINE_LAMBDA {
            detail::static_for<FV>([&](auto f) TYPENET_INLINE_LAMBDA {
                if constexpr (Gated)
                    activated[o][f] = typenet::tanh::apply(acc[o][f]) * typenet::sigmoid::apply(acc[B + o][f]);
                else
                    activated[o][f] = Activation::apply(acc[o][f]);
                (batch::load_aligned(head + o * F + f * W) + activated[o][f]).store_aligned(head + o * F + f * W);
            });
        });
        if constexpr (Residual)
            for (std::size_t c = 0; c < C; ++c)
                detail::static_for<FV>([&](auto f) TYPENET_INLINE_LAMBDA {
                    batch sum = batch::load_aligned(v + c * F + f * W) + batch(pointwise_bias[c]);
                    detail::static_for<B>([&](auto o) TYPENET_INLINE_LAMBDA {
                        sum = simd::fma(batch(pointwise_weight[o * padded_c + c]), activated[o][f], sum);
                    });
                    sum.store_aligned(v + c * F + f * W);
                });
    }

    // Array I over Frames frames: in (rows of input_size), head (rows of the previous array's head output;
    // ignored for the first array) -> out (the residual stream), head (this array's head output).
    template <class T, std::size_t Frames, std::size_t I>
    TYPENET_ALWAYS_INLINE static void run_array(const T* block, T* state, std::size_t position, const T* condition, const T* in, T* out,
                                                T* head) noexcept {
        if constexpr (detail::is_planar<array<I>>() && Frames == tile_frames) {
            run_array_planar<T, I>(block, state, position, condition, in, out, head);
            return;
        }
        using A = array<I>;
        using tensors = array_tensor_list<T, I>;
        constexpr std::size_t stride = widest_stride<T>;
        constexpr std::size_t layer_count = boost::mp11::mp_size<typename A::layers>::value;
        constexpr std::size_t C = A::channels, B = A::bottleneck;
        constexpr bool last_array = I + 1 == array_count;
        auto tensor_at = [block](auto j) TYPENET_INLINE_LAMBDA { return block + detail::storage_offsets<tensors>::value[j]; };

        // v = rechannel(in). The input may alias out (the previous array's stream): v is a buffer of its own.
        alignas(typenet::detail::storage_alignment) T v[Frames * stride];
        pointwise<T, Frames, A::input_size, C, false>(in, stride, tensor_at(std::integral_constant<std::size_t, 0>{}), nullptr, v, stride);
        alignas(typenet::detail::storage_alignment) T accumulated[Frames * stride];
        if constexpr (I == 0)
            std::fill_n(accumulated, Frames * stride, T(0));
        else
            std::copy_n(head, Frames * stride, accumulated);

        detail::static_for<layer_count>([&](auto l) TYPENET_INLINE_LAMBDA {
            run_layer<T, Frames, I, decltype(l)::value>(block, state, position, condition, v, accumulated);
        });
        constexpr std::size_t H = 1 + 5 * layer_count;
        const T* head_bias = nullptr;
        if constexpr (A::head_bias) head_bias = tensor_at(std::integral_constant<std::size_t, H + 1>{});
        using head_ring = detail::head_facts<A>;
        if constexpr (head_ring::kernel_size == 1) {
            pointwise<T, Frames, B, A::head_size, false>(accumulated, stride, tensor_at(std::integral_constant<std::size_t, H>{}), head_bias,
                                                         head, stride);
        } else {
            // A head convolution (A2): the head sums go into its ring, then through the taps as a layer's input.
            T* ring = state + ring_offsets<T>[I][layer_count];
            for (std::size_t r = 0; r < Frames; ++r) head_ring::push(ring, position + r, accumulated + r * stride);
            using vectors = detail::output_vectors<T, A::head_size>;
            using batch = typename vectors::batch;
            constexpr std::size_t V = vectors::count, width = vectors::width, K = head_ring::kernel_size;
            const T* weight = tensor_at(std::integral_constant<std::size_t, H>{});
            for_row_tiles<Frames, tile_rows<V>>([&](auto rows, std::size_t first) TYPENET_INLINE_LAMBDA {
                constexpr std::size_t R = decltype(rows)::value;
                batch acc[R][V];
                for (std::size_t r = 0; r < R; ++r)
                    for (std::size_t vi = 0; vi < V; ++vi) acc[r][vi] = head_bias ? batch::load_aligned(head_bias + vi * width) : batch(T(0));
                for (std::size_t k = 0; k < K; ++k) {
                    const T* taps[R];
                    for (std::size_t r = 0; r < R; ++r) {
                        const std::size_t slot = head_ring::slot_of(position + first + r, k);
                        taps[r] = head_ring::planar ? ring + slot : ring + slot * B;
                    }
                    accumulate<batch, V, R, B, vectors::padded>(acc, taps, weight + k * B * vectors::padded,
                                                                head_ring::planar ? head_ring::ring_length : 1);
                }
                for (std::size_t r = 0; r < R; ++r)
                    for (std::size_t vi = 0; vi < V; ++vi) acc[r][vi].store_aligned(head + (first + r) * stride + vi * width);
            });
        }
        if constexpr (!last_array) std::copy_n(v, Frames * stride, out);
    }

    // a = tanh(z[:B]) * sigmoid(z[B:]), head += a, for one frame.
    template <class T, std::size_t B>
    TYPENET_ALWAYS_INLINE static void gate(const T* z, T* a, T* head) noexcept {
        using batch = simd::batch<T, simd::narrow_arch>;
        constexpr std::size_t width = batch::size, whole = B / width * width;
        for (std::size_t o = 0; o < whole; o += width) {
            const batch value = typenet::tanh::apply(batch::load_unaligned(z + o)) * typenet::sigmoid::apply(batch::load_unaligned(z + B + o));
            value.store_unaligned(a + o);
            (batch::load_unaligned(head + o) + value).store_unaligned(head + o);
        }
        if constexpr (whole < B) {
            alignas(typenet::detail::storage_alignment) T top[width] = {}, bottom[width] = {}, value[width];
            std::copy_n(z + whole, B - whole, top);
            std::copy_n(z + B + whole, B - whole, bottom);
            (typenet::tanh::apply(batch::load_aligned(top)) * typenet::sigmoid::apply(batch::load_aligned(bottom))).store_aligned(value);
            for (std::size_t o = whole; o < B; ++o) {
                a[o] = value[o - whole];
                head[o] += value[o - whole];
            }
        }
    }
};

}  // namespace typenet::nam::inline TYPENET_ISA
