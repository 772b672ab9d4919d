// basic_network<T, input<N>, Layers...>: a neural network as a type.
//
// The network owns exactly one thing: a 64-byte aligned block with every parameter, laid out at offsets
// computed at compile time (detail::plan). sizeof(network) is that block. Forward passes use stack buffers
// only, are const, and can run concurrently on one network.
#pragma once

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <type_traits>

#include "config.hpp"
#include "detail/plan.hpp"
#include "detail/static_for.hpp"
#include "kernel/dense_forward.hpp"

namespace typenet {

template <class Net, class Loss, class Optimizer, std::size_t Batch, class Monitor>
class trainer;

namespace detail {

template <class T, class First, class... Layers>
struct network_checks {
    static_assert(std::is_same_v<T, float> || std::is_same_v<T, double>,
                  "typenet::basic_network<T, ...>: T must be float or double");
    static_assert(is_input_v<First>, "typenet: the first layer of a network must be typenet::input<N>");
    static_assert(sizeof...(Layers) > 0, "typenet: a network needs at least one layer after input<N>");
    static_assert(sizeof...(Layers) == 0 || !is_activation_v<mp_first<mp_list<Layers..., void>>>,
                  "typenet: an activation must follow a dense layer; the first layer after input<N> is an activation");
    static constexpr bool ok = true;
};

template <class First>
inline constexpr std::size_t input_size_of = 1;
template <std::size_t N>
inline constexpr std::size_t input_size_of<input<N>> = input<N>::size;  // instantiates input<N>'s checks

}  // namespace detail

template <class T, class First, class... Layers>
class basic_network {
    static_assert(detail::network_checks<T, First, Layers...>::ok);
    using plan = detail::plan<T, detail::input_size_of<First>, Layers...>;
    template <class Net, class Loss, class Optimizer, std::size_t Batch, class Monitor>
    friend class trainer;

public:
    using value_type = T;
    static constexpr std::size_t input_size = detail::input_size_of<First>;
    static constexpr std::size_t output_size = plan::widths[plan::layer_count];
    static constexpr std::size_t layer_count = plan::layer_count;
    static constexpr std::size_t parameter_count = plan::parameter_count;
    // Elements of the parameter block: parameter_count plus zero padding to whole vectors and cache lines.
    static constexpr std::size_t storage_size = plan::storage_size;

    using input_type = std::array<T, input_size>;
    using output_type = std::array<T, output_size>;

    // The I-th layer after input<N> (activations counted, as PyTorch nn.Sequential), resolved: dense<N, ...>
    // becomes dense_layer<fan_in, N, WeightInit, BiasInit> with auto_init replaced.
    template <std::size_t I>
    using layer = boost::mp11::mp_at_c<typename plan::resolved, I>;

    // The resolved layers as a Boost.Mp11 list.
    using layers = typename plan::resolved;

    // Deterministic default initialization, seed 0.
    basic_network() noexcept(false) { initialize(0); }

    // Draw every parameter from its initializer. Each tensor has its own counter-based random stream
    // (stream 2i for the weights of layer i, 2i + 1 for its bias), so a seed gives the same bits with every
    // compiler, SIMD width and CPU, and a layer's values do not depend on the other layers.
    void initialize(std::uint64_t seed) { initialize_layers<void, void>(seed); }

    // Every dense layer drawn from WeightInit and BiasInit instead of its declared initializers, from the
    // same streams: for experiments that compare initializers on one architecture (one type, one
    // compilation) and for calibration passes such as lsuv_initialize.
    template <class WeightInit, class BiasInit = zeros>
    void initialize_as(std::uint64_t seed) {
        static_assert(WeightInit::initializes_weights,
                      "typenet: initialize_as<WeightInit, BiasInit>: WeightInit is not a weight initializer");
        static_assert(BiasInit::initializes_biases,
                      "typenet: initialize_as<WeightInit, BiasInit>: BiasInit cannot initialize biases (use zeros, "
                      "constant, uniform, normal or torch_default)");
        initialize_layers<WeightInit, BiasInit>(seed);
    }

    // PyTorch layout: weight<I>(out, in) is layer I's weight[out][in]; I counts activations.
    template <std::size_t I>
    T& weight(std::size_t out, std::size_t in) noexcept {
        check_dense<I>();
        TYPENET_ASSERT(out < plan::widths[I + 1] && in < plan::widths[I]);
        return parameters_[plan::offsets[I] + plan::template layout<I>::weight_index(out, in)];
    }
    template <std::size_t I>
    const T& weight(std::size_t out, std::size_t in) const noexcept {
        return const_cast<basic_network&>(*this).template weight<I>(out, in);
    }
    template <std::size_t I>
    T& bias(std::size_t out) noexcept {
        check_dense<I>();
        TYPENET_ASSERT(out < plan::widths[I + 1]);
        return parameters_[plan::offsets[I] + plan::template layout<I>::weight_storage + out];
    }
    template <std::size_t I>
    const T& bias(std::size_t out) const noexcept {
        return const_cast<basic_network&>(*this).template bias<I>(out);
    }

    // One sample.
    void forward(std::span<const T, input_size> x, std::span<T, output_size> y) const noexcept {
        alignas(detail::storage_alignment) T buffers[2][plan::buffer_size];
        const T* signal = run_stages<1>(x.data(), input_size, buffers[0], buffers[1], plan::buffer_size);
        std::copy_n(signal, output_size, y.data());
    }
    output_type operator()(std::span<const T, input_size> x) const noexcept {
        output_type y;
        forward(x, y);
        return y;
    }
    output_type operator()(const input_type& x) const noexcept { return (*this)(std::span<const T, input_size>(x)); }

