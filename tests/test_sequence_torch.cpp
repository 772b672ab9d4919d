// Sequence layers against PyTorch (float64): a conv1d (dilated, causal), GRU, dense, LSTM stack loaded from
// a safetensors file PyTorch wrote (state_dict names 0.weight, 2.weight_ih_l0, ...), its outputs from zero
// states and from carried ones, the gradient of a chunk's loss through time, and 50 Adam steps of
// truncated backpropagation through time with the states carried between chunks.
// Data: tests/data/torch_sequence.{safetensors,txt}, made by tools/make_torch_sequence.py; CI only reads it.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include <typenet/io.hpp>
#include <typenet/typenet.hpp>

#include "torch_table.hpp"

namespace {

using Net = typenet::basic_network<double, typenet::input<2>, typenet::conv1d<6, 3, 2>, typenet::tanh, typenet::gru<8>, typenet::dense<5>,
                                   typenet::relu, typenet::lstm<4>, typenet::dense<2>>;
constexpr std::size_t streams = 3, chunk = 8, chunks = 50;

struct reference_data {
    test::table table = test::load_table("data/torch_sequence.txt");
    const test::values& inputs = test::get(table, "inputs");    // [stream][step][2]
    const test::values& targets = test::get(table, "targets");  // [stream][step][2]
    double input(std::size_t stream, std::size_t step, std::size_t k) const { return inputs[(stream * chunk * chunks + step) * 2 + k]; }
    double target(std::size_t stream, std::size_t step, std::size_t k) const {
        return targets[(stream * chunk * chunks + step) * 2 + k];
    }
};

std::unique_ptr<Net> load_torch_model() {
    auto net = std::make_unique<Net>();
    typenet::load_safetensors(*net, std::filesystem::path("data/torch_sequence.safetensors"));
    return net;
}

using trainer_input = std::array<std::array<Net::input_type, chunk>, streams>;
using trainer_target = std::array<std::array<Net::output_type, chunk>, streams>;

void fill_chunk(const reference_data& data, std::size_t k, trainer_input& xs, trainer_target& ys) {
    for (std::size_t s = 0; s < streams; ++s)
        for (std::size_t t = 0; t < chunk; ++t)
            for (std::size_t j = 0; j < 2; ++j) {
                xs[s][t][j] = data.input(s, k * chunk + t, j);
                ys[s][t][j] = data.target(s, k * chunk + t, j);
            }
}

}  // namespace

TEST_CASE("PyTorch's weights load by state_dict name, and the streaming outputs match nn.Conv1d/GRU/LSTM") {
    const reference_data data;
    const auto net = load_torch_model();
    const test::values& chunk0 = test::get(data.table, "outputs chunk0");
    const test::values& chunk1 = test::get(data.table, "outputs chunk1");
    REQUIRE(chunk0.size() == streams * chunk * 2);
    double worst = 0;
    for (std::size_t s = 0; s < streams; ++s) {
        Net::state_type state{};
        for (std::size_t t = 0; t < 2 * chunk; ++t) {
            const Net::input_type x{data.input(s, t, 0), data.input(s, t, 1)};
            const auto y = (*net)(state, x);
            const test::values& expected = t < chunk ? chunk0 : chunk1;
            for (std::size_t o = 0; o < 2; ++o) worst = std::max(worst, std::abs(y[o] - expected[(s * chunk + t % chunk) * 2 + o]));
        }
    }
    MESSAGE("streaming outputs, worst |typenet - PyTorch| ", worst);
    CHECK(worst < 1e-13);
}

TEST_CASE("a mis-declared network refuses PyTorch's file and stays untouched") {
    using Wrong = typenet::basic_network<double, typenet::input<2>, typenet::conv1d<6, 3, 2>, typenet::tanh, typenet::gru<9>,
                                         typenet::dense<5>, typenet::relu, typenet::lstm<4>, typenet::dense<2>>;
    auto wrong = std::make_unique<Wrong>();
    const Wrong before = *wrong;
    try {
        typenet::load_safetensors(*wrong, std::filesystem::path("data/torch_sequence.safetensors"));
        FAIL("loaded a GRU of 8 units into gru<9>");
    } catch (const typenet::io_error& error) {
        const std::string message = error.what();
        INFO(message);
        CHECK(message.find("tensor '2.weight_ih_l0': expected shape [27, 6], found [24, 6]") != std::string::npos);
        CHECK(message.find("2 gru 6->9") != std::string::npos);  // the network as declared
    }
    CHECK(*wrong == before);
}

TEST_CASE("gradient through time and 50 Adam steps of truncated BPTT match PyTorch") {
    const reference_data data;
    auto net = load_torch_model();
    auto xs = std::make_unique<trainer_input>();
    auto ys = std::make_unique<trainer_target>();

    {
        typenet::sequence_trainer<Net, typenet::mse, typenet::sgd, chunk, streams> probe(typenet::sgd{.lr = 0});
        fill_chunk(data, 0, *xs, *ys);
        probe.step(*net, *xs, *ys);
        std::vector<double> gradient(Net::parameter_count);
        probe.get_gradient(std::span<double, Net::parameter_count>(gradient.data(), Net::parameter_count));
        const test::values& expected = test::get(data.table, "gradient");
        REQUIRE(expected.size() == Net::parameter_count);
        double worst = 0;
        for (std::size_t p = 0; p < Net::parameter_count; ++p) worst = std::max(worst, test::relative(gradient[p], expected[p]));
        MESSAGE("gradient of chunk 0 (", Net::parameter_count, " parameters), worst relative error ", worst);
        CHECK(worst < 1e-10);
    }

    typenet::sequence_trainer<Net, typenet::mse, typenet::adam, chunk, streams> trainer(typenet::adam{.lr = 0.01f});
    const test::values& losses = test::get(data.table, "losses");
    REQUIRE(losses.size() == chunks);
    double worst_loss = 0;
    for (std::size_t k = 0; k < chunks; ++k) {
        fill_chunk(data, k, *xs, *ys);
        worst_loss = std::max(worst_loss, test::relative(trainer.step(*net, *xs, *ys), losses[k]));
    }
    std::vector<double> parameters(Net::parameter_count);
    net->get_parameters(std::span<double, Net::parameter_count>(parameters.data(), Net::parameter_count));
    const test::values& expected = test::get(data.table, "final parameters");
    double worst_parameter = 0;
    for (std::size_t p = 0; p < Net::parameter_count; ++p) worst_parameter = std::max(worst_parameter, test::relative(parameters[p], expected[p]));
    MESSAGE("50 Adam steps: worst relative error of the losses ", worst_loss, ", of the final parameters ", worst_parameter);
    CHECK(worst_loss < 1e-11);
    CHECK(worst_parameter < 1e-9);
    CHECK(losses.back() < 0.5 * losses.front());  // the data is learnable: the run means something
}

TEST_CASE("a stateful network travels through typenet's format and keeps its outputs") {
    const auto net = load_torch_model();
    const std::vector<std::byte> bytes = typenet::save(*net);
    auto copy = std::make_unique<Net>();
    typenet::load(*copy, std::span<const std::byte>(bytes));
    CHECK(*copy == *net);
    Net::state_type a{}, b{};
    for (std::size_t t = 0; t < 20; ++t) {
        const Net::input_type x{std::sin(0.1 * double(t)), std::cos(0.3 * double(t))};
        CHECK((*net)(a, x) == (*copy)(b, x));
    }
}

