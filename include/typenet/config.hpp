// typenet — configuration macros shared by every header, and the instruction-set namespace.
//
// Documentation: docs/internals.md
// Distributed under the Boost Software License, Version 1.0 (see LICENSE or https://www.boost.org/LICENSE_1_0.txt).
#pragma once

#include <cassert>

#include <xsimd/config/xsimd_config.hpp>

#define TYPENET_VERSION_MAJOR 0
#define TYPENET_VERSION_MINOR 2
#define TYPENET_VERSION_PATCH 0

// Debug-build checks on the hot paths (the network object's alignment in forward and in training).
// TYPENET_ASSERT is assert() by default, so it costs nothing with NDEBUG; define it before including typenet
// to route it elsewhere. Checks that are cheap (indices of weight<I>, bias<I> and tensor views, targets,
// constructors) are not asserts: they stay in release builds (detail/raise.hpp).
#ifndef TYPENET_ASSERT
#define TYPENET_ASSERT(condition) assert(condition)
#endif

// The instruction set this translation unit compiles for, as a namespace name. Everything whose layout or
// code depends on it (kernels, layer layouts, the plan, basic_network, workspace, trainer) is declared in
// an inline namespace of that name (as Google Highway does with HWY_NAMESPACE): a program whose translation
// units are compiled with different -march flags then links distinct types and functions for each, instead
// of silently merging two layouts of "the same" network (an ODR violation). Users never spell it:
// typenet::basic_network names typenet::TYPENET_ISA::basic_network.
//
// TYPENET_PORTABLE selects the portable scalar kernels (kernel/arch/portable.hpp) even where xsimd has an
// instruction set; they are also what a target without one gets.
#if defined(TYPENET_PORTABLE) || defined(XSIMD_NO_SUPPORTED_ARCHITECTURE)
#define TYPENET_ISA isa_portable
#define TYPENET_ISA_IS_PORTABLE 1
#elif XSIMD_WITH_AVX512BW
#define TYPENET_ISA isa_avx512bw
#elif XSIMD_WITH_AVX512DQ
#define TYPENET_ISA isa_avx512dq
#elif XSIMD_WITH_AVX512CD
#define TYPENET_ISA isa_avx512cd
#elif XSIMD_WITH_AVX512F
#define TYPENET_ISA isa_avx512f
#elif XSIMD_WITH_FMA3_AVX2
#define TYPENET_ISA isa_avx2_fma
#elif XSIMD_WITH_AVX2
#define TYPENET_ISA isa_avx2
#elif XSIMD_WITH_FMA3_AVX
#define TYPENET_ISA isa_avx_fma
#elif XSIMD_WITH_AVX
#define TYPENET_ISA isa_avx
#elif XSIMD_WITH_FMA4
#define TYPENET_ISA isa_fma4
#elif XSIMD_WITH_FMA3_SSE
#define TYPENET_ISA isa_sse42_fma
#elif XSIMD_WITH_SSE4_2
#define TYPENET_ISA isa_sse42
#elif XSIMD_WITH_SSE4_1
#define TYPENET_ISA isa_sse41
#elif XSIMD_WITH_SSSE3
#define TYPENET_ISA isa_ssse3
#elif XSIMD_WITH_SSE3
#define TYPENET_ISA isa_sse3
#elif XSIMD_WITH_SSE2
#define TYPENET_ISA isa_sse2
#elif XSIMD_WITH_NEON64
#define TYPENET_ISA isa_neon64
#elif XSIMD_WITH_NEON
#define TYPENET_ISA isa_neon
#else
#error "typenet: unknown xsimd instruction set"
#endif

// The instruction set's name as a string literal ("isa_avx2_fma"), for messages and benchmarks.
#define TYPENET_STRINGIFY_IMPL(text) #text
#define TYPENET_STRINGIFY(text) TYPENET_STRINGIFY_IMPL(text)
#define TYPENET_ISA_NAME TYPENET_STRINGIFY(TYPENET_ISA)
#ifndef TYPENET_ISA_IS_PORTABLE
#define TYPENET_ISA_IS_PORTABLE 0
#endif

// Kernels are small and called once per layer: inlining them all into forward() lets the compiler keep
// the whole network's schedule in one function. clang's inliner otherwise gives up on the larger tiles.
// The lambdas of static_for need the attribute too: clang leaves them as calls inside unrolled loops.
// TYPENET_NO_FORCE_INLINE leaves inlining to the compiler: sanitizer builds compile several times faster.
// The portable path never forces it: its batches are loops, and forcing every one of them into the
// unrolled kernels makes compile times explode (minutes per file) for no gain.
#if (defined(__GNUC__) || defined(__clang__)) && !defined(TYPENET_NO_FORCE_INLINE) && !TYPENET_ISA_IS_PORTABLE
#define TYPENET_ALWAYS_INLINE inline __attribute__((always_inline))
#define TYPENET_INLINE_LAMBDA __attribute__((always_inline))
// Everything a function calls inlined into it, functions the library does not force (an activation's
// tanh) included: a call in a latency-bound chain spills every live vector register around it.
#define TYPENET_FLATTEN __attribute__((flatten))
#else
#define TYPENET_ALWAYS_INLINE inline
#define TYPENET_INLINE_LAMBDA
#define TYPENET_FLATTEN
#endif
// The k loop of a dense register tile (kernel/dense_forward.hpp) stays a loop, unrolled twice at most.
// With its constant trip count clang unrolls it fully and then schedules the FMAs output vector by output
// vector, keeping the broadcasts of x in stack slots (a reload per FMA) in single-row tiles; g++ keeps it
// rolled, where two iterations per trip measured slightly faster. The README's kernel section has numbers.
#if defined(__clang__)
#define TYPENET_TILE_LOOP _Pragma("clang loop unroll(disable)")
#elif defined(__GNUC__)
#define TYPENET_TILE_LOOP _Pragma("GCC unroll 2")
#else
#define TYPENET_TILE_LOOP
#endif
#if defined(__GNUC__) || defined(__clang__)
#define TYPENET_NOINLINE __attribute__((noinline))
#else
#define TYPENET_NOINLINE
#endif
