// Regression of sin(x) on [-pi, pi], then the trained network used as it would be in a real-time loop:
// a const object, one forward() per sample, no allocation.
#include <chrono>
#include <cmath>
#include <cstdio>
#include <numbers>

#include <typenet/typenet.hpp>

namespace tn = typenet;

using Net = tn::network<tn::input<1>, tn::dense<32>, tn::tanh, tn::dense<32>, tn::tanh, tn::dense<1>>;
constexpr std::size_t batch = 32;

int main() {
    Net net;
    net.initialize(1);
    tn::trainer<Net, tn::mse, tn::adam, batch> trainer(tn::adam{.lr = 3e-3f});
    tn::random_stream data(11, 0);

    decltype(trainer)::input_batch x;
    decltype(trainer)::target_batch y;
    double recent = 0;
    for (int step = 1; step <= 30000; ++step) {
        for (std::size_t b = 0; b < batch; ++b) {
            x[b][0] = float(std::numbers::pi * data.symmetric_uniform());
            y[b][0] = std::sin(x[b][0]);
        }
        // The learning rate stepped down (x 0.3) for the last 10000 steps: without it the result depends on
        // where Adam's last steps land (an MSE of 1e-5 in one build, 2e-4 in another).
        if (step == 20001 || step == 25001) trainer.optimizer().lr *= 0.3f;
        recent += trainer.step(net, x, y);
        if (step % 5000 == 0) {
            std::printf("step %5d  mean loss of the last 5000 steps %.3g\n", step, recent / 5000);
            recent = 0;
        }
    }

    // Deployment: a const network, one sample at a time.
    const Net& model = net;
    constexpr int grid = 1001;
    double squared_error = 0, worst = 0;
    float sink = 0;
    const auto start = std::chrono::steady_clock::now();
    for (int i = 0; i < grid; ++i) {
        const float input = float(-std::numbers::pi + 2 * std::numbers::pi * i / (grid - 1));
        float output;
        model.forward(std::span<const float, 1>(&input, 1), std::span<float, 1>(&output, 1));
        sink += output;
        const double error = double(output) - std::sin(double(input));
        squared_error += error * error;
        worst = std::max(worst, std::abs(error));
    }
    const double nanoseconds = std::chrono::duration<double, std::nano>(std::chrono::steady_clock::now() - start).count() / grid;
    const double mse = squared_error / grid;
    std::printf("on a grid of %d points: MSE %.3g, worst error %.3g, %.0f ns per forward (checksum %.3f)\n", grid, mse, worst, nanoseconds,
                double(sink));
    return mse < 1e-4 ? 0 : 1;
}
