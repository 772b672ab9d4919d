// Weight and bias initializers. Scales are the published ones, as torch.nn.init and Keras implement them:
//
// Documentation: docs/initializers.md
// Distributed under the Boost Software License, Version 1.0 (see LICENSE or https://www.boost.org/LICENSE_1_0.txt).
//
//   Glorot & Bengio 2010   glorot_uniform  a = sqrt(6 / (fan_in + fan_out))   glorot_normal  s = sqrt(2 / (fan_in + fan_out))
//   He et al. 2015         he_uniform      a = sqrt(6 / fan_in)               he_normal      s = sqrt(2 / fan_in)
//   LeCun et al. 1998      lecun_uniform   a = sqrt(3 / fan_in)               lecun_normal   s = sqrt(1 / fan_in)
//
// All are Keras' VarianceScaling(scale, mode, distribution): Var[w] = scale / n with n = fan_in, fan_out or
// their mean. Uniform: U(-a, a) with a = sqrt(3 scale / n). Normal: the *_normal names draw a plain normal
// N(0, s^2) like PyTorch's xavier_normal_/kaiming_normal_; the keras_*_normal names draw Keras' truncated
// normal, cut at 2 sampling standard deviations with sampling stddev s / 0.87962566103423978 so that the
// variance after truncation is still s^2.
//
// Interface of an initializer I (all static):
//   I::name                                  printable name
//   I::initializes_weights, ::initializes_biases
//   I::sample_weights(fan_in, fan_out, stream, set)   calls set(out, in, value) in PyTorch order
//   I::sample_bias(fan_in, fan_out, stream, set)      calls set(out, value)
//   I::bound(fan_in, fan_out)   uniform ones: a of U(-a, a)           (constexpr)
//   I::stddev(fan_in, fan_out)  standard deviation of every weight    (constexpr)
#pragma once

#include <array>
#include <cmath>
#include <cstddef>
#include <cstdio>
#include <string>
#include <string_view>
#include <vector>

#include "detail/constexpr_math.hpp"
#include "random.hpp"
#include "spelling.hpp"

namespace typenet {

enum class fan_mode { fan_in, fan_out, fan_avg };
enum class distribution { uniform, truncated_normal, untruncated_normal };

// Standard deviation of N(0, 1) truncated to [-2, 2]: Keras divides by it so truncation keeps the variance.
inline constexpr double truncated_normal_stddev_factor = 0.87962566103423978;

namespace detail {

template <class Set>
void for_each_weight(std::size_t fan_in, std::size_t fan_out, Set&& set, auto&& draw) {
    for (std::size_t out = 0; out < fan_out; ++out)
        for (std::size_t in = 0; in < fan_in; ++in) set(out, in, draw());
}

}  // namespace detail

template <double Scale, fan_mode Mode, distribution Distribution>
struct variance_scaling {
    static_assert(Scale > 0, "typenet::variance_scaling<Scale, ...>: Scale must be positive");

    static constexpr std::string_view name = "variance_scaling";
    static constexpr double scale = Scale;
    static constexpr fan_mode mode = Mode;
    static constexpr distribution distribution_kind = Distribution;
    static constexpr bool initializes_weights = true;
    static constexpr bool initializes_biases = false;  // needs a weight matrix's fan-in and fan-out

    static constexpr double fan(std::size_t fan_in, std::size_t fan_out) noexcept {
        const auto in = static_cast<double>(fan_in), out = static_cast<double>(fan_out);
        if constexpr (Mode == fan_mode::fan_in)
            return in;
        else if constexpr (Mode == fan_mode::fan_out)
            return out;
        else
            return (in + out) / 2;
    }
    // Standard deviation of the weights as drawn (after truncation for the truncated normal).
    static constexpr double stddev(std::size_t fan_in, std::size_t fan_out) noexcept {
        return detail::constexpr_sqrt(Scale / fan(fan_in, fan_out));
    }
    static constexpr double bound(std::size_t fan_in, std::size_t fan_out) noexcept
        requires(Distribution == distribution::uniform)
    {
        return detail::constexpr_sqrt(3 * Scale / fan(fan_in, fan_out));
    }
    // Keras' truncated normal: the stddev passed to the sampler, before truncation at twice this value.
    static constexpr double sampling_stddev(std::size_t fan_in, std::size_t fan_out) noexcept
        requires(Distribution == distribution::truncated_normal)
    {
        return stddev(fan_in, fan_out) / truncated_normal_stddev_factor;
    }

