// .nam files and NAM types: which configuration a type is (nam::architecture<Net>), loading a file into a
// network of that type and writing one back (nam::load, nam::to_model_file, nam::save), and nam::model_of,
// which holds one of a compile-time list of architectures chosen at run time from the file.
//
// Documentation: docs/nam.md
// Distributed under the Boost Software License, Version 1.0 (see LICENSE or https://www.boost.org/LICENSE_1_0.txt).
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <filesystem>
#include <memory>
#include <new>
#include <optional>
#include <span>
#include <string>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

#include <boost/mp11/algorithm.hpp>

#include "../../io/error.hpp"
#include "../../io/nam.hpp"
#include "../../network.hpp"
#include "activations.hpp"
#include "presets.hpp"

namespace typenet::nam::detail {

// NAM's name of a typenet activation (and its parameter), for the configs a type describes.
template <class Activation>
struct activation_spelling {
    static constexpr bool known = false;
};
template <>
struct activation_spelling<typenet::tanh> {
    static constexpr bool known = true;
    static activation_config config() { return {"Tanh", {}}; }
};
template <>
struct activation_spelling<typenet::relu> {
    static constexpr bool known = true;
    static activation_config config() { return {"ReLU", {}}; }
};
template <>
struct activation_spelling<typenet::sigmoid> {
    static constexpr bool known = true;
    static activation_config config() { return {"Sigmoid", {}}; }
};
template <float Slope>
struct activation_spelling<typenet::leaky_relu<Slope>> {
    static constexpr bool known = true;
    static activation_config config() { return {"LeakyReLU", {static_cast<double>(Slope)}}; }
};
template <>
struct activation_spelling<nam::hardtanh> {
    static constexpr bool known = true;
    static activation_config config() { return {"Hardtanh", {}}; }
};
template <>
struct activation_spelling<nam::silu> {
    static constexpr bool known = true;
    static activation_config config() { return {"SiLU", {}}; }
};
template <>
struct activation_spelling<nam::softsign> {
    static constexpr bool known = true;
    static activation_config config() { return {"Softsign", {}}; }
};
template <>
struct activation_spelling<nam::hardswish> {
    static constexpr bool known = true;
    static activation_config config() { return {"Hardswish", {}}; }
};
template <float MinValue, float MaxValue, float MinSlope, float MaxSlope>
struct activation_spelling<nam::leaky_hardtanh<MinValue, MaxValue, MinSlope, MaxSlope>> {
    static constexpr bool known = true;
    static activation_config config() {
        return {"LeakyHardtanh", {double(MinValue), double(MaxValue), double(MinSlope), double(MaxSlope)}};
    }
};

// Activations are equal when named alike with the same parameters; a LeakyReLU without a slope has NAM
// Core's default, 0.01. Slopes are compared as floats (the type holds a float).
inline bool same_activation(const activation_config& file, const activation_config& type) {
    if (file.name != type.name) return false;
    std::vector<double> a = file.parameters, b = type.parameters;
    if (file.name == "LeakyReLU") {
        if (a.empty()) a.push_back(0.01);
        if (b.empty()) b.push_back(0.01);
    }
    if (file.name == "LeakyHardtanh" && a.empty()) a = {-1.0, 1.0, 0.01, 0.01};
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i)
        if (static_cast<float>(a[i]) != static_cast<float>(b[i])) return false;
    return true;
}

inline bool same_config(const model_file& file, const std::variant<wavenet_config, lstm_config>& type) {
    if (file.config.index() != type.index()) return false;
    if (const auto* lstm = std::get_if<lstm_config>(&type)) return *lstm == std::get<lstm_config>(file.config);
    const auto& expected = std::get<wavenet_config>(type).layers;
    const auto& found = std::get<wavenet_config>(file.config).layers;
    if (expected.size() != found.size()) return false;
    for (std::size_t i = 0; i < expected.size(); ++i) {
        const layer_array_config& e = expected[i];
        const layer_array_config& f = found[i];
        if (e.input_size != f.input_size || e.condition_size != f.condition_size || e.head_size != f.head_size ||
            e.channels != f.channels || e.kernel_size != f.kernel_size || e.dilations != f.dilations || e.gated != f.gated ||
            e.head_bias != f.head_bias || !same_activation(f.activation, e.activation))
            return false;
    }
    return true;
}

