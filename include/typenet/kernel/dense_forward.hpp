// Forward kernels of a dense layer followed by its fused activations (typenet::epilogue):
//   y[r][o] = activations(bias[o] + sum_k x[r][k] * w[k][o])      for Rows samples r
//
// Documentation: docs/internals.md
// Distributed under the Boost Software License, Version 1.0 (see LICENSE or https://www.boost.org/LICENSE_1_0.txt).
//
// Weights are stored input-major with the output dimension contiguous and padded to whole vectors, in
// panels of up to 8 vectors: panel p holds w[k][o] for all k and its outputs o, row after row. One micro-kernel serves a single sample and
// a batch: broadcast x[r][k], FMA into a tile of output accumulators held in registers; no horizontal reductions, no transposes. A single
// sample has one row, so the k loop is split into interleaved partial sums to keep ~8 independent FMA
// chains in flight (latency, not throughput, bounds a small matrix-vector product). A single-output layer
// (padded_out would waste a whole vector per input) is a dot product instead, stored as one row; a layer
// whose outputs fit in one vector is stored row-major and computed as one dot product per output
// (layout.hpp says when).
#pragma once

#include <cstddef>
#include <type_traits>

#include "../config.hpp"
#include "../detail/static_for.hpp"
#include "../layer.hpp"
#include "../simd.hpp"

