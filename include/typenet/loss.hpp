// Losses with PyTorch's reduction='mean': the mean over the batch (and over outputs for mse and
// binary_cross_entropy_with_logits, as PyTorch averages over all elements).
//
// Interface of a loss L (all static):
//   L::name
//   L::template target_type<T, Outputs, Batch>
//   L::template evaluate<T, Outputs, Batch>(prediction, stride, target, gradient) -> T
//       mean loss of the batch; when gradient is not null, writes d(mean loss)/d(prediction) there
//       (same stride; only the first Outputs entries of each row are touched).
// Sums are accumulated in double: the loss value is reported, not optimized, and must not drift with Batch.
#pragma once

#include <array>
#include <cmath>
#include <cstddef>
#include <stdexcept>
#include <string>
#include <string_view>

namespace typenet {

struct mse {
    static constexpr std::string_view name = "mse";
    template <class T, std::size_t Outputs, std::size_t Batch>
    using target_type = std::array<std::array<T, Outputs>, Batch>;

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
    static void check(const target_type<T, Outputs, Batch>& target) {
        for (std::size_t b = 0; b < Batch; ++b)
            if (target[b] >= Outputs)
                throw std::invalid_argument("typenet::softmax_cross_entropy: target[" + std::to_string(b) + "] is " +
                                            std::to_string(target[b]) + ", expected a class index below " + std::to_string(Outputs));
    }

    template <class T, std::size_t Outputs, std::size_t Batch>
    static T evaluate(const T* prediction, std::size_t stride, const target_type<T, Outputs, Batch>& target, T* gradient) {
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
// loss = max(z, 0) - z t + log(1 + exp(-|z|)), exact for logits of any magnitude.
struct binary_cross_entropy_with_logits {
    static constexpr std::string_view name = "binary_cross_entropy_with_logits";
    template <class T, std::size_t Outputs, std::size_t Batch>
    using target_type = std::array<std::array<T, Outputs>, Batch>;

    template <class T, std::size_t Outputs, std::size_t Batch>
    static T evaluate(const T* prediction, std::size_t stride, const target_type<T, Outputs, Batch>& target, T* gradient) {
        constexpr double count = double(Outputs) * double(Batch);
        double sum = 0;
        for (std::size_t b = 0; b < Batch; ++b)
            for (std::size_t o = 0; o < Outputs; ++o) {
                const double z = prediction[b * stride + o], t = target[b][o];
                sum += (z > 0 ? z : 0) - z * t + std::log1p(std::exp(-std::abs(z)));
                if (gradient) {
                    const double sigmoid = z >= 0 ? 1 / (1 + std::exp(-z)) : std::exp(z) / (1 + std::exp(z));
                    gradient[b * stride + o] = static_cast<T>((sigmoid - t) / count);
                }
            }
        return static_cast<T>(sum / count);
    }
};

}  // namespace typenet
