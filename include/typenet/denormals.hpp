// flush_denormals: while an object of this type lives, the calling thread's floating-point unit treats
// subnormal numbers (|x| < 1.18e-38 in float, 2.2e-308 in double) as zero: results that would be subnormal
// are 0 (x86 FTZ, AArch64 FZ) and subnormal inputs read as 0 (x86 DAZ; AArch64 FZ does both). Its destructor
// restores the previous mode.
//
// Documentation: docs/numerics.md
// Distributed under the Boost Software License, Version 1.0 (see LICENSE or https://www.boost.org/LICENSE_1_0.txt).
//
// Why: on x86 an operation with a subnormal operand or result can take about a hundred times longer than a
// normal one, and audio signals decaying to silence, or recurrent state, pass through that range; real-time
// code usually runs with these flags set. The effect on results: every value that would be subnormal is 0
// instead (an absolute change below 1.18e-38 in float), so outputs can differ from an unflushed run in the
// last place of values that sum such terms, and tanh(1e-40f) is 0, not 1e-40. NaN and infinities are not
// affected. Tested in tests/test_numerics_special.cpp.
//
// The mode belongs to the thread: create the guard on each thread that runs typenet (an audio callback, a
// worker). Where the instruction set has no such mode known to typenet (the portable path, 32-bit ARM),
// `supported` is false and the guard does nothing.
#pragma once

#include "config.hpp"
#include "kernel/arch/select.hpp"

namespace typenet::inline TYPENET_ISA {

class flush_denormals {
    using arch = kernel::arch::selected_arch;
    static constexpr unsigned long long bits = kernel::arch::flush_denormals_bits(arch{});

public:
    static constexpr bool supported = bits != 0;

    flush_denormals() noexcept : saved_(kernel::arch::read_float_control(arch{})) {
        kernel::arch::write_float_control(arch{}, saved_ | bits);
    }
    ~flush_denormals() { kernel::arch::write_float_control(arch{}, saved_); }
    flush_denormals(const flush_denormals&) = delete;
    flush_denormals& operator=(const flush_denormals&) = delete;

    // Whether the calling thread flushes now (under this or any other guard, or flags set elsewhere).
    static bool active() noexcept { return supported && (kernel::arch::read_float_control(arch{}) & bits) == bits; }

private:
    unsigned long long saved_;
};

}  // namespace typenet::inline TYPENET_ISA
