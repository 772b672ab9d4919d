// Forward pass: SIMD kernels against the scalar reference, for every activation and many widths.
// Compiled twice (see meson.build), with scalar = float and scalar = double.
#include "forward_check.hpp"

#ifndef TYPENET_TEST_SCALAR
#error "define TYPENET_TEST_SCALAR (float or double)"
#endif
using scalar = TYPENET_TEST_SCALAR;

using namespace typenet;

TEST_CASE("widths 1 to 256, every activation") { test::check_shapes<scalar>(); }

TEST_CASE("every initializer, stacked activations, consecutive dense layers") {
    test::check_forward<basic_network<scalar, input<10>, dense<10, glorot_uniform>, dense<10, he_uniform>, relu, typenet::tanh,
                                      dense<10, lecun_uniform, torch_default>, dense<1, glorot_normal>, dense<1, he_normal>,
                                      dense<5, lecun_normal>, sigmoid, dense<9, keras_he_normal, normal<0.0, 0.5>>,
                                      dense<9, orthogonal<>, uniform<-0.1, 0.1>>, selu, dense<3, torch_default, torch_default>>>();
}

TEST_CASE("layers whose outputs fit in one vector: row-major weights, one dot product per output") {
    using net_type = basic_network<scalar, input<16>, dense<4>, typenet::tanh, dense<32>, relu, dense<8>, sigmoid, dense<16>, dense<3>>;
    // Which layers are row-major depends on the vector width; the narrowest (4 lanes) and the usual 8 both
    // have some.
    using first = typename net_type::template layer<0>::template layout<scalar>;
    using last = typename net_type::template layer<7>::template layout<scalar>;
    static_assert(first::lanes < 4 || (first::is_row_major && last::is_row_major));
    test::check_forward<net_type>();
}

TEST_CASE("forward and operator() agree, and are pure") {
    using net_type = basic_network<scalar, input<6>, dense<20>, gelu, dense<4>>;
    net_type net;
    const auto x = test::random_input<net_type>(3);
    typename net_type::output_type y;
    net.forward(x, y);
    CHECK(net(x) == y);
    CHECK(net(std::span<const scalar, 6>(x)) == y);
    CHECK(net(x) == y);
}

TEST_CASE("networks deeper than the inlining limit call their kernels out of line, with the same results") {
    using at_limit = deep_network<input<9>, repeat<5, dense<17>, typenet::tanh>, dense<3>, relu>;
    using deeper = basic_deep_network<scalar, input<9>, repeat<9, dense<17>, gelu>, dense<3>>;
    static_assert(at_limit::layer_count == detail::inline_layer_limit);
    static_assert(deeper::layer_count > detail::inline_layer_limit);
    if constexpr (std::is_same_v<scalar, float>) test::check_forward<at_limit>();
    test::check_forward<deeper>();
}
