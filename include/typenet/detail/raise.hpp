// Reporting a usage error by exception, or, in a build without exceptions (-fno-exceptions), by printing
// the same message and aborting. The inference and training headers raise only through this, so they
// compile either way; code that must not stop uses the value-returning entry points instead
// (trainer::try_step, the losses' find_invalid_target).
//
// Documentation: docs/numerics.md
// Distributed under the Boost Software License, Version 1.0 (see LICENSE or https://www.boost.org/LICENSE_1_0.txt).
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <stdexcept>
#include <string_view>

#if defined(__cpp_exceptions) || defined(__EXCEPTIONS) || defined(_CPPUNWIND)
#define TYPENET_HAS_EXCEPTIONS 1
#else
#define TYPENET_HAS_EXCEPTIONS 0
#endif

namespace typenet::detail {

template <class Exception>
[[noreturn]] void raise(const Exception& error) {
#if TYPENET_HAS_EXCEPTIONS
    throw error;
#else
    std::fprintf(stderr, "%s\n", error.what());
    std::abort();
#endif
}

// An index past a tensor's extent, from the checked accessors (weight<I>, bias<I>, tensor views).
[[noreturn]] inline void raise_index_error(std::string_view tensor, std::size_t index, std::size_t extent) {
    char text[256];
    std::snprintf(text, sizeof text, "typenet: %.*s index %zu is out of range: the tensor has %zu elements", int(tensor.size()),
                  tensor.data(), index, extent);
    raise(std::out_of_range(text));
}
[[noreturn]] inline void raise_index_error(std::string_view tensor, std::size_t row, std::size_t rows, std::size_t column,
                                           std::size_t columns) {
    char text[256];
    std::snprintf(text, sizeof text, "typenet: %.*s(%zu, %zu) is out of range: the tensor is [%zu, %zu] (out, in)", int(tensor.size()),
                  tensor.data(), row, column, rows, columns);
    raise(std::out_of_range(text));
}

[[noreturn]] inline void raise_alignment_error(std::uintptr_t address, std::size_t alignment) {
    char text[400];
    std::snprintf(text, sizeof text,
                  "typenet::basic_network: the object at %#llx is not aligned to %zu bytes (alignof(Net)), which the SIMD "
                  "kernels need; new, std::make_unique, std::vector and local or static variables align it, an arena or "
                  "pool must hand out addresses that are multiples of alignof(Net)",
                  static_cast<unsigned long long>(address), alignment);
    raise(std::invalid_argument(text));
}

// Two spans that must have the same length (a batch's inputs and outputs).
[[noreturn]] inline void raise_size_mismatch(const char* function, std::size_t inputs, std::size_t outputs) {
    char text[256];
    std::snprintf(text, sizeof text, "%s: %zu inputs but room for %zu outputs; the two spans must have the same length", function,
                  inputs, outputs);
    raise(std::invalid_argument(text));
}
[[noreturn]] inline void raise_size_mismatch(const char* function, std::size_t states, std::size_t inputs, std::size_t outputs) {
    char text[256];
    std::snprintf(text, sizeof text, "%s: %zu states, %zu inputs, room for %zu outputs; the three spans must have the same length",
                  function, states, inputs, outputs);
    raise(std::invalid_argument(text));
}

}  // namespace typenet::detail
