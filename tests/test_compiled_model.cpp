// A model compiled in by typenet::write_header (generated at build time by header_generator) is the
// trained model: the same type, weights known at compile time, outputs bit for bit those of the same
// model loaded from a file.
#include <doctest/doctest.h>

#include <bit>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <type_traits>

#include <typenet/io.hpp>

#include "compiled_model_type.hpp"
#include "compiled_model_expected.hpp"
#include "compiled_model.hpp"

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
