// Losses with PyTorch's reduction='mean': the mean over the batch (and over outputs for mse and
// binary_cross_entropy_with_logits, as PyTorch averages over all elements).
//
// Documentation: docs/training.md
// Distributed under the Boost Software License, Version 1.0 (see LICENSE or https://www.boost.org/LICENSE_1_0.txt).
//
// Interface of a loss L (all static):
//   L::name
//   L::template target_type<T, Outputs, Batch>
//   L::template find_invalid_target<T, Outputs, Batch>(target) noexcept -> target_error
//       the first target the loss is not defined for (a class index out of range, a probability outside
//       [0, 1]), or an empty target_error; never throws, for callers that must not (trainer::try_step)
//   L::template evaluate<T, Outputs, Batch>(prediction, stride, target, gradient) -> T
//       mean loss of the batch; when gradient is not null, writes d(mean loss)/d(prediction) there
//       (same stride; only the first Outputs entries of each row are touched). Checks the targets first and
//       raises std::invalid_argument naming the bad one (detail/raise.hpp).
// Sums are accumulated in double: the loss value is reported, not optimized, and must not drift with Batch.
// A NaN or infinite prediction gives the loss and gradient PyTorch gives (NaN propagates; tested against
// PyTorch's values in tests/test_numerics_special.cpp); a NaN target is not rejected and gives a NaN loss.
#pragma once

#include <array>
#include <cmath>
#include <cstddef>
#include <cstdio>
#include <stdexcept>
#include <string>
#include <string_view>

#include "detail/raise.hpp"

namespace typenet {

// A target a loss is not defined for: target[sample][output] (target[sample] for class-index targets,
// whose output is no_output) is value, where `expected` says what the loss needs. Empty (false) when every
// target is valid. Built without allocating, so that try_step can report it.
struct target_error {
    static constexpr std::size_t no_output = std::size_t(-1);
    std::size_t sample = 0, output = no_output;
    double value = 0;
    std::array<char, 80> expected{};

    explicit operator bool() const noexcept { return expected[0] != 0; }
    std::string message(std::string_view loss) const {
        char index[48];
        if (output == no_output)
            std::snprintf(index, sizeof index, "[%zu]", sample);
        else
            std::snprintf(index, sizeof index, "[%zu][%zu]", sample, output);
        char text[320];
        std::snprintf(text, sizeof text, "typenet::%.*s: target%s is %.17g, expected %s", int(loss.size()), loss.data(), index, value,
                      expected.data());
        return text;
    }
};

namespace detail {
template <class Loss, class T, std::size_t Outputs, std::size_t Batch, class Target>
void check_targets(const Target& target) {
    if (const target_error error = Loss::template find_invalid_target<T, Outputs, Batch>(target))
        raise(std::invalid_argument(error.message(Loss::name)));
}
}  // namespace detail

struct mse {
    static constexpr std::string_view name = "mse";
    template <class T, std::size_t Outputs, std::size_t Batch>
    using target_type = std::array<std::array<T, Outputs>, Batch>;

    // Any real target (NaN gives a NaN loss).
    template <class T, std::size_t Outputs, std::size_t Batch>
    static target_error find_invalid_target(const target_type<T, Outputs, Batch>&) noexcept {
        return {};
    }

    template <class T, std::size_t Outputs, std::size_t Batch>
    static T evaluate(const T* prediction, std::size_t stride, const target_type<T, Outputs, Batch>& target, T* gradient) {
        constexpr double count = double(Outputs) * double(Batch);
        const T scale = static_cast<T>(2 / count);
        double sum = 0;
        for (std::size_t b = 0; b < Batch; ++b)
            for (std::size_t o = 0; o < Outputs; ++o) {
                const T difference = prediction[b * stride + o] - target[b][o];
                sum += double(difference) * double(difference);
                if (gradient) gradient[b * stride + o] = scale * difference;
            }
        return static_cast<T>(sum / count);
    }
};

// Log-softmax fused with the negative log-likelihood of class-index targets (PyTorch nn.CrossEntropyLoss).
// Subtracting the row maximum keeps it exact for logits of any magnitude (tested at 1e4).
struct softmax_cross_entropy {
    static constexpr std::string_view name = "softmax_cross_entropy";
    template <class T, std::size_t Outputs, std::size_t Batch>
    using target_type = std::array<std::size_t, Batch>;

