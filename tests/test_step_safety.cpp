// A training step is all or nothing: a batch whose loss or gradient is not finite, or whose targets the loss
// is not defined for, changes neither the network nor the optimizer state nor the step count, for every
// optimizer, with and without gradient clipping; try_step says so as a value. The optimizer's settings may
// change between steps (a learning-rate schedule).
#include <doctest/doctest.h>

#include <array>
#include <cmath>
#include <cstring>
#include <limits>
#include <memory>
#include <type_traits>
#include <vector>

#include <typenet/typenet.hpp>

using namespace typenet;

namespace {

using Net = network<input<4>, dense<16>, relu, dense<16>, typenet::tanh, dense<2>>;
constexpr std::size_t batch = 4;
constexpr float not_a_number = std::numeric_limits<float>::quiet_NaN();
constexpr float infinity = std::numeric_limits<float>::infinity();

template <class Trainer>
std::vector<unsigned char> state_bytes(const Net& net, const Trainer& trainer, std::size_t moments) {
    std::vector<unsigned char> bytes(sizeof(float) * Net::storage_size * (1 + moments));
    std::memcpy(bytes.data(), net.parameter_block().data(), sizeof(float) * Net::storage_size);
    for (std::size_t m = 0; m < moments; ++m)
        std::memcpy(bytes.data() + sizeof(float) * Net::storage_size * (1 + m), trainer.moment(m).data(),
                    sizeof(float) * Net::storage_size);
    return bytes;
}

std::array<Net::input_type, batch> good_inputs(float shift) {
    std::array<Net::input_type, batch> x{};
    for (std::size_t b = 0; b < batch; ++b)
        for (std::size_t i = 0; i < 4; ++i) x[b][i] = std::sin(float(b * 4 + i) + shift);
    return x;
}
std::array<std::array<float, 2>, batch> targets() { return {{{0.5f, -0.5f}, {1, 0}, {0, 1}, {-1, 0.25f}}}; }

// Runs good, bad, good steps on one trainer and good, good on another: the bad step must leave exactly the
// state it found (bytes), count as skipped, and not shift Adam's bias correction or SGD's first step.
template <class Optimizer>
void check_bad_batch_changes_nothing(Optimizer optimizer, float clip, const std::array<Net::input_type, batch>& bad_x,
                                     step_status expected) {
    constexpr std::size_t moments = std::is_same_v<Optimizer, adam> ? 2 : 1;
    Net net_a, net_b;
    trainer<Net, mse, Optimizer, batch> trainer_a(optimizer), trainer_b(optimizer);
    trainer_a.set_clip_norm(clip);
    trainer_b.set_clip_norm(clip);
    REQUIRE(trainer_a.try_step(net_a, good_inputs(0), targets()).applied());
    REQUIRE(trainer_b.try_step(net_b, good_inputs(0), targets()).applied());
    const std::vector<unsigned char> before = state_bytes(net_a, trainer_a, moments);

    const step_result<float> result = trainer_a.try_step(net_a, bad_x, targets());
    CHECK(result.status == expected);
    CHECK(!result.applied());
    CHECK(!result);
    CHECK(state_bytes(net_a, trainer_a, moments) == before);
    CHECK(trainer_a.steps() == 1);
    CHECK(trainer_a.skipped_steps() == 1);
    CHECK(trainer_a.last_status() == expected);
    // step (not try_step) without a monitor: nothing changes either, and it returns the loss
    const float loss = trainer_a.step(net_a, bad_x, targets());
    CHECK(state_bytes(net_a, trainer_a, moments) == before);
    CHECK(trainer_a.skipped_steps() == 2);
    if (expected == step_status::non_finite_loss) CHECK(!std::isfinite(loss));

    REQUIRE(trainer_a.try_step(net_a, good_inputs(1), targets()).applied());
    REQUIRE(trainer_b.try_step(net_b, good_inputs(1), targets()).applied());
    CHECK(state_bytes(net_a, trainer_a, moments) == state_bytes(net_b, trainer_b, moments));
    CHECK(trainer_a.last_status() == step_status::applied);
}

template <class Optimizer>
void check_optimizer(Optimizer optimizer) {
    for (const float clip : {0.0f, 0.5f}) {
        CAPTURE(clip);
        for (const float bad : {not_a_number, infinity, -infinity}) {
            CAPTURE(bad);
            for (const std::size_t sample : {std::size_t(0), batch - 1}) {
                auto x = good_inputs(2);
                x[sample][1] = bad;
                check_bad_batch_changes_nothing(optimizer, clip, x, step_status::non_finite_loss);
            }
        }
    }
}

}  // namespace

