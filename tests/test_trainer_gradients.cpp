// Backward pass: analytic gradients against finite differences (double), for every loss, several depths,
// stacked activations and wide layers (every activation: test_trainer_gradients_activations.cpp).
#include "gradient_check.hpp"

using namespace typenet;

TEST_CASE("every loss") {
    using net = basic_network<double, input<6>, dense<13>, typenet::tanh, dense<5>>;
    test::check_gradients<net, mse>("mse");
    test::check_gradients<net, softmax_cross_entropy>("softmax_cross_entropy");
    test::check_gradients<net, binary_cross_entropy_with_logits>("binary_cross_entropy_with_logits");
}

TEST_CASE("depths, single outputs, stacked activations, wide layers, batch sizes") {
    test::check_gradients<basic_network<double, input<2>, dense<1>>, mse>("one linear unit");
    test::check_gradients<basic_network<double, input<4>, dense<1>, sigmoid>, binary_cross_entropy_with_logits, 1>("batch 1");
    test::check_gradients<basic_network<double, input<5>, dense<7>, relu, dense<1>, typenet::tanh, dense<6>, gelu, dense<2>>,
                          softmax_cross_entropy, 3>("a 1-wide bottleneck");
    test::check_gradients<basic_network<double, input<4>, dense<8>, selu, dense<8>, selu, dense<8>, selu, dense<8>, selu, dense<8>, selu,
                                        dense<8>, selu, dense<3>>,
                          mse, 4>("7 dense layers");
    using deep = basic_deep_network<double, input<5>, repeat<8, dense<6>, typenet::tanh>, dense<3>>;
    static_assert(deep::layer_count > detail::inline_layer_limit, "this case covers the kernels called out of line");
    test::check_gradients<deep, softmax_cross_entropy, 3>("17 layers, kernels called out of line");
    test::check_gradients<basic_network<double, input<3>, dense<6>, typenet::tanh, sigmoid, dense<4>, dense<4>, relu, dense<2>>, mse>(
        "stacked activations, consecutive dense layers");
    test::check_gradients<basic_network<double, input<20>, dense<130>, relu, dense<3>>, softmax_cross_entropy, 9>(
        "130 outputs: several panels");
    // With 4-lane double vectors (AVX2, AVX-512's narrow layers) 8 -> 4 and 12 -> 3 store their weights
    // row-major, and 4 -> 12's transpose (its input gradient) is row-major.
    test::check_gradients<basic_network<double, input<8>, dense<4>, typenet::tanh, dense<12>, relu, dense<3>>, mse, 5>(
        "layers of one output vector: row-major weights");
}
