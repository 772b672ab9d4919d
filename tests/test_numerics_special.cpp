// NaN, infinities, signed zeros, subnormals and the largest finite values through every activation and
// loss, against PyTorch's float32 and float64 results (tests/data/torch_special_values.txt, made by
// tools/torch_special_values.py), on every SIMD width this build has and on the portable scalar batch and
// the scalar reference: the same special-value results everywhere, so a NaN is never hidden on one
// instruction set and kept on another.
#include <doctest/doctest.h>

#include <bit>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <limits>
#include <sstream>
#include <string>
#include <vector>

#include <typenet/typenet.hpp>

using namespace typenet;

namespace {

struct activation_case {
    std::string name, dtype;
    double input, output;
};
struct loss_case {
    std::string name, dtype;
    double logit, target, loss, gradient;
};

double parse(const std::string& text) { return std::strtod(text.c_str(), nullptr); }

struct torch_table {
    std::vector<activation_case> activations;
    std::vector<loss_case> losses;
};

const torch_table& table() {
    static const torch_table loaded = [] {
        torch_table result;
        std::ifstream file("data/torch_special_values.txt");
        REQUIRE_MESSAGE(file, "run the tests from tests/ (meson does): data/torch_special_values.txt not found");
        std::string line;
        while (std::getline(file, line)) {
            if (line.empty() || line[0] == '#') continue;
            std::istringstream fields(line);
            std::string kind, name, dtype, a, b, c, d;
            fields >> kind >> name >> dtype >> a >> b;
            if (kind == "activation") {
                result.activations.push_back({name, dtype, parse(a), parse(b)});
            } else {
                fields >> c >> d;
                result.losses.push_back({name, dtype, parse(a), parse(b), parse(c), parse(d)});
            }
        }
        return result;
    }();
    return loaded;
}

template <class T>
bool same_bits(T a, T b) {
    return std::bit_cast<std::conditional_t<sizeof(T) == 4, std::uint32_t, std::uint64_t>>(a) ==
           std::bit_cast<std::conditional_t<sizeof(T) == 4, std::uint32_t, std::uint64_t>>(b);
}

// Whether `got` is PyTorch's `expected`: NaN for NaN, the same infinity, and otherwise within the activation's
// accuracy (a few ulp, or below the smallest normal number, where no accuracy is claimed: PyTorch itself
// computes selu(-1e-38) as exp(x) - 1 = 0, typenet as expm1), with the sign of a zero input kept wherever
// PyTorch keeps it.
template <class T>
bool matches_torch(const std::string& name, T input, T got, double expected) {
    if (std::isnan(expected)) return std::isnan(got);
    if (std::isinf(expected)) return got == T(expected);
    if (std::isnan(got) || std::isinf(got)) return false;
    const double error = std::abs(double(got) - expected);
    // gelu: xsimd's erfc, 6e-6 (tests/test_activation.cpp); leaky_relu: the slope is the float 0.01f
    // (a template argument), PyTorch's the double 0.01, 2e-10 apart.
    const double tolerance = name == "gelu"         ? 1e-5
                             : name == "leaky_relu" ? 4 * double(std::numeric_limits<float>::epsilon())
                                                    : 4 * double(std::numeric_limits<T>::epsilon());
    // Also accepted: an error below tolerance * |input|, where PyTorch's formula cancels to 0 what is not 0
    // (gelu(-20) is -5.5e-88 in double, PyTorch's 0.5 x (1 + erf) gives -0; its BCE at logit -100 gives 0 for
    // log1p(e^-100) = 3.7e-44).
    if (error > tolerance * std::abs(expected) && error > 4 * double(std::numeric_limits<T>::min()) &&
        error > tolerance * std::abs(double(input)))
        return false;
    if (input == T(0) && name != "selu" && name != "sigmoid") return std::signbit(got) == std::signbit(expected);
    return true;
}

template <class Activation, class T, class Batch>
T apply_in_lane(T input, std::size_t lane) {
    alignas(64) T lanes[Batch::size];
    for (T& value : lanes) value = T(0.5);
    lanes[lane] = input;
    alignas(64) T out[Batch::size];
    Activation::apply(Batch::load_aligned(lanes)).store_aligned(out);
    return out[lane];
}

// The input in every lane of every batch type, and the reference; all must match PyTorch and, for special
// inputs, each other bit for bit (any NaN counts as the same).
template <class Activation, class T>
void check_activation(const std::string& name) {
    const std::string dtype = sizeof(T) == 4 ? "float32" : "float64";
    std::size_t checked = 0;
    for (const activation_case& c : table().activations) {
        if (c.name != name || c.dtype != dtype) continue;
        const T input = T(c.input);
        const T reference = T(Activation::reference(double(input)));
        INFO(name, " ", dtype, " input ", double(input), " torch ", c.output, " reference ", double(reference));
        CHECK(matches_torch(name, input, reference, c.output));
        const bool special = !std::isfinite(input) || input == T(0) || std::abs(input) == std::numeric_limits<T>::max();
        const auto check_batch = [&]<class Batch>(const std::string& batch_name) {
            for (std::size_t lane = 0; lane < Batch::size; ++lane) {
                const T got = apply_in_lane<Activation, T, Batch>(input, lane);
                INFO(batch_name, " lane ", lane, " gives ", double(got));
                CHECK(matches_torch(name, input, got, c.output));
                if (special) CHECK((std::isnan(got) ? std::isnan(reference) : same_bits(got, reference)));
            }
        };
        check_batch.template operator()<simd::batch<T, simd::wide_arch>>(std::string("wide ") + TYPENET_ISA_NAME);
        check_batch.template operator()<simd::batch<T, simd::narrow_arch>>("narrow");
        check_batch.template operator()<simd::batch<T, kernel::arch::portable>>("portable");
        ++checked;
    }
    CHECK(checked == 19);  // every input of tools/torch_special_values.py
}

template <class Activation>
void check_both(const std::string& name) {
    check_activation<Activation, float>(name);
    check_activation<Activation, double>(name);
}

template <class Loss, class T, std::size_t Outputs, class Target>
void check_loss_case(const loss_case& c, const Target& target) {
    T prediction[Outputs] = {};
    prediction[0] = T(c.logit);
    T gradient[Outputs] = {};
    const T loss = Loss::template evaluate<T, Outputs, 1>(prediction, Outputs, target, gradient);
    INFO(c.name, " ", c.dtype, " logit ", c.logit, " target ", c.target, " loss ", double(loss), " (torch ", c.loss, ") gradient ",
         double(gradient[0]), " (torch ", c.gradient, ")");
    CHECK(matches_torch<T>("loss", T(c.logit), loss, c.loss));
    CHECK(matches_torch<T>("loss", T(c.logit), gradient[0], c.gradient));
}

template <class T>
void check_losses() {
    const std::string dtype = sizeof(T) == 4 ? "float32" : "float64";
    std::size_t checked = 0;
    for (const loss_case& c : table().losses) {
        if (c.dtype != dtype) continue;
        if (c.name == "mse") {
            check_loss_case<mse, T, 1>(c, std::array<std::array<T, 1>, 1>{{{T(c.target)}}});
        } else if (c.name == "binary_cross_entropy_with_logits") {
            check_loss_case<binary_cross_entropy_with_logits, T, 1>(c, std::array<std::array<T, 1>, 1>{{{T(c.target)}}});
        } else {
            REQUIRE(c.name == "softmax_cross_entropy");
            check_loss_case<softmax_cross_entropy, T, 2>(c, std::array<std::size_t, 1>{0});
        }
        ++checked;
    }
    CHECK(checked == 72);
}

}  // namespace

