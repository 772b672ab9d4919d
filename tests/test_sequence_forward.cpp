// Sequence layers (gru, lstm, conv1d) one time step at a time: the SIMD streaming path against the double
// reference (reference::step), the state's semantics (zeros = start, copy = snapshot, padding stays zero),
// many streams at once against one at a time, and the layers' compile-time facts.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <memory>
#include <type_traits>
#include <string>
#include <vector>

#include <typenet/typenet.hpp>

namespace {

template <class T>
using sequence_net = typenet::basic_network<T, typenet::input<3>, typenet::conv1d<8, 3, 2>, typenet::tanh, typenet::gru<13>,
                                            typenet::dense<6>, typenet::relu, typenet::lstm<5>, typenet::dense<2>>;

template <class Net>
typename Net::input_type test_input(std::size_t t, std::size_t stream = 0) {
    typename Net::input_type x{};
    for (std::size_t k = 0; k < Net::input_size; ++k)
        x[k] = static_cast<typename Net::value_type>(std::sin(0.37 * double(t) + 1.3 * double(k) + 0.7 * double(stream)) * 1.5);
    return x;
}

// Largest |typenet - reference| over a sequence of `steps` steps of one stream.
template <class Net>
double streaming_error(const Net& net, std::size_t steps) {
    typename Net::state_type state{};
    typenet::reference::state<Net> reference_state;
    double worst = 0;
    for (std::size_t t = 0; t < steps; ++t) {
        const auto x = test_input<Net>(t);
        const auto y = net(state, x);
        const auto expected = typenet::reference::step(net, reference_state, std::span<const typename Net::value_type, Net::input_size>(x));
        for (std::size_t o = 0; o < Net::output_size; ++o) worst = std::max(worst, std::abs(double(y[o]) - expected[o]));
    }
    return worst;
}

template <class Net>
void check_against_reference(const char* what, double tolerance) {
    auto net = std::make_unique<Net>();
    for (std::uint64_t seed : {1u, 2u, 3u}) {
        net->initialize(seed);
        const double error = streaming_error(*net, 60);
        INFO(std::string(what), " seed ", seed, ": worst |error| ", error);
        CHECK(error < tolerance);
    }
}

// forward_batch over `streams` streams, each with its own input, for `steps` steps, against one stream at a
// time: outputs and final states.
template <class Net>
void check_streams_against_single(const Net& net, std::size_t streams, std::size_t steps) {
    std::vector<typename Net::state_type> batch_states(streams), single_states(streams);
    std::vector<typename Net::input_type> x(streams);
    std::vector<typename Net::output_type> y(streams);
    for (std::size_t t = 0; t < steps; ++t) {
        for (std::size_t s = 0; s < streams; ++s) x[s] = test_input<Net>(t, s);
        net.forward_batch(std::span<typename Net::state_type>(batch_states), std::span<const typename Net::input_type>(x),
                          std::span<typename Net::output_type>(y));
        for (std::size_t s = 0; s < streams; ++s) {
            const auto expected = net(single_states[s], x[s]);
            for (std::size_t o = 0; o < Net::output_size; ++o) CHECK(y[s][o] == doctest::Approx(expected[o]).epsilon(1e-5));
        }
    }
    for (std::size_t s = 0; s < streams; ++s)
        for (std::size_t k = 0; k < Net::plan::state_storage; ++k)
            CHECK(batch_states[s].values[k] == doctest::Approx(single_states[s].values[k]).epsilon(1e-5));
}

// forward_sequence over runs of these lengths (chunks of 32 and 8 steps and single steps, the state carried
// from one run to the next) against the same steps one forward call at a time: equal up to rounding (the
// chunks batch the products that do not wait for the previous step, in another summation order).
template <class Net>
void check_sequence_against_steps(const Net& net) {
    using T = typename Net::value_type;
    typename Net::state_type sequence_state{}, step_state{};
    std::size_t t = 0;
    for (std::size_t length : {0, 1, 7, 8, 9, 31, 32, 33, 70}) {
        std::vector<typename Net::input_type> xs(length);
        std::vector<typename Net::output_type> ys(length);
        for (std::size_t s = 0; s < length; ++s) xs[s] = test_input<Net>(t + s);
        net.forward_sequence(sequence_state, xs, ys);
        double worst = 0;
        for (std::size_t s = 0; s < length; ++s) {
            const auto expected = net(step_state, xs[s]);
            for (std::size_t o = 0; o < Net::output_size; ++o)
                worst = std::max(worst, std::abs(double(ys[s][o]) - double(expected[o])) / std::max(1.0, std::abs(double(expected[o]))));
        }
        for (std::size_t k = 0; k < Net::plan::state_storage; ++k)
            worst = std::max(worst, std::abs(double(sequence_state.values[k]) - double(step_state.values[k])));
        INFO("run of ", length, " steps from step ", t);
        CHECK(worst <= (std::is_same_v<T, float> ? 1e-5 : 1e-13));
        t += length;
    }
}

}  // namespace