// The typenet spelling of a NAM activation, for the declaration an unsupported file would need.
inline std::string activation_declaration(const activation_config& activation) {
    if (activation.name == "Tanh") return "typenet::tanh";
    if (activation.name == "ReLU") return "typenet::relu";
    if (activation.name == "Sigmoid") return "typenet::sigmoid";
    if (activation.name == "LeakyReLU") {
        const double slope = activation.parameters.empty() ? 0.01 : activation.parameters[0];
        std::string text = std::to_string(static_cast<float>(slope));
        return "typenet::leaky_relu<" + text + "f>";
    }
    if (activation.name == "Hardtanh") return "typenet::nam::hardtanh";
    if (activation.name == "SiLU") return "typenet::nam::silu";
    if (activation.name == "Softsign") return "typenet::nam::softsign";
    if (activation.name == "Hardswish") return "typenet::nam::hardswish";
    if (activation.name == "LeakyHardtanh") {
        const std::vector<double> p = activation.parameters.empty() ? std::vector<double>{-1.0, 1.0, 0.01, 0.01} : activation.parameters;
        std::string text = "typenet::nam::leaky_hardtanh<";
        for (std::size_t i = 0; i < p.size(); ++i) text += (i > 0 ? ", " : "") + std::to_string(static_cast<float>(p[i])) + "f";
        return text + ">";
    }
    return "/* NAM's " + activation.name + ": no typenet activation yet */";
}

}  // namespace typenet::nam::detail