    template <class Set>
    static void sample_weights(std::size_t fan_in, std::size_t fan_out, random_stream& stream, Set&& set) {
        if constexpr (Distribution == distribution::uniform) {
            const double limit = bound(fan_in, fan_out);
            detail::for_each_weight(fan_in, fan_out, set, [&] { return limit * stream.symmetric_uniform(); });
        } else if constexpr (Distribution == distribution::untruncated_normal) {
            const double sigma = stddev(fan_in, fan_out);
            detail::for_each_weight(fan_in, fan_out, set, [&] { return sigma * stream.normal(); });
        } else {
            const double sigma = sampling_stddev(fan_in, fan_out);
            detail::for_each_weight(fan_in, fan_out, set, [&] { return sigma * stream.truncated_normal(); });
        }
    }
};

// PyTorch xavier_uniform_ / Keras GlorotUniform.
struct glorot_uniform : variance_scaling<1.0, fan_mode::fan_avg, distribution::uniform> {
    static constexpr std::string_view name = "glorot_uniform";
};
// PyTorch xavier_normal_ (plain normal).
struct glorot_normal : variance_scaling<1.0, fan_mode::fan_avg, distribution::untruncated_normal> {
    static constexpr std::string_view name = "glorot_normal";
};
// PyTorch kaiming_uniform_(nonlinearity='relu') / Keras HeUniform.
struct he_uniform : variance_scaling<2.0, fan_mode::fan_in, distribution::uniform> {
    static constexpr std::string_view name = "he_uniform";
};
// PyTorch kaiming_normal_(nonlinearity='relu') (plain normal).
struct he_normal : variance_scaling<2.0, fan_mode::fan_in, distribution::untruncated_normal> {
    static constexpr std::string_view name = "he_normal";
};
// Keras LecunUniform (PyTorch: kaiming_uniform_(nonlinearity='linear')).
struct lecun_uniform : variance_scaling<1.0, fan_mode::fan_in, distribution::uniform> {
    static constexpr std::string_view name = "lecun_uniform";
};
// PyTorch kaiming_normal_(nonlinearity='linear') (plain normal); the init SELU's self-normalization assumes.
struct lecun_normal : variance_scaling<1.0, fan_mode::fan_in, distribution::untruncated_normal> {
    static constexpr std::string_view name = "lecun_normal";
};
// Keras GlorotNormal, HeNormal, LecunNormal: truncated normal with the same variance as above.
struct keras_glorot_normal : variance_scaling<1.0, fan_mode::fan_avg, distribution::truncated_normal> {
    static constexpr std::string_view name = "keras_glorot_normal";
};
struct keras_he_normal : variance_scaling<2.0, fan_mode::fan_in, distribution::truncated_normal> {
    static constexpr std::string_view name = "keras_he_normal";
};
struct keras_lecun_normal : variance_scaling<1.0, fan_mode::fan_in, distribution::truncated_normal> {
    static constexpr std::string_view name = "keras_lecun_normal";
};

// Every weight (or bias) equal to Value.
template <double Value>
struct constant {
    static constexpr std::string_view name = "constant";
    static constexpr double value = Value;
    static constexpr bool initializes_weights = true;
    static constexpr bool initializes_biases = true;
    static constexpr double stddev(std::size_t, std::size_t) noexcept { return 0; }

