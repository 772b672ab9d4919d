// SIMD tanh, and the logistic sigmoid of the recurrent cells' gates.
//
// Documentation: docs/internals.md
// Distributed under the Boost Software License, Version 1.0 (see LICENSE or https://www.boost.org/LICENSE_1_0.txt).
//
// float: tanh(x) = x P(x^2) / Q(x^2) with P of degree 5 and Q of degree 3, for |x| <= 9.2, +-1 beyond (float
// tanh rounds to +-1 from 9.02 on). The coefficients are a weighted least-squares (Lawson) fit of relative
// error on [0, 9] made by tools/fit_tanh.py: the fit is good to 6e-8, the float evaluation to about 3 ulp
// (tested against std::tanh in tests/test_activation.cpp). Both polynomials are evaluated in Estrin form,
// so the dependency chain is 3 FMAs deep instead of 5: after a matrix product the activation's latency, not
// its throughput, is on the critical path of a single-sample forward.
// double: xsimd::tanh (accurate to about 1 ulp; std::tanh on the portable path).
#pragma once

#include <array>
#include <cstddef>
#include <type_traits>

#include "../simd.hpp"

namespace typenet::kernel::inline TYPENET_ISA {

namespace detail {
// The fit's coefficients: P(t) = sum p[i] t^i, Q(t) = sum q[i] t^i.
inline constexpr double tanh_numerator[6] = {0.99999994291646843,    0.12919506895832644,     0.0029210533286857833,
                                             9.2699150902561651e-06, -1.2787251957037819e-08, 1.8270944697207472e-11};
inline constexpr double tanh_denominator[4] = {1.0, 0.46252791551297423, 0.023764383411003818, 0.00022813939332042544};
// The coefficients for x^2 / Divisor in place of x^2, P's also divided by PScale, rounded to float (powers of
// two only change the exponent, so these are exactly the scaled coefficients).
template <std::size_t Size>
constexpr std::array<float, Size> scaled_coefficients(const double (&coefficients)[Size], double divisor, double scale) noexcept {
    std::array<float, Size> scaled{};
    double power = 1;
    for (std::size_t i = 0; i < Size; ++i, power *= divisor) scaled[i] = static_cast<float>(coefficients[i] * scale / power);
    return scaled;
}
template <int Divisor, int PScale>
inline constexpr std::array<float, 6> scaled_numerator = scaled_coefficients(tanh_numerator, Divisor, 1.0 / PScale);
template <int Divisor>
inline constexpr std::array<float, 4> scaled_denominator = scaled_coefficients(tanh_denominator, Divisor, 1.0);

// P and Q at t = min(x^2, limit^2) / Divisor, with limit = LimitTenths / 10 and P's coefficients divided by
// PScale. Clamping x^2 instead of x takes one operation off the chain; beyond the limit the callers' output
// clamp decides, as x P / Q is then x / limit times the rational's value at the limit (at least 1 in
// magnitude), +-inf included. NaN passes through (second operand of the min).
template <class Batch, int Divisor, int PScale, int LimitTenths>
TYPENET_ALWAYS_INLINE void tanh_parts(const Batch& x, Batch& p, Batch& q) noexcept {
    constexpr const std::array<float, 6>& pc = scaled_numerator<Divisor, PScale>;
    constexpr const std::array<float, 4>& qc = scaled_denominator<Divisor>;
    const Batch t = simd::min(Batch(float(LimitTenths * LimitTenths) / 100.0f), x * x);
    const Batch t2 = t * t;
    const Batch t4 = t2 * t2;
    // P(t) = (p0 + p1 t) + (p2 + p3 t) t^2 + (p4 + p5 t) t^4,  Q(t) = (1 + q1 t) + (q2 + q3 t) t^2
    const Batch p01 = simd::fma(Batch(pc[1]), t, Batch(pc[0]));
    const Batch p23 = simd::fma(Batch(pc[3]), t, Batch(pc[2]));
    const Batch p45 = simd::fma(Batch(pc[5]), t, Batch(pc[4]));
    p = simd::fma(p45, t4, simd::fma(p23, t2, p01));
    const Batch q01 = simd::fma(Batch(qc[1]), t, Batch(qc[0]));
    const Batch q23 = simd::fma(Batch(qc[3]), t, Batch(qc[2]));
    q = simd::fma(q23, t2, q01);
}
}  // namespace detail

template <class Batch>
inline Batch tanh(const Batch& x) noexcept {
    using T = typename Batch::value_type;
    if constexpr (std::is_same_v<T, float>) {
        // x^2 is clamped to 9.2^2, past the fit's end (9): from 9.02 on float tanh rounds to +-1, and there
        // the rational is above 1 by 2 to 3 ulp with or without fused multiply-adds (at 9 itself it is 1 or
        // 1 - 6e-8 depending on them), so the output clamp gives exactly +-1 for every input beyond, +-inf
        // included, on every instruction set. NaN is the second operand of each clamp and passes through
        // (simd::max/min rule).
        // (x / Q) P rather than x P / Q: Q is ready before P (degree 3 against 5), so the division starts
        // sooner and the longest chain of dependent operations is one multiply shorter (a latency-bound
        // caller, a recurrent or single-frame step, waits on every one); the same two roundings.
        Batch p, q;
        detail::tanh_parts<Batch, 1, 1, 92>(x, p, q);
        return simd::min(Batch(1.0f), simd::max(Batch(-1.0f), x / q * p));
    } else {
        return simd::tanh(x);
    }
}

// sigmoid(x) = 1/2 + tanh(x/2)/2 (exact identity). float: the same rational with the halvings folded into
// the coefficients (powers of four, so the float coefficients are exactly the scaled ones):
// sigmoid(x) = (x P/4 + Q/2) / Q with P, Q at x^2/4: one FMA and one division after P, a shorter dependency
// chain than tanh's form with a multiply before it and an FMA after. Absolute error about 2e-7 (tested
// against 1 / (1 + exp(-x))); exactly 1 and 0 beyond +-18.4 and at +-inf; NaN passes through.
template <class Batch>
inline Batch sigmoid(const Batch& x) noexcept {
    using T = typename Batch::value_type;
    const Batch half(T(0.5));
    if constexpr (std::is_same_v<T, float>) {
        Batch p, q;
        detail::tanh_parts<Batch, 4, 4, 184>(x, p, q);
        return simd::min(Batch(1.0f), simd::max(Batch(0.0f), simd::fma(x, p, half * q) / q));
    } else {
        return simd::fma(half, simd::tanh(half * x), half);
    }
}

}  // namespace typenet::kernel::inline TYPENET_ISA
