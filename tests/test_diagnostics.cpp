// diagnostics.hpp, monitor.hpp, lsuv.hpp, repeat.hpp: statistics against direct computations from the scalar
// reference forward and the trainer's (finite-difference-checked) gradients; dead and saturated units
// planted on purpose; the monitor's divergence stop; LSUV's tolerance; SELU's self-normalization.
// 30-layer networks: let the compiler decide what to inline (see examples/depth_sweep.cpp); the kernels
// themselves are tested, force-inlined, by test_forward*, test_forward_batch and test_trainer_*.
#ifndef TYPENET_NO_FORCE_INLINE  // the sanitizer build sets it for everything
#define TYPENET_NO_FORCE_INLINE
#endif
#include <doctest/doctest.h>

#include <cmath>
#include <limits>
#include <memory>

#include <typenet/typenet.hpp>

using namespace typenet;

namespace {

template <class Net, std::size_t Batch>
std::array<typename Net::input_type, Batch> normal_batch(std::uint64_t seed, double scale = 1) {
    std::array<typename Net::input_type, Batch> x;
    random_stream stream(seed, 99);
    for (auto& row : x)
        for (auto& v : row) v = typename Net::value_type(scale * stream.normal());
    return x;
}

}  // namespace

static_assert(std::is_same_v<deep_network<input<4>, repeat<2, dense<3>, relu>, dense<1>>,
                             network<input<4>, dense<3>, relu, dense<3>, relu, dense<1>>>);
static_assert(basic_deep_network<double, input<8>, repeat<30, dense<8>, typenet::tanh>>::layer_count == 60);

TEST_CASE("diagnose: forward statistics equal those of the scalar reference forward") {
    using Net = basic_network<double, input<5>, dense<7>, typenet::tanh, dense<3>, relu>;
    Net net;
    net.initialize(3);
    const auto x = normal_batch<Net, 11>(1);
    const auto report = diagnose(net, x);
    // Outputs of the last layer (relu) and of the tanh layer, recomputed by the oracle.
    using Hidden = basic_network<double, input<5>, dense<7>, typenet::tanh>;
    Hidden hidden;
    for (std::size_t o = 0; o < 7; ++o) {
        hidden.bias<0>(o) = net.bias<0>(o);
        for (std::size_t k = 0; k < 5; ++k) hidden.weight<0>(o, k) = net.weight<0>(o, k);
    }
    double sum = 0, squares = 0, out_sum = 0, out_squares = 0;
    for (const auto& row : x) {
        for (double h : reference::forward(hidden, row)) sum += h, squares += h * h;
        for (double y : reference::forward(net, row)) out_sum += y, out_squares += y * y;
    }
    CHECK(report[1].layer == "tanh");
    CHECK(report[1].width == 7);
    CHECK(report[1].mean == doctest::Approx(sum / 77).epsilon(1e-12));
    CHECK(report[1].second_moment == doctest::Approx(squares / 77).epsilon(1e-12));
    CHECK(report[1].variance == doctest::Approx(squares / 77 - (sum / 77) * (sum / 77)).epsilon(1e-10));
    CHECK(report[3].layer == "relu");
    CHECK(report[3].mean == doctest::Approx(out_sum / 33).epsilon(1e-12));
    CHECK(report[3].second_moment == doctest::Approx(out_squares / 33).epsilon(1e-12));
}