    template <class Set>
    static void sample_weights(std::size_t fan_in, std::size_t fan_out, random_stream&, Set&& set) {
        detail::for_each_weight(fan_in, fan_out, set, [] { return Value; });
    }
    template <class Set>
    static void sample_bias(std::size_t, std::size_t fan_out, random_stream&, Set&& set) {
        for (std::size_t out = 0; out < fan_out; ++out) set(out, Value);
    }
};
struct zeros : constant<0.0> {
    static constexpr std::string_view name = "zeros";
};
struct ones : constant<1.0> {
    static constexpr std::string_view name = "ones";
};

// U(Lower, Upper), as torch.nn.init.uniform_(a, b) / Keras RandomUniform.
template <double Lower, double Upper>
struct uniform {
    static_assert(Lower < Upper, "typenet::uniform<Lower, Upper>: Lower must be less than Upper");
    static constexpr std::string_view name = "uniform";
    static constexpr double lower = Lower, upper = Upper;
    static constexpr bool initializes_weights = true;
    static constexpr bool initializes_biases = true;
    static constexpr double stddev(std::size_t, std::size_t) noexcept { return (Upper - Lower) / detail::constexpr_sqrt(12); }

    static double draw(random_stream& stream) noexcept { return std::fma(Upper - Lower, stream.open_uniform(), Lower); }
    template <class Set>
    static void sample_weights(std::size_t fan_in, std::size_t fan_out, random_stream& stream, Set&& set) {
        detail::for_each_weight(fan_in, fan_out, set, [&] { return draw(stream); });
    }
    template <class Set>
    static void sample_bias(std::size_t, std::size_t fan_out, random_stream& stream, Set&& set) {
        for (std::size_t out = 0; out < fan_out; ++out) set(out, draw(stream));
    }
};

// N(Mean, Stddev^2), plain (torch.nn.init.normal_) or, with Truncated, redrawn outside Mean +- 2 Stddev
// (Keras TruncatedNormal: Stddev is the sampling parameter, the drawn values have 0.8796 Stddev).
template <double Mean, double Stddev, bool Truncated = false>
struct normal {
    static_assert(Stddev >= 0, "typenet::normal<Mean, Stddev>: Stddev must not be negative");
    static constexpr std::string_view name = Truncated ? "truncated_normal" : "normal";
    static constexpr double mean = Mean;
    static constexpr bool truncated = Truncated;
    static constexpr bool initializes_weights = true;
    static constexpr bool initializes_biases = true;
    static constexpr double sampling_stddev = Stddev;
    static constexpr double stddev(std::size_t, std::size_t) noexcept {
        return Truncated ? Stddev * truncated_normal_stddev_factor : Stddev;
    }

