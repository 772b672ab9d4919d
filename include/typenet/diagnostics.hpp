// Signal-propagation diagnostics: how a network, as initialized (or trained), carries the signal forward and
// the gradient backward, layer by layer, on one batch. Vanishing and exploding gradients show up as
// geometric trends in these numbers long before they show up as a loss that does not move.
//
// Documentation: docs/initializers.md
// Distributed under the Boost Software License, Version 1.0 (see LICENSE or https://www.boost.org/LICENSE_1_0.txt).
//
//   auto report = typenet::diagnose(net, batch);   // std::array<layer_statistics, Net::layer_count>
//   std::fputs(typenet::to_table(report).c_str(), stdout);
//   auto v = typenet::assess<Net>(report);         // vanishing / exploding / healthy, with a suggestion
#pragma once

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <memory>
#include <string>
#include <string_view>
#include <type_traits>

#include <boost/mp11/algorithm.hpp>

#include "activation.hpp"
#include "detail/static_for.hpp"
#include "init.hpp"
#include "layer.hpp"
#include "loss.hpp"
#include "network.hpp"
#include "random.hpp"
#include "workspace.hpp"

namespace typenet {

struct layer_statistics {
    std::string_view layer;    // the layer's kind: its name, e.g. "relu"
    bool has_weights = false;  // the layer has a weight tensor (tensor_role::weight): assess compares these
    std::size_t width = 0;     // outputs of the layer
    // Forward: the layer's outputs over the batch (all samples and units).
    double mean = 0, variance = 0, second_moment = 0;
    // Layers with unit_statistic::dead (relu, leaky_relu): fraction of units whose output is <= 0 for every
    // sample of the batch (dead units).
    double dead_fraction = 0;
    // Layers with unit_statistic::saturated: fraction of outputs where the layer's saturated(y) holds (tanh:
    // |y| > 0.99; sigmoid: y < 0.01 or y > 0.99).
    double saturated_fraction = 0;
    // Backward: d loss / d (output of this layer): L2 norm over the batch, and variance of its entries.
    double output_gradient_norm = 0, output_gradient_variance = 0;
    // Layers with weight tensors: d loss / d W over all of them, L2 norm and variance of the entries (0 for
    // activations).
    double weight_gradient_norm = 0, weight_gradient_variance = 0;
};

template <class Net>
using network_report = std::array<layer_statistics, Net::layer_count>;

namespace detail {

struct moments {
    double sum = 0, sum_of_squares = 0, count = 0;
    void add(double value) noexcept {
        sum += value;
        sum_of_squares += value * value;
        count += 1;
    }
    double mean() const noexcept { return sum / count; }
    double second_moment() const noexcept { return sum_of_squares / count; }
    double variance() const noexcept {
        const double m = mean();
        const double v = second_moment() - m * m;
        return v > 0 ? v : 0;
    }
};

template <class Layer>
using is_activation_layer = std::bool_constant<is_activation_v<Layer>>;

template <class Net, std::size_t Batch, class Input, class SetOutputGradient>
network_report<Net> diagnose_with(const Net& net, const Input& x, SetOutputGradient&& set_output_gradient) {
    using T = typename Net::value_type;
    using plan = typename Net::plan;
    auto buffers = std::make_unique<workspace<Net, Batch>>();
    network_report<Net> report{};
    buffers->forward(net, x);

    static_for<Net::layer_count>([&](auto index) {
        constexpr std::size_t i = decltype(index)::value;
        using layer = typename Net::template layer<i>;
        constexpr std::size_t units = plan::widths[i + 1];
        constexpr unit_statistic statistic = unit_statistic_of<layer>();
        layer_statistics& s = report[i];
        s.layer = layer::name;
        s.width = units;
        const T* rows = buffers->output(i);
        const std::size_t stride = buffers->row_stride(i);
        moments m;
        std::size_t dead_units = 0, saturated = 0;
        for (std::size_t u = 0; u < units; ++u) {
            bool alive = false;
            for (std::size_t b = 0; b < Batch; ++b) {
                const double y = double(rows[b * stride + u]);
                m.add(y);
                alive = alive || y > 0;
                if constexpr (statistic == unit_statistic::saturated) saturated += layer::saturated(y);
            }
            dead_units += !alive;
        }
        s.mean = m.mean();
        s.variance = m.variance();
        s.second_moment = m.second_moment();
        if constexpr (statistic == unit_statistic::dead) s.dead_fraction = double(dead_units) / double(units);
        s.saturated_fraction = double(saturated) / (double(units) * double(Batch));
    });

    constexpr std::size_t last = Net::layer_count - 1;
    set_output_gradient(static_cast<const T*>(buffers->output(last)), buffers->output_gradient(), buffers->row_stride(last));
    buffers->backward(net, x, [&](std::size_t i, const T* delta, std::size_t stride) {
        moments m;
        for (std::size_t b = 0; b < Batch; ++b)
            for (std::size_t u = 0; u < report[i].width; ++u) m.add(double(delta[b * stride + u]));
        report[i].output_gradient_norm = std::sqrt(m.sum_of_squares);
        report[i].output_gradient_variance = m.variance();
    });
    static_for<Net::layer_count>([&](auto index) {
        constexpr std::size_t i = decltype(index)::value;
        moments m;
        static_for<plan::template tensor_count<i>>([&](auto tensor_index) {
            constexpr std::size_t j = decltype(tensor_index)::value;
            if constexpr (plan::template tensor<i, j>::role == tensor_role::weight) {
                report[i].has_weights = true;
                const auto gradient = buffers->template gradient_tensor<i, j>();
                for (std::size_t flat = 0; flat < gradient.size; ++flat) m.add(double(gradient[flat]));
            }
        });
        if (report[i].has_weights) {
            report[i].weight_gradient_norm = std::sqrt(m.sum_of_squares);
            report[i].weight_gradient_variance = m.variance();
        }
    });
    return report;
}

}  // namespace detail

// Forward statistics on the batch x, and backward statistics for an output gradient of independent N(0, 1)
// entries (seeded): how the network propagates a unit signal both ways, independent of any loss (the
// quantity He et al. 2015 analyse). Allocates a workspace (the batch buffers) for the call.
template <class Net, std::size_t Batch>
network_report<Net> diagnose(const Net& net, const std::array<typename Net::input_type, Batch>& x, std::uint64_t seed = 0) {
    using T = typename Net::value_type;
    return detail::diagnose_with<Net, Batch>(net, x, [&](const T*, T* gradient, std::size_t stride) {
        random_stream stream(seed, 0x6469616700000000ull);  // any stream id apart from the initializers' 2i, 2i + 1
        for (std::size_t b = 0; b < Batch; ++b)
            for (std::size_t o = 0; o < Net::output_size; ++o) gradient[b * stride + o] = T(stream.normal());
    });
}

// The same with the gradient of a loss for targets y (what a training step would propagate).
template <class Loss, class Net, std::size_t Batch>
network_report<Net> diagnose(const Net& net, const std::array<typename Net::input_type, Batch>& x,
                             const typename Loss::template target_type<typename Net::value_type, Net::output_size, Batch>& y) {
    using T = typename Net::value_type;
    return detail::diagnose_with<Net, Batch>(net, x, [&](const T* prediction, T* gradient, std::size_t stride) {
        Loss::template evaluate<T, Net::output_size, Batch>(prediction, stride, y, gradient);
    });
}

// The report as a fixed-width text table, one row per layer.
template <std::size_t N>
std::string to_table(const std::array<layer_statistics, N>& report) {
    std::string table =
        "layer  kind          width        mean    variance       E[y^2]   dead/sat   |dL/dy|        var(dL/dy)   |dL/dW|\n";
    char line[256];
    for (std::size_t i = 0; i < N; ++i) {
        const layer_statistics& s = report[i];
        const double inactive = s.dead_fraction > 0 ? s.dead_fraction : s.saturated_fraction;
        std::snprintf(line, sizeof line, "%5zu  %-12.*s %6zu %11.3e %11.3e %11.3e %9.1f%% %11.3e %11.3e %11.3e\n", i, int(s.layer.size()),
                      s.layer.data(), s.width, s.mean, s.variance, s.second_moment, 100 * inactive, s.output_gradient_norm,
                      s.output_gradient_variance, s.weight_gradient_norm);
        table += line;
    }
    return table;
}

enum class signal_trend { healthy, vanishing, exploding };

struct signal_assessment {
    signal_trend forward = signal_trend::healthy, backward = signal_trend::healthy;
    // Last weight layer over first: second moment of the outputs (forward), squared gradient norm at the
    // outputs (backward, first over last: the direction the gradient travels).
    double forward_ratio = 1, backward_ratio = 1;  // per entry: mean squares
    std::string_view suggested_initializer;        // for the network's first activation (auto_init's choice)
    std::string explanation;                       // one line
    bool healthy() const noexcept { return forward == signal_trend::healthy && backward == signal_trend::healthy; }
};

// Band: a ratio within [1/band, band], band = 2^max(4, layers with weights / 4), is healthy. A variance-preserving
// initialization keeps the ratio near 1 (tanh with Glorot drifts slowly: 2^-6 over 30 layers); a mis-scaled
// one moves it by a constant factor per layer (Glorot under ReLU: 2^-1 per layer). NaN counts as exploding.
inline double healthy_band(std::size_t weighted_layers) noexcept { return std::exp2(std::max(4.0, double(weighted_layers) / 4)); }

template <class Net, std::size_t N>
signal_assessment assess(const std::array<layer_statistics, N>& report) {
    static_assert(N == Net::layer_count, "typenet::assess<Net>: the report is not of this network type");
    using layers_with_identity = boost::mp11::mp_push_back<typename Net::layers, identity>;
    using activation = boost::mp11::mp_at<layers_with_identity, boost::mp11::mp_find_if<layers_with_identity, detail::is_activation_layer>>;
    signal_assessment result;
    result.suggested_initializer = auto_init_for<activation>::type::name;

    std::size_t first = N, last = N, weighted_layers = 0;
    for (std::size_t i = 0; i < N; ++i)
        if (report[i].has_weights) {
            if (first == N) first = i;
            last = i;
            ++weighted_layers;
        }
    result.forward_ratio = report[last].second_moment / report[first].second_moment;
    // Per entry (the layers may differ in width): mean square of the gradient at the first over the last.
    auto mean_square_gradient = [&](std::size_t i) {
        return report[i].output_gradient_norm * report[i].output_gradient_norm / double(report[i].width);
    };
    result.backward_ratio = mean_square_gradient(first) / mean_square_gradient(last);
    const double band = healthy_band(weighted_layers);
    auto classify = [band](double ratio) {
        if (std::isnan(ratio)) return signal_trend::exploding;
        if (ratio > band) return signal_trend::exploding;
        return ratio < 1 / band ? signal_trend::vanishing : signal_trend::healthy;
    };
    result.forward = classify(result.forward_ratio);
    result.backward = classify(result.backward_ratio);

    auto word = [](signal_trend t) {
        return t == signal_trend::vanishing ? "vanishes" : t == signal_trend::exploding ? "explodes" : "is stable";
    };
    char line[320];
    if (result.healthy())
        std::snprintf(line, sizeof line, "healthy: output second moment x%.3g and gradient x%.3g over %zu weight layers (band 1/%g..%g)",
                      result.forward_ratio, result.backward_ratio, weighted_layers, band, band);
    else
        std::snprintf(line, sizeof line,
                      "the signal %s forward (x%.3g) and the gradient %s backward (x%.3g) over %zu weight layers: the weight scale does "
                      "not preserve variance through %.*s; try %.*s",
                      word(result.forward), result.forward_ratio, word(result.backward), result.backward_ratio, weighted_layers,
                      int(activation::name.size()), activation::name.data(), int(result.suggested_initializer.size()),
                      result.suggested_initializer.data());
    result.explanation = line;
    return result;
}

}  // namespace typenet
