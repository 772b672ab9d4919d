// NAM models (typenet/models/nam.hpp): outputs against the float64 reference of tools/nam_reference.py
// (tests/data/nam/) at every block size, the real captures of ../shared/nam/ loaded and run, the
// architecture list, errors that leave the model untouched, the .nam round trip, gradients through time
// against finite differences, and no allocation in process.
#include <doctest/doctest.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <limits>
#include <memory>
#include <new>
#include <string>
#include <vector>

#include <typenet/models/nam.hpp>

#include "allocation_counter.hpp"
#include "sequence_gradient_check.hpp"


namespace {

namespace nam = typenet::nam;

std::vector<float> read_floats(const std::string& path) {
    std::ifstream file(path, std::ios::binary);
    REQUIRE_MESSAGE(file, "cannot read " << path);
    file.seekg(0, std::ios::end);
    std::vector<float> values(static_cast<std::size_t>(file.tellg()) / sizeof(float));
    file.seekg(0);
    file.read(reinterpret_cast<char*>(values.data()), static_cast<std::streamsize>(values.size() * sizeof(float)));
    return values;
}

// The small reference models' architectures, besides the default list's.
using gated_model = typenet::network<typenet::input<1>, nam::wavenet<nam::layer_array<1, 4, 3, 3, nam::dilations<1, 2, 4, 8, 16>, typenet::tanh, true, false>,
                                                                      nam::layer_array<4, 3, 1, 3, nam::dilations<32, 64, 1, 2>, typenet::tanh, true, true>>>;
using relu_k2_model = typenet::network<typenet::input<1>, nam::wavenet<nam::layer_array<1, 6, 3, 2, nam::dilations<1, 2, 4, 8>, typenet::relu, false, true>,
                                                                        nam::layer_array<6, 3, 1, 2, nam::dilations<16, 32, 64, 128>, typenet::relu, false, true>>>;
using three_arrays_model =
    typenet::network<typenet::input<1>, nam::wavenet<nam::layer_array<1, 5, 4, 3, nam::dilations<1, 2, 4>>,
                                                     nam::layer_array<5, 4, 3, 3, nam::dilations<8, 16, 32>, typenet::tanh, false, true>,
                                                     nam::layer_array<4, 3, 1, 3, nam::dilations<64, 128, 256, 1>, typenet::tanh, false, true>>>;
// tools/nam_reference.py's activation models: the same two arrays, each activation NAM's A1 trainer names.
template <class Activation>
using activation_model =
    typenet::network<typenet::input<1>, nam::wavenet<nam::layer_array<1, 4, 2, 3, nam::dilations<1, 2, 4>, Activation, false, false>,
                                                     nam::layer_array<4, 2, 1, 3, nam::dilations<8, 16>, Activation, false, true>>>;
using test_model = nam::model_with<gated_model, relu_k2_model, three_arrays_model, nam::lstm_model<3, 4>, activation_model<nam::silu>,
                                   activation_model<nam::hardtanh>, activation_model<nam::softsign>, activation_model<nam::hardswish>,
                                   activation_model<typenet::leaky_relu<0.01f>>, activation_model<typenet::sigmoid>>;

// Worst |difference| over the signal, relative to the expected output's peak.
double relative_error(const std::vector<float>& expected, const std::vector<float>& actual) {
    double peak = 0, worst = 0;
    for (std::size_t i = 0; i < expected.size(); ++i) {
        peak = std::max(peak, static_cast<double>(std::abs(expected[i])));
        worst = std::max(worst, static_cast<double>(std::abs(expected[i] - actual[i])));
    }
    return worst / peak;
}

std::vector<float> render(test_model& model, const std::vector<float>& input, std::size_t block) {
    std::vector<float> output(input.size());
    model.reset(block);
    for (std::size_t t = 0; t < input.size(); t += block) model.process(input.data() + t, output.data() + t, std::min(block, input.size() - t));
    return output;
}

const char* const reference_models[] = {"wavenet_standard", "wavenet_lite", "wavenet_feather", "wavenet_nano", "wavenet_gated", "wavenet_relu_k2",
                                        "wavenet_three_arrays", "lstm_1x8", "lstm_1x16", "lstm_2x8", "lstm_2x12", "lstm_3x4",
                                        "wavenet_silu", "wavenet_hardtanh", "wavenet_softsign", "wavenet_hardswish", "wavenet_leaky_relu",
                                        "wavenet_sigmoid"};

}  // namespace

