// input<N>: the first entry of every network type, declaring the width of one input sample.
//
// Documentation: docs/declaring-networks.md
// Distributed under the Boost Software License, Version 1.0 (see LICENSE or https://www.boost.org/LICENSE_1_0.txt).
#pragma once

#include <cstddef>
#include <string>
#include <type_traits>

#include "spelling.hpp"

namespace typenet {

template <std::size_t N>
struct input {
    static_assert(N >= 1, "typenet::input<N>: N (the number of inputs) must be at least 1");
    static constexpr std::size_t size = N;
};

template <std::size_t N>
struct spelling<input<N>> {
    static std::string get() { return "typenet::input<" + std::to_string(N) + ">"; }
};

template <class Layer>
inline constexpr bool is_input_v = false;
template <std::size_t N>
inline constexpr bool is_input_v<input<N>> = true;

}  // namespace typenet
