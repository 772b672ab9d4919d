// Neural Amp Modeler .nam files (io/nam.hpp): the real A1 and LSTM files of ../shared/nam read as an
// independent reading of each file says (configurations written here by eye, weight counts by the A1 and
// LSTM parameter formulas), written back bit for bit, A2 and container files refused with the features
// they use named, and a battery of malformed files, each refused with a message saying what and where.
// The real files are read in place (never copied here); the tests that need them skip with a message
// when ../shared/nam is absent (a clone outside this workplace).
#include <doctest/doctest.h>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <limits>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include <typenet/io/nam.hpp>

#include "io_test_util.hpp"

namespace nam = typenet::nam;
using io_test::expect_io_error;

namespace {

// The tests run in tests/ (meson's workdir); the shared material is ../shared/nam from the project root.
std::optional<std::filesystem::path> shared_nam() {
    const std::filesystem::path dir = "../../shared/nam";
    if (std::filesystem::is_directory(dir)) return dir;
    return std::nullopt;
}
#define REQUIRE_SHARED_NAM(dir)                                                                              \
    const auto dir = shared_nam();                                                                           \
    if (!dir) {                                                                                              \
        MESSAGE("skipped: ../shared/nam (NAM's example files) is absent; these checks need the real files"); \
        return;                                                                                              \
    }

// The A1 WaveNet's parameter count, written from NAM's layer-array definition: per array a 1x1 rechannel
// (in x ch, no bias); per layer a dilated convolution (ch x (g ch) x k, bias g ch), the condition mixin
// (cond x g ch, no bias) and a 1x1 (ch x ch + ch); the head rechannel (ch x head, bias if head_bias);
// then head_scale.
std::size_t a1_weight_count(const nam::wavenet_config& config) {
    std::size_t total = 0;
    for (const auto& a : config.layers) {
        const std::size_t g = a.gated ? 2 : 1, ch = a.channels;
        total += a.input_size * ch;
        total += a.dilations.size() * (ch * g * ch * a.kernel_size + g * ch + a.condition_size * g * ch + ch * ch + ch);
        total += ch * a.head_size + (a.head_bias ? a.head_size : 0);
    }
    return total + 1;
}

// NAM's LSTM: per layer 4H x (in + H) weights, 4H biases, initial hidden and cell states (2H); a head H + 1.
std::size_t lstm_weight_count(const nam::lstm_config& config) {
    std::size_t total = 0;
    const std::size_t h = config.hidden_size;
    for (std::size_t layer = 0; layer < config.num_layers; ++layer) total += 4 * h * ((layer ? h : config.input_size) + h) + 4 * h + 2 * h;
    return total + h + 1;
}

nam::layer_array_config array(std::size_t input, std::size_t head, std::size_t channels, std::vector<std::size_t> dilations,
                              bool head_bias) {
    return {.input_size = input,
            .condition_size = 1,
            .head_size = head,
            .channels = channels,
            .kernel_size = 3,
            .dilations = std::move(dilations),
            .activation = {"Tanh", {}},
            .gated = false,
            .head_bias = head_bias};
}

const std::vector<std::size_t> to_512 = {1, 2, 4, 8, 16, 32, 64, 128, 256, 512};
const std::vector<std::size_t> to_64 = {1, 2, 4, 8, 16, 32, 64};
const std::vector<std::size_t> from_128 = {128, 256, 512, 1, 2, 4, 8, 16, 32, 64, 128, 256, 512};

bool same_bits(const std::vector<float>& a, const std::vector<float>& b) {
    return a.size() == b.size() && (a.empty() || std::memcmp(a.data(), b.data(), a.size() * sizeof(float)) == 0);
}

// Writes, reads back, and requires the same data with the weights bit for bit.
void check_round_trip(const nam::model_file& file) {
    const std::string text = nam::model_file_text(file);
    const nam::model_file back = nam::parse_model_file(text);
    CHECK(same_bits(back.weights, file.weights));
    CHECK(back.config == file.config);
    CHECK(back.metadata == file.metadata);
    CHECK(back.version == file.version);
    CHECK(back.sample_rate == file.sample_rate);
    CHECK(back == file);
    CHECK(nam::model_file_text(back) == text);  // and writing is stable
}

// ---- small hand-written files --------------------------------------------------------------------------

std::string numbers(std::size_t count) {
    std::string text;
    for (std::size_t i = 0; i < count; ++i) text += (i ? ", " : "") + std::to_string(static_cast<double>(i % 7) * 0.125 - 0.375);
    return text;
}

// One layer array: 1 -> 2 channels, kernel 2, one layer, head 1 with bias: 2 + (8 + 2 + 2 + 4 + 2) + 3 + 1 = 24 weights.
const std::string tiny_layer =
    R"({"input_size": 1, "condition_size": 1, "head_size": 1, "channels": 2, "kernel_size": 2, "dilations": [1], )"
    R"("activation": "Tanh", "gated": false, "head_bias": true})";

std::string tiny_wavenet(const std::string& layers = tiny_layer, std::size_t weights = 24, const std::string& top = "") {
    return R"({"version": "0.5.4", "metadata": {"name": "tiny", "loudness": -18.5, "custom": [1, {"a": null}]}, )"
           R"("architecture": "WaveNet", "config": {"layers": [)" +
           layers + R"(], "head": null, "head_scale": 0.02}, "weights": [)" + numbers(weights) + "]" + top + "}";
}

std::string tiny_lstm(const std::string& config = R"({"input_size": 1, "hidden_size": 2, "num_layers": 1})", std::size_t weights = 39) {
    return R"({"version": "0.5.1", "architecture": "LSTM", "config": )" + config + R"(, "weights": [)" + numbers(weights) + "]}";
}

// text with its one occurrence of from replaced by to.
std::string replaced(std::string text, const std::string& from, const std::string& to) {
    const auto at = text.find(from);
    REQUIRE_MESSAGE(at != std::string::npos, "the test's base text lacks ", from);
    REQUIRE_MESSAGE(text.find(from, at + 1) == std::string::npos, "the test's base text has ", from, " twice");
    return text.replace(at, from.size(), to);
}

std::string parse_error(const std::string& text, std::initializer_list<std::string_view> fragments) {
    return expect_io_error([&] { (void)nam::parse_model_file(text); }, fragments);
}

}  // namespace