namespace typenet::kernel::inline TYPENET_ISA {

namespace detail {
using typenet::detail::static_for;

constexpr std::size_t min_size(std::size_t a, std::size_t b) noexcept { return a < b ? a : b; }

// Partial sums per input row: about 8 FMA chains hide FMA latency (4 cycles, 2 per cycle). A single sample
// gets them by splitting k into interleaved partial sums, several samples from the samples themselves.
constexpr std::size_t single_row_splits(std::size_t vectors, std::size_t fan_in) noexcept {
    return min_size(fan_in, (8 + vectors - 1) / vectors);
}

// A single sample's product of at most this many vector FMAs (inputs x output vectors) is unrolled
// completely where there are 32 vector registers: the compiler then schedules the whole product as one
// block (with clang, net A's forward took 10% less on AVX-512), while larger ones keep the loop, whose
// code stays in the instruction cache (net C's layers unrolled lost 5-7%). With 16 registers clang's
// unrolled schedule spilled (net A 51 -> 76 ns on AVX2), so there every product loops. Callers pass
// keep_loop where the unrolled form measured slower (the recurrent step, whose cell follows the product
// in registers). The README's kernel section has the numbers.
inline constexpr std::size_t single_row_unroll_limit = 256;
inline constexpr std::size_t keep_loop = 0;

// Adds x[r] * w to a register tile of Rows samples x Vectors output vectors, over all FanIn inputs, in
// Splits partial sums (acc[0] holds the seeds, the others start at zero), and leaves the sum in acc[0].
// w points at the tile's first column in its panel; consecutive inputs are RowStride elements apart.
template <class Arch, std::size_t FanIn, std::size_t RowStride, std::size_t Rows, std::size_t Vectors, std::size_t Splits,
          std::size_t UnrollLimit = single_row_unroll_limit, class T>
TYPENET_ALWAYS_INLINE void tile_products(const T* x, std::size_t x_stride, const T* w,
                                         simd::batch<T, Arch> (&acc)[Splits][Rows][Vectors]) noexcept {
    using batch = simd::batch<T, Arch>;
    constexpr std::size_t width = batch::size;
    static_for<Rows>([&](auto r) TYPENET_INLINE_LAMBDA {
        static_for<Vectors>([&](auto v) TYPENET_INLINE_LAMBDA {
            static_for<Splits - 1>([&](auto s) TYPENET_INLINE_LAMBDA { acc[s + 1][r][v] = batch(T(0)); });
        });
    });
    constexpr std::size_t main_end = FanIn - FanIn % Splits;
    // Inputs k .. k + Splits - 1, one into each partial sum.
    auto input_group = [&](std::size_t k) TYPENET_INLINE_LAMBDA {
        static_for<Splits>([&](auto s) TYPENET_INLINE_LAMBDA {
            const T* w_row = w + (k + s) * RowStride;
            batch w_vec[Vectors];
            static_for<Vectors>([&](auto v) TYPENET_INLINE_LAMBDA { w_vec[v] = batch::load_aligned(w_row + v * width); });
            static_for<Rows>([&](auto r) TYPENET_INLINE_LAMBDA {
                const batch x_broadcast(x[r * x_stride + k + s]);
                static_for<Vectors>([&](auto v) TYPENET_INLINE_LAMBDA { acc[s][r][v] = simd::fma(x_broadcast, w_vec[v], acc[s][r][v]); });
            });
        });
    };
    if constexpr (Rows == 1 && simd::register_count<Arch> >= 32 && FanIn * Vectors <= UnrollLimit) {
        static_for<main_end / Splits>([&](auto group) TYPENET_INLINE_LAMBDA { input_group(group * Splits); });
    } else {
        TYPENET_TILE_LOOP
        for (std::size_t k = 0; k < main_end; k += Splits) input_group(k);
    }
    static_for<FanIn % Splits>([&](auto s) TYPENET_INLINE_LAMBDA {
        const T* w_row = w + (main_end + s) * RowStride;
        static_for<Rows>([&](auto r) TYPENET_INLINE_LAMBDA {
            const batch x_broadcast(x[r * x_stride + main_end + s]);
            static_for<Vectors>([&](auto v) TYPENET_INLINE_LAMBDA {
                acc[s][r][v] = simd::fma(x_broadcast, batch::load_aligned(w_row + v * width), acc[s][r][v]);
            });
        });
    });
    static_for<Rows>([&](auto r) TYPENET_INLINE_LAMBDA {
        static_for<Vectors>([&](auto v) TYPENET_INLINE_LAMBDA {
            static_for<Splits - 1>([&](auto s) TYPENET_INLINE_LAMBDA { acc[0][r][v] += acc[s + 1][r][v]; });
        });
    });
}

// One register tile of dense_rows: bias, products, epilogue in registers, store.
template <class Arch, std::size_t FanIn, std::size_t RowStride, std::size_t Rows, std::size_t Vectors, std::size_t Splits, class Epilogue,
          std::size_t UnrollLimit, class T>
TYPENET_ALWAYS_INLINE void dense_tile(const T* x, std::size_t x_stride, const T* w, const T* bias, T* y, std::size_t y_stride) noexcept {
    using batch = simd::batch<T, Arch>;
    constexpr std::size_t width = batch::size;
    batch acc[Splits][Rows][Vectors];
    // A residual add with nothing before it starts from bias + destination, off the products' critical path.
    static_for<Rows>([&](auto r) TYPENET_INLINE_LAMBDA {
        static_for<Vectors>([&](auto v) TYPENET_INLINE_LAMBDA {
            acc[0][r][v] = batch::load_aligned(bias + v * width);
            if constexpr (Epilogue::leading_add) acc[0][r][v] += batch::load_aligned(y + r * y_stride + v * width);
        });
    });
    tile_products<Arch, FanIn, RowStride, Rows, Vectors, Splits, UnrollLimit>(x, x_stride, w, acc);
    using rest = typename Epilogue::after_leading_add;
    static_for<Rows>([&](auto r) TYPENET_INLINE_LAMBDA {
        static_for<Vectors>([&](auto v) TYPENET_INLINE_LAMBDA {
            T* out = y + r * y_stride + v * width;
            rest::finish(acc[0][r][v], [out] { return batch::load_aligned(out); }).store_aligned(out);
        });
    });
}

// All output vectors for Rows samples: panel by panel (each a contiguous [FanIn][panel width] block, so the
// weights stream sequentially), in column blocks that fit the register file.
template <class Arch, class Layout, std::size_t Rows, class Epilogue, std::size_t UnrollLimit, class T>
TYPENET_ALWAYS_INLINE void dense_rows(const T* x, std::size_t x_stride, const T* w, const T* bias, T* y, std::size_t y_stride) noexcept {
    constexpr std::size_t width = simd::batch<T, Arch>::size;
    // Leave registers for weights and broadcasts.
    constexpr std::size_t max_block = Rows == 1 ? 8 : 2;
    static_for<Layout::panel_count>([&](auto p) TYPENET_INLINE_LAMBDA {
        constexpr std::size_t panel_first = p * Layout::panel_width;
        constexpr std::size_t panel_width = Layout::panel_width_of(p);
        constexpr std::size_t vectors = panel_width / width;
        constexpr std::size_t block = min_size(vectors, max_block);
        constexpr std::size_t splits = Rows == 1 ? single_row_splits(block, Layout::fan_in) : 1;
        const T* panel = w + panel_first * Layout::fan_in;
        static_for<(vectors + block - 1) / block>([&](auto b) TYPENET_INLINE_LAMBDA {
            constexpr std::size_t first = b * block;
            constexpr std::size_t count = min_size(block, vectors - first);
            dense_tile<Arch, Layout::fan_in, panel_width, Rows, count, splits, Epilogue, UnrollLimit>(
                x, x_stride, panel + first * width, bias + panel_first + first * width, y + panel_first + first * width, y_stride);
        });
    });
}

// Single output: y[r] = activations(bias + dot(x[r], w)). x may be unaligned (the caller's input);
// destination: the output's old value (read only by an epilogue that adds it).
template <class Arch, std::size_t FanIn, class Epilogue, class T>
TYPENET_ALWAYS_INLINE T dense_dot(const T* x, const T* w, T bias, const T* destination) noexcept {
    using batch = simd::batch<T, Arch>;
    constexpr std::size_t width = batch::size;
    constexpr std::size_t full = FanIn / width;
    constexpr std::size_t splits = min_size(full == 0 ? 1 : full, 4);
    batch acc[splits];
    static_for<splits>([&](auto s) TYPENET_INLINE_LAMBDA { acc[s] = batch(T(0)); });
    constexpr std::size_t main_end = full - full % splits;
    for (std::size_t v = 0; v < main_end; v += splits)
        static_for<splits>([&](auto s) TYPENET_INLINE_LAMBDA {
            acc[s] = simd::fma(batch::load_unaligned(x + (v + s) * width), batch::load_aligned(w + (v + s) * width), acc[s]);
        });
    static_for<full % splits>([&](auto s) TYPENET_INLINE_LAMBDA {
        constexpr std::size_t v = main_end + s;
        acc[s] = simd::fma(batch::load_unaligned(x + v * width), batch::load_aligned(w + v * width), acc[s]);
    });
    static_for<splits - 1>([&](auto s) TYPENET_INLINE_LAMBDA { acc[0] += acc[s + 1]; });
    T sum = simd::reduce_add(acc[0]) + (Epilogue::leading_add ? bias + *destination : bias);
    for (std::size_t k = full * width; k < FanIn; ++k) sum += x[k] * w[k];
    return Epilogue::after_leading_add::finish(batch(sum), [destination] { return batch(*destination); }).get(0);
}

// Outputs of one vector from row-major weights: accumulator o holds x * w[o] lane by lane (Splits partial
// sums each, so that about 8 FMA chains are in flight), and one horizontal-add tree over all accumulators
// gives the vector of outputs. Rows past FanOut are zero, so are the padding lanes. x may be unaligned.
template <class Arch, std::size_t FanIn, std::size_t FanOut, class Epilogue, class T>
TYPENET_ALWAYS_INLINE void dense_row_dots(const T* x, const T* w, const T* bias, T* y) noexcept {
    using batch = simd::batch<T, Arch>;
    constexpr std::size_t width = batch::size;
    constexpr std::size_t input_vectors = FanIn / width;
    constexpr std::size_t splits = single_row_splits(FanOut, input_vectors);
    batch acc[splits][width];
    static_for<splits>([&](auto s) TYPENET_INLINE_LAMBDA {
        static_for<width>([&](auto o) TYPENET_INLINE_LAMBDA { acc[s][o] = batch(T(0)); });
    });
    // Input vector v into partial sum s of every output.
    auto accumulate = [&](auto s, std::size_t v) TYPENET_INLINE_LAMBDA {
        const batch x_vector = batch::load_unaligned(x + v * width);
        static_for<FanOut>([&](auto o) TYPENET_INLINE_LAMBDA {
            acc[s][o] = simd::fma(x_vector, batch::load_aligned(w + o * FanIn + v * width), acc[s][o]);
        });
    };
    constexpr std::size_t main_end = input_vectors - input_vectors % splits;
    TYPENET_TILE_LOOP
    for (std::size_t v = 0; v < main_end; v += splits) static_for<splits>([&](auto s) TYPENET_INLINE_LAMBDA { accumulate(s, v + s); });
    static_for<input_vectors % splits>([&](auto s) TYPENET_INLINE_LAMBDA { accumulate(s, main_end + s); });
    static_for<FanOut>([&](auto o) TYPENET_INLINE_LAMBDA {
        static_for<splits - 1>([&](auto s) TYPENET_INLINE_LAMBDA { acc[0][o] += acc[s + 1][o]; });
    });
    // A leading residual add joins the bias before the sums are ready (off their critical path).
    const batch start = Epilogue::leading_add ? batch::load_aligned(bias) + batch::load_aligned(y) : batch::load_aligned(bias);
    Epilogue::after_leading_add::finish(simd::lane_sums(acc[0]) + start, [y] { return batch::load_aligned(y); }).store_aligned(y);
}

}  // namespace detail

// y[r * y_stride + o] for r < Rows, o < Layout::padded_out (padding lanes get activations(0)).
template <class Layout, class Epilogue, std::size_t Rows, std::size_t UnrollLimit = detail::single_row_unroll_limit, class T>
TYPENET_ALWAYS_INLINE void dense_forward(const T* x, std::size_t x_stride, const T* w, const T* bias, T* y, std::size_t y_stride) noexcept {
    using arch = typename Layout::arch;
    if constexpr (Layout::is_dot) {
        for (std::size_t r = 0; r < Rows; ++r)
            y[r * y_stride] = detail::dense_dot<arch, Layout::fan_in, Epilogue>(x + r * x_stride, w, bias[0], y + r * y_stride);
    } else if constexpr (Layout::is_row_major) {
        // One output vector per row: every epilogue runs on it in registers.
        for (std::size_t r = 0; r < Rows; ++r)
            detail::dense_row_dots<arch, Layout::fan_in, Layout::fan_out, Epilogue>(x + r * x_stride, w, bias, y + r * y_stride);
    } else {
        static_assert(Epilogue::in_registers || !Epilogue::reads_destination,
                      "typenet::kernel::dense_forward: an epilogue that adds the destination runs in registers only");
        using tile_epilogue = std::conditional_t<Epilogue::in_registers, Epilogue, typenet::epilogue<>>;
        // Rows per register tile: 8 rows x 2 vectors (16 accumulators) with 32 registers, 4 x 2 with 16
        // (the README's kernel section has the measurements).
        constexpr std::size_t tile = simd::register_count<arch> == 32 ? 8 : 4;
        constexpr std::size_t full_tiles = Rows == 1 ? 0 : Rows / tile;
        for (std::size_t t = 0; t < full_tiles; ++t)
            detail::dense_rows<arch, Layout, tile, tile_epilogue, UnrollLimit>(x + t * tile * x_stride, x_stride, w, bias,
                                                                               y + t * tile * y_stride, y_stride);
        constexpr std::size_t rest = Rows - full_tiles * tile;
        if constexpr (rest > 0)
            detail::dense_rows<arch, Layout, rest, tile_epilogue, UnrollLimit>(x + full_tiles * tile * x_stride, x_stride, w, bias,
                                                                               y + full_tiles * tile * y_stride, y_stride);
        if constexpr (!Epilogue::in_registers) {
            using batch = simd::batch<T, arch>;
            for (std::size_t r = 0; r < Rows; ++r)
                for (std::size_t o = 0; o < Layout::padded_out; o += batch::size)
                    Epilogue::apply(batch::load_aligned(y + r * y_stride + o)).store_aligned(y + r * y_stride + o);
        }
    }
}

}  // namespace typenet::kernel::inline TYPENET_ISA
