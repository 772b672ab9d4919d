// Neural Amp Modeler models in real time: how many seconds of 48 kHz audio typenet::nam::model runs per
// second of one core (the real-time factor, RTF: higher is faster), for the A1 WaveNet presets (standard,
// lite, feather, nano) and the LSTMs 1x16 and 2x8, in blocks of 1, 16, 64 and 256 frames, on two inputs:
// silence (what the peers' own benchmark programs feed) and a guitar recording (--input).
//   weights   random by default (the type's initialize(seed): the work does not depend on the values), or a
//             .nam file (--model: then only that file's architecture, loaded as a user would)
//   timing    per model, every block size x input is one contender; each repetition runs every contender
//             once (interleaved, so machine noise hits all alike): reset(block) (NAM Core's prewarm,
//             untimed), then --seconds of audio in blocks. One untimed pass first. Median and minimum
//             time over the repetitions, given as RTF and as ns per sample.
//   floor     per model, what no schedule goes below: its multiply-adds per sample at the FMA peak of one
//             core, estimated as lanes x FMA units x clock, beside the peak measured here; and the
//             tanh / sigmoid evaluations per sample.
// Run: taskset -c 1 build/bench/nam_realtime [--input ../shared/nam/input.wav] [--model FILE.nam]
//        [--block N] [--seconds S] [--repetitions N] [--quick]
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iterator>
#include <memory>
#include <stdexcept>
#include <string>
#include <variant>
#include <vector>

#include <typenet/models/nam.hpp>

#include "bench_util.hpp"

namespace tn = typenet;
namespace nam = typenet::nam;

