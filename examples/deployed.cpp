// Deploying a model, step 3 of docs/deploying.md: the program that ships. mlp_model.hpp was
// written by examples/deploy.cpp (typenet::write_header) at build time; the weights are constants in
// read-only data: no file, no parsing, no start-up code.
#include <cstdio>

// README: deployed
#include "mlp_model.hpp"  // namespace mlp_model { using network_type = ...; inline constexpr network_type network = ...; }

static_assert(mlp_model::network_type::input_size == 6);
static_assert(mlp_model::network.bias<4>(0) != 0.0f);  // the weights are known to the compiler

int main() {
    const std::array<float, 6> x = {0.5f, -1.0f, 0.25f, 2.0f, 0.0f, -0.75f};
    const auto y = mlp_model::network(x);  // const, noexcept, no allocation
    std::printf("y = [%g, %g, %g]\n", double(y[0]), double(y[1]), double(y[2]));
}
// README: end
