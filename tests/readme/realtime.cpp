// Documentation blocks about training steps in real-time code and monitoring: a small network, a batch of 8 samples
// with mse targets.
#include <cstddef>
#include <cstdio>
#include <new>

#include <typenet/typenet.hpp>
namespace tn = typenet;

using Net = tn::network<tn::input<4>, tn::dense<16>, tn::tanh, tn::dense<2>>;

void readme_block(Net& net, const std::array<std::array<float, 4>, 8>& x, const std::array<std::array<float, 2>, 8>& y) {
    // README BLOCK
}
