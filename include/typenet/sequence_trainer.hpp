// sequence_trainer<Net, Loss, Optimizer, Steps, Batch>: training through time (truncated backpropagation
// through time over Steps steps) for networks with stateful layers (gru, lstm, conv1d), and for stateless
// ones applied per step.
//
// Documentation: docs/sequence-layers.md
// Distributed under the Boost Software License, Version 1.0 (see LICENSE or https://www.boost.org/LICENSE_1_0.txt).
//
// A training step takes Batch sequences of Steps inputs and Steps targets ([stream][step], PyTorch's
// batch_first), runs them from the trainer's current states, and minimizes the mean of the per-step loss
// over steps and streams (PyTorch: the loss over the (Batch, Steps, Outputs) tensor, reduction='mean').
// The gradient flows back through all Steps steps and stops at the chunk's start: the states it started
// from are constants (truncated BPTT). With carry_state (the default), the states at the end of a chunk are
// where the next chunk starts, as audio models are trained on consecutive chunks of long recordings;
// without it every chunk starts from zeros. reset_state() restarts every stream.
//
// The passes run layer by layer over the whole chunk: a stateless layer (dense, activations) sees all
// Steps x Batch rows at once, a stateful one steps through time, and its backward pass walks back through
// time with the state gradient. The activations of every step are kept (memory: Steps x Batch rows per
// layer, plus each stateful layer's state before every step), allocated once in the constructor. As the
// trainer, a step is all or nothing: a non-finite loss or gradient changes neither the network, the
// optimizer's moments nor the states.
#pragma once

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <limits>
#include <memory>
#include <span>
#include <stdexcept>
#include <type_traits>
#include <utility>
#include <vector>

#include "config.hpp"
#include "detail/driver.hpp"
#include "detail/raise.hpp"
#include "detail/static_for.hpp"
#include "kernel/optimizer.hpp"
#include "loss.hpp"
#include "network.hpp"
#include "optim.hpp"
#include "trainer.hpp"

namespace typenet::inline TYPENET_ISA {

template <class Net, class Loss, class Optimizer, std::size_t Steps, std::size_t Batch = 1>
class sequence_trainer {
    static_assert(Steps >= 1, "typenet::sequence_trainer<Net, Loss, Optimizer, Steps, Batch>: Steps must be at least 1");
    static_assert(Batch >= 1, "typenet::sequence_trainer<Net, Loss, Optimizer, Steps, Batch>: Batch must be at least 1");
    static_assert(std::is_same_v<Optimizer, sgd> || std::is_same_v<Optimizer, adam>,
                  "typenet::sequence_trainer: the optimizer must be typenet::sgd or typenet::adam");

    using T = typename Net::value_type;
    using plan = typename Net::plan;
    using state_type = typename Net::state_type;
    static constexpr std::size_t layer_count = Net::layer_count;
    static constexpr std::size_t rows = Steps * Batch;  // row t * Batch + b: step t of stream b
    static constexpr std::size_t state_stride = sizeof(state_type) / sizeof(T);
    static constexpr std::size_t moment_count = std::is_same_v<Optimizer, adam> ? 2 : 1;

    static constexpr std::size_t input_stride = plan::row_stride(Net::input_size);
    static constexpr auto strides = plan::output_strides;
    static constexpr auto output_offsets = plan::template output_offsets<rows>;
    static constexpr std::size_t gradient_width = plan::gradient_width;
    static constexpr std::size_t output_stride = strides[layer_count - 1];

    using chunk_target = typename Loss::template target_type<T, Net::output_size, rows>;

    struct buffers {
        alignas(detail::storage_alignment) std::array<T, rows * input_stride> inputs{};
        alignas(detail::storage_alignment) std::array<T, output_offsets[layer_count]> outputs{};
        alignas(detail::storage_alignment) std::array<T, rows * gradient_width> gradients[2]{};
        alignas(detail::storage_alignment) std::array<T, rows * input_stride> input_gradient{};
        alignas(detail::storage_alignment) std::array<T, rows * state_stride> states_before{};  // [t][b]: state before step t
        alignas(detail::storage_alignment) std::array<T, Batch * state_stride> state_gradient{};
        alignas(detail::storage_alignment) std::array<T, Net::storage_size> parameter_gradient{};
        alignas(detail::storage_alignment) std::array<T, plan::template workspace_offsets<rows>[layer_count] + 1> scratch{};
        alignas(detail::storage_alignment) std::array<T, Net::storage_size> moments[moment_count]{};
        std::array<state_type, Batch> states{};
        chunk_target targets{};
    };

public:
    using input_sequences = std::array<std::array<typename Net::input_type, Steps>, Batch>;
    using step_target = typename chunk_target::value_type;
    using target_sequences = std::array<std::array<step_target, Steps>, Batch>;
    using result_type = step_result<T>;
    static constexpr std::size_t steps_per_chunk = Steps;
    static constexpr std::size_t batch_size = Batch;

