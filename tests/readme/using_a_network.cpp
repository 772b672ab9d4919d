// README blocks that use the network of the README's first block.
#include <cstdio>
#include <string>

#include <typenet/typenet.hpp>
namespace tn = typenet;

using Net = tn::network<tn::input<16>, tn::dense<64, tn::he_uniform>, tn::relu, tn::dense<64, tn::glorot_uniform>, tn::tanh,
                        tn::dense<8, tn::lecun_uniform>>;

void readme_block(Net& net, const std::array<Net::input_type, 64>& batch, std::uint64_t seed) {
    // README BLOCK
}