TEST_CASE("diagnose<Loss>: backward statistics are those of the trainer's gradients") {
    using Net = basic_network<double, input<6>, dense<9>, relu, dense<4>>;
    Net net;
    net.initialize(5);
    const auto x = normal_batch<Net, 8>(2);
    std::array<std::array<double, 4>, 8> y;
    random_stream stream(4, 4);
    for (auto& row : y)
        for (auto& v : row) v = stream.normal();
    const auto report = diagnose<mse>(net, x, y);

    trainer<Net, mse, sgd, 8> reference_trainer(sgd{.lr = 0});
    Net copy = net;
    reference_trainer.step(copy, x, y);
    double w0 = 0, w2 = 0;
    for (std::size_t o = 0; o < 9; ++o)
        for (std::size_t k = 0; k < 6; ++k) w0 += std::pow(reference_trainer.weight_gradient<0>(o, k), 2);
    for (std::size_t o = 0; o < 4; ++o)
        for (std::size_t k = 0; k < 9; ++k) w2 += std::pow(reference_trainer.weight_gradient<2>(o, k), 2);
    CHECK(report[0].weight_gradient_norm == doctest::Approx(std::sqrt(w0)).epsilon(1e-12));
    CHECK(report[2].weight_gradient_norm == doctest::Approx(std::sqrt(w2)).epsilon(1e-12));
    CHECK(report[1].weight_gradient_norm == 0);

    // d mse / d prediction = 2 (prediction - y) / (batch * outputs), from the reference forward.
    double output_gradient = 0;
    for (std::size_t b = 0; b < 8; ++b) {
        const auto prediction = reference::forward(net, x[b]);
        for (std::size_t o = 0; o < 4; ++o) output_gradient += std::pow(2 * (prediction[o] - y[b][o]) / 32, 2);
    }
    CHECK(report[2].output_gradient_norm == doctest::Approx(std::sqrt(output_gradient)).epsilon(1e-12));
}

TEST_CASE("diagnose: dead ReLU units and saturated tanh units planted on purpose are counted") {
    using Net = network<input<8>, dense<20>, relu, dense<10>, typenet::tanh>;
    Net net;
    net.initialize(1);
    for (std::size_t o = 0; o < 5; ++o) net.bias<0>(o) = -1000.0f;  // 5 of 20 relu units never fire
    for (std::size_t o = 0; o < 3; ++o) net.bias<2>(o) = 1000.0f;   // 3 of 10 tanh units pinned at 1
    const auto report = diagnose(net, normal_batch<Net, 64>(3));
    CHECK(report[1].dead_fraction == doctest::Approx(0.25));
    // Units 3..9 may saturate by chance only rarely; 3 of 10 always do.
    CHECK(report[3].saturated_fraction >= 0.3);
    CHECK(report[3].saturated_fraction < 0.4);
    CHECK(report[3].dead_fraction == 0);
    const std::string table = to_table(report);
    CHECK(table.find("relu") != std::string::npos);
    CHECK(table.find("25.0%") != std::string::npos);
}

TEST_CASE("assess: flags a mis-scaled deep ReLU net and suggests He; passes He") {
    using Deep = deep_network<input<64>, repeat<12, dense<64>, relu>>;
    auto net = std::make_unique<Deep>();
    const auto x = normal_batch<Deep, 128>(7);
    net->initialize_as<glorot_uniform>(1);
    const auto glorot = assess<Deep>(diagnose(*net, x));
    CHECK(glorot.forward == signal_trend::vanishing);
    CHECK(glorot.backward == signal_trend::vanishing);
    CHECK(glorot.suggested_initializer == "he_uniform");
    CHECK(glorot.explanation.find("he_uniform") != std::string::npos);
    net->initialize_as<normal<0.0, 1.0>>(1);
    const auto exploding = assess<Deep>(diagnose(*net, x));
    CHECK(exploding.forward == signal_trend::exploding);
    net->initialize_as<he_uniform>(1);
    const auto he = assess<Deep>(diagnose(*net, x));
    CHECK_MESSAGE(he.healthy(), he.explanation);
}

