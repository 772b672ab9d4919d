// Training step at batch 32 (forward, MSE backward, Adam update) and batched forward at batch 256, typenet
// against peers measured in the same run:
//   - a hand-written Eigen 3.4 implementation with fixed-size matrices (what a careful C++ user writes),
//   - dlib 19.24 (libdlib-dev): loss_mean_squared_multioutput<fc<..>> with its adam solver, timed as
//     compute_parameter_gradients + update_parameters (built only when dlib is found).
// PyTorch is timed by bench/torch_train_step.py (run it next to this binary: see bench/run_training.sh).
//   B  16 -> 64 -> 64 -> 8      relu, relu, linear
//   C  128 -> 256 -> 256 -> 10  relu, relu, linear
#include <cmath>
#include <cstdio>
#include <memory>
#include <vector>

#define EIGEN_STACK_ALLOCATION_LIMIT 0  // C's 256 x 256 matrices live inside heap-allocated structs
#include <Eigen/Dense>

#ifdef TYPENET_BENCH_DLIB
#include <dlib/dnn.h>
#endif

#include <typenet/typenet.hpp>

#include "bench_util.hpp"

namespace tn = typenet;

constexpr int train_batch = 32, forward_batch = 256;

// Hand-written Eigen MLP with two relu layers: forward, MSE backward, Adam (PyTorch's formulas).
template <int In, int H, int Out>
struct eigen_trainer {
    template <int R, int C>
    using matrix = Eigen::Matrix<float, R, C>;
    template <int R, int C>
    struct parameter {
        matrix<R, C> value, gradient, m, v;
        void zero_moments() {
            m.setZero();
            v.setZero();
        }
        void adam(float lr, float beta1, float beta2, float eps, int step) {
            const float bias1 = 1 - std::pow(beta1, float(step)), bias2 = 1 - std::pow(beta2, float(step));
            m = beta1 * m + (1 - beta1) * gradient;
            v = beta2 * v + (1 - beta2) * gradient.cwiseProduct(gradient);
            value.array() -= (lr / bias1) * m.array() / (v.array().sqrt() / std::sqrt(bias2) + eps);
        }
    };
    parameter<H, In> w1;
    parameter<H, 1> b1;
    parameter<H, H> w2;
    parameter<H, 1> b2;
    parameter<Out, H> w3;
    parameter<Out, 1> b3;
    matrix<H, train_batch> h1, h2, d1, d2;
    matrix<Out, train_batch> y, dy;
    int step_count = 0;

    template <class Net>
    explicit eigen_trainer(const Net& net) {
        for (int o = 0; o < H; ++o) {
            b1.value(o) = net.template bias<0>(o);
            b2.value(o) = net.template bias<2>(o);
            for (int i = 0; i < In; ++i) w1.value(o, i) = net.template weight<0>(o, i);
            for (int i = 0; i < H; ++i) w2.value(o, i) = net.template weight<2>(o, i);
        }
        for (int o = 0; o < Out; ++o) {
            b3.value(o) = net.template bias<4>(o);
            for (int i = 0; i < H; ++i) w3.value(o, i) = net.template weight<4>(o, i);
        }
        w1.zero_moments(), b1.zero_moments(), w2.zero_moments(), b2.zero_moments(), w3.zero_moments(), b3.zero_moments();
    }

