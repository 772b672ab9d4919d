// One network type, instantiated by two translation units compiled for different instruction sets
// (isa_baseline.cpp: plain x86-64, SSE2; isa_native.cpp: -march=native). Each reports what it computed.
#pragma once

#include <array>
#include <cstddef>
#include <string>

namespace mixed_isa {

struct result {
    std::string isa;                // the inline namespace typenet chose, e.g. "isa_sse2"
    std::size_t storage_size;       // elements of the parameter block (depends on the vector width)
    std::array<double, 3> outputs;  // forward of a fixed input
    std::array<double, 3> reference;
    std::array<float, 4> weights;    // a few initial parameters: the same bits in every instruction set
    double loss_before, loss_after;  // one Adam step on a fixed batch
};

result run_baseline();
result run_native();

}  // namespace mixed_isa
