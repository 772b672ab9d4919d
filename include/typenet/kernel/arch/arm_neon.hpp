// NEON pieces of the instruction-set layer. AArch64 has 32 vector registers (register tiles are sized from
// this); fused multiply-add, square root and division are xsimd's. Included by select.hpp only for NEON.
#pragma once

#include <cstddef>

#include "../../config.hpp"
#include "generic.hpp"

namespace typenet::kernel::arch::inline TYPENET_ISA {

#if XSIMD_WITH_NEON64
constexpr std::size_t register_count(xsimd::neon64) noexcept { return 32; }
#endif

}  // namespace typenet::kernel::arch::inline TYPENET_ISA
