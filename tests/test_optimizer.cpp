// The fused optimizer kernels (kernel/optimizer.hpp) against scalar double implementations of
// torch.optim's formulas, in float and double, over many steps; padding lanes must stay exactly zero.
#include <doctest/doctest.h>

#include <cmath>
#include <cstddef>
#include <random>
#include <vector>

#include <typenet/kernel/optimizer.hpp>

namespace {

constexpr std::size_t block_size = 1024;    // a multiple of every vector width
constexpr std::size_t padding_from = 1000;  // entries past this stay zero in parameters and gradients

struct reference_adam {
    std::vector<double> parameters, first_moment, second_moment;
    void step(const std::vector<double>& gradient, const typenet::kernel::adam_coefficients& c) {
        const double bias_correction1 = 1 - std::pow(c.beta1, double(c.step));
        const double bias_correction2 = 1 - std::pow(c.beta2, double(c.step));
        for (std::size_t i = 0; i < parameters.size(); ++i) {
            double g = gradient[i];
            if (!c.decoupled)
                g += c.weight_decay * parameters[i];
            else
                parameters[i] *= 1 - c.lr * c.weight_decay;
            first_moment[i] = c.beta1 * first_moment[i] + (1 - c.beta1) * g;
            second_moment[i] = c.beta2 * second_moment[i] + (1 - c.beta2) * g * g;
            const double denominator = std::sqrt(second_moment[i]) / std::sqrt(bias_correction2) + c.eps;
            parameters[i] -= c.lr / bias_correction1 * first_moment[i] / denominator;
        }
    }
};

template <class T>
void check_adam(bool decoupled, double weight_decay, double tolerance) {
    std::mt19937 engine(7);
    // Gradients over several decades, as real ones are (the divider shortcut must hold for tiny v too).
    std::uniform_real_distribution<double> unit(-1, 1), decade(-8, 1);
    auto draw_gradient = [&](std::size_t i) { return i < padding_from ? unit(engine) * std::pow(10.0, decade(engine)) : 0.0; };

    std::vector<double> start(block_size, 0.0);
    for (std::size_t i = 0; i < padding_from; ++i) start[i] = unit(engine);
    reference_adam reference{start, std::vector<double>(block_size), std::vector<double>(block_size)};
    alignas(64) static T parameters[block_size], gradient[block_size], first_moment[block_size], second_moment[block_size];
    for (std::size_t i = 0; i < block_size; ++i) parameters[i] = T(start[i]), first_moment[i] = second_moment[i] = T(0);
    // The reference starts from exactly the values the kernel starts from.
    for (std::size_t i = 0; i < block_size; ++i) reference.parameters[i] = double(parameters[i]);

    for (long step = 1; step <= 20; ++step) {
        std::vector<double> g(block_size);
        for (std::size_t i = 0; i < block_size; ++i) g[i] = double(gradient[i] = T(draw_gradient(i)));
        const typenet::kernel::adam_coefficients coefficients{1e-3, 0.9, 0.999, 1e-8, weight_decay, decoupled, step};
        reference.step(g, coefficients);
        typenet::kernel::adam_update<T, block_size>(parameters, gradient, first_moment, second_moment, coefficients, T(1));
    }
    // Each step moves a parameter by about lr; a wrong formula shows up as errors of that size. Rounding
    // the parameters to T costs at most one ulp of |p| < 2 per step.
    double worst = 0;
    std::size_t nonzero_padding = 0;
    for (std::size_t i = 0; i < block_size; ++i) {
        if (i >= padding_from)
            nonzero_padding += parameters[i] != T(0) || first_moment[i] != T(0) || second_moment[i] != T(0);
        else
            worst = std::max(worst, std::abs(double(parameters[i]) - reference.parameters[i]) / 1e-3);
    }
    CHECK(nonzero_padding == 0);
    CHECK_MESSAGE(worst < tolerance, "worst error in units of lr: ", worst);
}

}  // namespace

