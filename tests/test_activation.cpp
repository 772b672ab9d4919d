// SIMD activations against their <cmath> definitions, at every arch the build enables.
#include <doctest/doctest.h>

#include <cmath>
#include <string>
#include <vector>

#include <typenet/typenet.hpp>

using namespace typenet;

namespace {

template <class T>
std::vector<T> probe_values() {
    std::vector<T> values = {0, T(-0.0), T(1e-30), T(-1e-30), T(1e-6), T(-1e-6), 100, -100, 1e4, -1e4, 88, -88, 89, -89};
    for (int i = -4000; i <= 4000; ++i) values.push_back(T(i) / T(400));  // [-10, 10] in steps of 1/400
    return values;
}

template <class Activation, class T, class Arch>
void check_activation(double relative_tolerance) {
    using batch = typenet::simd::batch<T, Arch>;
    const auto values = probe_values<T>();
    double worst = 0;
    for (std::size_t i = 0; i + batch::size <= values.size(); i += batch::size) {
        alignas(64) T out[batch::size];
        Activation::apply(batch::load_unaligned(values.data() + i)).store_aligned(out);
        for (std::size_t lane = 0; lane < batch::size; ++lane) {
            const double expected = Activation::reference(double(values[i + lane]));
            // No accuracy is claimed for results in the subnormal range (sigmoid(-88) in float, say).
            if (std::abs(out[lane] - expected) <= double(std::numeric_limits<T>::min())) continue;
            const double error = std::abs(out[lane] - expected) / std::abs(expected);
            worst = std::max(worst, error);
        }
    }
    INFO(std::string(Activation::name), " lanes ", batch::size, " worst relative error ", worst);
    CHECK(worst <= relative_tolerance);
}

template <class Activation>
void check_all(double float_tolerance, double double_tolerance) {
    check_activation<Activation, float, simd::wide_arch>(float_tolerance);
    check_activation<Activation, float, simd::narrow_arch>(float_tolerance);
    check_activation<Activation, double, simd::wide_arch>(double_tolerance);
    check_activation<Activation, double, simd::narrow_arch>(double_tolerance);
}

}  // namespace

// A few ulp: float ulp is 1.2e-7 relative, double 2.2e-16.
TEST_CASE("piecewise-linear activations are exact") {
    check_all<identity>(0, 0);
    check_all<relu>(0, 0);
    check_all<leaky_relu<>>(1.2e-7, 0);  // the float slope 0.01f is not 0.01
    check_all<leaky_relu<0.25f>>(0, 0);
}

TEST_CASE("smooth activations are accurate to a few ulp") {
    check_all<typenet::tanh>(4e-7, 4e-15);
    check_all<sigmoid>(4e-7, 4e-15);
    check_all<selu>(4e-7, 4e-15);
    // GELU goes through xsimd::erfc (no cancellation for x << 0, unlike 1 + erf): its relative error peaks
    // at 6e-6 (float, x near -9.5, where GELU is 1e-20) and 4e-12 (double, erfc near 2.2).
    check_all<gelu>(1e-5, 1e-11);
}

// From its input clamp (9.2) on, the kernel gives exactly +-1, with or without fused multiply-adds (the
// rational's value at the end of its fit, 9, is 1 - 6e-8 with them); between 9.02, where float tanh starts
// rounding to 1, and 9.2 it is within 2 ulp of 1 (the accuracy test above covers that range).
TEST_CASE("float tanh is exactly +-1 from its clamp to infinity") {
    const auto check = []<class Arch>(Arch) {
        using batch = simd::batch<float, Arch>;
        std::vector<float> inputs;
        for (float x = 9.2f; x < 12; x += 0.001f) inputs.push_back(x);
        for (float x : {20.0f, 1e10f, std::numeric_limits<float>::max(), std::numeric_limits<float>::infinity()}) inputs.push_back(x);
        for (float x : inputs) {
            alignas(64) float lanes[batch::size];
            for (float& lane : lanes) lane = x;
            typenet::tanh::apply(batch::load_aligned(lanes)).store_aligned(lanes);
            INFO("x = ", x, " gives ", lanes[0] - 1.0f, " + 1");
            REQUIRE(lanes[0] == 1.0f);
            for (float& lane : lanes) lane = -x;
            typenet::tanh::apply(batch::load_aligned(lanes)).store_aligned(lanes);
            REQUIRE(lanes[0] == -1.0f);
        }
    };
    check(simd::wide_arch{});
    check(simd::narrow_arch{});
    check(kernel::arch::portable{});
}

// The recurrent cells' gate sigmoid (kernel/tanh.hpp): tanh's rational with the halvings folded into its
// coefficients. It is close in absolute terms (a gate multiplies; the worst over 4 million points of
// [-20, 20] is 1.96e-7 with AVX2, as for 1/2 + tanh(x/2)/2 on the same rational), exactly 0 and 1 from
// its clamp (18.4) on, and NaN passes through.
TEST_CASE("the gate sigmoid is within 3e-7 of 1 / (1 + exp(-x)), exact at its ends, NaN-preserving") {
    const auto check = []<class T, class Arch>(T, Arch, double tolerance) {
        using batch = simd::batch<T, Arch>;
        std::vector<T> inputs = probe_values<T>();
        for (int i = -2000; i <= 2000; ++i) inputs.push_back(T(i) / T(100));  // [-20, 20]
        double worst = 0;
        for (T x : inputs) {
            alignas(64) T lanes[batch::size];
            for (T& lane : lanes) lane = x;
            kernel::sigmoid(batch::load_aligned(lanes)).store_aligned(lanes);
            worst = std::max(worst, std::abs(double(lanes[0]) - 1 / (1 + std::exp(-double(x)))));
            if constexpr (std::is_same_v<T, float>)
                if (std::abs(x) >= 18.4f) {
                    INFO("x = ", x);
                    REQUIRE(lanes[0] == (x > 0 ? 1.0f : 0.0f));
                }
        }
        INFO("worst absolute error ", worst);
        CHECK(worst <= tolerance);
        for (T x : {std::numeric_limits<T>::infinity(), -std::numeric_limits<T>::infinity(), std::numeric_limits<T>::quiet_NaN()}) {
            alignas(64) T lanes[batch::size];
            for (T& lane : lanes) lane = x;
            kernel::sigmoid(batch::load_aligned(lanes)).store_aligned(lanes);
            if (std::isnan(x))
                CHECK(std::isnan(lanes[0]));
            else
                CHECK(lanes[0] == (x > 0 ? T(1) : T(0)));
        }
    };
    check(float{}, simd::wide_arch{}, 3e-7);
    check(float{}, simd::narrow_arch{}, 3e-7);
    check(float{}, kernel::arch::portable{}, 3e-7);
    check(double{}, simd::wide_arch{}, 1e-15);
    check(double{}, kernel::arch::portable{}, 1e-15);
}
