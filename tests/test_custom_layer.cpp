// The layer contract is open: a layer kind defined here, outside the library, plugs into networks, inference,
// the reference path, summary, diagnostics, training and initialization like the library's own.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <memory>
#include <string>

#include <typenet/typenet.hpp>

namespace tn = typenet;

// README: writing a layer
// A learnable per-unit scale, y[u] = s[u] * x[u], with s starting at one.
template <std::size_t Width>
struct scale_layer {
    static constexpr std::string_view name = "scale";
    static constexpr std::size_t input_width = Width, output_width = Width;
    static constexpr bool fuses_epilogue = true;       // activations after it run in its loop
    static constexpr bool needs_aligned_input = true;  // whole, aligned vectors even as the first layer

    template <class T>
    using parameters =
        boost::mp11::mp_list<tn::tensor<"scale", tn::tensor_role::other, tn::ones, tn::contiguous_layout<T, Width>, Width, Width>>;

    template <class T, std::size_t, std::size_t Rows, class Epilogue>
    static void forward(const T* s, const T* x, std::size_t x_stride, T* y, std::size_t y_stride) noexcept {
        using batch = tn::simd::batch<T>;  // rows are padded to whole cache lines, s to whole vectors
        for (std::size_t r = 0; r < Rows; ++r)
            for (std::size_t u = 0; u < Width; u += batch::size)
                Epilogue::apply(batch::load_aligned(x + r * x_stride + u) * batch::load_aligned(s + u)).store_aligned(y + r * y_stride + u);
    }

    template <class T, std::size_t, std::size_t Batch, bool InputGradient>
    static void backward(const tn::backward_arguments<T>& a) noexcept {
        for (std::size_t u = 0; u < Width; ++u) {
            T sum = 0;
            for (std::size_t b = 0; b < Batch; ++b)
                sum += a.output_gradient[b * a.output_gradient_stride + u] * a.input[b * a.input_stride + u];
            a.parameter_gradient[u] = sum;
        }
        if constexpr (InputGradient)
            for (std::size_t b = 0; b < Batch; ++b)
                for (std::size_t u = 0; u < a.input_gradient_stride; ++u)
                    a.input_gradient[b * a.input_gradient_stride + u] =
                        u < Width ? a.output_gradient[b * a.output_gradient_stride + u] * a.parameters[u] : T(0);
    }

    static void reference_forward(tn::reference_tensors p, std::span<const double> x, std::span<double> y) {
        for (std::size_t u = 0; u < Width; ++u) y[u] = p[0][u] * x[u];
    }
};

// As declared in a type list: takes the width of whatever comes before it.
struct scale {
    template <std::size_t InputWidth, class Next>
    using resolve = scale_layer<InputWidth>;
};

using Net = tn::network<tn::input<4>, tn::dense<16>, scale, tn::tanh, tn::dense<1>>;
// README: end

static_assert(tn::layer<scale_layer<4>, float> && tn::layer<scale_layer<33>, double>);
static_assert(tn::layer<tn::relu, float> && tn::layer<tn::layer_t<Net, 0>, double>);
static_assert(Net::parameter_count == (4 * 16 + 16) + 16 + (16 + 1));
static_assert(std::is_same_v<tn::layer_t<Net, 1>, scale_layer<16>>);

// First layer (the driver copies the unaligned input), after an activation (not fused: scale is not an
// activation), before a fused relu, and in double.
using First = tn::basic_network<double, tn::input<5>, scale, tn::dense<7>, tn::tanh, scale, tn::dense<3>>;
using Fused = tn::network<tn::input<6>, tn::dense<9>, scale, tn::relu, tn::dense<2>>;
using Wide = tn::network<tn::input<3>, tn::dense<40>, scale, tn::sigmoid, scale, tn::dense<2>>;

namespace {

template <class N>
void randomize(N& net, std::uint64_t seed) {
    // Scales away from one, so that a wrong use of them shows.
    net.initialize(seed);
    tn::random_stream stream(seed, 99);
    tn::detail::static_for<N::layer_count>([&](auto index) {
        constexpr std::size_t i = decltype(index)::value;
        if constexpr (tn::layer_t<N, i>::name == std::string_view("scale")) {
            auto s = net.template parameter_tensor<i, 0>();
            for (std::size_t u = 0; u < s.size; ++u) s[u] = typename N::value_type(1 + 0.5 * stream.symmetric_uniform());
        }
    });
}

template <class N>
double worst_forward_error() {
    N net;
    randomize(net, 3);
    tn::random_stream stream(5, 0);
    double worst = 0;
    std::array<typename N::input_type, 9> batch{};
    for (auto& x : batch)
        for (auto& v : x) v = typename N::value_type(2 * stream.symmetric_uniform());
    std::array<typename N::output_type, 9> batch_out{};
    net.forward_batch(batch, batch_out);
    for (std::size_t b = 0; b < batch.size(); ++b) {
        const auto expected = tn::reference::forward(net, std::span<const typename N::value_type, N::input_size>(batch[b]));
        const auto single = net(batch[b]);
        for (std::size_t o = 0; o < N::output_size; ++o) {
            worst = std::max(worst, std::abs(single[o] - expected[o]) / std::max(1.0, std::abs(expected[o])));
            worst = std::max(worst, std::abs(batch_out[b][o] - expected[o]) / std::max(1.0, std::abs(expected[o])));
        }
    }
    return worst;
}

// Central differences of the loss against the trainer's gradient, for every element of every tensor.
template <class N, std::size_t Batch = 5>
double worst_gradient_error() {
    static_assert(std::is_same_v<typename N::value_type, double>);
    auto net = std::make_unique<N>();
    randomize(*net, 11);
    tn::trainer<N, tn::mse, tn::sgd, Batch> trainer(tn::sgd{.lr = 0});
    tn::random_stream stream(13, 0);
    typename decltype(trainer)::input_batch x;
    typename decltype(trainer)::target_batch y;
    for (auto& row : x)
        for (auto& v : row) v = 2 * stream.symmetric_uniform();
    for (auto& row : y)
        for (auto& v : row) v = stream.symmetric_uniform();
    trainer.step(*net, x, y);
    double worst = 0;
    tn::detail::static_for<N::layer_count>([&](auto index) {
        constexpr std::size_t i = decltype(index)::value;
        tn::detail::static_for<N::plan::template tensor_count<i>>([&](auto tensor_index) {
            constexpr std::size_t j = decltype(tensor_index)::value;
            auto parameter = net->template parameter_tensor<i, j>();
            const auto analytic = trainer.buffers().template gradient_tensor<i, j>();
            for (std::size_t e = 0; e < parameter.size; ++e) {
                const double saved = parameter[e], h = 1e-5;
                parameter[e] = saved + h;
                const double plus = trainer.loss(*net, x, y);
                parameter[e] = saved - h;
                const double minus = trainer.loss(*net, x, y);
                parameter[e] = saved;
                const double numeric = (plus - minus) / (2 * h);
                worst = std::max(worst, std::abs(numeric - analytic[e]) / std::max({std::abs(numeric), std::abs(analytic[e]), 1e-4}));
            }
        });
    });
    return worst;
}

}  // namespace

