// Shared by the through-time gradient tests: sequence_trainer's gradients (backpropagation through time
// over a chunk, from non-zero states) against central finite differences of its loss, in double, for every
// parameter and every input of the chunk.
#pragma once

#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <memory>
#include <span>
#include <string>
#include <type_traits>
#include <vector>

#include <typenet/typenet.hpp>

#include "gradient_check.hpp"

namespace test {

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

    double worst = parameter_vector_error(*net, analytic, [&] { return trainer.loss(*net, *xs, *ys); });

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

}  // namespace test
