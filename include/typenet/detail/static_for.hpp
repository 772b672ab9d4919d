// Compile-time unrolled loops: kernels index register arrays only with constants, so the compiler keeps
// every accumulator in a register instead of spilling an array to the stack.
//
// Documentation: docs/internals.md
// Distributed under the Boost Software License, Version 1.0 (see LICENSE or https://www.boost.org/LICENSE_1_0.txt).
#pragma once

#include <cstddef>
#include <type_traits>
#include <utility>

#include "../config.hpp"

namespace typenet::detail {

// function(integral_constant<0>), ..., function(integral_constant<Count - 1>), in order: a fold expression,
// in chunks of 128 calls, since clang refuses folds of more than 256 operands (its nesting limit) and a
// network's passes loop over its layers, of which there may be more. (Not a braced list of calls: under
// AddressSanitizer every such list is an instrumented stack array, in every unrolled kernel loop.)
template <std::size_t Offset, std::size_t Count, class Function>
TYPENET_ALWAYS_INLINE constexpr void static_for_from(Function& function) {
    constexpr std::size_t chunk = Count < 128 ? Count : 128;
    [&]<std::size_t... Index>(std::index_sequence<Index...>) TYPENET_INLINE_LAMBDA {
        (function(std::integral_constant<std::size_t, Offset + Index>{}), ...);
    }(std::make_index_sequence<chunk>{});
    if constexpr (Count > chunk) static_for_from<Offset + chunk, Count - chunk>(function);
}

template <std::size_t Count, class Function>
TYPENET_ALWAYS_INLINE constexpr void static_for(Function&& function) {
    static_for_from<0, Count>(function);
}

}  // namespace typenet::detail