TEST_CASE("each sequence layer alone matches the reference step by step") {
    using typenet::input;
    check_against_reference<typenet::network<input<4>, typenet::gru<16>>>("gru 4->16", 2e-6);
    check_against_reference<typenet::network<input<16>, typenet::lstm<16>>>("lstm 16->16", 2e-6);
    check_against_reference<typenet::network<input<1>, typenet::lstm<3, typenet::torch_recurrent>>>("lstm 1->3 torch init", 2e-6);
    check_against_reference<typenet::network<input<2>, typenet::conv1d<5, 3, 4>>>("conv1d k3 d4", 2e-6);
    check_against_reference<typenet::network<input<3>, typenet::conv1d<1, 2>>>("conv1d one output", 2e-6);
    check_against_reference<typenet::network<input<3>, typenet::conv1d<4, 1>>>("conv1d k1 (no history)", 2e-6);
    check_against_reference<typenet::basic_network<double, input<4>, typenet::gru<9>>>("gru double", 1e-13);
    check_against_reference<typenet::basic_network<double, input<4>, typenet::lstm<9>>>("lstm double", 1e-13);
    check_against_reference<typenet::basic_network<double, input<2>, typenet::conv1d<3, 4, 3>>>("conv1d double", 1e-13);
    // Outputs that fit in one vector over inputs of whole vectors: row-major weights (dense/layout.hpp).
    using row_major = typenet::network<input<8>, typenet::conv1d<4, 3>, typenet::tanh, typenet::gru<16>, typenet::dense<8>>;
    static_assert(typenet::simd::lanes<float, typenet::simd::narrow_arch> != 8 ||
                  (row_major::layer<0>::matrix<float>::is_row_major && row_major::layer<3>::layout<float>::is_row_major));
    check_against_reference<row_major>("conv1d and dense of one output vector", 2e-6);
}

TEST_CASE("a stack of conv1d, gru, dense and lstm matches the reference") {
    check_against_reference<sequence_net<float>>("stack float", 5e-6);
    check_against_reference<sequence_net<double>>("stack double", 1e-12);
}

// Deeper than detail::inline_layer_limit: the step walks the table of out-of-line stage kernels.
template <class T>
using deep_sequence_net = typenet::basic_network<T, typenet::input<3>, typenet::conv1d<6, 2>, typenet::tanh, typenet::gru<7>, typenet::dense<5>,
                                                 typenet::relu, typenet::conv1d<4, 3, 2>, typenet::sigmoid, typenet::dense<6>, typenet::tanh,
                                                 typenet::lstm<5>, typenet::dense<4>, typenet::gelu, typenet::gru<3>, typenet::dense<2>>;

TEST_CASE("a network deeper than the unrolled limit streams through its table of kernels") {
    static_assert(deep_sequence_net<float>::layer_count > typenet::detail::inline_layer_limit);
    check_against_reference<deep_sequence_net<float>>("deep float", 5e-6);
    check_against_reference<deep_sequence_net<double>>("deep double", 1e-12);

    // Eight streams at once (one tile) agree with one at a time, and so do runs of steps.
    auto net = std::make_unique<deep_sequence_net<float>>();
    net->initialize(4);
    check_streams_against_single(*net, 8, 10);
    check_sequence_against_steps(*net);
}

TEST_CASE("the state: zeros start a sequence, a copy is a snapshot, padding stays zero") {
    using Net = sequence_net<float>;
    static_assert(Net::is_stateful);
    static_assert(std::is_trivially_copyable_v<Net::state_type>);
    static_assert(sizeof(Net::state_type) % 64 == 0 && alignof(Net::state_type) == 64);
    static_assert(!typenet::network<typenet::input<2>, typenet::dense<3>>::is_stateful);
    auto net = std::make_unique<Net>();
    net->initialize(5);

    Net::state_type state{};
    for (float value : state.values) REQUIRE(value == 0.0f);
    std::vector<Net::output_type> first(20);
    for (std::size_t t = 0; t < 20; ++t) first[t] = (*net)(state, test_input<Net>(t));
    const Net::state_type snapshot = state;  // after 20 steps
    std::vector<Net::output_type> continued(10);
    for (std::size_t t = 0; t < 10; ++t) continued[t] = (*net)(state, test_input<Net>(20 + t));
    CHECK(state != snapshot);

    // Restoring the snapshot replays the continuation bit for bit; resetting replays the start.
    Net::state_type restored = snapshot;
    for (std::size_t t = 0; t < 10; ++t) CHECK((*net)(restored, test_input<Net>(20 + t)) == continued[t]);
    restored.reset();
    for (std::size_t t = 0; t < 20; ++t) CHECK((*net)(restored, test_input<Net>(t)) == first[t]);

    // Padding of every layer's state (past the units) is exactly zero after many steps.
    using gru_layer = typenet::layer_t<Net, 2>;
    using lstm_layer = typenet::layer_t<Net, 5>;
    const float* gru_state = state.values.data() + Net::plan::state_offsets[2];
    for (std::size_t j = gru_layer::hidden; j < gru_layer::state_size<float>; ++j) CHECK(gru_state[j] == 0.0f);
    const float* lstm_state = state.values.data() + Net::plan::state_offsets[5];
    for (std::size_t j = 0; j < lstm_layer::state_size<float>; ++j)
        if (j % lstm_layer::state_vector_stride<float> >= lstm_layer::hidden) CHECK(lstm_state[j] == 0.0f);
}

