// The one place typenet includes xsimd and picks instruction sets.
#pragma once

// g++ 12 warns "'__Y' may be used uninitialized" inside its own avx512fintrin.h when xsimd's exp/tanh are
// instantiated (GCC bug 105593). The warning is about the compiler's header, not ours: silence it only
// around the include so -Werror keeps guarding typenet's own code.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif
#include <xsimd/xsimd.hpp>
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif

#include <cstddef>
#include <type_traits>

namespace typenet::detail {

// The widest instruction set the compiler flags enable (SSE2 on plain x86-64, AVX-512 with -march=native
// on Zen 4 / Skylake-X, NEON on AArch64).
using wide_arch = xsimd::default_arch;

// Small, latency-bound layers run as fast or faster on 256-bit vectors: fewer padding lanes, and AVX-512
// gains nothing when a dependency chain, not throughput, is the limit. Without AVX-512 this is wide_arch.
#if XSIMD_WITH_AVX512F && XSIMD_WITH_FMA3_AVX2
using narrow_arch = xsimd::fma3<xsimd::avx2>;
#else
using narrow_arch = wide_arch;
#endif

template <class T, class Arch>
inline constexpr std::size_t lanes = xsimd::batch<T, Arch>::size;

// Architectural vector registers: 32 for AVX-512 and AArch64 NEON, 16 for SSE/AVX. Register tiles are
// sized from this so accumulators never spill.
template <class Arch>
inline constexpr std::size_t vector_registers =
#if XSIMD_WITH_NEON64
    32;
#else
    (sizeof(xsimd::batch<float, Arch>) == 64) ? 32 : 16;
#endif

// Every parameter tensor starts on a cache line: aligned loads for every arch, no false sharing of lines.
inline constexpr std::size_t storage_alignment = 64;

}  // namespace typenet::detail

namespace typenet::detail {

// a * b + c in one rounding. xsimd 8.1 spells AVX-512 fma as mul + add intrinsics, which g++ contracts
// (-ffp-contract=fast) but clang does not: issue vfmadd directly there, half the instructions and latency.
template <class T, class Arch>
inline xsimd::batch<T, Arch> fma(const xsimd::batch<T, Arch>& a, const xsimd::batch<T, Arch>& b,
                                 const xsimd::batch<T, Arch>& c) noexcept {
#if XSIMD_WITH_AVX512F
    if constexpr (std::is_base_of_v<xsimd::avx512f, Arch>) {
        if constexpr (std::is_same_v<T, float>) return _mm512_fmadd_ps(a, b, c);
        else return _mm512_fmadd_pd(a, b, c);
    } else
#endif
        return xsimd::fma(a, b, c);
}

}  // namespace typenet::detail
