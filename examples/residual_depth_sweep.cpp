// Residual networks at depth: what y = x + F(x) does to the signal at initialization, and what the
// depth-aware initializations change (He et al. 2016, identity mappings; Goyal et al. 2017, zero-initialized
// last layers; Fixup: Zhang, Dauphin & Ma 2019; SkipInit: De & Smith 2020).
//
// 1. At initialization: networks of up to 1000 blocks of width 256, x ~ N(0, I), batch 128, zero biases,
//    double precision (He-initialized residual branches multiply the second moment by about 3 per block:
//    3^1000 ~ 1e477 is beyond even double's range as a mean square, so the statistics are computed in the
//    log domain from the double activations, whose entries stay below 1e240). Five variants:
//      plain            2 x (dense<256, he_uniform>, relu) per block: a plain chain of 2000 weight layers
//      he_residual      residual<dense<256, he_uniform>, relu, dense<256, he_uniform>>
//      fixup            residual<fixup, ...>: first layer x L^(-1/2), last layer zero (m = 2)
//      zero_last_layer  residual<zero_last_layer, ...>: last layer zero
//      fixup_drawn      ablation: Fixup's L^(-1/2) on the first layer, the last layer drawn (He) instead of
//                       zero: what the scale alone does to the signal
//    One network of L blocks per variant: the first l blocks of it are an l-block network (each tensor has its
//    own random stream, so they are the same numbers), which gives every depth l <= L at once (fixup_drawn
//    excepted: its scale is L's). Per block, the second moment q_l of x_l (the input of block l + 1) and,
//    for a unit-normal gradient at the output, |dLoss/dx_l| over the batch. The gradient ratio of depth l is
//    that of the last l blocks: |dLoss/dx_(L-l)| / |dLoss/dx_(L-1)| (their input's over their last block's
//    input). Blocks are grouped 10 to a sequential<> layer (the network has ~L/10 layers: a type of 1000
//    layers takes minutes and gigabytes to compile), so the statistics are taken every 10 blocks, plus
//    x_(L-1).
// 2. Training: 30 blocks of width 64 between a dense<64> stem and a dense<1> head, each variant (plus
//    skip_init; not fixup_drawn), plain SGD on depth_sweep's teacher and data (the same batches, step by
//    step), at depth_sweep's learning rate 5e-4 and at 1e-2.
// Writes residual_depth_sweep.csv, residual_training.csv, residual_depth_sweep.svg, residual_gradients.svg
// and residual_training.svg into the directory given as first argument (the current one by default).
// Modes: the full run (L = 1000: 3 to 4 minutes and 4.7 GB of memory on 2 shared cores; each 1000-block
// network is 1.05 GB of doubles, its workspace as much again) makes the committed docs,
// `bash .ci/example residual_depth_sweep docs` (docs/residual-science.md); `--quick` (L = 100, the same
// training: about 35 s with -march=native) is what CI runs as a test (examples/meson.build). The claims are
// checked at the end in bands (at the depths the mode measures); the exit status is non-zero if one fails.
// Kernels are not forced inline (TYPENET_NO_FORCE_INLINE, as in depth_sweep): deep networks gain nothing
// from it and it costs compile time.
#ifndef TYPENET_NO_FORCE_INLINE  // the sanitizer build sets it for everything
#define TYPENET_NO_FORCE_INLINE
#endif
#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <boost/mp11/algorithm.hpp>
#include <boost/mp11/list.hpp>

#include <typenet/typenet.hpp>

#include "svg_plot.hpp"

namespace tn = typenet;
namespace mp = boost::mp11;

// The first layer: the identity matrix (y = x exactly, and its gradient is exactly dLoss/dx), so that the
// backward pass reports the gradient at the input of block 1 (the network's first layer computes none).
struct eye {
    static constexpr std::string_view name = "eye";
    static constexpr bool initializes_weights = true;
    static constexpr bool initializes_biases = false;
    template <class Set>
    static void sample_weights(std::size_t fan_in, std::size_t fan_out, tn::random_stream&, Set&& set) {
        for (std::size_t out = 0; out < fan_out; ++out)
            for (std::size_t in = 0; in < fan_in; ++in) set(out, in, out == in ? 1.0 : 0.0);
    }
};

