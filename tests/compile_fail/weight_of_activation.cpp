// Layer 1 is the relu (indices count activations, as PyTorch nn.Sequential).
#include <typenet/typenet.hpp>
// expect: weight<I>/bias<I>: layer I has no such tensor
int main() {
    typenet::network<typenet::input<3>, typenet::dense<4>, typenet::relu, typenet::dense<2>> net;
    return static_cast<int>(net.weight<1>(0, 0));
}
