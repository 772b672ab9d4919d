// A model compiled in by typenet::write_header (generated at build time by header_generator) is the
// trained model: the same type, weights known at compile time, outputs bit for bit those of the same
// model loaded from a file.
#include <doctest/doctest.h>

#include <bit>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <string>
#include <type_traits>

#include <typenet/io.hpp>

#include "compiled_model_type.hpp"
#include "compiled_model_expected.hpp"
#include "compiled_model.hpp"
#include "compiled_sequence_model.hpp"

static_assert(std::is_same_v<compiled::network_type, header_test::Net>, "write_header spells the network's own type");
static_assert(compiled::network.weight<0>(0, 0) == expected::weight_0_0_0);
static_assert(compiled::network.weight<0>(11, 4) == expected::weight_0_11_4);
static_assert(compiled::network.weight<2>(5, 7) == expected::weight_2_5_7);
static_assert(compiled::network.bias<2>(8) == expected::bias_2_8);
static_assert(compiled::network.weight<4>(3, 8) == expected::weight_4_3_8);
static_assert(compiled::network.bias<4>(3) == expected::bias_4_3);
static_assert(compiled::network.weight<4>(3, 8) != 0.0f);

TEST_CASE("the compiled-in model computes bit for bit what the model it came from computes") {
    header_test::Net loaded;
    typenet::load(loaded, std::filesystem::path(COMPILED_MODEL_FILE));
    CHECK(loaded == compiled::network);

    std::array<header_test::Net::input_type, 64> x{};
    for (std::size_t s = 0; s < x.size(); ++s)
        for (std::size_t i = 0; i < 5; ++i) x[s][i] = static_cast<float>(std::cos(0.31 * double(s * 5 + i)) * 3);
    for (const auto& sample : x) {
        const auto expected = loaded(sample);
        const auto actual = compiled::network(sample);
        for (std::size_t o = 0; o < 4; ++o) CHECK(std::bit_cast<std::uint32_t>(actual[o]) == std::bit_cast<std::uint32_t>(expected[o]));
    }
    std::array<header_test::Net::output_type, 64> expected{}, actual{};
    loaded.forward_batch(x, expected);
    compiled::network.forward_batch(x, actual);
    CHECK(std::memcmp(expected.data(), actual.data(), sizeof expected) == 0);
}

static_assert(std::is_same_v<compiled_sequence::network_type, header_test::SequenceNet>, "write_header spells stateful layers too");

TEST_CASE("a compiled-in stateful model streams bit for bit as the model it came from") {
    using Net = header_test::SequenceNet;
    static Net loaded;
    typenet::load(loaded, std::filesystem::path(COMPILED_SEQUENCE_MODEL_FILE));
    CHECK(loaded == compiled_sequence::network);
    Net::state_type loaded_state{}, compiled_state{};
    for (std::size_t t = 0; t < 40; ++t) {
        const Net::input_type x{static_cast<float>(std::sin(0.4 * double(t))), static_cast<float>(std::cos(0.9 * double(t)))};
        const auto expected = loaded(loaded_state, x);
        const auto actual = compiled_sequence::network(compiled_state, x);
        CHECK(std::bit_cast<std::uint32_t>(actual[0]) == std::bit_cast<std::uint32_t>(expected[0]));
    }
    CHECK(loaded_state == compiled_state);
}

namespace {
// A user's activation that says how it is spelled, so write_header can emit a network that uses it.
struct cube : typenet::activation<cube> {
    static constexpr std::string_view name = "cube";
    using recommended_initializer = typenet::lecun_uniform;
    static std::string spelling() { return "my::cube"; }
    template <class Batch>
    static Batch apply(const Batch& x) noexcept {
        return x * x * x;
    }
    static double reference(double x) noexcept { return x * x * x; }
    template <class Batch>
    static Batch derivative(const Batch& input, const Batch&) noexcept {
        return Batch(3) * input * input;
    }
    static double reference_derivative(double x) noexcept { return 3 * x * x; }
};
}  // namespace

