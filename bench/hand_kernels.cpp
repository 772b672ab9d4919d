// What a kernel written by hand for this machine reaches, beside typenet and the Eigen peers, interleaved
// in one run: net A's single-sample forward (8 -> 32 -> 32 -> 1, tanh) and one step of GRU-16 and LSTM-16
// (input 1 and 16), each as one straight-line function in typenet's SIMD vocabulary (the widest vectors the
// build enables; AVX-512 with -march=native on such a machine), with typenet's float tanh and sigmoid, so
// the numerics are typenet's and only the code around them differs. Variants:
//   splits S       S interleaved partial sums per output vector (dependency chains of fan_in / S FMAs)
//   gate-ordered   the recurrent product gate by gate in the order the cell needs them (GRU r, n, z;
//                  LSTM i, g, f, o), each gate's activation written before the next gate's product, so
//                  that it can overlap the remaining multiply-adds; otherwise all gates are accumulated
//                  together, input by input, as typenet does
// It bounds what a different schedule or layout inside typenet's structure can gain on this machine: the
// docs/benchmarks.md has the numbers. Run: taskset -c 1 build/bench/bench/hand_kernels [--repetitions N]
#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <memory>
#include <span>
#include <vector>

#include <typenet/typenet.hpp>

#include "bench_util.hpp"
#include "forward_peers.hpp"
#include "sequence_peers.hpp"

namespace tn = typenet;
using bench::logical;

