// workspace<Net, Batch>: the buffers of a batch's forward and backward pass, and the passes themselves.
//
// Documentation: docs/training.md
// Distributed under the Boost Software License, Version 1.0 (see LICENSE or https://www.boost.org/LICENSE_1_0.txt).
//
// It keeps every layer's output rows (the backward pass needs them), two gradient ping-pong buffers, the
// parameter gradient (laid out like the network's parameter block, so an optimizer is one loop over both)
// and each layer's backward scratch memory (layer contract: workspace_size), in one allocation made by the
// constructor. trainer, diagnose and lsuv_initialize are written on it; so can a user's own training loop:
//
//   typenet::workspace<Net, 32> w;
//   w.forward(net, x);                          // every layer's outputs: w.output(i), rows w.row_stride(i) apart
//   write d loss / d output into w.output_gradient() (first Net::output_size entries of each row)
//   w.backward(net, x);                         // w.gradient(): d loss / d parameters; w.weight_gradient<I>(o, i)
#pragma once

#include <array>
#include <cstddef>
#include <memory>
#include <span>
#include <type_traits>
#include <utility>

#include "config.hpp"
#include "detail/raise.hpp"
#include "detail/driver.hpp"
#include "detail/static_for.hpp"
#include "network.hpp"

namespace typenet::detail::inline TYPENET_ISA {
// A block laid out like Plan's parameters (a gradient, a moment) as a parameter vector.
template <class Plan, class T>
void block_to_vector(const T* block, std::span<T, Plan::parameter_count> values) noexcept {
    static_for<Plan::layer_count>([&](auto layer_index) {
        constexpr std::size_t i = decltype(layer_index)::value;
        static_for<Plan::template tensor_count<i>>([&](auto tensor_index) {
            constexpr std::size_t j = decltype(tensor_index)::value;
            using tensor = typename Plan::template tensor<i, j>;
            const T* start = block + Plan::template tensor_offset<i, j>;
            for (std::size_t flat = 0; flat < tensor::size; ++flat)
                values[Plan::template parameter_offset<i, j> + flat] = start[tensor::storage_index(flat)];
        });
    });
}
}  // namespace typenet::detail::inline TYPENET_ISA

namespace typenet::inline TYPENET_ISA {

template <class Net, std::size_t Batch>
class workspace {
    static_assert(Batch >= 1, "typenet::workspace<Net, Batch>: Batch must be at least 1");
    using T = typename Net::value_type;
    using plan = typename Net::plan;
    static constexpr std::size_t layer_count = Net::layer_count;

    static constexpr auto strides = plan::output_strides;
    static constexpr auto output_offsets = plan::template output_offsets<Batch>;
    static constexpr std::size_t gradient_width = plan::gradient_width;

    struct buffers {
        alignas(detail::storage_alignment) std::array<T, output_offsets[layer_count]> outputs{};
        alignas(detail::storage_alignment) std::array<T, Batch * gradient_width> gradients[2]{};
        alignas(detail::storage_alignment) std::array<T, Net::storage_size> parameter_gradient{};
        alignas(detail::storage_alignment) std::array<T, plan::template workspace_offsets<Batch>[layer_count] + 1> scratch{};
    };

public:
    using input_batch = std::array<typename Net::input_type, Batch>;
    static constexpr std::size_t batch_size = Batch;

    workspace() : buffers_(std::make_unique<buffers>()) {}
    // Bound to its heap buffers: not copied or moved (a moved-from workspace would have none).
    workspace(const workspace&) = delete;
    workspace& operator=(const workspace&) = delete;

    // Layers [First, Last) on the batch x, unfused: every layer's output is kept. The outputs of layer
    // First - 1 must be those of x (a previous forward).
    template <std::size_t First = 0, std::size_t Last = layer_count>
    void forward(const Net& net, const input_batch& x) noexcept {
        TYPENET_ASSERT(net.is_aligned() && "typenet::workspace: the network is not aligned to alignof(Net) (64 bytes)");
        const T* input = First == 0 ? x[0].data() : output(First == 0 ? 0 : First - 1);
        const std::size_t input_stride = First == 0 ? Net::input_size : strides[First == 0 ? 0 : First - 1];
        detail::run_forward<plan, false, Batch, First, Last>(net.parameter_block().data(), input, input_stride, [&](std::size_t, std::size_t last) {
            return std::pair<T*, std::size_t>(output(last), strides[last]);
        });
    }

