// trainer<Net, Loss, Optimizer, Batch>: everything training needs and a deployed network does not.
//
// The trainer owns the activations of a batch (every layer's output, for the backward pass), two gradient
// ping-pong buffers, the parameter gradient (laid out like the network's parameter block) and the
// optimizer moments. They are allocated once, in the constructor; step() allocates nothing.
// Monitor (monitor.hpp) is no_monitor by default: nothing is computed or checked for it.
#pragma once

#include <array>
#include <cmath>
#include <cstddef>
#include <memory>
#include <type_traits>
#include <utility>

#include "config.hpp"
#include "detail/static_for.hpp"
#include "kernel/dense_backward.hpp"
#include "kernel/dense_forward.hpp"
#include "kernel/optimizer.hpp"
#include "kernel/transpose.hpp"
#include "loss.hpp"
#include "monitor.hpp"
#include "network.hpp"
#include "optim.hpp"

namespace typenet {

namespace detail {
struct trainer_access;  // diagnostics and calibration passes (diagnostics.hpp, lsuv.hpp)
}

template <class Net, class Loss, class Optimizer, std::size_t Batch, class Monitor = no_monitor>
class trainer {
    static_assert(Batch >= 1, "typenet::trainer<Net, Loss, Optimizer, Batch>: Batch must be at least 1");
    static_assert(std::is_same_v<Optimizer, sgd> || std::is_same_v<Optimizer, adam>,
                  "typenet::trainer: the optimizer must be typenet::sgd or typenet::adam");
    static_assert(!std::is_same_v<Loss, softmax_cross_entropy> || Net::output_size >= 2,
                  "typenet::trainer: softmax_cross_entropy needs at least two outputs (classes)");

    using T = typename Net::value_type;
    using plan = typename Net::plan;
    static constexpr std::size_t layer_count = Net::layer_count;
    static constexpr std::size_t row_alignment = detail::storage_alignment / sizeof(T);

    // Width of layer i's output rows in the activation buffers: its stage's padded width, whole cache lines.
    static constexpr std::array<std::size_t, layer_count> row_width = []<std::size_t... I>(std::index_sequence<I...>) {
        std::array<std::size_t, layer_count> widths{};
        std::size_t stage_width = 0;
        ((stage_width = plan::is_dense[I] ? detail::round_up(plan::template layout<I>::padded_out, row_alignment) : stage_width,
          widths[I] = stage_width),
         ...);
        return widths;
    }(std::make_index_sequence<layer_count>{});
    static constexpr std::array<std::size_t, layer_count + 1> activation_offset = [] {
        std::array<std::size_t, layer_count + 1> offsets{};
        for (std::size_t i = 0; i < layer_count; ++i) offsets[i + 1] = offsets[i] + Batch * row_width[i];
        return offsets;
    }();
    static constexpr std::size_t delta_width = [] {
        std::size_t widest = detail::round_up(Net::input_size, row_alignment);
        for (std::size_t w : row_width) widest = w > widest ? w : widest;
        return widest;
    }();
    static constexpr std::size_t moment_count = std::is_same_v<Optimizer, adam> ? 2 : 1;

    // W^T of dense layer i (i > 0; the first layer needs no input gradient), in the layout of a layer with
    // fan_in and fan_out swapped.
    template <std::size_t I>
    using transposed_layout = detail::dense_layout<T, plan::widths[I + 1], plan::widths[I]>;
    static constexpr std::array<std::size_t, layer_count + 1> transposed_offset = []<std::size_t... I>(std::index_sequence<I...>) {
        const std::size_t storage[] = {(plan::is_dense[I] && I > 0 ? transposed_layout<I>::storage : 0)..., 0};
        std::array<std::size_t, layer_count + 1> offsets{};
        for (std::size_t i = 0; i < layer_count; ++i) offsets[i + 1] = offsets[i] + storage[i];
        return offsets;
    }(std::make_index_sequence<layer_count>{});

