// trainer<Net, Loss, Optimizer, Batch>: everything training needs and a deployed network does not.
//
// Documentation: docs/training.md
// Distributed under the Boost Software License, Version 1.0 (see LICENSE or https://www.boost.org/LICENSE_1_0.txt).
//
// The trainer owns a workspace (workspace.hpp: the activations of a batch, gradient buffers, the parameter
// gradient) and the optimizer moments, all allocated in the constructor; step() allocates nothing. It uses
// the network's public interface only: its parameter block and plan.
// Monitor (monitor.hpp) is no_monitor by default: nothing is computed or checked for it.
//
// A step is all or nothing: the loss and every gradient element are checked before the update, and a step
// whose loss or gradient is NaN or infinite (a bad sample, an overflow) leaves the network, the optimizer
// moments and the step count exactly as they were. try_step reports that as a value and never throws (for
// real-time code, and builds without exceptions); step returns the loss and throws only for invalid targets
// (and, under an enabled monitor, for a skipped step: divergence_error).
#pragma once

#include <array>
#include <cmath>
#include <cstddef>
#include <limits>
#include <span>
#include <stdexcept>
#include <memory>
#include <type_traits>
#include <utility>

#include "config.hpp"
#include "detail/raise.hpp"
#include "kernel/optimizer.hpp"
#include "loss.hpp"
#include "monitor.hpp"
#include "network.hpp"
#include "optim.hpp"
#include "workspace.hpp"

namespace typenet {

// What a training step did.
enum class step_status {
    applied,              // the update was applied
    non_finite_loss,      // the batch's loss is NaN or infinite: nothing was changed
    non_finite_gradient,  // some gradient element is NaN or infinite: nothing was changed
    invalid_target,       // a target the loss is not defined for (trainer::last_target_error says which)
};

constexpr const char* to_string(step_status status) noexcept {
    switch (status) {
        case step_status::applied:
            return "applied";
        case step_status::non_finite_loss:
            return "non-finite loss";
        case step_status::non_finite_gradient:
            return "non-finite gradient";
        case step_status::invalid_target:
            return "invalid target";
    }
    return "unknown";
}

template <class T>
struct step_result {
    step_status status;
    T loss;                // the batch's mean loss before the update (NaN for invalid targets)
    double gradient_norm;  // global L2 norm before clipping, when clipping or a monitor computed it; else NaN

    constexpr bool applied() const noexcept { return status == step_status::applied; }
    constexpr explicit operator bool() const noexcept { return applied(); }
};

}  // namespace typenet

namespace typenet::detail::inline TYPENET_ISA {

// One optimizer update of a parameter block from its gradient (the step-th, counting from 1), the gradient
// scaled to clip_norm when its norm sqrt(squared_norm) exceeds it (clip_norm 0: no clipping).
template <class T, std::size_t Size, class Optimizer, class Moments>
void optimizer_update(const Optimizer& optimizer, T* parameters, const T* gradient, Moments& moments, long step, T clip_norm,
                      double squared_norm) noexcept {
    T scale = T(1);
    if (clip_norm > T(0)) {
        const double norm = std::sqrt(squared_norm);
        const double coefficient = double(clip_norm) / (norm + 1e-6);
        if (coefficient < 1) scale = T(coefficient);
    }
    if constexpr (std::is_same_v<Optimizer, sgd>) {
        kernel::sgd_update<T, Size>(parameters, gradient, moments[0].data(), T(optimizer.lr), T(optimizer.momentum), scale, step == 1);
    } else {
        const kernel::adam_coefficients coefficients{
            optimizer.lr, optimizer.beta1, optimizer.beta2, optimizer.eps, optimizer.weight_decay, optimizer.decoupled, step};
        kernel::adam_update<T, Size>(parameters, gradient, moments[0].data(), moments[1].data(), coefficients, scale);
    }
}

}  // namespace typenet::detail::inline TYPENET_ISA

namespace typenet::inline TYPENET_ISA {

template <class Net, class Loss, class Optimizer, std::size_t Batch, class Monitor = no_monitor>
class trainer {
    static_assert(Batch >= 1, "typenet::trainer<Net, Loss, Optimizer, Batch>: Batch must be at least 1");
    static_assert(!Net::is_stateful,
                  "typenet::trainer: the network has stateful layers (gru, lstm, conv1d): train it through time with "
                  "typenet::sequence_trainer");
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
    using result_type = step_result<T>;
    static constexpr std::size_t batch_size = Batch;

    explicit trainer(Optimizer optimizer = {}, Monitor monitor = {})
        : optimizer_(optimizer), moments_(std::make_unique<moments>()), monitor_(std::move(monitor)) {}

    // The buffers are on the heap and a trainer is bound to them: it is neither copied nor moved (a
    // moved-from trainer would have none). Hold it by std::unique_ptr to pass it around.
    trainer(const trainer&) = delete;
    trainer& operator=(const trainer&) = delete;