TEST_CASE("adam_update follows torch.optim.Adam / AdamW (double reference)") {
    // float: 20 roundings of |p| < 2 (2.4e-7 each) are 5e-3 lr at most; double: 1e-11 lr.
    for (bool decoupled : {false, true})
        for (double weight_decay : {0.0, 1e-2}) {
            CAPTURE(decoupled);
            CAPTURE(weight_decay);
            check_adam<float>(decoupled, weight_decay, 5e-3);
            check_adam<double>(decoupled, weight_decay, 1e-11);
        }
}

TEST_CASE("adam's direction m / (sqrt(v) c + eps) is within a few float ulp of the exact quotient") {
    // The AVX-512 float path replaces sqrt and division by refined reciprocal estimates: check it directly,
    // over v from 0 (padding) to 1e6 and m of both signs. Two Newton-refined estimates (~2^-27 each) and six
    // roundings: 6 ulp is the bound; exact sqrt and division stay within 1.
    using batch = typenet::kernel::block_batch<float>;
    std::mt19937 engine(11);
    std::uniform_real_distribution<double> exponent(-30, 6), unit(-1, 1);
    double worst_ulps = 0;
    for (int trial = 0; trial < 20000; ++trial) {
        alignas(64) float m[batch::size], v[batch::size], out[batch::size];
        for (std::size_t l = 0; l < batch::size; ++l) {
            v[l] = l == 0 && trial % 7 == 0 ? 0.0f : float(std::pow(10.0, exponent(engine)));
            m[l] = float(unit(engine) * std::sqrt(double(v[l])) * 3);
        }
        const float inverse_root = 1.0f / std::sqrt(1.0f - 0.999f), eps = 1e-8f;
        typenet::kernel::detail::adam_direction(batch::load_aligned(m), batch::load_aligned(v), inverse_root, eps).store_aligned(out);
        for (std::size_t l = 0; l < batch::size; ++l) {
            const double exact = double(m[l]) / (std::sqrt(double(v[l])) * double(inverse_root) + double(eps));
            const double ulp = std::max(std::abs(double(std::nextafter(float(exact), 2 * float(exact) + 1) - float(exact))), 1e-45);
            worst_ulps = std::max(worst_ulps, std::abs(double(out[l]) - exact) / ulp);
        }
    }
    CHECK_MESSAGE(worst_ulps <= 6, "worst error in float ulps: ", worst_ulps);
}

TEST_CASE("sgd_update follows torch.optim.SGD with momentum; padding stays zero") {
    std::mt19937 engine(3);
    std::uniform_real_distribution<double> unit(-1, 1);
    alignas(64) static float parameters[block_size], gradient[block_size], buffer[block_size];
    std::vector<double> reference(block_size, 0.0), reference_buffer(block_size, 0.0);
    for (std::size_t i = 0; i < block_size; ++i) {
        parameters[i] = i < padding_from ? float(unit(engine)) : 0.0f;
        reference[i] = parameters[i];
        buffer[i] = 0.0f;
    }
    const double lr = 0.05, momentum = 0.9;
    for (int step = 1; step <= 20; ++step) {
        for (std::size_t i = 0; i < block_size; ++i) {
            gradient[i] = i < padding_from ? float(unit(engine)) : 0.0f;
            reference_buffer[i] = step == 1 ? gradient[i] : momentum * reference_buffer[i] + gradient[i];
            reference[i] -= lr * reference_buffer[i];
        }
        typenet::kernel::sgd_update<float, block_size>(parameters, gradient, buffer, float(lr), float(momentum), 1.0f, step == 1);
    }
    double worst = 0;
    for (std::size_t i = 0; i < block_size; ++i) worst = std::max(worst, std::abs(double(parameters[i]) - reference[i]));
    CHECK(worst < 1e-5);
    for (std::size_t i = padding_from; i < block_size; ++i) REQUIRE(parameters[i] == 0.0f);
}
