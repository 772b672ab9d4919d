// typenet::simd: the vocabulary layer kernels are written in. A batch is an xsimd::batch (or, with no
// instruction set, kernel/arch/portable.hpp's one-lane batch); the functions below dispatch on its
// architecture by tag, so kernels never name an instruction set:
//
//   template <class Batch> static Batch apply(const Batch& x) noexcept { return simd::max(Batch(0), x); }
//
// Functions: fma, max, min, select (with the batch's comparisons), sqrt, exp, expm1, erfc, tanh, reduce_add.
// max(a, b) is a > b ? a : b and min(a, b) is a < b ? a : b on every instruction set, NaN included (b).
#pragma once

#include <cstddef>

#include "config.hpp"
#include "kernel/arch/select.hpp"

namespace typenet::simd::inline TYPENET_ISA {

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
