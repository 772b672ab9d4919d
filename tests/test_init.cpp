#include <doctest/doctest.h>

#include <cmath>
#include <memory>

#include <typenet/typenet.hpp>

using namespace typenet;

// Scales are constexpr and equal the published closed forms (chosen so the result is a simple number).
static_assert(glorot_uniform::bound(2, 4) == 1.0);    // sqrt(6 / (2 + 4))
static_assert(glorot_uniform::bound(10, 14) == 0.5);  // sqrt(6 / 24)
static_assert(glorot_normal::stddev(1, 1) == 1.0);    // sqrt(2 / 2)
static_assert(glorot_normal::stddev(4, 4) == 0.5);    // sqrt(2 / 8)
static_assert(he_uniform::bound(6, 1000) == 1.0);     // sqrt(6 / 6): fan_out does not matter
static_assert(he_uniform::bound(24, 1) == 0.5);
static_assert(he_normal::stddev(8, 3) == 0.5);        // sqrt(2 / 8)
static_assert(lecun_uniform::bound(12, 7) == 0.5);    // sqrt(3 / 12)
static_assert(lecun_normal::stddev(4, 9) == 0.5);     // sqrt(1 / 4)
static_assert(keras_he_normal::stddev(8, 3) == 0.5);  // variance after truncation
static_assert(keras_he_normal::sampling_stddev(8, 3) == 0.5 / 0.87962566103423978);
static_assert(variance_scaling<0.5, fan_mode::fan_out, distribution::uniform>::bound(100, 6) == 0.5);  // sqrt(3*0.5/6)
static_assert(orthogonal<2.0>::stddev(16, 4) == 0.5);                                                  // gain / sqrt(max(fan_in, fan_out))
static_assert(uniform<-1.0, 2.0>::stddev(1, 1) * uniform<-1.0, 2.0>::stddev(1, 1) > 0.7499999999 &&
              uniform<-1.0, 2.0>::stddev(1, 1) * uniform<-1.0, 2.0>::stddev(1, 1) < 0.7500000001);
static_assert(truncated_normal<0.0, 2.0>::stddev(1, 1) == 2.0 * truncated_normal_stddev_factor);

TEST_CASE("uniform bounds and normal stddevs match the published formulas for many shapes") {
    for (std::size_t fan_in : {1, 3, 10, 64, 257, 4096})
        for (std::size_t fan_out : {1, 2, 10, 100, 1000}) {
            const double in = double(fan_in), out = double(fan_out);
            CHECK(glorot_uniform::bound(fan_in, fan_out) == doctest::Approx(std::sqrt(6 / (in + out))).epsilon(1e-15));
            CHECK(glorot_normal::stddev(fan_in, fan_out) == doctest::Approx(std::sqrt(2 / (in + out))).epsilon(1e-15));
            CHECK(he_uniform::bound(fan_in, fan_out) == doctest::Approx(std::sqrt(6 / in)).epsilon(1e-15));
            CHECK(he_normal::stddev(fan_in, fan_out) == doctest::Approx(std::sqrt(2 / in)).epsilon(1e-15));
            CHECK(lecun_uniform::bound(fan_in, fan_out) == doctest::Approx(std::sqrt(3 / in)).epsilon(1e-15));
            CHECK(lecun_normal::stddev(fan_in, fan_out) == doctest::Approx(std::sqrt(1 / in)).epsilon(1e-15));
            // nn.Linear: kaiming_uniform_(a = sqrt(5)) -> gain sqrt(2 / 6), bound gain * sqrt(3 / fan_in)
            CHECK(torch_default::bound(fan_in, fan_out) == doctest::Approx(1 / std::sqrt(in)).epsilon(1e-15));
            // Uniform and normal of one family have the same variance: a^2 / 3 = s^2.
            CHECK(he_uniform::bound(fan_in, fan_out) / std::sqrt(3.0) == doctest::Approx(he_normal::stddev(fan_in, fan_out)));
        }
}

TEST_CASE("the source article's formulas are not ours: He and LeCun depend on fan_in only, without epsilon") {
    // Article: He = sqrt(2 / (n_in + n_out)) * eps, LeCun = sqrt(6 / (n_in + n_out)) * eps, eps = 0.01 or 0.1.
    const double article_he = std::sqrt(2.0 / (10 + 10)) * 0.01;
    CHECK(he_uniform::bound(10, 10) == doctest::Approx(std::sqrt(0.6)));
    CHECK(he_uniform::bound(10, 10) / article_he > 200);
    CHECK(lecun_uniform::bound(10, 1) == lecun_uniform::bound(10, 1000));
}

namespace {
template <class T>
using golden_net = basic_network<T, input<3>, dense<4, he_uniform>, relu, dense<3, glorot_normal, torch_default>, typenet::tanh,
                                 dense<2, keras_lecun_normal, uniform<-0.5, 0.5>>, dense<2, orthogonal<1.5>, normal<0.0, 0.1>>>;

template <class T>
std::array<double, 12> golden_sample() {
    auto net = std::make_unique<golden_net<T>>();
    net->initialize(20261129);
    const auto& n = *net;
    return {n.template weight<0>(0, 0), n.template weight<0>(3, 2), n.template bias<0>(1),      n.template weight<2>(0, 0),
            n.template weight<2>(2, 3), n.template bias<2>(2),      n.template weight<4>(0, 1), n.template weight<4>(1, 2),
            n.template bias<4>(1),      n.template weight<5>(0, 0), n.template weight<5>(1, 1), n.template bias<5>(0)};
}
}  // namespace