namespace {

using batch = tn::simd::batch<float>;
constexpr std::size_t width = batch::size;
using tn::detail::static_for;

void print_row(const char* name, bench::timing ours, bench::timing hand, bench::timing eigen) {
    std::printf("%-28s %7.1f %7.1f   %7.1f %7.1f   %7.1f %7.1f   %5.2f %5.2f   %5.2f %5.2f\n", name, ours.median_ns, ours.min_ns,
                hand.median_ns, hand.min_ns, eigen.median_ns, eigen.min_ns, ours.median_ns / eigen.median_ns, ours.min_ns / eigen.min_ns,
                hand.median_ns / eigen.median_ns, hand.min_ns / eigen.min_ns);
}

// acc[0] + ... + acc[Count - 1], pairwise.
template <std::size_t Count>
TYPENET_ALWAYS_INLINE batch pairwise_sum(batch (&acc)[Count]) {
    static_for<Count>([&](auto level) TYPENET_INLINE_LAMBDA {
        constexpr std::size_t step = std::size_t(1) << level;
        if constexpr (step < Count)
            static_for<Count>([&](auto i) TYPENET_INLINE_LAMBDA {
                if constexpr (i % (2 * step) == 0 && i + step < Count) acc[i] = acc[i] + acc[i + step];
            });
    });
    return acc[0];
}

// out[Outputs] = bias + x[0..FanIn) W, with W input-major (w[k * Outputs + o]), Splits partial sums per vector.
template <std::size_t FanIn, std::size_t Outputs, std::size_t Splits>
TYPENET_ALWAYS_INLINE void product(const float* x, const float* w, const float* bias, batch (&out)[Outputs / width]) {
    constexpr std::size_t vectors = Outputs / width;
    batch acc[vectors][Splits];
    static_for<vectors>([&](auto v) TYPENET_INLINE_LAMBDA {
        acc[v][0] = batch::load_aligned(bias + v * width);
        static_for<Splits - 1>([&](auto s) TYPENET_INLINE_LAMBDA { acc[v][s + 1] = batch(0.0f); });
    });
    static_for<FanIn>([&](auto k) TYPENET_INLINE_LAMBDA {
        const batch xk(x[k]);
        static_for<vectors>([&](auto v) TYPENET_INLINE_LAMBDA {
            acc[v][k % Splits] = tn::simd::fma(xk, batch::load_aligned(w + k * Outputs + v * width), acc[v][k % Splits]);
        });
    });
    static_for<vectors>([&](auto v) TYPENET_INLINE_LAMBDA { out[v] = pairwise_sum(acc[v]); });
}

// ---- Net A.
using net_a = tn::network<tn::input<8>, tn::dense<32>, tn::tanh, tn::dense<32>, tn::tanh, tn::dense<1>>;

struct hand_a {
    alignas(64) float w1[8 * 32], b1[32], w2[32 * 32], b2[32], w3[32];
    float b3;
    explicit hand_a(const net_a& net) {
        for (std::size_t o = 0; o < 32; ++o) {
            b1[o] = net.bias<0>(o);
            b2[o] = net.bias<2>(o);
            w3[o] = net.weight<4>(0, o);
            for (std::size_t i = 0; i < 8; ++i) w1[i * 32 + o] = net.weight<0>(o, i);
            for (std::size_t i = 0; i < 32; ++i) w2[i * 32 + o] = net.weight<2>(o, i);
        }
        b3 = net.bias<4>(0);
    }
    template <std::size_t Splits>
    TYPENET_ALWAYS_INLINE float forward(const float* x) const {
        constexpr std::size_t vectors = 32 / width;
        alignas(64) float h1[32], h2[32];
        batch v[vectors];
        product<8, 32, Splits>(x, w1, b1, v);
        static_for<vectors>([&](auto i) TYPENET_INLINE_LAMBDA { tn::kernel::tanh(v[i]).store_aligned(h1 + i * width); });
        product<32, 32, Splits>(h1, w2, b2, v);
        static_for<vectors>([&](auto i) TYPENET_INLINE_LAMBDA { tn::kernel::tanh(v[i]).store_aligned(h2 + i * width); });
        batch sum(0.0f);
        static_for<vectors>([&](auto i) TYPENET_INLINE_LAMBDA {
            sum = tn::simd::fma(batch::load_aligned(h2 + i * width), batch::load_aligned(w3 + i * width), sum);
        });
        return tn::simd::reduce_add(sum) + b3;
    }
};

constexpr int distinct_inputs = 64;

template <std::size_t Splits>
void forward_a(const char* name, const bench::options& options) {
    auto net = std::make_unique<net_a>();
    net->initialize(1);
    const auto hand = std::make_unique<hand_a>(*net);
    const auto eigen = std::make_unique<peers::eigen_mlp<8, 32, 1, peers::tanh_tag>>(*net);
    std::vector<net_a::input_type> xs(distinct_inputs);
    std::vector<Eigen::Matrix<float, 8, 1>> exs(distinct_inputs);
    tn::random_stream stream(5, 5);
    for (int s = 0; s < distinct_inputs; ++s)
        for (int i = 0; i < 8; ++i) exs[s](i) = xs[s][i] = static_cast<float>(stream.symmetric_uniform());
    for (int s = 0; s < distinct_inputs; ++s)
        if (std::abs((*net)(xs[s])[0] - hand->forward<Splits>(xs[s].data())) > 1e-5f) {
            std::printf("%s: the hand-written kernel and typenet disagree\n", name);
            std::exit(1);
        }
    auto ours = [&](int n) {
        net_a::output_type y;
        for (int c = 0; c < n; ++c) {
            net->forward(xs[c % distinct_inputs], y);
            bench::escape(y);
        }
    };
    auto handwritten = [&](int n) {
        for (int c = 0; c < n; ++c) {
            const float y = hand->forward<Splits>(xs[c % distinct_inputs].data());
            bench::escape(y);
        }
    };
    auto theirs = [&](int n) {
        Eigen::Matrix<float, 1, 1> y;
        for (int c = 0; c < n; ++c) {
            eigen->forward(exs[c % distinct_inputs], y);
            bench::escape(y);
        }
    };
    const auto t = bench::interleaved_all(options.repetitions, 20000, ours, handwritten, theirs);
    print_row(name, t[0], t[1], t[2]);
}

// ---- GRU and LSTM steps of one stream.
template <std::size_t In, std::size_t Gates>
struct hand_recurrent {
    static constexpr std::size_t hidden = 16, rows = Gates * hidden;
    // Input-major: w_ih[k * rows + g * 16 + j] = weight_ih[g * 16 + j][k]. bias: b_ih + b_hh where a gate
    // needs only the sum, b_ih alone for GRU's candidate (whose b_hh is in hidden_bias).
    alignas(64) float w_ih[In * rows], w_hh[hidden * rows], bias[rows], hidden_bias[hidden];
    template <class Net>
    explicit hand_recurrent(const Net& net) {
        const auto weight_ih = net.template parameter_tensor<0, 0>();
        const auto weight_hh = net.template parameter_tensor<0, 1>();
        const auto bias_ih = net.template parameter_tensor<0, 2>();
        const auto bias_hh = net.template parameter_tensor<0, 3>();
        for (std::size_t row = 0; row < rows; ++row) {
            for (std::size_t k = 0; k < In; ++k) w_ih[k * rows + row] = weight_ih[row * In + k];
            for (std::size_t k = 0; k < hidden; ++k) w_hh[k * rows + row] = weight_hh[row * hidden + k];
            const bool candidate_of_gru = Gates == 3 && row >= 2 * hidden;
            bias[row] = bias_ih[row] + (candidate_of_gru ? 0.0f : bias_hh[row]);
            if (candidate_of_gru) hidden_bias[row - 2 * hidden] = bias_hh[row];
        }
    }
    struct state {
        alignas(64) float h[hidden] = {}, c[hidden] = {};
    };

