// Statistical tests of every random initializer on a 512 x 512 layer: support, mean and variance against
// the closed forms. With n = 262144 weights, the sample mean has standard error stddev / 512 and the
// sample variance a relative standard error of about sqrt(2 / n) = 0.28% (normal) or less (uniform), so
// "mean within 4 standard errors" and "variance within 3%" fail only if the distribution is wrong.
#include <doctest/doctest.h>

#include <cmath>
#include <memory>
#include <string>

#include <typenet/typenet.hpp>

using namespace typenet;

namespace {

constexpr std::size_t width = 512;

struct statistics {
    double mean = 0, variance = 0, smallest = 0, largest = 0, kurtosis = 0;
};

template <class WeightInit, class BiasInit, class Member>
statistics measure(std::uint64_t seed, Member member) {
    using net_type = basic_network<double, input<width>, dense<width, WeightInit, BiasInit>>;
    auto net = std::make_unique<net_type>();
    net->initialize(seed);
    std::vector<double> values;
    values.reserve(width * width);
    member(*net, values);
    statistics result{0, 0, values[0], values[0], 0};
    for (double value : values) {
        result.mean += value;
        result.smallest = std::min(result.smallest, value);
        result.largest = std::max(result.largest, value);
    }
    result.mean /= double(values.size());
    double m4 = 0;
    for (double value : values) {
        const double d2 = (value - result.mean) * (value - result.mean);
        result.variance += d2;
        m4 += d2 * d2;
    }
    result.variance /= double(values.size());
    result.kurtosis = m4 / double(values.size()) / (result.variance * result.variance);
    return result;
}

template <class Init>
statistics weight_statistics(std::uint64_t seed = 11) {
    return measure<Init, zeros>(seed, [](const auto& net, std::vector<double>& values) {
        for (std::size_t out = 0; out < width; ++out)
            for (std::size_t in = 0; in < width; ++in) values.push_back(net.template weight<0>(out, in));
    });
}

// Support: [-limit, limit]. Kurtosis tells the family apart: 1.8 uniform, 3 normal, 2.37 normal cut at 2 sigma.
template <class Init>
void check_weights(double expected_mean, double expected_stddev, double limit, double expected_kurtosis) {
    INFO(std::string(Init::name));
    const statistics s = weight_statistics<Init>();
    const double standard_error = expected_stddev / double(width);
    CHECK(std::abs(s.mean - expected_mean) < 4 * standard_error);
    CHECK(s.variance == doctest::Approx(expected_stddev * expected_stddev).epsilon(0.03));
    CHECK(s.smallest >= expected_mean - limit);
    CHECK(s.largest <= expected_mean + limit);
    CHECK(s.kurtosis == doctest::Approx(expected_kurtosis).epsilon(0.03));
}

constexpr double n = width;
const double truncated_kurtosis = [] {
    // E[z^4] of N(0,1) truncated to [-2, 2] divided by Var^2: (3 - 2 * 2 (2^2 + 3) phi(2) / mass) / var^2 ... computed directly.
    const double phi2 = std::exp(-2.0) / std::sqrt(2 * M_PI), mass = std::erf(std::sqrt(2.0));
    const double second = 1 - 4 * phi2 / mass;
    const double fourth = 3 * second - 2 * 8 * phi2 / mass;  // E[z^4] = 3 E[z^2] - 2 b^3 phi(b) / mass for b = 2
    return fourth / (second * second);
}();

}  // namespace

TEST_CASE("uniform variance-scaling initializers: U(-a, a) with a^2 = 3 scale / fan") {
    check_weights<glorot_uniform>(0, std::sqrt(2 / (n + n)), std::sqrt(6 / (n + n)), 1.8);
    check_weights<he_uniform>(0, std::sqrt(2 / n), std::sqrt(6 / n), 1.8);
    check_weights<lecun_uniform>(0, std::sqrt(1 / n), std::sqrt(3 / n), 1.8);
    check_weights<torch_default>(0, std::sqrt(1 / (3 * n)), 1 / std::sqrt(n), 1.8);
    check_weights<variance_scaling<0.5, fan_mode::fan_out, distribution::uniform>>(0, std::sqrt(0.5 / n), std::sqrt(1.5 / n), 1.8);
}

TEST_CASE("PyTorch-style normal initializers: plain N(0, s^2)") {
    // A plain normal over 262144 draws stays within 6 sigma with probability 0.9995.
    check_weights<glorot_normal>(0, std::sqrt(2 / (n + n)), 6 * std::sqrt(2 / (n + n)), 3.0);
    check_weights<he_normal>(0, std::sqrt(2 / n), 6 * std::sqrt(2 / n), 3.0);
    check_weights<lecun_normal>(0, std::sqrt(1 / n), 6 * std::sqrt(1 / n), 3.0);
}

TEST_CASE("Keras-style normal initializers: truncated at 2 sampling stddevs, variance s^2 after truncation") {
    const double factor = truncated_normal_stddev_factor;
    check_weights<keras_glorot_normal>(0, std::sqrt(2 / (n + n)), 2 * std::sqrt(2 / (n + n)) / factor, truncated_kurtosis);
    check_weights<keras_he_normal>(0, std::sqrt(2 / n), 2 * std::sqrt(2 / n) / factor, truncated_kurtosis);
    check_weights<keras_lecun_normal>(0, std::sqrt(1 / n), 2 * std::sqrt(1 / n) / factor, truncated_kurtosis);
}

TEST_CASE("general uniform and normal initializers") {
    check_weights<uniform<-0.3, 0.1>>(-0.1, 0.4 / std::sqrt(12.0), 0.2, 1.8);
    check_weights<normal<0.5, 0.2>>(0.5, 0.2, 6 * 0.2, 3.0);
    check_weights<truncated_normal<0.0, 0.2>>(0, 0.2 * truncated_normal_stddev_factor, 0.4, truncated_kurtosis);
}

TEST_CASE("orthogonal: entries of a Haar orthogonal matrix have mean 0 and variance gain^2 / n") {
    // Entries are approximately normal for large n (kurtosis 3 - 6 / (n + 2)).
    check_weights<orthogonal<>>(0, 1 / std::sqrt(n), 1.0, 3.0);
    check_weights<orthogonal<2.0>>(0, 2 / std::sqrt(n), 2.0, 3.0);
}

TEST_CASE("bias initializers: torch_default draws U(-1/sqrt(fan_in), 1/sqrt(fan_in)); constants are exact") {
    const statistics s = measure<zeros, torch_default>(5, [](const auto& net, std::vector<double>& values) {
        for (std::size_t out = 0; out < width; ++out) values.push_back(net.template bias<0>(out));
    });
    CHECK(s.smallest >= -1 / std::sqrt(n));
    CHECK(s.largest <= 1 / std::sqrt(n));
    CHECK(s.variance == doctest::Approx(1 / (3 * n)).epsilon(0.2));  // 512 draws: ~6% standard error
    const statistics c = measure<zeros, constant<0.25>>(5, [](const auto& net, std::vector<double>& values) {
        for (std::size_t out = 0; out < width; ++out) values.push_back(net.template bias<0>(out));
    });
    CHECK(c.smallest == 0.25);
    CHECK(c.largest == 0.25);
}
