// Vanishing and exploding gradients along time (Bengio et al. 1994; Pascanu et al. 2013): how strongly the
// last output of a recurrent net depends on the input k steps back, |d y_T / d x_(T-k)|, k = 0 ... 100, at
// initialization, for a GRU and an LSTM of 32 units (input 1, a linear readout) under different recurrent
// initializations: orthogonal (Keras' default), Glorot uniform, N(0, 1), PyTorch's default U(+-1/sqrt(32)),
// and for the LSTM the forget-gate bias at 1 (Keras' unit_forget_bias) against 0.
//
// The gradient is the sequence_trainer's input_gradient (backpropagation through time; tested against
// finite differences), with targets that put the whole loss on the last step. Geometric mean over 16 random
// input sequences (U(-1, 1)) and 8 seeds. Writes gradient_through_time.csv and .svg into the directory given
// as argument, and checks the claims docs/initializers.md makes from them (exit status 1 if one fails).
#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <memory>
#include <string>
#include <type_traits>
#include <vector>

#include <typenet/typenet.hpp>

#include "svg_plot.hpp"

namespace {

constexpr std::size_t hidden = 32, horizon = 100, steps = horizon + 1, streams = 16, seeds = 8;

template <class Recurrent>
using probe_net = typenet::basic_network<double, typenet::input<1>, Recurrent, typenet::dense<1, typenet::glorot_uniform>>;
using gru_net = probe_net<typenet::gru<hidden>>;    // Keras' scheme; the variants below redraw some tensors
using lstm_net = probe_net<typenet::lstm<hidden>>;  // (one network type each: one compiled trainer, not nine)

// Layer 0's tensor J (weight_ih, weight_hh, bias_ih, bias_hh) drawn from Init, from the tensor's own stream.
template <class Init, std::size_t J, class Net>
void redraw(Net& net, std::uint64_t seed) {
    auto view = net.template parameter_tensor<0, J>();
    typenet::random_stream stream(seed, 1000 + J);
    constexpr std::size_t rows = decltype(view)::shape[0];
    if constexpr (decltype(view)::shape.size() == 2) {
        constexpr std::size_t columns = decltype(view)::shape[1];
        Init::sample_weights(columns, rows, stream, [&](std::size_t out, std::size_t in, double value) { view[out * columns + in] = value; });
    } else {
        Init::sample_bias(rows, rows, stream, [&](std::size_t out, double value) { view[out] = value; });
    }
}

// A variant of the Keras initialization: what it changes after initialize(seed).
using variant = void (*)(gru_net*, lstm_net*, std::uint64_t seed);

// reach[k]: geometric mean of |d y_T / d x_(T-k)|.
template <class Net>
std::vector<double> gradient_reach(variant change) {
    using trainer_type = typenet::sequence_trainer<Net, typenet::mse, typenet::sgd, steps, streams>;
    auto net = std::make_unique<Net>();
    auto trainer = std::make_unique<trainer_type>(typenet::sgd{.lr = 0});
    auto xs = std::make_unique<typename trainer_type::input_sequences>();
    auto ys = std::make_unique<typename trainer_type::target_sequences>();
    std::vector<double> log_sum(horizon + 1, 0.0);
    for (std::uint64_t seed = 1; seed <= seeds; ++seed) {
        net->initialize(seed);
        if constexpr (std::is_same_v<Net, gru_net>)
            change(net.get(), nullptr, seed);
        else
            change(nullptr, net.get(), seed);
        typenet::random_stream stream(seed, 99);
        for (auto& sequence : *xs)
            for (auto& x : sequence) x[0] = stream.symmetric_uniform();
        // Targets equal to the outputs except at the last step, where they are 1 below: the loss's gradient
        // is zero at every step but the last, so d loss / d x_t is (2 / count) d y_T / d x_t.
        trainer->reset_state();
        trainer->loss(*net, *xs, *ys);
        for (std::size_t b = 0; b < streams; ++b)
            for (std::size_t t = 0; t < steps; ++t) (*ys)[b][t][0] = trainer->output_at(b, t)[0] - (t + 1 == steps ? 1.0 : 0.0);
        trainer->step(*net, *xs, *ys);
        const double scale = double(steps * streams) / 2;
        for (std::size_t b = 0; b < streams; ++b)
            for (std::size_t k = 0; k <= horizon; ++k)
                log_sum[k] += std::log(std::abs(trainer->input_gradient(b, steps - 1 - k)[0]) * scale + 1e-300);
    }
    std::vector<double> reach(horizon + 1);
    for (std::size_t k = 0; k <= horizon; ++k) reach[k] = std::exp(log_sum[k] / double(seeds * streams));
    return reach;
}

struct curve {
    std::string name;
    std::vector<double> reach;
};

bool all_ok = true;
void check(bool ok, const char* claim, double value) {
    std::printf("  [%s] %s (measured %.4g)\n", ok ? "ok" : "FAILED", claim, value);
    all_ok = all_ok && ok;
}

}  // namespace

