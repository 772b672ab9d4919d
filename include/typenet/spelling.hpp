// typenet::spelling<X>: how the type X is written in C++ source, for code that writes C++ (write_header
// emits the network type of a trained model). Built-in layers, activations and initializers specialize it
// next to their definitions; a user's layer either has `static std::string spelling()` or specializes
// typenet::spelling<X> with a `static std::string get()`.
//
// Documentation: docs/writing-a-layer.md
// Distributed under the Boost Software License, Version 1.0 (see LICENSE or https://www.boost.org/LICENSE_1_0.txt).
#pragma once

#include <cmath>
#include <concepts>
#include <cstdio>
#include <string>
#include <type_traits>

namespace typenet {

template <class X>
struct spelling {
    static std::string get() {
        if constexpr (requires {
                          { X::spelling() } -> std::convertible_to<std::string>;
                      }) {
            return X::spelling();
        } else {
            static_assert(sizeof(X) == 0,
                          "typenet::spelling<X>: X does not say how it is written in C++: give it `static std::string "
                          "spelling()` or specialize typenet::spelling<X>");
            return {};
        }
    }
};

namespace detail {

// A literal that the compiler reads back to the same bits: hexadecimal floating point (C++17), with an f
// suffix for float. Non-finite values have no literal and are spelled through numeric_limits.
template <class T>
std::string spell_number(T value) {
    static_assert(std::is_floating_point_v<T>);
    const char* type = std::is_same_v<T, float> ? "float" : std::is_same_v<T, double> ? "double" : "long double";
    if (std::isnan(value)) return std::string("std::numeric_limits<") + type + ">::quiet_NaN()";
    if (std::isinf(value)) return std::string(value < 0 ? "-" : "") + "std::numeric_limits<" + type + ">::infinity()";
    char text[64];
    std::snprintf(text, sizeof text, "%a", static_cast<double>(value));
    return std::string(text) + (std::is_same_v<T, float> ? "f" : "");
}

template <class Integer>
    requires std::is_integral_v<Integer>
std::string spell_number(Integer value) {
    return std::to_string(value);
}

// Spelling of a type that is always written by the same name.
template <class X>
struct spelled_as_name {
    static std::string get() { return "typenet::" + std::string(X::name); }
};

// "A, B, C": the spellings of a template's arguments (combinators: residual<...>, parallel<...>).
template <class... X>
std::string spell_list() {
    std::string text;
    ((text += (text.empty() ? "" : ", ") + spelling<X>::get()), ...);
    return text;
}

}  // namespace detail

}  // namespace typenet
