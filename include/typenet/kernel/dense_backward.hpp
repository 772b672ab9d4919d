// Backward kernels of a dense layer y = W x + b for a batch, in the layer's storage layout (panels of
// input-major rows, or row-major, see layout.hpp):
//   parameter gradient:  dW[k][o] = sum_b x[b][k] delta[b][o],   db[o] = sum_b delta[b][o]
//   input gradient:      delta_in[b][k] = sum_o delta[b][o] W[k][o], as a forward pass through W^T (transpose.hpp)
// The gradient block has the same layout as the parameters, so the optimizer is one loop over both.
//
// Documentation: docs/internals.md
// Distributed under the Boost Software License, Version 1.0 (see LICENSE or https://www.boost.org/LICENSE_1_0.txt).
#pragma once

#include <cstddef>

#include "../config.hpp"
#include "../detail/static_for.hpp"
#include "../simd.hpp"

namespace typenet::kernel::inline TYPENET_ISA {

namespace detail {
// One row-major weight row's gradient: dW[o][k] = sum_b x[b][k] delta[b][o] (delta points at column o).
template <class Arch, std::size_t FanIn, std::size_t Batch, class T>
void dense_row_gradient(const T* x, std::size_t x_stride, const T* delta, std::size_t delta_stride, T* row_gradient) noexcept {
    using batch = simd::batch<T, Arch>;
    constexpr std::size_t width = batch::size;
    constexpr std::size_t full = FanIn / width * width;
    for (std::size_t k = 0; k < full; k += width) {
        batch sum(T(0));
        for (std::size_t b = 0; b < Batch; ++b) sum = simd::fma(batch(delta[b * delta_stride]), batch::load_unaligned(x + b * x_stride + k), sum);
        sum.store_aligned(row_gradient + k);
    }
    for (std::size_t k = full; k < FanIn; ++k) {
        T sum = 0;
        for (std::size_t b = 0; b < Batch; ++b) sum += delta[b * delta_stride] * x[b * x_stride + k];
        row_gradient[k] = sum;
    }
}
}  // namespace detail

template <class Layout, std::size_t Batch, class T>
void dense_parameter_gradient(const T* x, std::size_t x_stride, const T* delta, std::size_t delta_stride, T* weight_gradient,
                              T* bias_gradient) noexcept {
    using batch = simd::batch<T, typename Layout::arch>;
    constexpr std::size_t width = batch::size;
    if constexpr (Layout::is_dot) {
        T bias_sum = 0;
        for (std::size_t b = 0; b < Batch; ++b) bias_sum += delta[b * delta_stride];
        bias_gradient[0] = bias_sum;
        detail::dense_row_gradient<typename Layout::arch, Layout::fan_in, Batch>(x, x_stride, delta, delta_stride, weight_gradient);
    } else {
        for (std::size_t o = 0; o < Layout::padded_out; o += width) {
            batch sum(T(0));
            for (std::size_t b = 0; b < Batch; ++b) sum += batch::load_aligned(delta + b * delta_stride + o);
            sum.store_aligned(bias_gradient + o);
        }
        if constexpr (Layout::is_row_major) {
            for (std::size_t o = 0; o < Layout::fan_out; ++o)
                detail::dense_row_gradient<typename Layout::arch, Layout::fan_in, Batch>(x, x_stride, delta + o, delta_stride,
                                                                                        weight_gradient + Layout::weight_index(o, 0));
        } else {
            // Per panel and input row k, a block of up to 4 output vectors accumulates over the batch; two rows
            // at a time give 8 independent FMA chains.
            typenet::detail::static_for<Layout::panel_count>([&](auto p) TYPENET_INLINE_LAMBDA {
                constexpr std::size_t panel_first = p * Layout::panel_width;
                constexpr std::size_t panel_width = Layout::panel_width_of(p);
                constexpr std::size_t vectors = panel_width / width;
                constexpr std::size_t block = vectors < 4 ? vectors : 4;
                T* panel = weight_gradient + panel_first * Layout::fan_in;
                typenet::detail::static_for<(vectors + block - 1) / block>([&](auto block_index) TYPENET_INLINE_LAMBDA {
                    constexpr std::size_t first = block_index * block;
                    constexpr std::size_t count = vectors - first < block ? vectors - first : block;
                    constexpr std::size_t rows = 2;
                    std::size_t k = 0;
                    auto accumulate = [&]<std::size_t Rows>(std::integral_constant<std::size_t, Rows>) TYPENET_INLINE_LAMBDA {
                        batch acc[Rows][count];
                        typenet::detail::static_for<Rows>([&](auto r) TYPENET_INLINE_LAMBDA {
                            typenet::detail::static_for<count>([&](auto v) TYPENET_INLINE_LAMBDA { acc[r][v] = batch(T(0)); });
                        });
                        for (std::size_t b = 0; b < Batch; ++b) {
                            const T* delta_row = delta + b * delta_stride + panel_first + first * width;
                            batch d[count];
                            typenet::detail::static_for<count>(
                                [&](auto v) TYPENET_INLINE_LAMBDA { d[v] = batch::load_aligned(delta_row + v * width); });
                            typenet::detail::static_for<Rows>([&](auto r) TYPENET_INLINE_LAMBDA {
                                const batch xb(x[b * x_stride + k + r]);
                                typenet::detail::static_for<count>([&](auto v)
                                                                       TYPENET_INLINE_LAMBDA { acc[r][v] = simd::fma(xb, d[v], acc[r][v]); });
                            });
                        }
                        typenet::detail::static_for<Rows>([&](auto r) TYPENET_INLINE_LAMBDA {
                            typenet::detail::static_for<count>([&](auto v) TYPENET_INLINE_LAMBDA {
                                acc[r][v].store_aligned(panel + (k + r) * panel_width + (first + v) * width);
                            });
                        });
                    };
                    for (; k + rows <= Layout::fan_in; k += rows) accumulate(std::integral_constant<std::size_t, rows>{});
                    for (; k < Layout::fan_in; ++k) accumulate(std::integral_constant<std::size_t, 1>{});
                });
            });
        }
    }
}

}  // namespace typenet::kernel::inline TYPENET_ISA