    explicit sequence_trainer(Optimizer optimizer = {}) : optimizer_(optimizer), buffers_(std::make_unique<buffers>()) {}
    sequence_trainer(const sequence_trainer&) = delete;
    sequence_trainer& operator=(const sequence_trainer&) = delete;

    // Forward through the chunk, loss, backward through time, optimizer update; all or nothing. Never throws.
    result_type try_step(Net& net, const input_sequences& xs, const target_sequences& ys) noexcept {
        load(xs, ys);
        if (const target_error error = Loss::template find_invalid_target<T, Net::output_size, rows>(buffers_->targets)) {
            target_error_ = error;
            return finish({step_status::invalid_target, std::numeric_limits<T>::quiet_NaN(), not_computed});
        }
        if (!carry_state_) reset_state();
        forward(net);
        T* output_gradient = buffers_->gradients[0].data();
        std::fill_n(output_gradient, rows * output_stride, T(0));
        const T loss = Loss::template evaluate<T, Net::output_size, rows>(output(layer_count - 1), output_stride, buffers_->targets,
                                                                          output_gradient);
        if (!std::isfinite(loss)) return restore_and_finish({step_status::non_finite_loss, loss, not_computed});
        backward(net);
        const bool with_norm = clip_norm_ > T(0);
        const kernel::block_summary gradient = with_norm
                                                   ? kernel::summarize<T, Net::storage_size, true>(buffers_->parameter_gradient.data())
                                                   : kernel::summarize<T, Net::storage_size, false>(buffers_->parameter_gradient.data());
        const double norm = with_norm ? std::sqrt(gradient.squared_norm) : not_computed;
        if (!gradient.finite) return restore_and_finish({step_status::non_finite_gradient, loss, norm});
        ++steps_;
        detail::optimizer_update<T, Net::storage_size>(optimizer_, net.parameter_block().data(), buffers_->parameter_gradient.data(),
                                                       buffers_->moments, steps_, clip_norm_, gradient.squared_norm);
        return finish({step_status::applied, loss, norm});
    }

    // try_step that returns the loss and raises std::invalid_argument for an invalid target.
    T step(Net& net, const input_sequences& xs, const target_sequences& ys) {
        const result_type result = try_step(net, xs, ys);
        if (result.status == step_status::invalid_target) detail::raise(std::invalid_argument(target_error_.message(Loss::name)));
        return result.loss;
    }

    // Mean loss of a chunk from the current states, without gradients, update or change of the states.
    T loss(const Net& net, const input_sequences& xs, const target_sequences& ys) {
        load(xs, ys);
        detail::check_targets<Loss, T, Net::output_size, rows>(buffers_->targets);
        if (!carry_state_) reset_state();
        forward(net);
        restore_states();
        return Loss::template evaluate<T, Net::output_size, rows>(output(layer_count - 1), output_stride, buffers_->targets, nullptr);
    }

    // Whether a chunk starts where the last one ended (true, the default) or from zeros.
    void set_carry_state(bool carry) noexcept { carry_state_ = carry; }
    bool carry_state() const noexcept { return carry_state_; }
    void reset_state() noexcept {
        for (state_type& state : buffers_->states) state.reset();
    }
    // The state stream b starts the next chunk from; it can be saved and set.
    state_type& state(std::size_t stream) { return buffers_->states.at(stream); }
    const state_type& state(std::size_t stream) const { return buffers_->states.at(stream); }

    void set_clip_norm(T max_norm) noexcept { clip_norm_ = max_norm; }

