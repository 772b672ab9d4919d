#include <typenet/typenet.hpp>
// expect: weight<I>/bias<I>: the layer index I is out of range
int main() {
    typenet::network<typenet::input<3>, typenet::dense<4>, typenet::relu, typenet::dense<2>> net;
    return static_cast<int>(net.bias<3>(0));
}