    static double draw(random_stream& stream) noexcept {
        return std::fma(Stddev, Truncated ? stream.truncated_normal() : stream.normal(), Mean);
    }
    template <class Set>
    static void sample_weights(std::size_t fan_in, std::size_t fan_out, random_stream& stream, Set&& set) {
        detail::for_each_weight(fan_in, fan_out, set, [&] { return draw(stream); });
    }
    template <class Set>
    static void sample_bias(std::size_t, std::size_t fan_out, random_stream& stream, Set&& set) {
        for (std::size_t out = 0; out < fan_out; ++out) set(out, draw(stream));
    }
};
template <double Mean, double Stddev>
using truncated_normal = normal<Mean, Stddev, true>;

// PyTorch nn.Linear's default: kaiming_uniform_(a = sqrt(5)) for weights, which works out to
// U(-1/sqrt(fan_in), 1/sqrt(fan_in)), and the same bound for the bias.
struct torch_default {
    static constexpr std::string_view name = "torch_default";
    static constexpr bool initializes_weights = true;
    static constexpr bool initializes_biases = true;
    static constexpr double bound(std::size_t fan_in, std::size_t = 0) noexcept {
        // gain = sqrt(2 / (1 + a^2)) with a^2 = 5; bound = sqrt(3) * gain / sqrt(fan_in) = 1 / sqrt(fan_in)
        const double gain = detail::constexpr_sqrt(2.0 / (1 + 5));
        return detail::constexpr_sqrt(3.0) * gain / detail::constexpr_sqrt(static_cast<double>(fan_in));
    }
    static constexpr double stddev(std::size_t fan_in, std::size_t fan_out) noexcept {
        return bound(fan_in, fan_out) / detail::constexpr_sqrt(3.0);
    }
    template <class Set>
    static void sample_weights(std::size_t fan_in, std::size_t fan_out, random_stream& stream, Set&& set) {
        const double limit = bound(fan_in);
        detail::for_each_weight(fan_in, fan_out, set, [&] { return limit * stream.symmetric_uniform(); });
    }
    template <class Set>
    static void sample_bias(std::size_t fan_in, std::size_t fan_out, random_stream& stream, Set&& set) {
        const double limit = 1 / detail::constexpr_sqrt(static_cast<double>(fan_in));
        for (std::size_t out = 0; out < fan_out; ++out) set(out, limit * stream.symmetric_uniform());
    }
};

// Saxe et al. 2014, as torch.nn.init.orthogonal_: a Gaussian matrix orthonormalized (its Q factor with the
// signs fixed so R has a positive diagonal). Wide weights (fan_out <= fan_in) get orthonormal rows,
// W W^T = Gain^2 I; tall ones orthonormal columns, W^T W = Gain^2 I.
template <double Gain = 1.0>
struct orthogonal {
    static_assert(Gain > 0, "typenet::orthogonal<Gain>: Gain must be positive");
    static constexpr std::string_view name = "orthogonal";
    static constexpr double gain = Gain;
    static constexpr bool initializes_weights = true;
    static constexpr bool initializes_biases = false;  // a bias is a vector: nothing to orthogonalize
    // Entries of a Haar-random orthogonal n x n matrix have variance 1/n; a semi-orthogonal block of the
    // larger dimension m has 1/m.
    static constexpr double stddev(std::size_t fan_in, std::size_t fan_out) noexcept {
        return Gain / detail::constexpr_sqrt(static_cast<double>(fan_in > fan_out ? fan_in : fan_out));
    }

    template <class Set>
    static void sample_weights(std::size_t fan_in, std::size_t fan_out, random_stream& stream, Set&& set) {
        // Gram-Schmidt on the shorter dimension's vectors equals QR with sign-corrected Q. Vectors are stored
        // contiguously; rows of W when it is wide, columns when it is tall. Reorthogonalizing once
        // ("twice is enough", Giraud et al. 2005) keeps W W^T = I to double rounding.
        const bool wide = fan_out <= fan_in;
        const std::size_t count = wide ? fan_out : fan_in, length = wide ? fan_in : fan_out;
        std::vector<double> vectors(count * length);
        for (std::size_t out = 0; out < fan_out; ++out)
            for (std::size_t in = 0; in < fan_in; ++in) vectors[wide ? out * length + in : in * length + out] = stream.normal();
        for (std::size_t j = 0; j < count; ++j) {
            double* current = &vectors[j * length];
            for (int pass = 0; pass < 2; ++pass)
                for (std::size_t i = 0; i < j; ++i) {
                    const double* previous = &vectors[i * length];
                    const double projection = dot(previous, current, length);
                    for (std::size_t e = 0; e < length; ++e) current[e] = std::fma(-projection, previous[e], current[e]);
                }
            const double norm = std::sqrt(dot(current, current, length));
            for (std::size_t e = 0; e < length; ++e) current[e] = current[e] / norm;
        }
        for (std::size_t out = 0; out < fan_out; ++out)
            for (std::size_t in = 0; in < fan_in; ++in) set(out, in, Gain * vectors[wide ? out * length + in : in * length + out]);
    }

private:
    static double dot(const double* a, const double* b, std::size_t length) noexcept {
        double sum = 0;
        for (std::size_t e = 0; e < length; ++e) sum = std::fma(a[e], b[e], sum);
        return sum;
    }
};

// Init's draws times Factor: what Fixup (structure/residual.hpp) gives the layers of a residual branch, and a
// way to scale any initializer by hand (dense<64, scaled<he_uniform, 0.5>>). Its bound and stddev scale too.
template <class Init, double Factor>
struct scaled {
    static_assert(Factor > 0, "typenet::scaled<Init, Factor>: Factor must be positive (use zeros for a zero layer)");
    static constexpr double factor = Factor;
    using base = Init;
    static constexpr bool initializes_weights = Init::initializes_weights;
    static constexpr bool initializes_biases = Init::initializes_biases;

private:
    static constexpr std::size_t name_length = Init::name.size() + 8;  // "scaled(" + name + ")"
    static constexpr auto name_text = [] {
        std::array<char, name_length + 1> text{};
        constexpr std::string_view open = "scaled(";
        for (std::size_t i = 0; i < open.size(); ++i) text[i] = open[i];
        for (std::size_t i = 0; i < Init::name.size(); ++i) text[open.size() + i] = Init::name[i];
        text[name_length - 1] = ')';
        return text;
    }();

public:
    static constexpr std::string_view name{name_text.data(), name_length};