TEST_CASE("activations give PyTorch's results for NaN, infinities, zeros, subnormals and extremes on every batch type") {
    check_both<identity>("identity");
    check_both<relu>("relu");
    check_both<leaky_relu<>>("leaky_relu");
    check_both<typenet::tanh>("tanh");
    check_both<sigmoid>("sigmoid");
    check_both<selu>("selu");
    check_both<gelu>("gelu");
}

TEST_CASE("losses give PyTorch's loss and gradient for NaN and infinite logits and NaN targets") {
    check_losses<float>();
    check_losses<double>();
}

// The same rules through whole networks: a NaN in any input reaches every output, on the single-sample,
// batch and reference paths (before, relu and selu turned NaN into 0 on x86 and tanh into -1).
TEST_CASE("a NaN input reaches every output of a network through each activation") {
    const auto check = []<class Net>(Net*) {
        Net net;
        net.initialize(3);
        for (std::size_t position = 0; position < Net::input_size; ++position) {
            typename Net::input_type x{};
            for (std::size_t i = 0; i < x.size(); ++i) x[i] = typename Net::value_type(0.1 * double(i) - 0.3);
            x[position] = std::numeric_limits<typename Net::value_type>::quiet_NaN();
            const auto y = net(x);
            std::array<typename Net::input_type, 3> batch{x, x, x};
            std::array<typename Net::output_type, 3> batch_y{};
            net.forward_batch(batch, batch_y);
            const auto reference_y = reference::forward(net, std::span<const typename Net::value_type, Net::input_size>(x));
            for (std::size_t o = 0; o < Net::output_size; ++o) {
                INFO("input ", position, " output ", o);
                CHECK(std::isnan(y[o]));
                CHECK(std::isnan(batch_y[1][o]));
                CHECK(std::isnan(reference_y[o]));
            }
        }
    };
    check(static_cast<network<input<5>, dense<16>, relu, dense<3>>*>(nullptr));
    check(static_cast<network<input<5>, dense<16>, selu, dense<3>>*>(nullptr));
    check(static_cast<network<input<5>, dense<16>, typenet::tanh, dense<3>, sigmoid>*>(nullptr));
    check(static_cast<basic_network<double, input<5>, dense<16>, relu, dense<16>, gelu, dense<3>>*>(nullptr));
    check(static_cast<network<input<5>, dense<40>, leaky_relu<>, dense<40>, relu, dense<2>>*>(nullptr));
}