    struct state {
        alignas(detail::storage_alignment) std::array<T, activation_offset[layer_count]> activations{};
        alignas(detail::storage_alignment) std::array<T, Batch * delta_width> delta[2]{};
        alignas(detail::storage_alignment) std::array<T, Net::storage_size> gradient{};
        alignas(detail::storage_alignment) std::array<T, Net::storage_size> moments[moment_count]{};
        alignas(detail::storage_alignment) std::array<T, transposed_offset[layer_count] + 1> transposed{};
        alignas(detail::storage_alignment) std::array<T, delta_width> zeros{};  // the transposed layers' bias
    };

public:
    using input_batch = std::array<typename Net::input_type, Batch>;
    using target_batch = typename Loss::template target_type<T, Net::output_size, Batch>;
    static constexpr std::size_t batch_size = Batch;

    explicit trainer(Optimizer optimizer = {}, Monitor monitor = {})
        : optimizer_(optimizer), state_(std::make_unique<state>()), monitor_(std::move(monitor)) {}

    // Forward, loss, backward and optimizer update on one batch. Returns the batch's mean loss before the
    // update (PyTorch's loss.item()).
    T step(Net& net, const input_batch& x, const target_batch& y) {
        check_targets(y);
        forward(net, x);
        const T loss = Loss::template evaluate<T, Net::output_size, Batch>(output_rows(), row_width[layer_count - 1], y,
                                                                           state_->delta[0].data());
        if constexpr (Monitor::enabled)
            if (!std::isfinite(loss)) throw divergence_error(steps_ + 1, "loss", double(loss));
        clear_delta_padding();
        backward(net, x);
        double squared_norm = 0;
        if (Monitor::enabled || clip_norm_ > T(0)) squared_norm = kernel::squared_norm<T, Net::storage_size>(state_->gradient.data());
        if constexpr (Monitor::enabled) {
            const double norm = std::sqrt(squared_norm);
            if (!std::isfinite(norm)) throw divergence_error(steps_ + 1, "gradient norm", norm);
            monitor_.record({steps_ + 1, double(loss), norm});
        }
        update(net, squared_norm);
        return loss;
    }

    // Mean loss of a batch, without gradients or update.
    T loss(const Net& net, const input_batch& x, const target_batch& y) {
        check_targets(y);
        forward(net, x);
        return Loss::template evaluate<T, Net::output_size, Batch>(output_rows(), row_width[layer_count - 1], y, nullptr);
    }

    // Clip the global L2 norm of the gradient to max_norm before each update (torch.nn.utils.clip_grad_norm_);
    // 0 turns clipping off (the default).
    void set_clip_norm(T max_norm) noexcept { clip_norm_ = max_norm; }
    T clip_norm() const noexcept { return clip_norm_; }

    // Gradient of the last step's mean loss (no weight decay, before clipping), PyTorch layout.
    template <std::size_t I>
    T weight_gradient(std::size_t out, std::size_t in) const noexcept {
        static_assert(I < layer_count && plan::is_dense[I], "typenet: weight_gradient<I>: layer I is not a dense layer");
        TYPENET_ASSERT(out < plan::widths[I + 1] && in < plan::widths[I]);
        return state_->gradient[plan::offsets[I] + plan::template layout<I>::weight_index(out, in)];
    }
    template <std::size_t I>
    T bias_gradient(std::size_t out) const noexcept {
        static_assert(I < layer_count && plan::is_dense[I], "typenet: bias_gradient<I>: layer I is not a dense layer");
        TYPENET_ASSERT(out < plan::widths[I + 1]);
        return state_->gradient[plan::offsets[I] + plan::template layout<I>::weight_storage + out];
    }

    const Optimizer& optimizer() const noexcept { return optimizer_; }
    const Monitor& monitor() const noexcept { return monitor_; }
    long steps() const noexcept { return steps_; }

private:
    friend struct detail::trainer_access;

