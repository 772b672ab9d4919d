// The reference nets A, B and C and a streaming GRU (one time step per call), shared by the dispatch benchmark's kernel translation units and its main.
#pragma once

#include <typenet/typenet.hpp>

namespace dispatch_bench {
namespace tn = typenet;
using net_a = tn::network<tn::input<8>, tn::dense<32>, tn::tanh, tn::dense<32>, tn::tanh, tn::dense<1>>;
using net_b = tn::network<tn::input<16>, tn::dense<64>, tn::relu, tn::dense<64>, tn::relu, tn::dense<8>>;
using net_c = tn::network<tn::input<128>, tn::dense<256>, tn::relu, tn::dense<256>, tn::relu, tn::dense<10>>;
using net_gru = tn::network<tn::input<1>, tn::gru<16>, tn::dense<1>>;
}  // namespace dispatch_bench
