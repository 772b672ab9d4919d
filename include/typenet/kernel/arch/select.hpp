// Which instruction-set files a build includes, and the architectures typenet's kernels run on. As in
// xsimd's xsimd_isa.hpp, files are chosen here, at include level, by what the compiler enables; kernels
// never test instruction-set macros themselves.
//
// Documentation: docs/internals.md
// Distributed under the Boost Software License, Version 1.0 (see LICENSE or https://www.boost.org/LICENSE_1_0.txt).
#pragma once

#include <cstddef>
#include <type_traits>

#include "../../config.hpp"
#include "generic.hpp"
#include "portable.hpp"
#if !TYPENET_ISA_IS_PORTABLE  // the portable path uses no intrinsics at all
#if XSIMD_WITH_SSE2
#include "x86_sse.hpp"
#endif
#if XSIMD_WITH_AVX
#include "x86_avx.hpp"
#endif
#if XSIMD_WITH_AVX512F
#include "x86_avx512.hpp"
#endif
#if XSIMD_WITH_NEON
#include "arm_neon.hpp"
#endif
#endif

namespace typenet::kernel::arch::inline TYPENET_ISA {

#if TYPENET_ISA_IS_PORTABLE
using selected_arch = portable;
#else
using selected_arch = xsimd::default_arch;
#endif

}  // namespace typenet::kernel::arch::inline TYPENET_ISA