    // d (mean loss of the last step) / d parameters: the block (laid out like Net::parameter_block()), one
    // tensor in PyTorch's logical order, or all of them as the parameter vector (Net::get_parameters' order).
    std::span<const T, Net::storage_size> gradient() const noexcept { return buffers_->parameter_gradient; }
    template <std::size_t I, std::size_t J>
    tensor_view<const T, typename plan::template tensor<I, J>> gradient_tensor() const noexcept {
        return tensor_view<const T, typename plan::template tensor<I, J>>(buffers_->parameter_gradient.data() +
                                                                          plan::template tensor_offset<I, J>);
    }
    void get_gradient(std::span<T, Net::parameter_count> values) const noexcept {
        detail::block_to_vector<plan>(buffers_->parameter_gradient.data(), values);
    }

    // d (mean loss of the last step) / d (input at step t of stream b): how far back in time the gradient
    // reaches (the vanishing-gradient experiments of examples/gradient_through_time.cpp), saliency.
    std::span<const T, Net::input_size> input_gradient(std::size_t stream, std::size_t step) const noexcept {
        return std::span<const T, Net::input_size>(buffers_->input_gradient.data() + (step * Batch + stream) * input_stride, Net::input_size);
    }

    // Outputs of the last chunk: step t of stream b (its first Net::output_size entries).
    std::span<const T, Net::output_size> output_at(std::size_t stream, std::size_t step) const noexcept {
        return std::span<const T, Net::output_size>(output(layer_count - 1) + (step * Batch + stream) * output_stride, Net::output_size);
    }

    const Optimizer& optimizer() const noexcept { return optimizer_; }
    long steps() const noexcept { return steps_; }
    long skipped_steps() const noexcept { return skipped_steps_; }
    step_status last_status() const noexcept { return last_status_; }
    const target_error& last_target_error() const noexcept { return target_error_; }

private:
    static constexpr double not_computed = std::numeric_limits<double>::quiet_NaN();

    T* output(std::size_t i) noexcept { return buffers_->outputs.data() + output_offsets[i]; }
    const T* output(std::size_t i) const noexcept { return buffers_->outputs.data() + output_offsets[i]; }
    const T* layer_input(std::size_t i) const noexcept { return i == 0 ? buffers_->inputs.data() : output(i - 1); }
    static constexpr std::size_t layer_input_stride(std::size_t i) noexcept { return i == 0 ? input_stride : strides[i - 1]; }

    // Time-major copies of the chunk: row t * Batch + b.
    void load(const input_sequences& xs, const target_sequences& ys) noexcept {
        for (std::size_t b = 0; b < Batch; ++b)
            for (std::size_t t = 0; t < Steps; ++t) {
                std::copy_n(xs[b][t].data(), Net::input_size, buffers_->inputs.data() + (t * Batch + b) * input_stride);
                buffers_->targets[t * Batch + b] = ys[b][t];
            }
    }

    // Calls function(integral_constant<Rows>, first stream) over the streams in groups of at most 8.
    template <class Function>
    static void for_stream_groups(Function&& function) {
        constexpr std::size_t group = Batch < 8 ? Batch : 8;
        std::size_t first = 0;
        for (; first + group <= Batch; first += group) function(std::integral_constant<std::size_t, group>{}, first);
        if constexpr (Batch % group != 0) function(std::integral_constant<std::size_t, Batch % group>{}, first);
    }

    void forward(const Net& net) noexcept {
        const T* parameters = net.parameter_block().data();
        detail::static_for<layer_count>([&](auto layer_index) {
            constexpr std::size_t i = decltype(layer_index)::value;
            using layer = typename plan::template layer<i>;
            if constexpr (detail::is_stateful<layer>()) {
                constexpr std::size_t offset = plan::state_offsets[i], size = plan::state_offsets[i + 1] - offset;
                for (std::size_t t = 0; t < Steps; ++t)
                    for_stream_groups([&](auto group_rows, std::size_t first) {
                        constexpr std::size_t group = decltype(group_rows)::value;
                        T* states = buffers_->states[first].values.data() + offset;
                        for (std::size_t b = 0; b < group; ++b)
                            std::copy_n(states + b * state_stride, size,
                                        buffers_->states_before.data() + (t * Batch + first + b) * state_stride + offset);
                        const std::size_t row = t * Batch + first;
                        layer::template step<T, plan::widths[i], group>(parameters + plan::offsets[i], states, state_stride,
                                                                        layer_input(i) + row * layer_input_stride(i), layer_input_stride(i),
                                                                        output(i) + row * strides[i], strides[i]);
                    });
            } else {
                detail::forward_out_of_line<layer, T, plan::widths[i], rows, epilogue<>>(parameters + plan::offsets[i], layer_input(i),
                                                                                           layer_input_stride(i), output(i), strides[i]);
            }
        });
    }

