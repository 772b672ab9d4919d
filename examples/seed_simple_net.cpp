// The seed article's Keras SimpleNet as a type: six dense layers (no activations, as in the article),
// kernels initialized with glorot_uniform, he_uniform, lecun_uniform, glorot_uniform, he_uniform,
// lecun_uniform, biases zero. Everything about its shape is known to the compiler.
#include <cmath>
#include <cstdio>

#include <typenet/typenet.hpp>

namespace tn = typenet;

constexpr std::size_t input_dim = 10, hidden_dim = 10, output_dim = 1;

using SimpleNet = tn::network<tn::input<input_dim>, tn::dense<hidden_dim, tn::glorot_uniform>, tn::dense<hidden_dim, tn::he_uniform>,
                              tn::dense<hidden_dim, tn::lecun_uniform>, tn::dense<output_dim, tn::glorot_uniform>,
                              tn::dense<output_dim, tn::he_uniform>, tn::dense<output_dim, tn::lecun_uniform>>;

// Fans and parameter counts, checked by the compiler (Keras' summary says 110, 110, 110, 11, 2, 2 = 345).
static_assert(tn::layer_t<SimpleNet, 0>::fan_in == 10 && tn::layer_t<SimpleNet, 0>::fan_out == 10);
static_assert(tn::layer_t<SimpleNet, 3>::fan_in == 10 && tn::layer_t<SimpleNet, 3>::fan_out == 1);
static_assert(tn::layer_t<SimpleNet, 5>::fan_in == 1 && tn::layer_t<SimpleNet, 5>::fan_out == 1);
static_assert(SimpleNet::parameter_count == 345);

// The published bounds: Glorot sqrt(6/(10+10)) = 0.5477, He sqrt(6/10) = 0.7746, LeCun sqrt(3/10) = 0.5477.
// (The article's sqrt(2/(n_in+n_out)) * eps for He would be 0.0032 with eps = 0.01.)
static_assert(tn::layer_t<SimpleNet, 0>::weight_bound() > 0.5477 && tn::layer_t<SimpleNet, 0>::weight_bound() < 0.5478);
static_assert(tn::layer_t<SimpleNet, 1>::weight_bound() > 0.7745 && tn::layer_t<SimpleNet, 1>::weight_bound() < 0.7746);
static_assert(tn::layer_t<SimpleNet, 2>::weight_bound() > 0.5477 && tn::layer_t<SimpleNet, 2>::weight_bound() < 0.5478);
static_assert(tn::layer_t<SimpleNet, 4>::weight_bound() > 2.449 && tn::layer_t<SimpleNet, 4>::weight_bound() < 2.45);

int main() {
    SimpleNet net;
    net.initialize(42);
    std::printf("%s\n", tn::summary<SimpleNet>("SimpleNet").c_str());

    SimpleNet::input_type x;
    for (std::size_t i = 0; i < input_dim; ++i) x[i] = std::sin(static_cast<float>(i));
    const auto y = net(x);
    std::printf("x = sin(0 .. 9)  ->  y = %.6f\n", static_cast<double>(y[0]));
}
