#include <typenet/typenet.hpp>
// expect: initialize_as<WeightInit, BiasInit>: BiasInit cannot initialize biases
void reinitialize(typenet::network<typenet::input<3>, typenet::dense<4>>& net) {
    net.initialize_as<typenet::he_uniform, typenet::he_uniform>(1);
}
