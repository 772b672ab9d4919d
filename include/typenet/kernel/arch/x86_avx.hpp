// AVX (256-bit) pieces of the instruction-set layer: 8 x 8 float and 4 x 4 double register transposes.
// xsimd 8.1 has no transpose, and its AVX zip_lo/zip_hi interleave within 128-bit lanes only, so these use
// the intrinsics directly. Included by select.hpp only when the compiler enables AVX.
//
// Documentation: docs/internals.md
// Distributed under the Boost Software License, Version 1.0 (see LICENSE or https://www.boost.org/LICENSE_1_0.txt).
#pragma once

#include <cstddef>

#include "../../config.hpp"
#include "generic.hpp"

namespace typenet::kernel::arch::inline TYPENET_ISA {

template <>
struct block_transpose<float, 8> {
    static constexpr bool available = true;
    TYPENET_ALWAYS_INLINE static void run(const float* const (&rows)[8], float* const (&columns)[8]) noexcept {
        __m256 pairs[8];  // pairs[2i], pairs[2i+1]: rows 2i, 2i+1 interleaved
        for (int i = 0; i < 4; ++i) {
            const __m256 even = _mm256_loadu_ps(rows[2 * i]), odd = _mm256_loadu_ps(rows[2 * i + 1]);
            pairs[2 * i] = _mm256_unpacklo_ps(even, odd);
            pairs[2 * i + 1] = _mm256_unpackhi_ps(even, odd);
        }
        __m256 quads[8];  // quads[4g + j], 128-bit lane L: column 4L + j of rows 4g..4g+3
        for (int g = 0; g < 2; ++g) {
            quads[4 * g + 0] = _mm256_shuffle_ps(pairs[4 * g], pairs[4 * g + 2], 0x44);
            quads[4 * g + 1] = _mm256_shuffle_ps(pairs[4 * g], pairs[4 * g + 2], 0xEE);
            quads[4 * g + 2] = _mm256_shuffle_ps(pairs[4 * g + 1], pairs[4 * g + 3], 0x44);
            quads[4 * g + 3] = _mm256_shuffle_ps(pairs[4 * g + 1], pairs[4 * g + 3], 0xEE);
        }
        for (int j = 0; j < 4; ++j) {
            _mm256_storeu_ps(columns[j], _mm256_permute2f128_ps(quads[j], quads[4 + j], 0x20));
            _mm256_storeu_ps(columns[4 + j], _mm256_permute2f128_ps(quads[j], quads[4 + j], 0x31));
        }
    }
};

template <>
struct block_transpose<double, 4> {
    static constexpr bool available = true;
    TYPENET_ALWAYS_INLINE static void run(const double* const (&rows)[4], double* const (&columns)[4]) noexcept {
        const __m256d r0 = _mm256_loadu_pd(rows[0]), r1 = _mm256_loadu_pd(rows[1]);
        const __m256d r2 = _mm256_loadu_pd(rows[2]), r3 = _mm256_loadu_pd(rows[3]);
        // 128-bit lane L of low01 / high01: column 2L / 2L+1 of rows 0, 1
        const __m256d low01 = _mm256_unpacklo_pd(r0, r1), high01 = _mm256_unpackhi_pd(r0, r1);
        const __m256d low23 = _mm256_unpacklo_pd(r2, r3), high23 = _mm256_unpackhi_pd(r2, r3);
        _mm256_storeu_pd(columns[0], _mm256_permute2f128_pd(low01, low23, 0x20));
        _mm256_storeu_pd(columns[1], _mm256_permute2f128_pd(high01, high23, 0x20));
        _mm256_storeu_pd(columns[2], _mm256_permute2f128_pd(low01, low23, 0x31));
        _mm256_storeu_pd(columns[3], _mm256_permute2f128_pd(high01, high23, 0x31));
    }
};

#if XSIMD_WITH_AVX2
// broadcast_lane (generic.hpp) on 256-bit vectors: one cross-lane permute (AVX2; plain AVX has none and
// takes generic.hpp's way through memory).
template <std::size_t I, class A>
TYPENET_ALWAYS_INLINE xsimd::batch<float, A> broadcast_lane(xsimd::avx2, const xsimd::batch<float, A>& x) noexcept {
    static_assert(I < 8, "typenet::simd::broadcast_lane: no such lane");
    return _mm256_permutevar8x32_ps(x, _mm256_set1_epi32(static_cast<int>(I)));
}
template <std::size_t I, class A>
TYPENET_ALWAYS_INLINE xsimd::batch<double, A> broadcast_lane(xsimd::avx2, const xsimd::batch<double, A>& x) noexcept {
    static_assert(I < 4, "typenet::simd::broadcast_lane: no such lane");
    return _mm256_permute4x64_pd(x, static_cast<int>(I * 0x55));
}
#endif

}  // namespace typenet::kernel::arch::inline TYPENET_ISA
