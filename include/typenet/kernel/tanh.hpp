// SIMD tanh.
//
// float: tanh(x) = x P(x^2) / Q(x^2) with P of degree 5 and Q of degree 3, for |x| <= 9.2, +-1 beyond (float
// tanh rounds to +-1 from 9.02 on). The coefficients are a weighted least-squares (Lawson) fit of relative
// error on [0, 9] made by tools/fit_tanh.py: the fit is good to 6e-8, the float evaluation to about 3 ulp
// (tested against std::tanh in tests/test_activation.cpp). Both polynomials are evaluated in Estrin form,
// so the dependency chain is 3 FMAs deep instead of 5: after a matrix product the activation's latency, not
// its throughput, is on the critical path of a single-sample forward.
// double: xsimd::tanh (accurate to about 1 ulp; std::tanh on the portable path).
#pragma once

#include <type_traits>

#include "../simd.hpp"

namespace typenet::kernel::inline TYPENET_ISA {

template <class Batch>
inline Batch tanh(const Batch& x) noexcept {
    using T = typename Batch::value_type;
    if constexpr (std::is_same_v<T, float>) {
        // The input is clamped to 9.2, past the fit's end (9): from 9.02 on float tanh rounds to +-1, and there
        // the rational is above 1 by 2 to 3 ulp with or without fused multiply-adds (at 9 itself it is 1 or
        // 1 - 6e-8 depending on them), so the output clamp gives exactly +-1 for every input beyond, +-inf
        // included, on every instruction set. NaN is the second operand of each clamp and passes through
        // (simd::max/min rule).
        const Batch clamped = simd::min(Batch(9.2f), simd::max(Batch(-9.2f), x));
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
        return simd::min(Batch(1.0f), simd::max(Batch(-1.0f), clamped * p / q));
    } else {
        return simd::tanh(x);
    }
}

}  // namespace typenet::kernel::inline TYPENET_ISA
