// Element-wise activations: layers of the contract in layer.hpp, built by typenet::activation<Derived> from
//   apply(batch)      the SIMD kernel (typenet::simd, any instruction set), used on the hot path
//   reference(double) the scalar oracle, written with <cmath> only, for tests and typenet::reference
// NaN, infinities and signed zeros give what PyTorch's float32 forward gives (relu(NaN) = NaN, tanh(-inf) =
// -1, sigmoid(-inf) = 0, relu(-0) = -0), identically on every instruction set and in the reference: kernels
// use simd::max/min with the operand that must survive a NaN second (simd.hpp), never a comparison that a NaN
// would turn false and replace. tests/test_numerics_special.cpp checks each against PyTorch's values.
//   is_piecewise_linear  cheap enough to apply on every accumulator register of the layer before it
//   derivative(input, output)   d output / d input, SIMD; given both so each can use the cheaper one
//   reference_derivative(double) its scalar oracle
// and, for auto_init and diagnose, recommended_initializer and unit_statistic.
//
// Documentation: docs/declaring-networks.md
// Distributed under the Boost Software License, Version 1.0 (see LICENSE or https://www.boost.org/LICENSE_1_0.txt).
#pragma once

#include <cmath>
#include <string_view>

#include "init.hpp"
#include "kernel/tanh.hpp"
#include "layer.hpp"
#include "simd.hpp"
#include "spelling.hpp"