TEST_CASE("a NaN or infinite sample changes nothing: SGD, SGD with momentum, Adam, AdamW, with and without clipping") {
    check_optimizer(sgd{0.05f, 0});
    check_optimizer(sgd{0.05f, 0.9f});
    check_optimizer(adam{});
    check_optimizer(adam{1e-3f, 0.9f, 0.999f, 1e-8f, 0.01f, false});
    check_optimizer(adam{1e-3f, 0.9f, 0.999f, 1e-8f, 0.01f, true});
}

// A finite loss whose gradient overflows: z = x0 - x1 = FLT_MAX - FLT_MAX = 0 is finite, and so is the mse
// loss (z - 100)^2, but d loss / d w0 = 2 (z - 100) x0 = -200 FLT_MAX is -inf.
TEST_CASE("a finite loss with an infinite gradient changes nothing and is reported as such") {
    using Linear = network<input<2>, dense<1>>;
    Linear net;
    net.weight<0>(0, 0) = 1;
    net.weight<0>(0, 1) = -1;
    net.bias<0>(0) = 0;
    const Linear before = net;
    constexpr float largest = std::numeric_limits<float>::max();
    const std::array<Linear::input_type, 1> x{{{largest, largest}}};
    const std::array<std::array<float, 1>, 1> y{{{100}}};
    for (const float clip : {0.0f, 1.0f}) {
        trainer<Linear, mse, adam, 1> trainer;
        trainer.set_clip_norm(clip);
        const step_result<float> result = trainer.try_step(net, x, y);
        CHECK(result.status == step_status::non_finite_gradient);
        CHECK(result.loss == doctest::Approx(1e4));
        CHECK(net == before);
        CHECK(trainer.steps() == 0);
        for (float value : trainer.moment(0)) CHECK(value == 0);
        for (float value : trainer.moment(1)) CHECK(value == 0);
    }
}

TEST_CASE("invalid targets: try_step reports them, step and loss throw, nothing changes") {
    using Classifier = network<input<4>, dense<8>, relu, dense<3>>;
    Classifier net;
    const Classifier before = net;
    trainer<Classifier, softmax_cross_entropy, adam, 2> trainer;
    const std::array<Classifier::input_type, 2> x{{{1, 2, 3, 4}, {0, 0, 1, 0}}};
    const step_result<float> result = trainer.try_step(net, x, {1, 3});
    CHECK(result.status == step_status::invalid_target);
    CHECK(std::isnan(result.loss));
    CHECK(trainer.last_target_error().sample == 1);
    CHECK(trainer.last_target_error().value == 3);
    CHECK_THROWS_WITH_AS(trainer.step(net, x, {1, 3}), "typenet::softmax_cross_entropy: target[1] is 3, expected a class index below 3",
                         std::invalid_argument);
    CHECK_THROWS_AS(trainer.loss(net, x, {7, 0}), std::invalid_argument);
    CHECK(net == before);
    CHECK(trainer.steps() == 0);

    using Binary = network<input<4>, dense<8>, relu, dense<2>>;
    Binary binary;
    const Binary binary_before = binary;
    typenet::trainer<Binary, binary_cross_entropy_with_logits, sgd, 2> binary_trainer;
    const std::array<Binary::input_type, 2> bx{{{1, 2, 3, 4}, {0, 0, 1, 0}}};
    const std::array<std::array<float, 2>, 2> bad_target{{{0, 1}, {1, 1.5f}}};
    CHECK(binary_trainer.try_step(binary, bx, bad_target).status == step_status::invalid_target);
    CHECK(binary_trainer.last_target_error().sample == 1);
    CHECK(binary_trainer.last_target_error().output == 1);
    CHECK_THROWS_WITH_AS(binary_trainer.step(binary, bx, bad_target),
                         "typenet::binary_cross_entropy_with_logits: target[1][1] is 1.5, expected a probability in [0, 1]",
                         std::invalid_argument);
    CHECK(binary == binary_before);
    // A NaN target is not rejected: it makes the loss NaN, and the step is skipped as non-finite.
    const std::array<std::array<float, 2>, 2> nan_target{{{0, 1}, {1, not_a_number}}};
    CHECK(binary_trainer.try_step(binary, bx, nan_target).status == step_status::non_finite_loss);
    CHECK(binary == binary_before);
}

TEST_CASE("the losses check their targets when called directly") {
    const float prediction[4] = {0.1f, 0.2f, 0.3f, 0.4f};
    float gradient[4];
    CHECK_THROWS_AS((softmax_cross_entropy::evaluate<float, 2, 2>(prediction, 2, {0, 2}, gradient)), std::invalid_argument);
    CHECK_THROWS_AS((binary_cross_entropy_with_logits::evaluate<float, 2, 2>(prediction, 2, {{{0, 1}, {-0.5f, 1}}}, gradient)),
                    std::invalid_argument);
    CHECK(!binary_cross_entropy_with_logits::find_invalid_target<float, 2, 2>({{{0, 1}, {0.5f, 1}}}));
    const target_error error = softmax_cross_entropy::find_invalid_target<float, 2, 2>({0, 9});
    CHECK(bool(error));
    CHECK(error.sample == 1);
    CHECK(error.value == 9);
}