namespace {

// ---- Part 1: signal propagation at initialization --------------------------------------------------------
constexpr std::size_t width = 256, batch = 128, group = 10;
constexpr std::uint64_t data_seed = 2024, init_seed = 7;

using he = tn::he_uniform;
template <std::size_t N, class... Block>
using blocks_of = mp::mp_rename<mp::mp_repeat_c<mp::mp_list<Block...>, N>, tn::sequential>;

// Layers: eye, (L/10 - 1) groups of 10 blocks, a group of 9, the last block: outputs x_0, x_10, ...,
// x_(L-10), x_(L-1), x_L.
template <std::size_t L, class... Block>
using probe_net = tn::basic_deep_network<double, tn::input<width>, tn::dense<width, eye>, tn::repeat<L / group - 1, blocks_of<group, Block...>>,
                                         blocks_of<group - 1, Block...>, blocks_of<1, Block...>>;

template <std::size_t L>
struct variants {
    using plain = probe_net<L, tn::dense<width, he>, tn::relu, tn::dense<width, he>, tn::relu>;
    using he_residual = probe_net<L, tn::residual<tn::dense<width, he>, tn::relu, tn::dense<width, he>>>;
    using fixup = probe_net<L, tn::residual<tn::fixup, tn::dense<width, he>, tn::relu, tn::dense<width, he>>>;
    using zero_last_layer = probe_net<L, tn::residual<tn::zero_last_layer, tn::dense<width, he>, tn::relu, tn::dense<width, he>>>;
    // Fixup's factor for m = 2 weight layers, L branches (the library's own formula).
    static constexpr double fixup_scale = tn::detail::fixup_factor(L, 2);
    using fixup_drawn = probe_net<L, tn::residual<tn::dense<width, tn::scaled<he, fixup_scale>>, tn::relu, tn::dense<width, he>>>;
    static_assert(fixup::residual_branch_count == L && he_residual::residual_branch_count == L);
};

using input_batch = std::array<std::array<double, width>, batch>;

struct curve {
    std::string name;
    std::vector<std::size_t> blocks;  // l of each point: x_l
    std::vector<double> ln_q;         // ln of the second moment of x_l over the batch
    std::vector<double> ln_gradient;  // ln |dLoss/dx_l| (norm over the batch)
    std::vector<double> cosine;       // mean cosine between x_l of sample b and of sample b + batch/2
    std::vector<double> log10_max;    // log10 of the largest |x_l| entry
    double seconds = 0;
    std::size_t at(std::size_t l) const { return std::size_t(std::find(blocks.begin(), blocks.end(), l) - blocks.begin()); }
    double ln_ratio(std::size_t l) const { return ln_q[at(l)] - ln_q[0]; }
    // The last l blocks: input gradient over the gradient at the last block's input.
    double ln_gradient_ratio(std::size_t l) const {
        const std::size_t last = blocks.back();
        return ln_gradient[at(last - l)] - ln_gradient[at(last - 1)];
    }
};

// Rows scaled by their largest entry: means of squares and norms that would overflow (3^1000) stay finite in
// the log domain. Returns ln of the mean square, log10 of the largest |entry| and ln of the norm (over the
// batch); infinities if an entry is not finite.
struct log_summary {
    double ln_mean_square, log10_max, ln_norm;
};
log_summary summarize(const double* rows, std::size_t stride) {
    double largest = 0;
    for (std::size_t b = 0; b < batch; ++b)
        for (std::size_t k = 0; k < width; ++k) {
            const double a = std::abs(rows[b * stride + k]);
            if (!(a <= largest)) largest = a;  // NaN and inf win
        }
    if (!std::isfinite(largest)) return {HUGE_VAL, HUGE_VAL, HUGE_VAL};
    if (largest == 0) return {-HUGE_VAL, -HUGE_VAL, -HUGE_VAL};
    double sum = 0;
    for (std::size_t b = 0; b < batch; ++b)
        for (std::size_t k = 0; k < width; ++k) {
            const double r = rows[b * stride + k] / largest;
            sum += r * r;
        }
    const double ln_largest = std::log(largest);
    return {2 * ln_largest + std::log(sum / double(batch * width)), std::log10(largest), ln_largest + 0.5 * std::log(sum)};
}

double mean_cosine(const double* rows, std::size_t stride) {
    double total = 0;
    for (std::size_t b = 0; b < batch / 2; ++b) {
        const double* u = rows + b * stride;
        const double* v = rows + (b + batch / 2) * stride;
        double su = 0, sv = 0;
        for (std::size_t k = 0; k < width; ++k) su = std::max(su, std::abs(u[k])), sv = std::max(sv, std::abs(v[k]));
        double uv = 0, uu = 0, vv = 0;
        for (std::size_t k = 0; k < width; ++k) {
            const double a = u[k] / su, c = v[k] / sv;
            uv += a * c, uu += a * a, vv += c * c;
        }
        total += uv / std::sqrt(uu * vv);
    }
    return total / double(batch / 2);
}

template <class Net>
curve measure(const char* name, const input_batch& x) {
    const auto start = std::chrono::steady_clock::now();
    constexpr std::size_t L = (Net::layer_count - 2) * group;  // eye, groups of 10, 9 and 1
    auto net = std::make_unique<Net>();
    net->initialize(init_seed);
    auto work = std::make_unique<tn::workspace<Net, batch>>();
    work->forward(*net, x);
    curve c{name, {}, {}, {}, {}, {}};
    for (std::size_t i = 0; i < Net::layer_count; ++i) {
        c.blocks.push_back(i == 0 ? 0 : i + 1 == Net::layer_count ? L : i + 2 == Net::layer_count ? L - 1 : i * group);
        const log_summary s = summarize(work->output(i), work->row_stride(i));
        c.ln_q.push_back(s.ln_mean_square);
        c.log10_max.push_back(s.log10_max);
        c.cosine.push_back(mean_cosine(work->output(i), work->row_stride(i)));
    }
    // A unit-normal gradient at the output (diagnose's probe), from a stream of its own.
    tn::random_stream stream(init_seed, 0x6469616700000000ull);
    constexpr std::size_t last = Net::layer_count - 1;
    double* gradient = work->output_gradient();
    for (std::size_t b = 0; b < batch; ++b)
        for (std::size_t k = 0; k < width; ++k) gradient[b * work->row_stride(last) + k] = stream.normal();
    c.ln_gradient.assign(Net::layer_count, std::nan(""));
    work->backward(*net, x, [&](std::size_t i, const double* rows, std::size_t stride) { c.ln_gradient[i] = summarize(rows, stride).ln_norm; });
    c.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    return c;
}

template <std::size_t L>
std::vector<curve> sweep(const input_batch& x) {
    using v = variants<L>;
    std::vector<curve> curves;
    curves.push_back(measure<typename v::plain>("plain (He)", x));
    curves.push_back(measure<typename v::he_residual>("residual, He", x));
    curves.push_back(measure<typename v::fixup>("residual, fixup", x));
    curves.push_back(measure<typename v::zero_last_layer>("residual, zero_last_layer", x));
    curves.push_back(measure<typename v::fixup_drawn>("fixup scale, last drawn", x));
    return curves;
}

// ---- Part 2: training ------------------------------------------------------------------------------------
// depth_sweep's task: a fixed random teacher (16 -> 32 tanh -> 1, times 3, seed 2025), fresh N(0, I) inputs
// every step (stream (2024, 1): the same batches as depth_sweep's runs, step by step), MSE, plain SGD (no
// momentum), batch 64, 1500 steps, at depth_sweep's learning rate and at 20 times it.
constexpr std::size_t train_width = 64, train_inputs = 16, train_batch = 64, train_steps = 1500, train_blocks = 30;
constexpr double learning_rates[] = {5e-4, 1e-2};
using teacher = tn::network<tn::input<train_inputs>, tn::dense<32, tn::glorot_normal>, tn::tanh, tn::dense<1, tn::glorot_normal>>;

// A dense stem to width 64 and a dense head, both LeCun (variance-preserving on N(0, I) and on the blocks'
// output), around 30 blocks: 60 weight layers in the blocks, 62 in all.
template <class... Block>
using student = tn::deep_network<tn::input<train_inputs>, tn::dense<train_width, tn::lecun_uniform>, tn::repeat<train_blocks, Block...>,
                                 tn::dense<1, tn::lecun_uniform>>;
using student_plain = student<tn::dense<train_width, he>, tn::relu, tn::dense<train_width, he>, tn::relu>;
using student_he = student<tn::residual<tn::dense<train_width, he>, tn::relu, tn::dense<train_width, he>>>;
using student_fixup = student<tn::residual<tn::fixup, tn::dense<train_width, he>, tn::relu, tn::dense<train_width, he>>>;
using student_zero = student<tn::residual<tn::zero_last_layer, tn::dense<train_width, he>, tn::relu, tn::dense<train_width, he>>>;
using student_skip = student<tn::residual<tn::skip_init, tn::dense<train_width, he>, tn::relu, tn::dense<train_width, he>>>;

struct training_run {
    std::string name;
    double lr = 0;
    std::vector<double> loss;  // per step; non-finite: the trainer skipped the step (the network stays as it was)
    double final_loss = 0;     // mean of the last 100 steps
    std::size_t skipped = 0, first_non_finite = 0;  // step number (1-based); 0: none
    double window(std::size_t first) const {        // mean loss of steps first + 1 ... first + 100
        double sum = 0;
        for (std::size_t s = first; s < first + 100; ++s) sum += loss[s];
        return sum / 100;
    }
};

template <class Net>
training_run train(const char* name, double lr) {
    using trainer_type = tn::trainer<Net, tn::mse, tn::sgd, train_batch>;
    auto net = std::make_unique<Net>();
    net->initialize(init_seed);
    const teacher target_net = [] {
        teacher t;
        t.initialize(data_seed + 1);
        return t;
    }();
    tn::random_stream data(data_seed, 1);
    auto x = std::make_unique<typename trainer_type::input_batch>();
    auto y = std::make_unique<typename trainer_type::target_batch>();
    auto draw = [&] {
        for (std::size_t b = 0; b < train_batch; ++b) {
            for (auto& v : (*x)[b]) v = float(data.normal());
            (*y)[b][0] = 3 * target_net((*x)[b])[0];
        }
    };
    draw();  // depth_sweep's first batch (its LSUV batch), so that the steps below see its steps' batches
    auto trainer = std::make_unique<trainer_type>(tn::sgd{.lr = float(lr), .momentum = 0.0f});
    training_run run{name, lr, {}};
    for (std::size_t step = 0; step < train_steps; ++step) {
        draw();
        const auto result = trainer->try_step(*net, *x, *y);
        run.loss.push_back(result.loss);
        if (result.status != tn::step_status::applied) {
            ++run.skipped;
            if (run.first_non_finite == 0) run.first_non_finite = step + 1;
        }
    }
    run.final_loss = run.window(train_steps - 100);
    std::printf("  %-26s %12.4g %12.4g %12.4g %12.4g %9zu %11zu\n", name, run.loss[0], run.window(0), run.window(400), run.final_loss,
                run.skipped, run.first_non_finite);
    return run;
}

// ---- Output ------------------------------------------------------------------------------------------------
int failures = 0;
void check(bool ok, const std::string& claim, double value) {
    std::printf("  [%s] %s (measured %.6g)\n", ok ? "ok" : "FAILED", claim.c_str(), value);
    failures += !ok;
}

// 10^x, also beyond double's range, as text.
std::string power_of_ten(double log10_value) {
    char text[64];
    if (!std::isfinite(log10_value)) return log10_value > 0 ? "inf" : "0";
    if (std::abs(log10_value) < 300)
        std::snprintf(text, sizeof text, "%.3g", std::pow(10.0, log10_value));
    else
        std::snprintf(text, sizeof text, "%.2fe%+.0f", std::pow(10.0, log10_value - std::floor(log10_value)), std::floor(log10_value));
    return text;
}

std::string with_depth(const char* text, std::size_t l) { return text + std::string(" (l = ") + std::to_string(l) + ")"; }
std::string number(double value) {
    char text[32];
    std::snprintf(text, sizeof text, "%g", value);
    return text;
}

}  // namespace

