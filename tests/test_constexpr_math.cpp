#include <doctest/doctest.h>

#include <cmath>
#include <limits>

#include <typenet/detail/constexpr_math.hpp>
#include <typenet/random.hpp>

using typenet::detail::constexpr_sqrt;

static_assert(constexpr_sqrt(0.0) == 0.0);
static_assert(constexpr_sqrt(1.0) == 1.0);
static_assert(constexpr_sqrt(4.0) == 2.0);
static_assert(constexpr_sqrt(0.25) == 0.5);
static_assert(constexpr_sqrt(1e300) > 0.99e150 && constexpr_sqrt(1e300) < 1.01e150);
static_assert(typenet::detail::round_up(17, 8) == 24 && typenet::detail::round_up(16, 8) == 16);

TEST_CASE("constexpr_sqrt is correctly rounded: equal to std::sqrt across many decades") {
    for (double value = 1e-300; value < 1e300; value *= 1.37) CHECK(constexpr_sqrt(value) == std::sqrt(value));
    typenet::random_stream stream(1, 2);
    for (int i = 0; i < 100000; ++i) {
        const double value = 4 * stream.open_uniform();
        REQUIRE(constexpr_sqrt(value) == std::sqrt(value));
    }
}

TEST_CASE("constexpr_sqrt of the initializer arguments equal std::sqrt") {
    for (int fan = 1; fan <= 4096; ++fan) {
        CHECK(constexpr_sqrt(6.0 / fan) == std::sqrt(6.0 / fan));
        CHECK(constexpr_sqrt(static_cast<double>(fan * fan)) == fan);
    }
}

TEST_CASE("constexpr_sqrt of special values") {
    CHECK(std::isnan(constexpr_sqrt(-1.0)));
    CHECK(std::isnan(constexpr_sqrt(std::numeric_limits<double>::quiet_NaN())));
    CHECK(constexpr_sqrt(std::numeric_limits<double>::infinity()) == std::numeric_limits<double>::infinity());
    CHECK(constexpr_sqrt(std::numeric_limits<double>::denorm_min()) == std::sqrt(std::numeric_limits<double>::denorm_min()));
}
