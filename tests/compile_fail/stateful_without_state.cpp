#include <typenet/typenet.hpp>
// expect: this network has a stateful layer (gru, lstm, conv1d): run it with a state
using Net = typenet::network<typenet::input<1>, typenet::gru<4>, typenet::dense<1>>;
std::array<float, 1> run(const Net& net, const std::array<float, 1>& x) { return net(x); }
