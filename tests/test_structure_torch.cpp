// The structure combinators against PyTorch: residual (plain, SkipInit's gain, a projection on the
// shortcut), gated, parallel (sum and concat, with sequential and residual branches) and a two-block
// temporal convolution network. For each model: PyTorch's initial state_dict loads by name
// (typenet::load_safetensors), the outputs match (double and float), the gradient of the MSE loss matches
// tensor by tensor (by state_dict name, through tensor_table), and 50 Adam steps give PyTorch's losses and
// final parameters (trainer; sequence_trainer with carried states for the TCN, built with the other
// training-through-time tests: -Dthrough_time_tests, TYPENET_TEST_THROUGH_TIME).
// Data: tests/data/torch_structure_<model>.{safetensors,txt}, made by tools/torch_structure.py
// (python3-torch), which also defines the PyTorch modules (Residual, Parallel, Gated, CausalConv1d);
// CI only reads them.
#include <doctest/doctest.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <filesystem>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include <typenet/io.hpp>
#include <typenet/typenet.hpp>

#include "torch_table.hpp"

using namespace typenet;

namespace {

template <class T>
using residual_mlp = basic_network<T, input<6>, dense<16>, relu, residual<dense<16>, relu, dense<16>>, relu,
                                   residual<skip_init, dense<16>, typenet::tanh, dense<16>>, residual_projection<dense<8>, dense<12>, relu, dense<8>>,
                                   dense<3>>;
template <class T>
using gated_block = basic_network<T, input<5>, dense<12>, gated<>, residual<dense<12>, gated<typenet::tanh, typenet::sigmoid>, dense<6>>, dense<2>>;
template <class T>
using parallel_block = basic_network<T, input<5>, parallel<concat, dense<4>, sequential<dense<6>, relu, dense<3>>>, typenet::tanh,
                                     parallel<sum, dense<7>, sequential<dense<8>, gelu, dense<7>>, residual<dense<7>, relu, dense<7>>>, dense<2>>;
template <class T>
using tcn = basic_network<T, input<3>, residual_projection<conv1d<6, 1>, conv1d<6, 3, 1>, relu, conv1d<6, 3, 2>>, relu,
                          residual<conv1d<6, 3, 4>, typenet::tanh, conv1d<6, 1>>, dense<2>>;

constexpr std::size_t samples = 8, batch = 8, batches = 4, steps = 50;  // feed-forward models
constexpr std::size_t streams = 3, chunk = 12;                          // the TCN: 50 chunks of 12 steps, 3 streams
const adam optimizer{.lr = 0.005f};                                     // tools/torch_structure.py: f32(0.005)

// Bounds: those of the dense and sequence parity tests (test_trainer_torch_parity, test_sequence_torch) or
// tighter. Worst errors measured (double; g++ 12 and clang 19 at -O1, -march=native (AVX-512) and
// TYPENET_PORTABLE builds, AMD EPYC): outputs 4.7e-14, gradients 5.2e-13 (an entry of -3.8e-6 in a tensor
// whose largest is 1.2e-2: cancellation; the others below 2.2e-13), losses of 50 Adam steps 1.2e-15, final
// parameters 7.3e-14. A float step anywhere in the double pipeline (errors near 1e-7) fails every one of them.
constexpr double forward_bound = 1e-12, gradient_bound = 1e-11, loss_bound = 1e-13, parameter_bound = 3e-11;

std::string path(const std::string& model, const std::string& extension) { return "data/torch_structure_" + model + extension; }

template <class Net>
std::unique_ptr<Net> load_model(const std::string& model) {
    auto net = std::make_unique<Net>();
    typenet::load_safetensors(*net, std::filesystem::path(path(model, ".safetensors")));
    return net;
}

// Largest relative difference |ours - torch| / max(|torch|, floor) (test::relative's floor is 1e-8).
double relative_to(double ours, double expected, double floor) { return std::abs(ours - expected) / std::max(std::abs(expected), floor); }

// A parameter vector (Net::get_parameters' order) against the table's "<key> [<state_dict name>]" lines,
// tensor by tensor: the largest relative difference, and the tensor where it is.
struct tensor_error {
    double worst = 0;
    std::string where;
};
template <class Net>
tensor_error compare_tensors(const test::table& data, const std::string& key, const std::vector<double>& values) {
    tensor_error error;
    const auto table = detail::tensor_table<Net>();
    std::size_t covered = 0;
    for (const auto& tensor : table) {
        const test::values& expected = test::get(data, key + " [" + tensor.name + "]");
        REQUIRE_MESSAGE(expected.size() == tensor.size, tensor.name);
        for (std::size_t k = 0; k < tensor.size; ++k) {
            const double e = test::relative(values[tensor.offset + k], expected[k]);
            if (e > error.worst) error = {e, tensor.name + "[" + std::to_string(k) + "]"};
        }
        covered += tensor.size;
    }
    CHECK(covered == Net::parameter_count);
    return error;
}

template <class Net>
std::vector<double> parameters_of(const Net& net) {
    std::vector<double> values(Net::parameter_count);
    net.get_parameters(std::span<double, Net::parameter_count>(values.data(), Net::parameter_count));
    return values;
}

// ---- Feed-forward models: outputs of 8 inputs, the gradient of train batch 0, 50 Adam steps.

template <class T, template <class> class Model>
double feed_forward_error(const test::table& data, const std::string& model, const std::string& key, double floor) {
    using Net = Model<T>;
    const auto net = load_model<Net>(model);
    const test::values& inputs = test::get(data, "test inputs");
    const test::values& expected = test::get(data, key);
    REQUIRE(inputs.size() == samples * Net::input_size);
    REQUIRE(expected.size() == samples * Net::output_size);
    std::array<typename Net::input_type, samples> x;
    for (std::size_t s = 0; s < samples; ++s)
        for (std::size_t i = 0; i < Net::input_size; ++i) x[s][i] = static_cast<T>(inputs[s * Net::input_size + i]);
    std::array<typename Net::output_type, samples> batched;
    net->forward_batch(x, batched);  // the batched kernels, and one sample at a time
    double worst = 0;
    for (std::size_t s = 0; s < samples; ++s) {
        const auto single = (*net)(x[s]);
        for (std::size_t o = 0; o < Net::output_size; ++o) {
            worst = std::max(worst, relative_to(double(single[o]), expected[s * Net::output_size + o], floor));
            worst = std::max(worst, relative_to(double(batched[s][o]), expected[s * Net::output_size + o], floor));
        }
    }
    return worst;
}

template <template <class> class Model>
void feed_forward_parity(const std::string& model) {
    INFO(model);
    const test::table data = test::load_table(path(model, ".txt"));

    const double forward = feed_forward_error<double, Model>(data, model, "outputs float64", 1e-8);
    // float: the F64 file rounded to float on loading, as PyTorch's .float(); relative to max(|y|, 1).
    const double forward_float = feed_forward_error<float, Model>(data, model, "outputs float32", 1);
    const double float_to_double = feed_forward_error<float, Model>(data, model, "outputs float64", 1);
    MESSAGE(model, ": outputs, worst relative error ", forward, " (double); float ", forward_float, " against PyTorch's float32, ",
            float_to_double, " against its float64");
    CHECK(forward < forward_bound);
    CHECK(forward_float < 1e-5);
    CHECK(float_to_double < 1e-5);

    using Net = Model<double>;
    auto net = load_model<Net>(model);
    using trainer_type = trainer<Net, mse, adam, batch>;
    auto tr = std::make_unique<trainer_type>(optimizer);
    auto x = std::make_unique<std::array<typename trainer_type::input_batch, batches>>();
    auto y = std::make_unique<std::array<typename trainer_type::target_batch, batches>>();
    const test::values& inputs = test::get(data, "train inputs");
    const test::values& targets = test::get(data, "train targets");
    REQUIRE(inputs.size() == batches * batch * Net::input_size);
    REQUIRE(targets.size() == batches * batch * Net::output_size);
    for (std::size_t b = 0; b < batches; ++b)
        for (std::size_t s = 0; s < batch; ++s) {
            for (std::size_t i = 0; i < Net::input_size; ++i) (*x)[b][s][i] = inputs[(b * batch + s) * Net::input_size + i];
            for (std::size_t o = 0; o < Net::output_size; ++o) (*y)[b][s][o] = targets[(b * batch + s) * Net::output_size + o];
        }

    const test::values& losses = test::get(data, "losses");
    REQUIRE(losses.size() == steps);
    double worst_loss = 0;
    for (std::size_t step = 0; step < steps; ++step) {
        worst_loss = std::max(worst_loss, test::relative(tr->step(*net, (*x)[step % batches], (*y)[step % batches]), losses[step]));
        if (step == 0) {
            std::vector<double> gradient(Net::parameter_count);
            tr->get_gradient(std::span<double, Net::parameter_count>(gradient.data(), Net::parameter_count));
            const tensor_error error = compare_tensors<Net>(data, "gradient", gradient);
            MESSAGE(model, ": gradient of batch 0 (", Net::parameter_count, " parameters), worst relative error ", error.worst, " at ",
                    error.where);
            CHECK(error.worst < gradient_bound);
        }
    }
    const tensor_error final_error = compare_tensors<Net>(data, "final", parameters_of(*net));
    MESSAGE(model, ": 50 Adam steps, worst relative error of the losses ", worst_loss, ", of the final parameters ", final_error.worst,
            " at ", final_error.where);
    CHECK(worst_loss < loss_bound);
    CHECK(final_error.worst < parameter_bound);
    CHECK(losses.back() < 0.5 * losses.front());  // the data is learnable: the run means something
}

// ---- The TCN: streaming outputs of chunks 0 and 1, the gradient of chunk 0, 50 chunks of Adam.

struct sequence_data {
    test::table table = test::load_table(path("tcn", ".txt"));
    const test::values& inputs = test::get(table, "inputs");    // [stream][step][3]
    const test::values& targets = test::get(table, "targets");  // [stream][step][2]
    double input(std::size_t stream, std::size_t step, std::size_t k) const { return inputs[(stream * chunk * steps + step) * 3 + k]; }
    double target(std::size_t stream, std::size_t step, std::size_t k) const { return targets[(stream * chunk * steps + step) * 2 + k]; }
};

// Outputs of chunks 0 and 1 from zero states, step by step, by forward_sequence and by forward_batch over
// the streams: the worst relative difference from the table's "outputs <precision> chunk0/1".
template <class T>
double streaming_error(const sequence_data& data, const std::string& precision, double floor) {
    using Net = tcn<T>;
    const auto net = load_model<Net>("tcn");
    const test::values& chunk0 = test::get(data.table, "outputs " + precision + " chunk0");
    const test::values& chunk1 = test::get(data.table, "outputs " + precision + " chunk1");
    REQUIRE(chunk0.size() == streams * chunk * 2);
    REQUIRE(chunk1.size() == streams * chunk * 2);
    auto expected = [&](std::size_t s, std::size_t t, std::size_t o) {
        return (t < chunk ? chunk0 : chunk1)[(s * chunk + t % chunk) * 2 + o];
    };
    double worst = 0;
    // Vectors, not arrays: with the length a constant, g++ 12 -O3 warns (-Waggressive-loop-optimizations) about
    // forward_sequence's loop over the last steps, wrongly.
    std::vector<std::vector<typename Net::input_type>> xs(streams, std::vector<typename Net::input_type>(2 * chunk));
    for (std::size_t s = 0; s < streams; ++s)
        for (std::size_t t = 0; t < 2 * chunk; ++t)
            for (std::size_t k = 0; k < 3; ++k) xs[s][t][k] = static_cast<T>(data.input(s, t, k));
    for (std::size_t s = 0; s < streams; ++s) {
        typename Net::state_type stepped{}, sequenced{};
        std::vector<typename Net::output_type> ys(2 * chunk);
        net->forward_sequence(sequenced, xs[s], ys);
        for (std::size_t t = 0; t < 2 * chunk; ++t) {
            const auto y = (*net)(stepped, xs[s][t]);
            for (std::size_t o = 0; o < 2; ++o) {
                worst = std::max(worst, relative_to(double(y[o]), expected(s, t, o), floor));
                worst = std::max(worst, relative_to(double(ys[t][o]), expected(s, t, o), floor));
            }
        }
    }
    std::array<typename Net::state_type, streams> states{};
    for (std::size_t t = 0; t < 2 * chunk; ++t) {
        std::array<typename Net::input_type, streams> x;
        std::array<typename Net::output_type, streams> y;
        for (std::size_t s = 0; s < streams; ++s) x[s] = xs[s][t];
        net->forward_batch(std::span<typename Net::state_type>(states), std::span<const typename Net::input_type>(x),
                           std::span<typename Net::output_type>(y));
        for (std::size_t s = 0; s < streams; ++s)
            for (std::size_t o = 0; o < 2; ++o) worst = std::max(worst, relative_to(double(y[s][o]), expected(s, t, o), floor));
    }
    return worst;
}

}  // namespace

