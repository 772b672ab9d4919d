// typenet — configuration macros shared by every header.
#pragma once

#include <cassert>

#define TYPENET_VERSION_MAJOR 0
#define TYPENET_VERSION_MINOR 1
#define TYPENET_VERSION_PATCH 0

// Accessors (weight<I>, bias<I>) check their indices with TYPENET_ASSERT. It is an assert() by default, so
// it costs nothing with NDEBUG; define it before including typenet to route it elsewhere.
#ifndef TYPENET_ASSERT
#define TYPENET_ASSERT(condition) assert(condition)
#endif

// Kernels are small and called once per layer: inlining them all into forward() lets the compiler keep
// the whole network's schedule in one function. clang's inliner otherwise gives up on the larger tiles.
// The lambdas of static_for need the attribute too: clang leaves them as calls inside unrolled loops.
// TYPENET_NO_FORCE_INLINE leaves inlining to the compiler: sanitizer builds compile several times faster.
#if (defined(__GNUC__) || defined(__clang__)) && !defined(TYPENET_NO_FORCE_INLINE)
#define TYPENET_ALWAYS_INLINE inline __attribute__((always_inline))
#define TYPENET_INLINE_LAMBDA __attribute__((always_inline))
#else
#define TYPENET_ALWAYS_INLINE inline
#define TYPENET_INLINE_LAMBDA
#endif
