// One binary for unknown machines (an audio plugin, say): the model runs with the best kernels of the CPU it
// finds. This file is compiled for the baseline; only model_kernels.cpp is compiled per instruction set.
// TYPENET_DISPATCH=sse2 (or avx2_fma, avx512bw, neon64, portable) forces a choice.
#include <typenet/dispatch.hpp>

#include <cstdio>
#include <vector>

#include "model.hpp"
#include "model_kernels.hpp"  // generated: extern declarations of the kernels this build compiled

// README: dispatch
int main() {
    typenet::dispatched_network<model> net(model_kernels);  // chooses here, once
    net.initialize(42);  // or net.set_parameters(...) from a loaded model: the same vector on every CPU

    model::input_type x{};
    x[0] = 1.0f;
    const model::output_type y = net(x);  // one indirect call into the chosen kernels
    std::printf("%s: y[0] = %.6f\n", net.isa().data(), double(y[0]));
}
// README: end
