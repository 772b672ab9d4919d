// Fused optimizer updates over a whole parameter block: one pass reads parameter, gradient and moments
// once. Sizes are multiples of 64 bytes (the block's padding), so there is no scalar tail; padding lanes
// have zero parameter, gradient and moments and stay exactly zero under every update.
#pragma once

#include <cmath>
#include <cstddef>
#include <type_traits>

#include "../config.hpp"
#include "../detail/simd.hpp"

namespace typenet::kernel {

template <class T>
using block_batch = xsimd::batch<T, typenet::detail::wide_arch>;

// Sum of squares (for gradient clipping), in double so the norm does not depend on the summation order.
template <class T, std::size_t Size>
double squared_norm(const T* values) noexcept {
    using batch = block_batch<T>;
    batch partial[4] = {batch(T(0)), batch(T(0)), batch(T(0)), batch(T(0))};
    static_assert(Size % batch::size == 0);
    std::size_t i = 0;
    for (; i + 4 * batch::size <= Size; i += 4 * batch::size)
        for (std::size_t j = 0; j < 4; ++j) {
            const batch v = batch::load_aligned(values + i + j * batch::size);
            partial[j] = typenet::detail::fma(v, v, partial[j]);
        }
    for (; i < Size; i += batch::size) {
        const batch v = batch::load_aligned(values + i);
        partial[0] = typenet::detail::fma(v, v, partial[0]);
    }
    double sum = 0;
    for (const batch& p : partial) sum += double(xsimd::hadd(p));
    return sum;
}

// SGD with momentum (PyTorch semantics: no dampening; the first step sets buf = g).
template <class T, std::size_t Size>
void sgd_update(T* parameters, const T* gradient, T* momentum_buffer, T lr, T momentum, T gradient_scale, bool first_step) noexcept {
    using batch = block_batch<T>;
    for (std::size_t i = 0; i < Size; i += batch::size) {
        const batch g = batch::load_aligned(gradient + i) * batch(gradient_scale);
        batch direction = g;
        if (momentum != T(0)) {
            direction = first_step ? g : typenet::detail::fma(batch(momentum), batch::load_aligned(momentum_buffer + i), g);
            direction.store_aligned(momentum_buffer + i);
        }
        typenet::detail::fma(batch(-lr), direction, batch::load_aligned(parameters + i)).store_aligned(parameters + i);
    }
}

namespace detail {
// Adam's direction m / (sqrt(v) * inverse_root + eps). sqrt and div are the slowest vector instructions
// (they made the whole Adam pass divider-bound: ~23 cycles per 16 floats). For float under AVX-512 both come
// from the 14-bit reciprocal estimates refined by one Newton step (~2^-27 relative, within a few ulp of the
// correctly rounded quotient; tested against a double reference); elsewhere, exact sqrt and division.
template <class T, class Arch>
TYPENET_ALWAYS_INLINE xsimd::batch<T, Arch> adam_direction(const xsimd::batch<T, Arch>& m, const xsimd::batch<T, Arch>& v,
                                                           T inverse_root, T eps) noexcept {
    using batch = xsimd::batch<T, Arch>;
#if XSIMD_WITH_AVX512F
    if constexpr (std::is_same_v<T, float> && std::is_base_of_v<xsimd::avx512f, Arch>) {
        const __m512 estimate = _mm512_rsqrt14_ps(v);  // +inf where v == 0
        const __m512 half_v_estimate = _mm512_mul_ps(_mm512_mul_ps(v, estimate), _mm512_set1_ps(0.5f));
        const __m512 inverse_sqrt = _mm512_mul_ps(estimate, _mm512_fnmadd_ps(half_v_estimate, estimate, _mm512_set1_ps(1.5f)));
        const __mmask16 nonzero = _mm512_cmp_ps_mask(v, _mm512_setzero_ps(), _CMP_NEQ_UQ);
        const __m512 root = _mm512_maskz_mul_ps(nonzero, v, inverse_sqrt);  // sqrt(0) = 0, not 0 * inf
        const __m512 denominator = _mm512_fmadd_ps(root, _mm512_set1_ps(inverse_root), _mm512_set1_ps(eps));
        const __m512 reciprocal_estimate = _mm512_rcp14_ps(denominator);
        const __m512 reciprocal =
            _mm512_mul_ps(reciprocal_estimate, _mm512_fnmadd_ps(denominator, reciprocal_estimate, _mm512_set1_ps(2.0f)));
        return batch(_mm512_mul_ps(m, reciprocal));
    } else
#endif
        return m / (xsimd::sqrt(v) * batch(inverse_root) + batch(eps));
}
}  // namespace detail

struct adam_coefficients {
    double lr, beta1, beta2, eps, weight_decay;
    bool decoupled;
    long step;  // 1 at the first update
};

// Adam / AdamW exactly as torch.optim (single-tensor path): m, v updated in place, bias-corrected step.
template <class T, std::size_t Size>
void adam_update(T* parameters, const T* gradient, T* first_moment, T* second_moment, const adam_coefficients& c,
                 T gradient_scale) noexcept {
    using batch = block_batch<T>;
    const T beta1 = T(c.beta1), beta2 = T(c.beta2), one_minus_beta1 = T(1 - c.beta1), one_minus_beta2 = T(1 - c.beta2);
    const double bias_correction1 = 1 - std::pow(c.beta1, double(c.step));
    const double bias_correction2 = 1 - std::pow(c.beta2, double(c.step));
    const T step_size = T(c.lr / bias_correction1);
    const T inverse_bias_correction2_sqrt = T(1 / std::sqrt(bias_correction2));
    const T eps = T(c.eps);
    const T l2 = c.decoupled ? T(0) : T(c.weight_decay);
    const T decay = c.decoupled ? T(1 - c.lr * c.weight_decay) : T(1);
    for (std::size_t i = 0; i < Size; i += batch::size) {
        batch p = batch::load_aligned(parameters + i);
        batch g = batch::load_aligned(gradient + i) * batch(gradient_scale);
        if (l2 != T(0)) g = typenet::detail::fma(batch(l2), p, g);
        if (decay != T(1)) p = p * batch(decay);
        const batch m = typenet::detail::fma(batch(one_minus_beta1), g, batch::load_aligned(first_moment + i) * batch(beta1));
        const batch v = typenet::detail::fma(batch(one_minus_beta2) * g, g, batch::load_aligned(second_moment + i) * batch(beta2));
        m.store_aligned(first_moment + i);
        v.store_aligned(second_moment + i);
        (p - batch(step_size) * detail::adam_direction(m, v, inverse_bias_correction2_sqrt, eps)).store_aligned(parameters + i);
    }
}

}  // namespace typenet::kernel
