// The hot path allocates nothing: forward is const and uses stack buffers only (reentrancy, many threads on
// one network: test_threads.cpp).
#include "forward_check.hpp"

#include <atomic>
#include <cmath>
#include <cstdlib>
#include <new>
#include <span>
#include <vector>

#include "allocation_counter.hpp"

using namespace typenet;
using Net = network<input<16>, dense<64>, relu, dense<64>, typenet::tanh, dense<8>, sigmoid>;

TEST_CASE("the allocation counter sees allocations") {
    const long before = allocations;
    auto p = std::make_unique<int>(1);
    CHECK(allocations == before + 1);
}

TEST_CASE("forward, operator() and forward_batch allocate nothing") {
    auto net = std::make_unique<Net>();
    auto batch_in = std::make_unique<std::array<Net::input_type, 50>>();
    auto batch_out = std::make_unique<std::array<Net::output_type, 50>>();
    const auto x = test::random_input<Net>(1);
    Net::output_type y;
    float checksum = 0;
    const long before = allocations;
    for (int i = 0; i < 100; ++i) {
        net->forward(x, y);
        checksum += net->operator()(x)[0] + y[1];
        net->forward_batch(*batch_in, *batch_out);
        checksum += (*batch_out)[49][7];
    }
    CHECK(allocations == before);
    CHECK(std::isfinite(checksum));
}

TEST_CASE("streaming allocates nothing: forward(state, x, y), forward_sequence, forward_batch over streams, sequence_trainer::step") {
    using Stream = typenet::network<typenet::input<2>, typenet::conv1d<4, 3, 2>, typenet::tanh, typenet::gru<8>, typenet::dense<3>,
                                    typenet::lstm<4>, typenet::dense<1>>;
    auto net = std::make_unique<Stream>();
    std::vector<Stream::state_type> states(11);
    std::vector<Stream::input_type> xs(11, Stream::input_type{0.5f, -0.25f});
    std::vector<Stream::output_type> ys(11);
    typenet::sequence_trainer<Stream, typenet::mse, typenet::adam, 8, 3> trainer;
    auto chunk = std::make_unique<decltype(trainer)::input_sequences>();
    auto targets = std::make_unique<decltype(trainer)::target_sequences>();
    Stream::state_type state{};
    float checksum = 0;
    const long before = allocations;
    for (int i = 0; i < 20; ++i) {
        Stream::output_type y;
        net->forward(state, xs[0], y);
        checksum += y[0];
        net->forward_sequence(state, xs, ys);
        net->forward_batch(std::span<Stream::state_type>(states), std::span<const Stream::input_type>(xs), std::span<Stream::output_type>(ys));
        checksum += ys[10][0] + trainer.step(*net, *chunk, *targets);
    }
    CHECK(allocations == before);
    CHECK(std::isfinite(checksum));
}

TEST_CASE("trainer::step and trainer::loss allocate nothing; the network carries no training state") {
    static_assert(sizeof(Net) == Net::storage_size * sizeof(float));
    auto net = std::make_unique<Net>();
    trainer<Net, softmax_cross_entropy, adam, 16> adam_trainer(adam{.lr = 1e-3f, .weight_decay = 0.01f});
    trainer<Net, mse, sgd, 7> sgd_trainer(sgd{.lr = 1e-2f, .momentum = 0.9f});
    adam_trainer.set_clip_norm(1.0f);
    auto x16 = std::make_unique<decltype(adam_trainer)::input_batch>();
    auto y16 = std::make_unique<decltype(adam_trainer)::target_batch>();
    auto x7 = std::make_unique<decltype(sgd_trainer)::input_batch>();
    auto y7 = std::make_unique<decltype(sgd_trainer)::target_batch>();
    for (std::size_t b = 0; b < 16; ++b) {
        (*x16)[b] = test::random_input<Net>(b);
        (*y16)[b] = b % Net::output_size;
    }
    for (std::size_t b = 0; b < 7; ++b) (*x7)[b] = test::random_input<Net>(b);
    float total = 0;
    const long before = allocations;
    for (int i = 0; i < 20; ++i) {
        total += adam_trainer.step(*net, *x16, *y16);
        total += sgd_trainer.step(*net, *x7, *y7);
        total += adam_trainer.loss(*net, *x16, *y16);
    }
    CHECK(allocations == before);
    CHECK(std::isfinite(total));
}

TEST_CASE("combinators allocate nothing: forward, batches, streaming and both trainers through residual, parallel, gated blocks") {
    using Blocks = network<input<8>, residual<dense<8>, relu, dense<8>>, relu, parallel<concat, dense<4>, sequential<dense<8>, gated<>>>,
                           residual_projection<dense<4>, dense<6>, typenet::tanh, dense<4>>, dense<2>>;
    using Tcn = network<input<2>, residual_projection<conv1d<4, 1>, conv1d<8, 2, 1>, gated<>>, residual<skip_init, conv1d<4, 2, 2>, gru<4>>,
                        dense<1>>;
    auto net = std::make_unique<Blocks>();
    auto tcn = std::make_unique<Tcn>();
    auto batch_in = std::make_unique<std::array<Blocks::input_type, 40>>();
    auto batch_out = std::make_unique<std::array<Blocks::output_type, 40>>();
    trainer<Blocks, mse, adam, 9> block_trainer;
    auto x9 = std::make_unique<decltype(block_trainer)::input_batch>();
    auto y9 = std::make_unique<decltype(block_trainer)::target_batch>();
    sequence_trainer<Tcn, mse, adam, 8, 3> tcn_trainer;
    auto chunk = std::make_unique<decltype(tcn_trainer)::input_sequences>();
    auto targets = std::make_unique<decltype(tcn_trainer)::target_sequences>();
    std::vector<Tcn::state_type> states(9);
    std::vector<Tcn::input_type> xs(9, Tcn::input_type{0.5f, -0.25f});
    std::vector<Tcn::output_type> ys(9);
    Tcn::state_type state{};
    float checksum = 0;
    const long before = allocations;
    for (int i = 0; i < 10; ++i) {
        checksum += (*net)((*batch_in)[0])[0];
        net->forward_batch(*batch_in, *batch_out);
        checksum += (*batch_out)[39][1] + block_trainer.step(*net, *x9, *y9);
        checksum += (*tcn)(state, xs[0])[0];
        tcn->forward_sequence(state, xs, ys);
        tcn->forward_batch(std::span<Tcn::state_type>(states), std::span<const Tcn::input_type>(xs), std::span<Tcn::output_type>(ys));
        checksum += ys[8][0] + tcn_trainer.step(*tcn, *chunk, *targets);
    }
    CHECK(allocations == before);
    CHECK(std::isfinite(checksum));
}