    // A batch of B samples, in tiles that run through all layers while their activations are in cache.
    template <std::size_t B>
    void forward_batch(const std::array<input_type, B>& x, std::array<output_type, B>& y) const noexcept {
        static_assert(sizeof(input_type) == sizeof(T) * input_size, "std::array must not pad");
        constexpr std::size_t tile = batch_tile(B);
        constexpr std::size_t full_tiles = B / tile;
        for (std::size_t t = 0; t < full_tiles; ++t) forward_tile<tile>(x[t * tile].data(), y, t * tile);
        if constexpr (B % tile != 0) forward_tile<B % tile>(x[full_tiles * tile].data(), y, full_tiles * tile);
    }

    // The parameter block (weights, biases and zero padding, in the internal layout). For optimizers and
    // serialization; use weight<I>/bias<I> for individual values.
    std::span<T, storage_size> parameter_block() noexcept { return parameters_; }
    std::span<const T, storage_size> parameter_block() const noexcept { return parameters_; }

    friend bool operator==(const basic_network&, const basic_network&) = default;

private:
    // WeightOverride / BiasOverride: void for the declared initializers.
    template <class WeightOverride, class BiasOverride>
    void initialize_layers(std::uint64_t seed) {
        parameters_.fill(T(0));  // padding lanes stay exactly zero forever after
        boost::mp11::mp_for_each<boost::mp11::mp_iota_c<layer_count>>([&](auto index) {
            constexpr std::size_t i = decltype(index)::value;
            if constexpr (plan::is_dense[i]) {
                using dense = layer<i>;
                using weight_init = std::conditional_t<std::is_void_v<WeightOverride>, typename dense::weight_init, WeightOverride>;
                using bias_init = std::conditional_t<std::is_void_v<BiasOverride>, typename dense::bias_init, BiasOverride>;
                random_stream weight_stream(seed, 2 * i), bias_stream(seed, 2 * i + 1);
                T* weights = parameters_.data() + plan::offsets[i];
                T* biases = weights + plan::template layout<i>::weight_storage;
                weight_init::sample_weights(dense::fan_in, dense::fan_out, weight_stream, [&](std::size_t out, std::size_t in, double value) {
                    weights[plan::template layout<i>::weight_index(out, in)] = static_cast<T>(value);
                });
                bias_init::sample_bias(dense::fan_in, dense::fan_out, bias_stream,
                                       [&](std::size_t out, double value) { biases[out] = static_cast<T>(value); });
            }
        });
    }

    template <std::size_t I>
    static constexpr void check_dense() noexcept {
        static_assert(I < layer_count, "typenet: weight<I>/bias<I>: the layer index I is out of range");
        if constexpr (I < layer_count)
            static_assert(plan::is_dense[I],
                          "typenet: weight<I>/bias<I>: layer I is not a dense layer (indices count activations, "
                          "as PyTorch nn.Sequential)");
    }

    // Rows of the batch tile: at most 32 samples and about 32 KB of activations per buffer.
    static constexpr std::size_t batch_tile(std::size_t batch) noexcept {
        std::size_t rows = 32 * 1024 / (plan::buffer_size * sizeof(T));
        rows = std::clamp<std::size_t>(rows, 1, 32);
        if (rows > 8) rows -= rows % 8;  // whole register tiles
        return std::min(rows, batch);
    }

    template <std::size_t Rows, std::size_t B>
    void forward_tile(const T* x, std::array<output_type, B>& y, std::size_t first_row) const noexcept {
        alignas(detail::storage_alignment) T buffers[2][Rows * plan::buffer_size];
        const T* signal = run_stages<Rows>(x, input_size, buffers[0], buffers[1], plan::buffer_size);
        for (std::size_t r = 0; r < Rows; ++r) std::copy_n(signal + r * plan::buffer_size, output_size, y[first_row + r].data());
    }

    // Runs every stage (dense + activations) ping-ponging between two buffers; returns the last output.
    template <std::size_t Rows>
    const T* run_stages(const T* x, std::size_t x_stride, T* buffer_a, T* buffer_b, std::size_t buffer_stride) const noexcept {
        const T* signal = x;
        std::size_t signal_stride = x_stride;
        detail::static_for<plan::stage_count>([&](auto stage) TYPENET_INLINE_LAMBDA {
            constexpr std::size_t s = decltype(stage)::value;
            constexpr std::size_t i = plan::stage_begin[s];
            using layout = typename plan::template layout<i>;
            using epilogue = boost::mp11::mp_apply<kernel::epilogue, typename plan::template stage_activations<s>>;
            T* output = s % 2 == 0 ? buffer_a : buffer_b;
            const T* weights = parameters_.data() + plan::offsets[i];
            kernel::dense_forward<layout, epilogue, Rows>(signal, signal_stride, weights, weights + layout::weight_storage,
                                                          output, buffer_stride);
            signal = output;
            signal_stride = buffer_stride;
        });
        return signal;
    }

    alignas(detail::storage_alignment) std::array<T, storage_size> parameters_;
};

template <class... Layers>
using network = basic_network<float, Layers...>;

namespace detail {
template <class Net, std::size_t I>
struct checked_layer {
    static_assert(I < Net::layer_count, "typenet::layer_t<Net, I>: the layer index I is out of range");
    using type = boost::mp11::mp_eval_if_c<(I >= Net::layer_count), void, boost::mp11::mp_at, typename Net::layers,
                                                boost::mp11::mp_size_t<I>>;
};
}  // namespace detail

// The I-th layer after input<N>, activations counted (PyTorch nn.Sequential numbering), resolved.
template <class Net, std::size_t I>
using layer_t = typename detail::checked_layer<Net, I>::type;

}  // namespace typenet
