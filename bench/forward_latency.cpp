// Single-sample forward latency of the reference nets, typenet against a hand-written Eigen 3.4
// fixed-size (column-major) implementation with the same weights, measured in the same run.
//   A  8 -> 32 -> 32 -> 1     tanh, tanh, linear
//   B  16 -> 64 -> 64 -> 8    relu, relu, linear
//   C  128 -> 256 -> 256 -> 10  relu, relu, linear
// Run: taskset -c 1 build/bench/forward_latency   (the binary also pins itself to core 1)
#include <cmath>
#include <cstdio>
#include <memory>

#include <typenet/typenet.hpp>

#include "bench_util.hpp"
#include "forward_peers.hpp"

namespace tn = typenet;

template <class Net, class EigenNet>
void run(const char* name, const bench::options& options) {
    constexpr int in = Net::input_size, out = Net::output_size;
    auto net = std::make_unique<Net>();
    net->initialize(1);
    auto eigen = std::make_unique<EigenNet>(*net);

    constexpr int distinct_inputs = 64;
    std::vector<typename Net::input_type> xs(distinct_inputs);
    std::vector<Eigen::Matrix<float, in, 1>> exs(distinct_inputs);
    tn::random_stream stream(5, 5);
    for (int s = 0; s < distinct_inputs; ++s)
        for (int i = 0; i < in; ++i) exs[s](i) = xs[s][i] = static_cast<float>(stream.symmetric_uniform());

    // Same computation: outputs agree to float rounding before anything is timed.
    double worst = 0;
    for (int s = 0; s < distinct_inputs; ++s) {
        const auto y = (*net)(xs[s]);
        Eigen::Matrix<float, out, 1> ey;
        eigen->forward(exs[s], ey);
        for (int o = 0; o < out; ++o) worst = std::max(worst, double(std::abs(y[o] - ey(o))) / std::max(1.0f, std::abs(ey(o))));
    }
    if (worst > 1e-4) {
        std::printf("%s: typenet and Eigen disagree (%g)\n", name, worst);
        std::exit(1);
    }

    const int calls = in * out >= 1000 ? 2000 : 20000;
    const auto [a, b] = bench::interleaved(
        options.repetitions, calls,
        [&](int n) {
            typename Net::output_type y;
            for (int c = 0; c < n; ++c) {
                net->forward(xs[c % distinct_inputs], y);
                bench::escape(y);
            }
        },
        [&](int n) {
            Eigen::Matrix<float, out, 1> y;
            for (int c = 0; c < n; ++c) {
                eigen->forward(exs[c % distinct_inputs], y);
                bench::escape(y);
            }
        });
    bench::print_comparison(name, 26, a, b);
    std::printf("\n");
}

int main(int argc, char** argv) {
    const auto options = bench::parse(argc, argv);
    const int core = bench::pin_to_core(1);
    std::printf("single-sample forward, ns per call (pinned to core %d, %d repetitions; xsimd arch %s)\n", core, options.repetitions,
                xsimd::default_arch::name());
    std::printf("%-26s %9s %9s   %9s %9s   %6s %6s\n", "net", "typenet", "min", "Eigen", "min", "ratio", "min");
    using A = tn::network<tn::input<8>, tn::dense<32>, tn::tanh, tn::dense<32>, tn::tanh, tn::dense<1>>;
    using B = tn::network<tn::input<16>, tn::dense<64>, tn::relu, tn::dense<64>, tn::relu, tn::dense<8>>;
    using C = tn::network<tn::input<128>, tn::dense<256>, tn::relu, tn::dense<256>, tn::relu, tn::dense<10>>;
    run<A, peers::eigen_mlp<8, 32, 1, peers::tanh_tag>>("A 8-32-32-1 tanh", options);
    run<B, peers::eigen_mlp<16, 64, 8, peers::relu_tag>>("B 16-64-64-8 relu", options);
    run<C, peers::eigen_mlp<128, 256, 10, peers::relu_tag>>("C 128-256-256-10 relu", options);
    std::printf("ratio = typenet / Eigen (lower is better)\n");
}