namespace typenet::nam::inline TYPENET_ISA {

// What NAM configuration a network type is: architecture() ("WaveNet", "LSTM") and config() in the
// structs of io/nam.hpp. Defined for networks input<1> -> nam::wavenet<...> or nam::lstm<...>.
template <class Net>
struct architecture;

template <class T, class... Arrays>
struct architecture<basic_network<T, input<1>, wavenet<Arrays...>>> {
    static constexpr bool known = true;
    static std::string name() { return "WaveNet"; }
    static std::variant<wavenet_config, lstm_config> config() {
        wavenet_config config;
        (config.layers.push_back(array_config<Arrays>()), ...);
        config.head_scale = 0.02;
        return config;
    }

private:
    template <class A>
    static layer_array_config array_config() {
        using first_layer = boost::mp11::mp_first<typename A::layers>;
        static_assert(A::bottleneck == A::channels, "typenet::nam: A1 files have bottleneck == channels");
        static_assert(A::head_kernel == 1, "typenet::nam: A1 files have a 1x1 head rechannel (a head kernel is A2's)");
        layer_array_config result;
        result.input_size = A::input_size;
        result.condition_size = A::condition_size;
        result.head_size = A::head_size;
        result.channels = A::channels;
        result.kernel_size = first_layer::kernel_size;
        result.gated = first_layer::gated;
        result.head_bias = A::head_bias;
        static_assert(detail::activation_spelling<typename first_layer::activation>::known,
                      "typenet::nam: this activation has no NAM name (tanh, relu, sigmoid, leaky_relu and nam::hardtanh, silu, softsign, hardswish, leaky_hardtanh have)");
        result.activation = detail::activation_spelling<typename first_layer::activation>::config();
        boost::mp11::mp_for_each<typename A::layers>([&](auto layer) {
            using L = decltype(layer);
            static_assert(L::kernel_size == first_layer::kernel_size && std::is_same_v<typename L::activation, typename first_layer::activation> &&
                              L::gated == first_layer::gated,
                          "typenet::nam: an A1 file gives every layer of an array the same kernel size, activation and gating");
            result.dilations.push_back(L::dilation);
        });
        return result;
    }
};

template <class T, std::size_t Layers, std::size_t Hidden>
struct architecture<basic_network<T, input<1>, lstm<Layers, Hidden>>> {
    static constexpr bool known = true;
    static std::string name() { return "LSTM"; }
    static std::variant<wavenet_config, lstm_config> config() { return lstm_config{Layers, 1, Hidden}; }
};

// The type declaration that reads a file of this configuration (for error messages and typenet_convert).
inline std::string declaration_for(const model_file& file) {
    if (const auto* lstm = std::get_if<lstm_config>(&file.config))
        return "typenet::network<typenet::input<" + std::to_string(lstm->input_size) + ">, typenet::nam::lstm<" +
               std::to_string(lstm->num_layers) + ", " + std::to_string(lstm->hidden_size) + ">>";
    const auto& arrays = std::get<wavenet_config>(file.config).layers;
    std::string text = "typenet::network<typenet::input<1>, typenet::nam::wavenet<";
    for (std::size_t i = 0; i < arrays.size(); ++i) {
        const layer_array_config& a = arrays[i];
        if (i > 0) text += ", ";
        text += "typenet::nam::layer_array<" + std::to_string(a.input_size) + ", " + std::to_string(a.channels) + ", " +
                std::to_string(a.head_size) + ", " + std::to_string(a.kernel_size) + ", typenet::nam::dilations<";
        for (std::size_t d = 0; d < a.dilations.size(); ++d) text += (d > 0 ? ", " : "") + std::to_string(a.dilations[d]);
        text += ">, " + detail::activation_declaration(a.activation) + ", " + (a.gated ? "true" : "false") + ", " +
                (a.head_bias ? "true" : "false") + ">";
    }
    return text + ">>";
}

// Whether a file holds a network of type Net.
template <class Net>
bool matches(const model_file& file) {
    return file.architecture == architecture<Net>::name() && detail::same_config(file, architecture<Net>::config()) &&
           file.weights.size() == Net::parameter_count;
}

// Loads a file's weights into net, after checking that the file is of net's type; throws io_error saying
// what was expected and what was found, and then leaves net untouched.
template <class Net>
void load(Net& net, const model_file& file) {
    using T = typename Net::value_type;
    const std::string expected = describe(model_file{"", architecture<Net>::name(), architecture<Net>::config(), {}, {}, {}});
    if (file.architecture != architecture<Net>::name() || !detail::same_config(file, architecture<Net>::config()))
        throw io_error("typenet::nam::load: expected " + expected + ", found " + describe(file));
    if (file.weights.size() != Net::parameter_count)
        throw io_error("typenet::nam::load: " + expected + " has " + std::to_string(Net::parameter_count) + " weights, the file has " +
                       std::to_string(file.weights.size()));
    for (std::size_t i = 0; i < file.weights.size(); ++i)
        if (!std::isfinite(file.weights[i]))
            throw io_error("typenet::nam::load: weight " + std::to_string(i) + " is not a finite number");
    std::vector<T> values(file.weights.begin(), file.weights.end());
    net.set_parameters(std::span<const T, Net::parameter_count>(values.data(), Net::parameter_count));
}

// The .nam file of a network (version 0.5.4, as NAM's trainer writes A1 files).
template <class Net>
model_file to_model_file(const Net& net, nam::metadata metadata = {}, std::optional<double> sample_rate = 48000.0) {
    using T = typename Net::value_type;
    std::vector<T> values(Net::parameter_count);
    net.get_parameters(std::span<T, Net::parameter_count>(values.data(), Net::parameter_count));
    model_file file{"0.5.4", architecture<Net>::name(), architecture<Net>::config(), {values.begin(), values.end()}, sample_rate,
                    std::move(metadata)};
    if (auto* config = std::get_if<wavenet_config>(&file.config)) config->head_scale = static_cast<double>(values.back());
    return file;
}

template <class Net>
void save(const Net& net, const std::filesystem::path& path, nam::metadata metadata = {}, std::optional<double> sample_rate = 48000.0) {
    write_model_file(path, to_model_file(net, std::move(metadata), sample_rate));
}

// Samples of silence NAM Core runs through a model before its first block (DSP::prewarm): a WaveNet's
// receptive field, half a second of an LSTM (one sample when the file has no sample rate). NAM Core feeds
// them in whole blocks of its maximum block size, so a model sees that count rounded up to whole blocks.
template <class Net>
std::size_t prewarm_samples(std::optional<double> sample_rate) {
    using layer = typename Net::template layer<0>;
    if constexpr (requires { layer::receptive_field; }) {
        return layer::receptive_field;
    } else {
        const long half_second = sample_rate ? static_cast<long>(0.5 * *sample_rate) : 0;
        return half_second > 0 ? static_cast<std::size_t>(half_second) : 1;
    }
}

// One NAM network and one stream's state, run a block at a time. The object is large (the weights and,
// for a WaveNet, the rings of its dilated convolutions) and lives on the heap.
template <class Net>
struct runner {
    Net net;
    typename Net::state_type state{};

