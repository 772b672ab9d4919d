// IEEE 754 binary16 and bfloat16 to float, exactly (every value of both is a float), for reading files.
//
// Documentation: docs/deploying.md
// Distributed under the Boost Software License, Version 1.0 (see LICENSE or https://www.boost.org/LICENSE_1_0.txt).
#pragma once

#include <bit>
#include <cstdint>

namespace typenet::detail {

constexpr float half_to_float(std::uint16_t half) noexcept {
    const std::uint32_t sign = std::uint32_t(half >> 15) << 31;
    const std::uint32_t exponent = (half >> 10) & 0x1Fu;
    const std::uint32_t mantissa = half & 0x3FFu;
    if (exponent == 0) {  // zero or subnormal: mantissa * 2^-24, exact in float
        const float magnitude = static_cast<float>(mantissa) * 0x1p-24f;
        return sign ? -magnitude : magnitude;
    }
    if (exponent == 0x1F) return std::bit_cast<float>(sign | 0x7F800000u | (mantissa << 13));  // inf, NaN (payload kept)
    return std::bit_cast<float>(sign | ((exponent + 112) << 23) | (mantissa << 13));           // rebias 15 -> 127
}

constexpr float bfloat16_to_float(std::uint16_t value) noexcept { return std::bit_cast<float>(std::uint32_t(value) << 16); }

}  // namespace typenet::detail
