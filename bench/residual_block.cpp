// What a residual connection costs: a residual MLP (3 blocks of dense<W>, relu, dense<W>, then dense<1>)
// against the same chain without the shortcuts (same weights) and against a hand-written Eigen 3.4 residual
// MLP, single samples and batches of 32, interleaved in one run on one pinned core.
//   taskset -c 1 build/bench/residual_block [--repetitions N]
#include <cmath>
#include <cstdio>
#include <memory>
#include <span>
#include <vector>

#include <sched.h>

#include <typenet/typenet.hpp>

#include "bench_util.hpp"
#include "forward_peers.hpp"

namespace tn = typenet;

namespace {

constexpr int blocks = 3, batch = 32;

template <int W>
using residual_net = tn::basic_deep_network<float, tn::input<W>, tn::repeat<blocks, tn::residual<tn::dense<W>, tn::relu, tn::dense<W>>>,
                                            tn::dense<1>>;
template <int W>
using chain_net = tn::basic_deep_network<float, tn::input<W>, tn::repeat<blocks, tn::dense<W>, tn::relu, tn::dense<W>>, tn::dense<1>>;

// What a careful C++ user writes with Eigen: fixed sizes, x += W2 relu(W1 x + b1) + b2 per block.
template <int W>
struct eigen_residual {
    struct block {
        Eigen::Matrix<float, W, W> w1, w2;
        Eigen::Matrix<float, W, 1> b1, b2;
    };
    block blocks_[blocks];
    Eigen::Matrix<float, 1, W> head;
    float head_bias;

    explicit eigen_residual(const std::vector<float>& p) {
        std::size_t k = 0;
        auto take = [&](auto& m, bool row_major) {
            for (int o = 0; o < m.rows(); ++o)
                for (int i = 0; i < m.cols(); ++i) (row_major ? m(o, i) : m(i, o)) = p[k++];
        };
        for (auto& b : blocks_) {
            take(b.w1, true);
            for (int o = 0; o < W; ++o) b.b1(o) = p[k++];
            take(b.w2, true);
            for (int o = 0; o < W; ++o) b.b2(o) = p[k++];
        }
        for (int i = 0; i < W; ++i) head(0, i) = p[k++];
        head_bias = p[k++];
    }
    template <int Columns>
    void forward(const Eigen::Matrix<float, W, Columns>& x, Eigen::Matrix<float, 1, Columns>& y) const {
        Eigen::Matrix<float, W, Columns> signal = x, hidden;
        for (const auto& b : blocks_) {
            hidden.noalias() = b.w1 * signal;
            hidden = (hidden.colwise() + b.b1).cwiseMax(0.0f);
            signal.noalias() += b.w2 * hidden;
            signal.colwise() += b.b2;
        }
        y.noalias() = head * signal;
        y.array() += head_bias;
    }
};

template <int W>
void run(const bench::options& options) {
    auto residual = std::make_unique<residual_net<W>>();
    residual->initialize(1);
    std::vector<float> p(residual_net<W>::parameter_count);
    residual->get_parameters(std::span<float, residual_net<W>::parameter_count>(p));
    auto chain = std::make_unique<chain_net<W>>();
    static_assert(chain_net<W>::parameter_count == residual_net<W>::parameter_count);
    chain->set_parameters(std::span<const float, chain_net<W>::parameter_count>(p));
    auto eigen = std::make_unique<eigen_residual<W>>(p);

    tn::random_stream stream(5, 1);
    std::array<typename residual_net<W>::input_type, batch> xs{};
    Eigen::Matrix<float, W, batch> exs;
    for (int s = 0; s < batch; ++s)
        for (int i = 0; i < W; ++i) exs(i, s) = xs[s][i] = float(stream.symmetric_uniform());
    // Same computation: residual and Eigen agree before anything is timed.
    Eigen::Matrix<float, W, 1> ex = exs.col(0);
    Eigen::Matrix<float, 1, 1> ey;
    eigen->forward(ex, ey);
    const float ours = (*residual)(xs[0])[0];
    if (std::abs(ours - ey(0, 0)) > 1e-3f * std::max(1.0f, std::abs(ours))) {
        std::printf("width %d: typenet %g and Eigen %g disagree\n", W, double(ours), double(ey(0, 0)));
        std::exit(1);
    }

    const int calls = W >= 256 ? 200 : 2000;
    int next = 0;
    const auto single = bench::interleaved_all(
        options.repetitions, calls,
        [&](int n) {
            for (int c = 0; c < n; ++c) bench::escape((*residual)(xs[(next + c) % batch]));
        },
        [&](int n) {
            for (int c = 0; c < n; ++c) bench::escape((*chain)(xs[(next + c) % batch]));
        },
        [&](int n) {
            for (int c = 0; c < n; ++c) {
                ex = exs.col((next + c) % batch);
                eigen->forward(ex, ey);
                bench::escape(ey);
            }
        });
    std::array<typename residual_net<W>::output_type, batch> ys{};
    Eigen::Matrix<float, 1, batch> eys;
    const auto batched = bench::interleaved_all(
        options.repetitions, calls / 16 + 1,
        [&](int n) {
            for (int c = 0; c < n; ++c) {
                residual->forward_batch(xs, ys);
                bench::escape(ys);
            }
        },
        [&](int n) {
            for (int c = 0; c < n; ++c) {
                chain->forward_batch(xs, ys);
                bench::escape(ys);
            }
        },
        [&](int n) {
            for (int c = 0; c < n; ++c) {
                eigen->forward(exs, eys);
                bench::escape(eys);
            }
        });
    auto row = [](const char* what, int width, const std::array<bench::timing, 3>& t) {
        std::printf("W %-4d %-10s residual %9.1f (min %9.1f)  chain %9.1f (min %9.1f)  Eigen %9.1f (min %9.1f)  "
                    "residual/chain %5.3f (min %5.3f)  residual/Eigen %5.2f (min %5.2f)\n",
                    width, what, t[0].median_ns, t[0].min_ns, t[1].median_ns, t[1].min_ns, t[2].median_ns, t[2].min_ns,
                    t[0].median_ns / t[1].median_ns, t[0].min_ns / t[1].min_ns, t[0].median_ns / t[2].median_ns, t[0].min_ns / t[2].min_ns);
    };
    row("1 sample", W, single);
    row("batch 32", W, batched);
}

}  // namespace

int main(int argc, char** argv) {
    const auto options = bench::parse(argc, argv);
    const int core = bench::pin_to_core(1);
    std::printf("residual MLP (%d blocks of dense<W>, relu, dense<W>; dense<1>) against the chain without shortcuts and Eigen; "
                "ns per call; pinned to core %d, %d repetitions, xsimd arch %s\n",
                blocks, core, options.repetitions, xsimd::default_arch::name());
    run<16>(options);
    run<64>(options);
    run<256>(options);
}
