// The MLP of tools/torch_safetensors.py: nn.Sequential(Linear(6, 16), Tanh, Linear(16, 12), ReLU, Linear(12, 3)).
#pragma once

#include <typenet/typenet.hpp>

namespace io_test {

template <class T>
using torch_mlp =
    typenet::basic_network<T, typenet::input<6>, typenet::dense<16>, typenet::tanh, typenet::dense<12>, typenet::relu, typenet::dense<3>>;

}  // namespace io_test