    // Frames of one stream: the network's single layer runs them directly (a WaveNet a tile of frames per
    // pass through its layers).
    void process(const float* input, float* output, std::size_t frames) noexcept {
        using layer = typename Net::template layer<0>;
        using T = typename Net::value_type;
        const T* parameters = net.parameter_block().data();
        T* values = state.values.data();
        if constexpr (requires { layer::tile_frames; }) {
            constexpr std::size_t tile = layer::tile_frames;
            alignas(64) T x[tile], y[tile];
            std::size_t t = 0;
            for (; t + tile <= frames; t += tile) {
                std::copy_n(input + t, tile, x);
                layer::template run<T, tile>(parameters, values, x, 1, y, 1);
                std::copy_n(y, tile, output + t);
            }
            for (; t + 4 <= frames; t += 4) {
                std::copy_n(input + t, 4, x);
                layer::template run<T, 4>(parameters, values, x, 1, y, 1);
                std::copy_n(y, 4, output + t);
            }
            for (; t < frames; ++t) {
                x[0] = static_cast<T>(input[t]);
                layer::template run<T, 1>(parameters, values, x, 1, y, 1);
                output[t] = static_cast<float>(y[0]);
            }
        } else {
            for (std::size_t t = 0; t < frames; ++t) {
                const T x = static_cast<T>(input[t]);
                T y;
                layer::template step_one<T>(parameters, values, &x, &y);
                output[t] = static_cast<float>(y);
            }
        }
    }
};

// One of a compile-time list of NAM architectures (Nets...: typenet networks with an architecture<>),
// chosen at run time from a .nam file. Loading allocates; process, reset and prewarm do not (after the
// first reset with a given maximum block size), take no lock and throw nothing.
template <class... Nets>
class model_of {
public:
    static_assert(sizeof...(Nets) >= 1, "typenet::nam::model_of<Nets...>: list at least one architecture");

    model_of() = default;
    explicit model_of(const std::filesystem::path& path) { load(read_model_file(path)); }
    explicit model_of(const model_file& file) { load(file); }

    // Replaces the model by the file's; throws io_error (the model unchanged) when the file's architecture
    // is not in the list, naming its configuration and the declaration that would support it.
    void load(const model_file& file) {
        std::variant<std::monostate, std::unique_ptr<runner<Nets>>...> loaded;
        std::size_t prewarm = 0;
        boost::mp11::mp_for_each<boost::mp11::mp_list<Nets...>>([&](auto net) {
            using Net = decltype(net);
            if (loaded.index() != 0 || !matches<Net>(file)) return;
            auto slot = std::make_unique<runner<Net>>();
            nam::load(slot->net, file);
            loaded = std::move(slot);
            prewarm = nam::prewarm_samples<Net>(file.sample_rate);
        });
        if (loaded.index() == 0)
            throw io_error("typenet::nam::model: no architecture in this model's list reads " + describe(file) +
                           "; declare it and add it to the list:\n  using my_model = " + declaration_for(file) +
                           ";\n  typenet::nam::model_of<..., my_model> model;");
        runner_ = std::move(loaded);
        prewarm_ = prewarm;
        sample_rate_ = file.sample_rate;
        metadata_ = file.metadata;
        description_ = describe(file);
        reset(64);
    }

