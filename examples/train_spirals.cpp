// Two-spirals classification: a classic that a linear model cannot separate. An MLP with auto_init
// (He for the relu layers, Glorot for the last), Adam and softmax cross-entropy learns it in a second; the
// learning rate steps down for the last epochs, as schedules do, so the result does not depend on where
// Adam's last steps happened to land.
#include <chrono>
#include <cmath>
#include <cstdio>
#include <memory>
#include <numbers>
#include <utility>
#include <vector>

#include <typenet/typenet.hpp>

namespace tn = typenet;

using Net = tn::network<tn::input<2>, tn::dense<64>, tn::relu, tn::dense<64>, tn::relu, tn::dense<64>, tn::relu, tn::dense<2>>;
constexpr std::size_t batch = 32;
using Trainer = tn::trainer<Net, tn::softmax_cross_entropy, tn::adam, batch>;

struct point {
    Net::input_type position;
    std::size_t label;
};

// Two interleaved spirals, 2 turns each, with a little noise; seeded, so every run sees the same data.
std::vector<point> spirals(std::size_t count, std::uint64_t seed) {
    tn::random_stream stream(seed, 0);
    std::vector<point> points;
    for (std::size_t i = 0; i < count; ++i) {
        const std::size_t label = i % 2;
        const double t = stream.open_uniform();
        const double angle = 4 * std::numbers::pi * t + std::numbers::pi * double(label);
        const double radius = 0.1 + 0.9 * t;
        points.push_back(
            {{float(radius * std::cos(angle) + 0.04 * stream.normal()), float(radius * std::sin(angle) + 0.04 * stream.normal())}, label});
    }
    return points;
}

double accuracy(const Net& net, const std::vector<point>& points) {
    std::size_t correct = 0;
    for (const point& p : points) {
        const auto logits = net(p.position);
        correct += (logits[1] > logits[0] ? 1u : 0u) == p.label;
    }
    return double(correct) / double(points.size());
}

int main() {
    const auto train = spirals(4096, 1), test = spirals(1024, 2);
    auto net = std::make_unique<Net>();
    net->initialize(7);
    Trainer trainer(tn::adam{.lr = 3e-3f});
    std::printf("%s", tn::summary<Net>("spirals").c_str());

    tn::random_stream shuffle(3, 0);
    std::vector<std::size_t> order(train.size());
    for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
    Trainer::input_batch x;
    Trainer::target_batch y;
    for (int epoch = 1; epoch <= 30; ++epoch) {
        if (epoch == 21 || epoch == 26) trainer.optimizer().lr *= 0.3f;
        for (std::size_t i = order.size() - 1; i > 0; --i) std::swap(order[i], order[shuffle.next_bits() % (i + 1)]);
        const auto start = std::chrono::steady_clock::now();
        double loss = 0;
        const std::size_t steps = train.size() / batch;
        for (std::size_t s = 0; s < steps; ++s) {
            for (std::size_t b = 0; b < batch; ++b) {
                const point& p = train[order[s * batch + b]];
                x[b] = p.position;
                y[b] = p.label;
            }
            loss += trainer.step(*net, x, y);
        }
        const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        std::printf("epoch %2d  loss %.4f  train accuracy %5.1f%%  %6.2f M samples/s\n", epoch, loss / double(steps),
                    100 * accuracy(*net, train), double(steps * batch) / seconds * 1e-6);
    }
    const double test_accuracy = accuracy(*net, test);
    std::printf("test accuracy %.1f%% on %zu held-out points\n", 100 * test_accuracy, test.size());
    return test_accuracy >= 0.97 ? 0 : 1;
}
