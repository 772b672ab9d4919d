// SIMD tanh.
//
// float: tanh(x) = x P(x^2) / Q(x^2) with P of degree 5 and Q of degree 3, for |x| <= 9; +-1 beyond, where
// float tanh rounds to +-1 (from 9.02 on; tanh(9) itself is 1 - 6e-8). The coefficients are a weighted least-squares (Lawson) fit of
// relative error on [0, 9] made by tools/fit_tanh.py: the fit is good to 6e-8, the float evaluation to about 3 ulp (tested against
// std::tanh in tests/test_activation.cpp). Both polynomials are evaluated in Estrin form, so the dependency chain is 3 FMAs deep instead of
// 5: after a matrix product the activation's latency, not its throughput, is on the critical path of a single-sample forward. double:
// xsimd::tanh (accurate to about 1 ulp; std::tanh on the portable path).
#pragma once

#include <type_traits>

#include "../simd.hpp"

namespace typenet::kernel::inline TYPENET_ISA {

template <class Batch>
inline Batch tanh(const Batch& x) noexcept {
    using T = typename Batch::value_type;
    if constexpr (std::is_same_v<T, float>) {
        // NaN is the second operand of both, so it passes through (simd::max/min rule).
        const Batch clamped = simd::min(Batch(9.0f), simd::max(Batch(-9.0f), x));
        const Batch t = clamped * clamped;
        const Batch t2 = t * t;
        const Batch t4 = t2 * t2;
        // P(t) = (p0 + p1 t) + (p2 + p3 t) t^2 + (p4 + p5 t) t^4
        const Batch p01 = simd::fma(Batch(0.12919506895832644f), t, Batch(0.99999994291646843f));
        const Batch p23 = simd::fma(Batch(9.2699150902561651e-06f), t, Batch(0.0029210533286857833f));
        const Batch p45 = simd::fma(Batch(1.8270944697207472e-11f), t, Batch(-1.2787251957037819e-08f));
        const Batch p = simd::fma(p45, t4, simd::fma(p23, t2, p01));
        // Q(t) = (1 + q1 t) + (q2 + q3 t) t^2
        const Batch q01 = simd::fma(Batch(0.46252791551297423f), t, Batch(1.0f));
        const Batch q23 = simd::fma(Batch(0.00022813939332042544f), t, Batch(0.023764383411003818f));
        const Batch q = simd::fma(q23, t2, q01);
        const Batch rational = simd::min(Batch(1.0f), simd::max(Batch(-1.0f), clamped * p / q));
        // Beyond 9.02 float tanh rounds to +-1, but the fit ends at 9, where it gives 1 or 1 - 6e-8 depending on
        // whether the instruction set fuses multiply-adds: inputs beyond 9 (and +-inf) get +-1 exactly.
        // A NaN compares false twice and keeps the rational's NaN.
        return simd::select(x > Batch(9.0f), Batch(1.0f), simd::select(x < Batch(-9.0f), Batch(-1.0f), rational));
    } else {
        return simd::tanh(x);
    }
}

}  // namespace typenet::kernel::inline TYPENET_ISA
