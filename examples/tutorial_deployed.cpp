// The tutorial's shipped program (docs/tutorial.md, step 4): the network trained by tutorial_train.cpp,
// compiled in from the header it wrote. Exits with status 1 if the network is not within 0.05 of sin(x).
//   bash .ci/example tutorial_deployed
// README: tutorial: deployed
#include <cmath>
#include <cstdio>

#include "sine_model.hpp"  // written by tutorial_train: namespace sine_model { network_type, network }

static_assert(sine_model::network_type::parameter_count == 1153);  // 1*32 + 32, 32*32 + 32, 32*1 + 1

int main() {
    int status = 0;
    for (const float x : {-3.0f, -1.5f, 0.0f, 0.5f, 1.5f, 3.0f}) {
        const std::array<float, 1> input = {x};
        const float y = sine_model::network(input)[0];  // the weights are constants: no file, no start-up code
        std::printf("x = %4.1f: network %7.4f, sin(x) %7.4f\n", double(x), double(y), std::sin(double(x)));
        if (std::abs(double(y) - std::sin(double(x))) > 0.05) status = 1;
    }
    return status;
}
// README: end