TEST_CASE("with a gradient_monitor, step throws divergence_error before the update and try_step reports a value") {
    Net net;
    trainer<Net, mse, adam, batch, gradient_monitor> trainer;  // default-constructible with the monitor
    REQUIRE(trainer.try_step(net, good_inputs(0), targets()).applied());
    const std::vector<unsigned char> before = state_bytes(net, trainer, 2);
    auto x = good_inputs(1);
    x[2][0] = not_a_number;
    CHECK_THROWS_AS(trainer.step(net, x, targets()), divergence_error);
    CHECK(trainer.try_step(net, x, targets()).status == step_status::non_finite_loss);
    CHECK(state_bytes(net, trainer, 2) == before);
    CHECK(trainer.monitor().recorded() == 1);
}

TEST_CASE("a learning-rate schedule: settings changed between steps drive the next update, state and count kept") {
    Net net;
    trainer<Net, mse, sgd, batch> trainer(sgd{.lr = 0.5f, .momentum = 0});
    REQUIRE(trainer.try_step(net, good_inputs(0), targets()).applied());
    trainer.optimizer().lr = 0.01f;
    CHECK(trainer.optimizer().lr == 0.01f);
    const std::vector<float> before(net.parameter_block().begin(), net.parameter_block().end());
    REQUIRE(trainer.try_step(net, good_inputs(1), targets()).applied());
    CHECK(trainer.steps() == 2);
    // Plain SGD: p <- p - lr g, with the new lr and the gradient of this step.
    const auto gradient = trainer.buffers().gradient();
    std::size_t mismatches = 0, moved = 0;
    for (std::size_t i = 0; i < Net::storage_size; ++i) {
        const float expected = before[i] - 0.01f * gradient[i];
        mismatches += std::abs(net.parameter_block()[i] - expected) > 1e-6f * (1 + std::abs(expected));
        moved += net.parameter_block()[i] != before[i];
    }
    CHECK(mismatches == 0);
    CHECK(moved > 0);
}

TEST_CASE("a trainer is neither copied nor moved: a moved-from trainer cannot exist") {
    using Trainer = trainer<Net, mse, adam, batch>;
    static_assert(!std::is_move_constructible_v<Trainer> && !std::is_move_assignable_v<Trainer>);
    static_assert(!std::is_copy_constructible_v<Trainer> && !std::is_copy_assignable_v<Trainer>);
    static_assert(!std::is_move_constructible_v<workspace<Net, batch>>);
    static_assert(std::is_default_constructible_v<typenet::trainer<Net, mse, adam, batch, gradient_monitor>>);
    // What to do instead: hold it by pointer.
    std::unique_ptr<Trainer> owner = std::make_unique<Trainer>();
    std::unique_ptr<Trainer> moved = std::move(owner);
    Net net;
    CHECK(moved->try_step(net, good_inputs(0), targets()).applied());
}

TEST_CASE("accessors check their indices in every build, NDEBUG included") {
    Net net;
    CHECK_THROWS_WITH_AS(net.weight<0>(16, 0), "typenet: weight(16, 0) is out of range: the tensor is [16, 4] (out, in)",
                         std::out_of_range);
    CHECK_THROWS_AS(net.weight<0>(0, 4), std::out_of_range);
    CHECK_THROWS_AS(std::as_const(net).weight<2>(0, 16), std::out_of_range);
    CHECK_THROWS_WITH_AS(net.bias<4>(2), "typenet: bias index 2 is out of range: the tensor has 2 elements", std::out_of_range);
    CHECK_THROWS_AS((net.parameter_tensor<0, 0>()[64]), std::out_of_range);
    CHECK_NOTHROW(net.weight<4>(1, 15));
    trainer<Net, mse, sgd, batch> trainer;
    trainer.try_step(net, good_inputs(0), targets());
    CHECK_THROWS_AS(trainer.weight_gradient<0>(0, 9), std::out_of_range);
    CHECK_THROWS_AS(trainer.bias_gradient<4>(2), std::out_of_range);
#ifdef NDEBUG
    MESSAGE("checked with NDEBUG");
#endif
}

TEST_CASE("a network constructed at an address not aligned to alignof(Net) is reported") {
    static_assert(alignof(Net) == 64);
    alignas(64) unsigned char arena[sizeof(Net) + 64];
    CHECK_THROWS_WITH_AS(new (arena + 16) Net, doctest::Contains("is not aligned to 64 bytes (alignof(Net))"), std::invalid_argument);
    Net* placed = new (arena + 64 - 64) Net;  // an aligned slot works
    CHECK(placed->is_aligned());
    placed->~Net();
    CHECK(std::make_unique<Net>()->is_aligned());
    std::vector<Net> many(3);
    for (const Net& n : many) CHECK(n.is_aligned());
}
