#include <typenet/typenet.hpp>
// expect: the network has stateful layers (gru, lstm, conv1d): train it through time
using Net = typenet::network<typenet::input<1>, typenet::lstm<4>, typenet::dense<1>>;
float train(Net& net, const std::array<std::array<float, 1>, 8>& x, const std::array<std::array<float, 1>, 8>& y) {
    typenet::trainer<Net, typenet::mse, typenet::adam, 8> trainer;
    return trainer.step(net, x, y);
}