    void backward(const Net& net) noexcept {
        const T* parameters = net.parameter_block().data();
        std::fill(buffers_->parameter_gradient.begin(), buffers_->parameter_gradient.end(), T(0));
        int current = 0;  // gradients[current]: d loss / d (output of layer i), rows of strides[i]
        detail::static_for<layer_count>([&](auto reverse_index) {
            constexpr std::size_t i = layer_count - 1 - decltype(reverse_index)::value;
            using layer = typename plan::template layer<i>;
            T* gradient = buffers_->gradients[current].data();
            if constexpr (detail::is_stateful<layer>()) {
                T* input_gradient = i == 0 ? buffers_->input_gradient.data() : buffers_->gradients[1 - current].data();
                constexpr std::size_t offset = plan::state_offsets[i];
                std::fill(buffers_->state_gradient.begin(), buffers_->state_gradient.end(), T(0));  // the chunk's end: nothing after it
                for (std::size_t t = Steps; t-- > 0;)
                    for_stream_groups([&](auto group_rows, std::size_t first) {
                        constexpr std::size_t group = decltype(group_rows)::value;
                        const std::size_t row = t * Batch + first;
                        const step_backward_arguments<T> arguments{parameters + plan::offsets[i],
                                                                   buffers_->states_before.data() + row * state_stride + offset,
                                                                   state_stride,
                                                                   layer_input(i) + row * layer_input_stride(i),
                                                                   layer_input_stride(i),
                                                                   gradient + row * strides[i],
                                                                   strides[i],
                                                                   buffers_->state_gradient.data() + first * state_stride + offset,
                                                                   state_stride,
                                                                   buffers_->parameter_gradient.data() + plan::offsets[i],
                                                                   input_gradient + row * layer_input_stride(i),
                                                                   layer_input_stride(i),
                                                                   buffers_->scratch.data() + plan::template workspace_offsets<rows>[i]};
                        layer::template step_backward<T, plan::widths[i], group, true>(arguments);
                    });
                if constexpr (i > 0) current = 1 - current;
            } else {
                constexpr bool in_place = detail::flag_backward_in_place<layer>();
                T* input_gradient = i == 0 ? buffers_->input_gradient.data() : in_place ? gradient : buffers_->gradients[1 - current].data();
                const backward_arguments<T> arguments{parameters + plan::offsets[i],
                                                      layer_input(i),
                                                      layer_input_stride(i),
                                                      output(i),
                                                      strides[i],
                                                      gradient,
                                                      strides[i],
                                                      buffers_->parameter_gradient.data() + plan::offsets[i],
                                                      input_gradient,
                                                      layer_input_stride(i),
                                                      buffers_->scratch.data() + plan::template workspace_offsets<rows>[i]};
                detail::backward_out_of_line<layer, T, plan::widths[i], rows, true>(arguments);
                if constexpr (i > 0 && !in_place) current = 1 - current;
            }
        });
    }

    // Every stateful layer saved its state before step 0: the states the chunk started from.
    void restore_states() noexcept {
        if constexpr (plan::has_state)
            for (std::size_t b = 0; b < Batch; ++b)
                std::copy_n(buffers_->states_before.data() + b * state_stride, state_stride, buffers_->states[b].values.data());
    }

    result_type restore_and_finish(const result_type& result) noexcept {
        restore_states();
        return finish(result);
    }
    result_type finish(const result_type& result) noexcept {
        last_status_ = result.status;
        if (!result.applied()) ++skipped_steps_;
        return result;
    }

    Optimizer optimizer_;
    std::unique_ptr<buffers> buffers_;
    T clip_norm_ = 0;
    bool carry_state_ = true;
    long steps_ = 0, skipped_steps_ = 0;
    step_status last_status_ = step_status::applied;
    target_error target_error_{};
};

}  // namespace typenet::inline TYPENET_ISA