TEST_CASE("residual MLP (residual, skip_init's gain, residual_projection) matches PyTorch") {
    feed_forward_parity<residual_mlp>("residual_mlp");
}

TEST_CASE("gated block (gated<> and a gated residual) matches PyTorch") {
    feed_forward_parity<gated_block>("gated");
}

TEST_CASE("parallel blocks (concat, sum; sequential and residual branches) match PyTorch") {
    feed_forward_parity<parallel_block>("parallel");
}

TEST_CASE("two-block TCN (causal conv1d residual blocks, a 1x1 projection) streams as PyTorch") {
    const sequence_data data;
    const double forward = streaming_error<double>(data, "float64", 1e-8);
    const double forward_float = streaming_error<float>(data, "float32", 1);
    const double float_to_double = streaming_error<float>(data, "float64", 1);
    MESSAGE("tcn: streaming outputs of chunks 0 and 1, worst relative error ", forward, " (double); float ", forward_float,
            " against PyTorch's float32, ", float_to_double, " against its float64");
    CHECK(forward < forward_bound);
    CHECK(forward_float < 1e-5);
    CHECK(float_to_double < 1e-5);
}

// Training through time: built where the other sequence_trainer parity tests are (meson's
// through_time_tests option defines TYPENET_TEST_THROUGH_TIME; CI: the clang configuration).
#ifdef TYPENET_TEST_THROUGH_TIME
TEST_CASE("two-block TCN: the gradient through time and 50 Adam steps of truncated BPTT match PyTorch") {
    const sequence_data data;
    using Net = tcn<double>;
    auto net = load_model<Net>("tcn");
    using trainer_type = sequence_trainer<Net, mse, adam, chunk, streams>;
    auto tr = std::make_unique<trainer_type>(optimizer);  // carry_state: on, the default (as the script carries the histories)
    REQUIRE(tr->carry_state());
    auto xs = std::make_unique<typename trainer_type::input_sequences>();
    auto ys = std::make_unique<typename trainer_type::target_sequences>();
    const test::values& losses = test::get(data.table, "losses");
    REQUIRE(losses.size() == steps);
    double worst_loss = 0;
    for (std::size_t k = 0; k < steps; ++k) {
        for (std::size_t s = 0; s < streams; ++s)
            for (std::size_t t = 0; t < chunk; ++t) {
                for (std::size_t j = 0; j < 3; ++j) (*xs)[s][t][j] = data.input(s, k * chunk + t, j);
                for (std::size_t j = 0; j < 2; ++j) (*ys)[s][t][j] = data.target(s, k * chunk + t, j);
            }
        worst_loss = std::max(worst_loss, test::relative(tr->step(*net, *xs, *ys), losses[k]));
        if (k == 0) {
            std::vector<double> gradient(Net::parameter_count);
            tr->get_gradient(std::span<double, Net::parameter_count>(gradient.data(), Net::parameter_count));
            const tensor_error error = compare_tensors<Net>(data.table, "gradient", gradient);
            MESSAGE("tcn: gradient of chunk 0 through time (", Net::parameter_count, " parameters), worst relative error ", error.worst,
                    " at ", error.where);
            CHECK(error.worst < gradient_bound);
        }
    }
    const tensor_error final_error = compare_tensors<Net>(data.table, "final", parameters_of(*net));
    MESSAGE("tcn: 50 Adam steps of truncated BPTT (states carried), worst relative error of the losses ", worst_loss,
            ", of the final parameters ", final_error.worst, " at ", final_error.where);
    CHECK(worst_loss < loss_bound);
    CHECK(final_error.worst < parameter_bound);
    CHECK(losses.back() < 0.5 * losses.front());
}
#endif

TEST_CASE("a structure model declared with another width refuses PyTorch's file, naming the nested tensor") {
    using wrong = basic_network<double, input<6>, dense<16>, relu, residual<dense<16>, relu, dense<16>>, relu,
                                residual<skip_init, dense<16>, typenet::tanh, dense<16>>, residual_projection<dense<8>, dense<10>, relu, dense<8>>,
                                dense<3>>;
    auto net = std::make_unique<wrong>();
    try {
        typenet::load_safetensors(*net, std::filesystem::path(path("residual_mlp", ".safetensors")));
        FAIL("loaded a branch of 12 units into dense<10>");
    } catch (const typenet::io_error& error) {
        const std::string message = error.what();
        INFO(message);
        CHECK(message.find("tensor '5.0.weight': expected shape [10, 16], found [12, 16]") != std::string::npos);
    }
}
