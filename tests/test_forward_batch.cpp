// forward_batch<B>: register tiles of several samples and cache tiles of up to 32, any B.
// Compiled once per scalar type (TYPENET_TEST_SCALAR), so the two halves build in parallel.
#include "forward_check.hpp"

#include <stdexcept>
#include <vector>

#ifndef TYPENET_TEST_SCALAR
#error "define TYPENET_TEST_SCALAR (float or double)"
#endif

using namespace typenet;

template <class Net, std::size_t B>
void check_batch() {
    using T = typename Net::value_type;
    auto net = std::make_unique<Net>();
    net->initialize(B);
    auto x = std::make_unique<std::array<typename Net::input_type, B>>();
    auto y = std::make_unique<std::array<typename Net::output_type, B>>();
    for (std::size_t b = 0; b < B; ++b) (*x)[b] = test::random_input<Net>(b);
    net->forward_batch(*x, *y);
    double worst = 0;
    for (std::size_t b = 0; b < B; ++b) {
        const auto expected = reference::forward(*net, std::span<const T, Net::input_size>((*x)[b]));
        for (std::size_t o = 0; o < Net::output_size; ++o)
            worst = std::max(worst, std::abs((*y)[b][o] - expected[o]) / std::max(1.0, std::abs(expected[o])));
    }
    INFO("batch ", B);
    CHECK(worst <= test::forward_tolerance<T>);
}

// The same through the run-time-sized overload (std::span): cache tiles, tiles of 8, single rows.
template <class Net>
void check_runtime_batch(std::size_t count) {
    using T = typename Net::value_type;
    auto net = std::make_unique<Net>();
    net->initialize(count + 1);
    std::vector<typename Net::input_type> x(count);
    std::vector<typename Net::output_type> y(count);
    for (std::size_t b = 0; b < count; ++b) x[b] = test::random_input<Net>(b + 7);
    net->forward_batch(std::span<const typename Net::input_type>(x), std::span<typename Net::output_type>(y));
    double worst = 0;
    for (std::size_t b = 0; b < count; ++b) {
        const auto expected = reference::forward(*net, std::span<const T, Net::input_size>(x[b]));
        for (std::size_t o = 0; o < Net::output_size; ++o)
            worst = std::max(worst, std::abs(y[b][o] - expected[o]) / std::max(1.0, std::abs(expected[o])));
    }
    INFO("run-time batch ", count);
    CHECK(worst <= test::forward_tolerance<T>);
}

template <class Net>
void check_batches() {
    for (std::size_t count : {0, 1, 7, 8, 9, 31, 32, 33, 70}) check_runtime_batch<Net>(count);
    check_batch<Net, 1>();
    check_batch<Net, 3>();
    check_batch<Net, 4>();
    check_batch<Net, 5>();
    check_batch<Net, 32>();
    check_batch<Net, 37>();
    check_batch<Net, 100>();
}

// Only the branch of the scalar under test is instantiated.
template <class T>
void check_all_batches() {
    if constexpr (std::is_same_v<T, float>) {
        check_batches<network<input<8>, dense<32>, typenet::tanh, dense<32>, typenet::tanh, dense<1>>>();
        check_batches<network<input<16>, dense<64>, relu, dense<64>, relu, dense<8>>>();
        check_batches<network<input<128>, dense<256>, relu, dense<256>, relu, dense<10>>>();
        check_batches<network<input<7>, dense<17>, sigmoid, dense<33>, gelu, dense<3>, selu>>();
        check_batches<deep_network<input<9>, repeat<8, dense<17>, typenet::tanh>, dense<3>>>();  // kernels out of line
    } else {
        check_batches<basic_network<double, input<8>, dense<32>, typenet::tanh, dense<32>, typenet::tanh, dense<1>>>();
        check_batches<basic_network<double, input<7>, dense<17>, leaky_relu<>, dense<65>, gelu, dense<3>, selu>>();
        check_batches<basic_network<double, input<128>, dense<256>, relu, dense<10>>>();
    }
}

TEST_CASE("batches of every size against the reference") { check_all_batches<TYPENET_TEST_SCALAR>(); }

TEST_CASE("a run-time batch whose input and output spans differ in length is rejected") {
    using Net = basic_network<TYPENET_TEST_SCALAR, input<4>, dense<3>>;
    auto net = std::make_unique<Net>();
    std::vector<Net::input_type> x(5);
    std::vector<Net::output_type> y(4, Net::output_type{});
    CHECK_THROWS_WITH_AS(net->forward_batch(std::span<const Net::input_type>(x), std::span<Net::output_type>(y)),
                         "typenet::basic_network::forward_batch: 5 inputs but room for 4 outputs; the two spans must have the same length",
                         std::invalid_argument);
    for (const auto& row : y) CHECK(row == Net::output_type{});  // nothing written
}
