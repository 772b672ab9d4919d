// One program, two instruction sets: both translation units instantiate the same network type, and each
// gets its own (typenet's inline instruction-set namespace), so both compute what the reference computes.
// Without it, the linker would keep one of two different layouts of one type: an ODR violation that
// crashes or computes garbage.
#include <doctest/doctest.h>

#include <cmath>

#include "network.hpp"

TEST_CASE("two translation units for different instruction sets, one network type, both correct") {
    const mixed_isa::result baseline = mixed_isa::run_baseline();
    const mixed_isa::result native = mixed_isa::run_native();
    INFO("baseline: ", baseline.isa, " (", baseline.storage_size, " elements), native: ", native.isa, " (", native.storage_size,
         " elements)");
    for (const auto* r : {&baseline, &native})
        for (std::size_t o = 0; o < 3; ++o)
            CHECK(std::abs(r->outputs[o] - r->reference[o]) <= 1e-5 * std::max(1.0, std::abs(r->reference[o])));
    // The same initial weights (bit-identical by design), so the same reference (up to the compiler's
    // contraction of its double loops into FMAs under -march=native), and nearly the same training.
    for (std::size_t k = 0; k < 4; ++k) CHECK(baseline.weights[k] == native.weights[k]);
    for (std::size_t o = 0; o < 3; ++o) CHECK(baseline.reference[o] == doctest::Approx(native.reference[o]).epsilon(1e-12));
    CHECK(baseline.loss_before == doctest::Approx(native.loss_before).epsilon(1e-5));
    CHECK(baseline.loss_after == doctest::Approx(native.loss_after).epsilon(1e-4));
    CHECK(baseline.loss_after < baseline.loss_before);
    if (baseline.isa != native.isa) MESSAGE("distinct instruction sets in one program: ", baseline.isa, " and ", native.isa);
}
