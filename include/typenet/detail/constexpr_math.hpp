// Compile-time square root. clang rejects std::sqrt in constant expressions, and initializer scales
// (sqrt(6 / (fan_in + fan_out)) ...) must be constexpr, so we carry our own.
//
// Documentation: docs/internals.md
// Distributed under the Boost Software License, Version 1.0 (see LICENSE or https://www.boost.org/LICENSE_1_0.txt).
#pragma once

#include <cstddef>
#include <cstdint>
#include <limits>

namespace typenet::detail {

// 128-bit unsigned integers as (high, low) pairs: just enough to compare squares exactly.
struct uint128 {
    std::uint64_t high, low;
    constexpr bool operator<(const uint128& other) const noexcept { return high != other.high ? high < other.high : low < other.low; }
};
constexpr uint128 square_128(std::uint64_t value) noexcept {
    const std::uint64_t upper = value >> 32, lower = value & 0xffffffffu;
    const std::uint64_t cross = upper * lower;  // < 2^54 for value < 2^55
    const std::uint64_t low = lower * lower;
    const std::uint64_t middle = (low >> 32) + ((cross << 1) & 0xffffffffu);
    return {upper * upper + (cross >> 31) + (middle >> 32), (middle << 32) | (low & 0xffffffffu)};
}
constexpr uint128 shift_left_128(std::uint64_t value, unsigned shift) noexcept { return {value >> (64 - shift), value << shift}; }

// Correctly rounded square root, usable in constant expressions: the same bits as std::sqrt (tested), at
// compile time and at run time under any -ffp-contract setting, since rounding is decided with integers.
// NaN for negative input or NaN.
constexpr double constexpr_sqrt(double value) noexcept {
    if (value != value || value < 0) return std::numeric_limits<double>::quiet_NaN();
    if (value == 0 || value == std::numeric_limits<double>::infinity()) return value;
    // Bring the argument into [1, 4) by powers of four (exact), so the root is in [1, 2) where one ulp is 2^-52.
    double scale = 1;
    while (value >= 4) {
        value *= 0.25;
        scale *= 2;
    }
    while (value < 1) {
        value *= 4;
        scale *= 0.5;
    }
    double root = 0.5 * (1 + value);  // >= sqrt(value), so Newton's iteration decreases monotonically
    for (int i = 0; i < 64; ++i) {
        const double next = 0.5 * (root + value / root);
        if (next >= root) break;
        root = next;
    }
    // Newton lands within an ulp. With root = m 2^-52 and value = v 2^-52 (m, v integers), m is the correctly
    // rounded root iff (2m - 1)^2 < v 2^54 < (2m + 1)^2 (no ties: the left sides are odd).
    auto mantissa = static_cast<std::uint64_t>(root * 0x1p52);
    const uint128 target = shift_left_128(static_cast<std::uint64_t>(value * 0x1p52), 54);
    while (square_128(2 * mantissa + 1) < target) ++mantissa;
    while (target < square_128(2 * mantissa - 1)) --mantissa;
    return static_cast<double>(mantissa) * 0x1p-52 * scale;
}

// The positive N-th root of value >= 1 (Newton from above, monotone: stops when it no longer decreases);
// within an ulp or two of std::pow(value, 1.0 / N) (tested). The scales of depth-aware initializers.
constexpr double constexpr_root(double value, unsigned n) noexcept {
    if (n == 1 || value == 1) return value;
    double root = value;
    for (int i = 0; i < 2000; ++i) {
        double power = 1;
        for (unsigned k = 1; k < n; ++k) power *= root;
        const double next = ((n - 1) * root + value / power) / n;
        if (next >= root) break;
        root = next;
    }
    return root;
}

constexpr std::size_t round_up(std::size_t value, std::size_t multiple) noexcept { return (value + multiple - 1) / multiple * multiple; }

}  // namespace typenet::detail
