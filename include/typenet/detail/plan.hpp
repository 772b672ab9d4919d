// The compile-time plan of a network, computed once from its type list: widths, resolved layers, stages
// (a dense layer with the activations that follow it), parameter offsets and buffer sizes.
#pragma once

#include <array>
#include <cstddef>
#include <utility>

#include <boost/mp11/algorithm.hpp>
#include <boost/mp11/list.hpp>
#include <boost/mp11/utility.hpp>

#include "../dense.hpp"
#include "../input.hpp"
#include "layout.hpp"

namespace typenet::detail {

using namespace boost::mp11;

template <class Layer>
inline constexpr std::size_t declared_units = 0;
template <std::size_t N, class W, class B>
inline constexpr std::size_t declared_units<dense<N, W, B>> = N;

template <class Layer>
inline constexpr bool is_dense_layer_v = false;
template <std::size_t FanIn, std::size_t FanOut, class W, class B>
inline constexpr bool is_dense_layer_v<dense_layer<FanIn, FanOut, W, B>> = true;

template <class T, std::size_t InputSize, class... Layers>
struct plan {
    static constexpr std::size_t layer_count = sizeof...(Layers);
    using declared = mp_list<Layers...>;

    // widths[i]: width of the signal entering layer i; widths[layer_count] is the output width.
    static constexpr std::array<std::size_t, layer_count + 1> widths = [] {
        std::array<std::size_t, layer_count + 1> result{InputSize};
        const std::size_t units[] = {declared_units<Layers>...};
        for (std::size_t i = 0; i < layer_count; ++i) result[i + 1] = units[i] != 0 ? units[i] : result[i];
        return result;
    }();

    template <class Index>
    using next_layer = mp_eval_if_c<(Index::value + 1 >= layer_count), void, mp_at, declared, mp_size_t<Index::value + 1>>;
    template <class Index>
    using resolve_at = typename resolve_layer<mp_at<declared, Index>, widths[Index::value], next_layer<Index>>::type;
    using resolved = mp_transform<resolve_at, mp_iota_c<layer_count>>;

    template <std::size_t I>
    using layout = dense_layout<T, widths[I], widths[I + 1]>;

    static constexpr std::array<bool, layer_count> is_dense = {is_dense_v<Layers>...};
    static constexpr std::size_t stage_count = (std::size_t{0} + ... + (is_dense_v<Layers> ? 1 : 0));

    // stage_begin[s]: index of the dense layer opening stage s; stage_begin[stage_count] = layer_count.
    static constexpr std::array<std::size_t, stage_count + 1> stage_begin = [] {
        std::array<std::size_t, stage_count + 1> result{};
        std::size_t stage = 0;
        for (std::size_t i = 0; i < layer_count; ++i)
            if (is_dense[i]) result[stage++] = i;
        result[stage_count] = layer_count;
        return result;
    }();

    // Activations of stage s, applied in the dense kernel's epilogue.
    template <std::size_t S>
    using stage_activations = mp_drop_c<mp_take_c<declared, stage_begin[S + 1]>, stage_begin[S] + 1>;

    // offsets[i]: start of dense layer i's parameters (weights, then bias) in the parameter block;
    // offsets[layer_count] is the block's size. Activations own nothing.
    static constexpr std::array<std::size_t, layer_count + 1> offsets = []<std::size_t... I>(std::index_sequence<I...>) {
        const std::size_t storage[] = {(is_dense[I] ? layout<I>::storage : 0)..., 0};
        std::array<std::size_t, layer_count + 1> result{};
        for (std::size_t i = 0; i < layer_count; ++i) result[i + 1] = result[i] + storage[i];
        return result;
    }(std::make_index_sequence<layer_count>{});
    static constexpr std::size_t storage_size = offsets[layer_count];

    // Largest activation buffer any stage writes (padded), for the stack buffers of forward().
    static constexpr std::size_t buffer_size = []<std::size_t... I>(std::index_sequence<I...>) {
        std::size_t largest = 1;
        ((largest = is_dense[I] && layout<I>::padded_out > largest ? layout<I>::padded_out : largest), ...);
        return round_up(largest, storage_alignment / sizeof(T));
    }(std::make_index_sequence<layer_count>{});

    static constexpr std::size_t parameter_count = []<std::size_t... I>(std::index_sequence<I...>) {
        return (std::size_t{0} + ... + (is_dense[I] ? widths[I] * widths[I + 1] + widths[I + 1] : 0));
    }(std::make_index_sequence<layer_count>{});
};

}  // namespace typenet::detail
