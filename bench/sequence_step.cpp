// One time step of the sequence layers, typenet against hand-written Eigen 3.4 (fixed sizes, column-major,
// the same weights; sequence_peers.cpp, compiled apart), measured in the same run:
//   single stream   GRU-16 and LSTM-16 with input 1 and 16, a dilated causal Conv1D stack (8 -> 16 -> 16 -> 16
//                   channels, kernel 3, dilations 1, 2, 4, tanh between), one step per call
//   many streams    64 independent streams per call (forward_batch with a state per stream) for GRU and LSTM
//                   of 16, 32 and 64 units: ns per stream-step, and the share of the FMA peak the multiply-adds
//                   reach; Eigen's peer is its single-stream step in a loop over the streams
//   floor           what no schedule of one stream's step goes below: the hidden product at the FMA peak
//                   plus the measured latency of the cell's dependency chain
// Run: taskset -c 1 build/bench/bench/sequence_step [--repetitions N]
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <memory>
#include <span>
#include <vector>

#include <typenet/typenet.hpp>

#include "bench_util.hpp"
#include "sequence_peers.hpp"

namespace tn = typenet;
using bench::logical;

namespace {

using conv_net = tn::network<tn::input<8>, tn::conv1d<16, 3, 1>, tn::tanh, tn::conv1d<16, 3, 2>, tn::tanh, tn::conv1d<16, 3, 4>>;

constexpr int distinct_inputs = 64;

template <class Net>
std::vector<typename Net::input_type> make_inputs() {
    std::vector<typename Net::input_type> xs(distinct_inputs);
    tn::random_stream stream(5, 5);
    for (auto& x : xs)
        for (auto& v : x) v = static_cast<float>(stream.symmetric_uniform());
    return xs;
}

template <class Net, class EigenModel>
void single_stream(const char* name, const Net& net, const EigenModel& eigen, const bench::options& options) {
    constexpr int in = Net::input_size, out = Net::output_size;
    const auto xs = make_inputs<Net>();
    std::vector<Eigen::Matrix<float, in, 1>> exs(distinct_inputs);
    for (int s = 0; s < distinct_inputs; ++s)
        for (int i = 0; i < in; ++i) exs[s](i) = xs[s][i];

    // The same computation: 200 steps agree to float rounding before anything is timed.
    typename Net::state_type state{};
    typename EigenModel::state eigen_state;
    double worst = 0;
    for (int t = 0; t < 200; ++t) {
        const auto y = net(state, xs[t % distinct_inputs]);
        Eigen::Matrix<float, out, 1> ey;
        eigen.step(eigen_state, exs[t % distinct_inputs], ey);
        for (int o = 0; o < out; ++o) worst = std::max(worst, double(std::abs(y[o] - ey(o))));
    }
    if (worst > 1e-4) {
        std::printf("%s: typenet and Eigen disagree (%g)\n", name, worst);
        std::exit(1);
    }

    const auto [a, b] = bench::interleaved(
        options.repetitions, 20000,
        [&](int n) {
            typename Net::output_type y;
            for (int c = 0; c < n; ++c) {
                net.forward(state, xs[c % distinct_inputs], y);
                bench::escape(y);
            }
        },
        [&](int n) {
            Eigen::Matrix<float, out, 1> y;
            for (int c = 0; c < n; ++c) {
                eigen.step(eigen_state, exs[c % distinct_inputs], y);
                bench::escape(y);
            }
        });
    bench::print_comparison(name, 30, a, b);
    std::printf("\n");
}

// One stream in buffers of 64 steps, as an audio plugin runs: typenet's forward_sequence (layer by layer
// over chunks of steps) against its own forward step by step and against Eigen's step in a loop, ns per step.
template <class Net, class EigenModel>
void buffered_stream(const char* name, const Net& net, const EigenModel& eigen, const bench::options& options) {
    constexpr int in = Net::input_size, out = Net::output_size;
    const auto xs = make_inputs<Net>();
    std::vector<typename Net::output_type> ys(distinct_inputs);
    std::vector<Eigen::Matrix<float, in, 1>> exs(distinct_inputs);
    for (int s = 0; s < distinct_inputs; ++s)
        for (int i = 0; i < in; ++i) exs[s](i) = xs[s][i];
    typename Net::state_type sequence_state{}, step_state{};
    typename EigenModel::state eigen_state;
    const std::span<const typename Net::input_type> inputs(xs);
    const auto sequence = [&](int n) {
        for (int c = 0; c < n; ++c) {
            net.forward_sequence(sequence_state, inputs, std::span<typename Net::output_type>(ys));
            bench::escape(ys[0]);
        }
    };
    const auto [a, b] = bench::interleaved(
        options.repetitions, 300, sequence,
        [&](int n) {
            Eigen::Matrix<float, out, 1> y;
            for (int c = 0; c < n; ++c)
                for (int s = 0; s < distinct_inputs; ++s) {
                    eigen.step(eigen_state, exs[s], y);
                    bench::escape(y);
                }
        },
        distinct_inputs);
    const auto [a2, steps] = bench::interleaved(
        options.repetitions, 300, sequence,
        [&](int n) {
            for (int c = 0; c < n; ++c)
                for (int s = 0; s < distinct_inputs; ++s) {
                    net.forward(step_state, xs[s], ys[s]);
                    bench::escape(ys[s]);
                }
        },
        distinct_inputs);
    bench::print_comparison(name, 30, a, b);
    std::printf("   %7.1f %6.2f\n", steps.min_ns, a2.min_ns / steps.min_ns);
}

template <class Net, class EigenModel>
void many_streams(const char* name, const Net& net, const EigenModel& eigen, double multiply_adds, double peak_per_ns,
                  const bench::options& options) {
    constexpr int streams = 64, in = Net::input_size, out = Net::output_size;
    const auto xs = make_inputs<Net>();
    std::vector<typename Net::state_type> states(streams);
    std::vector<typename Net::output_type> ys(streams);
    std::vector<typename EigenModel::state> eigen_states(streams);
    std::vector<Eigen::Matrix<float, in, 1>> exs(streams);
    for (int s = 0; s < streams; ++s)
        for (int i = 0; i < in; ++i) exs[s](i) = xs[s][i];
    const std::span<const typename Net::input_type> inputs(xs.data(), streams);

    const auto [a, b] = bench::interleaved(
        options.repetitions, 400,
        [&](int n) {
            for (int c = 0; c < n; ++c) {
                net.forward_batch(std::span<typename Net::state_type>(states), inputs, std::span<typename Net::output_type>(ys));
                bench::escape(ys[0]);
            }
        },
        [&](int n) {
            Eigen::Matrix<float, out, 1> y;
            for (int c = 0; c < n; ++c)
                for (int s = 0; s < streams; ++s) {
                    eigen.step(eigen_states[s], exs[s], y);
                    bench::escape(y);
                }
        },
        streams);
    bench::print_comparison(name, 30, a, b);
    std::printf("   %5.0f%%\n", 100 * multiply_adds / a.min_ns / peak_per_ns);
}

enum class stream_mode { single, buffered, many };

template <int In, int H, bool Lstm>
void recurrent_pair(const char* name, const bench::options& options, stream_mode mode, double peak) {
    using layer = std::conditional_t<Lstm, tn::lstm<H, tn::torch_recurrent>, tn::gru<H, tn::torch_recurrent>>;
    using Net = tn::network<tn::input<In>, layer>;
    auto net = std::make_unique<Net>();
    net->initialize(1);
    const peers::eigen_recurrent<In, H, Lstm ? 4 : 3> eigen(
        logical(net->template parameter_tensor<0, 0>()), logical(net->template parameter_tensor<0, 1>()),
        logical(net->template parameter_tensor<0, 2>()), logical(net->template parameter_tensor<0, 3>()));
    if (mode == stream_mode::many)
        many_streams(name, *net, eigen, double((Lstm ? 4 : 3) * H * (In + H)), peak, options);
    else if (mode == stream_mode::buffered)
        buffered_stream(name, *net, eigen, options);
    else
        single_stream(name, *net, eigen, options);
}

// The recurrence's floor: h(t+1) depends on h(t) through W_hh h(t) and then the cell, so one step of one
// stream takes at least the hidden product at the FMA peak (its multiply-adds, whatever the schedule)
// plus the latency of the cell's dependency chain (measured on typenet's activations: a value fed back
// into the next iteration, so each call waits for the previous one).
template <class Cell>
double chain_latency_ns(Cell cell) {
    using batch = tn::simd::batch<float>;
    std::vector<double> samples;
    for (int r = 0; r < 51; ++r)
        samples.push_back(bench::time_per_call(
            [&](int n) {
                volatile float start = 0.3f;
                batch value(start);
                for (int i = 0; i < n; ++i) value = cell(value);
                bench::escape(value);
            },
            20000));
    return bench::summarize(samples).min_ns;
}

void recurrence_floor(double peak) {
    using batch = tn::simd::batch<float>;
    using tn::detail::gate_sigmoid;
    volatile float weight_value = 0.7f;
    const batch weight(weight_value);
    const double fma = chain_latency_ns([&](batch v) { return tn::simd::fma(v, weight, weight); });
    // GRU: h' = (1 - z) n + z h, n = tanh(gi_n + r gh_n), r = sigmoid(gi_r + gh_r): every gate from v.
    const double gru = chain_latency_ns([&](batch v) {
        const batch reset = gate_sigmoid(v), update = gate_sigmoid(v);
        const batch candidate = tn::tanh::apply(tn::simd::fma(reset, v, weight));
        return tn::simd::fma(batch(1.0f) - update, candidate, update * weight);
    });
    // LSTM: c' = f c + i g, h' = o tanh(c'), c carried.
    batch memory(0.1f);
    const double lstm = chain_latency_ns([&](batch v) {
        const batch input = gate_sigmoid(v), forget = gate_sigmoid(v), candidate = tn::tanh::apply(v), output = gate_sigmoid(v);
        memory = tn::simd::fma(forget, memory, input * candidate);
        return output * tn::tanh::apply(memory);
    });
    const double gru_product = 3 * 16 * 16 / peak, lstm_product = 4 * 16 * 16 / peak;
    std::printf("recurrence floor of one stream (measured latencies: FMA %.2f ns, GRU cell %.1f ns, LSTM cell %.1f ns)\n"
                "  GRU-16: W_hh h at peak %.1f ns + cell %.1f ns = %.1f ns; LSTM-16: %.1f + %.1f = %.1f ns (input parts not counted)\n",
                fma, gru, lstm, gru_product, gru, gru_product + gru, lstm_product, lstm, lstm_product + lstm);
}

}  // namespace

