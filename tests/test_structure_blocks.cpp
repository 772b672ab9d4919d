// structure/gated.hpp, parallel.hpp, sequential.hpp: against the scalar reference (single samples,
// batches, streams) and their gradients against finite differences (trainer and sequence_trainer, double);
// compile-time widths and state_dict names.
#include <doctest/doctest.h>

#include <memory>
#include <span>
#include <string>
#include <vector>

#include <typenet/io.hpp>
#include <typenet/typenet.hpp>

#include "sequence_gradient_check.hpp"
#include "structure_check.hpp"

using namespace typenet;

namespace {

// WaveNet's gated unit after a layer of twice the width; with other activations; odd halves.
template <class T>
using gated_net = basic_network<T, input<4>, dense<10>, gated<>, dense<6>, gated<relu, typenet::tanh>, dense<2>>;
// Sums and concatenations of plain layers, sequential branches and a residual block.
template <class T>
using parallel_net = basic_network<T, input<5>, parallel<concat, dense<3>, sequential<dense<4>, relu, dense<2>>, residual<dense<5>>>, relu,
                                   parallel<sum, dense<6>, sequential<dense<7>, typenet::tanh, dense<6>>>, sigmoid, dense<2>>;
template <class T>
using sequential_net = basic_network<T, input<3>, sequential<dense<5>, relu, dense<4>>, sequential<sequential<dense<4>>, gelu>, dense<1>>;
// A gated residual block (WaveNet's layer without the condition) and a parallel block of convolutions.
template <class T>
using wavenet_like = basic_network<T, input<2>, dense<4>,
                                   residual<conv1d<8, 2, 1>, gated<>, dense<4>>, residual<conv1d<8, 2, 2>, gated<>, dense<4>>,
                                   parallel<sum, conv1d<3, 3, 1>, sequential<conv1d<3, 2, 4>, typenet::tanh>>, dense<1>>;

}  // namespace

TEST_CASE("gated, parallel and sequential blocks against the scalar reference") {
    auto check = [](auto net) {
        test::randomize(*net, 11);
        return test::reference_error(*net);
    };
    CHECK(check(std::make_unique<gated_net<float>>()) < 2e-6);
    CHECK(check(std::make_unique<gated_net<double>>()) < 1e-13);
    CHECK(check(std::make_unique<parallel_net<float>>()) < 2e-6);
    CHECK(check(std::make_unique<parallel_net<double>>()) < 1e-13);
    CHECK(check(std::make_unique<sequential_net<float>>()) < 2e-6);
    static_assert(gated_net<float>::plan::widths[2] == 5 && parallel_net<float>::plan::widths[1] == 3 + 2 + 5);
    static_assert(parallel_net<float>::residual_branch_count == 1 && wavenet_like<float>::residual_branch_count == 2);
}

TEST_CASE("gated, parallel and sequential gradients match finite differences (trainer, double)") {
    auto check = [](double error, const char* what) {
        INFO(what, ": worst relative error ", error);
        CHECK(error < 1e-6);
    };
    check(test::structure_gradient_error<gated_net<double>>(), "gated units");
    check(test::structure_gradient_error<parallel_net<double>>(), "parallel sums and concatenations");
    check(test::structure_gradient_error<sequential_net<double>>(), "sequential blocks");
}

// A parallel block runs its branches one after another in the same scratch: a later branch must not leave
// anything an earlier one reads on the next pass (dense's backward once took a zero bias from its workspace,
// which the sequential branch after it had overwritten: every step but the first added it to d loss / d x).
TEST_CASE("a parallel block's gradient does not depend on the passes before it") {
    using Net = basic_network<double, input<5>, dense<5>, parallel<concat, dense<4>, sequential<dense<6>, relu, dense<3>>>, dense<2>>;
    auto net = std::make_unique<Net>();
    test::randomize(*net, 13);
    trainer<Net, mse, sgd, 8> tr(sgd{.lr = 0});
    random_stream stream(13, 5);
    decltype(tr)::input_batch x;
    decltype(tr)::target_batch y;
    for (auto& row : x)
        for (auto& value : row) value = stream.symmetric_uniform();
    for (auto& row : y)
        for (auto& value : row) value = stream.symmetric_uniform();
    std::vector<double> first(Net::parameter_count), again(Net::parameter_count);
    tr.step(*net, x, y);
    tr.get_gradient(std::span<double, Net::parameter_count>(first.data(), Net::parameter_count));
    tr.step(*net, x, y);
    tr.get_gradient(std::span<double, Net::parameter_count>(again.data(), Net::parameter_count));
    CHECK(first == again);
}

TEST_CASE("a gated convolutional network streams as the reference and trains through time") {
    auto net = std::make_unique<wavenet_like<float>>();
    test::randomize(*net, 5);
    wavenet_like<float>::state_type state{};
    reference::state<wavenet_like<float>> reference_state;
    random_stream stream(3, 3);
    double worst = 0;
    for (int t = 0; t < 30; ++t) {
        wavenet_like<float>::input_type x{float(stream.symmetric_uniform()), float(stream.symmetric_uniform())};
        const auto y = (*net)(state, x);
        const auto r = reference::step(*net, reference_state, std::span<const float, 2>(x));
        worst = std::max(worst, std::abs(double(y[0]) - r[0]));
    }
    CHECK(worst < 2e-6);
    test::check_sequence_gradients<wavenet_like<double>>("gated residual convolutions and a parallel sum");
}

TEST_CASE("state_dict names: parallel branches I.B, sequential layers I.J") {
    using plan = parallel_net<float>::plan;
    CHECK(plan::tensor<0, 0>::name == "0.weight");
    CHECK(plan::tensor<0, 2>::name == "1.0.weight");
    CHECK(plan::tensor<0, 4>::name == "1.2.weight");
    CHECK(plan::tensor<0, 6>::name == "2.0.weight");
    const auto table = detail::tensor_table<sequential_net<float>>();
    CHECK(table[0].name == "0.0.weight");
    CHECK(table[4].name == "1.0.0.weight");
    const std::string text = summary<parallel_net<float>>();
    INFO(text);
    CHECK(text.find("parallel") != std::string::npos);
    CHECK(text.find("         0.1.2 dense  (2)") != std::string::npos);
}
