// Processors without a typenet instruction set: only portable kernels run.
#pragma once

#include <cstdint>

#include "features.hpp"

namespace typenet {

inline std::uint32_t cpu_features() noexcept { return 0; }

}  // namespace typenet
