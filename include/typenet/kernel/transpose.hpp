// W^T for the backward pass: the transposed weights stored as the weights of a layer with fan_in and
// fan_out swapped, so that the input gradient delta_in = delta W^T is a forward pass of that layer (the
// forward micro-kernel: no horizontal sums).
//
// Documentation: docs/internals.md
// Distributed under the Boost Software License, Version 1.0 (see LICENSE or https://www.boost.org/LICENSE_1_0.txt).
#pragma once

#include <cstddef>
#include <type_traits>

#include "../config.hpp"
#include "../simd.hpp"

namespace typenet::kernel::inline TYPENET_ISA {

namespace detail {
// Square blocks are transposed in registers when both layouts keep blocks of that many values contiguous
// (every panel width is a multiple of the layout's vector width): the widest available block dividing both
// vector widths (under AVX-512, a 256-bit layer of at most 8 outputs gets 8 x 8 blocks).
template <class Layout, class TransposedLayout, class T>
constexpr std::size_t transpose_block_size = [] {
    if constexpr (Layout::is_dot || TransposedLayout::is_dot || Layout::is_row_major || TransposedLayout::is_row_major)
        return std::size_t(0);
    std::size_t size = 0;
    auto consider = [&]<std::size_t Size>(std::integral_constant<std::size_t, Size>) {
        if (size == 0 && arch::block_transpose<T, Size>::available && Layout::lanes % Size == 0 && TransposedLayout::lanes % Size == 0)
            size = Size;
    };
    consider(std::integral_constant<std::size_t, 16>{});
    consider(std::integral_constant<std::size_t, 8>{});
    consider(std::integral_constant<std::size_t, 4>{});
    consider(std::integral_constant<std::size_t, 2>{});
    return size;
}();
}  // namespace detail

// Writes W^T of `w` (in Layout) into `transposed` (in TransposedLayout), padding included: entries of
// transposed that no weight maps to are left as they are (zero).
template <class Layout, class TransposedLayout, class T>
void transpose_weights(const T* w, T* transposed) noexcept {
    static_assert(TransposedLayout::fan_in == Layout::fan_out && TransposedLayout::fan_out == Layout::fan_in);
    constexpr std::size_t size = detail::transpose_block_size<Layout, TransposedLayout, T>;
    if constexpr (size > 0) {
        // Blocks of `size` inputs k by `size` outputs o: rows are W[k][o0..], contiguous in the weight panels;
        // columns are W^T[o][k0..], contiguous in the transposed panels. Inputs past fan_in read zeros (they
        // land in W^T's padding lanes); outputs past fan_out are W's padding and are written to scratch.
        using block = arch::block_transpose<T, size>;
        alignas(64) static constexpr T zero_row[size] = {};
        alignas(64) T scratch[size];
        for (std::size_t k_first = 0; k_first < Layout::fan_in; k_first += size) {
            for (std::size_t o_first = 0; o_first < Layout::padded_out; o_first += size) {
                const T* rows[size];
                T* columns[size];
                for (std::size_t i = 0; i < size; ++i) {
                    rows[i] = k_first + i < Layout::fan_in ? w + Layout::weight_index(o_first, k_first + i) : zero_row;
                    columns[i] =
                        o_first + i < Layout::fan_out ? transposed + TransposedLayout::weight_index(k_first, o_first + i) : scratch;
                }
                block::run(rows, columns);
            }
        }
    } else if constexpr (TransposedLayout::is_row_major) {
        // W^T's rows are W's columns: sequential writes, reads along W's input-major rows.
        for (std::size_t k = 0; k < Layout::fan_in; ++k)
            for (std::size_t o = 0; o < Layout::fan_out; ++o) transposed[TransposedLayout::weight_index(k, o)] = w[Layout::weight_index(o, k)];
    } else {
        // Scalar: sequential writes (k innermost within one of W^T's panels); the reads, one per row of W,
        // stay within a few KB (L1).
        auto source = [&](std::size_t k, std::size_t o) {
            if constexpr (Layout::is_dot)
                return w[k];
            else
                return w[Layout::weight_index(o, k)];
        };
        for (std::size_t k_first = 0; k_first < Layout::fan_in; k_first += TransposedLayout::panel_width) {
            const std::size_t k_end =
                k_first + TransposedLayout::panel_width < Layout::fan_in ? k_first + TransposedLayout::panel_width : Layout::fan_in;
            const std::size_t base = TransposedLayout::weight_index(k_first, 0);
            const std::size_t stride = TransposedLayout::fan_in > 1 ? TransposedLayout::weight_index(k_first, 1) - base : 0;
            for (std::size_t o = 0; o < Layout::fan_out; ++o) {
                T* row = transposed + base + o * stride;
                for (std::size_t k = k_first; k < k_end; ++k) row[k - k_first] = source(k, o);
            }
        }
    }
}

}  // namespace typenet::kernel::inline TYPENET_ISA
