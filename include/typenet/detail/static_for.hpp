// Compile-time unrolled loops: kernels index register arrays only with constants, so the compiler keeps
// every accumulator in a register instead of spilling an array to the stack.
#pragma once

#include <cstddef>
#include <type_traits>
#include <utility>

#include "../config.hpp"

namespace typenet::detail {

// function(integral_constant<0>), ..., function(integral_constant<Count - 1>), in order. The calls are the
// elements of a braced list rather than a fold expression: clang refuses folds of more than 256 operands
// (its nesting limit), and a network's passes loop over its layers, of which there may be more.
template <std::size_t Count, class Function>
TYPENET_ALWAYS_INLINE constexpr void static_for(Function&& function) {
    [&]<std::size_t... Index>(std::index_sequence<Index...>) TYPENET_INLINE_LAMBDA {
        [[maybe_unused]] const int in_order[] = {0, (function(std::integral_constant<std::size_t, Index>{}), 0)...};
    }(std::make_index_sequence<Count>{});
}

}  // namespace typenet::detail