TEST_CASE("the real A1 WaveNet and LSTM files read as their configuration says") {
    REQUIRE_SHARED_NAM(dir);
    struct expected_file {
        const char* path;
        const char* version;
        std::variant<nam::wavenet_config, nam::lstm_config> config;
        std::size_t weights;  // as counted in the file
        std::optional<double> sample_rate;
    };
    const expected_file files[] = {
        {"wavenet.nam", "0.5.4", nam::wavenet_config{{array(1, 2, 3, {1, 2}, false), array(3, 1, 2, {8}, true)}, 0.02}, 131, 48000.0},
        {"lstm.nam", "0.5.4", nam::lstm_config{1, 1, 3}, 70, 48000.0},
        {"wavenet_a1_standard.nam", "0.5.0", nam::wavenet_config{{array(1, 8, 16, to_512, false), array(16, 1, 8, to_512, true)}, 0.02},
         13802, std::nullopt},
        {"trained/BossWN-standard.nam", "0.5.4", nam::wavenet_config{{array(1, 8, 16, to_512, false), array(16, 1, 8, to_512, true)}, 0.02},
         13802, 48000.0},
        {"trained/BossWN-feather.nam", "0.5.1", nam::wavenet_config{{array(1, 4, 8, to_64, false), array(8, 1, 4, from_128, true)}, 0.02},
         3026, std::nullopt},
        {"trained/BossWN-nano.nam", "0.5.1", nam::wavenet_config{{array(1, 2, 4, to_64, false), array(4, 1, 2, from_128, true)}, 0.02}, 842,
         std::nullopt},
        {"trained/BossLSTM-1x16.nam", "0.5.1", nam::lstm_config{1, 1, 16}, 1201, std::nullopt},
        {"trained/BossLSTM-2x8.nam", "0.5.1", nam::lstm_config{2, 1, 8}, 905, std::nullopt},
    };
    for (const auto& expected : files) {
        CAPTURE(expected.path);
        const nam::model_file file = nam::read_model_file(*dir / expected.path);
        CHECK(file.version == expected.version);
        CHECK(file.config == expected.config);
        CHECK(file.weights.size() == expected.weights);
        CHECK(file.sample_rate == expected.sample_rate);
        if (const auto* wavenet = std::get_if<nam::wavenet_config>(&expected.config)) {
            CHECK(file.architecture == "WaveNet");
            CHECK(a1_weight_count(*wavenet) == expected.weights);
        } else {
            CHECK(file.architecture == "LSTM");
            CHECK(lstm_weight_count(std::get<nam::lstm_config>(expected.config)) == expected.weights);
        }
        check_round_trip(file);
    }
}

TEST_CASE("metadata: the typed fields, nulls as absent, and the whole object kept") {
    REQUIRE_SHARED_NAM(dir);
    const auto wavenet = nam::read_model_file(*dir / "wavenet.nam");
    CHECK(wavenet.metadata.name == "Test Model");
    CHECK(wavenet.metadata.modeled_by == "Steve");
    CHECK(wavenet.metadata.gear_type == "amp");
    CHECK(wavenet.metadata.gear_make == "Darkglass Electronics");
    CHECK(wavenet.metadata.gear_model == "Microtubes 900 v2");
    CHECK(wavenet.metadata.tone_type == "clean");
    CHECK(wavenet.metadata.loudness == -20.020729064941406);
    CHECK(wavenet.metadata.gain == 0.19575619747898518);
    CHECK(wavenet.metadata.input_level_dbu == 18.3);
    CHECK(wavenet.metadata.output_level_dbu == 12.3);
    CHECK(wavenet.metadata.json.find(R"("validation_esr": 0.13345033695550146)") != std::string::npos);  // not modelled, kept
    CHECK(wavenet.metadata.json.starts_with(R"({"date": {"year": 2024, "month": 10, "day": 9,)"));       // in the file's order

    const auto boss = nam::read_model_file(*dir / "trained/BossWN-standard.nam");
    CHECK(boss.metadata.name == "BossSD1");
    CHECK(boss.metadata.gear_type == "pedal");
    CHECK(boss.metadata.tone_type == "overdrive");
    CHECK_FALSE(boss.metadata.input_level_dbu.has_value());  // null in the file
    CHECK(boss.metadata.json.find(R"("input_level_dbu": null)") != std::string::npos);

    const auto standard = nam::read_model_file(*dir / "wavenet_a1_standard.nam");  // no metadata at all
    CHECK(standard.metadata == nam::metadata{});
    CHECK(nam::model_file_text(standard).find("metadata") == std::string::npos);
}

