// A temporal convolution network (TCN) of residual blocks, streamed one sample at a time. The blocks are
// WaveNet's: a dilated causal convolution into a gated unit, a 1x1 convolution back to the residual width,
// and the shortcut around them; dilations 1, 2, 4, 8 give a receptive field of 31 samples. It learns the
// same nonlinear system as streaming_effect (a one-pole low-pass at 1.5 kHz driving a tanh saturator, at
// 48 kHz) with sequence_trainer, then runs as an audio callback would: a const network, a state per
// channel, no allocation, as a whole buffer at a time (forward_sequence) and sample by sample, which must
// agree. Prints the error on a signal it never saw and the speed; exits 1 if the model misses its accuracy
// target (normalized RMS error below 10%) or the two ways of streaming disagree.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <memory>
#include <numbers>
#include <vector>

#include <typenet/typenet.hpp>

#include "audio_material.hpp"

namespace tn = typenet;

namespace {

using audio_material::distortion;
using audio_material::program_material;

// README: TCN
template <std::size_t Dilation>
using wavenet_block = tn::residual<tn::conv1d<16, 2, Dilation>, tn::gated<>, tn::conv1d<8, 1>>;

using Net = tn::network<tn::input<1>, tn::conv1d<8, 1>,  // 1 channel to the residual width of 8
                        wavenet_block<1>, wavenet_block<2>, wavenet_block<4>, wavenet_block<8>, wavenet_block<1>, wavenet_block<2>,
                        wavenet_block<4>, wavenet_block<8>, tn::dense<1>>;
static_assert(Net::is_stateful && Net::residual_branch_count == 8);
// README: end

}  // namespace

int main() {
    constexpr std::size_t chunk = 64, streams = 8, steps = 800;
    using trainer_type = tn::sequence_trainer<Net, tn::mse, tn::adam, chunk, streams>;
    std::vector<std::vector<float>> inputs(streams), targets(streams);
    for (std::size_t s = 0; s < streams; ++s) {
        inputs[s] = program_material(chunk * steps, s + 1);
        targets[s] = distortion(inputs[s]);
    }
    auto net = std::make_unique<Net>();
    std::printf("%s", tn::summary<Net>("TCN").c_str());
    trainer_type trainer(tn::adam{.lr = 3e-3f});
    trainer.set_clip_norm(1);
    auto xs = std::make_unique<trainer_type::input_sequences>();
    auto ys = std::make_unique<trainer_type::target_sequences>();
    const auto start = std::chrono::steady_clock::now();
    for (std::size_t step = 0; step < steps; ++step) {
        for (std::size_t s = 0; s < streams; ++s)
            for (std::size_t t = 0; t < chunk; ++t) {
                (*xs)[s][t][0] = inputs[s][step * chunk + t];
                (*ys)[s][t][0] = targets[s][step * chunk + t];
            }
        const float loss = trainer.step(*net, *xs, *ys);
        if (step % 200 == 0 || step + 1 == steps) std::printf("step %4zu  loss %.3g\n", step, double(loss));
    }
    std::printf("trained %zu steps of %zu x %zu samples in %.1f s\n", steps, streams, chunk,
                std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());

    // One second the model never saw: sample by sample, and in buffers of 64 (forward_sequence).
    const std::vector<float> x = program_material(48000, 1000);
    const std::vector<float> expected = distortion(x);
    std::vector<float> y(x.size()), buffered(x.size());
    double best_sample = 1e30, best_buffer = 1e30;
    for (int repetition = 0; repetition < 5; ++repetition) {
        Net::state_type state{};
        auto begin = std::chrono::steady_clock::now();
        for (std::size_t n = 0; n < x.size(); ++n) {
            const float in[1] = {x[n]};
            float out[1];
            net->forward(state, in, out);
            y[n] = out[0];
        }
        best_sample = std::min(best_sample, std::chrono::duration<double>(std::chrono::steady_clock::now() - begin).count());
        Net::state_type buffer_state{};
        std::vector<Net::input_type> block(64);
        std::vector<Net::output_type> block_out(64);
        begin = std::chrono::steady_clock::now();
        for (std::size_t n = 0; n + 64 <= x.size(); n += 64) {
            for (std::size_t k = 0; k < 64; ++k) block[k][0] = x[n + k];
            net->forward_sequence(buffer_state, block, block_out);
            for (std::size_t k = 0; k < 64; ++k) buffered[n + k] = block_out[k][0];
        }
        best_buffer = std::min(best_buffer, std::chrono::duration<double>(std::chrono::steady_clock::now() - begin).count());
    }
    double error = 0, signal = 0, disagreement = 0;
    for (std::size_t n = 0; n < x.size(); ++n) {
        error += double(y[n] - expected[n]) * double(y[n] - expected[n]);
        signal += double(expected[n]) * double(expected[n]);
        disagreement = std::max(disagreement, double(std::abs(y[n] - buffered[n])));
    }
    const double nrmse = std::sqrt(error / signal);
    std::printf("unseen signal: normalized RMS error %.2f%%; buffers of 64 against single samples: largest difference %.2g\n",
                100 * nrmse, disagreement);
    std::printf("streaming: %.1f ns per sample one at a time, %.1f ns in buffers of 64 (one core, best of 5)\n", best_sample / 48000 * 1e9,
                best_buffer / 48000 * 1e9);
    return nrmse < 0.10 && disagreement < 1e-4 ? 0 : 1;
}
