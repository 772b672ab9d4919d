#include <doctest/doctest.h>

#include <cmath>
#include <vector>

#include <typenet/init.hpp>
#include <typenet/random.hpp>

using typenet::philox4x32;
using typenet::random_stream;

TEST_CASE("Philox4x32-10 reproduces the Random123 known-answer vectors") {
    CHECK(philox4x32::generate({0, 0, 0, 0}, {0, 0}) == philox4x32::counter_type{0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8});
    CHECK(philox4x32::generate({0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff}, {0xffffffff, 0xffffffff}) ==
          philox4x32::counter_type{0x408f276d, 0x41c83b0e, 0xa20bc7c6, 0x6d5451fd});
    CHECK(philox4x32::generate({0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344}, {0xa4093822, 0x299f31d0}) ==
          philox4x32::counter_type{0xd16cfe09, 0x94fdcceb, 0x5001e420, 0x24126ea1});
}

TEST_CASE("Philox is usable at compile time") { static_assert(philox4x32::generate({0, 0, 0, 0}, {0, 0})[0] == 0x6627e8d5); }

TEST_CASE("deterministic_log agrees with std::log to a few ulp") {
    for (double x = 1e-300; x < 1e300; x *= 1.0123) {
        const double expected = std::log(x);
        CHECK(std::abs(typenet::detail::deterministic_log(x) - expected) <= 4e-16 * std::max(1.0, std::abs(expected)));
    }
    CHECK(typenet::detail::deterministic_log(1.0) == 0.0);
}

TEST_CASE("a stream is reproducible; seeds and stream ids give different streams") {
    random_stream a(42, 7), b(42, 7), other_seed(43, 7), other_stream(42, 8);
    int differ_seed = 0, differ_stream = 0;
    for (int i = 0; i < 100; ++i) {
        const auto value = a.next_bits();
        CHECK(value == b.next_bits());
        differ_seed += value != other_seed.next_bits();
        differ_stream += value != other_stream.next_bits();
    }
    CHECK(differ_seed == 100);
    CHECK(differ_stream == 100);
}

TEST_CASE("golden values: the same bits with every compiler, SIMD width and CPU") {
    // Recorded once; every build configuration in CI (g++/clang, SSE2/AVX-512) must reproduce them.
    random_stream stream(20261129, 3);
    CHECK(stream.next_bits() == 0xd3b69164980b0a49ULL);
    CHECK(stream.next_bits() == 0x0ccc03b9e712a3bfULL);
}

namespace {
struct moments {
    double mean = 0, variance = 0, kurtosis = 0;
};
template <class Draw>
moments sample_moments(int count, Draw&& draw) {
    std::vector<double> values(count);
    double sum = 0;
    for (double& value : values) sum += value = draw();
    moments result;
    result.mean = sum / count;
    double m2 = 0, m4 = 0;
    for (double value : values) {
        const double d = (value - result.mean) * (value - result.mean);
        m2 += d;
        m4 += d * d;
    }
    result.variance = m2 / count;
    result.kurtosis = (m4 / count) / (result.variance * result.variance);
    return result;
}
}  // namespace

TEST_CASE("uniform draws stay in the open intervals and have the uniform moments") {
    random_stream stream(1, 1);
    constexpr int count = 1 << 20;
    const auto symmetric = sample_moments(count, [&] {
        const double u = stream.symmetric_uniform();
        REQUIRE((u > -1 && u < 1));
        return u;
    });
    CHECK(std::abs(symmetric.mean) < 4 * std::sqrt(1.0 / 3 / count));
    CHECK(symmetric.variance == doctest::Approx(1.0 / 3).epsilon(0.01));
    CHECK(symmetric.kurtosis == doctest::Approx(1.8).epsilon(0.01));
    const auto open = sample_moments(count, [&] {
        const double u = stream.open_uniform();
        REQUIRE((u > 0 && u < 1));
        return u;
    });
    CHECK(std::abs(open.mean - 0.5) < 4 * std::sqrt(1.0 / 12 / count));
}

TEST_CASE("normal draws have mean 0, variance 1 and kurtosis 3; truncated ones stay within 2") {
    random_stream stream(2, 5);
    constexpr int count = 1 << 20;
    const auto normal = sample_moments(count, [&] { return stream.normal(); });
    CHECK(std::abs(normal.mean) < 4 / std::sqrt(double(count)));
    CHECK(std::abs(normal.variance - 1) < 4 * std::sqrt(2.0 / count));
    CHECK(normal.kurtosis == doctest::Approx(3.0).epsilon(0.02));
    const auto truncated = sample_moments(count, [&] {
        const double z = stream.truncated_normal();
        REQUIRE(std::abs(z) <= 2);
        return z;
    });
    // Variance of N(0,1) truncated to [-2, 2]: 1 - 4 phi(2) / (2 Phi(2) - 1) = 0.773741...
    const double phi2 = std::exp(-2.0) / std::sqrt(2 * M_PI);
    const double mass = std::erf(2 / std::sqrt(2.0));
    CHECK(truncated.variance == doctest::Approx(1 - 4 * phi2 / mass).epsilon(0.01));
    CHECK(std::sqrt(1 - 4 * phi2 / mass) == doctest::Approx(typenet::truncated_normal_stddev_factor).epsilon(1e-12));
}
