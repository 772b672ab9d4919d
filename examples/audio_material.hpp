// The audio material of the streaming examples (streaming_effect, tcn_streaming): a nonlinear system with
// memory to model, and program material to drive it with, at 48 kHz.
#pragma once

#include <cmath>
#include <cstdint>
#include <numbers>
#include <vector>

#include <typenet/random.hpp>

namespace audio_material {

constexpr double sample_rate = 48000;

// The system to model: y = tanh(4 lowpass(x)).
inline std::vector<float> distortion(const std::vector<float>& x) {
    const double pole = std::exp(-2 * std::numbers::pi * 1500 / sample_rate);
    std::vector<float> y(x.size());
    double low = 0;
    for (std::size_t n = 0; n < x.size(); ++n) {
        low = pole * low + (1 - pole) * x[n];
        y[n] = static_cast<float>(std::tanh(4 * low));
    }
    return y;
}

// Test material: three partials (60 Hz ... 3 kHz) under a level that changes every 2 048 samples, plus noise.
inline std::vector<float> program_material(std::size_t length, std::uint64_t seed) {
    typenet::random_stream stream(seed, 1);
    std::vector<float> x(length);
    double frequencies[3], phases[3] = {0, 0, 0}, level = 0.5;
    for (double& f : frequencies) f = 60 * std::pow(50.0, stream.open_uniform());
    for (std::size_t n = 0; n < length; ++n) {
        if (n % 2048 == 0) {
            level = 0.05 + 0.6 * stream.open_uniform();
            frequencies[n / 2048 % 3] = 60 * std::pow(50.0, stream.open_uniform());
        }
        double sum = 0;
        for (std::size_t p = 0; p < 3; ++p) {
            phases[p] += 2 * std::numbers::pi * frequencies[p] / sample_rate;
            sum += std::sin(phases[p]);
        }
        x[n] = static_cast<float>(level * (sum / 3 + 0.1 * stream.symmetric_uniform()));
    }
    return x;
}

}  // namespace audio_material
