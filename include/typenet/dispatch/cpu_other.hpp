// Processors without a typenet instruction set: only portable kernels run.
//
// Documentation: docs/deploying.md
// Distributed under the Boost Software License, Version 1.0 (see LICENSE or https://www.boost.org/LICENSE_1_0.txt).
#pragma once

#include <cstdint>

#include "features.hpp"

namespace typenet {

inline std::uint32_t cpu_features() noexcept { return 0; }

}  // namespace typenet
