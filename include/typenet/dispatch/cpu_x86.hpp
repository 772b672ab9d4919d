// x86: the compiler's CPU model (__builtin_cpu_supports, filled once at start-up from CPUID). It reports
// AVX and AVX-512 only where the operating system also saves their registers (XGETBV), which CPUID alone
// does not tell.
//
// Documentation: docs/deploying.md
// Distributed under the Boost Software License, Version 1.0 (see LICENSE or https://www.boost.org/LICENSE_1_0.txt).
#pragma once

#include <cstdint>

#include "features.hpp"

namespace typenet {

inline std::uint32_t cpu_features() noexcept {
    __builtin_cpu_init();
    std::uint32_t features = 0;
    const auto add = [&](bool present, std::uint32_t feature) { features |= present ? feature : 0; };
    add(__builtin_cpu_supports("sse2"), feature_sse2);
    add(__builtin_cpu_supports("sse3"), feature_sse3);
    add(__builtin_cpu_supports("ssse3"), feature_ssse3);
    add(__builtin_cpu_supports("sse4.1"), feature_sse4_1);
    add(__builtin_cpu_supports("sse4.2"), feature_sse4_2);
    add(__builtin_cpu_supports("popcnt"), feature_popcnt);
    add(__builtin_cpu_supports("avx"), feature_avx);
    add(__builtin_cpu_supports("avx2"), feature_avx2);
    add(__builtin_cpu_supports("fma"), feature_fma);
    add(__builtin_cpu_supports("bmi"), feature_bmi);
    add(__builtin_cpu_supports("bmi2"), feature_bmi2);
    add(__builtin_cpu_supports("avx512f"), feature_avx512f);
    add(__builtin_cpu_supports("avx512cd"), feature_avx512cd);
    add(__builtin_cpu_supports("avx512bw"), feature_avx512bw);
    add(__builtin_cpu_supports("avx512dq"), feature_avx512dq);
    add(__builtin_cpu_supports("avx512vl"), feature_avx512vl);
    return features;
}

}  // namespace typenet
