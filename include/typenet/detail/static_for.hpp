// Compile-time unrolled loops: kernels index register arrays only with constants, so the compiler keeps
// every accumulator in a register instead of spilling an array to the stack.
#pragma once

#include <cstddef>
#include <type_traits>
#include <utility>

#include "../config.hpp"

namespace typenet::detail {

template <std::size_t Count, class Function>
TYPENET_ALWAYS_INLINE constexpr void static_for(Function&& function) {
    [&]<std::size_t... Index>(std::index_sequence<Index...>)
        TYPENET_INLINE_LAMBDA { (function(std::integral_constant<std::size_t, Index>{}), ...); }(std::make_index_sequence<Count>{});
}

}  // namespace typenet::detail
