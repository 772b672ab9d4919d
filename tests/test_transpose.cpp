// W^T for the backward pass (kernel/transpose.hpp) against its definition through weight_index, for shapes
// that are and are not multiples of the register block, both scalar types, padding included.
#include <doctest/doctest.h>

#include <cstddef>
#include <vector>

#include <typenet/kernel/dense_layout.hpp>
#include <typenet/kernel/transpose.hpp>

namespace {

template <class T, std::size_t FanIn, std::size_t FanOut>
void check_transpose() {
    using layout = typenet::detail::dense_layout<T, FanIn, FanOut>;
    using transposed_layout = typenet::detail::dense_layout<T, FanOut, FanIn>;
    // Distinct, exactly representable values; W's padding stays zero as in a network's parameter block.
    std::vector<T> weights(layout::weight_storage, T(0));
    auto value = [](std::size_t out, std::size_t in) { return T(1 + out * 1000 + in); };
    for (std::size_t o = 0; o < FanOut; ++o)
        for (std::size_t k = 0; k < FanIn; ++k) weights[layout::weight_index(o, k)] = value(o, k);

    std::vector<T> expected(transposed_layout::weight_storage, T(0));
    for (std::size_t o = 0; o < FanOut; ++o)
        for (std::size_t k = 0; k < FanIn; ++k) expected[transposed_layout::weight_index(k, o)] = value(o, k);

    std::vector<T> transposed(transposed_layout::weight_storage, T(0));
    typenet::kernel::transpose_weights<layout, transposed_layout>(weights.data(), transposed.data());
    std::size_t mismatches = 0;
    for (std::size_t i = 0; i < expected.size(); ++i) mismatches += transposed[i] != expected[i];
    CHECK_MESSAGE(mismatches == 0, "fan_in ", FanIn, " fan_out ", FanOut, ": ", mismatches, " of ", expected.size(), " entries differ");
}

template <class T>
void check_shapes() {
    check_transpose<T, 1, 5>();
    check_transpose<T, 5, 1>();
    check_transpose<T, 3, 3>();
    check_transpose<T, 4, 8>();
    check_transpose<T, 7, 9>();
    check_transpose<T, 16, 16>();
    check_transpose<T, 17, 33>();
    check_transpose<T, 8, 64>();
    check_transpose<T, 64, 8>();
    check_transpose<T, 24, 3>();  // row-major (one output vector) with 4 and 8 lanes, and its transpose
    check_transpose<T, 3, 24>();
    check_transpose<T, 256, 10>();
    check_transpose<T, 10, 256>();
    check_transpose<T, 130, 200>();
    check_transpose<T, 256, 256>();
}

}  // namespace

TEST_CASE("transpose_weights matches weight_index, float (register blocks where the arch has them)") { check_shapes<float>(); }
TEST_CASE("transpose_weights matches weight_index, double") { check_shapes<double>(); }

TEST_CASE("the instruction set's block transpose is used where it applies") {
    // Guards the fast paths against silently falling back to scalar code on the machines we benchmark.
    using typenet::kernel::detail::transpose_block_size;
    using wide = typenet::detail::dense_layout<float, 256, 256>;
    // 256-bit vectors under AVX-512; 12 inputs are not whole vectors, so the weights are in panels.
    using narrow = typenet::detail::dense_layout<float, 12, 8>;
    using narrow_transposed = typenet::detail::dense_layout<float, 8, 12>;
    static_assert(!narrow::is_row_major);
#if TYPENET_ISA_IS_PORTABLE
    CHECK(transpose_block_size<wide, wide, float> == 0);
    CHECK(transpose_block_size<narrow, narrow_transposed, float> == 0);
#elif XSIMD_WITH_AVX512F
    CHECK(transpose_block_size<wide, wide, float> == 16);
    CHECK(transpose_block_size<narrow, narrow_transposed, float> == 8);
    CHECK(transpose_block_size<wide, wide, double> == 8);
#elif XSIMD_WITH_AVX
    CHECK(transpose_block_size<wide, wide, float> == 8);
    CHECK(transpose_block_size<narrow, narrow_transposed, float> == 8);
#elif XSIMD_WITH_SSE2
    CHECK(transpose_block_size<wide, wide, float> == 4);
    CHECK(transpose_block_size<narrow, narrow_transposed, float> == 4);
    CHECK(transpose_block_size<wide, wide, double> == 2);
#else
    CHECK(transpose_block_size<wide, wide, float> == 0);
    CHECK(transpose_block_size<narrow, narrow_transposed, float> == 0);
#endif
    using dot = typenet::detail::dense_layout<float, 64, 1>;
    using dot_transposed = typenet::detail::dense_layout<float, 1, 64>;
    CHECK(transpose_block_size<dot, dot_transposed, float> == 0);
    // Row-major weights (one output vector over whole input vectors) transpose by rows, not blocks.
    using rows = typenet::detail::dense_layout<float, 64, 4>;
    CHECK(rows::is_row_major == (rows::lanes >= 4));
    if constexpr (rows::is_row_major) CHECK(transpose_block_size<rows, typenet::detail::dense_layout<float, 4, 64>, float> == 0);
}
