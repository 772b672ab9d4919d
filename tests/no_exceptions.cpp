// The inference and training headers in a build without exceptions (-fno-exceptions, as real-time and
// embedded code is often built): forward, try_step with a bad sample and a bad target, the checked
// accessors with valid indices, and flush_denormals. Errors arrive as values; nothing here may throw.
#include <array>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <limits>

#include <typenet/typenet.hpp>

static_assert(!TYPENET_HAS_EXCEPTIONS, "tests/no_exceptions.cpp must be compiled with -fno-exceptions");

namespace tn = typenet;
using Net = tn::network<tn::input<3>, tn::dense<8>, tn::relu, tn::dense<2>>;

int failures = 0;
void expect(bool condition, const char* what) {
    if (!condition) {
        std::printf("FAILED: %s\n", what);
        ++failures;
    }
}

int main() {
    Net net;
    tn::trainer<Net, tn::softmax_cross_entropy, tn::adam, 2> trainer;
    const std::array<Net::input_type, 2> x{{{0.5f, -1, 2}, {1, 0, -0.5f}}};
    expect(trainer.try_step(net, x, {0, 1}).applied(), "a good step is applied");

    Net before = net;
    std::array<Net::input_type, 2> bad_x = x;
    bad_x[1][2] = std::numeric_limits<float>::quiet_NaN();
    const auto result = trainer.try_step(net, bad_x, {0, 1});
    expect(result.status == tn::step_status::non_finite_loss, "a NaN sample is reported as a non-finite loss");
    expect(std::memcmp(&before, &net, sizeof(Net)) == 0, "a NaN sample leaves the network unchanged");

    const auto invalid = trainer.try_step(net, x, {0, 5});
    expect(invalid.status == tn::step_status::invalid_target, "a class index out of range is reported as a value");
    expect(trainer.last_target_error().value == 5, "and which target it was");
    expect(trainer.steps() == 1 && trainer.skipped_steps() == 2, "only the good step counts");

    {
        tn::flush_denormals guard;
        const auto y = net(x[0]);
        expect(std::isfinite(y[0]) && std::isfinite(y[1]), "forward under flush_denormals");
    }
    net.weight<0>(7, 2) = 0.25f;
    expect(net.weight<0>(7, 2) == 0.25f && net.bias<2>(1) == net.parameter_tensor<2, 1>()[1], "accessors");
    std::printf("%s\n", failures == 0 ? "no_exceptions: all checks passed" : "no_exceptions: FAILED");
    return failures == 0 ? 0 : 1;
}
