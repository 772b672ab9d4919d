// Documentation blocks of the tutorial: its network (docs/tutorial.md, examples/tutorial_train.cpp).
#include <cstdio>

#include <typenet/io/native.hpp>
#include <typenet/typenet.hpp>
namespace tn = typenet;

using Net = tn::network<tn::input<1>, tn::dense<32>, tn::tanh, tn::dense<32>, tn::tanh, tn::dense<1>>;

void readme_block() {
    // README BLOCK
}
