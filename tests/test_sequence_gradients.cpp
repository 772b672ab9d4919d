// Training through time: sequence_trainer's gradients (backpropagation through time over a chunk,
// starting from non-zero states) against central finite differences of its loss, in double, for every
// parameter of each sequence layer alone and in stacks with dense layers and activations; and the
// trainer's state handling (carry, reset, all-or-nothing steps).
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <memory>
#include <string>
#include <type_traits>
#include <vector>

#include <typenet/typenet.hpp>

#include "sequence_gradient_check.hpp"

namespace {

template <class... Layers>
using double_net = typenet::basic_network<double, Layers...>;
using typenet::input;

}  // namespace

TEST_CASE("gru gradients through time match finite differences") {
    test::check_sequence_gradients<double_net<input<3>, typenet::gru<5>>>("gru 3->5");
    test::check_sequence_gradients<double_net<input<2>, typenet::gru<4, typenet::torch_recurrent>, typenet::dense<2>>>("gru, dense");
}

TEST_CASE("lstm gradients through time match finite differences") {
    test::check_sequence_gradients<double_net<input<3>, typenet::lstm<4>>>("lstm 3->4");
    test::check_sequence_gradients<double_net<input<2>, typenet::dense<3>, typenet::tanh, typenet::lstm<3, typenet::torch_recurrent>>>(
        "dense, tanh, lstm");
}

TEST_CASE("conv1d gradients through time match finite differences") {
    test::check_sequence_gradients<double_net<input<2>, typenet::conv1d<3, 3, 1, typenet::glorot_uniform, typenet::torch_default>>>("conv1d k3");
    test::check_sequence_gradients<double_net<input<2>, typenet::conv1d<2, 2, 2, typenet::glorot_uniform, typenet::torch_default>>>(
        "conv1d k2 d2");
    // With 4-lane double vectors the conv1d (3 outputs over 2 x 4 gathered inputs) and the dense layer
    // (3 outputs over 8) store their weights row-major.
    test::check_sequence_gradients<double_net<input<4>, typenet::conv1d<3, 2, 1, typenet::glorot_uniform, typenet::torch_default>,
                                        typenet::tanh, typenet::gru<8, typenet::torch_recurrent>, typenet::dense<3>>>("row-major conv1d, dense");
}

TEST_CASE("a conv1d, gru, dense, lstm stack: gradients through time match finite differences") {
    test::check_sequence_gradients<double_net<input<2>, typenet::conv1d<3, 2, 2, typenet::glorot_uniform, typenet::torch_default>, typenet::tanh,
                                        typenet::gru<4, typenet::torch_recurrent>, typenet::dense<3>, typenet::sigmoid,
                                        typenet::lstm<2, typenet::torch_recurrent>, typenet::dense<1>>>("stack");
}

TEST_CASE("per-step classification through time: softmax cross-entropy gradients match finite differences") {
    test::check_sequence_gradients<double_net<input<2>, typenet::gru<4, typenet::torch_recurrent>, typenet::dense<3>>,
                             typenet::softmax_cross_entropy>("gru, dense, softmax cross-entropy");
}

TEST_CASE("sequence_trainer: carried states, reset, and skipped steps that change nothing") {
    using Net = typenet::network<input<1>, typenet::gru<8>, typenet::dense<1>>;
    using trainer_type = typenet::sequence_trainer<Net, typenet::mse, typenet::adam, 16, 2>;
    auto net = std::make_unique<Net>();
    trainer_type trainer(typenet::adam{.lr = 1e-2f});
    typenet::random_stream stream(3, 1);
    auto xs = std::make_unique<trainer_type::input_sequences>();
    auto ys = std::make_unique<trainer_type::target_sequences>();
    for (std::size_t b = 0; b < 2; ++b)
        for (std::size_t t = 0; t < 16; ++t) {
            (*xs)[b][t][0] = stream.symmetric_uniform();
            (*ys)[b][t][0] = 0.5f * (*xs)[b][t][0];
        }

    // The outputs of a chunk are those of streaming the same inputs through forward(state, x).
    trainer.step(*net, *xs, *ys);  // from zeros; the update comes after the forward pass
    CHECK(trainer.state(0) != Net::state_type{});
    const Net before = *net;
    const Net::state_type carried = trainer.state(1);
    trainer.set_clip_norm(0);
    const float loss_from_carried = trainer.loss(*net, *xs, *ys);
    CHECK(trainer.state(1) == carried);  // loss() leaves the states alone
    Net::state_type streaming = carried;
    double squared = 0;
    for (std::size_t b = 0; b < 2; ++b) {
        Net::state_type s = trainer.state(b);
        for (std::size_t t = 0; t < 16; ++t) {
            const float y = (*net)(s, (*xs)[b][t])[0];
            CHECK(y == doctest::Approx(trainer.output_at(b, t)[0]).epsilon(1e-5));
            squared += double(y - (*ys)[b][t][0]) * double(y - (*ys)[b][t][0]);
        }
        if (b == 1) streaming = s;
    }
    CHECK(loss_from_carried == doctest::Approx(squared / 32).epsilon(1e-5));

    // Without carry, a chunk starts from zeros: the loss equals that after reset_state().
    trainer.set_carry_state(false);
    const float loss_from_zeros = trainer.loss(*net, *xs, *ys);
    trainer.set_carry_state(true);
    trainer.reset_state();
    CHECK(trainer.loss(*net, *xs, *ys) == loss_from_zeros);
    CHECK(loss_from_zeros != loss_from_carried);

    // A non-finite input: nothing changes, neither the network nor the states nor the step count.
    trainer.state(1) = carried;
    const long steps = trainer.steps();
    (*xs)[1][7][0] = std::numeric_limits<float>::quiet_NaN();
    const auto result = trainer.try_step(*net, *xs, *ys);
    CHECK(result.status == typenet::step_status::non_finite_loss);
    CHECK(*net == before);
    CHECK(trainer.state(1) == carried);
    CHECK(trainer.steps() == steps);
    CHECK(trainer.skipped_steps() == 1);
}
