// Fused optimizer updates over a whole parameter block: one pass reads parameter, gradient and moments
// once. Sizes are multiples of 64 bytes (the block's padding), so there is no scalar tail; padding lanes
// have zero parameter, gradient and moments and stay exactly zero under every update.
//
// Documentation: docs/internals.md
// Distributed under the Boost Software License, Version 1.0 (see LICENSE or https://www.boost.org/LICENSE_1_0.txt).
#pragma once

#include <cmath>
#include <cstddef>
#include <type_traits>

#include "../config.hpp"
#include "../simd.hpp"

namespace typenet::kernel::inline TYPENET_ISA {

template <class T>
using block_batch = simd::batch<T>;

struct block_summary {
    bool finite;          // no NaN and no infinity in the block
    double squared_norm;  // sum of squares (0 unless asked for)
};

// One pass over a block: whether every value is finite (the sum of v * 0 is 0 exactly when none is NaN
// or infinite, whatever their magnitude) and, when WithNorm, the sum of squares, for gradient clipping and
// monitors; partial sums are added in double so the norm does not depend on the summation order.
template <class T, std::size_t Size, bool WithNorm>
block_summary summarize(const T* values) noexcept {
    using batch = block_batch<T>;
    static_assert(Size % batch::size == 0);
    constexpr std::size_t unroll = 4;
    batch squares[unroll], zeros[unroll];
    for (std::size_t j = 0; j < unroll; ++j) squares[j] = zeros[j] = batch(T(0));
    constexpr std::size_t main_end = Size - Size % (unroll * batch::size);
    const auto accumulate = [&](std::size_t j, const batch& v) TYPENET_INLINE_LAMBDA {
        zeros[j] = simd::fma(v, batch(T(0)), zeros[j]);
        if constexpr (WithNorm) squares[j] = simd::fma(v, v, squares[j]);
    };
    for (std::size_t i = 0; i < main_end; i += unroll * batch::size)
        for (std::size_t j = 0; j < unroll; ++j) accumulate(j, batch::load_aligned(values + i + j * batch::size));
    for (std::size_t i = main_end; i < Size; i += batch::size) accumulate(0, batch::load_aligned(values + i));
    block_summary summary{true, 0};
    for (std::size_t j = 0; j < unroll; ++j) {
        summary.finite = summary.finite && simd::reduce_add(zeros[j]) == T(0);
        if constexpr (WithNorm) summary.squared_norm += double(simd::reduce_add(squares[j]));
    }
    return summary;
}

// SGD with momentum (PyTorch semantics: no dampening; the first step sets buf = g).
template <class T, std::size_t Size>
void sgd_update(T* parameters, const T* gradient, T* momentum_buffer, T lr, T momentum, T gradient_scale, bool first_step) noexcept {
    using batch = block_batch<T>;
    for (std::size_t i = 0; i < Size; i += batch::size) {
        const batch g = batch::load_aligned(gradient + i) * batch(gradient_scale);
        batch direction = g;
        if (momentum != T(0)) {
            direction = first_step ? g : simd::fma(batch(momentum), batch::load_aligned(momentum_buffer + i), g);
            direction.store_aligned(momentum_buffer + i);
        }
        simd::fma(batch(-lr), direction, batch::load_aligned(parameters + i)).store_aligned(parameters + i);
    }
}

namespace detail {
// Adam's direction m / (sqrt(v) * inverse_root + eps), by the instruction set's best means (exact square root
// and division in general; refined reciprocal estimates for float under AVX-512, kernel/arch/x86_avx512.hpp).
template <class Batch, class T>
TYPENET_ALWAYS_INLINE Batch adam_direction(const Batch& m, const Batch& v, T inverse_root, T eps) noexcept {
    return arch::adam_direction(typename Batch::arch_type{}, m, v, inverse_root, eps);
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
        if (l2 != T(0)) g = simd::fma(batch(l2), p, g);
        if (decay != T(1)) p = p * batch(decay);
        const batch m = simd::fma(batch(one_minus_beta1), g, batch::load_aligned(first_moment + i) * batch(beta1));
        const batch v = simd::fma(batch(one_minus_beta2) * g, g, batch::load_aligned(second_moment + i) * batch(beta2));
        m.store_aligned(first_moment + i);
        v.store_aligned(second_moment + i);
        (p - batch(step_size) * detail::adam_direction(m, v, inverse_bias_correction2_sqrt, eps)).store_aligned(parameters + i);
    }
}

}  // namespace typenet::kernel::inline TYPENET_ISA
