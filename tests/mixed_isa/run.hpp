// Shared body of the two translation units: the same network type, the same computation.
#pragma once

#include <typenet/typenet.hpp>

#include "network.hpp"

namespace mixed_isa {
// Internal linkage: this function's code differs per instruction set, so, like typenet's own code, it must
// not be one inline function shared by both translation units (the linker would keep one of the two).
namespace {

using Net = typenet::network<typenet::input<19>, typenet::dense<37>, typenet::tanh, typenet::dense<20>, typenet::relu, typenet::dense<3>>;

result run() {
    result r;
    r.isa = TYPENET_ISA_NAME;
    r.storage_size = Net::storage_size;
    auto net = std::make_unique<Net>();
    net->initialize(2024);
    r.weights = {net->weight<0>(0, 0), net->weight<0>(36, 18), net->weight<2>(19, 36), net->weight<4>(2, 19)};
    Net::input_type x{};
    for (std::size_t i = 0; i < x.size(); ++i) x[i] = float(i % 5) / 4 - 0.5f;
    const auto y = (*net)(x);
    const auto expected = typenet::reference::forward(*net, std::span<const float, Net::input_size>(x));
    for (std::size_t o = 0; o < 3; ++o) {
        r.outputs[o] = y[o];
        r.reference[o] = expected[o];
    }
    typenet::trainer<Net, typenet::mse, typenet::adam, 8> trainer;
    typename decltype(trainer)::input_batch batch{};
    typename decltype(trainer)::target_batch targets{};
    for (std::size_t b = 0; b < 8; ++b) {
        for (std::size_t i = 0; i < 19; ++i) batch[b][i] = float((b * 7 + i * 3) % 11) / 10 - 0.5f;
        for (std::size_t o = 0; o < 3; ++o) targets[b][o] = float(b + o) / 10;
    }
    r.loss_before = trainer.step(*net, batch, targets);
    r.loss_after = trainer.loss(*net, batch, targets);
    return r;
}

}  // namespace
}  // namespace mixed_isa
