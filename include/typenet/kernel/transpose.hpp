// W^T for the backward pass: the transposed weights stored as the weights of a layer with fan_in and
// fan_out swapped, so that the input gradient delta_in = delta W^T is a forward pass of that layer (the
// forward micro-kernel: no horizontal sums).
#pragma once

#include <cstddef>

#include "../config.hpp"
#include "arch/transpose_x86.hpp"

namespace typenet::kernel {

namespace detail {
// Square blocks are transposed in registers when both layouts keep blocks of that many values contiguous
// (every panel width is a multiple of the layout's vector width).
template <class Layout, class TransposedLayout, class T>
constexpr bool block_transposable = arch::block_transpose<T>::size > 0 && !Layout::is_dot && !TransposedLayout::is_dot &&
                                    Layout::lanes % arch::block_transpose<T>::size == 0 &&
                                    TransposedLayout::lanes % arch::block_transpose<T>::size == 0;
}  // namespace detail

// Writes W^T of `w` (in Layout) into `transposed` (in TransposedLayout), padding included: entries of
// transposed that no weight maps to are left as they are (zero).
template <class Layout, class TransposedLayout, class T>
void transpose_weights(const T* w, T* transposed) noexcept {
    static_assert(TransposedLayout::fan_in == Layout::fan_out && TransposedLayout::fan_out == Layout::fan_in);
    if constexpr (detail::block_transposable<Layout, TransposedLayout, T>) {
        // Blocks of `size` inputs k by `size` outputs o: rows are W[k][o0..], contiguous in the weight panels;
        // columns are W^T[o][k0..], contiguous in the transposed panels. Inputs past fan_in read zeros (they
        // land in W^T's padding lanes); outputs past fan_out are W's padding and are written to scratch.
        using block = arch::block_transpose<T>;
        constexpr std::size_t size = block::size;
        alignas(64) static constexpr T zero_row[size] = {};
        alignas(64) T scratch[size];
        for (std::size_t k_first = 0; k_first < Layout::fan_in; k_first += size) {
            for (std::size_t o_first = 0; o_first < Layout::padded_out; o_first += size) {
                const T* rows[size];
                T* columns[size];
                for (std::size_t i = 0; i < size; ++i) {
                    rows[i] = k_first + i < Layout::fan_in ? w + Layout::weight_index(o_first, k_first + i) : zero_row;
                    columns[i] = o_first + i < Layout::fan_out ? transposed + TransposedLayout::weight_index(k_first, o_first + i) : scratch;
                }
                block::run(rows, columns);
            }
        }
    } else {
        // Scalar: sequential writes (k innermost within one of W^T's panels); the reads, one per row of W,
        // stay within a few KB (L1).
        auto source = [&](std::size_t k, std::size_t o) {
            if constexpr (Layout::is_dot) return w[k];
            else return w[Layout::weight_index(o, k)];
        };
        for (std::size_t k_first = 0; k_first < Layout::fan_in; k_first += TransposedLayout::panel_width) {
            const std::size_t k_end = k_first + TransposedLayout::panel_width < Layout::fan_in ? k_first + TransposedLayout::panel_width
                                                                                              : Layout::fan_in;
            const std::size_t base = TransposedLayout::weight_index(k_first, 0);
            const std::size_t stride = TransposedLayout::fan_in > 1 ? TransposedLayout::weight_index(k_first, 1) - base : 0;
            for (std::size_t o = 0; o < Layout::fan_out; ++o) {
                T* row = transposed + base + o * stride;
                for (std::size_t k = k_first; k < k_end; ++k) row[k - k_first] = source(k, o);
            }
        }
    }
}

}  // namespace typenet::kernel
