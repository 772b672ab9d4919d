// README blocks about model files, with the MLP of the "Deploying a model" section.
#include <typenet/io.hpp>
#include <typenet/typenet.hpp>
namespace tn = typenet;

using Mlp = tn::network<tn::input<6>, tn::dense<16>, tn::tanh, tn::dense<12>, tn::relu, tn::dense<3>>;

void readme_block(Mlp& net) {
    // README BLOCK
}
