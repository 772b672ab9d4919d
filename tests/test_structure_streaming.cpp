// Residual blocks of stateful layers (temporal convolution networks): one time step at a time against the
// scalar reference, forward_sequence and many streams against single steps, and the gradients through time
// (sequence_trainer) against finite differences, in double.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <memory>
#include <span>
#include <vector>

#include <typenet/typenet.hpp>

#include "sequence_gradient_check.hpp"
#include "structure_check.hpp"

using namespace typenet;

namespace {

// Two residual blocks of dilated causal convolutions: the first widens the signal (a 1x1 convolution on
// the shortcut), the second keeps it; a dense head.
template <class T>
using tcn = basic_network<T, input<3>, residual_projection<conv1d<6, 1>, conv1d<6, 3, 1>, relu, conv1d<6, 3, 2>>, relu,
                          residual<conv1d<6, 3, 4>, typenet::tanh, conv1d<6, 1>>, dense<2>>;
// A stateless shortcut (dense) beside a convolutional branch, and a recurrent layer inside a block.
template <class T>
using mixed = basic_network<T, input<2>, residual_projection<dense<4>, conv1d<4, 2, 3>, typenet::tanh>, residual<gru<4>, dense<4>>,
                            residual<skip_init, conv1d<4, 2>>, dense<1>>;

// Worst relative error over steps: net(state, x) against reference::step; forward_sequence from the same
// start against the steps; 3 streams through forward_batch against single streams.
template <class Net>
double streaming_error(const Net& net, std::size_t steps = 41) {
    using T = typename Net::value_type;
    typenet::random_stream stream(9, 1);
    std::vector<typename Net::input_type> xs(steps);
    for (auto& x : xs)
        for (auto& value : x) value = T(stream.symmetric_uniform());
    typename Net::state_type state{};
    typenet::reference::state<Net> reference_state;
    std::vector<typename Net::output_type> stepped(steps), sequenced(steps);
    double worst = 0;
    auto compare = [&](double a, double b) { worst = std::max(worst, std::abs(a - b) / std::max(1.0, std::abs(b))); };
    for (std::size_t t = 0; t < steps; ++t) {
        stepped[t] = net(state, xs[t]);
        const auto r = typenet::reference::step(net, reference_state, std::span<const T, Net::input_size>(xs[t]));
        for (std::size_t o = 0; o < Net::output_size; ++o) compare(stepped[t][o], r[o]);
    }
    typename Net::state_type sequence_state{};
    net.forward_sequence(sequence_state, xs, sequenced);
    for (std::size_t t = 0; t < steps; ++t)
        for (std::size_t o = 0; o < Net::output_size; ++o) compare(sequenced[t][o], stepped[t][o]);
    compare(0, std::abs(double(sequence_state.values[0]) - double(state.values[0])));
    std::vector<typename Net::state_type> states(3);
    std::vector<typename Net::input_type> x(3);
    std::vector<typename Net::output_type> y(3);
    for (std::size_t t = 0; t < steps; ++t) {
        for (std::size_t s = 0; s < 3; ++s) x[s] = xs[(t + 5 * s) % steps];
        net.forward_batch(states, x, y);
        if (t == steps - 1) {
            typename Net::state_type single{};
            typename Net::output_type last{};
            for (std::size_t u = 0; u < steps; ++u) last = net(single, xs[(u + 5) % steps]);
            for (std::size_t o = 0; o < Net::output_size; ++o) compare(y[1][o], last[o]);
        }
    }
    return worst;
}

}  // namespace

TEST_CASE("a TCN of residual blocks streams one step at a time as the scalar reference does") {
    auto f = std::make_unique<tcn<float>>();
    test::randomize(*f, 2);
    CHECK(streaming_error(*f) < 1e-5);
    auto d = std::make_unique<tcn<double>>();
    test::randomize(*d, 2);
    CHECK(streaming_error(*d) < 1e-12);
    auto m = std::make_unique<mixed<float>>();
    test::randomize(*m, 4);
    CHECK(streaming_error(*m) < 1e-5);
    static_assert(tcn<float>::is_stateful && tcn<float>::residual_branch_count == 2);
}

TEST_CASE("gradients through time of residual blocks match finite differences (sequence_trainer, double)") {
    test::check_sequence_gradients<tcn<double>>("two-block TCN");
    test::check_sequence_gradients<mixed<double>>("dense shortcut, gru in a block, SkipInit");
}
