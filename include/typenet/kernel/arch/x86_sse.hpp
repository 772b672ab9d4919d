// SSE2 (128-bit) pieces of the instruction-set layer: 4 x 4 float and 2 x 2 double register transposes,
// the NaN rule of max/min, and MXCSR for flush_denormals (AVX and AVX-512 use the same register).
// Included by select.hpp only when the compiler enables SSE2.
//
// Documentation: docs/internals.md
// Distributed under the Boost Software License, Version 1.0 (see LICENSE or https://www.boost.org/LICENSE_1_0.txt).
#pragma once

#include <cstddef>
#include <type_traits>

#include "../../config.hpp"
#include "generic.hpp"

namespace typenet::kernel::arch::inline TYPENET_ISA {

// Every x86 architecture tag (avx and avx512f do not derive from sse2 in xsimd). This file is included in
// every x86 build, AVX and AVX-512 ones too.
template <class A>
concept x86_arch = std::is_base_of_v<xsimd::sse2, A> || std::is_base_of_v<xsimd::avx, A> || std::is_base_of_v<xsimd::avx512f, A>;

// generic.hpp's max/min rule (b when either is NaN or both are equal) is what x86's maxps/minps (and
// their AVX, AVX-512 and double forms) do: one instruction.
template <class T, x86_arch A>
TYPENET_ALWAYS_INLINE xsimd::batch<T, A> max(A, const xsimd::batch<T, A>& a, const xsimd::batch<T, A>& b) noexcept {
    return xsimd::max(a, b);
}
template <class T, x86_arch A>
TYPENET_ALWAYS_INLINE xsimd::batch<T, A> min(A, const xsimd::batch<T, A>& a, const xsimd::batch<T, A>& b) noexcept {
    return xsimd::min(a, b);
}

// broadcast_lane (generic.hpp) on 128-bit vectors: one shuffle.
template <std::size_t I, class A>
TYPENET_ALWAYS_INLINE xsimd::batch<float, A> broadcast_lane(xsimd::sse2, const xsimd::batch<float, A>& x) noexcept {
    static_assert(I < 4, "typenet::simd::broadcast_lane: no such lane");
    return _mm_shuffle_ps(x, x, static_cast<int>(I * 0x55));
}
template <std::size_t I, class A>
TYPENET_ALWAYS_INLINE xsimd::batch<double, A> broadcast_lane(xsimd::sse2, const xsimd::batch<double, A>& x) noexcept {
    static_assert(I < 2, "typenet::simd::broadcast_lane: no such lane");
    return _mm_shuffle_pd(x, x, static_cast<int>(I * 3));
}

// MXCSR bit 15 (FTZ: subnormal results become 0) and bit 6 (DAZ: subnormal inputs read as 0).
template <x86_arch A>
constexpr unsigned long long flush_denormals_bits(A) noexcept {
    return 0x8040;
}
template <x86_arch A>
inline unsigned long long read_float_control(A) noexcept {
    return _mm_getcsr();
}
template <x86_arch A>
inline void write_float_control(A, unsigned long long control) noexcept {
    _mm_setcsr(static_cast<unsigned>(control));
}

template <>
struct block_transpose<float, 4> {
    static constexpr bool available = true;
    TYPENET_ALWAYS_INLINE static void run(const float* const (&rows)[4], float* const (&columns)[4]) noexcept {
        __m128 r0 = _mm_loadu_ps(rows[0]), r1 = _mm_loadu_ps(rows[1]), r2 = _mm_loadu_ps(rows[2]), r3 = _mm_loadu_ps(rows[3]);
        const __m128 low01 = _mm_unpacklo_ps(r0, r1), high01 = _mm_unpackhi_ps(r0, r1);
        const __m128 low23 = _mm_unpacklo_ps(r2, r3), high23 = _mm_unpackhi_ps(r2, r3);
        _mm_storeu_ps(columns[0], _mm_movelh_ps(low01, low23));
        _mm_storeu_ps(columns[1], _mm_movehl_ps(low23, low01));
        _mm_storeu_ps(columns[2], _mm_movelh_ps(high01, high23));
        _mm_storeu_ps(columns[3], _mm_movehl_ps(high23, high01));
    }
};

template <>
struct block_transpose<double, 2> {
    static constexpr bool available = true;
    TYPENET_ALWAYS_INLINE static void run(const double* const (&rows)[2], double* const (&columns)[2]) noexcept {
        const __m128d r0 = _mm_loadu_pd(rows[0]), r1 = _mm_loadu_pd(rows[1]);
        _mm_storeu_pd(columns[0], _mm_unpacklo_pd(r0, r1));
        _mm_storeu_pd(columns[1], _mm_unpackhi_pd(r0, r1));
    }
};

}  // namespace typenet::kernel::arch::inline TYPENET_ISA
