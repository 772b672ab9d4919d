// nam_render MODEL.nam IN.wav OUT.wav [--block N] [--size S]
// Runs a Neural Amp Modeler capture over a mono WAV file (16- or 24-bit PCM, or 32-bit float) and writes a
// 32-bit float WAV: the model is loaded into typenet::nam::model (the A1 WaveNet presets and NAM's LSTMs),
// prewarmed as NAM Core does, and run in blocks of N frames (default 64). Prints the architecture it chose
// and the real-time factor. Any bad input: a message on stderr and exit status 1.
//
// Documentation: docs/nam.md
// Distributed under the Boost Software License, Version 1.0 (see LICENSE or https://www.boost.org/LICENSE_1_0.txt).
#include <sndfile.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include <typenet/models/nam.hpp>

namespace {

// The default list (the A1 presets, NAM's LSTMs) and the two small example models NAM Core ships
// (example_models/wavenet.nam and lstm.nam): a user's own architectures join the list the same way.
using core_example_wavenet =
    typenet::network<typenet::input<1>, typenet::nam::wavenet<typenet::nam::layer_array<1, 3, 2, 3, typenet::nam::dilations<1, 2>>,
                                                              typenet::nam::layer_array<3, 2, 1, 3, typenet::nam::dilations<8>, typenet::tanh, false, true>>>;
using render_model = typenet::nam::model_with<core_example_wavenet, typenet::nam::lstm_model<1, 3>>;

struct sound_file {
    SNDFILE* handle = nullptr;
    ~sound_file() {
        if (handle) sf_close(handle);
    }
};

std::vector<float> read_mono(const std::string& path, double& sample_rate) {
    SF_INFO info{};
    sound_file file{sf_open(path.c_str(), SFM_READ, &info)};
    if (!file.handle) throw std::runtime_error("cannot read " + path + ": " + sf_strerror(nullptr));
    const int subtype = info.format & SF_FORMAT_SUBMASK;
    if ((info.format & SF_FORMAT_TYPEMASK) != SF_FORMAT_WAV ||
        (subtype != SF_FORMAT_PCM_16 && subtype != SF_FORMAT_PCM_24 && subtype != SF_FORMAT_FLOAT))
        throw std::runtime_error(path + ": expected a WAV file of 16- or 24-bit PCM or 32-bit float samples");
    if (info.channels != 1) throw std::runtime_error(path + ": expected a mono file, found " + std::to_string(info.channels) + " channels");
    std::vector<float> samples(static_cast<std::size_t>(info.frames));
    if (sf_readf_float(file.handle, samples.data(), info.frames) != info.frames) throw std::runtime_error(path + ": the file is truncated");
    sample_rate = info.samplerate;
    return samples;
}

void write_float(const std::string& path, const std::vector<float>& samples, int sample_rate) {
    SF_INFO info{};
    info.samplerate = sample_rate;
    info.channels = 1;
    info.format = SF_FORMAT_WAV | SF_FORMAT_FLOAT;
    sound_file file{sf_open(path.c_str(), SFM_WRITE, &info)};
    if (!file.handle) throw std::runtime_error("cannot write " + path + ": " + sf_strerror(nullptr));
    if (sf_writef_float(file.handle, samples.data(), static_cast<sf_count_t>(samples.size())) != static_cast<sf_count_t>(samples.size()))
        throw std::runtime_error("cannot write " + path + ": " + sf_strerror(file.handle));
}

std::size_t parse_block(const std::string& text) {
    char* end = nullptr;
    const long value = std::strtol(text.c_str(), &end, 10);
    if (text.empty() || *end != '\0' || value < 1 || value > 65536)
        throw std::runtime_error("--block: expected a whole number of frames from 1 to 65536, found '" + text + "'");
    return static_cast<std::size_t>(value);
}

double parse_size(const std::string& text) {
    char* end = nullptr;
    const double value = std::strtod(text.c_str(), &end);
    if (text.empty() || *end != '\0' || !(value >= 0 && value <= 1))
        throw std::runtime_error("--size: expected a number from 0 to 1, found '" + text + "'");
    return value;
}

int run(int argc, char** argv) {
    std::vector<std::string> positional;
    std::size_t block = 64;
    double size = 1;
    for (int i = 1; i < argc; ++i) {
        const std::string argument = argv[i];
        if (argument == "--block" || argument == "--size") {
            if (i + 1 >= argc) throw std::runtime_error(argument + ": expected a value after it");
            if (argument == "--block")
                block = parse_block(argv[++i]);
            else
                size = parse_size(argv[++i]);
        } else if (argument.starts_with("--")) {
            throw std::runtime_error("unknown option " + argument);
        } else {
            positional.push_back(argument);
        }
    }
    if (positional.size() != 3) throw std::runtime_error("expected MODEL.nam IN.wav OUT.wav, found " + std::to_string(positional.size()) + " file names");

    // Slimmable files (whose size --size picks) are read by a later version: the reader names what they use.
    const typenet::nam::model_file file = typenet::nam::read_model_file(positional[0]);
    auto model = std::make_unique<render_model>(file);
    double input_rate = 0;
    const std::vector<float> input = read_mono(positional[1], input_rate);
    if (model->sample_rate() && *model->sample_rate() != input_rate)
        throw std::runtime_error(positional[1] + " is at " + std::to_string(static_cast<long>(input_rate)) + " Hz, the model at " +
                                 std::to_string(static_cast<long>(*model->sample_rate())) + " Hz: resample the input first");

    std::vector<float> output(input.size());
    model->reset(block);
    const auto start = std::chrono::steady_clock::now();
    for (std::size_t t = 0; t < input.size(); t += block) {
        const std::size_t frames = std::min(block, input.size() - t);
        model->process(input.data() + t, output.data() + t, frames);
    }
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    for (float sample : output)
        if (!std::isfinite(sample)) throw std::runtime_error("the model's output is not finite: the weights are broken");
    write_float(positional[2], output, static_cast<int>(input_rate));

    const double audio_seconds = static_cast<double>(input.size()) / input_rate;
    std::printf("model: %s\n", model->description().c_str());
    std::printf("architecture: entry %zu of the list, %s%s\n", model->index(), typenet::nam::declaration_for(file).c_str(),
                size < 1 ? " (--size ignored: the model is not slimmable)" : "");
    std::printf("prewarm: %zu samples; blocks of %zu frames\n", model->prewarm_samples(), block);
    std::printf("%.2f s of audio in %.4f s: real-time factor %.1f\n", audio_seconds, seconds, audio_seconds / seconds);
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    try {
        return run(argc, argv);
    } catch (const std::exception& error) {
        std::fprintf(stderr, "nam_render: %s\n", error.what());
        return 1;
    }
}
