// structure/residual.hpp: residual blocks against the scalar reference (single samples, batches, streams),
// their gradients against finite differences (trainer and sequence_trainer, double), the depth-aware
// initialization policies as compile-time facts and as drawn values, summary and the state_dict names.
#include <doctest/doctest.h>

#include <cmath>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include <typenet/io.hpp>
#include <typenet/typenet.hpp>

#include "structure_check.hpp"

using namespace typenet;

namespace {

template <class T>
using residual_mlp = basic_network<T, input<6>, dense<8>, relu, residual<dense<8>, relu, dense<8>>, relu, residual<dense<8>, typenet::tanh, dense<8>>,
                                   dense<3>>;
template <class T>
using projected = basic_network<T, input<5>, residual_projection<dense<7>, dense<9>, gelu, dense<7>>, typenet::tanh, dense<2>>;
template <class T>
using skip = basic_network<T, input<4>, residual<skip_init, dense<6>, relu, dense<4>>, residual<skip_init, dense<4>>, dense<2>>;
template <class T>
using nested = basic_network<T, input<4>, dense<6>, residual<dense<6>, relu, residual<dense<6>, typenet::tanh, dense<6>>, dense<6>>, dense<1>>;
// A block that starts with its activation (pre-activation ResNets) and ends with one.
template <class T>
using pre_activation = basic_network<T, input<5>, dense<5>, residual<relu, dense<5>, sigmoid>, dense<2>>;

}  // namespace

TEST_CASE("residual blocks compute x + F(x): forward, batches and the scalar reference agree") {
    auto check = [](auto net) {
        test::randomize(*net, 7);
        return test::reference_error(*net);
    };
    CHECK(check(std::make_unique<residual_mlp<float>>()) < 2e-6);
    CHECK(check(std::make_unique<residual_mlp<double>>()) < 1e-13);
    CHECK(check(std::make_unique<projected<float>>()) < 2e-6);
    CHECK(check(std::make_unique<skip<float>>()) < 2e-6);
    CHECK(check(std::make_unique<nested<double>>()) < 1e-13);
    CHECK(check(std::make_unique<pre_activation<float>>()) < 2e-6);
    // The first layer of a network runs in place on a copy of the input (the add fused into the last layer).
    CHECK(check(std::make_unique<basic_network<float, input<6>, residual<dense<6>, relu, dense<6>>, relu>>()) < 2e-6);
    CHECK(check(std::make_unique<basic_network<float, input<40>, residual<dense<40>, relu, dense<40>>, residual<dense<40>>>>()) < 1e-5);
    // Deeper than the inlined driver: the blocks run from the table of out-of-line kernels.
    using deep = basic_deep_network<float, input<8>, repeat<14, residual<dense<8>, relu, dense<8>>>, dense<2>>;
    static_assert(deep::layer_count > detail::inline_layer_limit);
    CHECK(check(std::make_unique<deep>()) < 1e-5);
}

TEST_CASE("a residual block with every weight of its branch zero is the identity") {
    using net_type = network<input<8>, residual<dense<8>, relu, dense<8>>>;
    auto net = std::make_unique<net_type>();
    test::randomize(*net, 3);
    for (std::size_t o = 0; o < 8; ++o)
        for (std::size_t i = 0; i < 8; ++i) net->parameter_tensor<0, 2>()[o * 8 + i] = 0.0f;  // 0.2.weight
    for (std::size_t o = 0; o < 8; ++o) net->parameter_tensor<0, 3>()[o] = 0.0f;             // 0.2.bias
    const net_type::input_type x = {1, -2, 3, -4, 5, -6, 7, -8};
    CHECK(net->operator()(x) == x);
}

TEST_CASE("residual gradients match finite differences (trainer, double)") {
    auto check = [](double error, const char* what) {
        INFO(what, ": worst relative error ", error);
        CHECK(error < 1e-6);
    };
    check(test::structure_gradient_error<residual_mlp<double>>(), "residual MLP");
    check(test::structure_gradient_error<residual_mlp<double>, softmax_cross_entropy, 3>(), "residual MLP, cross-entropy");
    check(test::structure_gradient_error<projected<double>>(), "projection on the shortcut");
    check(test::structure_gradient_error<skip<double>>(), "SkipInit gains");
    check(test::structure_gradient_error<nested<double>>(), "nested blocks");
    check(test::structure_gradient_error<pre_activation<double>>(), "a block that starts with its activation");
    using deep = basic_deep_network<double, input<3>, repeat<13, residual<dense<3>, typenet::tanh, dense<3>>>, dense<2>>;
    check(test::structure_gradient_error<deep, mse, 2>(), "13 blocks: kernels out of line");
}

TEST_CASE("residual_branch_count and the depth-aware scales are compile-time facts") {
    using block = residual<fixup, dense<16>, relu, dense<16>>;
    using net_type = basic_deep_network<float, input<16>, repeat<8, block>, dense<1>>;
    static_assert(net_type::plan::residual_branch_count == 8);
    static_assert(net_type::residual_branch_count == 8);
    using first = layer_t<net_type, 0>;
    static_assert(first::network_residual_branches == 8 && first::branch_weight_layers == 2);
    // Fixup: L^(-1/(2m-2)) = 8^(-1/2) for two weight layers per branch.
    static_assert(std::abs(first::branch_scale - 0.35355339059327373) < 1e-15);
    using weight = boost::mp11::mp_at_c<first::parameters<float>, 0>;
    static_assert(weight::initializer::bound(16, 16) == first::branch_scale * he_uniform::bound(16, 16));
    static_assert(std::is_same_v<boost::mp11::mp_at_c<first::parameters<float>, 2>::initializer, zeros>);
    // Three weight layers: L^(-1/4).
    using three = basic_deep_network<float, input<4>, repeat<16, residual<fixup, dense<4>, relu, dense<4>, relu, dense<4>>>>;
    static_assert(std::abs(layer_t<three, 0>::branch_scale - 0.5) < 1e-15);
    // Nested branches count.
    static_assert(basic_network<float, input<4>, residual<dense<4>, residual<dense<4>>, residual<dense<4>>>>::residual_branch_count == 3);
    CHECK(detail::constexpr_root(8.0, 2) == doctest::Approx(std::sqrt(8.0)).epsilon(1e-15));
    CHECK(detail::constexpr_root(1000.0, 6) == doctest::Approx(std::pow(1000.0, 1.0 / 6)).epsilon(1e-15));
}