    static constexpr double bound(std::size_t fan_in, std::size_t fan_out) noexcept
        requires requires { Init::bound(fan_in, fan_out); }
    {
        return Factor * Init::bound(fan_in, fan_out);
    }
    static constexpr double stddev(std::size_t fan_in, std::size_t fan_out) noexcept
        requires requires { Init::stddev(fan_in, fan_out); }
    {
        return Factor * Init::stddev(fan_in, fan_out);
    }
    template <class Set>
    static void sample_weights(std::size_t fan_in, std::size_t fan_out, random_stream& stream, Set&& set) {
        Init::sample_weights(fan_in, fan_out, stream, [&](std::size_t out, std::size_t in, double value) { set(out, in, Factor * value); });
    }
    template <class Set>
    static void sample_bias(std::size_t fan_in, std::size_t fan_out, random_stream& stream, Set&& set)
        requires(Init::initializes_biases)
    {
        Init::sample_bias(fan_in, fan_out, stream, [&](std::size_t out, double value) { set(out, Factor * value); });
    }
};

namespace detail {
// weight_bound() and weight_stddev() of a layer whose weights WeightInit draws with these fans (where the
// initializer defines them): the constexpr scales of dense and conv1d layers.
template <class WeightInit, std::size_t FanIn, std::size_t FanOut>
struct weight_scales {
    static constexpr double weight_bound() noexcept
        requires requires { WeightInit::bound(FanIn, FanOut); }
    {
        return WeightInit::bound(FanIn, FanOut);
    }
    static constexpr double weight_stddev() noexcept
        requires requires { WeightInit::stddev(FanIn, FanOut); }
    {
        return WeightInit::stddev(FanIn, FanOut);
    }
};
}  // namespace detail

// Chosen at compile time from the activation that follows the layer (auto_init_for below): relu,
// leaky_relu -> he_uniform; selu -> lecun_normal; anything else or none -> glorot_uniform.
struct auto_init {
    static constexpr std::string_view name = "auto_init";
    static constexpr bool initializes_weights = false;  // resolved before use
    static constexpr bool initializes_biases = false;
};

// The initializer auto_init stands for, given the layer after the one it initializes (void: none). An
// activation names its own (`using recommended_initializer = he_uniform;`: the rectifiers zero half of
// their inputs, so the variance needs a factor 2; SELU's fixed point assumes Var[w] = 1 / fan_in); Glorot
// for everything else, including no activation at all.
template <class Next>
struct auto_init_for {
    using type = glorot_uniform;
};
template <class Next>
    requires requires { typename Next::recommended_initializer; }
struct auto_init_for<Next> {
    using type = typename Next::recommended_initializer;
};

// How each initializer is written in C++ (typenet::spelling, for generated code).
template <>
struct spelling<glorot_uniform> : detail::spelled_as_name<glorot_uniform> {};
template <>
struct spelling<glorot_normal> : detail::spelled_as_name<glorot_normal> {};
template <>
struct spelling<he_uniform> : detail::spelled_as_name<he_uniform> {};
template <>
struct spelling<he_normal> : detail::spelled_as_name<he_normal> {};
template <>
struct spelling<lecun_uniform> : detail::spelled_as_name<lecun_uniform> {};
template <>
struct spelling<lecun_normal> : detail::spelled_as_name<lecun_normal> {};
template <>
struct spelling<keras_glorot_normal> : detail::spelled_as_name<keras_glorot_normal> {};
template <>
struct spelling<keras_he_normal> : detail::spelled_as_name<keras_he_normal> {};
template <>
struct spelling<keras_lecun_normal> : detail::spelled_as_name<keras_lecun_normal> {};
template <>
struct spelling<zeros> : detail::spelled_as_name<zeros> {};
template <>
struct spelling<ones> : detail::spelled_as_name<ones> {};
template <>
struct spelling<torch_default> : detail::spelled_as_name<torch_default> {};
template <>
struct spelling<auto_init> : detail::spelled_as_name<auto_init> {};
template <double Scale, fan_mode Mode, distribution Distribution>
struct spelling<variance_scaling<Scale, Mode, Distribution>> {
    static std::string get() {
        constexpr const char* modes[] = {"fan_in", "fan_out", "fan_avg"};
        constexpr const char* distributions[] = {"uniform", "truncated_normal", "untruncated_normal"};
        return "typenet::variance_scaling<" + detail::spell_number(Scale) + ", typenet::fan_mode::" + modes[int(Mode)] +
               ", typenet::distribution::" + distributions[int(Distribution)] + ">";
    }
};
template <double Value>
struct spelling<constant<Value>> {
    static std::string get() { return "typenet::constant<" + detail::spell_number(Value) + ">"; }
};
template <double Lower, double Upper>
struct spelling<uniform<Lower, Upper>> {
    static std::string get() { return "typenet::uniform<" + detail::spell_number(Lower) + ", " + detail::spell_number(Upper) + ">"; }
};
template <double Mean, double Stddev, bool Truncated>
struct spelling<normal<Mean, Stddev, Truncated>> {
    static std::string get() {
        return "typenet::normal<" + detail::spell_number(Mean) + ", " + detail::spell_number(Stddev) + (Truncated ? ", true>" : ", false>");
    }
};
template <class Init, double Factor>
struct spelling<scaled<Init, Factor>> {
    static std::string get() { return "typenet::scaled<" + spelling<Init>::get() + ", " + detail::spell_number(Factor) + ">"; }
};
template <double Gain>
struct spelling<orthogonal<Gain>> {
    static std::string get() { return "typenet::orthogonal<" + detail::spell_number(Gain) + ">"; }
};

namespace detail {

// The scale of Init for one layer's shape, as typenet::summary prints it.
template <class Init>
std::string describe_initializer(std::size_t fan_in, std::size_t fan_out) {
    char text[96];
    if constexpr (requires { Init::bound(fan_in, fan_out); })
        std::snprintf(text, sizeof text, "U(-a, a), a = %.6g", Init::bound(fan_in, fan_out));
    else if constexpr (requires { Init::value; })
        std::snprintf(text, sizeof text, "constant %.6g", Init::value);
    else if constexpr (requires { Init::lower; })
        std::snprintf(text, sizeof text, "U(%.6g, %.6g)", Init::lower, Init::upper);
    else if constexpr (requires { Init::sampling_stddev(fan_in, fan_out); })
        std::snprintf(text, sizeof text, "truncated N, std = %.6g", Init::stddev(fan_in, fan_out));
    else if constexpr (requires { Init::gain; })
        std::snprintf(text, sizeof text, "gain %.6g, std = %.6g", Init::gain, Init::stddev(fan_in, fan_out));
    else
        std::snprintf(text, sizeof text, "N, std = %.6g", Init::stddev(fan_in, fan_out));
    return text;
}

}  // namespace detail
}  // namespace typenet