// The effect of flush_denormals on results: subnormal inputs read as zero and subnormal results become zero
// while the guard lives, nothing else changes, and the previous mode is back afterwards.
TEST_CASE("flush_denormals: subnormals become zero inside the guard, and only there") {
    using Net = network<input<4>, dense<8>, typenet::tanh, dense<2>>;
    Net net;
    net.initialize(5);
    const Net::input_type subnormal_x = {1e-40f, -3e-41f, 0, 2e-39f};
    const Net::input_type zero_x = {0, 0, 0, 0};
    const Net::input_type normal_x = {0.5f, -0.25f, 1, 2};
    const auto tanh_of = [](float value) {
        alignas(64) float lanes[simd::lanes<float>];
        for (float& lane : lanes) lane = value;
        typenet::tanh::apply(simd::batch<float>::load_aligned(lanes)).store_aligned(lanes);
        return lanes[0];
    };
    const Net::output_type outside_before = net(subnormal_x);
    const Net::output_type normal_before = net(normal_x);
    CHECK(tanh_of(1e-40f) == 1e-40f);
    CHECK(!flush_denormals::active());
    {
        flush_denormals guard;
        CHECK(flush_denormals::active() == flush_denormals::supported);
        if constexpr (flush_denormals::supported) {
            CHECK(tanh_of(1e-40f) == 0);
            CHECK(net(subnormal_x) == net(zero_x));  // subnormal inputs are zeros
            volatile float smallest_normal = std::numeric_limits<float>::min();
            CHECK(smallest_normal / 2 == 0);  // and subnormal results too
        } else {
            CHECK(tanh_of(1e-40f) == 1e-40f);
            CHECK(net(subnormal_x) == outside_before);
        }
        CHECK(net(normal_x) == normal_before);  // nothing near the subnormal range changes
        CHECK(std::isnan(tanh_of(std::numeric_limits<float>::quiet_NaN())));
        CHECK(tanh_of(-std::numeric_limits<float>::infinity()) == -1);
    }
    CHECK(!flush_denormals::active());
    CHECK(tanh_of(1e-40f) == 1e-40f);
    CHECK(net(subnormal_x) == outside_before);
}
