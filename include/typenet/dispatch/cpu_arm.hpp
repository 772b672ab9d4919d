// AArch64: Advanced SIMD (NEON) is part of the architecture; every AArch64 CPU has it.
#pragma once

#include <cstdint>

#include "features.hpp"

namespace typenet {

inline std::uint32_t cpu_features() noexcept { return feature_neon; }

}  // namespace typenet
