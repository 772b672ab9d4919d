// README blocks about sequence layers: a stateful network, inputs for one step, chunks for training.
#include <array>
#include <cstdio>
#include <memory>
#include <span>
#include <vector>

#include <typenet/typenet.hpp>
namespace tn = typenet;

void readme_block([[maybe_unused]] const std::array<float, 1>& x, [[maybe_unused]] std::span<const std::array<float, 1>> xs,
                  [[maybe_unused]] std::span<std::array<float, 1>> ys, [[maybe_unused]] std::span<const std::array<float, 1>> channel_inputs,
                  [[maybe_unused]] std::span<std::array<float, 1>> channel_outputs) {
    // README BLOCK
}