    bool empty() const noexcept { return runner_.index() == 0; }
    // The file's sample rate (std::nullopt when it gives none) and metadata (loudness, levels, name, gear).
    std::optional<double> sample_rate() const noexcept { return sample_rate_; }
    const nam::metadata& metadata() const noexcept { return metadata_; }
    // The architecture, as describe(model_file) gives it.
    const std::string& description() const noexcept { return description_; }
    std::size_t prewarm_samples() const noexcept { return prewarm_; }
    // Which entry of the list holds the model (0-based; sizeof...(Nets) when empty).
    std::size_t index() const noexcept { return runner_.index() == 0 ? sizeof...(Nets) : runner_.index() - 1; }

    // The state of a freshly loaded model, then NAM Core's prewarm for blocks of up to max_block_size
    // frames: prewarm_samples() of silence rounded up to whole blocks, so that the output equals NAM Core's
    // after its Reset(sample_rate, max_block_size).
    void reset(std::size_t max_block_size = 64) noexcept {
        std::visit(
            [&](auto& slot) {
                if constexpr (!std::is_same_v<std::decay_t<decltype(slot)>, std::monostate>) {
                    slot->state.reset();
                    const std::size_t block = std::max<std::size_t>(max_block_size, 1);
                    const std::size_t blocks = (prewarm_ + block - 1) / block;
                    float silence[64] = {}, ignored[64];
                    for (std::size_t remaining = blocks * block; remaining > 0;) {
                        const std::size_t n = std::min<std::size_t>(remaining, 64);
                        slot->process(silence, ignored, n);
                        remaining -= n;
                    }
                }
            },
            runner_);
    }

    // frames samples in, frames samples out (in and out may be the same buffer), any block size.
    void process(const float* input, float* output, std::size_t frames) noexcept {
        std::visit(
            [&](auto& slot) {
                if constexpr (std::is_same_v<std::decay_t<decltype(slot)>, std::monostate>)
                    std::fill_n(output, frames, 0.0f);
                else
                    slot->process(input, output, frames);
            },
            runner_);
    }

    // The network, if the model holds one of type Net (to train it, save it, read its weights).
    template <class Net>
    Net* get() noexcept {
        auto* slot = std::get_if<std::unique_ptr<runner<Net>>>(&runner_);
        return slot ? &(*slot)->net : nullptr;
    }

private:
    std::variant<std::monostate, std::unique_ptr<runner<Nets>>...> runner_;
    std::optional<double> sample_rate_;
    nam::metadata metadata_;
    std::string description_;
    std::size_t prewarm_ = 0;
};

// The list NeuralAudio compiles: the four A1 presets and seven LSTMs.
using model = model_of<standard, lite, feather, nano, lstm_1x8, lstm_1x12, lstm_1x16, lstm_1x24, lstm_2x8, lstm_2x12, lstm_2x16>;

// The default list and a user's own architectures.
template <class... Extra>
using model_with = model_of<standard, lite, feather, nano, lstm_1x8, lstm_1x12, lstm_1x16, lstm_1x24, lstm_2x8, lstm_2x12, lstm_2x16, Extra...>;

}  // namespace typenet::nam::inline TYPENET_ISA

namespace typenet::inline TYPENET_ISA {

// The .nam counterparts of load / save (typenet's format) and load_safetensors / save_safetensors: reads a
// file into net after checking its architecture, configuration and weight count (throws io_error, net
// untouched) and returns the file for its sample rate and metadata; writes net as a .nam file that NAM's
// plugins open.
template <class Net>
nam::model_file load_nam(Net& net, const std::filesystem::path& path) {
    nam::model_file file = nam::read_model_file(path);
    nam::load(net, file);
    return file;
}
template <class Net>
void save_nam(const Net& net, const std::filesystem::path& path, nam::metadata metadata = {}, std::optional<double> sample_rate = 48000.0) {
    nam::save(net, path, std::move(metadata), sample_rate);
}

}  // namespace typenet::inline TYPENET_ISA
