// CPU features, as bits: what a translation unit was compiled to use (from the compiler's predefined macros)
// and what the running CPU offers (cpu_x86.hpp, cpu_arm.hpp). Runtime dispatch (typenet/dispatch.hpp) runs
// a translation unit's kernels only where every feature it was compiled with is present.
//
// Documentation: docs/deploying.md
// Distributed under the Boost Software License, Version 1.0 (see LICENSE or https://www.boost.org/LICENSE_1_0.txt).
#pragma once

#include <cstdint>
#include <iterator>
#include <string>

namespace typenet {

enum cpu_feature : std::uint32_t {
    feature_sse2 = 1u << 0,
    feature_sse3 = 1u << 1,
    feature_ssse3 = 1u << 2,
    feature_sse4_1 = 1u << 3,
    feature_sse4_2 = 1u << 4,
    feature_popcnt = 1u << 5,
    feature_avx = 1u << 6,
    feature_avx2 = 1u << 7,
    feature_fma = 1u << 8,
    feature_bmi = 1u << 9,
    feature_bmi2 = 1u << 10,
    feature_avx512f = 1u << 11,
    feature_avx512cd = 1u << 12,
    feature_avx512bw = 1u << 13,
    feature_avx512dq = 1u << 14,
    feature_avx512vl = 1u << 15,
    feature_neon = 1u << 16,
};

inline constexpr const char* cpu_feature_names[] = {"sse2",   "sse3", "ssse3", "sse4.1",   "sse4.2",   "popcnt",   "avx",      "avx2", "fma",
                                                    "bmi",    "bmi2", "avx512f", "avx512cd", "avx512bw", "avx512dq", "avx512vl", "neon"};

// "avx2 fma bmi2": the names of the features in a set, for messages.
inline std::string feature_names(std::uint32_t features) {
    std::string names;
    for (std::uint32_t bit = 0; bit < std::size(cpu_feature_names); ++bit)
        if (features & (1u << bit)) names.append(names.empty() ? "" : " ").append(cpu_feature_names[bit]);
    return names.empty() ? "none" : names;
}

namespace detail {

// The features this translation unit's code may use: what the compiler was told it may emit (-march,
// -mavx2, ...). F16C, LZCNT and MOVBE are not tracked: every x86 CPU with AVX2 has them.
// Internal linkage: its value differs between translation units by design.
static constexpr std::uint32_t compiled_features = 0
#ifdef __SSE2__
    | feature_sse2
#endif
#ifdef __SSE3__
    | feature_sse3
#endif
#ifdef __SSSE3__
    | feature_ssse3
#endif
#ifdef __SSE4_1__
    | feature_sse4_1
#endif
#ifdef __SSE4_2__
    | feature_sse4_2
#endif
#ifdef __POPCNT__
    | feature_popcnt
#endif
#ifdef __AVX__
    | feature_avx
#endif
#ifdef __AVX2__
    | feature_avx2
#endif
#ifdef __FMA__
    | feature_fma
#endif
#ifdef __BMI__
    | feature_bmi
#endif
#ifdef __BMI2__
    | feature_bmi2
#endif
#ifdef __AVX512F__
    | feature_avx512f
#endif
#ifdef __AVX512CD__
    | feature_avx512cd
#endif
#ifdef __AVX512BW__
    | feature_avx512bw
#endif
#ifdef __AVX512DQ__
    | feature_avx512dq
#endif
#ifdef __AVX512VL__
    | feature_avx512vl
#endif
#if defined(__ARM_NEON) && defined(__aarch64__)
    | feature_neon
#endif
    ;

}  // namespace detail
}  // namespace typenet