    template <class T, std::size_t Outputs, std::size_t Batch>
    static target_error find_invalid_target(const target_type<T, Outputs, Batch>& target) noexcept {
        for (std::size_t b = 0; b < Batch; ++b)
            if (target[b] >= Outputs) {
                target_error error{b, target_error::no_output, double(target[b])};
                std::snprintf(error.expected.data(), error.expected.size(), "a class index below %zu", Outputs);
                return error;
            }
        return {};
    }

    // A NaN logit makes its row's loss and gradient NaN; +inf gives NaN as in PyTorch (inf - inf).
    template <class T, std::size_t Outputs, std::size_t Batch>
    static T evaluate(const T* prediction, std::size_t stride, const target_type<T, Outputs, Batch>& target, T* gradient) {
        detail::check_targets<softmax_cross_entropy, T, Outputs, Batch>(target);
        double sum = 0;
        for (std::size_t b = 0; b < Batch; ++b) {
            const T* row = prediction + b * stride;
            T largest = row[0];
            for (std::size_t o = 1; o < Outputs; ++o) largest = row[o] > largest ? row[o] : largest;
            double exponentials = 0;
            for (std::size_t o = 0; o < Outputs; ++o) exponentials += std::exp(double(row[o] - largest));
            const double log_normalizer = double(largest) + std::log(exponentials);
            sum += log_normalizer - double(row[target[b]]);
            if (gradient)
                for (std::size_t o = 0; o < Outputs; ++o) {
                    const double probability = std::exp(double(row[o]) - log_normalizer);
                    gradient[b * stride + o] = static_cast<T>((probability - (o == target[b] ? 1.0 : 0.0)) / double(Batch));
                }
        }
        return static_cast<T>(sum / double(Batch));
    }
};

// Sigmoid fused with binary cross-entropy (PyTorch nn.BCEWithLogitsLoss), targets in [0, 1]:
// loss = (1 - t) z - min(z, 0) + log(1 + exp(-|z|)) = (1 - t) z - log sigmoid(z), exact for logits of any
// magnitude, and written as PyTorch writes it so that infinite logits give its results (z = +inf, t = 1 is
// NaN there too: 0 * inf).
struct binary_cross_entropy_with_logits {
    static constexpr std::string_view name = "binary_cross_entropy_with_logits";
    template <class T, std::size_t Outputs, std::size_t Batch>
    using target_type = std::array<std::array<T, Outputs>, Batch>;

    // A probability in [0, 1] (NaN passes and gives a NaN loss, like a NaN logit).
    template <class T, std::size_t Outputs, std::size_t Batch>
    static target_error find_invalid_target(const target_type<T, Outputs, Batch>& target) noexcept {
        for (std::size_t b = 0; b < Batch; ++b)
            for (std::size_t o = 0; o < Outputs; ++o)
                if (target[b][o] < T(0) || target[b][o] > T(1)) {
                    target_error error{b, o, double(target[b][o])};
                    std::snprintf(error.expected.data(), error.expected.size(), "a probability in [0, 1]");
                    return error;
                }
        return {};
    }

    template <class T, std::size_t Outputs, std::size_t Batch>
    static T evaluate(const T* prediction, std::size_t stride, const target_type<T, Outputs, Batch>& target, T* gradient) {
        detail::check_targets<binary_cross_entropy_with_logits, T, Outputs, Batch>(target);
        constexpr double count = double(Outputs) * double(Batch);
        double sum = 0;
        for (std::size_t b = 0; b < Batch; ++b)
            for (std::size_t o = 0; o < Outputs; ++o) {
                const double z = prediction[b * stride + o], t = target[b][o];
                sum += (1 - t) * z - (z < 0 ? z : 0) + std::log1p(std::exp(-std::abs(z)));
                if (gradient) {
                    const double sigmoid = z >= 0 ? 1 / (1 + std::exp(-z)) : std::exp(z) / (1 + std::exp(z));
                    gradient[b * stride + o] = static_cast<T>((sigmoid - t) / count);
                }
            }
        return static_cast<T>(sum / count);
    }
};

}  // namespace typenet
