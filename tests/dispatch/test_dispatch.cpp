// Runtime dispatch: the same network compiled for several instruction sets in one program; every path,
// forced in turn, computes what the scalar reference computes, and the default is the widest the CPU runs.
#include <doctest/doctest.h>

#include <typenet/dispatch.hpp>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "model.hpp"

using dispatch_test::model;
using dispatch_test::stateful_model;
using table = typenet::dispatch_table<float>;

// The kernels this build compiled (tests/meson.build), best last.
#if defined(DISPATCH_TEST_X86)
extern const table model_kernels_isa_portable, model_kernels_isa_sse2, model_kernels_isa_avx2_fma, model_kernels_isa_avx512bw;
extern const table other_kernels_isa_sse2;
static const std::vector<const table*> compiled = {&model_kernels_isa_portable, &model_kernels_isa_sse2, &model_kernels_isa_avx2_fma,
                                                   &model_kernels_isa_avx512bw};
static const table& other = other_kernels_isa_sse2;
extern const table stateful_kernels_isa_portable, stateful_kernels_isa_sse2, stateful_kernels_isa_avx2_fma, stateful_kernels_isa_avx512bw;
static const std::vector<const table*> stateful_compiled = {&stateful_kernels_isa_portable, &stateful_kernels_isa_sse2,
                                                            &stateful_kernels_isa_avx2_fma, &stateful_kernels_isa_avx512bw};
#elif defined(DISPATCH_TEST_X86_BASELINE)  // sanitizer builds: the baseline and portable kernels only
extern const table model_kernels_isa_portable, model_kernels_isa_sse2, other_kernels_isa_sse2;
static const std::vector<const table*> compiled = {&model_kernels_isa_portable, &model_kernels_isa_sse2};
static const table& other = other_kernels_isa_sse2;
extern const table stateful_kernels_isa_portable, stateful_kernels_isa_sse2;
static const std::vector<const table*> stateful_compiled = {&stateful_kernels_isa_portable, &stateful_kernels_isa_sse2};
#elif defined(DISPATCH_TEST_ARM)
extern const table model_kernels_isa_portable, model_kernels_isa_neon64, other_kernels_isa_neon64;
static const std::vector<const table*> compiled = {&model_kernels_isa_portable, &model_kernels_isa_neon64};
static const table& other = other_kernels_isa_neon64;
extern const table stateful_kernels_isa_portable, stateful_kernels_isa_neon64;
static const std::vector<const table*> stateful_compiled = {&stateful_kernels_isa_portable, &stateful_kernels_isa_neon64};
#else
extern const table model_kernels_isa_portable, other_kernels_isa_portable;
static const std::vector<const table*> compiled = {&model_kernels_isa_portable};
static const table& other = other_kernels_isa_portable;
extern const table stateful_kernels_isa_portable;
static const std::vector<const table*> stateful_compiled = {&stateful_kernels_isa_portable};
#endif

namespace {

model::input_type sample(std::size_t index) {
    model::input_type x;
    for (std::size_t i = 0; i < x.size(); ++i) x[i] = float((index * 5 + i * 3) % 17) / 8.0f - 1.0f;
    return x;
}

// What this test expects the choice to be, written independently of choose_dispatch_table: the last
// (widest) compiled table whose features the CPU has.
const table* expected_default() {
    const table* choice = nullptr;
    for (const table* t : compiled)
        if ((t->features & ~typenet::cpu_features()) == 0) choice = t;
    return choice;
}

struct environment_guard {  // TYPENET_DISPATCH must not leak from one test case into another
    explicit environment_guard(const char* value) { value ? setenv("TYPENET_DISPATCH", value, 1) : unsetenv("TYPENET_DISPATCH"); }
    ~environment_guard() { unsetenv("TYPENET_DISPATCH"); }
};

}  // namespace

