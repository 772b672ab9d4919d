// Shared by the structure tests: a network with every parameter drawn at random (so that zero-initialized
// gains and layers do not hide a gradient), its outputs against the scalar reference, and the trainers'
// gradients against central finite differences of their loss over the whole parameter vector (double).
#pragma once

#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <memory>
#include <span>
#include <vector>

#include <typenet/typenet.hpp>

#include "gradient_check.hpp"

namespace test {

template <class Net>
void randomize(Net& net, std::uint64_t seed, double range = 0.5) {
    typenet::random_stream stream(seed, 99);
    std::vector<typename Net::value_type> values(Net::parameter_count);
    for (auto& value : values) value = typename Net::value_type(range * stream.symmetric_uniform());
    net.set_parameters(std::span<const typename Net::value_type, Net::parameter_count>(values.data(), Net::parameter_count));
}

// Largest |forward - reference| over a few random inputs, single samples and a batch.
template <class Net>
double reference_error(const Net& net, std::uint64_t seed = 3) {
    using T = typename Net::value_type;
    typenet::random_stream stream(seed, 4);
    std::array<typename Net::input_type, 11> x{};
    for (auto& row : x)
        for (auto& value : row) value = T(stream.symmetric_uniform());
    std::array<typename Net::output_type, 11> batch{};
    net.forward_batch(x, batch);
    double worst = 0;
    for (std::size_t s = 0; s < x.size(); ++s) {
        const auto y = net(x[s]);
        const auto r = typenet::reference::forward(net, std::span<const T, Net::input_size>(x[s]));
        for (std::size_t o = 0; o < Net::output_size; ++o) {
            worst = std::max(worst, std::abs(double(y[o]) - r[o]) / std::max(1.0, std::abs(r[o])));
            worst = std::max(worst, std::abs(double(batch[s][o]) - r[o]) / std::max(1.0, std::abs(r[o])));
        }
    }
    return worst;
}

// trainer's gradient of every parameter and finite differences of trainer::loss (relative error, floor 1e-4).
template <class Net, class Loss = typenet::mse, std::size_t Batch = 5>
double structure_gradient_error(std::uint64_t seed = 1) {
    auto net = std::make_unique<Net>();
    randomize(*net, seed);
    typenet::trainer<Net, Loss, typenet::sgd, Batch> trainer(typenet::sgd{.lr = 0});
    typenet::random_stream stream(seed, 77);
    typename decltype(trainer)::input_batch x;
    for (auto& row : x)
        for (auto& value : row) value = 2 * stream.symmetric_uniform();
    const auto y = random_targets<Loss, Net::output_size, Batch>(stream);
    // Twice: scratch memory a combinator reuses must not carry anything from one step into the next.
    trainer.step(*net, x, y);
    trainer.step(*net, x, y);
    std::vector<double> analytic(Net::parameter_count);
    trainer.get_gradient(std::span<double, Net::parameter_count>(analytic.data(), Net::parameter_count));
    return parameter_vector_error(*net, analytic, [&] { return trainer.loss(*net, x, y); });
}

}  // namespace test
