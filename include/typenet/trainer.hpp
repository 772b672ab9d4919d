// trainer<Net, Loss, Optimizer, Batch>: everything training needs and a deployed network does not.
//
// The trainer owns a workspace (workspace.hpp: the activations of a batch, gradient buffers, the parameter
// gradient) and the optimizer moments, all allocated in the constructor; step() allocates nothing. It uses
// the network's public interface only: its parameter block and plan.
// Monitor (monitor.hpp) is no_monitor by default: nothing is computed or checked for it.
#pragma once

#include <array>
#include <cmath>
#include <cstddef>
#include <memory>
#include <type_traits>
#include <utility>

#include "config.hpp"
#include "kernel/optimizer.hpp"
#include "loss.hpp"
#include "monitor.hpp"
#include "network.hpp"
#include "optim.hpp"
#include "workspace.hpp"

namespace typenet::inline TYPENET_ISA {

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
    static constexpr std::size_t moment_count = std::is_same_v<Optimizer, adam> ? 2 : 1;

    struct moments {
        alignas(detail::storage_alignment) std::array<T, Net::storage_size> values[moment_count]{};
    };

public:
    using input_batch = std::array<typename Net::input_type, Batch>;
    using target_batch = typename Loss::template target_type<T, Net::output_size, Batch>;
    static constexpr std::size_t batch_size = Batch;

    explicit trainer(Optimizer optimizer = {}, Monitor monitor = {})
        : optimizer_(optimizer), moments_(std::make_unique<moments>()), monitor_(std::move(monitor)) {}

    // Forward, loss, backward and optimizer update on one batch. Returns the batch's mean loss before the
    // update (PyTorch's loss.item()).
    T step(Net& net, const input_batch& x, const target_batch& y) {
        check_targets(y);
        workspace_.forward(net, x);
        const T loss = Loss::template evaluate<T, Net::output_size, Batch>(workspace_.output(layer_count - 1), output_stride, y,
                                                                           workspace_.output_gradient());
        if constexpr (Monitor::enabled)
            if (!std::isfinite(loss)) throw divergence_error(steps_ + 1, "loss", double(loss));
        workspace_.backward(net, x);
        double squared_norm = 0;
        if (Monitor::enabled || clip_norm_ > T(0)) squared_norm = kernel::squared_norm<T, Net::storage_size>(workspace_.gradient().data());
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
        workspace_.forward(net, x);
        return Loss::template evaluate<T, Net::output_size, Batch>(workspace_.output(layer_count - 1), output_stride, y, nullptr);
    }

    // Clip the global L2 norm of the gradient to max_norm before each update (torch.nn.utils.clip_grad_norm_);
    // 0 turns clipping off (the default).
    void set_clip_norm(T max_norm) noexcept { clip_norm_ = max_norm; }
    T clip_norm() const noexcept { return clip_norm_; }

    // Gradient of the last step's mean loss (no weight decay, before clipping), PyTorch layout.
    template <std::size_t I>
    T weight_gradient(std::size_t out, std::size_t in) const noexcept {
        return workspace_.template weight_gradient<I>(out, in);
    }
    template <std::size_t I>
    T bias_gradient(std::size_t out) const noexcept {
        return workspace_.template bias_gradient<I>(out);
    }

    // The batch buffers of the last step (every layer's outputs, the parameter gradient).
    const workspace<Net, Batch>& buffers() const noexcept { return workspace_; }

    const Optimizer& optimizer() const noexcept { return optimizer_; }
    const Monitor& monitor() const noexcept { return monitor_; }
    long steps() const noexcept { return steps_; }

private:
    static constexpr std::size_t output_stride = workspace<Net, Batch>::row_stride(layer_count - 1);

    static void check_targets(const target_batch& y) {
        if constexpr (requires { Loss::template check<T, Net::output_size, Batch>(y); })
            Loss::template check<T, Net::output_size, Batch>(y);
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
        T* parameters = net.parameter_block().data();
        const T* gradient = workspace_.gradient().data();
        if constexpr (std::is_same_v<Optimizer, sgd>) {
            kernel::sgd_update<T, Net::storage_size>(parameters, gradient, moments_->values[0].data(), T(optimizer_.lr),
                                                     T(optimizer_.momentum), scale, steps_ == 1);
        } else {
            const kernel::adam_coefficients coefficients{
                optimizer_.lr, optimizer_.beta1, optimizer_.beta2, optimizer_.eps, optimizer_.weight_decay, optimizer_.decoupled, steps_};
            kernel::adam_update<T, Net::storage_size>(parameters, gradient, moments_->values[0].data(), moments_->values[1].data(),
                                                      coefficients, scale);
        }
    }

    Optimizer optimizer_;
    workspace<Net, Batch> workspace_;
    std::unique_ptr<moments> moments_;
    [[no_unique_address]] Monitor monitor_;
    T clip_norm_ = 0;
    long steps_ = 0;
};

}  // namespace typenet::inline TYPENET_ISA
