// The one place typenet includes xsimd.
//
// Documentation: docs/internals.md
// Distributed under the Boost Software License, Version 1.0 (see LICENSE or https://www.boost.org/LICENSE_1_0.txt).
#pragma once

// g++ 12 warns "'__Y' may be used uninitialized" inside its own avx512fintrin.h when xsimd's exp/tanh are
// instantiated (GCC bug 105593). The warning is about the compiler's header, not ours: silence it only
// around the include so -Werror keeps guarding typenet's own code.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif
#include <xsimd/xsimd.hpp>
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif
