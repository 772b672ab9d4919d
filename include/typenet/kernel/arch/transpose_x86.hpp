// Square register transposes for x86: Size rows of Size contiguous values in, Size columns out.
// xsimd 8.1 has no transpose, and its AVX/AVX-512 zip_lo/zip_hi interleave within 128-bit lanes only, so
// these use the intrinsics directly. Each is a fixed network of unpack and lane shuffles: for 16x16 floats,
// 64 shuffles against 256 scalar loads and stores.
#pragma once

#include <cstddef>

#include "../../config.hpp"
#include "../../detail/simd.hpp"

namespace typenet::kernel::arch {

// block_transpose<T, Size>: a Size x Size register transpose, available when the enabled instruction sets
// have one (the caller picks the widest that fits its layouts and falls back to scalar code otherwise).
// run() reads rows[i][0..Size) and writes columns[j][i] = rows[i][j]; pointers need no alignment.
template <class T, std::size_t Size>
struct block_transpose {
    static constexpr bool available = false;
};

#if XSIMD_WITH_AVX512F
namespace x86_detail {
TYPENET_ALWAYS_INLINE void transpose_lanes_4x4(const __m512& a, const __m512& b, const __m512& c, const __m512& d,
                                                      __m512 (&out)[4]) noexcept {
    const __m512 ab_low = _mm512_shuffle_f32x4(a, b, 0x44), ab_high = _mm512_shuffle_f32x4(a, b, 0xEE);
    const __m512 cd_low = _mm512_shuffle_f32x4(c, d, 0x44), cd_high = _mm512_shuffle_f32x4(c, d, 0xEE);
    out[0] = _mm512_shuffle_f32x4(ab_low, cd_low, 0x88);
    out[1] = _mm512_shuffle_f32x4(ab_low, cd_low, 0xDD);
    out[2] = _mm512_shuffle_f32x4(ab_high, cd_high, 0x88);
    out[3] = _mm512_shuffle_f32x4(ab_high, cd_high, 0xDD);
}
inline __m512 as_float(__m512d v) noexcept { return _mm512_castpd_ps(v); }
inline __m512d as_double(__m512 v) noexcept { return _mm512_castps_pd(v); }
}  // namespace x86_detail

template <>
struct block_transpose<float, 16> {
    static constexpr bool available = true;
    TYPENET_ALWAYS_INLINE static void run(const float* const (&rows)[16], float* const (&columns)[16]) noexcept {
        using namespace x86_detail;
        __m512 pairs[16];  // pairs[2i], pairs[2i+1]: rows 2i and 2i+1 interleaved, lane L holds columns 4L..4L+3
        for (int i = 0; i < 8; ++i) {
            const __m512 even = _mm512_loadu_ps(rows[2 * i]), odd = _mm512_loadu_ps(rows[2 * i + 1]);
            pairs[2 * i] = _mm512_unpacklo_ps(even, odd);
            pairs[2 * i + 1] = _mm512_unpackhi_ps(even, odd);
        }
        __m512 quads[16];  // quads[4g + j], lane L: column 4L + j of rows 4g..4g+3
        for (int g = 0; g < 4; ++g) {
            const __m512d p0 = as_double(pairs[4 * g]), p1 = as_double(pairs[4 * g + 1]);
            const __m512d p2 = as_double(pairs[4 * g + 2]), p3 = as_double(pairs[4 * g + 3]);
            quads[4 * g + 0] = as_float(_mm512_unpacklo_pd(p0, p2));
            quads[4 * g + 1] = as_float(_mm512_unpackhi_pd(p0, p2));
            quads[4 * g + 2] = as_float(_mm512_unpacklo_pd(p1, p3));
            quads[4 * g + 3] = as_float(_mm512_unpackhi_pd(p1, p3));
        }
        for (int j = 0; j < 4; ++j) {
            __m512 out[4];  // out[L] = column 4L + j
            transpose_lanes_4x4(quads[j], quads[4 + j], quads[8 + j], quads[12 + j], out);
            for (int lane = 0; lane < 4; ++lane) _mm512_storeu_ps(columns[4 * lane + j], out[lane]);
        }
    }
};

template <>
struct block_transpose<double, 8> {
    static constexpr bool available = true;
    TYPENET_ALWAYS_INLINE static void run(const double* const (&rows)[8], double* const (&columns)[8]) noexcept {
        using namespace x86_detail;
        __m512 pairs[8];  // pairs[2g + j], lane L: column 2L + j of rows 2g, 2g+1
        for (int g = 0; g < 4; ++g) {
            const __m512d even = _mm512_loadu_pd(rows[2 * g]), odd = _mm512_loadu_pd(rows[2 * g + 1]);
            pairs[2 * g] = as_float(_mm512_unpacklo_pd(even, odd));
            pairs[2 * g + 1] = as_float(_mm512_unpackhi_pd(even, odd));
        }
        for (int j = 0; j < 2; ++j) {
            __m512 out[4];  // out[L] = column 2L + j
            transpose_lanes_4x4(pairs[j], pairs[2 + j], pairs[4 + j], pairs[6 + j], out);
            for (int lane = 0; lane < 4; ++lane) _mm512_storeu_pd(columns[2 * lane + j], as_double(out[lane]));
        }
    }
};

#endif

#if XSIMD_WITH_AVX

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

#endif

#if XSIMD_WITH_SSE2

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

#endif

}  // namespace typenet::kernel::arch