    // Forward, loss, backward and optimizer update on one batch, all or nothing (see the top of this file).
    // Never throws and allocates nothing; under an enabled monitor, applied steps are recorded.
    result_type try_step(Net& net, const input_batch& x, const target_batch& y) noexcept {
        if (const target_error error = Loss::template find_invalid_target<T, Net::output_size, Batch>(y)) {
            target_error_ = error;
            return finish({step_status::invalid_target, std::numeric_limits<T>::quiet_NaN(), not_computed});
        }
        workspace_.forward(net, x);
        const T loss = Loss::template evaluate<T, Net::output_size, Batch>(workspace_.output(layer_count - 1), output_stride, y,
                                                                           workspace_.output_gradient());
        if (!std::isfinite(loss)) return finish({step_status::non_finite_loss, loss, not_computed});
        workspace_.backward(net, x);
        // Clipping and monitors need the norm; the finiteness check is always made, in the same pass.
        const bool with_norm = Monitor::enabled || clip_norm_ > T(0);
        const kernel::block_summary gradient = with_norm ? kernel::summarize<T, Net::storage_size, true>(workspace_.gradient().data())
                                                         : kernel::summarize<T, Net::storage_size, false>(workspace_.gradient().data());
        const double norm = with_norm ? std::sqrt(gradient.squared_norm) : not_computed;
        if (!gradient.finite) return finish({step_status::non_finite_gradient, loss, norm});
        update(net, gradient.squared_norm);
        if constexpr (Monitor::enabled) monitor_.record({steps_, double(loss), norm});
        return finish({step_status::applied, loss, norm});
    }

    // try_step for code that handles errors by exception: returns the loss; raises std::invalid_argument for
    // an invalid target (nothing changed), and under an enabled monitor divergence_error for a non-finite
    // loss or gradient (nothing changed either). Without a monitor a skipped step is only reported by
    // last_status() and skipped_steps() (and by the non-finite loss it returns, when the loss is the cause).
    T step(Net& net, const input_batch& x, const target_batch& y) {
        const result_type result = try_step(net, x, y);
        if (result.status == step_status::invalid_target) detail::raise(std::invalid_argument(target_error_.message(Loss::name)));
        if constexpr (Monitor::enabled) {
            if (result.status == step_status::non_finite_loss) detail::raise(divergence_error(steps_ + 1, "loss", double(result.loss)));
            if (result.status == step_status::non_finite_gradient)
                detail::raise(divergence_error(steps_ + 1, "gradient norm", result.gradient_norm));
        }
        return result.loss;
    }

    // Mean loss of a batch, without gradients or update. Raises std::invalid_argument for invalid targets.
    T loss(const Net& net, const input_batch& x, const target_batch& y) {
        detail::check_targets<Loss, T, Net::output_size, Batch>(y);
        workspace_.forward(net, x);
        return Loss::template evaluate<T, Net::output_size, Batch>(workspace_.output(layer_count - 1), output_stride, y, nullptr);
    }

    // Clip the global L2 norm of the gradient to max_norm before each update (torch.nn.utils.clip_grad_norm_);
    // 0 turns clipping off (the default).
    void set_clip_norm(T max_norm) noexcept { clip_norm_ = max_norm; }
    T clip_norm() const noexcept { return clip_norm_; }

    // Gradient of the last step's mean loss (no weight decay, before clipping), PyTorch layout. After a
    // skipped step, the gradient of that step (possibly not finite) or, for an invalid target, of the one before.
    template <std::size_t I>
    T weight_gradient(std::size_t out, std::size_t in) const {
        return workspace_.template weight_gradient<I>(out, in);
    }
    template <std::size_t I>
    T bias_gradient(std::size_t out) const {
        return workspace_.template bias_gradient<I>(out);
    }

    // The whole gradient as a parameter vector (Net::get_parameters' order).
    void get_gradient(std::span<T, Net::parameter_count> values) const noexcept { workspace_.get_gradient(values); }

    // The batch buffers of the last step (every layer's outputs, the parameter gradient).
    const workspace<Net, Batch>& buffers() const noexcept { return workspace_; }

    const Optimizer& optimizer() const noexcept { return optimizer_; }
    // The settings the next step uses: change them between steps for a schedule (trainer.optimizer().lr =
    // ...; as PyTorch's optimizer.param_groups). The moments and the step count are kept.
    Optimizer& optimizer() noexcept { return optimizer_; }
    const Monitor& monitor() const noexcept { return monitor_; }
    // Applied updates (Adam's bias correction counts these); skipped steps do not count.
    long steps() const noexcept { return steps_; }
    // Steps that changed nothing (non-finite loss or gradient, invalid target), and what the last step did.
    long skipped_steps() const noexcept { return skipped_steps_; }
    step_status last_status() const noexcept { return last_status_; }
    // The invalid target of the last step whose status was invalid_target.
    const target_error& last_target_error() const noexcept { return target_error_; }

    // The optimizer state: moment m of the parameter block (SGD: 0 is the momentum buffer; Adam: 0 is the
    // first moment, 1 the second), in the internal layout of parameter_block().
    std::span<const T, Net::storage_size> moment(std::size_t m) const noexcept { return moments_->values[m]; }

private:
    static constexpr std::size_t output_stride = workspace<Net, Batch>::row_stride(layer_count - 1);
    static constexpr double not_computed = std::numeric_limits<double>::quiet_NaN();

    result_type finish(const result_type& result) noexcept {
        last_status_ = result.status;
        if (!result.applied()) ++skipped_steps_;
        return result;
    }

    // squared_norm: of the gradient block, computed by try_step when clipping or a monitor needs it.
    void update(Net& net, double squared_norm) noexcept {
        ++steps_;
        detail::optimizer_update<T, Net::storage_size>(optimizer_, net.parameter_block().data(), workspace_.gradient().data(),
                                                       moments_->values, steps_, clip_norm_, squared_norm);
    }

    Optimizer optimizer_;
    workspace<Net, Batch> workspace_;
    std::unique_ptr<moments> moments_;
    [[no_unique_address]] Monitor monitor_;
    T clip_norm_ = 0;
    long steps_ = 0, skipped_steps_ = 0;
    step_status last_status_ = step_status::applied;
    target_error target_error_{};
};

}  // namespace typenet::inline TYPENET_ISA
