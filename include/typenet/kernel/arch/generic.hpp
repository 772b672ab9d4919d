// The generic instruction-set layer: what every xsimd instruction set gets unless a file of its own family
// (x86_sse.hpp, x86_avx.hpp, x86_avx512.hpp, arm_neon.hpp) provides a better overload. Dispatch is by tag,
// as in xsimd: each function takes the architecture as its first argument, and an overload for a more
// derived architecture (xsimd::avx512f derives from xsimd::generic) wins overload resolution.
//
// Documentation: docs/internals.md
// Distributed under the Boost Software License, Version 1.0 (see LICENSE or https://www.boost.org/LICENSE_1_0.txt).
#pragma once

#include <cstddef>

#include "../../config.hpp"
#include "xsimd_include.hpp"

namespace typenet::kernel::arch::inline TYPENET_ISA {

// a * b + c in one rounding.
template <class T, class A>
TYPENET_ALWAYS_INLINE xsimd::batch<T, A> fma(xsimd::generic, const xsimd::batch<T, A>& a, const xsimd::batch<T, A>& b,
                                             const xsimd::batch<T, A>& c) noexcept {
    return xsimd::fma(a, b, c);
}

// max(a, b) = a > b ? a : b and min(a, b) = a < b ? a : b, lane by lane, on every instruction set: b when
// either is NaN or when they compare equal (so max(0, -0) is -0). This is x86's maxps/minps rule, one
// instruction there (x86_*.hpp); NEON's vmaxq/vminq return NaN for a NaN on either side, so elsewhere it is
// a compare and a select. One rule is what makes NaN behave alike everywhere: kernels put the operand that
// must survive a NaN second (relu is max(0, x)).
template <class T, class A>
TYPENET_ALWAYS_INLINE xsimd::batch<T, A> max(xsimd::generic, const xsimd::batch<T, A>& a, const xsimd::batch<T, A>& b) noexcept {
    return xsimd::select(a > b, a, b);
}
template <class T, class A>
TYPENET_ALWAYS_INLINE xsimd::batch<T, A> min(xsimd::generic, const xsimd::batch<T, A>& a, const xsimd::batch<T, A>& b) noexcept {
    return xsimd::select(a < b, a, b);
}

// Adam's direction m / (sqrt(v) * inverse_root + eps): exact square root and division.
template <class T, class A>
TYPENET_ALWAYS_INLINE xsimd::batch<T, A> adam_direction(xsimd::generic, const xsimd::batch<T, A>& m, const xsimd::batch<T, A>& v,
                                                        T inverse_root, T eps) noexcept {
    return m / (xsimd::sqrt(v) * xsimd::batch<T, A>(inverse_root) + xsimd::batch<T, A>(eps));
}

// Lane i of the result is the sum of the lanes of rows[i], for every lane i.
template <class T, class A>
TYPENET_ALWAYS_INLINE xsimd::batch<T, A> lane_sums(xsimd::generic, const xsimd::batch<T, A>* rows) noexcept {
    return xsimd::haddp(rows);
}

// Every lane of the result is lane I of x. Here through memory (a store, then a broadcast load); the
// instruction-set files have one-instruction register permutes, which keep a value that the next product
// broadcasts off the store-to-load path (a latency-bound chain of layers feels every such trip).
template <std::size_t I, class T, class A>
TYPENET_ALWAYS_INLINE xsimd::batch<T, A> broadcast_lane(xsimd::generic, const xsimd::batch<T, A>& x) noexcept {
    static_assert(I < xsimd::batch<T, A>::size, "typenet::simd::broadcast_lane: no such lane");
    alignas(64) T lanes[xsimd::batch<T, A>::size];
    x.store_aligned(lanes);
    return xsimd::batch<T, A>(lanes[I]);
}

// The floating-point control bits that flush subnormal results to zero and read subnormal inputs as zero
// (x86: MXCSR FTZ and DAZ; AArch64: FPCR FZ, which does both). 0 where the instruction set has none that
// typenet knows: typenet::flush_denormals is then a no-op.
constexpr unsigned long long flush_denormals_bits(xsimd::generic) noexcept { return 0; }
inline unsigned long long read_float_control(xsimd::generic) noexcept { return 0; }
inline void write_float_control(xsimd::generic, unsigned long long) noexcept {}

// Architectural vector registers: register tiles are sized from this so accumulators never spill.
constexpr std::size_t register_count(xsimd::generic) noexcept { return 16; }

// The instruction set for layers with few outputs (latency-bound, where a wide vector would be mostly
// padding): by default the widest one.
template <class A>
A narrow_arch_of(A, xsimd::generic) noexcept;

// block_transpose<T, Size>: a Size x Size register transpose, where an instruction set family provides one
// (specializations in its file). run() reads rows[i][0..Size) and writes columns[j][i] = rows[i][j].
template <class T, std::size_t Size>
struct block_transpose {
    static constexpr bool available = false;
};

}  // namespace typenet::kernel::arch::inline TYPENET_ISA