    // Layer i's output rows from the last forward, row_stride(i) elements apart.
    T* output(std::size_t i) noexcept { return buffers_->outputs.data() + output_offsets[i]; }
    const T* output(std::size_t i) const noexcept { return buffers_->outputs.data() + output_offsets[i]; }
    static constexpr std::size_t row_stride(std::size_t i) noexcept { return strides[i]; }

    // Where the caller writes d loss / d (network output) before backward: rows of row_stride(last layer);
    // only the first Net::output_size entries of each row are read.
    T* output_gradient() noexcept { return buffers_->gradients[0].data(); }

    // Backward over the batch of the last forward (same x). observe(i, gradient rows, row stride) sees
    // d loss / d (output of layer i) before layer i turns it into its input's gradient.
    struct ignore_gradients {
        void operator()(std::size_t, const T*, std::size_t) const noexcept {}
    };
    template <class Observer = ignore_gradients>
    void backward(const Net& net, const input_batch& x, Observer&& observe = {}) noexcept {
        clear_output_gradient_padding();
        const detail::backward_buffers<T> buffers{buffers_->outputs.data(),
                                                  {buffers_->gradients[0].data(), buffers_->gradients[1].data()},
                                                  buffers_->parameter_gradient.data(),
                                                  buffers_->scratch.data()};
        detail::run_backward<plan, Batch, false>(net.parameter_block().data(), x[0].data(), Net::input_size, buffers,
                                                 static_cast<T*>(nullptr), 0, observe);
    }

    // d loss / d parameters of the last backward, laid out like Net::parameter_block().
    std::span<const T, Net::storage_size> gradient() const noexcept { return buffers_->parameter_gradient; }

    // The gradient as a parameter vector (Net::get_parameters' order: PyTorch's parameters_to_vector).
    void get_gradient(std::span<T, Net::parameter_count> values) const noexcept {
        detail::block_to_vector<plan>(buffers_->parameter_gradient.data(), values);
    }

    // Tensor J of layer I's gradient, in PyTorch's logical order.
    template <std::size_t I, std::size_t J>
    tensor_view<const T, typename plan::template tensor<I, J>> gradient_tensor() const noexcept {
        return tensor_view<const T, typename plan::template tensor<I, J>>(buffers_->parameter_gradient.data() +
                                                                          plan::template tensor_offset<I, J>);
    }

    // d loss / d weight[out][in] and d loss / d bias[out] of layer I (PyTorch layout), from the last backward.
    template <std::size_t I>
    T weight_gradient(std::size_t out, std::size_t in) const {
        const auto gradient = gradient_tensor<I, detail::named_tensor<plan, I, "weight">()>();
        if (out >= gradient.shape[0] || in >= gradient.shape[1]) [[unlikely]]
            detail::raise_index_error(gradient.name, out, gradient.shape[0], in, gradient.shape[1]);
        return gradient[out * gradient.shape[1] + in];
    }
    template <std::size_t I>
    T bias_gradient(std::size_t out) const {
        return gradient_tensor<I, detail::named_tensor<plan, I, "bias">()>()[out];
    }

private:
    // The caller writes the first output_size entries of each row; the rest must be zero.
    void clear_output_gradient_padding() noexcept {
        constexpr std::size_t width = strides[layer_count - 1];
        for (std::size_t b = 0; b < Batch; ++b)
            for (std::size_t o = Net::output_size; o < width; ++o) buffers_->gradients[0][b * width + o] = T(0);
    }

    std::unique_ptr<buffers> buffers_;
};

}  // namespace typenet::inline TYPENET_ISA
