// Storage layout of one dense layer's parameters inside the network's parameter block.
#pragma once

#include <cstddef>

#include "constexpr_math.hpp"
#include "simd.hpp"

namespace typenet::detail {

// Layers with at most this many outputs use 256-bit vectors under AVX-512: a 512-bit vector would be
// half padding. Everything else uses the widest vectors the compiler enables (measured: on this Zen 5
// class machine 512-bit FMAs run at full rate and halve the single-sample latency of 32- and 64-wide
// layers compared with 256-bit ones).
inline constexpr std::size_t narrow_layer_max_outputs = 8;
// Weights are stored in panels of this many vectors: one register tile of the single-sample kernel.
inline constexpr std::size_t panel_vectors = 8;

template <class T, std::size_t FanIn, std::size_t FanOut>
struct dense_layout {
    static constexpr std::size_t fan_in = FanIn;
    static constexpr std::size_t fan_out = FanOut;
    static constexpr bool is_dot = FanOut == 1;
    using arch = std::conditional_t<(FanOut > narrow_layer_max_outputs), wide_arch, narrow_arch>;
    static constexpr std::size_t lanes = typenet::detail::lanes<T, arch>;
    // Width of the layer's output buffer. Lanes past fan_out hold activation(0): weights and bias are zero there.
    static constexpr std::size_t padded_out = is_dot ? 1 : round_up(FanOut, lanes);
    static constexpr std::size_t alignment_elements = storage_alignment / sizeof(T);
    static constexpr std::size_t weight_storage = round_up(is_dot ? FanIn : FanIn * padded_out, alignment_elements);
    static constexpr std::size_t bias_storage = round_up(padded_out, alignment_elements);
    static constexpr std::size_t storage = weight_storage + bias_storage;

    // Panels: contiguous [FanIn][panel width] blocks of up to panel_vectors vectors, the last one narrower.
    static constexpr std::size_t panel_width = is_dot ? 1 : (padded_out < panel_vectors * lanes ? padded_out : panel_vectors * lanes);
    static constexpr std::size_t panel_count = (padded_out + panel_width - 1) / panel_width;
    static constexpr std::size_t panel_width_of(std::size_t panel) noexcept {
        return padded_out - panel * panel_width < panel_width ? padded_out - panel * panel_width : panel_width;
    }

    // Position of PyTorch's weight[out][in] relative to the layer's weight block.
    static constexpr std::size_t weight_index(std::size_t out, std::size_t in) noexcept {
        if (is_dot) return in;
        const std::size_t panel = out / panel_width;
        return panel * panel_width * FanIn + in * panel_width_of(panel) + out % panel_width;
    }
};

}  // namespace typenet::detail