TEST_CASE("initialization policies: Fixup's scaled and zero layers, zero last layers, SkipInit's zero gain") {
    using fixed = basic_network<double, input<16>, residual<fixup, dense<16>, relu, dense<16>>, residual<fixup, dense<16>, relu, dense<16>>,
                                residual<fixup, dense<16>, relu, dense<16>>, residual<fixup, dense<16>, relu, dense<16>>>;
    using plain = basic_network<double, input<16>, residual<dense<16>, relu, dense<16>>, residual<dense<16>, relu, dense<16>>,
                                residual<dense<16>, relu, dense<16>>, residual<dense<16>, relu, dense<16>>>;
    auto a = std::make_unique<fixed>();
    auto b = std::make_unique<plain>();
    a->initialize(5);
    b->initialize(5);
    // Same streams: Fixup's first layer is He's times L^(-1/2) = 1/2, value for value; its last is zero.
    for (std::size_t k = 0; k < 256; ++k) {
        CHECK(a->parameter_tensor<2, 0>()[k] == doctest::Approx(0.5 * b->parameter_tensor<2, 0>()[k]).epsilon(1e-15));
        CHECK(a->parameter_tensor<2, 2>()[k] == 0.0);
        CHECK(b->parameter_tensor<2, 2>()[k] != 0.0);
    }
    using zero_last = network<input<6>, residual<zero_last_layer, dense<6>, relu, dense<6>>>;
    auto z = std::make_unique<zero_last>();
    const zero_last::input_type x = {1, 2, 3, 4, 5, 6};
    CHECK(z->operator()(x) == x);  // every block starts as the identity
    using skipped = network<input<6>, residual<skip_init, dense<6>, relu, dense<6>>>;
    auto s = std::make_unique<skipped>();
    CHECK(s->parameter_tensor<0, 0>()[0] == 0.0f);  // the gain
    CHECK(s->operator()(x) == x);
    CHECK(s->parameter_tensor<0, 1>()[0] != 0.0f);  // the branch keeps its initializer
}

TEST_CASE("summary shows the blocks' layers, indented, and the policies") {
    using net_type = network<input<4>, residual<fixup, dense<4>, relu, dense<4>>, residual_projection<dense<3>, dense<3>>, dense<1>>;
    const std::string text = summary<net_type>();
    INFO(text);
    CHECK(text.find(" 0   residual") != std::string::npos);
    CHECK(text.find("fixup            L = 2, m = 2: x 0.707107, last 0") != std::string::npos);
    CHECK(text.find("       0.0 dense      (4)") != std::string::npos);
    CHECK(text.find("scaled(he_uniform)") != std::string::npos);
    CHECK(text.find("       0.2 dense") != std::string::npos);
    CHECK(text.find("zeros") != std::string::npos);
    CHECK(text.find("       1.shortcut dense") != std::string::npos);
    CHECK(text.find(" 1   residual_projection") != std::string::npos);
}

TEST_CASE("state_dict names inside blocks: I.J.<tensor>, I.shortcut.<tensor>, I.gain") {
    using net_type = network<input<4>, residual<skip_init, dense<4>, relu, dense<4>>, residual_projection<dense<3>, dense<3>>>;
    using plan = net_type::plan;
    CHECK(plan::tensor<0, 0>::name == "gain");
    CHECK(plan::tensor<0, 1>::name == "0.weight");
    CHECK(plan::tensor<0, 4>::name == "2.bias");
    CHECK(plan::tensor<1, 2>::name == "shortcut.weight");
    const auto table = detail::tensor_table<net_type>();
    CHECK(table[0].name == "0.gain");
    CHECK(table[1].name == "0.0.weight");
    CHECK(table[7].name == "1.shortcut.weight");
    CHECK(table[8].name == "1.shortcut.bias");
}

TEST_CASE("diagnose and lsuv_initialize see a residual block as one layer with weights") {
    using net_type = network<input<16>, dense<32>, relu, residual<dense<32>, relu, dense<32>>, relu, residual<dense<32>, relu, dense<32>>, dense<4>>;
    auto net = std::make_unique<net_type>();
    random_stream stream(8, 2);
    std::array<net_type::input_type, 64> x{};
    for (auto& row : x)
        for (auto& value : row) value = float(stream.normal());
    const auto report = diagnose(*net, x);
    CHECK(report[2].layer == "residual");
    CHECK(report[2].has_weights);
    CHECK(std::isfinite(report[2].variance));
    CHECK(report[2].variance > 0);
    const auto calibrated = lsuv_initialize(*net, x, 3);
    CHECK(calibrated[2].has_weights);
    CHECK(calibrated[2].converged);
    CHECK(std::abs(calibrated[2].variance - 1) < 0.1);
    CHECK(calibrated[4].converged);
}