TEST_CASE("a layer defined outside the library runs inference like the library's own") {
    CHECK(worst_forward_error<Net>() < 1e-5);
    CHECK(worst_forward_error<First>() < 1e-12);
    CHECK(worst_forward_error<Fused>() < 1e-5);
    CHECK(worst_forward_error<Wide>() < 1e-5);
}

TEST_CASE("its gradients, and those of the layers around it, match finite differences") {
    using DoubleNet = tn::basic_network<double, tn::input<4>, tn::dense<16>, scale, tn::tanh, tn::dense<1>>;
    using DoubleFused = tn::basic_network<double, tn::input<6>, tn::dense<9>, scale, tn::relu, tn::dense<2>>;
    using DoubleWide = tn::basic_network<double, tn::input<3>, tn::dense<40>, scale, tn::sigmoid, scale, tn::dense<2>>;
    CHECK(worst_gradient_error<DoubleNet>() < 1e-6);
    CHECK(worst_gradient_error<First>() < 1e-6);
    CHECK(worst_gradient_error<DoubleFused>() < 1e-6);
    CHECK(worst_gradient_error<DoubleWide, 3>() < 1e-6);
}

TEST_CASE("it trains, starts at one, and keeps its initializer under initialize_as") {
    auto net = std::make_unique<Net>();
    const auto s = net->parameter_tensor<1, 0>();
    for (std::size_t u = 0; u < s.size; ++u) REQUIRE(s[u] == 1.0f);
    net->initialize_as<tn::he_uniform, tn::zeros>(3);
    for (std::size_t u = 0; u < s.size; ++u) REQUIRE(s[u] == 1.0f);
    for (float padding : s.storage().subspan(s.size)) REQUIRE(padding == 0.0f);

    // y = sin(x0) + x1 x2 - x3 / 2 on [-1, 1]^4.
    tn::trainer<Net, tn::mse, tn::adam, 32> trainer(tn::adam{.lr = 3e-3f});
    tn::random_stream stream(21, 0);
    auto x = std::make_unique<decltype(trainer)::input_batch>();
    auto y = std::make_unique<decltype(trainer)::target_batch>();
    auto sample = [&] {
        for (std::size_t b = 0; b < 32; ++b) {
            for (auto& v : (*x)[b]) v = float(stream.symmetric_uniform());
            (*y)[b][0] = std::sin((*x)[b][0]) + (*x)[b][1] * (*x)[b][2] - (*x)[b][3] / 2;
        }
    };
    sample();
    const float first = trainer.loss(*net, *x, *y);
    for (int step = 0; step < 1500; ++step) {
        sample();
        trainer.step(*net, *x, *y);
    }
    float last = 0;
    for (int batch = 0; batch < 10; ++batch) {
        sample();
        last += trainer.loss(*net, *x, *y) / 10;
    }
    INFO("loss before ", first, ", after ", last);
    CHECK(last < first / 20);
    double moved = 0;
    for (std::size_t u = 0; u < s.size; ++u) moved = std::max(moved, std::abs(double(s[u]) - 1));
    CHECK(moved > 1e-3);  // the scale itself learned
    for (float padding : s.storage().subspan(s.size)) CHECK(padding == 0.0f);
}

TEST_CASE("summary, diagnostics and LSUV see it through the contract") {
    const std::string text = tn::summary<Net>();
    CHECK(text.find(" scale ") != std::string::npos);
    CHECK(text.find("(16)") != std::string::npos);

    auto net = std::make_unique<Net>();
    std::array<Net::input_type, 64> batch{};
    tn::random_stream stream(8, 0);
    for (auto& row : batch)
        for (auto& v : row) v = float(stream.normal());
    const auto report = tn::diagnose(*net, batch);
    CHECK(report[1].layer == "scale");
    CHECK(!report[1].has_weights);
    CHECK(report[0].has_weights);
    CHECK(report[2].saturated_fraction >= 0);
    // The scale's output is the dense layer's output times one: same statistics.
    CHECK(report[1].variance == doctest::Approx(report[0].variance).epsilon(1e-6));

    const auto calibrated = tn::lsuv_initialize(*net, batch, 4);
    CHECK(calibrated[0].has_weights);
    CHECK(!calibrated[1].has_weights);
    CHECK(calibrated[0].converged);
    CHECK(calibrated[3].converged);
}