    static void check_targets(const target_batch& y) {
        if constexpr (requires { Loss::template check<T, Net::output_size, Batch>(y); })
            Loss::template check<T, Net::output_size, Batch>(y);
    }

    T* layer_rows(std::size_t i) noexcept { return state_->activations.data() + activation_offset[i]; }
    const T* output_rows() noexcept { return layer_rows(layer_count - 1); }

    // Layers [First, Last); the outputs of layer First - 1 must be current.
    template <std::size_t First = 0, std::size_t Last = layer_count>
    void forward(const Net& net, const input_batch& x) noexcept {
        detail::static_for<layer_count>([&](auto index) {
            constexpr std::size_t i = decltype(index)::value;
            if constexpr (i < First || i >= Last) return;
            const T* input = i == 0 ? x[0].data() : layer_rows(i - 1);
            const std::size_t input_stride = i == 0 ? Net::input_size : row_width[i == 0 ? 0 : i - 1];
            T* output = layer_rows(i);
            if constexpr (plan::is_dense[i]) {
                using layout = typename plan::template layout<i>;
                const T* weights = net.parameters_.data() + plan::offsets[i];
                kernel::dense_forward<layout, kernel::epilogue<>, Batch>(input, input_stride, weights, weights + layout::weight_storage,
                                                                         output, row_width[i]);
            } else {
                using activation = typename Net::template layer<i>;
                using batch = kernel::block_batch<T>;
                for (std::size_t e = 0; e < Batch * row_width[i]; e += batch::size)
                    activation::apply(batch::load_aligned(input + e)).store_aligned(output + e);
            }
        });
    }

    // The loss writes gradients for the first output_size entries of each row; the rest must be zero.
    void clear_delta_padding() noexcept {
        constexpr std::size_t width = row_width[layer_count - 1];
        for (std::size_t b = 0; b < Batch; ++b)
            for (std::size_t o = Net::output_size; o < width; ++o) state_->delta[0][b * width + o] = T(0);
    }

    // observe(layer index constant, gradient rows, row width) sees d loss / d (output of layer i) before layer
    // i turns it into its input's gradient.
    struct ignore_gradients {
        template <class Index>
        void operator()(Index, const T*, std::size_t) const noexcept {}
    };
    template <class Observer = ignore_gradients>
    void backward(const Net& net, const input_batch& x, Observer&& observe = {}) noexcept {
        int current = 0;  // state_->delta[current] holds d loss / d (output of layer i), rows of row_width[i]
        detail::static_for<layer_count>([&](auto reverse_index) {
            constexpr std::size_t i = layer_count - 1 - decltype(reverse_index)::value;
            T* delta = state_->delta[current].data();
            observe(std::integral_constant<std::size_t, i>{}, static_cast<const T*>(delta), row_width[i]);
            if constexpr (plan::is_dense[i]) {
                using layout = typename plan::template layout<i>;
                const T* input = i == 0 ? x[0].data() : layer_rows(i == 0 ? 0 : i - 1);
                const std::size_t input_stride = i == 0 ? Net::input_size : row_width[i == 0 ? 0 : i - 1];
                T* weight_gradient = state_->gradient.data() + plan::offsets[i];
                kernel::dense_parameter_gradient<layout, Batch>(input, input_stride, delta, row_width[i], weight_gradient,
                                                                weight_gradient + layout::weight_storage);
                if constexpr (i > 0) {
                    using transposed = transposed_layout<i>;
                    T* weights_transposed = state_->transposed.data() + transposed_offset[i];
                    kernel::transpose_weights<layout, transposed>(net.parameters_.data() + plan::offsets[i], weights_transposed);
                    T* delta_in = state_->delta[1 - current].data();
                    kernel::dense_forward<transposed, kernel::epilogue<>, Batch>(delta, row_width[i], weights_transposed,
                                                                                 state_->zeros.data(), delta_in, row_width[i - 1]);
                    // Columns past the input width must be zero: the next activation's derivative multiplies them.
                    constexpr std::size_t written = transposed::is_dot ? 1 : transposed::padded_out;
                    for (std::size_t b = 0; b < Batch; ++b)
                        for (std::size_t k = written; k < row_width[i - 1]; ++k) delta_in[b * row_width[i - 1] + k] = T(0);
                    current = 1 - current;
                }
            } else {
                // Same row width in and out: the derivative is applied in place.
                using activation = typename Net::template layer<i>;
                using batch = kernel::block_batch<T>;
                const T* input = layer_rows(i - 1);
                const T* output = layer_rows(i);
                for (std::size_t e = 0; e < Batch * row_width[i]; e += batch::size) {
                    const batch d = activation::derivative(batch::load_aligned(input + e), batch::load_aligned(output + e));
                    (batch::load_aligned(delta + e) * d).store_aligned(delta + e);
                }
            }
        });
    }