    // One gate's vector of units u: seed + h W_hh (Splits partial sums).
    template <std::size_t Splits>
    TYPENET_ALWAYS_INLINE batch gate_product(const float* h, std::size_t gate, std::size_t u, batch seed) const {
        batch acc[Splits];
        acc[0] = seed;
        static_for<Splits - 1>([&](auto s) TYPENET_INLINE_LAMBDA { acc[s + 1] = batch(0.0f); });
        static_for<hidden>([&](auto k) TYPENET_INLINE_LAMBDA {
            acc[k % Splits] = tn::simd::fma(batch(h[k]), batch::load_aligned(w_hh + k * rows + gate * hidden + u * width), acc[k % Splits]);
        });
        return pairwise_sum(acc);
    }

    template <std::size_t Splits, bool GateOrdered>
    TYPENET_ALWAYS_INLINE void step(state& s, const float* x, float* y) const {
        constexpr std::size_t unit_vectors = hidden / width;
        batch input_part[Gates * unit_vectors];
        product<In, rows, 1>(x, w_ih, bias, input_part);
        batch next_h[unit_vectors];
        static_for<unit_vectors>([&](auto u) TYPENET_INLINE_LAMBDA {
            auto gate = [&](std::size_t g) TYPENET_INLINE_LAMBDA {
                const batch seed = Gates == 3 && g == 2 ? batch::load_aligned(hidden_bias + u * width) : input_part[g * unit_vectors + u];
                return gate_product<Splits>(s.h, g, u, seed);
            };
            batch pre[Gates];
            if constexpr (!GateOrdered) {
                // All gates input by input, as typenet's step accumulates them.
                batch acc[Gates][Splits];
                static_for<Gates>([&](auto g) TYPENET_INLINE_LAMBDA {
                    acc[g][0] = Gates == 3 && g == 2 ? batch::load_aligned(hidden_bias + u * width) : input_part[g * unit_vectors + u];
                    static_for<Splits - 1>([&](auto i) TYPENET_INLINE_LAMBDA { acc[g][i + 1] = batch(0.0f); });
                });
                static_for<hidden>([&](auto k) TYPENET_INLINE_LAMBDA {
                    const batch hk(s.h[k]);
                    static_for<Gates>([&](auto g) TYPENET_INLINE_LAMBDA {
                        acc[g][k % Splits] =
                            tn::simd::fma(hk, batch::load_aligned(w_hh + k * rows + g * hidden + u * width), acc[g][k % Splits]);
                    });
                });
                static_for<Gates>([&](auto g) TYPENET_INLINE_LAMBDA { pre[g] = pairwise_sum(acc[g]); });
            }
            const batch h = batch::load_aligned(s.h + u * width);
            batch next;
            if constexpr (Gates == 3) {
                const batch candidate_input = input_part[2 * unit_vectors + u];
                const batch reset = tn::kernel::sigmoid(GateOrdered ? gate(0) : pre[0]);
                const batch candidate = tn::kernel::tanh(tn::simd::fma(reset, GateOrdered ? gate(2) : pre[2], candidate_input));
                const batch update = tn::kernel::sigmoid(GateOrdered ? gate(1) : pre[1]);
                next = tn::simd::fma(batch(1.0f) - update, candidate, update * h);
            } else {
                const batch input = tn::kernel::sigmoid(GateOrdered ? gate(0) : pre[0]);
                const batch candidate = tn::kernel::tanh(GateOrdered ? gate(2) : pre[2]);
                const batch forget = tn::kernel::sigmoid(GateOrdered ? gate(1) : pre[1]);
                const batch memory = tn::simd::fma(forget, batch::load_aligned(s.c + u * width), input * candidate);
                memory.store_aligned(s.c + u * width);
                const batch output = tn::kernel::sigmoid(GateOrdered ? gate(3) : pre[3]);
                next = output * tn::kernel::tanh(memory);
            }
            next_h[u] = next;
        });
        // Stored after every unit vector's products have read h.
        static_for<unit_vectors>([&](auto u) TYPENET_INLINE_LAMBDA {
            next_h[u].store_aligned(s.h + u * width);
            next_h[u].store_unaligned(y + u * width);
        });
    }
};

// One row of the table: the step of GRU-16 or LSTM-16 with input In, typenet against the hand-written variant
// and Eigen.
template <std::size_t In, bool Lstm, std::size_t Splits, bool GateOrdered>
void recurrent_step(const char* name, const bench::options& options) {
    constexpr std::size_t gates = Lstm ? 4 : 3;
    using layer = std::conditional_t<Lstm, tn::lstm<16, tn::torch_recurrent>, tn::gru<16, tn::torch_recurrent>>;
    using Net = tn::network<tn::input<In>, layer>;
    auto net = std::make_unique<Net>();
    net->initialize(1);
    const auto hand = std::make_unique<hand_recurrent<In, gates>>(*net);
    const peers::eigen_recurrent<int(In), 16, int(gates)> eigen(
        logical(net->template parameter_tensor<0, 0>()), logical(net->template parameter_tensor<0, 1>()),
        logical(net->template parameter_tensor<0, 2>()), logical(net->template parameter_tensor<0, 3>()));
    std::vector<typename Net::input_type> xs(distinct_inputs);
    std::vector<Eigen::Matrix<float, int(In), 1>> exs(distinct_inputs);
    tn::random_stream stream(5, 5);
    for (int s = 0; s < distinct_inputs; ++s)
        for (std::size_t i = 0; i < In; ++i) exs[s](int(i)) = xs[s][i] = static_cast<float>(stream.symmetric_uniform());

    typename Net::state_type state{};
    typename hand_recurrent<In, gates>::state hand_state;
    typename peers::eigen_recurrent<int(In), 16, int(gates)>::state eigen_state;
    for (int t = 0; t < 200; ++t) {
        const auto y = (*net)(state, xs[t % distinct_inputs]);
        alignas(64) float hy[16];
        hand->template step<Splits, GateOrdered>(hand_state, xs[t % distinct_inputs].data(), hy);
        for (std::size_t j = 0; j < 16; ++j)
            if (std::abs(y[j] - hy[j]) > 1e-4f) {
                std::printf("%s: the hand-written kernel and typenet disagree at step %d\n", name, t);
                std::exit(1);
            }
    }
    auto ours = [&](int n) {
        typename Net::output_type y;
        for (int c = 0; c < n; ++c) {
            net->forward(state, xs[c % distinct_inputs], y);
            bench::escape(y);
        }
    };
    auto handwritten = [&](int n) {
        alignas(64) float y[16];
        for (int c = 0; c < n; ++c) {
            hand->template step<Splits, GateOrdered>(hand_state, xs[c % distinct_inputs].data(), y);
            bench::escape(y);
        }
    };
    auto theirs = [&](int n) {
        Eigen::Matrix<float, 16, 1> y;
        for (int c = 0; c < n; ++c) {
            eigen.step(eigen_state, exs[c % distinct_inputs], y);
            bench::escape(y);
        }
    };
    const auto t = bench::interleaved_all(options.repetitions, 20000, ours, handwritten, theirs);
    print_row(name, t[0], t[1], t[2]);
}

template <std::size_t In, bool Lstm>
void recurrent_variants(const char* cell, const bench::options& options) {
    char name[64];
    auto row = [&](auto splits, auto ordered) {
        std::snprintf(name, sizeof name, "%s in %zu, %s %zu", cell, In, ordered ? "gate-ordered" : "splits", std::size_t(splits));
        recurrent_step<In, Lstm, decltype(splits)::value, decltype(ordered)::value>(name, options);
    };
    row(std::integral_constant<std::size_t, 2>{}, std::false_type{});
    row(std::integral_constant<std::size_t, 4>{}, std::false_type{});
    row(std::integral_constant<std::size_t, 2>{}, std::true_type{});
    row(std::integral_constant<std::size_t, 4>{}, std::true_type{});
}

}  // namespace

int main(int argc, char** argv) {
    const auto options = bench::parse(argc, argv);
    const int core = bench::pin_to_core(1);
    std::printf("hand-written kernels beside typenet and Eigen, ns per call (core %d, %d repetitions; xsimd arch %s)\n", core,
                options.repetitions, xsimd::default_arch::name());
    if (width > 16 || 16 % width != 0) {
        std::printf("these kernels assume vectors of at most 16 floats dividing 16 units; nothing to measure\n");
        return 0;
    }
    std::printf("%-28s %7s %7s   %7s %7s   %7s %7s   %11s   %11s\n", "", "typenet", "min", "hand", "min", "Eigen", "min", "typenet/E",
                "hand/E");
    forward_a<2>("A forward, splits 2", options);
    forward_a<4>("A forward, splits 4", options);
    recurrent_variants<1, false>("GRU-16", options);
    recurrent_variants<16, false>("GRU-16", options);
    recurrent_variants<1, true>("LSTM-16", options);
    recurrent_variants<16, true>("LSTM-16", options);
    std::printf("ratios: median, min (lower is better)\n");
}