TEST_CASE("every compiled path, forced in turn, computes what the reference computes") {
    environment_guard environment(nullptr);
    auto trained = std::make_unique<model>();  // this translation unit's own instruction set
    trained->initialize(31);
    std::vector<float> parameters(model::parameter_count);
    trained->get_parameters(std::span<float, model::parameter_count>(parameters));

    std::size_t ran = 0;
    for (const table* t : compiled) {
        INFO("kernels ", std::string(t->isa), " (needs ", typenet::feature_names(t->features), "; CPU has ",
             typenet::feature_names(typenet::cpu_features()), ")");
        if ((t->features & ~typenet::cpu_features()) != 0) {
            CHECK_THROWS_AS((void)typenet::dispatched_network<model>(compiled, t->isa), std::runtime_error);
            MESSAGE("this CPU cannot run ", std::string(t->isa), ": forcing it raised, as it must");
            continue;
        }
        typenet::dispatched_network<model> net(compiled, t->isa);
        CHECK(net.isa() == t->isa);
        // The same initial bits on every instruction set.
        std::vector<float> initial(model::parameter_count), expected_initial(model::parameter_count);
        net.get_parameters(std::span<float, model::parameter_count>(initial));
        model fresh;
        fresh.get_parameters(std::span<float, model::parameter_count>(expected_initial));
        CHECK(initial == expected_initial);
        net.initialize(31);
        net.get_parameters(std::span<float, model::parameter_count>(initial));
        CHECK(initial == parameters);

        std::vector<model::input_type> inputs(45);
        std::vector<model::output_type> batch(inputs.size());
        for (std::size_t s = 0; s < inputs.size(); ++s) inputs[s] = sample(s);
        net.forward_batch(inputs, batch);
        double worst = 0;
        for (std::size_t s = 0; s < inputs.size(); ++s) {
            const auto expected = typenet::reference::forward(*trained, std::span<const float, model::input_size>(inputs[s]));
            const auto single = net(inputs[s]);
            model::output_type through_span;
            net.forward(inputs[s], through_span);
            CHECK(through_span == single);
            for (std::size_t o = 0; o < model::output_size; ++o) {
                worst = std::max(worst, std::abs(single[o] - expected[o]) / std::max(1.0, std::abs(expected[o])));
                worst = std::max(worst, std::abs(batch[s][o] - expected[o]) / std::max(1.0, std::abs(expected[o])));
            }
        }
        CHECK(worst <= 2e-6);
        ++ran;
    }
    CHECK(ran >= 1);
}

TEST_CASE("the default is the widest compiled instruction set the CPU runs") {
    environment_guard environment(nullptr);
    typenet::dispatched_network<model> net(compiled);
    REQUIRE(expected_default() != nullptr);
    CHECK(net.isa() == expected_default()->isa);
    MESSAGE("chosen: ", std::string(net.isa()), " on a CPU with ", typenet::feature_names(typenet::cpu_features()));
    // The order of the tables does not matter.
    std::vector<const table*> reversed(compiled.rbegin(), compiled.rend());
    CHECK(typenet::dispatched_network<model>(reversed).isa() == net.isa());
}

TEST_CASE("TYPENET_DISPATCH overrides the choice, with or without the isa_ prefix") {
    {
        environment_guard environment("portable");
        CHECK(typenet::dispatched_network<model>(compiled).isa() == "isa_portable");
    }
    {
        environment_guard environment("isa_portable");
        CHECK(typenet::dispatched_network<model>(compiled).isa() == "isa_portable");
    }
    {
        environment_guard environment("sse9");
        CHECK_THROWS_WITH_AS((void)typenet::dispatched_network<model>(compiled),
                             doctest::Contains("typenet dispatch: sse9 was requested, but the program has kernels for isa_portable"),
                             std::invalid_argument);
    }
    {  // an explicit argument wins over the environment
        environment_guard environment("sse9");
        CHECK(typenet::dispatched_network<model>(compiled, "portable").isa() == "isa_portable");
    }
}

TEST_CASE("kernels of another network type are rejected by name, before anything runs") {
    environment_guard environment(nullptr);
    const std::vector<const table*> mixed = {compiled.front(), &other};
    CHECK_THROWS_WITH_AS((void)typenet::dispatched_network<model>(mixed),
                         doctest::Contains("compute a network with 19 inputs, 6 outputs and 120 parameters; expected 19, 5 and"),
                         std::invalid_argument);
    CHECK_THROWS_WITH_AS((void)typenet::dispatched_network<model>(std::vector<const table*>{}),
                         doctest::Contains("can run none of the (no) kernels given"), std::runtime_error);
}

TEST_CASE("a run-time batch whose spans differ in length is rejected") {
    environment_guard environment(nullptr);
    typenet::dispatched_network<model> net(compiled);
    std::vector<model::input_type> x(3);
    std::vector<model::output_type> y(2);
    CHECK_THROWS_WITH_AS(net.forward_batch(x, y), "typenet::dispatched_network::forward_batch: 3 inputs but room for 2 outputs; the two spans must have the same length",
                         std::invalid_argument);
}

namespace {
stateful_model::input_type stream_input(std::size_t t, std::size_t stream) {
    stateful_model::input_type x;
    for (std::size_t i = 0; i < x.size(); ++i) x[i] = float(std::sin(0.37 * double(t) + 1.3 * double(i) + 0.7 * double(stream)) * 1.5);
    return x;
}
}  // namespace

