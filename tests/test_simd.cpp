// The reductions of typenet::simd (simd.hpp) on the wide and the narrow vectors of the instruction set this
// test is built for, against scalar sums: lane_sums (row sums of a square block, used by row-major dense
// layers) and reduce_add. Values are small integers, so every order of summation gives the exact sum. And
// broadcast_lane (every lane of the result = one lane of the input), against the lanes stored to memory.
#include <doctest/doctest.h>

#include <cstddef>

#include <typenet/detail/static_for.hpp>
#include <typenet/simd.hpp>

namespace {

using namespace typenet;

template <class T, class Arch>
void check_reductions(const char* arch_name) {
    using batch = simd::batch<T, Arch>;
    constexpr std::size_t lanes = batch::size;
    INFO(arch_name, ", ", sizeof(T) == 4 ? "float" : "double", ", ", lanes, " lanes");
    alignas(64) T values[lanes][lanes];
    batch rows[lanes];
    for (std::size_t row = 0; row < lanes; ++row) {
        for (std::size_t lane = 0; lane < lanes; ++lane) values[row][lane] = T(1 + 7 * row + 3 * lane * lane + (row * lane) % 5);
        rows[row] = batch::load_aligned(values[row]);
    }
    alignas(64) T sums[lanes];
    simd::lane_sums(rows).store_aligned(sums);
    std::size_t wrong_lanes = 0, wrong_totals = 0;
    for (std::size_t row = 0; row < lanes; ++row) {
        T expected = 0;
        for (std::size_t lane = 0; lane < lanes; ++lane) expected += values[row][lane];
        wrong_lanes += sums[row] != expected;
        wrong_totals += simd::reduce_add(rows[row]) != expected;
    }
    CHECK(wrong_lanes == 0);
    CHECK(wrong_totals == 0);
}

template <class T, class Arch>
void check_broadcast_lane(const char* arch_name) {
    using batch = simd::batch<T, Arch>;
    constexpr std::size_t lanes = batch::size;
    INFO(arch_name, ", ", sizeof(T) == 4 ? "float" : "double", ", ", lanes, " lanes");
    alignas(64) T values[lanes];
    for (std::size_t lane = 0; lane < lanes; ++lane) values[lane] = T(-3.5) + T(1.25) * T(lane * lane);
    const batch x = batch::load_aligned(values);
    std::size_t wrong = 0;
    typenet::detail::static_for<lanes>([&](auto i) {
        alignas(64) T result[lanes];
        simd::broadcast_lane<decltype(i)::value>(x).store_aligned(result);
        for (std::size_t lane = 0; lane < lanes; ++lane) wrong += result[lane] != values[i];
    });
    CHECK(wrong == 0);
}

template <class T>
void check_both_widths() {
    check_reductions<T, simd::wide_arch>("wide " TYPENET_ISA_NAME);
    check_reductions<T, simd::narrow_arch>("narrow");
}

}  // namespace

// xsimd 8.1's AVX-512 float haddp returns the sums in the wrong lanes; this is the test that found it.
TEST_CASE("lane_sums and reduce_add: the exact row sums in the right lanes, float") { check_both_widths<float>(); }
TEST_CASE("lane_sums and reduce_add: the exact row sums in the right lanes, double") { check_both_widths<double>(); }
TEST_CASE("broadcast_lane: every lane of the wide and the narrow vectors") {
    check_broadcast_lane<float, simd::wide_arch>("wide " TYPENET_ISA_NAME);
    check_broadcast_lane<float, simd::narrow_arch>("narrow");
    check_broadcast_lane<double, simd::wide_arch>("wide " TYPENET_ISA_NAME);
    check_broadcast_lane<double, simd::narrow_arch>("narrow");
}
