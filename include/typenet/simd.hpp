// typenet::simd: the vocabulary layer kernels are written in. A batch is an xsimd::batch (or, with no
// instruction set, kernel/arch/portable.hpp's one-lane batch); the functions below dispatch on its
// architecture by tag, so kernels never name an instruction set:
//
// Documentation: docs/writing-a-layer.md
// Distributed under the Boost Software License, Version 1.0 (see LICENSE or https://www.boost.org/LICENSE_1_0.txt).
//
//   template <class Batch> static Batch apply(const Batch& x) noexcept { return simd::max(Batch(0), x); }
//
// Functions: fma, max, min, select (with the batch's comparisons), sqrt, exp, expm1, erfc, tanh, reduce_add,
// lane_sums, broadcast_lane.
// max(a, b) is a > b ? a : b and min(a, b) is a < b ? a : b on every instruction set, NaN included (b).
#pragma once

#include <cstddef>

#include "config.hpp"
#include "kernel/arch/select.hpp"

namespace typenet::simd::inline TYPENET_ISA {

// The portable vocabulary of layer kernels, for xsimd batches (kernel/arch/portable.hpp has the same names
// for the portable scalar batch): layers write simd::max(x, y), never xsimd:: directly. Defined here, after
// select.hpp has included every instruction-set file: kernel::arch::fma(A{}, ...) is a qualified call, so
// it sees only the overloads declared before this point (defined in generic.hpp, it silently missed the
// AVX-512 and x86 ones).
template <class T, class A>
TYPENET_ALWAYS_INLINE xsimd::batch<T, A> fma(const xsimd::batch<T, A>& a, const xsimd::batch<T, A>& b,
                                             const xsimd::batch<T, A>& c) noexcept {
    return kernel::arch::fma(A{}, a, b, c);
}
template <class T, class A>
TYPENET_ALWAYS_INLINE xsimd::batch<T, A> max(const xsimd::batch<T, A>& a, const xsimd::batch<T, A>& b) noexcept {
    return kernel::arch::max(A{}, a, b);
}
template <class T, class A>
TYPENET_ALWAYS_INLINE xsimd::batch<T, A> min(const xsimd::batch<T, A>& a, const xsimd::batch<T, A>& b) noexcept {
    return kernel::arch::min(A{}, a, b);
}
template <class T, class A>
TYPENET_ALWAYS_INLINE xsimd::batch<T, A> select(const xsimd::batch_bool<T, A>& mask, const xsimd::batch<T, A>& if_true,
                                                const xsimd::batch<T, A>& if_false) noexcept {
    return xsimd::select(mask, if_true, if_false);
}
template <class T, class A>
TYPENET_ALWAYS_INLINE xsimd::batch<T, A> sqrt(const xsimd::batch<T, A>& x) noexcept {
    return xsimd::sqrt(x);
}
template <class T, class A>
inline xsimd::batch<T, A> exp(const xsimd::batch<T, A>& x) noexcept {
    return xsimd::exp(x);
}
template <class T, class A>
inline xsimd::batch<T, A> expm1(const xsimd::batch<T, A>& x) noexcept {
    return xsimd::expm1(x);
}
template <class T, class A>
inline xsimd::batch<T, A> erfc(const xsimd::batch<T, A>& x) noexcept {
    return xsimd::erfc(x);
}
// Accurate to about 1 ulp (typenet::tanh uses a faster rational form for float, kernel/tanh.hpp).
template <class T, class A>
inline xsimd::batch<T, A> tanh(const xsimd::batch<T, A>& x) noexcept {
    return xsimd::tanh(x);
}
// Sum of the lanes.
template <class T, class A>
TYPENET_ALWAYS_INLINE T reduce_add(const xsimd::batch<T, A>& x) noexcept {
    return xsimd::hadd(x);
}
// Lane i of the result is the sum of the lanes of rows[i], for i < lanes: a horizontal-add tree over all
// rows at once, cheaper than one reduce_add per row.
template <class T, class A>
TYPENET_ALWAYS_INLINE xsimd::batch<T, A> lane_sums(const xsimd::batch<T, A>* rows) noexcept {
    return kernel::arch::lane_sums(A{}, rows);
}

// Every lane of the result is lane I of x: a register permute where the instruction set has one, so that
// a product can broadcast the inputs a previous step left in a register without a trip through memory.
template <std::size_t I, class T, class A>
TYPENET_ALWAYS_INLINE xsimd::batch<T, A> broadcast_lane(const xsimd::batch<T, A>& x) noexcept {
    return kernel::arch::broadcast_lane<I>(A{}, x);
}

// The widest instruction set the compiler flags enable (SSE2 on plain x86-64, AVX-512 with -march=native
// on AVX-512 machines, NEON on AArch64), and the one for layers with few outputs.
using wide_arch = kernel::arch::selected_arch;
using narrow_arch = decltype(kernel::arch::narrow_arch_of(wide_arch{}, wide_arch{}));

namespace batch_selection {
template <class T, class Arch>
struct batch_type {
    using type = xsimd::batch<T, Arch>;
};
template <class T>
struct batch_type<T, kernel::arch::portable> {
    using type = kernel::arch::portable_batch<T>;
};
}  // namespace batch_selection

template <class T, class Arch = wide_arch>
using batch = typename batch_selection::batch_type<T, Arch>::type;

template <class T, class Arch = wide_arch>
inline constexpr std::size_t lanes = batch<T, Arch>::size;

// Architectural vector registers of Arch (16 for SSE/AVX, 32 for AVX-512 and AArch64).
template <class Arch>
inline constexpr std::size_t register_count = kernel::arch::register_count(Arch{});

}  // namespace typenet::simd::inline TYPENET_ISA

namespace typenet::detail {
// Every parameter tensor and activation row starts on a cache line: aligned loads for every instruction
// set, no false sharing of lines.
inline constexpr std::size_t storage_alignment = 64;
}  // namespace typenet::detail