    // squared_norm: of the gradient block, computed by step() when clipping or a monitor needs it.
    void update(Net& net, double squared_norm) noexcept {
        ++steps_;
        T scale = T(1);
        if (clip_norm_ > T(0)) {
            const double norm = std::sqrt(squared_norm);
            const double coefficient = double(clip_norm_) / (norm + 1e-6);
            if (coefficient < 1) scale = T(coefficient);
        }
        T* parameters = net.parameters_.data();
        const T* gradient = state_->gradient.data();
        if constexpr (std::is_same_v<Optimizer, sgd>) {
            kernel::sgd_update<T, Net::storage_size>(parameters, gradient, state_->moments[0].data(), T(optimizer_.lr),
                                                     T(optimizer_.momentum), scale, steps_ == 1);
        } else {
            const kernel::adam_coefficients coefficients{optimizer_.lr,           optimizer_.beta1,     optimizer_.beta2, optimizer_.eps,
                                                         optimizer_.weight_decay, optimizer_.decoupled, steps_};
            kernel::adam_update<T, Net::storage_size>(parameters, gradient, state_->moments[0].data(), state_->moments[1].data(),
                                                      coefficients, scale);
        }
    }

    Optimizer optimizer_;
    std::unique_ptr<state> state_;
    [[no_unique_address]] Monitor monitor_;
    T clip_norm_ = 0;
    long steps_ = 0;
};

}  // namespace typenet

namespace typenet::detail {

// The trainer's batch machinery for passes that are not training steps: diagnostics (diagnostics.hpp) and
// calibration (lsuv.hpp). Not part of the public API.
struct trainer_access {
    template <std::size_t First, std::size_t Last, class Trainer, class Net, class Input>
    static void forward(Trainer& t, const Net& net, const Input& x) noexcept {
        t.template forward<First, Last>(net, x);
    }
    // Rows of layer i's outputs (row_width(i) apart) for the batch of the last forward.
    template <class Trainer>
    static const auto* layer_output(Trainer& t, std::size_t i) noexcept {
        return t.layer_rows(i);
    }
    template <class Trainer>
    static std::size_t row_width(std::size_t i) noexcept {
        return Trainer::row_width[i];
    }
    // Outputs of layer i (an activation has the width of the dense layer before it), from the network's plan.
    template <class Trainer>
    static constexpr std::size_t output_width(std::size_t i) noexcept {
        return Trainer::plan::widths[i + 1];
    }
    // d loss / d output, rows of row_width(last layer); write only the first output_size entries of each row.
    template <class Trainer>
    static auto* output_gradient(Trainer& t) noexcept {
        return t.state_->delta[0].data();
    }
    template <class Trainer, class Net, class Input, class Observer>
    static void backward(Trainer& t, const Net& net, const Input& x, Observer&& observe) noexcept {
        t.clear_delta_padding();
        t.backward(net, x, observe);
    }
    // The gradient block of the last backward (the parameter block's layout).
    template <class Trainer>
    static const auto* gradient(Trainer& t) noexcept {
        return t.state_->gradient.data();
    }
};

}  // namespace typenet::detail
