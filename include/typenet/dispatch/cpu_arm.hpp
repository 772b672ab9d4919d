// AArch64: Advanced SIMD (NEON) is part of the architecture; every AArch64 CPU has it.
//
// Documentation: docs/deploying.md
// Distributed under the Boost Software License, Version 1.0 (see LICENSE or https://www.boost.org/LICENSE_1_0.txt).
#pragma once

#include <cstdint>

#include "features.hpp"

namespace typenet {

inline std::uint32_t cpu_features() noexcept { return feature_neon; }

}  // namespace typenet