int main(int argc, char** argv) {
    const auto options = bench::parse(argc, argv);
    const int core = bench::pin_to_core(1);
    const double peak = bench::fma_peak_per_ns<tn::simd::batch<float>>(options.quick ? 3 : 51);
    std::printf("sequence layers, one time step, ns per call (pinned to core %d, %d repetitions; xsimd arch %s)\n", core,
                options.repetitions, xsimd::default_arch::name());
    std::printf("single stream\n%-30s %9s %9s   %9s %9s   %6s %6s\n", "layer", "typenet", "min", "Eigen", "min", "ratio", "min");
    auto conv_stack = [&](stream_mode mode) {
        auto net = std::make_unique<conv_net>();
        net->initialize(1);
        const peers::eigen_conv_stack eigen{{logical(net->parameter_tensor<0, 0>()), logical(net->parameter_tensor<0, 1>())},
                                            {logical(net->parameter_tensor<2, 0>()), logical(net->parameter_tensor<2, 1>())},
                                            {logical(net->parameter_tensor<4, 0>()), logical(net->parameter_tensor<4, 1>())}};
        if (mode == stream_mode::buffered)
            buffered_stream("Conv1D 8-16-16-16, d 1/2/4", *net, eigen, options);
        else
            single_stream("Conv1D 8-16-16-16, d 1/2/4", *net, eigen, options);
    };
    auto one_stream = [&](stream_mode mode) {
        recurrent_pair<1, 16, false>("GRU-16, input 1", options, mode, peak);
        recurrent_pair<16, 16, false>("GRU-16, input 16", options, mode, peak);
        recurrent_pair<1, 16, true>("LSTM-16, input 1", options, mode, peak);
        recurrent_pair<16, 16, true>("LSTM-16, input 16", options, mode, peak);
        conv_stack(mode);
    };
    one_stream(stream_mode::single);
    std::printf("one stream in buffers of 64 steps, ns per step: forward_sequence against Eigen's step in a loop, and against\n"
                "typenet's forward step by step (steps: its minimum; ratio: forward_sequence / steps, minima)\n"
                "%-30s %9s %9s   %9s %9s   %6s %6s   %7s %6s\n",
                "layer", "sequence", "min", "Eigen", "min", "ratio", "min", "steps", "ratio");
    one_stream(stream_mode::buffered);
    std::printf("64 streams per call, ns per stream-step (Eigen: its single-stream step in a loop); FMA peak %.1f multiply-adds/ns\n"
                "%-30s %9s %9s   %9s %9s   %6s %6s   %6s\n",
                peak, "layer", "typenet", "min", "Eigen", "min", "ratio", "min", "peak");
    recurrent_pair<16, 16, false>("GRU-16, input 16", options, stream_mode::many, peak);
    recurrent_pair<32, 32, false>("GRU-32, input 32", options, stream_mode::many, peak);
    recurrent_pair<64, 64, false>("GRU-64, input 64", options, stream_mode::many, peak);
    recurrent_pair<32, 32, true>("LSTM-32, input 32", options, stream_mode::many, peak);
    recurrent_pair<64, 64, true>("LSTM-64, input 64", options, stream_mode::many, peak);
    std::printf("ratio = typenet / Eigen (lower is better); peak = multiply-adds per ns at the minimum time / FMA peak\n");
    recurrence_floor(peak);
}
