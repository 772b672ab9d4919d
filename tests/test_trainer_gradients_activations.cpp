// Backward pass: analytic gradients against finite differences (double), for every activation, with widths
// that are and are not multiples of the SIMD width. (Apart from test_trainer_gradients.cpp so that the two
// halves compile in parallel: under ASan one file took 7 minutes.)
#include "gradient_check.hpp"

using namespace typenet;

template <class Activation, std::size_t Hidden>
using activation_net = basic_network<double, input<3>, dense<Hidden>, Activation, dense<Hidden + 7>, Activation, dense<3>>;

TEST_CASE("every activation (mse)") {
    test::check_gradients<activation_net<identity, 9>, mse>("identity");
    test::check_gradients<activation_net<relu, 16>, mse>("relu");
    test::check_gradients<activation_net<leaky_relu<0.1f>, 5>, mse>("leaky_relu");
    test::check_gradients<activation_net<typenet::tanh, 17>, mse>("tanh");
    test::check_gradients<activation_net<sigmoid, 8>, mse>("sigmoid");
    test::check_gradients<activation_net<selu, 11>, mse>("selu");
    test::check_gradients<activation_net<gelu, 24>, mse>("gelu");
}
