// The reference nets A, B and C, shared by the dispatch benchmark's kernel translation units and its main.
#pragma once

#include <typenet/typenet.hpp>

namespace dispatch_bench {
namespace tn = typenet;
using net_a = tn::network<tn::input<8>, tn::dense<32>, tn::tanh, tn::dense<32>, tn::tanh, tn::dense<1>>;
using net_b = tn::network<tn::input<16>, tn::dense<64>, tn::relu, tn::dense<64>, tn::relu, tn::dense<8>>;
using net_c = tn::network<tn::input<128>, tn::dense<256>, tn::relu, tn::dense<256>, tn::relu, tn::dense<10>>;
}  // namespace dispatch_bench