namespace typenet {

struct identity : activation<identity> {
    static constexpr std::string_view name = "identity";
    static constexpr bool is_piecewise_linear = true;
    template <class Batch>
    static Batch apply(const Batch& x) noexcept {
        return x;
    }
    static double reference(double x) noexcept { return x; }
    template <class Batch>
    static Batch derivative(const Batch&, const Batch&) noexcept {
        return Batch(1);
    }
    static double reference_derivative(double) noexcept { return 1; }
};

struct relu : activation<relu> {
    static constexpr std::string_view name = "relu";
    static constexpr bool is_piecewise_linear = true;
    // Half of the units are zero, so keeping the variance needs twice LeCun's (He et al. 2015).
    using recommended_initializer = he_uniform;
    static constexpr typenet::unit_statistic unit_statistic = typenet::unit_statistic::dead;
    template <class Batch>
    static Batch apply(const Batch& x) noexcept {
        return simd::max(Batch(0), x);  // 0 > x ? 0 : x: NaN and -0 pass through, as torch.relu
    }
    static double reference(double x) noexcept { return 0 > x ? 0 : x; }
    // At 0 the subgradient 0; at NaN 1, so that the NaN reaches the gradient (PyTorch's threshold_backward).
    template <class Batch>
    static Batch derivative(const Batch& input, const Batch&) noexcept {
        return simd::select(input <= Batch(0), Batch(0), Batch(1));
    }
    static double reference_derivative(double x) noexcept { return x <= 0 ? 0 : 1; }
};

// PyTorch nn.LeakyReLU(negative_slope = Slope).
template <float Slope = 0.01f>
struct leaky_relu : activation<leaky_relu<Slope>> {
    static constexpr std::string_view name = "leaky_relu";
    static constexpr bool is_piecewise_linear = true;
    using recommended_initializer = he_uniform;
    static constexpr typenet::unit_statistic unit_statistic = typenet::unit_statistic::dead;
    static constexpr float slope = Slope;
    template <class Batch>
    static Batch apply(const Batch& x) noexcept {
        return simd::select(x > Batch(0), x, x * Batch(static_cast<typename Batch::value_type>(Slope)));
    }
    static double reference(double x) noexcept { return x > 0 ? x : static_cast<double>(Slope) * x; }
    template <class Batch>
    static Batch derivative(const Batch& input, const Batch&) noexcept {
        return simd::select(input > Batch(0), Batch(1), Batch(static_cast<typename Batch::value_type>(Slope)));
    }
    static double reference_derivative(double x) noexcept { return x > 0 ? 1 : static_cast<double>(Slope); }
};

struct tanh : activation<tanh> {
    static constexpr std::string_view name = "tanh";
    static constexpr bool is_piecewise_linear = false;
    // |y| > 0.99: the derivative is below 0.02.
    static constexpr typenet::unit_statistic unit_statistic = typenet::unit_statistic::saturated;
    static bool saturated(double y) noexcept { return std::abs(y) > 0.99; }
    template <class Batch>
    static Batch apply(const Batch& x) noexcept {
        return kernel::tanh(x);
    }
    static double reference(double x) noexcept { return std::tanh(x); }
    template <class Batch>
    static Batch derivative(const Batch&, const Batch& output) noexcept {
        return Batch(1) - output * output;
    }
    static double reference_derivative(double x) noexcept { return 1 / (std::cosh(x) * std::cosh(x)); }
};

struct sigmoid : activation<sigmoid> {
    static constexpr std::string_view name = "sigmoid";
    static constexpr bool is_piecewise_linear = false;
    // y < 0.01 or y > 0.99: the derivative is below 0.01.
    static constexpr typenet::unit_statistic unit_statistic = typenet::unit_statistic::saturated;
    static bool saturated(double y) noexcept { return y < 0.01 || y > 0.99; }
    // exp(-x) overflows to +inf below about -88 (float): 1 / inf = 0 is then the right answer.
    template <class Batch>
    static Batch apply(const Batch& x) noexcept {
        return Batch(1) / (Batch(1) + simd::exp(-x));
    }
    static double reference(double x) noexcept { return 1 / (1 + std::exp(-x)); }
    template <class Batch>
    static Batch derivative(const Batch&, const Batch& output) noexcept {
        return output * (Batch(1) - output);
    }
    static double reference_derivative(double x) noexcept { return reference(x) * reference(-x); }
};

// Klambauer et al. 2017, constants as PyTorch nn.SELU.
struct selu : activation<selu> {
    static constexpr std::string_view name = "selu";
    static constexpr bool is_piecewise_linear = false;
    // Its self-normalizing fixed point assumes Var[w] = 1 / fan_in.
    using recommended_initializer = lecun_normal;
    static constexpr double alpha = 1.6732632423543772848170429916717;
    static constexpr double scale = 1.0507009873554804934193349852946;
    template <class Batch>
    static Batch apply(const Batch& x) noexcept {
        using T = typename Batch::value_type;
        // min(0, x), not min(x, 0): a NaN must reach expm1 and come out. The final + 0 makes selu(-0) +0, as
        // PyTorch's exp(x) - 1 does, on every path (expm1(-0) is -0 in one library and +0 in another).
        const Batch negative = Batch(static_cast<T>(alpha)) * simd::expm1(simd::min(Batch(0), x));
        return Batch(static_cast<T>(scale)) * simd::select(x > Batch(0), x, negative) + Batch(0);
    }
    static double reference(double x) noexcept { return scale * (x > 0 ? x : alpha * std::expm1(x)) + 0.0; }
    // For x <= 0, scale alpha e^x = output + scale alpha: no second exponential.
    template <class Batch>
    static Batch derivative(const Batch& input, const Batch& output) noexcept {
        using T = typename Batch::value_type;
        return simd::select(input > Batch(0), Batch(static_cast<T>(scale)), output + Batch(static_cast<T>(scale * alpha)));
    }
    static double reference_derivative(double x) noexcept { return x > 0 ? scale : scale * alpha * std::exp(x); }
};

// PyTorch nn.GELU() default: x * Phi(x) with the exact erf, not the tanh approximation.
struct gelu : activation<gelu> {
    static constexpr std::string_view name = "gelu";
    static constexpr bool is_piecewise_linear = false;
    template <class Batch>
    static Batch apply(const Batch& x) noexcept {
        return x * cdf(x);
    }
    static double reference(double x) noexcept { return 0.5 * x * std::erfc(-x * 0.70710678118654752440); }
    // Phi(x) + x phi(x)
    template <class Batch>
    static Batch derivative(const Batch& input, const Batch&) noexcept {
        using T = typename Batch::value_type;
        const Batch pdf = Batch(static_cast<T>(0.39894228040143267794)) * simd::exp(Batch(T(-0.5)) * input * input);
        return simd::fma(input, pdf, cdf(input));
    }
    static double reference_derivative(double x) noexcept {
        return 0.5 * std::erfc(-x * 0.70710678118654752440) + x * 0.39894228040143267794 * std::exp(-0.5 * x * x);
    }

private:
    // Phi(x) = erfc(-x / sqrt 2) / 2: the same function as (1 + erf(x / sqrt 2)) / 2 without its cancellation
    // for x << 0. The argument is clamped to where erfc is already exactly 0 or 2 (erfc(11) and erfc(28)
    // underflow in float and double): xsimd's erfc returns NaN for huge arguments, which made
    // gelu(DBL_MAX) NaN. NaN is the second operand of the clamp and passes (simd::max/min rule).
    template <class Batch>
    static Batch cdf(const Batch& x) noexcept {
        using T = typename Batch::value_type;
        constexpr T limit = sizeof(T) == 4 ? T(11) : T(28);
        const Batch argument = simd::min(Batch(limit), simd::max(Batch(-limit), x * Batch(static_cast<T>(-0.70710678118654752440))));
        return Batch(T(0.5)) * simd::erfc(argument);
    }
};

// How each activation is written in C++ (typenet::spelling, for generated code).
template <>
struct spelling<identity> : detail::spelled_as_name<identity> {};
template <>
struct spelling<relu> : detail::spelled_as_name<relu> {};
template <float Slope>
struct spelling<leaky_relu<Slope>> {
    static std::string get() { return "typenet::leaky_relu<" + detail::spell_number(Slope) + ">"; }
};
template <>
struct spelling<tanh> : detail::spelled_as_name<tanh> {};
template <>
struct spelling<sigmoid> : detail::spelled_as_name<sigmoid> {};
template <>
struct spelling<selu> : detail::spelled_as_name<selu> {};
template <>
struct spelling<gelu> : detail::spelled_as_name<gelu> {};

}  // namespace typenet