int main(int argc, char** argv) {
    using namespace typenet;
    const std::string directory = argc > 1 ? std::string(argv[1]) + "/" : std::string();
    using standard_normal = normal<0.0, 1.0>;
    using torch_uniform = hidden_uniform<hidden>;
    // Each variant redraws what differs from Keras' scheme (glorot_uniform input kernel, orthogonal
    // recurrent kernel, zero biases, LSTM forget-gate bias 1).
    const variant keras = [](gru_net*, lstm_net*, std::uint64_t) {};
    const variant glorot = [](gru_net* g, lstm_net* l, std::uint64_t seed) {
        if (g) redraw<glorot_uniform, 1>(*g, seed);
        if (l) redraw<glorot_uniform, 1>(*l, seed);
    };
    const variant standard = [](gru_net* g, lstm_net* l, std::uint64_t seed) {
        if (g) redraw<standard_normal, 1>(*g, seed);
        if (l) redraw<standard_normal, 1>(*l, seed);
    };
    const variant torch = [](gru_net* g, lstm_net* l, std::uint64_t seed) {
        auto all = [&](auto& net) {
            redraw<torch_uniform, 0>(net, seed);
            redraw<torch_uniform, 1>(net, seed);
            redraw<torch_uniform, 2>(net, seed);
            redraw<torch_uniform, 3>(net, seed);
        };
        if (g) all(*g);
        if (l) all(*l);
    };
    const variant no_forget_bias = [](gru_net*, lstm_net* l, std::uint64_t) {
        for (std::size_t j = hidden; j < 2 * hidden; ++j) l->parameter_tensor<0, 2>()[j] = 0;
    };

    const std::vector<curve> gru_curves = {
        {"orthogonal (Keras)", gradient_reach<gru_net>(keras)},
        {"glorot_uniform", gradient_reach<gru_net>(glorot)},
        {"N(0, 1)", gradient_reach<gru_net>(standard)},
        {"PyTorch U(+-1/sqrt(H))", gradient_reach<gru_net>(torch)},
    };
    const std::vector<curve> lstm_curves = {
        {"orthogonal, forget bias 1 (Keras)", gradient_reach<lstm_net>(keras)},
        {"orthogonal, forget bias 0", gradient_reach<lstm_net>(no_forget_bias)},
        {"glorot_uniform, forget bias 1", gradient_reach<lstm_net>(glorot)},
        {"N(0, 1), forget bias 1", gradient_reach<lstm_net>(standard)},
        {"PyTorch U(+-1/sqrt(H))", gradient_reach<lstm_net>(torch)},
    };

    std::printf("|d y_T / d x_(T-k)|, geometric mean over %zu sequences x %zu seeds\n%-36s", streams, seeds, "k:");
    for (std::size_t k : {1, 10, 25, 50, 100}) std::printf("%10zu", k);
    std::printf("\n");
    const std::pair<const char*, const std::vector<curve>*> groups[] = {{"gru", &gru_curves}, {"lstm", &lstm_curves}};
    for (const auto& [kind, curves] : groups)
        for (const curve& c : *curves) {
            std::printf("%-5s %-30s", kind, c.name.c_str());
            for (std::size_t k : {1, 10, 25, 50, 100}) std::printf("%10.3g", c.reach[k]);
            std::printf("\n");
        }

    if (FILE* csv = std::fopen((directory + "gradient_through_time.csv").c_str(), "w")) {
        std::fprintf(csv, "layer,recurrent_init,k,gradient\n");
        for (const auto& [kind, curves] : groups)
            for (const curve& c : *curves)
                for (std::size_t k = 0; k <= horizon; ++k) std::fprintf(csv, "%s,%s,%zu,%.6g\n", kind, c.name.c_str(), k, c.reach[k]);
        std::fclose(csv);
    }
    svg_plot::figure figure(2);
    for (std::size_t g = 0; g < 2; ++g) {
        for (const curve& c : *groups[g].second) figure.panel(g).add(c.name, c.reach);
        figure.panel(g).title = std::string(g == 0 ? "GRU-32" : "LSTM-32") + ": |d y_T / d x_(T-k)| at initialization";
        figure.panel(g).x_label = "k (steps back)";
    }
    figure.write(directory + "gradient_through_time.svg");
    std::printf("wrote %sgradient_through_time.csv, %sgradient_through_time.svg\n", directory.c_str(), directory.c_str());

    std::printf("Claims:\n");
    // Factor per step going back, from k = 1 to k = 100.
    auto per_step = [](const curve& c) { return std::pow(c.reach[horizon] / c.reach[1], 1.0 / double(horizon - 1)); };
    const curve &lstm_keras = lstm_curves[0], &lstm_no_forget_bias = lstm_curves[1];
    check(lstm_keras.reach[horizon] > 1e10 * lstm_no_forget_bias.reach[horizon],
          "LSTM: forget-gate bias 1 keeps the gradient at k = 100 more than 1e10 times larger than bias 0",
          lstm_keras.reach[horizon] / lstm_no_forget_bias.reach[horizon]);
    check(per_step(lstm_keras) > 0.7 && per_step(lstm_keras) < 0.9,
          "LSTM, forget bias 1: the gradient shrinks by a factor 0.7 to 0.9 per step (sigmoid(1) = 0.73)", per_step(lstm_keras));
    check(per_step(lstm_no_forget_bias) > 0.5 && per_step(lstm_no_forget_bias) < 0.65,
          "LSTM, forget bias 0: by a factor 0.5 to 0.65 per step (sigmoid(0) = 0.5)", per_step(lstm_no_forget_bias));
    check(per_step(lstm_curves[4]) < 0.65, "LSTM, PyTorch's default (forget bias ~0): also below 0.65 per step", per_step(lstm_curves[4]));
    check(gru_curves[2].reach[horizon] > 100 * gru_curves[2].reach[1] && lstm_curves[3].reach[horizon] > 100 * lstm_curves[3].reach[1],
          "N(0, 1) recurrent weights: the gradient explodes, growing more than 100x from k = 1 to k = 100 (GRU and LSTM)",
          gru_curves[2].reach[horizon] / gru_curves[2].reach[1]);
    double gru_low = 1, gru_high = 0;
    bool gru_vanish = true;
    for (std::size_t c : {0, 1, 3}) {
        gru_low = std::min(gru_low, per_step(gru_curves[c]));
        gru_high = std::max(gru_high, per_step(gru_curves[c]));
        gru_vanish = gru_vanish && gru_curves[c].reach[horizon] < 1e-15 * gru_curves[c].reach[1];
    }
    check(gru_vanish && gru_low > 0.55 && gru_high < 0.75 && gru_high - gru_low < 0.1,
          "GRU: orthogonal, Glorot and PyTorch's default all vanish (k = 100 below 1e-15 of k = 1) at 0.55 to 0.75 per step, "
          "within 0.1 of each other: the update gate (z near 1/2), not the recurrent matrix, sets the decay",
          gru_high - gru_low);
    return all_ok ? 0 : 1;
}