TEST_CASE("forward_sequence and forward_batch over streams equal single steps") {
    using Net = sequence_net<float>;
    auto net = std::make_unique<Net>();
    net->initialize(9);

    std::vector<Net::input_type> xs(25);
    for (std::size_t t = 0; t < xs.size(); ++t) xs[t] = test_input<Net>(t);
    std::vector<Net::output_type> ys(25);
    Net::state_type sequence_state{};
    check_sequence_against_steps(*net);
    auto double_net = std::make_unique<sequence_net<double>>();
    double_net->initialize(9);
    check_sequence_against_steps(*double_net);
    // The other splits of forward_sequence: every stage over runs of steps (a convolutional stack), a dense
    // front end before a recurrent layer, and a recurrent layer first (all step by step).
    using typenet::input;
    using conv_stack = typenet::network<input<2>, typenet::conv1d<5, 3, 4>, typenet::tanh, typenet::conv1d<3, 2>, typenet::dense<4>>;
    using dense_front = typenet::network<input<3>, typenet::dense<8>, typenet::tanh, typenet::gru<5>, typenet::dense<2>>;
    using recurrent_first = typenet::network<input<3>, typenet::lstm<6>, typenet::dense<2>>;
    using typenet::detail::sequence_prefix_stages;
    static_assert(sequence_prefix_stages<conv_stack::plan>() == conv_stack::plan::stage_count);
    static_assert(sequence_prefix_stages<dense_front::plan>() == 1 && sequence_prefix_stages<recurrent_first::plan>() == 0);
    static_assert(sequence_prefix_stages<Net::plan>() == 2);  // conv1d, tanh
    auto conv_stack_net = std::make_unique<conv_stack>();
    auto dense_front_net = std::make_unique<dense_front>();
    auto recurrent_first_net = std::make_unique<recurrent_first>();
    conv_stack_net->initialize(3);
    dense_front_net->initialize(3);
    recurrent_first_net->initialize(3);
    check_sequence_against_steps(*conv_stack_net);
    check_sequence_against_steps(*dense_front_net);
    check_sequence_against_steps(*recurrent_first_net);
    CHECK_THROWS_AS(net->forward_sequence(sequence_state, xs, std::span<Net::output_type>(ys).first(3)), std::invalid_argument);

    // 19 streams (two groups of 8 and 3 single ones), each with its own input, for 12 steps.
    check_streams_against_single(*net, 19, 12);
    std::vector<Net::state_type> states(19);
    std::vector<Net::input_type> x(19);
    std::vector<Net::output_type> y(19);
    CHECK_THROWS_AS(
        net->forward_batch(std::span<Net::state_type>(states).first(4), std::span<const Net::input_type>(x), std::span<Net::output_type>(y)),
        std::invalid_argument);
}

