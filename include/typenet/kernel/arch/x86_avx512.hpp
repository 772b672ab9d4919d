// AVX-512 pieces of the instruction-set layer: fused multiply-add, Adam's direction from refined
// reciprocal estimates, 16 x 16 float and 8 x 8 double register transposes, float row sums, the register
// count, and the narrower vectors for layers with few outputs. Included by select.hpp only when AVX-512F is enabled.
//
// Documentation: docs/internals.md
// Distributed under the Boost Software License, Version 1.0 (see LICENSE or https://www.boost.org/LICENSE_1_0.txt).
#pragma once

#include <cstddef>
#include <type_traits>

#include "../../config.hpp"
#include "generic.hpp"

namespace typenet::kernel::arch::inline TYPENET_ISA {
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

// xsimd 8.1 spells AVX-512 fma as mul + add intrinsics, which g++ contracts (-ffp-contract=fast) but clang
// does not: issue vfmadd directly, half the instructions and latency.
template <class A>
TYPENET_ALWAYS_INLINE xsimd::batch<float, A> fma(xsimd::avx512f, const xsimd::batch<float, A>& a, const xsimd::batch<float, A>& b,
                                                 const xsimd::batch<float, A>& c) noexcept {
    return _mm512_fmadd_ps(a, b, c);
}
template <class A>
TYPENET_ALWAYS_INLINE xsimd::batch<double, A> fma(xsimd::avx512f, const xsimd::batch<double, A>& a, const xsimd::batch<double, A>& b,
                                                  const xsimd::batch<double, A>& c) noexcept {
    return _mm512_fmadd_pd(a, b, c);
}

// broadcast_lane (generic.hpp) on 512-bit vectors: one cross-lane permute.
template <std::size_t I, class A>
TYPENET_ALWAYS_INLINE xsimd::batch<float, A> broadcast_lane(xsimd::avx512f, const xsimd::batch<float, A>& x) noexcept {
    static_assert(I < 16, "typenet::simd::broadcast_lane: no such lane");
    return _mm512_permutexvar_ps(_mm512_set1_epi32(static_cast<int>(I)), x);
}
template <std::size_t I, class A>
TYPENET_ALWAYS_INLINE xsimd::batch<double, A> broadcast_lane(xsimd::avx512f, const xsimd::batch<double, A>& x) noexcept {
    static_assert(I < 8, "typenet::simd::broadcast_lane: no such lane");
    return _mm512_permutexvar_pd(_mm512_set1_epi64(static_cast<long long>(I)), x);
}

// Adam's direction for float: sqrt and div are the slowest vector instructions (they made the Adam pass
// divider-bound), so both come from the 14-bit reciprocal estimates refined by one Newton step (~2^-27
// relative, within a few ulp of the correctly rounded quotient; tested against a double reference).
template <class A>
TYPENET_ALWAYS_INLINE xsimd::batch<float, A> adam_direction(xsimd::avx512f, const xsimd::batch<float, A>& m,
                                                            const xsimd::batch<float, A>& v, float inverse_root, float eps) noexcept {
    const __m512 estimate = _mm512_rsqrt14_ps(v);  // +inf where v == 0
    const __m512 half_v_estimate = _mm512_mul_ps(_mm512_mul_ps(v, estimate), _mm512_set1_ps(0.5f));
    const __m512 inverse_sqrt = _mm512_mul_ps(estimate, _mm512_fnmadd_ps(half_v_estimate, estimate, _mm512_set1_ps(1.5f)));
    const __mmask16 nonzero = _mm512_cmp_ps_mask(v, _mm512_setzero_ps(), _CMP_NEQ_UQ);
    const __m512 root = _mm512_maskz_mul_ps(nonzero, v, inverse_sqrt);  // sqrt(0) = 0, not 0 * inf
    const __m512 denominator = _mm512_fmadd_ps(root, _mm512_set1_ps(inverse_root), _mm512_set1_ps(eps));
    const __m512 reciprocal_estimate = _mm512_rcp14_ps(denominator);
    const __m512 reciprocal = _mm512_mul_ps(reciprocal_estimate, _mm512_fnmadd_ps(denominator, reciprocal_estimate, _mm512_set1_ps(2.0f)));
    return _mm512_mul_ps(m, reciprocal);
}

// Sixteen float row sums in one vector. xsimd 8.1's haddp for AVX-512 float returns them in the wrong
// order (lanes 2-3 and 10-11 swapped with 4-5 and 12-13), so typenet has its own tree: pairs of rows,
// then quadruples within each 128-bit block, then the 4 x 4 transpose of blocks summed.
template <class A>
TYPENET_ALWAYS_INLINE xsimd::batch<float, A> lane_sums(xsimd::avx512f, const xsimd::batch<float, A>* rows) noexcept {
    using namespace x86_detail;
    __m512 pairs[8];  // pairs[i], block L: rows 2i, 2i+1 summed over lanes {0, 2} and {1, 3} of block L
    for (int i = 0; i < 8; ++i) {
        const __m512 even = rows[2 * i], odd = rows[2 * i + 1];
        pairs[i] = _mm512_add_ps(_mm512_unpacklo_ps(even, odd), _mm512_unpackhi_ps(even, odd));
    }
    __m512 quads[4];  // quads[g], block L: rows 4g..4g+3 summed over block L
    for (int g = 0; g < 4; ++g) {
        const __m512d low = as_double(pairs[2 * g]), high = as_double(pairs[2 * g + 1]);
        quads[g] = _mm512_add_ps(as_float(_mm512_unpacklo_pd(low, high)), as_float(_mm512_unpackhi_pd(low, high)));
    }
    __m512 blocks[4];  // blocks[j], block g: quads[g]'s block j
    transpose_lanes_4x4(quads[0], quads[1], quads[2], quads[3], blocks);
    return _mm512_add_ps(_mm512_add_ps(blocks[0], blocks[1]), _mm512_add_ps(blocks[2], blocks[3]));
}

constexpr std::size_t register_count(xsimd::avx512f) noexcept { return 32; }

// Layers with few outputs use 256-bit vectors: a 512-bit vector would be mostly padding, and a dependency
// chain, not throughput, bounds them (a layer's layout decides which it uses).
template <class A>
xsimd::fma3<xsimd::avx2> narrow_arch_of(A, xsimd::avx512f) noexcept;

}  // namespace typenet::kernel::arch::inline TYPENET_ISA