    float step(const matrix<In, train_batch>& x, const matrix<Out, train_batch>& target) {
        h1.noalias() = w1.value * x;
        h1 = (h1.colwise() + b1.value).cwiseMax(0.0f);
        h2.noalias() = w2.value * h1;
        h2 = (h2.colwise() + b2.value).cwiseMax(0.0f);
        y.noalias() = w3.value * h2;
        y.colwise() += b3.value;
        dy = y - target;
        const float loss = dy.squaredNorm() / float(Out * train_batch);
        dy *= 2.0f / float(Out * train_batch);
        w3.gradient.noalias() = dy * h2.transpose();
        b3.gradient = dy.rowwise().sum();
        d2.noalias() = w3.value.transpose() * dy;
        d2 = d2.cwiseProduct((h2.array() > 0.0f).matrix().template cast<float>());
        w2.gradient.noalias() = d2 * h1.transpose();
        b2.gradient = d2.rowwise().sum();
        d1.noalias() = w2.value.transpose() * d2;
        d1 = d1.cwiseProduct((h1.array() > 0.0f).matrix().template cast<float>());
        w1.gradient.noalias() = d1 * x.transpose();
        b1.gradient = d1.rowwise().sum();
        ++step_count;
        w1.adam(1e-3f, 0.9f, 0.999f, 1e-8f, step_count);
        b1.adam(1e-3f, 0.9f, 0.999f, 1e-8f, step_count);
        w2.adam(1e-3f, 0.9f, 0.999f, 1e-8f, step_count);
        b2.adam(1e-3f, 0.9f, 0.999f, 1e-8f, step_count);
        w3.adam(1e-3f, 0.9f, 0.999f, 1e-8f, step_count);
        b3.adam(1e-3f, 0.9f, 0.999f, 1e-8f, step_count);
        return loss;
    }

    void forward(const matrix<In, forward_batch>& x, matrix<Out, forward_batch>& out, matrix<H, forward_batch>& a,
                 matrix<H, forward_batch>& b) const {
        a.noalias() = w1.value * x;
        a = (a.colwise() + b1.value).cwiseMax(0.0f);
        b.noalias() = w2.value * a;
        b = (b.colwise() + b2.value).cwiseMax(0.0f);
        out.noalias() = w3.value * b;
        out.colwise() += b3.value;
    }
};

#ifdef TYPENET_BENCH_DLIB
template <long In, long H, long Out>
struct dlib_peer {
    using net_type = dlib::loss_mean_squared_multioutput<
        dlib::fc<Out, dlib::relu<dlib::fc<H, dlib::relu<dlib::fc<H, dlib::input<dlib::matrix<float>>>>>>>>;
    net_type net;
    std::vector<dlib::adam> solvers;
    dlib::resizable_tensor x;
    std::vector<dlib::matrix<float>> labels;

    dlib_peer() : solvers(net_type::num_computational_layers, dlib::adam(0, 0.9, 0.999)) {
        tn::random_stream stream(9, 9);
        std::vector<dlib::matrix<float>> samples(train_batch, dlib::matrix<float>(In, 1));
        labels.assign(train_batch, dlib::matrix<float>(Out, 1));
        for (auto& s : samples)
            for (long i = 0; i < In; ++i) s(i) = float(stream.symmetric_uniform());
        for (auto& l : labels)
            for (long i = 0; i < Out; ++i) l(i) = float(stream.symmetric_uniform());
        net.to_tensor(samples.begin(), samples.end(), x);
        net.compute_parameter_gradients(x, labels.begin());  // allocates its buffers once
    }
    double step() {
        const double loss = net.compute_parameter_gradients(x, labels.begin());
        net.update_parameters(dlib::make_sstack(solvers), 1e-3);
        return loss;
    }
};
#endif