TEST_CASE("the trainer's own bytes: files it wrote in the current style come back identical") {
    REQUIRE_SHARED_NAM(dir);
    for (const char* path :
         {"trained/BossWN-feather.nam", "trained/BossWN-nano.nam", "trained/BossLSTM-1x16.nam", "trained/BossLSTM-2x8.nam"}) {
        CAPTURE(path);
        std::ifstream in(*dir / path, std::ios::binary);
        const std::string original((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
        CHECK(nam::model_file_text(nam::parse_model_file(original)) == original);
    }
}

TEST_CASE("A2 WaveNets and containers are refused, naming what they use") {
    REQUIRE_SHARED_NAM(dir);
    const auto error = [&](const char* path, std::initializer_list<std::string_view> fragments) {
        CAPTURE(path);
        (void)expect_io_error([&] { (void)nam::read_model_file(*dir / path); }, fragments);
    };
    error("A2.nam", {"A2.nam", "architecture \"SlimmableContainer\"", "2 submodels: WaveNet up to 0.5, WaveNet up to 1.0",
                     "typenet reads WaveNet (A1) and LSTM"});
    error("trained/BossWN-a2.nam", {"architecture \"SlimmableContainer\"", "WaveNet up to 0.5, WaveNet up to 1.0"});
    error("slimmable_container.nam",
          {"architecture \"SlimmableContainer\"", "3 submodels: LSTM up to 0.33, WaveNet up to 0.66, WaveNet up to 1.0"});
    error("slimmable_wavenet.nam", {"this WaveNet uses A2 features (config.layers[0].slimmable)", "A1 files are supported"});
    error("wavenet_condition_dsp.nam", {"A2 features (config.condition_dsp)"});
    error("wavenet_a2_max.nam",
          {"A2 features (config.condition_dsp, ", "config.layers[0].groups_input_mixin 4", "config.layers[0].layer1x1.groups 2",
           "config.layers[0].head1x1", "config.layers[0].conv_pre_film", "config.layers[0].conv_post_film",
           "config.layers[0].input_mixin_pre_film", "config.layers[0].input_mixin_post_film", "config.layers[0].activation_pre_film",
           "config.layers[0].activation_post_film", "config.layers[0].layer1x1_post_film", "config.layers[0].head1x1_post_film",
           "which typenet does not read yet"});
}

TEST_CASE("describe: one line for a caller's error message") {
    REQUIRE_SHARED_NAM(dir);
    CHECK(nam::describe(nam::read_model_file(*dir / "wavenet_a1_standard.nam")) ==
          "WaveNet: 2 layer arrays [channels 16, kernel 3, 10 dilations 1..512, Tanh, head 8; channels 8, kernel 3, 10 dilations 1..512, "
          "Tanh, head 1 with bias], head_scale 0.02");
    CHECK(nam::describe(nam::read_model_file(*dir / "trained/BossWN-nano.nam")) ==
          "WaveNet: 2 layer arrays [channels 4, kernel 3, 7 dilations 1..64, Tanh, head 2; channels 2, kernel 3, 13 dilations 128 256 512 "
          "1 2 4 "
          "8 16 32 64 128 256 512, Tanh, head 1 with bias], head_scale 0.02");
    CHECK(nam::describe(nam::read_model_file(*dir / "trained/BossLSTM-2x8.nam")) == "LSTM 2 x 8");
}

TEST_CASE("hand-written files: A1, LSTM, activation objects, and A2-style keys holding A1 values") {
    const nam::model_file tiny = nam::parse_model_file(tiny_wavenet());
    const nam::layer_array_config expected{.input_size = 1,
                                           .condition_size = 1,
                                           .head_size = 1,
                                           .channels = 2,
                                           .kernel_size = 2,
                                           .dilations = {1},
                                           .activation = {"Tanh", {}},
                                           .gated = false,
                                           .head_bias = true};
    CHECK(tiny.config == std::variant<nam::wavenet_config, nam::lstm_config>(nam::wavenet_config{{expected}, 0.02}));
    CHECK(a1_weight_count(std::get<nam::wavenet_config>(tiny.config)) == 24);
    CHECK(tiny.metadata.name == "tiny");
    CHECK(tiny.metadata.loudness == -18.5);
    CHECK(tiny.metadata.json == R"({"name": "tiny", "loudness": -18.5, "custom": [1, {"a": null}]})");
    CHECK_FALSE(tiny.sample_rate.has_value());
    CHECK(nam::describe(tiny) == "WaveNet: 1 layer array [channels 2, kernel 2, 1 dilation 1, Tanh, head 1 with bias], head_scale 0.02");
    check_round_trip(tiny);

    // Gated: the convolution and mixin twice as wide.
    const auto gated = nam::parse_model_file(tiny_wavenet(replaced(tiny_layer, R"("gated": false)", R"("gated": true)"), 36));
    CHECK(std::get<nam::wavenet_config>(gated.config).layers[0].gated);
    CHECK(nam::describe(gated).find("gated Tanh") != std::string::npos);
    check_round_trip(gated);

    const auto lstm = nam::parse_model_file(tiny_lstm());
    CHECK(lstm.config == std::variant<nam::wavenet_config, nam::lstm_config>(nam::lstm_config{1, 1, 2}));
    CHECK(lstm_weight_count(nam::lstm_config{1, 1, 2}) == 39);
    check_round_trip(lstm);

    // NAM's current trainer writes every WaveNet in the A2 layout; with A1 values it is the same A1 network.
    const std::string a2_layout =
        R"({"input_size": 1, "condition_size": 1, "head": {"out_channels": 1, "kernel_size": 1, "bias": true}, "channels": 2, )"
        R"("kernel_sizes": [2], "dilations": [1], "activation": [{"type": "Tanh"}], "bottleneck": 2, )"
        R"("head1x1": {"active": false, "out_channels": 1, "groups": 1}, "layer1x1": {"active": true, "groups": 1}, "groups_input": 1, )"
        R"("groups_input_mixin": 1, "conv_pre_film": {"active": false, "shift": true, "groups": 1}, "conv_post_film": false, )"
        R"("input_mixin_pre_film": {"active": false}, "gating_mode": ["none"], "secondary_activation": [null], "slimmable": null})";
    CHECK(nam::parse_model_file(tiny_wavenet(a2_layout)).config == tiny.config);
    const std::string a2_gated = replaced(replaced(a2_layout, R"(["none"])", R"("gated")"), "[null]", R"([{"type": "Sigmoid"}])");
    CHECK(nam::parse_model_file(tiny_wavenet(a2_gated, 36)).config == gated.config);

    // Activations: objects with parameters, NAM's second spelling of LeakyHardtanh, PReLU per channel.
    const auto activation_of = [&](const std::string& activation) {
        const auto file = nam::parse_model_file(tiny_wavenet(replaced(tiny_layer, R"("Tanh")", activation)));
        check_round_trip(file);
        return std::get<nam::wavenet_config>(file.config).layers[0].activation;
    };
    CHECK(activation_of(R"({"type": "LeakyReLU", "negative_slope": 0.2})") == nam::activation_config{"LeakyReLU", {0.2}});
    CHECK(activation_of(R"({"type": "LeakyReLU"})") == nam::activation_config{"LeakyReLU", {}});
    CHECK(activation_of(R"("ReLU")") == nam::activation_config{"ReLU", {}});
    CHECK(activation_of(R"({"type": "SiLU"})") == nam::activation_config{"SiLU", {}});
    CHECK(activation_of(R"("LeakyHardTanh")") == nam::activation_config{"LeakyHardtanh", {}});
    CHECK(activation_of(R"({"type": "LeakyHardtanh", "max_val": 0.5})") ==
          nam::activation_config{"LeakyHardtanh", {-1.0, 0.5, 0.01, 0.01}});
    CHECK(activation_of(R"({"type": "PReLU", "negative_slopes": [0.1, 0.3]})") == nam::activation_config{"PReLU", {0.1, 0.3}});
    CHECK(activation_of(R"({"type": "PReLU", "negative_slope": 0.25})") == nam::activation_config{"PReLU", {0.25}});
    CHECK(nam::describe(
              nam::parse_model_file(tiny_wavenet(replaced(tiny_layer, R"("Tanh")", R"({"type": "LeakyReLU", "negative_slope": 0.2})"))))
              .find("LeakyReLU(0.2)") != std::string::npos);

    // Two arrays chained as NAM chains them (input_size = previous channels, channels = previous head_size).
    const std::string second =
        R"({"input_size": 2, "condition_size": 1, "head_size": 1, "channels": 1, "kernel_size": 3, "dilations": [2, 4], )"
        R"("activation": "Sigmoid", "gated": false, "head_bias": false})";
    const std::string first = replaced(tiny_layer, R"("head_bias": true)", R"("head_bias": false)");
    const auto chained = nam::parse_model_file(tiny_wavenet(first + ", " + second, 22 + 17 + 1));  // 2 + 18 + 2; 2 + 2 x 7 + 1; head_scale
    CHECK(std::get<nam::wavenet_config>(chained.config).layers.size() == 2);
    CHECK(nam::describe(chained).find("channels 1, kernel 3, 2 dilations 2..4, Sigmoid, head 1]") != std::string::npos);

    // Versions NAM Core reads (0.5.0 to 0.7.x), a sample rate, unknown top-level keys (ignored, as NAM Core does).
    for (const char* version : {"0.5.0", "0.6.0", "0.7.0", "0.7.12"})
        CHECK(nam::parse_model_file(replaced(tiny_wavenet(), "0.5.4", version)).version == version);
    CHECK(nam::parse_model_file(tiny_wavenet(tiny_layer, 24, R"(, "sample_rate": 44100, "notes": ["x"])")).sample_rate == 44100.0);
}

TEST_CASE("malformed files: each refused with what was expected and what was found") {
    const std::string base = tiny_wavenet();
    const std::string layer = tiny_layer;
    const auto with_layer = [&](const std::string& from, const std::string& to, std::size_t weights = 24) {
        return tiny_wavenet(replaced(layer, from, to), weights);
    };
    CHECK_NOTHROW((void)nam::parse_model_file(base));

    SUBCASE("not JSON, truncated, not an object") {
        parse_error("hello", {"typenet::nam: not valid JSON at byte"});
        parse_error("", {"not valid JSON", "unexpected end of input"});
        parse_error(base.substr(0, base.size() / 2), {"not valid JSON"});  // cut inside a literal: "invalid literal"
        parse_error(base.substr(0, base.find(R"("head_bias")")),
                    {"not valid JSON at byte", "(in config.layers[0])", "unexpected end of input"});
        parse_error(base.substr(0, base.size() - 1), {"not valid JSON", "unexpected end of input"});
        parse_error(base + "x", {"not valid JSON"});
        parse_error(replaced(base, "\"tiny\"", "\"ti\xff\""), {"not valid JSON", "in metadata.name"});
        parse_error("[1, 2]", {"the top level: expected a JSON object, found an array of 2 values"});
        parse_error(replaced(base, "\"weights\"", "'weights'"), {"not valid JSON"});
    }
    SUBCASE("duplicate keys and deep nesting") {
        parse_error(replaced(base, R"({"version": "0.5.4",)", R"({"version": "0.5.4", "version": "0.5.4",)"),
                    {"duplicate key \"version\""});
        parse_error(with_layer(R"("channels": 2,)", R"("channels": 2, "channels": 2,)"), {"config.layers[0]: duplicate key \"channels\""});
        parse_error(replaced(base, R"("custom": [1, )", R"("custom": [)" + std::string(80, '[') + std::string(80, ']') + ", "),
                    {"metadata.custom[0][0][0]", "nests deeper than 64 levels"});
    }
    SUBCASE("top-level keys: missing, mistyped, version") {
        parse_error(replaced(base, R"("version": "0.5.4", )", ""),
                    {"the top level: missing key \"version\"", "version, architecture, config and weights"});
        parse_error(replaced(base, R"("architecture": "WaveNet", )", ""), {"missing key \"architecture\""});
        parse_error(replaced(base, ", \"weights\"", ", \"weigths\""), {"missing key \"weights\""});
        parse_error(replaced(base, R"("0.5.4")", "5"), {"version: expected a version string such as \"0.5.4\", found 5"});
        parse_error(replaced(base, R"("0.5.4")", R"("0.4.9")"),
                    {"version: expected a file version NAM Core reads (0.5.0 up to 0.7.x)", "\"0.4.9\"", "older"});
        parse_error(replaced(base, R"("0.5.4")", R"("0.8.0")"), {"found \"0.8.0\" (newer than NAM Core reads)"});
        parse_error(replaced(base, R"("0.5.4")", R"("1.0.0")"), {"found \"1.0.0\" (newer"});
        for (const char* version : {"0.5", "v0.5.4", "0.5.4 ", "0.5.x", "0..5", "0.5.4.1", "0.-5.4", "0.5.99999999999"})
            parse_error(replaced(base, R"("0.5.4")", std::string("\"") + version + "\""), {"version: expected three decimal numbers"});
        parse_error(replaced(base, R"("WaveNet")", "5"), {"architecture: expected a string, found 5"});
        parse_error(replaced(base, R"("WaveNet")", R"("Transformer")"),
                    {"architecture: expected one NAM knows (WaveNet, LSTM, ConvNet, Linear, SlimmableContainer), found \"Transformer\"",
                     "typenet reads WaveNet (A1) and LSTM"});
        parse_error(replaced(base, R"("WaveNet")", R"("ConvNet")"), {"\"ConvNet\" is a NAM architecture typenet does not read yet"});
        parse_error(replaced(base, R"("WaveNet")", R"("SlimmableContainer")"), {"\"SlimmableContainer\" (NAM's A2 container) is not read"});
        parse_error(R"({"version": "0.5.4", "architecture": "WaveNet", "config": [], "weights": []})",
                    {"config: expected an object, found an array"});
        parse_error(tiny_wavenet(tiny_layer, 24, R"(, "sample_rate": -1)"), {"sample_rate: expected a positive number (Hz), found -1"});
        parse_error(tiny_wavenet(tiny_layer, 24, R"(, "sample_rate": null)"), {"sample_rate: expected a positive number (Hz), found null"});
        parse_error(tiny_wavenet(tiny_layer, 24, R"(, "sample_rate": "48000")"), {"found \"48000\""});
    }
    SUBCASE("metadata") {
        parse_error(replaced(base, R"({"name": "tiny", "loudness": -18.5, "custom": [1, {"a": null}]})", "[]"),
                    {"metadata: expected an object, found an array of 0 values"});
        parse_error(replaced(base, "-18.5", R"("loud")"), {"metadata.loudness: expected a number or null, found \"loud\""});
        parse_error(replaced(base, R"("tiny")", "5"), {"metadata.name: expected a string or null, found 5"});
    }
    SUBCASE("WaveNet config and layer arrays") {
        parse_error(replaced(base, R"("layers": [)" + layer + "]", R"("layers": [])"), {"config.layers: expected a non-empty array"});
        parse_error(replaced(base, R"("layers": [)" + layer + "], ", ""), {"config: missing key \"layers\""});
        parse_error(replaced(base, R"("layers": [)" + layer + "]", R"("layers": [5])"),
                    {"config.layers[0]: expected an object (a layer array), found 5"});
        parse_error(replaced(base, R"(, "head_scale": 0.02)", ""), {"config: missing key \"head_scale\""});
        parse_error(replaced(base, R"("head_scale": 0.02)", R"("head_scale": "x")"), {"config.head_scale: expected a number, found \"x\""});
        parse_error(replaced(base, R"("head_scale": 0.02)", R"("head_scale": 1e400)"),
                    {"config.head_scale: expected a finite number, found 1e400"});
        parse_error(replaced(base, R"("head": null, )", R"("head": null, "heads": 1, )"), {"config: unknown key \"heads\""});
        parse_error(replaced(base, R"("head": null, )", R"("in_channels": "one", )"), {"config.in_channels: expected 1, found \"one\""});
        parse_error(with_layer(R"("kernel_size": 2)", R"("kernel_size": -3)"),
                    {"typenet::nam: config.layers[0].kernel_size: expected a positive integer (at most 4096), found -3"});
        parse_error(with_layer(R"("kernel_size": 2)", R"("kernel_size": 0)"),
                    {"config.layers[0].kernel_size: expected a positive integer", "found 0"});
        parse_error(with_layer(R"("kernel_size": 2)", R"("kernel_size": 2.0)"), {"found 2.0"});
        parse_error(with_layer(R"("kernel_size": 2)", R"("kernel_size": "2")"), {"found \"2\""});
        parse_error(with_layer(R"("channels": 2)", R"("channels": 100000)"),
                    {"config.layers[0].channels: expected a positive integer (at most 4096), found 100000"});
        parse_error(with_layer(R"("channels": 2)", R"("channels": 1e30)"), {"config.layers[0].channels", "found 1e+30"});
        parse_error(with_layer(R"("channels": 2)", R"("channels": 18446744073709551617)"),
                    {"config.layers[0].channels", "found 1.8446744073709552e+19"});
        parse_error(with_layer(R"("channels": 2)", R"("channels": 99999999999999999999999999999999999999)"), {"config.layers[0].channels"});
        parse_error(with_layer(R"("head_size": 1)", R"("head_size": 4097)"), {"config.layers[0].head_size", "found 4097"});
        parse_error(with_layer(R"("input_size": 1)", R"("input_size": -1)"), {"config.layers[0].input_size", "found -1"});
        parse_error(with_layer(R"("dilations": [1])", R"("dilations": [])"),
                    {"config.layers[0].dilations: expected a non-empty array", "found an array of 0 values"});
        parse_error(with_layer(R"("dilations": [1])", R"("dilations": 1)"),
                    {"config.layers[0].dilations: expected a non-empty array", "found 1"});
        parse_error(with_layer(R"("dilations": [1])", R"("dilations": [1, 0])"),
                    {"config.layers[0].dilations[1]: expected a positive integer (at most 65536), found 0"});
        parse_error(with_layer(R"("dilations": [1])", R"("dilations": [100000])"), {"config.layers[0].dilations[0]", "at most 65536"});
        parse_error(with_layer(R"("dilations": [1])", R"("dilations": [1, 1e400])"),
                    {"config.layers[0].dilations[1]: expected a finite number, found 1e400"});
        parse_error(with_layer(R"(, "head_bias": true)", ""), {"config.layers[0]: missing key \"head_bias\""});
        parse_error(with_layer(R"("head_size": 1, )", ""), {"config.layers[0]: missing key \"head_size\""});
        parse_error(with_layer(R"("gated": false)", R"("gated": "no")"), {"config.layers[0].gated: expected true or false, found \"no\""});
        parse_error(with_layer(R"("dilations")", R"("dilation")"),
                    {"config.layers[0]: unknown key \"dilation\"", "a layer array has input_size, condition_size, head_size"});
        parse_error(with_layer(R"("Tanh")", R"("Swish")"), {"config.layers[0].activation: unknown activation \"Swish\" (NAM knows Tanh, "
                                                            "Hardtanh, Fasttanh, ReLU, LeakyReLU, PReLU, Sigmoid, "
                                                            "SiLU, Hardswish, LeakyHardtanh, Softsign)"});
        parse_error(with_layer(R"("Tanh")", "5"), {"config.layers[0].activation: expected an activation name or an object"});
        parse_error(with_layer(R"("Tanh")", R"({"type": "Tanh", "slope": 1})"), {"config.layers[0].activation: unknown key \"slope\""});
        parse_error(with_layer(R"("Tanh")", R"({"negative_slope": 1})"), {"config.layers[0].activation: missing key \"type\""});
        parse_error(with_layer(R"("Tanh")", R"({"type": "PReLU", "negative_slopes": [1, 2, 3]})"),
                    {"config.layers[0].activation.negative_slopes: expected one slope per channel (2), found an array of 3 values"});
        parse_error(with_layer(R"("Tanh")", R"({"type": "LeakyReLU", "negative_slope": "x"})"),
                    {"activation.negative_slope: expected a number"});
        parse_error(with_layer(R"("kernel_size": 2)", R"("kernel_size": 2, "kernel_sizes": [2])"), {"both kernel_size and kernel_sizes"});
        parse_error(with_layer(R"("kernel_size": 2)", R"("kernel_sizes": [2, 2])"),
                    {"config.layers[0].kernel_sizes: expected one entry per dilation (1)"});
        parse_error(with_layer(R"("gated": false)", R"("gated": true, "gating_mode": "none")"),
                    {"gated is true but gating_mode is \"none\"; they must agree"});
        parse_error(with_layer(R"("gated": false)", R"("gating_mode": "sometimes")"),
                    {"config.layers[0].gating_mode: expected \"none\" or \"gated\""});
        parse_error(with_layer(R"("head_size": 1)", R"("head": {"out_channels": 1, "kernel_size": 1, "bias": true}, "head_size": 1)"),
                    {"both head and head_size/head_bias given"});
    }
    SUBCASE("layer arrays that do not chain") {
        parse_error(with_layer(R"("input_size": 1)", R"("input_size": 2)"),
                    {"config.layers[0].input_size: expected 1 (the model's input is one channel), found 2"});
        parse_error(with_layer(R"("condition_size": 1)", R"("condition_size": 3)"),
                    {"config.layers[0].condition_size: expected 1", "found 3"});
        const std::string second =
            replaced(replaced(layer, R"("input_size": 1)", R"("input_size": 2)"), R"("channels": 2)", R"("channels": 3)");
        parse_error(
            tiny_wavenet(layer + ", " + second, 100),
            {"config.layers[1].channels: expected 1 (the head_size of config.layers[0], whose head outputs this array adds to), found 3"});
        const std::string third = replaced(layer, R"("channels": 2)", R"("channels": 1)");
        parse_error(tiny_wavenet(layer + ", " + third, 100),
                    {"config.layers[1].input_size: expected 2 (the channels of config.layers[0]), found 1"});
    }
    SUBCASE("weights") {
        parse_error(replaced(base, "\"weights\": [" + numbers(24) + "]", R"("weights": {})"),
                    {"weights: expected an array of numbers, found an object"});
        parse_error(tiny_wavenet(tiny_layer, 23),
                    {"weights: expected 24 numbers (what this WaveNet configuration has: WaveNet: 1 layer array", "found 23"});
        parse_error(tiny_wavenet(tiny_layer, 25), {"weights: expected 24 numbers", "found 25"});
        const std::string weights = "\"weights\": [" + numbers(24) + "]";
        const auto with_weight = [&](const std::string& value) {
            return replaced(base, weights, "\"weights\": [" + numbers(3) + ", " + value + ", " + numbers(20) + "]");
        };
        parse_error(with_weight(R"("x")"), {"weights[3]: expected a number, found \"x\""});
        parse_error(with_weight("null"), {"weights[3]: expected a number, found null"});
        parse_error(with_weight("true"), {"weights[3]: expected a number, found true"});
        parse_error(with_weight("[1]"), {"weights[3]: expected a number, found an array of 1 value"});
        parse_error(with_weight("1e400"), {"weights[3]: expected a finite number, found 1e400 (beyond double's range)"});
        parse_error(with_weight("-1e400"), {"weights[3]: expected a finite number, found -1e400"});
        parse_error(with_weight("1" + std::string(400, '0')), {"weights[3]: expected a finite number"});
        parse_error(with_weight("1e39"), {"weights[3]: expected a float32 value, found 1e+39 (beyond float's range)"});
        parse_error(with_weight("3.4028236e38"), {"weights[3]: expected a float32 value"});
        parse_error(with_weight("NaN"), {"not valid JSON", "in weights[3]"});
        // The largest float written as its shortest float text (a double a hair above FLT_MAX) rounds to FLT_MAX.
        CHECK(nam::parse_model_file(with_weight("3.4028235e38")).weights[3] == std::numeric_limits<float>::max());
        CHECK(nam::parse_model_file(with_weight("-3.4028235e+38")).weights[3] == -std::numeric_limits<float>::max());
        CHECK(nam::parse_model_file(with_weight("1e-50")).weights[3] == 0.0f);  // underflows to zero, as float32 does
    }
    SUBCASE("LSTM") {
        CHECK_NOTHROW((void)nam::parse_model_file(tiny_lstm()));
        parse_error(tiny_lstm(R"({"input_size": 1, "hidden_size": 0, "num_layers": 1})"),
                    {"config.hidden_size: expected a positive integer (at most 4096), found 0"});
        parse_error(tiny_lstm(R"({"input_size": 1, "hidden_size": 2, "num_layers": 5000})"), {"config.num_layers", "found 5000"});
        parse_error(tiny_lstm(R"({"input_size": 1, "hidden_size": 1e9, "num_layers": 1})"), {"config.hidden_size", "found 1000000000.0"});
        parse_error(tiny_lstm(R"({"input_size": 2, "hidden_size": 2, "num_layers": 1})"),
                    {"config.input_size: expected 1 (NAM's LSTM reads one input channel)"});
        parse_error(tiny_lstm(R"({"input_size": 1, "num_layers": 1})"), {"config: missing key \"hidden_size\""});
        parse_error(tiny_lstm(R"({"input_size": 1, "hidden_size": 2, "num_layers": 1, "out_channels": 2})"),
                    {"config.out_channels: expected 1"});
        parse_error(tiny_lstm(R"({"input_size": 1, "hidden_size": 2, "num_layers": 1, "dropout": 0})"),
                    {"config: unknown key \"dropout\""});
        parse_error(tiny_lstm(R"({"input_size": 1, "hidden_size": 2, "num_layers": 1})", 40),
                    {"weights: expected 39 numbers", "LSTM 1 x 2", "found 40"});
    }
}

TEST_CASE("A2 features in a hand-written WaveNet are listed by key") {
    const std::string layer = tiny_layer;
    const auto a2 = [&](const std::string& from, const std::string& to, std::initializer_list<std::string_view> fragments) {
        (void)parse_error(tiny_wavenet(replaced(layer, from, to)), fragments);
    };
    a2(R"("channels": 2,)", R"("channels": 2, "bottleneck": 4,)",
       {"this WaveNet uses A2 features (config.layers[0].bottleneck 4) which typenet"});
    a2(R"("kernel_size": 2, "dilations": [1])", R"("kernel_sizes": [2, 3], "dilations": [1, 2])",
       {"(config.layers[0].kernel_sizes (one per layer))"});
    a2(R"("gated": false)", R"("gating_mode": "blended")", {"config.layers[0].gating_mode (blended)"});
    a2(R"("gated": false)", R"("gating_mode": ["none", "gated"])", {"config.layers[0].gating_mode (one per layer)"});
    a2(R"("gated": false)", R"("gated": true, "secondary_activation": "Tanh")",
       {"config.layers[0].secondary_activation (a gate other than Sigmoid)"});
    a2(R"("head_size": 1, )", R"("head": {"out_channels": 1, "kernel_size": 16, "bias": true}, )",
       {"config.layers[0].head.kernel_size 16"});
    a2(R"("dilations": [1], "activation": "Tanh")", R"("dilations": [1, 2], "activation": ["Tanh", "ReLU"])",
       {"config.layers[0].activation (one per layer)"});
    a2(R"("gated": false)", R"("gated": false, "groups_input": 2, "layer1x1": {"active": false, "groups": 1})",
       {"config.layers[0].groups_input 2, config.layers[0].layer1x1 (inactive)"});
    a2(R"("gated": false)", R"("gated": false, "activation_post_film": {"shift": true})", {"config.layers[0].activation_post_film"});
    a2(R"("gated": false)", R"("gated": false, "head1x1": {"active": true, "out_channels": 2, "groups": 1})", {"config.layers[0].head1x1"});
    a2(R"("gated": false)", R"("gated": false, "slimmable": {"method": "slice_channels_uniform"})", {"config.layers[0].slimmable"});
    (void)parse_error(replaced(tiny_wavenet(), R"("head": null)", R"("head": {"channels": 8})"),
                      {"A2 features (config.head (a post-stack head))"});
    (void)parse_error(replaced(tiny_wavenet(), R"("head": null)", R"("in_channels": 2)"), {"A2 features (config.in_channels 2)"});
    (void)parse_error(replaced(tiny_wavenet(), R"("head": null)", R"("condition_dsp": {})"), {"A2 features (config.condition_dsp)"});
}

TEST_CASE("model_file_text: Python's float and string spelling, metadata edits, and what it refuses") {
    using typenet::nam::detail::float_text;
    // repr() of each double, as Python prints it.
    CHECK(float_text(0.0) == "0.0");
    CHECK(float_text(-0.0) == "-0.0");
    CHECK(float_text(1.0) == "1.0");
    CHECK(float_text(0.1) == "0.1");
    CHECK(float_text(123.456) == "123.456");
    CHECK(float_text(48000.0) == "48000.0");
    CHECK(float_text(0.0001) == "0.0001");
    CHECK(float_text(1e-05) == "1e-05");
    CHECK(float_text(1.5e-07) == "1.5e-07");
    CHECK(float_text(1e16) == "1e+16");
    CHECK(float_text(1234567890123456.0) == "1234567890123456.0");
    CHECK(float_text(12345678901234567890.0) == "1.2345678901234567e+19");
    CHECK(float_text(1e100) == "1e+100");
    CHECK(float_text(5e-324) == "5e-324");
    CHECK(float_text(std::numeric_limits<double>::max()) == "1.7976931348623157e+308");
    CHECK(float_text(static_cast<double>(0.02f)) == "0.019999999552965164");

    // Weights at float32's edges come back bit for bit.
    nam::model_file file = nam::parse_model_file(tiny_wavenet());
    const float edges[] = {0.1f,
                           -0.0f,
                           1.0f / 3.0f,
                           std::numeric_limits<float>::max(),
                           -std::numeric_limits<float>::max(),
                           std::numeric_limits<float>::min(),
                           std::numeric_limits<float>::denorm_min(),
                           1e-40f,
                           16777217.0f,
                           -2.5e-12f};
    for (std::size_t i = 0; i < std::size(edges); ++i) file.weights[i] = edges[i];
    for (std::size_t i = std::size(edges); i < file.weights.size(); ++i)
        file.weights[i] = std::nextafter(static_cast<float>(i) / 7.0f, 1e9f);
    check_round_trip(file);

    // Strings as json.dump's ensure_ascii writes them.
    file.metadata.name = "\xC3\xA9\xF0\x9F\x98\x80\n\"\\\x7F\x01";
    const std::string text = nam::model_file_text(file);
    CHECK(text.find(R"("name": "\u00e9\ud83d\ude00\n\"\\\u007f\u0001")") != std::string::npos);
    CHECK(nam::parse_model_file(text).metadata.name == file.metadata.name);

    // Typed fields replace the object's keys in place, std::nullopt removes a key, the rest is kept.
    file.metadata.name.reset();
    file.metadata.loudness = -3.25;
    file.metadata.gear_make = "typenet";
    const nam::model_file edited = nam::parse_model_file(nam::model_file_text(file));
    CHECK(edited.metadata.json == R"({"loudness": -3.25, "custom": [1, {"a": null}], "gear_make": "typenet"})");
    CHECK_FALSE(edited.metadata.name.has_value());

    // Files the reader would refuse are not written.
    const auto refuses = [](nam::model_file bad, std::initializer_list<std::string_view> fragments) {
        (void)expect_io_error([&] { (void)nam::model_file_text(bad); }, fragments);
    };
    nam::model_file bad = file;
    bad.weights[2] = std::numeric_limits<float>::quiet_NaN();
    refuses(bad, {"weights[2]: not a finite number"});
    bad = file;
    bad.weights.pop_back();
    refuses(bad, {"model_file_text: the model_file would not read back", "weights: expected 24 numbers", "found 23"});
    bad = file;
    bad.architecture = "LSTM";
    refuses(bad, {"architecture is \"LSTM\" but config holds a wavenet_config"});
    bad = file;
    std::get<nam::wavenet_config>(bad.config).layers[0].activation = {"Swish", {}};
    refuses(bad, {"unknown activation \"Swish\""});
    bad = file;
    bad.metadata.json = "[1]";
    refuses(bad, {"metadata.json: expected a JSON object"});
    bad = file;
    bad.metadata.json = "{\"a\": ";
    refuses(bad, {"typenet::nam: metadata.json: not valid JSON"});
    bad = file;
    bad.metadata.modeled_by = std::string("\xFF");
    refuses(bad, {"metadata.modeled_by: not valid UTF-8 (byte 0)"});
    bad = file;
    bad.version = "2.0.0";
    refuses(bad, {"version: expected a file version NAM Core reads"});
}

TEST_CASE("write_model_file and read_model_file: through a file, errors name the path") {
    io_test::temporary_directory directory("nam");
    const nam::model_file file = nam::parse_model_file(tiny_wavenet(tiny_layer, 24, R"(, "sample_rate": 48000)"));
    const auto path = directory.path / "tiny.nam";
    nam::write_model_file(path, file);
    CHECK_FALSE(std::filesystem::exists(directory.path / "tiny.nam.partial"));
    const nam::model_file back = nam::read_model_file(path);
    CHECK(back == file);
    CHECK(same_bits(back.weights, file.weights));

    (void)expect_io_error([&] { (void)nam::read_model_file(directory.path / "missing.nam"); }, {"missing.nam", "cannot open"});
    std::ofstream(directory.path / "broken.nam") << replaced(tiny_wavenet(), R"("kernel_size": 2)", R"("kernel_size": -3)");
    (void)expect_io_error([&] { (void)nam::read_model_file(directory.path / "broken.nam"); },
                          {"typenet::nam: ", "broken.nam: config.layers[0].kernel_size: expected a positive integer"});
    (void)expect_io_error([&] { nam::write_model_file(directory.path / "no" / "such" / "dir.nam", file); }, {"cannot open"});
}
