// Element-wise activations. Each is a stateless policy with
//   apply(batch)      the SIMD kernel (xsimd batch of any arch), used on the hot path
//   reference(double) the scalar oracle, written with <cmath> only, for tests and typenet::reference
//   is_piecewise_linear  cheap enough to apply on every accumulator register inside the dense kernel
//   derivative(input, output)   d output / d input, SIMD; given both so each can use the cheaper one
//   reference_derivative(double) its scalar oracle
#pragma once

#include <cmath>
#include <string_view>

#include "detail/simd.hpp"
#include "kernel/tanh.hpp"

namespace typenet {
namespace detail {
struct activation_tag {};
}  // namespace detail

struct identity : detail::activation_tag {
    static constexpr std::string_view name = "identity";
    static constexpr bool is_piecewise_linear = true;
    template <class Batch> static Batch apply(const Batch& x) noexcept { return x; }
    static double reference(double x) noexcept { return x; }
    template <class Batch> static Batch derivative(const Batch&, const Batch&) noexcept { return Batch(1); }
    static double reference_derivative(double) noexcept { return 1; }
};

struct relu : detail::activation_tag {
    static constexpr std::string_view name = "relu";
    static constexpr bool is_piecewise_linear = true;
    template <class Batch> static Batch apply(const Batch& x) noexcept { return xsimd::max(x, Batch(0)); }
    static double reference(double x) noexcept { return x > 0 ? x : 0; }
    // At 0 the subgradient 0, as PyTorch.
    template <class Batch> static Batch derivative(const Batch& input, const Batch&) noexcept {
        return xsimd::select(input > Batch(0), Batch(1), Batch(0));
    }
    static double reference_derivative(double x) noexcept { return x > 0 ? 1 : 0; }
};

// PyTorch nn.LeakyReLU(negative_slope = Slope).
template <float Slope = 0.01f>
struct leaky_relu : detail::activation_tag {
    static constexpr std::string_view name = "leaky_relu";
    static constexpr bool is_piecewise_linear = true;
    static constexpr float slope = Slope;
    template <class Batch> static Batch apply(const Batch& x) noexcept {
        return xsimd::select(x > Batch(0), x, x * Batch(static_cast<typename Batch::value_type>(Slope)));
    }
    static double reference(double x) noexcept { return x > 0 ? x : static_cast<double>(Slope) * x; }
    template <class Batch> static Batch derivative(const Batch& input, const Batch&) noexcept {
        return xsimd::select(input > Batch(0), Batch(1), Batch(static_cast<typename Batch::value_type>(Slope)));
    }
    static double reference_derivative(double x) noexcept { return x > 0 ? 1 : static_cast<double>(Slope); }
};

struct tanh : detail::activation_tag {
    static constexpr std::string_view name = "tanh";
    static constexpr bool is_piecewise_linear = false;
    template <class Batch> static Batch apply(const Batch& x) noexcept { return kernel::tanh(x); }
    static double reference(double x) noexcept { return std::tanh(x); }
    template <class Batch> static Batch derivative(const Batch&, const Batch& output) noexcept {
        return Batch(1) - output * output;
    }
    static double reference_derivative(double x) noexcept { return 1 / (std::cosh(x) * std::cosh(x)); }
};

struct sigmoid : detail::activation_tag {
    static constexpr std::string_view name = "sigmoid";
    static constexpr bool is_piecewise_linear = false;
    // exp(-x) overflows to +inf below about -88 (float): 1 / inf = 0 is then the right answer.
    template <class Batch> static Batch apply(const Batch& x) noexcept { return Batch(1) / (Batch(1) + xsimd::exp(-x)); }
    static double reference(double x) noexcept { return 1 / (1 + std::exp(-x)); }
    template <class Batch> static Batch derivative(const Batch&, const Batch& output) noexcept {
        return output * (Batch(1) - output);
    }
    static double reference_derivative(double x) noexcept { return reference(x) * reference(-x); }
};

// Klambauer et al. 2017, constants as PyTorch nn.SELU.
struct selu : detail::activation_tag {
    static constexpr std::string_view name = "selu";
    static constexpr bool is_piecewise_linear = false;
    static constexpr double alpha = 1.6732632423543772848170429916717;
    static constexpr double scale = 1.0507009873554804934193349852946;
    template <class Batch> static Batch apply(const Batch& x) noexcept {
        using T = typename Batch::value_type;
        const Batch negative = Batch(static_cast<T>(alpha)) * xsimd::expm1(xsimd::min(x, Batch(0)));
        return Batch(static_cast<T>(scale)) * xsimd::select(x > Batch(0), x, negative);
    }
    static double reference(double x) noexcept { return scale * (x > 0 ? x : alpha * std::expm1(x)); }
    // For x <= 0, scale alpha e^x = output + scale alpha: no second exponential.
    template <class Batch> static Batch derivative(const Batch& input, const Batch& output) noexcept {
        using T = typename Batch::value_type;
        return xsimd::select(input > Batch(0), Batch(static_cast<T>(scale)), output + Batch(static_cast<T>(scale * alpha)));
    }
    static double reference_derivative(double x) noexcept { return x > 0 ? scale : scale * alpha * std::exp(x); }
};

// PyTorch nn.GELU() default: x * Phi(x) with the exact erf, not the tanh approximation.
struct gelu : detail::activation_tag {
    static constexpr std::string_view name = "gelu";
    static constexpr bool is_piecewise_linear = false;
    template <class Batch> static Batch apply(const Batch& x) noexcept {
        using T = typename Batch::value_type;
        // 1 + erf(x / sqrt 2) = erfc(-x / sqrt 2): the same function without the cancellation for x << 0.
        const T inverse_sqrt2 = static_cast<T>(0.70710678118654752440);
        return Batch(T(0.5)) * x * xsimd::erfc(x * Batch(-inverse_sqrt2));
    }
    static double reference(double x) noexcept { return 0.5 * x * std::erfc(-x * 0.70710678118654752440); }
    // Phi(x) + x phi(x)
    template <class Batch> static Batch derivative(const Batch& input, const Batch&) noexcept {
        using T = typename Batch::value_type;
        const Batch cdf = Batch(T(0.5)) * xsimd::erfc(input * Batch(static_cast<T>(-0.70710678118654752440)));
        const Batch pdf = Batch(static_cast<T>(0.39894228040143267794)) * xsimd::exp(Batch(T(-0.5)) * input * input);
        return typenet::detail::fma(input, pdf, cdf);
    }
    static double reference_derivative(double x) noexcept {
        return 0.5 * std::erfc(-x * 0.70710678118654752440) + x * 0.39894228040143267794 * std::exp(-0.5 * x * x);
    }
};

template <class Layer>
inline constexpr bool is_activation_v = std::is_base_of_v<detail::activation_tag, Layer>;

}  // namespace typenet
