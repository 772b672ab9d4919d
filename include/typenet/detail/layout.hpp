// Storage layout of one dense layer's parameters inside the network's parameter block.
#pragma once

#include <cstddef>

#include "constexpr_math.hpp"
#include "simd.hpp"

namespace typenet::detail {

// Layers with at least this many weights are bandwidth/throughput bound and use the widest vectors; smaller
// ones are latency bound and use at most 256-bit vectors (see DESIGN.md, performance notes).
inline constexpr std::size_t wide_layer_min_weights = 16384;

template <class T, std::size_t FanIn, std::size_t FanOut>
struct dense_layout {
    static constexpr std::size_t fan_in = FanIn;
    static constexpr std::size_t fan_out = FanOut;
    static constexpr bool is_dot = FanOut == 1;
    using arch = std::conditional_t<(FanIn * FanOut >= wide_layer_min_weights), wide_arch, narrow_arch>;
    static constexpr std::size_t lanes = typenet::detail::lanes<T, arch>;
    // Width of the layer's output buffer. Lanes past fan_out hold activation(0): weights and bias are zero there.
    static constexpr std::size_t padded_out = is_dot ? 1 : round_up(FanOut, lanes);
    static constexpr std::size_t alignment_elements = storage_alignment / sizeof(T);
    static constexpr std::size_t weight_storage = round_up(is_dot ? FanIn : FanIn * padded_out, alignment_elements);
    static constexpr std::size_t bias_storage = round_up(padded_out, alignment_elements);
    static constexpr std::size_t storage = weight_storage + bias_storage;

    // Position of PyTorch's weight[out][in] relative to the layer's weight block.
    static constexpr std::size_t weight_index(std::size_t out, std::size_t in) noexcept {
        return is_dot ? in : in * padded_out + out;
    }
};

}  // namespace typenet::detail