TEST_CASE("every reference model equals tools/nam_reference.py's float64 output at block sizes 1, 16, 64, 256 and 37") {
    const std::vector<float> signal = read_floats("data/nam/signal.f32");
    for (const char* name : reference_models) {
        const std::vector<float> expected = read_floats(std::string("data/nam/") + name + ".expected.f32");
        auto model = std::make_unique<test_model>(nam::read_model_file(std::string("data/nam/") + name + ".nam"));
        for (std::size_t block : {1, 16, 64, 256, 37}) {
            const double error = relative_error(expected, render(*model, signal, block));
            INFO(name << ", block " << block << ": " << error << " of the peak");
            CHECK(error < 1e-5);
        }
    }
}

TEST_CASE("an LSTM starts from the file's initial states (no prewarm)") {
    const std::vector<float> signal = read_floats("data/nam/signal.f32");
    for (const char* name : {"lstm_1x8", "lstm_2x12", "lstm_3x4"}) {
        const std::vector<float> expected = read_floats(std::string("data/nam/") + name + ".noprewarm.f32");
        const nam::model_file file = nam::read_model_file(std::string("data/nam/") + name + ".nam");
        std::vector<float> output(signal.size());
        if (file.config.index() == 1 && std::get<nam::lstm_config>(file.config).num_layers == 1) {
            auto runner = std::make_unique<nam::runner<nam::lstm_1x8>>();
            nam::load(runner->net, file);
            runner->process(signal.data(), output.data(), signal.size());
        } else if (std::get<nam::lstm_config>(file.config).num_layers == 2) {
            auto runner = std::make_unique<nam::runner<nam::lstm_2x12>>();
            nam::load(runner->net, file);
            runner->process(signal.data(), output.data(), signal.size());
        } else {
            auto runner = std::make_unique<nam::runner<nam::lstm_model<3, 4>>>();
            nam::load(runner->net, file);
            runner->process(signal.data(), output.data(), signal.size());
        }
        INFO(name);
        CHECK(relative_error(expected, output) < 1e-5);
    }
}

TEST_CASE("the real captures of ../shared/nam load into the default list and run") {
    const std::filesystem::path shared = "../../shared/nam";
    if (!std::filesystem::exists(shared / "trained")) {
        MESSAGE("skipped: ../shared/nam is absent (a clone outside the workplace)");
        return;
    }
    struct expectation {
        const char* file;
        std::size_t index;  // in nam::model's list
    };
    for (const expectation& e : {expectation{"trained/BossWN-standard.nam", 0}, expectation{"trained/BossWN-feather.nam", 2},
                                 expectation{"trained/BossWN-nano.nam", 3}, expectation{"wavenet_a1_standard.nam", 0},
                                 expectation{"trained/BossLSTM-1x16.nam", 6}, expectation{"trained/BossLSTM-2x8.nam", 8}}) {
        INFO(e.file);
        auto model = std::make_unique<nam::model>(shared / e.file);
        CHECK(model->index() == e.index);
        std::vector<float> buffer(4096);
        for (std::size_t i = 0; i < buffer.size(); ++i) buffer[i] = 0.3f * std::sin(0.01f * static_cast<float>(i));
        model->process(buffer.data(), buffer.data(), buffer.size());
        double peak = 0;
        for (float y : buffer) {
            REQUIRE(std::isfinite(y));
            peak = std::max(peak, static_cast<double>(std::abs(y)));
        }
        CHECK(peak > 1e-3);
        CHECK(peak < 2);
    }
    // NAM Core's small example models are not in the default list: the error names the declaration.
    try {
        nam::model model(shared / "lstm.nam");
        FAIL("lstm.nam loaded into the default list");
    } catch (const typenet::io_error& error) {
        CHECK(std::string(error.what()).find("typenet::nam::lstm<1, 3>") != std::string::npos);
    }
}