namespace {

constexpr double sample_rate = 48000;
// FMA units per core assumed for the estimate: two on every x86 core since Haswell and Zen 2 (some Xeon
// Bronze/Silver parts have one 512-bit unit); the measured peak beside it is what this core does.
constexpr int fma_units = 2;

struct settings {
    double seconds = 2;
    int repetitions = 7;
    std::size_t block = 0;  // 0: 1, 16, 64 and 256
    std::string model, input;
    bool quick = false;
};

[[noreturn]] void usage(const char* program, const std::string& problem) {
    std::fprintf(stderr,
                 "%s: %s\nusage: %s [--seconds S] [--repetitions N] [--block N] [--model FILE.nam] [--input FILE.wav] [--quick]\n",
                 program, problem.c_str(), program);
    std::exit(2);
}

settings parse(int argc, char** argv) {
    settings result;
    bool seconds_given = false, repetitions_given = false;
    for (int i = 1; i < argc; ++i) {
        const std::string argument = argv[i];
        const auto value = [&]() -> std::string {
            if (i + 1 >= argc) usage(argv[0], argument + " needs a value");
            return argv[++i];
        };
        const auto number = [&](double low, double high) {
            const std::string text = value();
            char* end = nullptr;
            const double parsed = std::strtod(text.c_str(), &end);
            if (text.empty() || *end != '\0' || !(parsed >= low && parsed <= high))
                usage(argv[0], argument + ": expected a number from " + std::to_string(low) + " to " + std::to_string(high) + ", found '" + text + "'");
            return parsed;
        };
        if (argument == "--quick") {
            result.quick = true;
        } else if (argument == "--seconds") {
            result.seconds = number(0.001, 3600);
            seconds_given = true;
        } else if (argument == "--repetitions") {
            result.repetitions = static_cast<int>(number(1, 100000));
            repetitions_given = true;
        } else if (argument == "--block") {
            const double block = number(1, 4096);
            if (block != std::floor(block)) usage(argv[0], "--block: expected a whole number of frames");
            result.block = static_cast<std::size_t>(block);
        } else if (argument == "--model") {
            result.model = value();
        } else if (argument == "--input") {
            result.input = value();
        } else {
            usage(argv[0], "unknown argument " + argument);
        }
    }
    if (result.quick) {
        if (!seconds_given) result.seconds = 0.02;
        if (!repetitions_given) result.repetitions = 2;
    }
    return result;
}

// /proc/cpuinfo's value of `key` for the first core ("" when absent, e.g. off Linux).
std::string cpuinfo(const std::string& key) {
    std::ifstream file("/proc/cpuinfo");
    for (std::string line; std::getline(file, line);) {
        if (!line.starts_with(key)) continue;
        const auto colon = line.find(':');
        if (colon == std::string::npos) continue;
        const auto start = line.find_first_not_of(" \t", colon + 1);
        return start == std::string::npos ? "" : line.substr(start);
    }
    return "";
}

// A WAV file's first channel as floats: 16-, 24- or 32-bit PCM (scaled by 2^(bits-1), as NAM Core's
// AudioDSPTools reads it) or 32-bit IEEE float. The RIFF chunks are walked by hand (fmt and data; any
// other chunk skipped), so the bench needs no audio library.
std::vector<float> read_wav(const std::string& path, double& rate) {
    std::ifstream file(path, std::ios::binary);
    if (!file) throw std::runtime_error("cannot open " + path);
    const std::vector<unsigned char> bytes((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
    const auto u16 = [&](std::size_t at) { return std::uint32_t(bytes[at]) | std::uint32_t(bytes[at + 1]) << 8; };
    const auto u32 = [&](std::size_t at) { return u16(at) | u16(at + 2) << 16; };
    if (bytes.size() < 12 || std::memcmp(bytes.data(), "RIFF", 4) != 0 || std::memcmp(bytes.data() + 8, "WAVE", 4) != 0)
        throw std::runtime_error(path + ": not a RIFF WAVE file");
    std::uint32_t format = 0, channels = 0, bits = 0;
    bool have_format = false;
    for (std::size_t at = 12; at + 8 <= bytes.size();) {
        const std::uint32_t size = u32(at + 4);
        const std::size_t body = at + 8, available = std::min<std::size_t>(size, bytes.size() - body);
        if (std::memcmp(bytes.data() + at, "fmt ", 4) == 0 && available >= 16) {
            format = u16(body);
            channels = u16(body + 2);
            rate = u32(body + 4);
            bits = u16(body + 14);
            if (format == 0xFFFE && available >= 26) format = u16(body + 24);  // WAVE_FORMAT_EXTENSIBLE: the subformat's tag
            have_format = true;
        } else if (std::memcmp(bytes.data() + at, "data", 4) == 0) {
            if (!have_format) throw std::runtime_error(path + ": data chunk before the fmt chunk");
            const bool pcm = format == 1 && (bits == 16 || bits == 24 || bits == 32), ieee = format == 3 && bits == 32;
            if ((!pcm && !ieee) || channels == 0)
                throw std::runtime_error(path + ": expected 16-, 24- or 32-bit PCM or 32-bit float samples (format " + std::to_string(format) +
                                         ", " + std::to_string(bits) + " bits)");
            const std::size_t width = bits / 8, frame = width * channels, frames = available / frame;
            std::vector<float> samples(frames);
            for (std::size_t t = 0; t < frames; ++t) {
                const unsigned char* p = bytes.data() + body + t * frame;
                if (ieee) {
                    const std::uint32_t word = u32(static_cast<std::size_t>(p - bytes.data()));
                    std::memcpy(&samples[t], &word, 4);
                } else {
                    std::uint32_t word = 0;
                    for (std::size_t b = 0; b < width; ++b) word |= std::uint32_t(p[b]) << (8 * (4 - width + b));
                    // The sample in the word's top bits: an arithmetic shift back gives its sign.
                    samples[t] = static_cast<float>(static_cast<std::int32_t>(word) >> (8 * (4 - width))) / static_cast<float>(1u << (bits - 1));
                }
            }
            if (frames == 0) throw std::runtime_error(path + ": no samples");
            return samples;
        }
        at = body + size + (size & 1);  // chunks are padded to an even length
    }
    throw std::runtime_error(path + ": no data chunk");
}

// The work of one sample, from the architecture as a .nam file gives it.
struct cost {
    double multiply_adds = 0, tanh = 0, sigmoid = 0;
};

cost cost_of(const nam::model_file& file) {
    cost result;
    if (const auto* lstm = std::get_if<nam::lstm_config>(&file.config)) {
        const double h = static_cast<double>(lstm->hidden_size);
        for (std::size_t l = 0; l < lstm->num_layers; ++l) {
            const double in = l == 0 ? static_cast<double>(lstm->input_size) : h;
            result.multiply_adds += 4 * h * (in + h);  // [i f g o] = W [x; h] + b
            result.sigmoid += 3 * h;                    // i, f, o
            result.tanh += 2 * h;                       // g, tanh(c)
        }
        result.multiply_adds += h;  // the head
        return result;
    }
    for (const auto& a : std::get<nam::wavenet_config>(file.config).layers) {
        const double ch = static_cast<double>(a.channels), z = a.gated ? 2 * ch : ch;
        result.multiply_adds += static_cast<double>(a.input_size) * ch;  // rechannel
        for (std::size_t d = 0; d < a.dilations.size(); ++d) {
            (void)d;
            result.multiply_adds += z * ch * static_cast<double>(a.kernel_size)  // dilated convolution
                                    + z * static_cast<double>(a.condition_size)  // input mixin
                                    + ch * ch;                                   // 1x1
            if (a.gated) {
                result.tanh += ch;
                result.sigmoid += ch;
            } else if (a.activation.name == "Tanh") {
                result.tanh += ch;
            } else if (a.activation.name == "Sigmoid") {
                result.sigmoid += ch;
            }
        }
        result.multiply_adds += static_cast<double>(a.head_size) * ch;  // head rechannel
    }
    result.multiply_adds += 1;  // head_scale
    return result;
}

struct contestant {
    std::string name;
    std::unique_ptr<nam::model> model;
    cost work;
};

template <class Net>
contestant random_model(const char* name, std::uint64_t seed) {
    auto net = std::make_unique<Net>();
    net->initialize(seed);
    const nam::model_file file = nam::to_model_file(*net);
    return {name, std::make_unique<nam::model>(file), cost_of(file)};
}

struct signal {
    const char* name;
    std::vector<float> samples;
};

void run_model(contestant& c, const std::vector<std::size_t>& blocks, const std::vector<signal>& inputs, const settings& options,
               double estimated_peak_per_ns, double measured_peak_per_ns) {
    const std::size_t frames = inputs.front().samples.size();
    std::vector<float> output(frames);
    struct entry {
        std::size_t block;
        const signal* input;
        std::vector<double> ns_per_sample;
    };
    std::vector<entry> entries;
    for (const std::size_t block : blocks)
        for (const auto& input : inputs) entries.push_back({block, &input, {}});
    const auto pass = [&](const entry& e) {
        c.model->reset(e.block);
        return bench::time_per_call(
            [&](int n) {
                const float* in = e.input->samples.data();
                for (std::size_t t = 0; t < static_cast<std::size_t>(n); t += e.block)
                    c.model->process(in + t, output.data() + t, std::min(e.block, static_cast<std::size_t>(n) - t));
                bench::escape(output[0]);
            },
            static_cast<int>(frames));
    };
    for (auto& e : entries) pass(e);  // warm-up
    for (int r = 0; r < options.repetitions; ++r)
        for (auto& e : entries) e.ns_per_sample.push_back(pass(e));
    for (const float y : output)
        if (!std::isfinite(y)) {
            std::printf("%s: the output is not finite\n", c.name.c_str());
            std::exit(1);
        }
    const double to_rtf = 1e9 / sample_rate;  // ns of one sample's audio
    for (auto& e : entries) {
        const auto t = bench::summarize(e.ns_per_sample);
        std::printf("%-16s %5zu  %-8s %10.2f %10.2f %10.1f %10.1f\n", c.name.c_str(), e.block, e.input->name, to_rtf / t.median_ns, to_rtf / t.min_ns,
                    t.median_ns, t.min_ns);
    }
    const double estimated = c.work.multiply_adds / estimated_peak_per_ns, measured = c.work.multiply_adds / measured_peak_per_ns;
    std::printf("  floor of %s: %.0f multiply-adds, %.0f tanh, %.0f sigmoid per sample; at the FMA peak %.1f ns/sample estimated "
                "(RTF %.0f), %.1f ns measured peak (RTF %.0f)\n",
                c.name.c_str(), c.work.multiply_adds, c.work.tanh, c.work.sigmoid, estimated, to_rtf / estimated, measured, to_rtf / measured);
    std::fflush(stdout);
}

int run(int argc, char** argv) {
    const settings options = parse(argc, argv);
    const int core = bench::pin_to_core(1);

    std::vector<std::size_t> blocks = {1, 16, 64, 256};
    if (options.block) blocks = {options.block};
    const std::size_t frames = std::max<std::size_t>(static_cast<std::size_t>(std::llround(options.seconds * sample_rate)), 1);
    std::vector<signal> inputs;
    inputs.push_back({"silence", std::vector<float>(frames, 0.0f)});
    if (!options.input.empty()) {
        double rate = 0;
        const std::vector<float> recording = read_wav(options.input, rate);
        if (rate != sample_rate)
            std::fprintf(stderr, "nam_realtime: %s is at %.0f Hz; its samples are timed as 48 kHz audio\n", options.input.c_str(), rate);
        std::vector<float> looped(frames);
        for (std::size_t t = 0; t < frames; ++t) looped[t] = recording[t % recording.size()];
        inputs.push_back({"guitar", std::move(looped)});
    }

    std::vector<contestant> models;
    if (!options.model.empty()) {
        const nam::model_file file = nam::read_model_file(options.model);
        models.push_back({std::filesystem::path(options.model).stem().string(), std::make_unique<nam::model>(file), cost_of(file)});
    } else {
        models.push_back(random_model<nam::standard>("standard", 1));
        models.push_back(random_model<nam::lite>("lite", 2));
        models.push_back(random_model<nam::feather>("feather", 3));
        models.push_back(random_model<nam::nano>("nano", 4));
        models.push_back(random_model<nam::lstm_1x16>("lstm_1x16", 5));
        models.push_back(random_model<nam::lstm_2x8>("lstm_2x8", 6));
    }

    using batch = tn::simd::batch<float>;
    const std::string mhz_text = cpuinfo("cpu MHz");
    const double mhz = mhz_text.empty() ? 0 : std::atof(mhz_text.c_str());
    const double measured_peak = bench::fma_peak_per_ns<batch>(options.quick ? 3 : 51);
    const double estimated_peak = mhz > 0 ? double(batch::size) * fma_units * mhz / 1000 : measured_peak;
    const std::string cpu = cpuinfo("model name");

    std::printf("NAM models in real time at 48 kHz: typenet::nam::model, %s weights, pinned to core %d\n",
                options.model.empty() ? "random" : ("the file's (" + options.model + ")").c_str(), core);
    std::printf("CPU: %s; xsimd arch %s (%zu float lanes)\n", cpu.empty() ? "unknown" : cpu.c_str(), xsimd::default_arch::name(), batch::size);
    std::printf("FMA peak: estimated %.1f multiply-adds/ns = %zu lanes x %d FMA units x %.0f MHz (/proc/cpuinfo \"cpu MHz\" of the first "
                "core%s); measured %.1f\n",
                estimated_peak, batch::size, fma_units, mhz, mhz > 0 ? "" : ": absent, so the measured peak", measured_peak);
    std::printf("%.3f s of audio per pass, %d repetitions interleaved over the block sizes and inputs, reset(block) before each pass\n",
                double(frames) / sample_rate, options.repetitions);
    std::printf("RTF = seconds of audio per second (higher is faster): at the median time and at the minimum time\n");
    std::printf("%-16s %5s  %-8s %10s %10s %10s %10s\n", "model", "block", "input", "RTF median", "RTF min-t", "ns median", "ns min");
    for (auto& c : models) run_model(c, blocks, inputs, options, estimated_peak, measured_peak);
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    try {
        return run(argc, argv);
    } catch (const std::exception& error) {
        std::fprintf(stderr, "nam_realtime: %s\n", error.what());
        return 1;
    }
}
