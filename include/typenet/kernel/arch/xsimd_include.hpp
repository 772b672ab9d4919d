// The one place typenet includes xsimd.
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