TEST_CASE("a file of another architecture leaves the network and the model untouched") {
    auto nano = std::make_unique<nam::nano>();
    nano->initialize(3);
    auto before = std::make_unique<nam::nano>(*nano);
    const nam::model_file standard_file = nam::read_model_file("data/nam/wavenet_standard.nam");
    try {
        nam::load(*nano, standard_file);
        FAIL("a standard file loaded into a nano network");
    } catch (const typenet::io_error& error) {
        CHECK(std::string(error.what()).find("expected WaveNet") != std::string::npos);
    }
    CHECK(std::equal(nano->parameter_block().begin(), nano->parameter_block().end(), before->parameter_block().begin()));

    nam::model_file short_file = nam::read_model_file("data/nam/wavenet_nano.nam");
    short_file.weights.pop_back();
    CHECK_THROWS_AS(nam::load(*nano, short_file), typenet::io_error);
    CHECK(std::equal(nano->parameter_block().begin(), nano->parameter_block().end(), before->parameter_block().begin()));

    auto model = std::make_unique<nam::model>(nam::read_model_file("data/nam/wavenet_nano.nam"));
    const nam::model_file lstm_3x4 = nam::read_model_file("data/nam/lstm_3x4.nam");
    try {
        model->load(lstm_3x4);
        FAIL("an LSTM 3 x 4 loaded into the default list");
    } catch (const typenet::io_error& error) {
        CHECK(std::string(error.what()).find("typenet::nam::lstm<3, 4>") != std::string::npos);
    }
    CHECK(model->index() == 3);
    CHECK(model->get<nam::nano>() != nullptr);
}

TEST_CASE("save writes a .nam file that loads back to the same weights, config and metadata") {
    const nam::model_file original = nam::read_model_file("data/nam/wavenet_standard.nam");
    auto net = std::make_unique<nam::standard>();
    nam::load(*net, original);
    const auto path = std::filesystem::temp_directory_path() / "typenet_test_nam_roundtrip.nam";
    typenet::save_nam(*net, path, original.metadata, original.sample_rate);
    auto copy = std::make_unique<nam::standard>();
    const nam::model_file again = typenet::load_nam(*copy, path);
    std::filesystem::remove(path);
    CHECK(again.weights == original.weights);
    CHECK(std::equal(copy->parameter_block().begin(), copy->parameter_block().end(), net->parameter_block().begin()));
    CHECK(again.architecture == "WaveNet");
    CHECK(again.sample_rate == original.sample_rate);
    CHECK(again.metadata.loudness == original.metadata.loudness);
    CHECK(again.metadata.name == original.metadata.name);
    CHECK(nam::matches<nam::standard>(again));
    CHECK_FALSE(nam::matches<nam::lite>(again));

    auto lstm = std::make_unique<nam::lstm_2x8>();
    lstm->initialize(7);
    const nam::model_file lstm_file = nam::to_model_file(*lstm);
    auto reloaded = std::make_unique<nam::lstm_2x8>();
    nam::load(*reloaded, nam::parse_model_file(nam::model_file_text(lstm_file)));
    CHECK(std::equal(lstm->parameter_block().begin(), lstm->parameter_block().end(), reloaded->parameter_block().begin()));
}

TEST_CASE("the type's parameter counts are the weight counts of NAM's files") {
    for (const char* name : reference_models) {
        const nam::model_file file = nam::read_model_file(std::string("data/nam/") + name + ".nam");
        auto model = std::make_unique<test_model>(file);
        INFO(name);
        CHECK(model->index() < 21);
    }
    static_assert(nam::standard::layer<0>::receptive_field == 4093);
    static_assert(nam::nano::layer<0>::receptive_field == 4093);
}

// Each of NAM's extra activations: the SIMD kernel (float and double, every lane) against the <cmath>
// reference, and the derivative against central differences of the reference, around the kinks too.
template <class Activation, class T>
void check_activation() {
    using batch = typenet::simd::batch<T>;
    constexpr std::size_t lanes = batch::size;
    std::vector<double> points;
    for (double x = -8; x <= 8; x += 0.0625) points.push_back(x + 0.01);
    for (double kink : {-3.0, -1.0, 1.0, 3.0, -2.0, 0.5})
        for (double offset : {-1e-3, 1e-3}) points.push_back(kink + offset);
    for (std::size_t i = 0; i < points.size(); i += lanes) {
        alignas(64) T x[lanes], y[lanes], d[lanes];
        for (std::size_t k = 0; k < lanes; ++k) x[k] = static_cast<T>(points[std::min(i + k, points.size() - 1)]);
        const batch input = batch::load_aligned(x);
        const batch output = Activation::apply(input);
        output.store_aligned(y);
        Activation::derivative(input, output).store_aligned(d);
        for (std::size_t k = 0; k < lanes; ++k) {
            const double v = static_cast<double>(x[k]), h = 1e-6;
            INFO(Activation::name << " at " << v);
            CHECK(std::abs(static_cast<double>(y[k]) - Activation::reference(v)) <= (std::is_same_v<T, float> ? 2e-6 : 1e-14) * (1 + std::abs(v)));
            const double numeric = (Activation::reference(v + h) - Activation::reference(v - h)) / (2 * h);
            CHECK(std::abs(Activation::reference_derivative(v) - numeric) < 1e-5);
            CHECK(std::abs(static_cast<double>(d[k]) - Activation::reference_derivative(v)) < (std::is_same_v<T, float> ? 1e-5 : 1e-12));
        }
    }
    alignas(64) T nan[lanes], out[lanes];
    std::fill_n(nan, lanes, std::numeric_limits<T>::quiet_NaN());
    Activation::apply(batch::load_aligned(nan)).store_aligned(out);
    CHECK(std::isnan(out[0]));
}