TEST_CASE("compile-time facts of the sequence layers") {
    using Net = typenet::network<typenet::input<3>, typenet::conv1d<8, 3, 2>, typenet::gru<16>, typenet::lstm<4, typenet::torch_recurrent>>;
    using conv = typenet::layer_t<Net, 0>;
    using gru = typenet::layer_t<Net, 1>;
    using lstm = typenet::layer_t<Net, 2>;
    static_assert(conv::fan_in == 9 && conv::fan_out == 24 && conv::history == 4);
    static_assert(std::is_same_v<conv::weight_init, typenet::glorot_uniform>);
    static_assert(std::is_same_v<gru::input_init, typenet::glorot_uniform>);
    static_assert(std::is_same_v<gru::recurrent_weight_init, typenet::orthogonal<>>);
    static_assert(gru::parameter_count == 3 * 16 * (8 + 16) + 2 * 3 * 16);
    static_assert(std::is_same_v<lstm::input_init, typenet::hidden_uniform<4>>);
    static_assert(lstm::input_init::bound() == 0.5);
    static_assert(lstm::input_weight_bound() == 0.5 && lstm::recurrent_weight_bound() == 0.5);  // U(+-1/sqrt(4))
    // Keras' scales for these shapes: Glorot over (fan_in, gates x hidden), orthogonal's 1/sqrt(larger side),
    // Conv1D's Glorot over (in k, out k).
    static_assert(gru::input_weight_bound() == typenet::detail::constexpr_sqrt(6.0 / (8 + 48)));
    static_assert(gru::recurrent_weight_stddev() == 1 / typenet::detail::constexpr_sqrt(48.0));
    static_assert(conv::weight_bound() == typenet::detail::constexpr_sqrt(6.0 / (9 + 24)));
    // Parameter counts as PyTorch's: Conv1d(3, 8, 3) 8*3*3 + 8; GRU(8, 16) 3*16*(8+16) + 2*48; LSTM(16, 4) 4*4*(16+4) + 2*16.
    static_assert(Net::parameter_count == (8 * 3 * 3 + 8) + (3 * 16 * 24 + 96) + (4 * 4 * 20 + 32));
    static_assert(typenet::layer<gru> && typenet::layer<lstm> && typenet::layer<conv, double>);
}

TEST_CASE("initializers of the recurrent layers: scales and the forget-gate bias") {
    using Keras = typenet::network<typenet::input<6>, typenet::lstm<32>>;
    using Torch = typenet::network<typenet::input<6>, typenet::lstm<32, typenet::torch_recurrent>>;
    auto keras = std::make_unique<Keras>();
    auto torch = std::make_unique<Torch>();
    constexpr std::size_t hidden = 32, gates = 4;
    // Keras: zero biases except bias_ih's forget block (rows [H, 2H)) at 1; bias_hh all zero.
    const auto keras_bias_ih = keras->parameter_tensor<0, 2>();
    const auto keras_bias_hh = keras->parameter_tensor<0, 3>();
    for (std::size_t row = 0; row < gates * hidden; ++row) {
        CHECK(keras_bias_ih[row] == (row >= hidden && row < 2 * hidden ? 1.0f : 0.0f));
        CHECK(keras_bias_hh[row] == 0.0f);
    }
    // Orthogonal recurrent kernel [4H][H]: columns orthonormal, W^T W = I.
    const auto recurrent = keras->parameter_tensor<0, 1>();
    double worst = 0;
    for (std::size_t a = 0; a < hidden; ++a)
        for (std::size_t b = 0; b < hidden; ++b) {
            double dot = 0;
            for (std::size_t row = 0; row < gates * hidden; ++row) dot += double(recurrent[row * hidden + a]) * recurrent[row * hidden + b];
            worst = std::max(worst, std::abs(dot - (a == b ? 1.0 : 0.0)));
        }
    CHECK(worst < 1e-5);
    // Glorot input kernel: |w| <= sqrt(6 / (6 + 128)), and its sample variance near a^2 / 3.
    const auto input_kernel = keras->parameter_tensor<0, 0>();
    const double bound = std::sqrt(6.0 / (6 + 128));
    double sum_of_squares = 0;
    for (std::size_t k = 0; k < input_kernel.size; ++k) {
        CHECK(std::abs(input_kernel[k]) <= bound);
        sum_of_squares += double(input_kernel[k]) * input_kernel[k];
    }
    CHECK(sum_of_squares / double(input_kernel.size) == doctest::Approx(bound * bound / 3).epsilon(0.1));
    // PyTorch: every tensor U(-1/sqrt(H), 1/sqrt(H)), the biases too, and not all zero.
    for (std::size_t j = 0; j < 4; ++j) {
        double largest = 0;
        auto visit = [&](auto view) {
            for (std::size_t k = 0; k < view.size; ++k) largest = std::max(largest, double(std::abs(view[k])));
        };
        if (j == 0) visit(torch->parameter_tensor<0, 0>());
        if (j == 1) visit(torch->parameter_tensor<0, 1>());
        if (j == 2) visit(torch->parameter_tensor<0, 2>());
        if (j == 3) visit(torch->parameter_tensor<0, 3>());
        CHECK(largest <= 1 / std::sqrt(32.0));
        CHECK(largest > 0.9 / std::sqrt(32.0));
    }
}

TEST_CASE("summary names the sequence layers and their initializers") {
    using Net = typenet::network<typenet::input<1>, typenet::conv1d<8, 3, 2>, typenet::tanh, typenet::gru<16>, typenet::dense<1>>;
    const std::string table = typenet::summary<Net>("amp");
    INFO(table);
    CHECK(table.find("conv1d") != std::string::npos);
    CHECK(table.find("glorot_uniform / orthogonal") != std::string::npos);
    CHECK(table.find("1248") != std::string::npos);  // the GRU's parameters: 3 x 16 x (8 + 16) + 2 x 48
}