TEST_CASE("gradient_monitor records every step's gradient norm; divergence stops before the update") {
    using Net = network<input<3>, dense<8>, relu, dense<2>>;
    Net net;
    net.initialize(2);
    trainer<Net, mse, sgd, 4, gradient_monitor> tr(sgd{.lr = 0.01f}, gradient_monitor(3));
    const auto x = normal_batch<Net, 4>(5);
    std::array<std::array<float, 2>, 4> y{};
    for (int s = 0; s < 5; ++s) tr.step(net, x, y);
    const auto history = tr.monitor().history();
    REQUIRE(history.size() == 3);  // a ring of capacity 3
    CHECK(history.front().step == 3);
    CHECK(history.back().step == 5);
    // The recorded norm is the gradient's: recompute the last one from the exposed gradients.
    double squares = 0;
    for (std::size_t o = 0; o < 8; ++o) {
        squares += std::pow(double(tr.bias_gradient<0>(o)), 2);
        for (std::size_t k = 0; k < 3; ++k) squares += std::pow(double(tr.weight_gradient<0>(o, k)), 2);
    }
    for (std::size_t o = 0; o < 2; ++o) {
        squares += std::pow(double(tr.bias_gradient<2>(o)), 2);
        for (std::size_t k = 0; k < 8; ++k) squares += std::pow(double(tr.weight_gradient<2>(o, k)), 2);
    }
    CHECK(history.back().gradient_norm == doctest::Approx(std::sqrt(squares)).epsilon(1e-5));

    const Net before = net;
    y[1][0] = std::numeric_limits<float>::quiet_NaN();
    try {
        tr.step(net, x, y);
        FAIL("a NaN loss must stop training");
    } catch (const divergence_error& error) {
        CHECK(error.step() == 6);
        CHECK(std::string(error.what()).find("step 6") != std::string::npos);
        CHECK(std::string(error.what()).find("loss") != std::string::npos);
    }
    CHECK(net == before);
    CHECK(tr.steps() == 5);

    y[1][0] = 0;
    net.weight<0>(0, 0) = std::numeric_limits<float>::infinity();  // a finite loss is impossible now: inf or NaN
    CHECK_THROWS_AS(tr.step(net, x, y), divergence_error);
    CHECK(tr.steps() == 5);
}

TEST_CASE("no_monitor costs nothing: the trainer's size does not change") {
    using Net = network<input<3>, dense<2>>;
    static_assert(sizeof(trainer<Net, mse, sgd, 4>) == sizeof(trainer<Net, mse, sgd, 4, no_monitor>));
    static_assert(sizeof(trainer<Net, mse, sgd, 4, no_monitor>) < sizeof(trainer<Net, mse, sgd, 4, gradient_monitor>));
    CHECK(!no_monitor::enabled);
}

TEST_CASE("LSUV: every dense layer's output variance within tolerance; 30-layer ReLU net calibrated") {
    using Deep = deep_network<input<32>, repeat<30, dense<64>, relu>, dense<4>>;
    auto net = std::make_unique<Deep>();
    const auto x = normal_batch<Deep, 256>(11, 3.0);  // badly scaled input: LSUV adapts to it
    const auto report = lsuv_initialize(*net, x, 5);
    const auto stats = diagnose(*net, x);
    std::size_t dense_layers = 0;
    for (std::size_t i = 0; i < Deep::layer_count; ++i) {
        if (!report[i].has_weights) continue;
        ++dense_layers;
        CAPTURE(i);
        CHECK(report[i].converged);
        CHECK(report[i].iterations <= 10);
        CHECK(std::abs(stats[i].variance - 1) < 0.1);  // measured independently, after the whole pass
    }
    CHECK(dense_layers == 31);
    CHECK(assess<Deep>(stats).forward == signal_trend::healthy);
}

TEST_CASE("SELU + lecun_normal is self-normalizing over 30 layers (Klambauer et al. 2017)") {
    using Deep = deep_network<input<128>, repeat<30, dense<128, lecun_normal>, selu>>;
    auto net = std::make_unique<Deep>();
    net->initialize(3);
    const auto report = diagnose(*net, normal_batch<Deep, 256>(13));  // 32 768 values per layer: mean and variance to about 0.01
    for (std::size_t block = 1; block <= 30; ++block) {
        const auto& s = report[2 * block - 1];
        CAPTURE(block);
        CHECK(std::abs(s.mean) < 0.1);
        CHECK(std::abs(s.variance - 1) < 0.15);
    }
}