TEST_CASE("NAM's activations (hardtanh, silu, softsign, hardswish, leaky_hardtanh) against their references") {
    check_activation<nam::hardtanh, float>();
    check_activation<nam::silu, float>();
    check_activation<nam::softsign, float>();
    check_activation<nam::hardswish, float>();
    check_activation<nam::leaky_hardtanh<-1.0f, 1.0f, 0.01f, 0.01f>, float>();
    check_activation<nam::leaky_hardtanh<-0.5f, 2.0f, 0.1f, 0.2f>, double>();
    check_activation<nam::silu, double>();
    check_activation<nam::hardswish, double>();
}

// What A2 files add to an array's shape: a bottleneck apart from the channels, a head convolution (kernel
// size and dilation), a kernel size and activation per layer.
template <class T>
using a2_shapes = typenet::basic_network<
    T, typenet::input<1>,
    nam::wavenet<nam::layer_array_of<1, 3, 2, false, boost::mp11::mp_list<nam::layer<1, 3, nam::silu>, nam::layer<2, 2, typenet::tanh, true>>, 4, 1, 3, 2>,
                 nam::layer_array_of<3, 2, 1, true, boost::mp11::mp_list<nam::layer<4, 2, nam::hardswish>>, 2, 1, 2, 3>>>;

// Arrays that one frame at a time runs in registers (no gated layer, no head convolution) with a bottleneck
// of another vector width than the channels, kernel sizes 1 to 3 and NAM's other activations.
template <class T>
using single_frame_shapes = typenet::basic_network<
    T, typenet::input<1>,
    nam::wavenet<nam::layer_array_of<1, 5, 3, false, boost::mp11::mp_list<nam::layer<1, 3, nam::silu>, nam::layer<3, 2>, nam::layer<2, 1, typenet::relu>>, 9>,
                 nam::layer_array_of<5, 12, 1, true, boost::mp11::mp_list<nam::layer<4, 3, nam::hardswish>, nam::layer<1, 2>>, 3>>>;

#ifdef TYPENET_TEST_THROUGH_TIME
TEST_CASE("gradients through time against finite differences: a nano WaveNet, a gated one, LSTMs") {
    test::check_sequence_gradients<nam::basic_nano<double>>("nano WaveNet");
    using gated = typenet::basic_network<double, typenet::input<1>,
                                         nam::wavenet<nam::layer_array<1, 3, 2, 3, nam::dilations<1, 2>, typenet::tanh, true, false>,
                                                      nam::layer_array<3, 2, 1, 2, nam::dilations<4>, typenet::relu, false, true>>>;
    test::check_sequence_gradients<gated>("gated two-array WaveNet");
    test::check_sequence_gradients<nam::lstm_model<2, 5, double>>("LSTM 2 x 5");
    using activations = typenet::basic_network<double, typenet::input<1>,
                                               nam::wavenet<nam::layer_array<1, 3, 2, 3, nam::dilations<1, 2>, nam::silu, false, false>,
                                                            nam::layer_array<3, 2, 1, 3, nam::dilations<4>, nam::softsign, false, true>>>;
    test::check_sequence_gradients<activations>("SiLU and Softsign WaveNet");
    test::check_sequence_gradients<a2_shapes<double>>("bottleneck and head convolutions (A2's shapes)");
}

