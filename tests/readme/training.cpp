// Documentation blocks about training, with a batch of 32 samples of 2 inputs and class-index targets.
#include <cstdio>

#include <typenet/typenet.hpp>
namespace tn = typenet;

void readme_block(const std::array<std::array<float, 2>, 32>& x, const std::array<std::size_t, 32>& y, [[maybe_unused]] std::size_t out,
                  [[maybe_unused]] std::size_t in) {
    // README BLOCK
}
