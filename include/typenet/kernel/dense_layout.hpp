// Storage layout of matrix-product weights in the parameter block: a dense layer's, and the shared kernels' layout
// that conv1d (its gathered rows) and the recurrent gates reuse. (kernel/: no layer folder owns it.)
//
// Documentation: docs/internals.md
// Distributed under the Boost Software License, Version 1.0 (see LICENSE or https://www.boost.org/LICENSE_1_0.txt).
#pragma once

#include <cstddef>

#include <array>
#include <type_traits>

#include "../config.hpp"
#include "../detail/constexpr_math.hpp"
#include "../simd.hpp"

namespace typenet::detail::inline TYPENET_ISA {

// Layers with at most this many outputs use the narrow vectors (256-bit under AVX-512): a wider vector
// would be mostly padding. Everything else uses the widest vectors the compiler enables, and so does a
// single-output layer whose fan-in is whole wide vectors: its dot product's vectors run along the inputs,
// where nothing is padding (the README's benchmark section has the measurements behind these choices).
inline constexpr std::size_t narrow_layer_max_outputs = 8;
// Weights are stored in panels of this many vectors: one register tile of the single-sample kernel.
inline constexpr std::size_t panel_vectors = 8;

template <class T, std::size_t FanIn, std::size_t FanOut>
struct dense_layout {
    static constexpr std::size_t fan_in = FanIn;
    static constexpr std::size_t fan_out = FanOut;
    static constexpr bool is_dot = FanOut == 1;
    static constexpr bool is_wide = FanOut > narrow_layer_max_outputs || (is_dot && FanIn % simd::lanes<T, simd::wide_arch> == 0);
    using arch = std::conditional_t<is_wide, simd::wide_arch, simd::narrow_arch>;
    static constexpr std::size_t lanes = simd::lanes<T, arch>;
    // A layer whose outputs fit in one vector, over an input of at least two whole vectors, stores W as
    // PyTorch does ([out][in], rows of whole vectors) and computes each output as a dot product: one
    // weight load per FMA and no broadcast of the input (the input-major panels below would need a
    // broadcast load per input for a single vector of FMAs; the README's kernel section has the numbers).
    static constexpr bool is_row_major = FanOut > 1 && FanOut <= lanes && FanIn % lanes == 0 && FanIn >= 2 * lanes;
    // Width of the layer's output buffer. Lanes past fan_out hold activation(0): weights and bias are zero there.
    static constexpr std::size_t padded_out = is_dot ? 1 : round_up(FanOut, lanes);
    static constexpr std::size_t alignment_elements = storage_alignment / sizeof(T);
    static constexpr std::size_t weight_storage = round_up(is_dot ? FanIn : is_row_major ? FanOut * FanIn : FanIn * padded_out, alignment_elements);
    static constexpr std::size_t bias_storage = round_up(padded_out, alignment_elements);
    static constexpr std::size_t storage = weight_storage + bias_storage;

    // Panels: contiguous [FanIn][panel width] blocks of up to panel_vectors vectors, the last one narrower
    // (a single panel of one row per input for dot and row-major layers, which do not use them).
    static constexpr std::size_t panel_width = is_dot ? 1 : (padded_out < panel_vectors * lanes ? padded_out : panel_vectors * lanes);
    static constexpr std::size_t panel_count = (padded_out + panel_width - 1) / panel_width;
    static constexpr std::size_t panel_width_of(std::size_t panel) noexcept {
        return padded_out - panel * panel_width < panel_width ? padded_out - panel * panel_width : panel_width;
    }

    // Position of PyTorch's weight[out][in] relative to the layer's weight block.
    static constexpr std::size_t weight_index(std::size_t out, std::size_t in) noexcept {
        if (is_dot) return in;
        if (is_row_major) return out * FanIn + in;
        const std::size_t panel = out / panel_width;
        return panel * panel_width * FanIn + in * panel_width_of(panel) + out % panel_width;
    }
};

// The two tensors of a dense layer, as the layer contract describes them (typenet::tensor's Layout).
template <class T, std::size_t FanIn, std::size_t FanOut>
struct dense_weight_layout {
    using layout = dense_layout<T, FanIn, FanOut>;
    static constexpr std::array<std::size_t, 2> shape = {FanOut, FanIn};
    static constexpr std::size_t size = FanIn * FanOut;
    static constexpr std::size_t storage = layout::weight_storage;
    static constexpr std::size_t storage_index(std::size_t flat) noexcept { return layout::weight_index(flat / FanIn, flat % FanIn); }
};
template <class T, std::size_t FanIn, std::size_t FanOut>
struct dense_bias_layout {
    static constexpr std::array<std::size_t, 1> shape = {FanOut};
    static constexpr std::size_t size = FanOut;
    static constexpr std::size_t storage = dense_layout<T, FanIn, FanOut>::bias_storage;
    static constexpr std::size_t storage_index(std::size_t flat) noexcept { return flat; }
};

}  // namespace typenet::detail::inline TYPENET_ISA