TEST_CASE("an LSTM's learned initial states get their gradient where a sequence starts") {
    using Net = nam::lstm_model<2, 3, double>;
    using trainer_type = typenet::sequence_trainer<Net, typenet::mse, typenet::sgd, 5, 2>;
    auto net = std::make_unique<Net>();
    net->initialize(11);
    std::vector<double> parameters(Net::parameter_count);
    net->get_parameters(std::span<double, Net::parameter_count>(parameters.data(), Net::parameter_count));
    typenet::random_stream stream(11, 3);
    for (double& p : parameters) p = p == 0 ? 0.5 * stream.symmetric_uniform() : p;  // the initial states start at zero
    net->set_parameters(std::span<const double, Net::parameter_count>(parameters.data(), Net::parameter_count));
    trainer_type trainer(typenet::sgd{.lr = 0});
    trainer.set_carry_state(false);  // every chunk starts from the learned initial states
    auto xs = std::make_unique<typename trainer_type::input_sequences>();
    auto ys = std::make_unique<typename trainer_type::target_sequences>();
    test::fill_chunk<trainer_type, Net>(*xs, *ys, stream);
    trainer.step(*net, *xs, *ys);
    std::vector<double> analytic(Net::parameter_count);
    trainer.get_gradient(std::span<double, Net::parameter_count>(analytic.data(), Net::parameter_count));
    // Layer 0's initial hidden state: after its weight (12 x 4) and bias (12).
    double initial_state_gradient = 0;
    for (std::size_t j = 12 * 4 + 12; j < 12 * 4 + 12 + 6; ++j) initial_state_gradient += std::abs(analytic[j]);
    CHECK(initial_state_gradient > 1e-6);
    const double error = test::parameter_vector_error(*net, analytic, [&] { return trainer.loss(*net, *xs, *ys); });
    INFO("worst relative error " << error);
    CHECK(error < 1e-6);
}
#endif

// forward_sequence (tiles of frames: planar arrays, frame-major kernels) against one step at a time (the
// single-frame register path where an array allows it, the frame-major kernels elsewhere).
template <class Net>
double sequence_against_steps() {
    using T = typename Net::value_type;
    auto net = std::make_unique<Net>();
    net->initialize(5);
    auto a = std::make_unique<typename Net::state_type>();
    auto b = std::make_unique<typename Net::state_type>();
    std::vector<std::array<T, 1>> xs(300), ys(300);
    for (std::size_t t = 0; t < xs.size(); ++t) xs[t][0] = static_cast<T>(0.7 * std::sin(0.05 * static_cast<double>(t)) + 0.2 * std::cos(1.3 * t));
    double worst = 0;
    std::size_t begin = 0;
    for (std::size_t chunk : {37, 64, 1, 16, 182}) {  // 300 frames in all
        const std::size_t end = begin + chunk;
        net->forward_sequence(*a, std::span<const std::array<T, 1>>(xs.data() + begin, end - begin),
                              std::span<std::array<T, 1>>(ys.data() + begin, end - begin));
        for (std::size_t t = begin; t < end; ++t) worst = std::max(worst, std::abs(static_cast<double>((*net)(*b, xs[t])[0] - ys[t][0])));
        begin = end;
    }
    return worst;
}

TEST_CASE("tiles of frames (planar arrays too) equal one step at a time") {
    CHECK(sequence_against_steps<a2_shapes<double>>() < 1e-12);
    CHECK(sequence_against_steps<a2_shapes<float>>() < 1e-5);
    CHECK(sequence_against_steps<single_frame_shapes<double>>() < 1e-12);
    CHECK(sequence_against_steps<single_frame_shapes<float>>() < 1e-5);
    CHECK(sequence_against_steps<nam::basic_nano<double>>() < 1e-12);
    CHECK(sequence_against_steps<nam::basic_feather<float>>() < 1e-5);
    CHECK(sequence_against_steps<nam::standard>() < 1e-5);
}

TEST_CASE("process allocates nothing") {
    auto model = std::make_unique<test_model>(nam::read_model_file("data/nam/wavenet_standard.nam"));
    auto lstm = std::make_unique<test_model>(nam::read_model_file("data/nam/lstm_2x8.nam"));
    std::vector<float> buffer(1000, 0.25f);
    const long before = allocations;
    for (std::size_t block : {1, 7, 64, 256}) {
        model->process(buffer.data(), buffer.data(), std::min<std::size_t>(block, buffer.size()));
        lstm->process(buffer.data(), buffer.data(), std::min<std::size_t>(block, buffer.size()));
    }
    model->reset(64);
    CHECK(allocations == before);
}