template <int In, int H, int Out>
void run(const char* name, const bench::options& options, double peak_per_ns) {
    using Net = tn::network<tn::input<In>, tn::dense<H>, tn::relu, tn::dense<H>, tn::relu, tn::dense<Out>>;
    using Trainer = tn::trainer<Net, tn::mse, tn::adam, train_batch>;
    auto net = std::make_unique<Net>();
    net->initialize(1);
    auto eigen = std::make_unique<eigen_trainer<In, H, Out>>(*net);
    auto trainer = std::make_unique<Trainer>(tn::adam{.lr = 1e-3f});

    // Several batches in turn, as in real training: a single batch repeated thousands of times is learnt
    // exactly, its gradients vanish and Adam's first moments decay into subnormal numbers, which made this
    // benchmark's time bimodal on Intel (an operation on a subnormal costs ~100 cycles there).
    constexpr int batches = 8;
    tn::random_stream stream(3, 3);
    std::vector<std::unique_ptr<typename Trainer::input_batch>> x;
    std::vector<std::unique_ptr<typename Trainer::target_batch>> y;
    std::vector<std::unique_ptr<Eigen::Matrix<float, In, train_batch>>> ex;
    std::vector<std::unique_ptr<Eigen::Matrix<float, Out, train_batch>>> ey;
    for (int k = 0; k < batches; ++k) {
        x.push_back(std::make_unique<typename Trainer::input_batch>());
        y.push_back(std::make_unique<typename Trainer::target_batch>());
        ex.push_back(std::make_unique<Eigen::Matrix<float, In, train_batch>>());
        ey.push_back(std::make_unique<Eigen::Matrix<float, Out, train_batch>>());
        for (int b = 0; b < train_batch; ++b) {
            for (int i = 0; i < In; ++i) (*ex[k])(i, b) = (*x[k])[b][i] = float(stream.symmetric_uniform());
            for (int o = 0; o < Out; ++o) (*ey[k])(o, b) = (*y[k])[b][o] = float(stream.symmetric_uniform());
        }
    }
    // Same computation: the first losses agree before anything is timed.
    const float ours = trainer->step(*net, *x[0], *y[0]), theirs = eigen->step(*ex[0], *ey[0]);
    if (std::abs(ours - theirs) > 1e-4f * std::max(1.0f, std::abs(theirs))) {
        std::printf("%s: typenet and Eigen losses disagree: %g vs %g\n", name, ours, theirs);
        std::exit(1);
    }
    // typenet again on a copy, with subnormals flushed (typenet::flush_denormals around the step).
    auto flushed_net = std::make_unique<Net>(*net);
    auto flushed_trainer = std::make_unique<Trainer>(tn::adam{.lr = 1e-3f});
#ifdef TYPENET_BENCH_DLIB
    auto dlib_net = std::make_unique<dlib_peer<In, H, Out>>();
#endif

    const int calls = In >= 100 ? 20 : 200;
    int next = 0;  // the batch of the next step, shared so that every contender sees the same sequence
    std::vector<double> t_typenet, t_flushed, t_eigen, t_dlib;
    for (int r = 0; r < options.repetitions; ++r) {
        const int first = next;
        next = (next + calls) % batches;
        t_typenet.push_back(bench::time_per_call(
            [&](int n) {
                for (int c = 0; c < n; ++c) bench::escape(trainer->step(*net, *x[(first + c) % batches], *y[(first + c) % batches]));
            },
            calls));
        t_flushed.push_back(bench::time_per_call(
            [&](int n) {
                const tn::flush_denormals flush;
                for (int c = 0; c < n; ++c)
                    bench::escape(flushed_trainer->step(*flushed_net, *x[(first + c) % batches], *y[(first + c) % batches]));
            },
            calls));
        t_eigen.push_back(bench::time_per_call(
            [&](int n) {
                for (int c = 0; c < n; ++c) bench::escape(eigen->step(*ex[(first + c) % batches], *ey[(first + c) % batches]));
            },
            calls));
#ifdef TYPENET_BENCH_DLIB
        t_dlib.push_back(bench::time_per_call(
            [&](int n) {
                for (int c = 0; c < n; ++c) bench::escape(dlib_net->step());
            },
            calls));
#endif
    }
    const auto a = bench::summarize(t_typenet), b = bench::summarize(t_eigen);
    std::printf("%-22s train step  typenet %8.2f us (min %8.2f)  Eigen %8.2f us (min %8.2f)  ratio %.2f (min %.2f)", name,
                a.median_ns * 1e-3, a.min_ns * 1e-3, b.median_ns * 1e-3, b.min_ns * 1e-3, a.median_ns / b.median_ns, a.min_ns / b.min_ns);
    if (!t_dlib.empty()) {
        const auto d = bench::summarize(t_dlib);
        std::printf("  dlib %8.2f us (min %8.2f)  ratio %.3f (min %.3f)", d.median_ns * 1e-3, d.min_ns * 1e-3, a.median_ns / d.median_ns,
                    a.min_ns / d.min_ns);
    }
    std::printf("\n");
    const auto f = bench::summarize(t_flushed);
    long subnormal = 0;
    for (std::size_t m = 0; m < 2; ++m)
        for (float v : trainer->moment(m)) subnormal += std::fpclassify(v) == FP_SUBNORMAL;
    std::printf("%-22s train step, subnormals flushed: %8.2f us (min %8.2f), %.2f (min %.2f) of the unflushed step;"
                " subnormal Adam moments at the end: %ld of %zu\n",
                name, f.median_ns * 1e-3, f.min_ns * 1e-3, f.median_ns / a.median_ns, f.min_ns / a.min_ns, subnormal, 2 * Net::storage_size);

    // Batched forward, batch 256: throughput in samples per second.
    auto bx = std::make_unique<std::array<typename Net::input_type, forward_batch>>();
    auto by = std::make_unique<std::array<typename Net::output_type, forward_batch>>();
    auto ebx = std::make_unique<Eigen::Matrix<float, In, forward_batch>>();
    auto eby = std::make_unique<Eigen::Matrix<float, Out, forward_batch>>();
    auto ea = std::make_unique<Eigen::Matrix<float, H, forward_batch>>();
    auto eb = std::make_unique<Eigen::Matrix<float, H, forward_batch>>();
    for (int s = 0; s < forward_batch; ++s)
        for (int i = 0; i < In; ++i) (*ebx)(i, s) = (*bx)[s][i] = float(stream.symmetric_uniform());
    std::vector<double> f_typenet, f_eigen;
    for (int r = 0; r < options.repetitions; ++r) {
        f_typenet.push_back(bench::time_per_call(
            [&](int n) {
                for (int c = 0; c < n; ++c) {
                    net->forward_batch(*bx, *by);
                    bench::escape(*by);
                }
            },
            calls / 4 + 1));
        f_eigen.push_back(bench::time_per_call(
            [&](int n) {
                for (int c = 0; c < n; ++c) {
                    eigen->forward(*ebx, *eby, *ea, *eb);
                    bench::escape(*eby);
                }
            },
            calls / 4 + 1));
    }
    const auto fa = bench::summarize(f_typenet), fb = bench::summarize(f_eigen);
    // Fraction of the calibrated FMA peak, counting only the network's multiply-adds (no padding).
    constexpr double multiply_adds = double(In) * H + double(H) * H + double(H) * Out;
    std::printf(
        "%-22s forward 256 typenet %8.2f M samples/s  Eigen %8.2f M samples/s  throughput ratio %.2f (best runs %.2f);"
        "  of FMA peak: typenet %.0f%%, Eigen %.0f%%\n",
        name, forward_batch / fa.median_ns * 1e3, forward_batch / fb.median_ns * 1e3, fb.median_ns / fa.median_ns, fb.min_ns / fa.min_ns,
        100 * multiply_adds * forward_batch / fa.median_ns / peak_per_ns, 100 * multiply_adds * forward_batch / fb.median_ns / peak_per_ns);
}

int main(int argc, char** argv) {
    const auto options = bench::parse(argc, argv);
    const int core = bench::pin_to_core(1);
    std::printf("training step (batch %d, MSE, Adam) and batched forward (batch %d); pinned to core %d, %d repetitions, xsimd arch %s\n",
                train_batch, forward_batch, core, options.repetitions, xsimd::default_arch::name());
#ifdef TYPENET_BENCH_DLIB
    std::printf("dlib: its matrix products use %s\n",
#ifdef DLIB_USE_BLAS
                "a BLAS (see ldd for which)"
#else
                "dlib's own kernels (built without BLAS)"
#endif
    );
#else
    std::printf("dlib: skipped (libdlib-dev not installed, or it does not link: see meson's message); no dlib column\n");
#endif
    const double peak_per_ns = bench::fma_peak_per_ns<xsimd::batch<float>>(options.quick ? 3 : 51);
    std::printf("FMA peak (calibrated, %s): %.1f float multiply-adds per ns\n", xsimd::default_arch::name(), peak_per_ns);
    run<16, 64, 8>("B 16-64-64-8 relu", options, peak_per_ns);
    run<128, 256, 10>("C 128-256-256-10 relu", options, peak_per_ns);
}
