// Runtime dispatch: the same network compiled for several instruction sets in one program; every path,
// forced in turn, computes what the scalar reference computes, and the default is the widest the CPU runs.
#include <doctest/doctest.h>

#include <typenet/dispatch.hpp>

#include <cmath>
#include <cstdlib>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "model.hpp"

using dispatch_test::model;
using table = typenet::dispatch_table<float>;

// The kernels this build compiled (tests/meson.build), best last.
#if defined(DISPATCH_TEST_X86)
extern const table model_kernels_isa_portable, model_kernels_isa_sse2, model_kernels_isa_avx2_fma, model_kernels_isa_avx512bw;
extern const table other_kernels_isa_sse2;
static const std::vector<const table*> compiled = {&model_kernels_isa_portable, &model_kernels_isa_sse2, &model_kernels_isa_avx2_fma,
                                                   &model_kernels_isa_avx512bw};
static const table& other = other_kernels_isa_sse2;
#elif defined(DISPATCH_TEST_X86_BASELINE)  // sanitizer builds: the baseline and portable kernels only
extern const table model_kernels_isa_portable, model_kernels_isa_sse2, other_kernels_isa_sse2;
static const std::vector<const table*> compiled = {&model_kernels_isa_portable, &model_kernels_isa_sse2};
static const table& other = other_kernels_isa_sse2;
#elif defined(DISPATCH_TEST_ARM)
extern const table model_kernels_isa_portable, model_kernels_isa_neon64, other_kernels_isa_neon64;
static const std::vector<const table*> compiled = {&model_kernels_isa_portable, &model_kernels_isa_neon64};
static const table& other = other_kernels_isa_neon64;
#else
extern const table model_kernels_isa_portable, other_kernels_isa_portable;
static const std::vector<const table*> compiled = {&model_kernels_isa_portable};
static const table& other = other_kernels_isa_portable;
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