int main(int argc, char** argv) {
    std::string directory;
    bool quick = false;
    for (int i = 1; i < argc; ++i) {
        if (std::strcmp(argv[i], "--quick") == 0)
            quick = true;
        else
            directory = std::string(argv[i]) + "/";
    }
    const auto start = std::chrono::steady_clock::now();
    auto x = std::make_unique<input_batch>();
    tn::random_stream data(data_seed, 0);
    for (auto& row : *x)
        for (double& v : row) v = data.normal();

    const std::size_t depth = quick ? 100 : 1000;
    std::printf("residual_depth_sweep%s: at initialization, blocks of width %zu, %zu blocks, batch %zu, double, zero biases\n",
                quick ? " --quick" : "", width, depth, batch);
    const std::vector<curve> curves = quick ? sweep<100>(*x) : sweep<1000>(*x);
    std::vector<std::size_t> depths;
    for (std::size_t l : {10, 30, 100, 300, 1000})
        if (l <= depth) depths.push_back(l);
    const curve &plain = curves[0], &he_residual = curves[1], &fixup = curves[2], &zero = curves[3], &fixup_drawn = curves[4];

    std::printf("\nln(q_l / q_0): second moment after l blocks over the input's (ln 3 = 1.0986 per block)\n  %-26s", "variant");
    for (std::size_t l : depths) std::printf(" %11s", ("l = " + std::to_string(l)).c_str());
    std::printf(" %11s %8s\n", "per block", "seconds");
    for (const curve& c : curves) {
        std::printf("  %-26s", c.name.c_str());
        for (std::size_t l : depths) std::printf(" %11.4g", c.ln_ratio(l));
        std::printf(" %11.4g %8.1f\n", c.ln_ratio(depth) / double(depth), c.seconds);
    }
    std::printf("\n|dLoss/dx_(L-l)| / |dLoss/dx_(L-1)|: gradient at the input of the last l blocks over that at the last block's input\n"
                "(unit-normal gradient at the output; ln 3 / 2 = 0.549)\n  %-26s",
                "variant");
    for (std::size_t l : depths) std::printf(" %11s", ("l = " + std::to_string(l)).c_str());
    std::printf(" %11s\n", "ln per block");
    for (const curve& c : curves) {
        std::printf("  %-26s", c.name.c_str());
        for (std::size_t l : depths) std::printf(" %11s", power_of_ten(c.ln_gradient_ratio(l) / std::log(10.0)).c_str());
        std::printf(" %11.4g\n", c.ln_gradient_ratio(depth) / double(depth - 1));
    }
    std::printf("\nmean cosine between the two halves of the batch (x_l of sample b and of sample b + %zu)\n  %-26s", batch / 2, "variant");
    std::printf(" %11s", "input");
    for (std::size_t l : depths) std::printf(" %11s", ("l = " + std::to_string(l)).c_str());
    std::printf("\n");
    for (const curve& c : curves) {
        std::printf("  %-26s %11.4f", c.name.c_str(), c.cosine[0]);
        for (std::size_t l : depths) std::printf(" %11.4f", c.cosine[c.at(l)]);
        std::printf("\n");
    }
    // Where float would have overflowed: between the last measured point below its largest value and the first beyond.
    auto crossing = [&](const std::vector<double>& values, double threshold) {
        for (std::size_t k = 1; k < values.size(); ++k)
            if (values[k] > threshold)
                return "between blocks " + std::to_string(he_residual.blocks[k - 1]) + " and " + std::to_string(he_residual.blocks[k]);
        return "nowhere in " + std::to_string(depth) + " blocks";
    };
    const double float_max = 3.4028234663852886e38;
    std::printf("\nresidual, He: largest |x_l| at l = %zu: %s. Float's largest value, 3.4e38, is passed by the largest activation %s, "
                "by the mean square q_l %s.\n",
                depth, power_of_ten(he_residual.log10_max.back()).c_str(), crossing(he_residual.log10_max, std::log10(float_max)).c_str(),
                crossing(he_residual.ln_q, std::log(float_max)).c_str());
    const double measure_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

    std::vector<training_run> runs;
    for (double lr : learning_rates) {
        std::printf("\nTraining: %zu blocks of width %zu between a dense stem and head, plain SGD lr %g, batch %zu, %zu steps, depth_sweep's "
                    "teacher and data\n  %-26s %12s %12s %12s %12s %9s %11s\n",
                    train_blocks, train_width, lr, train_batch, train_steps, "variant", "first loss", "steps 1-100", "401-500",
                    "last 100", "skipped", "first skip");
        runs.push_back(train<student_plain>("plain (He)", lr));
        runs.push_back(train<student_he>("residual, He", lr));
        runs.push_back(train<student_fixup>("residual, fixup", lr));
        runs.push_back(train<student_zero>("residual, zero_last_layer", lr));
        runs.push_back(train<student_skip>("residual, skip_init", lr));
    }
    constexpr std::size_t variants_trained = 5;

    // CSV: one row per (variant, measured block); training: one row per (variant, learning rate, 25 steps).
    if (FILE* csv = std::fopen((directory + "residual_depth_sweep.csv").c_str(), "w")) {
        std::fprintf(csv, "variant,blocks,block,ln_second_moment_ratio,ln_gradient_norm,mean_cosine,log10_max_abs\n");
        for (const curve& c : curves)
            for (std::size_t k = 0; k < c.blocks.size(); ++k)
                std::fprintf(csv, "%s,%zu,%zu,%.6g,%.6g,%.6g,%.6g\n", c.name.c_str(), depth, c.blocks[k], c.ln_q[k] - c.ln_q[0], c.ln_gradient[k],
                             c.cosine[k], c.log10_max[k]);
        std::fclose(csv);
    }
    constexpr std::size_t window = 25;  // per-batch losses are noisy: means of 25 steps (the figure's points)
    if (FILE* csv = std::fopen((directory + "residual_training.csv").c_str(), "w")) {
        std::fprintf(csv, "variant,lr,first_step,last_step,mean_loss\n");
        for (const training_run& r : runs)
            for (std::size_t first = 0; first + window <= r.loss.size(); first += window) {
                double sum = 0;
                for (std::size_t s = first; s < first + window; ++s) sum += r.loss[s];
                std::fprintf(csv, "%s,%g,%zu,%zu,%.6g\n", r.name.c_str(), r.lr, first + 1, first + window, sum / window);
            }
        std::fclose(csv);
    }
    // The figures: every 10 blocks (x_(L-1) left out, so that the x axis is regular).
    auto every_group = [](const curve& c, const std::vector<double>& values) {
        std::vector<double> out;
        for (std::size_t k = 0; k < c.blocks.size(); ++k)
            if (c.blocks[k] % group == 0) out.push_back(values[k]);
        return out;
    };
    const std::string across = std::to_string(depth) + " blocks of width 256";
    svg_plot::figure forward(3, 3);
    for (const curve& c : curves) {
        std::vector<double> log10_ratio = every_group(c, c.ln_q), ratio;
        for (double& v : log10_ratio) v = (v - c.ln_q[0]) / std::log(10.0);
        for (double v : log10_ratio) ratio.push_back(std::pow(10.0, v));
        forward.panel(0).add(c.name, log10_ratio, 0, group);
        if (&c != &he_residual) forward.panel(1).add(c.name, ratio, 0, group);
        forward.panel(2).add(c.name, every_group(c, c.cosine), 0, group);
    }
    forward.panel(0).title = "log10 q_l / q_0, " + across;
    forward.panel(1).title = "q_l / q_0 (log scale), all but residual, He";
    forward.panel(2).title = "mean cosine of two samples' x_l";
    forward.panel(0).linear = forward.panel(2).linear = true;
    for (std::size_t p = 0; p < 3; ++p) forward.panel(p).x_label = "block l";
    forward.write(directory + "residual_depth_sweep.svg");

    svg_plot::figure backward(2, 2);
    for (const curve& c : curves) {
        std::vector<double> log10_norm = every_group(c, c.ln_gradient), norm;
        for (double& v : log10_norm) v = (v - c.ln_gradient.back()) / std::log(10.0);
        for (double v : log10_norm) norm.push_back(std::pow(10.0, v));
        backward.panel(0).add(c.name, log10_norm, 0, group);
        if (&c != &he_residual) backward.panel(1).add(c.name, norm, 0, group);
    }
    backward.panel(0).title = "log10 |dLoss/dx_l| / |dLoss/dx_" + std::to_string(depth) + "|, " + across;
    backward.panel(1).title = "the same (log scale), all but residual, He";
    backward.panel(0).linear = true;
    backward.panel(0).x_label = backward.panel(1).x_label = "block l (the gradient travels from right to left)";
    backward.write(directory + "residual_gradients.svg");

    svg_plot::figure training(2, 2);
    for (std::size_t i = 0; i < runs.size(); ++i) {
        const training_run& r = runs[i];
        std::vector<double> means;
        for (std::size_t first = 0; first + window <= r.loss.size(); first += window) {
            double sum = 0;
            for (std::size_t s = first; s < first + window; ++s) sum += r.loss[s];
            means.push_back(sum / window);
        }
        training.panel(i / variants_trained).add(r.name, means, window, window);
    }
    for (std::size_t p = 0; p < 2; ++p) {
        char title[160];
        std::snprintf(title, sizeof title, "%zu blocks of width %zu, plain SGD lr %g, batch %zu: loss (mean of 25 steps)", train_blocks,
                      train_width, learning_rates[p], train_batch);
        training.panel(p).title = title;
        training.panel(p).x_label = "step";
    }
    training.write(directory + "residual_training.svg");
    std::printf("\nwrote %sresidual_depth_sweep.csv, %sresidual_training.csv, %sresidual_depth_sweep.svg, %sresidual_gradients.svg, "
                "%sresidual_training.svg\n",
                directory.c_str(), directory.c_str(), directory.c_str(), directory.c_str(), directory.c_str());

    // ---- The claims, in bands (the numbers are deterministic given the seeds; the bands leave room for the
    // last bits that instruction sets and compilers change, and state what the theory predicts).
    std::printf("\nClaims:\n");
    double identity_error = 0;  // largest |ln q_l - ln q_0| and |ln g_l - ln g_L| over every measured point
    for (const curve* c : {&fixup, &zero})
        for (std::size_t k = 0; k < c->blocks.size(); ++k)
            identity_error = std::max({identity_error, std::abs(c->ln_q[k] - c->ln_q[0]), std::abs(c->ln_gradient[k] - c->ln_gradient.back()),
                                       std::abs(c->cosine[k] - c->cosine[0])});
    check(identity_error < 1e-12,
          "fixup and zero_last_layer are the identity at initialization: q_l = q_0, |dLoss/dx_l| = |dLoss/dx_L| and the cosines kept, at "
          "every measured block (largest |difference of logarithms| < 1e-12)",
          identity_error);
    for (std::size_t l : depths) {
        const double growth = he_residual.ln_ratio(l) / double(l);
        check(std::abs(growth - std::log(3.0)) < 0.1,
              with_depth("residual, He: the second moment grows geometrically, ln(q_l/q_0)/l within ln 3 +- 0.1 (not ln 2 = 0.69)", l), growth);
    }
    for (std::size_t l : depths) {
        const double growth = he_residual.ln_gradient_ratio(l) / double(l - 1);
        check(std::abs(growth - std::log(3.0) / 2) < 0.06, with_depth("residual, He: the gradient norm grows going back, ln per block within ln 3 / 2 +- 0.06", l),
              growth);
    }
    const double drawn_forward = fixup_drawn.ln_ratio(depth), drawn_backward = fixup_drawn.ln_gradient_ratio(depth);
    check(drawn_forward > 1.6 && drawn_forward < 2.4,
          "fixup scale with the last layer drawn: ln(q_L/q_0) = L ln(1 + 2/L) ~ 2 (+- 0.4): O(1) over the whole depth", drawn_forward);
    check(drawn_backward > 0.7 && drawn_backward < 1.3, "fixup scale with the last layer drawn: ln of the gradient ratio ~ 1 (+- 0.3)",
          drawn_backward);
    const double plain_drift = plain.ln_ratio(depth) / double(2 * depth);
    check(plain_drift > -0.025 && plain_drift < 0,
          "plain He chain: ln q drifts down slowly, per weight layer in (-0.025, 0) (finite width: about -2.5/256 = -0.0098)", plain_drift);
    const double plain_gradient = plain.ln_gradient_ratio(depth) / double(depth - 1);
    check(std::abs(plain_gradient) < 0.03, "plain He chain: no geometric trend of the gradient like residual, He's: |ln per block| < 0.03",
          plain_gradient);
    if (depth >= 1000) {
        check(plain.ln_ratio(1000) < std::log(1e-5), "plain He chain, 1000 blocks (2000 weight layers): q_1000/q_0 < 1e-5",
              std::exp(plain.ln_ratio(1000)));
        check(plain.ln_gradient_ratio(1000) < std::log(1e-3), "plain He chain, 1000 blocks: |dLoss/dx_0| < 1e-3 |dLoss/dx_999|",
              std::exp(plain.ln_gradient_ratio(1000)));
    }
    for (const curve* c : {&plain, &he_residual})
        check(c->cosine[c->at(100)] > 0.99, c->name + ": the samples' directions collapse, mean cosine after 100 blocks > 0.99",
              c->cosine[c->at(100)]);

    const training_run* low = &runs[0];
    const training_run* high = &runs[variants_trained];
    for (const training_run* r : {low, high})
        check(r[1].skipped >= train_steps - 10,
              "training, lr " + number(r[1].lr) + ": residual, He diverges at once (non-finite loss, every step but the first few skipped)",
              double(r[1].skipped));
    for (std::size_t v : {2, 3, 4})
        check(low[v].final_loss < 0.4 && low[v].final_loss < 0.75 * low[0].final_loss,
              "training, lr " + number(low[v].lr) + ": " + low[v].name + " trains: last 100 steps < 0.4 and < 3/4 of the plain chain's", low[v].final_loss);
    for (std::size_t v : {2, 4})
        check(high[v].final_loss < 0.4 && high[v].skipped == 0, "training, lr " + number(high[v].lr) + ": " + high[v].name + " trains: last 100 steps < 0.4, no step skipped",
              high[v].final_loss);
    for (std::size_t v : {0, 3})
        check(high[v].skipped >= train_steps - 10,
              "training, lr " + number(high[v].lr) + ": " + high[v].name + " diverges (non-finite loss, every step but the first few skipped)", double(high[v].skipped));

    std::printf("time: measurements at initialization %.1f s, total %.1f s\n", measure_seconds,
                std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
    return failures == 0 ? 0 : 1;
}
