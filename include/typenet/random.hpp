// Platform-independent random numbers for weight initialization.
//
// Documentation: docs/initializers.md
// Distributed under the Boost Software License, Version 1.0 (see LICENSE or https://www.boost.org/LICENSE_1_0.txt).
//
// std::*_distribution differ between standard libraries, and sequential engines make a weight depend on
// the order in which weights are visited. typenet instead uses Philox4x32-10 (Salmon et al., SC'11), a
// counter-based generator: a (key, counter) pair maps to four 32-bit words through integer arithmetic
// only, so every compiler, SIMD width and CPU produces the same bits. Transforms to real numbers use
// exact integer-to-double conversions, IEEE-exact sqrt/division, and explicit std::fma wherever a product
// feeds a sum, so floating-point contraction (-ffp-contract, FMA hardware) cannot change a result.
#pragma once

#include <array>
#include <cmath>
#include <cstdint>

namespace typenet {

// Philox4x32 with 10 rounds: output = bijection of the 128-bit counter under the 64-bit key.
class philox4x32 {
public:
    using counter_type = std::array<std::uint32_t, 4>;
    using key_type = std::array<std::uint32_t, 2>;

    static constexpr counter_type generate(counter_type counter, key_type key) noexcept {
        for (int round = 0; round < 10; ++round) {
            if (round > 0) {
                key[0] += 0x9E3779B9u;  // Weyl sequence: golden ratio and sqrt(3) - 1, as in the paper
                key[1] += 0xBB67AE85u;
            }
            const std::uint64_t product0 = std::uint64_t{0xD2511F53u} * counter[0];
            const std::uint64_t product1 = std::uint64_t{0xCD9E8D57u} * counter[2];
            counter = {static_cast<std::uint32_t>(product1 >> 32) ^ counter[1] ^ key[0], static_cast<std::uint32_t>(product1),
                       static_cast<std::uint32_t>(product0 >> 32) ^ counter[3] ^ key[1], static_cast<std::uint32_t>(product0)};
        }
        return counter;
    }
};

namespace detail {

// Natural logarithm from frexp (exact), an atanh series and explicit fma: the same bits on every platform.
// Accurate to a few ulp of double, which is far more than sampling needs; determinism is the point.
inline double deterministic_log(double x) noexcept {
    int exponent = 0;
    double mantissa = std::frexp(x, &exponent);  // x = mantissa * 2^exponent, mantissa in [0.5, 1)
    if (mantissa < 0.70710678118654752440) {
        mantissa *= 2;
        exponent -= 1;
    }
    // log(m) = 2 atanh(f), f = (m - 1) / (m + 1), |f| <= 0.1716: twelve odd terms reach double precision.
    const double f = (mantissa - 1) / (mantissa + 1);
    const double f2 = f * f;
    double series = 1.0 / 25;
    for (int k = 11; k >= 0; --k) series = std::fma(series, f2, 1.0 / (2 * k + 1));
    const double log_mantissa = 2 * f * series;
    return std::fma(static_cast<double>(exponent), 0.69314718055994530942, log_mantissa);
}

}  // namespace detail

// A stream of random numbers for one tensor: key = seed, counter = (position, stream id). Streams with
// different ids are independent, so each tensor of a network draws from its own, and a tensor's values
// do not depend on any other tensor's shape.
class random_stream {
public:
    constexpr random_stream(std::uint64_t seed, std::uint64_t stream_id) noexcept
        : key_{static_cast<std::uint32_t>(seed), static_cast<std::uint32_t>(seed >> 32)}, stream_id_(stream_id) {}

    // 64 uniformly distributed bits.
    constexpr std::uint64_t next_bits() noexcept {
        if (buffered_words_ == 0) refill();
        const std::uint64_t high = words_[4 - buffered_words_];
        const std::uint64_t low = words_[5 - buffered_words_];
        buffered_words_ -= 2;
        return high << 32 | low;
    }

    // Uniform on the open interval (-1, 1): 2^53 equally spaced odd multiples of 2^-53, symmetric about 0.
    double symmetric_uniform() noexcept {
        const std::int64_t k = static_cast<std::int64_t>(next_bits() >> 11);  // [0, 2^53)
        return static_cast<double>(2 * k + 1 - (std::int64_t{1} << 53)) * 0x1p-53;
    }

    // Uniform on the open interval (0, 1).
    double open_uniform() noexcept {
        const std::int64_t k = static_cast<std::int64_t>(next_bits() >> 12);  // [0, 2^52)
        return static_cast<double>(2 * k + 1) * 0x1p-53;
    }

    // Standard normal by Marsaglia's polar method (no trigonometry, only log and sqrt).
    double normal() noexcept {
        if (has_spare_normal_) {
            has_spare_normal_ = false;
            return spare_normal_;
        }
        for (;;) {
            const double u = symmetric_uniform();
            const double v = symmetric_uniform();
            const double radius2 = std::fma(u, u, v * v);
            if (radius2 >= 1 || radius2 == 0) continue;
            const double factor = std::sqrt(-2 * detail::deterministic_log(radius2) / radius2);
            spare_normal_ = v * factor;
            has_spare_normal_ = true;
            return u * factor;
        }
    }

    // Standard normal conditioned on |z| <= 2 (redraw outside), as Keras' TruncatedNormal.
    double truncated_normal() noexcept {
        for (;;) {
            const double z = normal();
            if (z >= -2 && z <= 2) return z;
        }
    }

private:
    constexpr void refill() noexcept {
        words_ = philox4x32::generate({static_cast<std::uint32_t>(position_), static_cast<std::uint32_t>(position_ >> 32),
                                       static_cast<std::uint32_t>(stream_id_), static_cast<std::uint32_t>(stream_id_ >> 32)},
                                      key_);
        ++position_;
        buffered_words_ = 4;
    }

    philox4x32::key_type key_;
    std::uint64_t stream_id_;
    std::uint64_t position_ = 0;
    philox4x32::counter_type words_{};
    int buffered_words_ = 0;
    double spare_normal_ = 0;
    bool has_spare_normal_ = false;
};

}  // namespace typenet
