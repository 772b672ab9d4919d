// NEON pieces of the instruction-set layer. AArch64 has 32 vector registers (register tiles are sized from
// this); fused multiply-add, square root and division are xsimd's. Included by select.hpp only for NEON.
//
// Documentation: docs/internals.md
// Distributed under the Boost Software License, Version 1.0 (see LICENSE or https://www.boost.org/LICENSE_1_0.txt).
#pragma once

#include <cstddef>

#include "../../config.hpp"
#include "generic.hpp"

namespace typenet::kernel::arch::inline TYPENET_ISA {

#if XSIMD_WITH_NEON64
constexpr std::size_t register_count(xsimd::neon64) noexcept { return 32; }

// broadcast_lane (generic.hpp): one duplicate-lane instruction.
template <std::size_t I, class A>
TYPENET_ALWAYS_INLINE xsimd::batch<float, A> broadcast_lane(xsimd::neon64, const xsimd::batch<float, A>& x) noexcept {
    static_assert(I < 4, "typenet::simd::broadcast_lane: no such lane");
    return vdupq_laneq_f32(x, static_cast<int>(I));
}
template <std::size_t I, class A>
TYPENET_ALWAYS_INLINE xsimd::batch<double, A> broadcast_lane(xsimd::neon64, const xsimd::batch<double, A>& x) noexcept {
    static_assert(I < 2, "typenet::simd::broadcast_lane: no such lane");
    return vdupq_laneq_f64(x, static_cast<int>(I));
}

// FPCR bit 24 (FZ): subnormal inputs and results of single and double precision arithmetic are flushed to 0.
constexpr unsigned long long flush_denormals_bits(xsimd::neon64) noexcept { return 1ull << 24; }
inline unsigned long long read_float_control(xsimd::neon64) noexcept {
    unsigned long long control;
    __asm__ __volatile__("mrs %0, fpcr" : "=r"(control));
    return control;
}
inline void write_float_control(xsimd::neon64, unsigned long long control) noexcept {
    __asm__ __volatile__("msr fpcr, %0" : : "r"(control));
}
#endif

}  // namespace typenet::kernel::arch::inline TYPENET_ISA