// Recorded once; every build configuration in CI (g++ and clang, SSE2 and -march=native, sanitizers) must
// reproduce them bit for bit. One value per initializer kind: uniform, normal, truncated normal, orthogonal.
TEST_CASE("golden values: initialize(seed) gives the same bits with every compiler, SIMD width and CPU") {
    const std::array<double, 12> expected_float = {0x1.1cce96p-4, -0x1.3d01eep-1, 0x0p+0,        -0x1.44a9f8p-2,
                                                   0x1.35ee94p-1, 0x1.7fd5c8p-3,  0x1.5b93d2p-2, -0x1.2fe55p-3,
                                                   0x1.615508p-2, 0x1.4b0aaep+0,  0x1.4b0aaep+0, -0x1.5f9922p-5};
    const std::array<double, 12> expected_double = {0x1.1cce96862692p-4,   -0x1.3d01eecde67ccp-1, 0x0p+0,
                                                    -0x1.44a9f8864636ep-2, 0x1.35ee942b9f65cp-1,  0x1.7fd5c8f80135ap-3,
                                                    0x1.5b93d247966d2p-2,  -0x1.2fe550459dd6cp-3, 0x1.615507e204c1ap-2,
                                                    0x1.4b0aada9840e7p+0,  0x1.4b0aada9840e7p+0,  -0x1.5f9922e9b5feap-5};
    CHECK(golden_sample<float>() == expected_float);
    CHECK(golden_sample<double>() == expected_double);
}

TEST_CASE("a seed reproduces the network; another seed does not; layers draw from their own streams") {
    using net_a = basic_network<double, input<5>, dense<7>, relu, dense<3>>;
    using net_b = basic_network<double, input<5>, dense<7>, relu, dense<9>>;  // only the last layer differs
    net_a a1, a2;
    net_b b;
    a1.initialize(7);
    a2.initialize(7);
    b.initialize(7);
    CHECK(a1 == a2);
    for (std::size_t out = 0; out < 7; ++out)
        for (std::size_t in = 0; in < 5; ++in) CHECK(a1.weight<0>(out, in) == b.weight<0>(out, in));
    a2.initialize(8);
    CHECK_FALSE(a1 == a2);
    net_a default_constructed;
    a2.initialize(0);
    CHECK(default_constructed == a2);
}

TEST_CASE("float weights are the double weights rounded") {
    basic_network<float, input<9>, dense<5, he_normal, torch_default>> f;
    basic_network<double, input<9>, dense<5, he_normal, torch_default>> d;
    f.initialize(3);
    d.initialize(3);
    for (std::size_t out = 0; out < 5; ++out) {
        CHECK(f.bias<0>(out) == static_cast<float>(d.bias<0>(out)));
        for (std::size_t in = 0; in < 9; ++in) CHECK(f.weight<0>(out, in) == static_cast<float>(d.weight<0>(out, in)));
    }
}

template <class Net>
void check_orthogonal(double gain, double tolerance) {
    auto net = std::make_unique<Net>();
    constexpr std::size_t fan_in = Net::template layer<0>::fan_in, fan_out = Net::template layer<0>::fan_out;
    const bool wide = fan_out <= fan_in;
    const std::size_t n = wide ? fan_out : fan_in, m = wide ? fan_in : fan_out;
    // Gram matrix of the rows (wide) or columns (tall): must be gain^2 I.
    double worst = 0;
    for (std::size_t a = 0; a < n; ++a)
        for (std::size_t b = 0; b < n; ++b) {
            double sum = 0;
            for (std::size_t k = 0; k < m; ++k)
                sum += wide ? double(net->template weight<0>(a, k)) * net->template weight<0>(b, k)
                            : double(net->template weight<0>(k, a)) * net->template weight<0>(k, b);
            worst = std::max(worst, std::abs(sum - (a == b ? gain * gain : 0.0)));
        }
    CHECK(worst < tolerance);
}

TEST_CASE("orthogonal<Gain>: W W^T = gain^2 I for wide weights, W^T W = gain^2 I for tall ones") {
    check_orthogonal<basic_network<double, input<64>, dense<24, orthogonal<>>>>(1.0, 1e-13);
    check_orthogonal<basic_network<double, input<24>, dense<64, orthogonal<2.0>>>>(2.0, 4e-13);
    check_orthogonal<basic_network<double, input<96>, dense<96, orthogonal<0.5>>>>(0.5, 1e-13);
    check_orthogonal<basic_network<float, input<128>, dense<128, orthogonal<>>>>(1.0, 2e-5);
}

TEST_CASE("auto_init resolves from the next activation") {
    using net = network<input<4>, dense<8>, relu, dense<8>, leaky_relu<0.2f>, dense<8>, selu, dense<8>, typenet::tanh, dense<8>, sigmoid,
                        dense<8>, gelu, dense<8>, identity, dense<8>, dense<2>>;
    static_assert(std::is_same_v<layer_t<net, 0>::weight_init, he_uniform>);
    static_assert(std::is_same_v<layer_t<net, 2>::weight_init, he_uniform>);
    static_assert(std::is_same_v<layer_t<net, 4>::weight_init, lecun_normal>);
    static_assert(std::is_same_v<layer_t<net, 6>::weight_init, glorot_uniform>);
    static_assert(std::is_same_v<layer_t<net, 8>::weight_init, glorot_uniform>);
    static_assert(std::is_same_v<layer_t<net, 10>::weight_init, glorot_uniform>);
    static_assert(std::is_same_v<layer_t<net, 12>::weight_init, glorot_uniform>);
    static_assert(std::is_same_v<layer_t<net, 14>::weight_init, glorot_uniform>);  // followed by a dense layer
    static_assert(std::is_same_v<layer_t<net, 15>::weight_init, glorot_uniform>);  // last layer
    static_assert(std::is_same_v<layer_t<net, 0>::bias_init, zeros>);
    CHECK(net::layer_count == 16);
}
