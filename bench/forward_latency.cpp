// Single-sample forward latency of the reference nets, typenet against a hand-written Eigen 3.4
// fixed-size (column-major) implementation with the same weights, measured in the same run.
//   A  8 -> 32 -> 32 -> 1     tanh, tanh, linear
//   B  16 -> 64 -> 64 -> 8    relu, relu, linear
//   C  128 -> 256 -> 256 -> 10  relu, relu, linear
// Run: taskset -c 1 build/bench/forward_latency   (the binary also pins itself to core 1)
#include <cmath>
#include <cstdio>
#include <memory>

// Net C's 256 x 256 fixed-size matrix exceeds Eigen's 128 KB stack guard; the networks live on the heap.
#define EIGEN_STACK_ALLOCATION_LIMIT 0
#include <Eigen/Dense>

#include <typenet/typenet.hpp>

#include "bench_util.hpp"

namespace tn = typenet;

struct relu_tag {};
struct tanh_tag {};

template <class Tag, int Rows>
inline void eigen_activation(Eigen::Matrix<float, Rows, 1>& v) {
    if constexpr (std::is_same_v<Tag, relu_tag>)
        v = v.cwiseMax(0.0f);
    else
        v = v.array().tanh().matrix();  // Eigen's vectorized rational tanh
}

// What a careful C++ user writes with Eigen: fixed sizes, column-major, y = W x + b.
template <int In, int H, int Out, class Tag>
struct eigen_mlp {
    Eigen::Matrix<float, H, In> w1;
    Eigen::Matrix<float, H, 1> b1;
    Eigen::Matrix<float, H, H> w2;
    Eigen::Matrix<float, H, 1> b2;
    Eigen::Matrix<float, Out, H> w3;
    Eigen::Matrix<float, Out, 1> b3;

    template <class Net>
    explicit eigen_mlp(const Net& net) {
        for (int o = 0; o < H; ++o) {
            b1(o) = net.template bias<0>(o);
            b2(o) = net.template bias<2>(o);
            for (int i = 0; i < In; ++i) w1(o, i) = net.template weight<0>(o, i);
            for (int i = 0; i < H; ++i) w2(o, i) = net.template weight<2>(o, i);
        }
        for (int o = 0; o < Out; ++o) {
            b3(o) = net.template bias<4>(o);
            for (int i = 0; i < H; ++i) w3(o, i) = net.template weight<4>(o, i);
        }
    }

    void forward(const Eigen::Matrix<float, In, 1>& x, Eigen::Matrix<float, Out, 1>& y) const {
        Eigen::Matrix<float, H, 1> h1 = w1 * x + b1;
        eigen_activation<Tag>(h1);
        Eigen::Matrix<float, H, 1> h2 = w2 * h1 + b2;
        eigen_activation<Tag>(h2);
        y.noalias() = w3 * h2 + b3;
    }
};

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
    run<A, eigen_mlp<8, 32, 1, tanh_tag>>("A 8-32-32-1 tanh", options);
    run<B, eigen_mlp<16, 64, 8, relu_tag>>("B 16-64-64-8 relu", options);
    run<C, eigen_mlp<128, 256, 10, relu_tag>>("C 128-256-256-10 relu", options);
    std::printf("ratio = typenet / Eigen (lower is better)\n");
}
