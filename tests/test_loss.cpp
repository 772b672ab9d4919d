// Losses against their closed forms, with their gradients, and stability for huge logits.
#include <doctest/doctest.h>

#include <cmath>

#include <typenet/typenet.hpp>

using namespace typenet;

TEST_CASE("mse: mean over batch and outputs; gradient 2 (p - t) / (B O)") {
    const double prediction[] = {1, 2, 3, 4, 5, 6};  // 2 rows of 3
    const std::array<std::array<double, 3>, 2> target = {{{0, 2, 5}, {4, 4, 4}}};
    double gradient[6];
    const double loss = mse::evaluate<double, 3, 2>(prediction, 3, target, gradient);
    CHECK(loss == doctest::Approx((1 + 0 + 4 + 0 + 1 + 4) / 6.0));
    CHECK(gradient[0] == doctest::Approx(2 * 1 / 6.0));
    CHECK(gradient[2] == doctest::Approx(2 * -2 / 6.0));
    CHECK(gradient[5] == doctest::Approx(2 * 2 / 6.0));
}

TEST_CASE("softmax_cross_entropy: -log softmax at the target, mean over the batch; gradient (softmax - onehot) / B") {
    const double prediction[] = {1, 2, 3, 0, 0, 0};
    const std::array<std::size_t, 2> target = {2, 0};
    double gradient[6];
    const double loss = softmax_cross_entropy::evaluate<double, 3, 2>(prediction, 3, target, gradient);
    const double normalizer = std::exp(1.0) + std::exp(2.0) + std::exp(3.0);
    CHECK(loss == doctest::Approx((-std::log(std::exp(3.0) / normalizer) + std::log(3.0)) / 2));
    CHECK(gradient[0] == doctest::Approx(std::exp(1.0) / normalizer / 2));
    CHECK(gradient[2] == doctest::Approx((std::exp(3.0) / normalizer - 1) / 2));
    CHECK(gradient[3] == doctest::Approx((1.0 / 3 - 1) / 2));
}

TEST_CASE("softmax_cross_entropy is exact for logits of magnitude 1e4") {
    const float prediction[] = {1e4f, -1e4f, 0.0f, -1e4f, 1e4f, 1e4f - 1};
    const std::array<std::size_t, 2> target = {1, 2};
    float gradient[6];
    const float loss = softmax_cross_entropy::evaluate<float, 3, 2>(prediction, 3, target, gradient);
    // Row 0: loss 2e4 (logit 1e4 wins, target -1e4). Row 1: log(1 + e^1) - ... = log(e^1 + 1) for the 1e4-1 target.
    CHECK(std::isfinite(loss));
    CHECK(loss == doctest::Approx((2e4 + std::log(1 + std::exp(1.0))) / 2).epsilon(1e-6));
    for (float g : gradient) CHECK(std::isfinite(g));
    CHECK(gradient[0] == doctest::Approx(0.5));
    CHECK(gradient[1] == doctest::Approx(-0.5));
}

TEST_CASE("softmax_cross_entropy rejects a class index out of range and says which") {
    const std::array<std::size_t, 2> target = {1, 7};
    const float prediction[6] = {};
    auto check = [&] { softmax_cross_entropy::evaluate<float, 3, 2>(prediction, 3, target, nullptr); };
    CHECK_THROWS_WITH_AS(check(), "typenet::softmax_cross_entropy: target[1] is 7, expected a class index below 3", std::invalid_argument);
    const target_error error = softmax_cross_entropy::find_invalid_target<float, 3, 2>(target);
    CHECK(bool(error));
    CHECK(error.sample == 1);
    CHECK(error.value == 7);
}

TEST_CASE("binary_cross_entropy_with_logits: stable form, mean over all elements") {
    const double prediction[] = {0.5, -2, 1e4, -1e4};
    const std::array<std::array<double, 2>, 2> target = {{{1, 0}, {0, 0.25}}};
    double gradient[4];
    const double loss = binary_cross_entropy_with_logits::evaluate<double, 2, 2>(prediction, 2, target, gradient);
    auto sigmoid = [](double z) { return 1 / (1 + std::exp(-z)); };
    const double expected = (-std::log(sigmoid(0.5)) - std::log(1 - sigmoid(-2)) + 1e4 + 0.25 * 1e4) / 4;
    CHECK(loss == doctest::Approx(expected));
    CHECK(gradient[0] == doctest::Approx((sigmoid(0.5) - 1) / 4));
    CHECK(gradient[2] == doctest::Approx(1.0 / 4));
    CHECK(gradient[3] == doctest::Approx(-0.25 / 4));
}
