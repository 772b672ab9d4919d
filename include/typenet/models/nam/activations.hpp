// The activations NAM's files name besides typenet's own (Tanh, ReLU, Sigmoid, LeakyReLU): nam::hardtanh,
// nam::silu, nam::softsign, nam::hardswish and nam::leaky_hardtanh, as NAM Core computes them
// (NAM/activations.h) and PyTorch names them (nn.Hardtanh, nn.SiLU, nn.Softsign, nn.Hardswish). Each is a
// typenet activation (layer.hpp's activation<Derived>), usable in any network as well.
//
// Documentation: docs/nam.md
// Distributed under the Boost Software License, Version 1.0 (see LICENSE or https://www.boost.org/LICENSE_1_0.txt).
#pragma once

#include <cmath>
#include <string_view>

#include "../../activation.hpp"
#include "../../layer.hpp"
#include "../../simd.hpp"

namespace typenet::nam {

// clamp(x, -1, 1). NaN passes (simd::max and min keep their second operand when either is NaN).
struct hardtanh : activation<hardtanh> {
    static constexpr std::string_view name = "hardtanh";
    static constexpr bool is_piecewise_linear = true;
    template <class Batch>
    static Batch apply(const Batch& x) noexcept {
        using T = typename Batch::value_type;
        return simd::min(Batch(T(1)), simd::max(Batch(T(-1)), x));
    }
    static double reference(double x) noexcept { return x < -1 ? -1 : x > 1 ? 1 : x; }
    template <class Batch>
    static Batch derivative(const Batch& input, const Batch&) noexcept {
        using T = typename Batch::value_type;
        return simd::select(input <= Batch(T(-1)), Batch(T(0)), simd::select(input >= Batch(T(1)), Batch(T(0)), Batch(T(1))));
    }
    static double reference_derivative(double x) noexcept { return x <= -1 || x >= 1 ? 0 : 1; }
};

// x sigmoid(x).
struct silu : activation<silu> {
    static constexpr std::string_view name = "silu";
    static constexpr bool is_piecewise_linear = false;
    template <class Batch>
    static Batch apply(const Batch& x) noexcept {
        using T = typename Batch::value_type;
        return x / (Batch(T(1)) + simd::exp(-x));
    }
    static double reference(double x) noexcept { return x / (1 + std::exp(-x)); }
    template <class Batch>
    static Batch derivative(const Batch& input, const Batch&) noexcept {
        using T = typename Batch::value_type;
        const Batch s = Batch(T(1)) / (Batch(T(1)) + simd::exp(-input));
        return s * (Batch(T(1)) + input * (Batch(T(1)) - s));
    }
    static double reference_derivative(double x) noexcept {
        const double s = 1 / (1 + std::exp(-x));
        return s * (1 + x * (1 - s));
    }
};

// x / (1 + |x|).
struct softsign : activation<softsign> {
    static constexpr std::string_view name = "softsign";
    static constexpr bool is_piecewise_linear = false;
    template <class Batch>
    static Batch apply(const Batch& x) noexcept {
        using T = typename Batch::value_type;
        return x / (Batch(T(1)) + simd::max(-x, x));
    }
    static double reference(double x) noexcept { return x / (1 + std::abs(x)); }
    template <class Batch>
    static Batch derivative(const Batch& input, const Batch&) noexcept {
        using T = typename Batch::value_type;
        const Batch d = Batch(T(1)) + simd::max(-input, input);
        return Batch(T(1)) / (d * d);
    }
    static double reference_derivative(double x) noexcept { return 1 / ((1 + std::abs(x)) * (1 + std::abs(x))); }
};

// x clamp(x + 3, 0, 6) / 6.
struct hardswish : activation<hardswish> {
    static constexpr std::string_view name = "hardswish";
    static constexpr bool is_piecewise_linear = false;
    template <class Batch>
    static Batch apply(const Batch& x) noexcept {
        using T = typename Batch::value_type;
        return x * simd::min(Batch(T(6)), simd::max(Batch(T(0)), x + Batch(T(3)))) / Batch(T(6));
    }
    static double reference(double x) noexcept { return x * (x + 3 < 0 ? 0 : x + 3 > 6 ? 6 : x + 3) / 6; }
    template <class Batch>
    static Batch derivative(const Batch& input, const Batch&) noexcept {
        using T = typename Batch::value_type;
        return simd::select(input < Batch(T(-3)), Batch(T(0)),
                            simd::select(input > Batch(T(3)), Batch(T(1)), (Batch(T(2)) * input + Batch(T(3))) / Batch(T(6))));
    }
    static double reference_derivative(double x) noexcept { return x < -3 ? 0 : x > 3 ? 1 : (2 * x + 3) / 6; }
};

// NAM Core's LeakyHardtanh: x between MinValue and MaxValue, the slopes beyond.
template <float MinValue = -1.0f, float MaxValue = 1.0f, float MinSlope = 0.01f, float MaxSlope = 0.01f>
struct leaky_hardtanh : activation<leaky_hardtanh<MinValue, MaxValue, MinSlope, MaxSlope>> {
    static_assert(MinValue < MaxValue, "typenet::nam::leaky_hardtanh: MinValue must be below MaxValue");
    static constexpr std::string_view name = "leaky_hardtanh";
    static constexpr bool is_piecewise_linear = true;
    static constexpr float min_value = MinValue, max_value = MaxValue, min_slope = MinSlope, max_slope = MaxSlope;
    template <class Batch>
    static Batch apply(const Batch& x) noexcept {
        using T = typename Batch::value_type;
        const Batch low(static_cast<T>(MinValue)), high(static_cast<T>(MaxValue));
        return simd::select(x < low, (x - low) * Batch(static_cast<T>(MinSlope)) + low,
                            simd::select(x > high, (x - high) * Batch(static_cast<T>(MaxSlope)) + high, x));
    }
    static double reference(double x) noexcept {
        const double low = MinValue, high = MaxValue;
        return x < low ? (x - low) * double(MinSlope) + low : x > high ? (x - high) * double(MaxSlope) + high : x;
    }
    template <class Batch>
    static Batch derivative(const Batch& input, const Batch&) noexcept {
        using T = typename Batch::value_type;
        return simd::select(input < Batch(static_cast<T>(MinValue)), Batch(static_cast<T>(MinSlope)),
                            simd::select(input > Batch(static_cast<T>(MaxValue)), Batch(static_cast<T>(MaxSlope)), Batch(T(1))));
    }
    static double reference_derivative(double x) noexcept { return x < MinValue ? MinSlope : x > MaxValue ? MaxSlope : 1; }
};

}  // namespace typenet::nam