TEST_CASE("every built-in layer, activation and initializer is spelled as written in C++") {
    namespace tn = typenet;
    CHECK(tn::spelling<tn::input<7>>::get() == "typenet::input<7>");
    CHECK(tn::spelling<tn::dense<3>>::get() == "typenet::dense<3, typenet::auto_init, typenet::zeros>");
    CHECK(tn::spelling<tn::dense<3, tn::glorot_normal, tn::constant<0.5>>>::get() ==
          "typenet::dense<3, typenet::glorot_normal, typenet::constant<0x1p-1>>");
    CHECK(tn::spelling<tn::normal<0.0, 0.25, true>>::get() == "typenet::normal<0x0p+0, 0x1p-2, true>");
    CHECK(tn::spelling<tn::truncated_normal<1.0, 2.0>>::get() == "typenet::normal<0x1p+0, 0x1p+1, true>");
    CHECK(tn::spelling<tn::orthogonal<>>::get() == "typenet::orthogonal<0x1p+0>");
    CHECK(tn::spelling<tn::leaky_relu<0.5f>>::get() == "typenet::leaky_relu<0x1p-1f>");
    CHECK(tn::spelling<tn::variance_scaling<2.0, tn::fan_mode::fan_avg, tn::distribution::truncated_normal>>::get() ==
          "typenet::variance_scaling<0x1p+1, typenet::fan_mode::fan_avg, typenet::distribution::truncated_normal>");
    CHECK(tn::spelling<tn::keras_he_normal>::get() == "typenet::keras_he_normal");
    CHECK(tn::spelling<tn::torch_default>::get() == "typenet::torch_default");
    CHECK(tn::spelling<tn::ones>::get() == "typenet::ones");
    CHECK(tn::spelling<tn::gru<16>>::get() == "typenet::gru<16, typenet::auto_init>");
    CHECK(tn::spelling<tn::lstm<8, tn::torch_recurrent>>::get() == "typenet::lstm<8, typenet::torch_recurrent>");
    CHECK(tn::spelling<tn::conv1d<8, 3, 2>>::get() == "typenet::conv1d<8, 3, 2, typenet::auto_init, typenet::zeros>");
    CHECK(tn::spelling<tn::recurrent_init<tn::glorot_uniform, tn::orthogonal<>>>::get() ==
          "typenet::recurrent_init<typenet::glorot_uniform, typenet::orthogonal<0x1p+0>, typenet::zeros, true>");
    for (const std::string& name :
         {tn::spelling<tn::identity>::get(), tn::spelling<tn::relu>::get(), tn::spelling<tn::tanh>::get(), tn::spelling<tn::sigmoid>::get(),
          tn::spelling<tn::selu>::get(), tn::spelling<tn::gelu>::get(), tn::spelling<tn::glorot_uniform>::get(),
          tn::spelling<tn::he_normal>::get(), tn::spelling<tn::lecun_normal>::get(), tn::spelling<tn::keras_glorot_normal>::get(),
          tn::spelling<tn::keras_lecun_normal>::get()})
        CHECK(name.rfind("typenet::", 0) == 0);
}

TEST_CASE("write_header: a user's layer with spelling(), and a name that is not a namespace name") {
    using Net = typenet::network<typenet::input<3>, typenet::dense<4>, cube, typenet::dense<2>>;
    const std::string text = typenet::header_source(Net{}, "models::cubic");
    CHECK(text.find("    my::cube,\n") != std::string::npos);
    CHECK(text.find("namespace models::cubic {") != std::string::npos);
    for (const char* bad : {"", "3d", "a b", "a::", "::a", "a:b", "a-b"}) {
        CAPTURE(bad);
        CHECK_THROWS_WITH_AS((void)typenet::header_source(Net{}, bad), doctest::Contains("must be a C++ namespace name"),
                             typenet::io_error);
    }
}
