// Shared by the gradient tests: the trainer's analytic gradients against central finite differences of
// trainer::loss, for every weight and bias of every dense layer, in double precision.
#pragma once

#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include <typenet/typenet.hpp>

namespace test {

template <class Loss, std::size_t Outputs, std::size_t Batch>
auto random_targets(typenet::random_stream& stream) {
    typename Loss::template target_type<double, Outputs, Batch> y{};
    if constexpr (std::is_same_v<Loss, typenet::softmax_cross_entropy>) {
        for (auto& label : y) label = stream.next_bits() % Outputs;
    } else if constexpr (std::is_same_v<Loss, typenet::binary_cross_entropy_with_logits>) {
        for (auto& row : y)
            for (auto& value : row) value = stream.open_uniform();  // soft targets in (0, 1)
    } else {
        for (auto& row : y)
            for (auto& value : row) value = stream.symmetric_uniform();
    }
    return y;
}

// Worst |finite difference - analytic| / max(|finite difference|, |analytic|, 1e-4) over every entry of the
// parameter vector (analytic: the gradient in get_parameters' order), loss() evaluated with each entry moved
// by +-1e-5 in turn; the network is left as it was.
template <class Net, class LossFunction>
double parameter_vector_error(Net& net, const std::vector<double>& analytic, LossFunction&& loss) {
    std::vector<double> parameters(Net::parameter_count);
    net.get_parameters(std::span<double, Net::parameter_count>(parameters.data(), Net::parameter_count));
    auto set = [&] { net.set_parameters(std::span<const double, Net::parameter_count>(parameters.data(), Net::parameter_count)); };
    double worst = 0;
    for (std::size_t p = 0; p < Net::parameter_count; ++p) {
        const double saved = parameters[p], h = 1e-5;
        parameters[p] = saved + h;
        set();
        const double plus = loss();
        parameters[p] = saved - h;
        set();
        const double minus = loss();
        parameters[p] = saved;
        const double numeric = (plus - minus) / (2 * h);
        worst = std::max(worst, std::abs(numeric - analytic[p]) / std::max({std::abs(numeric), std::abs(analytic[p]), 1e-4}));
    }
    set();
    return worst;
}

// Largest |finite difference - analytic| / max(|finite difference|, |analytic|, 1e-4) over all parameters.
// The floor keeps near-zero gradients, where relative error means nothing, from dominating; it is far
// below the typical gradient (1e-2 .. 1e-1 here).
template <class Net, class Loss, std::size_t Batch = 5>
double gradient_error(std::uint64_t seed = 1) {
    auto net = std::make_unique<Net>();
    net->initialize(seed);
    typenet::trainer<Net, Loss, typenet::sgd, Batch> trainer(typenet::sgd{.lr = 0});  // lr 0: step leaves net unchanged
    typenet::random_stream stream(seed, 77);
    typename decltype(trainer)::input_batch x;
    for (auto& row : x)
        for (auto& value : row) value = 2 * stream.symmetric_uniform();
    const auto y = random_targets<Loss, Net::output_size, Batch>(stream);
    trainer.step(*net, x, y);

    double worst = 0;
    auto check = [&](double& parameter, double analytic) {
        const double saved = parameter, h = 1e-5;
        parameter = saved + h;
        const double plus = trainer.loss(*net, x, y);
        parameter = saved - h;
        const double minus = trainer.loss(*net, x, y);
        parameter = saved;
        const double numeric = (plus - minus) / (2 * h);
        worst = std::max(worst, std::abs(numeric - analytic) / std::max({std::abs(numeric), std::abs(analytic), 1e-4}));
    };
    typenet::detail::static_for<Net::layer_count>([&](auto index) {
        constexpr std::size_t i = decltype(index)::value;
        using layer = typenet::layer_t<Net, i>;
        if constexpr (!typenet::is_activation_v<layer>) {
            for (std::size_t out = 0; out < layer::fan_out; ++out) {
                check(net->template bias<i>(out), trainer.template bias_gradient<i>(out));
                for (std::size_t in = 0; in < layer::fan_in; ++in)
                    check(net->template weight<i>(out, in), trainer.template weight_gradient<i>(out, in));
            }
        }
    });
    return worst;
}

template <class Net, class Loss, std::size_t Batch = 5>
void check_gradients(const char* what) {
    const double error = gradient_error<Net, Loss, Batch>();
    INFO(what, ": worst relative error ", error);
    CHECK(error < 1e-6);
}

}  // namespace test
