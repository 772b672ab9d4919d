// A program that uses an installed (or subproject) typenet: runs a network, checks it against typenet's
// scalar reference, and round-trips it through a file in memory. Exit status 0 when everything agrees.
#include <cmath>
#include <cstdio>

#include <typenet/io.hpp>
#include <typenet/typenet.hpp>

int main() {
    using Net = typenet::network<typenet::input<4>, typenet::dense<16, typenet::he_uniform>, typenet::relu, typenet::dense<2>>;
    Net net;
    net.initialize(7);
    const Net::input_type x = {0.5f, -1.0f, 0.25f, 2.0f};
    const auto y = net(x);
    const auto reference = typenet::reference::forward(net, std::span<const float, 4>(x));
    Net copy;
    typenet::load(copy, typenet::save(net));
    const bool agrees = std::abs(y[0] - reference[0]) < 1e-5 && std::abs(y[1] - reference[1]) < 1e-5 && copy == net;
    std::printf("consumer (%s): y = [%g, %g], reference [%g, %g]: %s\n", TYPENET_ISA_NAME, double(y[0]), double(y[1]), double(reference[0]),
                double(reference[1]), agrees ? "agree" : "DISAGREE");
    return agrees ? 0 : 1;
}
