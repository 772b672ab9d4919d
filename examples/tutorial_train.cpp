// The tutorial's training program (docs/tutorial.md, step 3): a small network learns sin(x) on [-pi, pi],
// checks what it learnt, and, given a directory, saves the model in typenet's format and as a C++ header.
// The build runs it to write sine_model.hpp, which tutorial_deployed.cpp compiles in.
//   bash .ci/example tutorial_train [output directory]
// README: tutorial: train
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <numbers>

#include <typenet/io/native.hpp>        // typenet::save and typenet::load: typenet's file format
#include <typenet/io/write_header.hpp>  // typenet::write_header: the model as C++ source
#include <typenet/typenet.hpp>
namespace tn = typenet;

using Net = tn::network<tn::input<1>, tn::dense<32>, tn::tanh, tn::dense<32>, tn::tanh, tn::dense<1>>;

int main(int argc, char** argv) {
    Net net;
    net.initialize(1);
    tn::trainer<Net, tn::mse, tn::adam, 32> trainer(tn::adam{.lr = 3e-3f});  // batches of 32 samples
    tn::random_stream data(11, 0);  // typenet's random numbers: the same samples on every machine

    decltype(trainer)::input_batch x;   // std::array<std::array<float, 1>, 32>
    decltype(trainer)::target_batch y;  // the same shape: one target per output
    for (int step = 1; step <= 10000; ++step) {
        for (std::size_t b = 0; b < x.size(); ++b) {
            x[b][0] = float(std::numbers::pi * data.symmetric_uniform());
            y[b][0] = std::sin(x[b][0]);
        }
        const float loss = trainer.step(net, x, y);  // forward, backward, Adam update
        if (step % 2500 == 0) std::printf("step %5d: loss %.2g\n", step, double(loss));
    }

    double worst = 0;  // the largest error on a grid of 101 points
    for (int i = 0; i <= 100; ++i) {
        const std::array<float, 1> input = {float(-std::numbers::pi + 2 * std::numbers::pi * i / 100)};
        worst = std::max(worst, std::abs(double(net(input)[0]) - std::sin(double(input[0]))));
    }
    std::printf("largest error on [-pi, pi]: %.3f\n", worst);

    if (argc > 1) {
        const std::filesystem::path out = argv[1];
        std::filesystem::create_directories(out);
        tn::save(net, out / "sine.typenet");                           // a file: load it with typenet::load
        tn::write_header(net, out / "sine_model.hpp", "sine_model");  // a header: compile it in
        std::printf("wrote %s and %s\n", (out / "sine.typenet").c_str(), (out / "sine_model.hpp").c_str());
    }
    return worst < 0.05 ? 0 : 1;
}
// README: end