TEST_CASE("a stateful network: every compiled path streams what the reference computes, one stream and many") {
    environment_guard environment(nullptr);
    auto trained = std::make_unique<stateful_model>();
    trained->initialize(7);
    std::vector<float> parameters(stateful_model::parameter_count);
    trained->get_parameters(std::span<float, stateful_model::parameter_count>(parameters));
    using state_type = typenet::dispatched_network<stateful_model>::state_type;

    std::size_t ran = 0;
    for (const table* t : stateful_compiled) {
        INFO("kernels ", std::string(t->isa));
        if ((t->features & ~typenet::cpu_features()) != 0) continue;
        typenet::dispatched_network<stateful_model> net(stateful_compiled, t->isa);
        REQUIRE(net.isa() == t->isa);
        net.set_parameters(std::span<const float, stateful_model::parameter_count>(parameters));

        // One stream through forward and forward_sequence (two copies of the state) against the reference;
        // the two agree up to rounding (forward_sequence batches what does not wait for the previous step).
        constexpr std::size_t steps = 40, streams = 11;
        state_type state = net.make_state(), sequence_state = net.make_state();
        typenet::reference::state<stateful_model> reference_state;
        std::vector<stateful_model::input_type> xs(steps);
        std::vector<stateful_model::output_type> sequence_ys(steps);
        for (std::size_t step = 0; step < steps; ++step) xs[step] = stream_input(step, 0);
        net.forward_sequence(sequence_state, xs, sequence_ys);
        double worst = 0;
        for (std::size_t step = 0; step < steps; ++step) {
            const auto y = net(state, xs[step]);
            const auto expected = typenet::reference::step(*trained, reference_state, std::span<const float, 3>(xs[step]));
            for (std::size_t o = 0; o < stateful_model::output_size; ++o)
                worst = std::max({worst, std::abs(double(y[o]) - expected[o]), std::abs(double(sequence_ys[step][o]) - expected[o])});
        }
        CHECK(worst < 5e-6);
        const std::span<std::byte> step_bytes = state.bytes(0), sequence_bytes = sequence_state.bytes(0);
        REQUIRE(step_bytes.size() == sequence_bytes.size());
        double state_difference = 0;
        for (std::size_t k = 0; k + sizeof(float) <= step_bytes.size(); k += sizeof(float)) {
            float from_steps, from_sequence;
            std::memcpy(&from_steps, step_bytes.data() + k, sizeof(float));
            std::memcpy(&from_sequence, sequence_bytes.data() + k, sizeof(float));
            state_difference = std::max(state_difference, std::abs(double(from_steps) - double(from_sequence)));
        }
        CHECK(state_difference < 1e-5);

        // Many streams in one call against each stream on its own.
        state_type many = net.make_state(streams);
        std::vector<state_type> singles(streams, net.make_state());
        std::vector<stateful_model::input_type> x(streams);
        std::vector<stateful_model::output_type> y(streams);
        for (std::size_t step = 0; step < 12; ++step) {
            for (std::size_t s = 0; s < streams; ++s) x[s] = stream_input(step, s);
            net.forward_batch(many, x, y);
            for (std::size_t s = 0; s < streams; ++s) {
                const auto expected = net(singles[s], x[s]);
                for (std::size_t o = 0; o < stateful_model::output_size; ++o) CHECK(y[s][o] == doctest::Approx(expected[o]).epsilon(1e-5));
            }
        }
        ++ran;
    }
    CHECK(ran >= 1);
}

TEST_CASE("a dispatched state saves, restores and resets; a wrong state is rejected before anything runs") {
    environment_guard environment(nullptr);
    typenet::dispatched_network<stateful_model> net(stateful_compiled);
    net.initialize(3);
    auto state = net.make_state();
    const auto x = stream_input(0, 0);
    for (std::size_t step = 0; step < 5; ++step) (void)net(state, stream_input(step, 0));
    const auto saved = state;  // a copy is a saved state
    const auto y = net(state, x);
    CHECK(!(state == saved));
    state = saved;  // restore: the same step gives the same output
    CHECK(net(state, x) == y);
    state.reset();
    CHECK(state == net.make_state());
    auto fresh = net.make_state();
    CHECK(net(state, x) == net(fresh, x));

    auto two = net.make_state(2);
    for (std::byte b : two.bytes(1)) CHECK(b == std::byte{0});
    CHECK_THROWS_AS((void)two.bytes(2), std::out_of_range);
    CHECK_THROWS_WITH_AS((void)net(two, x), doctest::Contains("expected the state of 1 stream(s) made by this network's kernels"),
                         std::invalid_argument);
    std::vector<stateful_model::input_type> xs(3);
    std::vector<stateful_model::output_type> ys(3);
    CHECK_THROWS_AS(net.forward_batch(two, xs, ys), std::invalid_argument);
    const auto before = two;
    CHECK(two == before);  // nothing ran

    // A state made by other kernels (another instruction set) has another layout: rejected.
    for (const table* t : stateful_compiled) {
        if (t->isa == net.isa() || (t->features & ~typenet::cpu_features()) != 0) continue;
        typenet::dispatched_network<stateful_model> other_kernels(stateful_compiled, t->isa);
        auto foreign = other_kernels.make_state();
        CHECK_THROWS_WITH_AS((void)net(foreign, x), doctest::Contains(("found 1 stream(s) of " + std::string(t->isa)).c_str()), std::invalid_argument);
    }
}
