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

namespace {

template <class Trainer, class Net>
void fill_chunk(typename Trainer::input_sequences& xs, typename Trainer::target_sequences& ys, typenet::random_stream& stream) {
    for (auto& sequence : xs)
        for (auto& x : sequence)
            for (auto& value : x) value = 1.5 * stream.symmetric_uniform();
    for (auto& sequence : ys)
        for (auto& y : sequence) {
            if constexpr (std::is_integral_v<std::remove_reference_t<decltype(y)>>)
                y = stream.next_bits() % Net::output_size;  // a class index
            else
                for (auto& value : y) value = stream.symmetric_uniform();
        }
}

// Worst relative error of the analytic gradient over every parameter and every input (floor 1e-4 as in
// gradient_check.hpp).
template <class Net, class Loss = typenet::mse, std::size_t Steps = 4, std::size_t Batch = 3>
double sequence_gradient_error(std::uint64_t seed = 1) {
    using trainer_type = typenet::sequence_trainer<Net, Loss, typenet::sgd, Steps, Batch>;
    auto net = std::make_unique<Net>();
    net->initialize(seed);
    trainer_type trainer(typenet::sgd{.lr = 0});
    typenet::random_stream stream(seed, 5);
    auto xs = std::make_unique<typename trainer_type::input_sequences>();
    auto ys = std::make_unique<typename trainer_type::target_sequences>();
    // A first chunk leaves non-zero states, which the second starts from (carried, not differentiated).
    fill_chunk<trainer_type, Net>(*xs, *ys, stream);
    trainer.step(*net, *xs, *ys);
    std::vector<typename Net::state_type> start(Batch);
    for (std::size_t b = 0; b < Batch; ++b) start[b] = trainer.state(b);
    fill_chunk<trainer_type, Net>(*xs, *ys, stream);
    trainer.step(*net, *xs, *ys);
    std::vector<double> analytic(Net::parameter_count);
    trainer.get_gradient(std::span<double, Net::parameter_count>(analytic.data(), Net::parameter_count));
    for (std::size_t b = 0; b < Batch; ++b) trainer.state(b) = start[b];

    std::vector<double> parameters(Net::parameter_count);
    net->get_parameters(std::span<double, Net::parameter_count>(parameters.data(), Net::parameter_count));
    double worst = 0;
    for (std::size_t p = 0; p < Net::parameter_count; ++p) {
        const double saved = parameters[p], h = 1e-5;
        auto loss_at = [&](double value) {
            parameters[p] = value;
            net->set_parameters(std::span<const double, Net::parameter_count>(parameters.data(), Net::parameter_count));
            return trainer.loss(*net, *xs, *ys);
        };
        const double numeric = (loss_at(saved + h) - loss_at(saved - h)) / (2 * h);
        parameters[p] = saved;
        worst = std::max(worst, std::abs(numeric - analytic[p]) / std::max({std::abs(numeric), std::abs(analytic[p]), 1e-4}));
    }
    net->set_parameters(std::span<const double, Net::parameter_count>(parameters.data(), Net::parameter_count));

    // d loss / d input at every step of every stream (input_gradient), through all later steps.
    for (std::size_t b = 0; b < Batch; ++b)
        for (std::size_t t = 0; t < Steps; ++t)
            for (std::size_t k = 0; k < Net::input_size; ++k) {
                const double analytic_input = trainer.input_gradient(b, t)[k];
                double& x = (*xs)[b][t][k];
                const double saved = x, h = 1e-5;
                x = saved + h;
                const double plus = trainer.loss(*net, *xs, *ys);
                x = saved - h;
                const double minus = trainer.loss(*net, *xs, *ys);
                x = saved;
                const double numeric = (plus - minus) / (2 * h);
                worst = std::max(worst, std::abs(numeric - analytic_input) / std::max({std::abs(numeric), std::abs(analytic_input), 1e-4}));
            }
    return worst;
}

template <class Net, class Loss = typenet::mse>
void check_sequence_gradients(const char* what) {
    const double error = sequence_gradient_error<Net, Loss>();
    INFO(std::string(what), ": worst relative error ", error);
    CHECK(error < 1e-6);
}

template <class... Layers>
using double_net = typenet::basic_network<double, Layers...>;
using typenet::input;

}  // namespace

TEST_CASE("gru gradients through time match finite differences") {
    check_sequence_gradients<double_net<input<3>, typenet::gru<5>>>("gru 3->5");
    check_sequence_gradients<double_net<input<2>, typenet::gru<4, typenet::torch_recurrent>, typenet::dense<2>>>("gru, dense");
}

TEST_CASE("lstm gradients through time match finite differences") {
    check_sequence_gradients<double_net<input<3>, typenet::lstm<4>>>("lstm 3->4");
    check_sequence_gradients<double_net<input<2>, typenet::dense<3>, typenet::tanh, typenet::lstm<3, typenet::torch_recurrent>>>(
        "dense, tanh, lstm");
}

TEST_CASE("conv1d gradients through time match finite differences") {
    check_sequence_gradients<double_net<input<2>, typenet::conv1d<3, 3, 1, typenet::glorot_uniform, typenet::torch_default>>>("conv1d k3");
    check_sequence_gradients<double_net<input<2>, typenet::conv1d<2, 2, 2, typenet::glorot_uniform, typenet::torch_default>>>(
        "conv1d k2 d2");
    // With 4-lane double vectors the conv1d (3 outputs over 2 x 4 gathered inputs) and the dense layer
    // (3 outputs over 8) store their weights row-major.
    check_sequence_gradients<double_net<input<4>, typenet::conv1d<3, 2, 1, typenet::glorot_uniform, typenet::torch_default>,
                                        typenet::tanh, typenet::gru<8, typenet::torch_recurrent>, typenet::dense<3>>>("row-major conv1d, dense");
}

TEST_CASE("a conv1d, gru, dense, lstm stack: gradients through time match finite differences") {
    check_sequence_gradients<double_net<input<2>, typenet::conv1d<3, 2, 2, typenet::glorot_uniform, typenet::torch_default>, typenet::tanh,
                                        typenet::gru<4, typenet::torch_recurrent>, typenet::dense<3>, typenet::sigmoid,
                                        typenet::lstm<2, typenet::torch_recurrent>, typenet::dense<1>>>("stack");
}

TEST_CASE("per-step classification through time: softmax cross-entropy gradients match finite differences") {
    check_sequence_gradients<double_net<input<2>, typenet::gru<4, typenet::torch_recurrent>, typenet::dense<3>>,
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
