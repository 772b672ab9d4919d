// basic_network<T, input<N>, Layers...>: a neural network as a type.
//
// Documentation: docs/declaring-networks.md
// Distributed under the Boost Software License, Version 1.0 (see LICENSE or https://www.boost.org/LICENSE_1_0.txt).
//
// The network owns exactly one thing: a 64-byte aligned block with every parameter, laid out at offsets
// computed at compile time from the layer contract (detail::plan). sizeof(network) is that block. Forward
// passes use stack buffers only, are const, and can run concurrently on one network.
#pragma once

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>
#include <type_traits>
#include <utility>

#include <boost/mp11/algorithm.hpp>

#include "config.hpp"
#include "detail/driver.hpp"
#include "detail/plan.hpp"
#include "detail/raise.hpp"
#include "detail/static_for.hpp"
#include "init.hpp"
#include "input.hpp"
#include "layer.hpp"
#include "random.hpp"

namespace typenet::detail {

template <class T, class First, class... Layers>
struct network_checks {
    static_assert(std::is_same_v<T, float> || std::is_same_v<T, double>, "typenet::basic_network<T, ...>: T must be float or double");
    static_assert(is_input_v<First>, "typenet: the first layer of a network must be typenet::input<N>");
    static_assert(sizeof...(Layers) > 0, "typenet: a network needs at least one layer after input<N>");
    static_assert(sizeof...(Layers) == 0 || !is_activation_v<boost::mp11::mp_first<boost::mp11::mp_list<Layers..., void>>>,
                  "typenet: an activation must follow a layer with parameters (dense, ...); the first layer after input<N> "
                  "is an activation");
    static constexpr bool ok = true;
};

template <class First>
inline constexpr std::size_t input_size_of = 1;
template <std::size_t N>
inline constexpr std::size_t input_size_of<input<N>> = input<N>::size;  // instantiates input<N>'s checks

// Random stream of tensor j of layer i: 2i for the first tensor (a weight), 2i + 1 for the second (a bias),
// further tensors in streams of their own above 2^32.
constexpr std::uint64_t tensor_stream(std::size_t layer, std::size_t tensor) noexcept {
    return (std::uint64_t(tensor / 2) << 32) + 2 * std::uint64_t(layer) + tensor % 2;
}

}  // namespace typenet::detail

namespace typenet::inline TYPENET_ISA {

// A view of one parameter tensor (of a network, or of a gradient block laid out like one): elements in
// PyTorch's row-major logical order, whatever the internal layout.
template <class T, class Tensor>
class tensor_view {
public:
    using tensor_type = Tensor;
    static constexpr std::string_view name = Tensor::name;
    static constexpr auto shape = Tensor::shape;
    static constexpr std::size_t size = Tensor::size;

    constexpr explicit tensor_view(T* block) noexcept : block_(block) {}
    // Element `flat` in row-major logical order (weight[out][in] is flat = out * fan_in + in).
    // Checked in every build (std::out_of_range).
    constexpr T& operator[](std::size_t flat) const {
        if (flat >= Tensor::size) [[unlikely]]
            detail::raise_index_error(Tensor::name, flat, Tensor::size);
        return block_[Tensor::storage_index(flat)];
    }
    // The tensor's storage in the internal layout, padding (zeros) included.
    constexpr std::span<T, Tensor::storage> storage() const noexcept { return std::span<T, Tensor::storage>(block_, Tensor::storage); }

private:
    T* block_;
};

template <class T, class First, class... Layers>
class basic_network {
    static_assert(detail::network_checks<T, First, Layers...>::ok);

public:
    // The compile-time plan: resolved layers, widths, tensor offsets, fused stages. For code that drives the
    // layers (workspace, trainer, diagnostics); users need only the facts below.
    using plan = detail::plan<T, detail::input_size_of<First>, Layers...>;

    using value_type = T;
    static constexpr std::size_t input_size = detail::input_size_of<First>;
    static constexpr std::size_t output_size = plan::output_size;
    static constexpr std::size_t layer_count = plan::layer_count;
    static constexpr std::size_t parameter_count = plan::parameter_count;
    // Residual branches anywhere in the network, nested ones included (structure/residual.hpp): the L that
    // depth-aware initializers (fixup) scale by.
    static constexpr std::size_t residual_branch_count = plan::residual_branch_count;
    // Elements of the parameter block: parameter_count plus zero padding to whole vectors and cache lines.
    static constexpr std::size_t storage_size = plan::storage_size;

    using input_type = std::array<T, input_size>;
    using output_type = std::array<T, output_size>;

    // Whether some layer carries a state between time steps (gru, lstm, conv1d: the stateful layers of the
    // layer contract). Such a network runs with a state: forward(state, x, y), forward_sequence, and the
    // forward_batch that takes one state per stream.
    static constexpr bool is_stateful = plan::has_state;

    // The streaming state of one stream: every stateful layer's state, apart from the weights, so that one
    // const network serves any number of streams (voices, channels, threads). Value-initialized (all zeros)
    // it is the state at the start of a sequence; trivially copyable, so it can be saved, restored and set.
    struct state_type {
        alignas(detail::storage_alignment) std::array<T, plan::state_storage> values{};
        void reset() noexcept { values.fill(T(0)); }
        friend bool operator==(const state_type&, const state_type&) = default;
    };
    static_assert(std::is_trivially_copyable_v<state_type> && std::is_standard_layout_v<state_type>);

    // The I-th layer after input<N> (activations counted, as PyTorch nn.Sequential), resolved: dense<N, ...>
    // becomes dense_layer<fan_in, N, WeightInit, BiasInit> with auto_init replaced.
    template <std::size_t I>
    using layer = typename plan::template layer<I>;

    // The resolved layers as a Boost.Mp11 list.
    using layers = typename plan::resolved;

    // Deterministic default initialization, seed 0.
    // These constructors check that the object is aligned to alignof(basic_network) (64 bytes: the kernels
    // use aligned loads), and raise std::invalid_argument otherwise. Copies stay trivial (a network is
    // trivially copyable: memcpy it, map it from a file), so they are not checked; forward asserts it.
    basic_network() {
        check_alignment(this);
        initialize(0);
    }

    // A network holding the given parameter vector (see parameters below). constexpr, so that a trained
    // model can be a constant in read-only data (typenet::write_header emits such constants); the internal
    // layout is computed by the compiler for the instruction set of the translation unit.
    constexpr explicit basic_network(std::span<const T, parameter_count> values) : parameters_{} {
        if (!std::is_constant_evaluated()) check_alignment(this);
        set_parameters(values);
    }

    // The parameter vector: every tensor in PyTorch's logical order, layer by layer and tensor by tensor
    // (0.weight row-major, 0.bias, 2.weight, ...), without padding; what torch.nn.utils.parameters_to_vector
    // gives for the same nn.Sequential. Independent of the instruction set, unlike parameter_block().
    constexpr void get_parameters(std::span<T, parameter_count> values) const noexcept {
        for_each_tensor([&]<std::size_t I, std::size_t J>() {
            using tensor = typename plan::template tensor<I, J>;
            const T* block = parameters_.data() + plan::template tensor_offset<I, J>;
            for (std::size_t flat = 0; flat < tensor::size; ++flat)
                values[plan::template parameter_offset<I, J> + flat] = block[tensor::storage_index(flat)];
        });
    }
    constexpr void set_parameters(std::span<const T, parameter_count> values) noexcept {
        for_each_tensor([&]<std::size_t I, std::size_t J>() {
            using tensor = typename plan::template tensor<I, J>;
            T* block = parameters_.data() + plan::template tensor_offset<I, J>;
            for (std::size_t flat = 0; flat < tensor::size; ++flat)
                block[tensor::storage_index(flat)] = values[plan::template parameter_offset<I, J> + flat];
        });
    }

    // Draw every parameter from its initializer. Each tensor has its own counter-based random stream
    // (stream 2i for the weights of layer i, 2i + 1 for its bias), so a seed gives the same bits with every
    // compiler, SIMD width and CPU, and a layer's values do not depend on the other layers.
    void initialize(std::uint64_t seed) { initialize_tensors<void, void>(seed); }

    // Every weight and bias tensor drawn from WeightInit and BiasInit instead of its declared initializer,
    // from the same streams: for experiments that compare initializers on one architecture (one type, one
    // compilation) and for calibration passes such as lsuv_initialize. Tensors of role `other` keep theirs.
    template <class WeightInit, class BiasInit = zeros>
    void initialize_as(std::uint64_t seed) {
        static_assert(WeightInit::initializes_weights,
                      "typenet: initialize_as<WeightInit, BiasInit>: WeightInit is not a weight initializer");
        static_assert(BiasInit::initializes_biases,
                      "typenet: initialize_as<WeightInit, BiasInit>: BiasInit cannot initialize biases (use zeros, "
                      "constant, uniform, normal or torch_default)");
        initialize_tensors<WeightInit, BiasInit>(seed);
    }

    // Tensor J of layer I (in the order of its `parameters`), as a view in PyTorch's logical order.
    template <std::size_t I, std::size_t J>
    constexpr tensor_view<T, typename plan::template tensor<I, J>> parameter_tensor() noexcept {
        check_layer_index<I>();
        return tensor_view<T, typename plan::template tensor<I, J>>(parameters_.data() + plan::template tensor_offset<I, J>);
    }
    template <std::size_t I, std::size_t J>
    constexpr tensor_view<const T, typename plan::template tensor<I, J>> parameter_tensor() const noexcept {
        check_layer_index<I>();
        return tensor_view<const T, typename plan::template tensor<I, J>>(parameters_.data() + plan::template tensor_offset<I, J>);
    }

    // PyTorch layout: weight<I>(out, in) is layer I's weight[out][in]; I counts activations. Indices are
    // checked in every build (std::out_of_range), as for parameter_tensor's operator[].
    template <std::size_t I>
    constexpr T& weight(std::size_t out, std::size_t in) {
        return weight_of<I>(parameter_tensor<I, detail::named_tensor<plan, I, "weight">()>(), out, in);
    }
    template <std::size_t I>
    constexpr const T& weight(std::size_t out, std::size_t in) const {
        return weight_of<I>(parameter_tensor<I, detail::named_tensor<plan, I, "weight">()>(), out, in);
    }
    template <std::size_t I>
    constexpr T& bias(std::size_t out) {
        return parameter_tensor<I, detail::named_tensor<plan, I, "bias">()>()[out];
    }
    template <std::size_t I>
    constexpr const T& bias(std::size_t out) const {
        return parameter_tensor<I, detail::named_tensor<plan, I, "bias">()>()[out];
    }

    // One sample.
    void forward(std::span<const T, input_size> x, std::span<T, output_size> y) const noexcept {
        TYPENET_ASSERT(is_aligned() && "typenet::basic_network: the object is not aligned to alignof(Net) (64 bytes)");
        alignas(detail::storage_alignment) T buffers[2][plan::buffer_size];
        const T* signal = run_fused<1>(x.data(), buffers[0], buffers[1]);
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
        TYPENET_ASSERT(is_aligned() && "typenet::basic_network: the object is not aligned to alignof(Net) (64 bytes)");
        constexpr std::size_t tile = batch_tile(B);
        constexpr std::size_t full_tiles = B / tile;
        for (std::size_t t = 0; t < full_tiles; ++t) forward_tile<tile>(x[t * tile].data(), y.data() + t * tile);
        if constexpr (B % tile != 0) forward_tile<B % tile>(x[full_tiles * tile].data(), y.data() + full_tiles * tile);
    }

    // A batch whose size is known at run time (x.size() == y.size(), else std::invalid_argument): whole
    // cache tiles, then register tiles of 8, then single samples.
    void forward_batch(std::span<const input_type> x, std::span<output_type> y) const {
        if (x.size() != y.size()) [[unlikely]]
            detail::raise_size_mismatch("typenet::basic_network::forward_batch", x.size(), y.size());
        TYPENET_ASSERT(is_aligned() && "typenet::basic_network: the object is not aligned to alignof(Net) (64 bytes)");
        constexpr std::size_t tile = batch_tile(32);
        std::size_t row = 0;
        for (; row + tile <= x.size(); row += tile) forward_tile<tile>(x[row].data(), y.data() + row);
        if constexpr (tile > 8)
            for (; row + 8 <= x.size(); row += 8) forward_tile<8>(x[row].data(), y.data() + row);
        for (; row < x.size(); ++row) forward_tile<1>(x[row].data(), y.data() + row);
    }

    // One time step of one stream: reads the state, writes its successor. const, allocation-free, no locks:
    // real-time safe, and many threads may run their own states through one network.
    void forward(state_type& state, std::span<const T, input_size> x, std::span<T, output_size> y) const noexcept {
        TYPENET_ASSERT(is_aligned() && "typenet::basic_network: the object is not aligned to alignof(Net) (64 bytes)");
        alignas(detail::storage_alignment) T buffers[2][plan::buffer_size];
        const T* signal = run_step<1>(state.values.data(), x.data(), buffers[0], buffers[1]);
        std::copy_n(signal, output_size, y.data());
    }
    output_type operator()(state_type& state, const input_type& x) const noexcept {
        output_type y;
        forward(state, x, y);
        return y;
    }

    // A sequence of steps of one stream (xs.size() == ys.size(), else std::invalid_argument): the same
    // results as forward step by step, up to rounding. A network that begins with layers that can run a
    // run of steps at once (dense layers, activations, conv1d) runs them over chunks of up to 32 steps, one
    // batched product per layer and chunk, and the rest (from the first recurrent layer on) step by step.
    void forward_sequence(state_type& state, std::span<const input_type> xs, std::span<output_type> ys) const {
        if (xs.size() != ys.size()) [[unlikely]]
            detail::raise_size_mismatch("typenet::basic_network::forward_sequence", xs.size(), ys.size());
        std::size_t t = 0;
        if constexpr (sequence_prefix > 0) {
            TYPENET_ASSERT(is_aligned() && "typenet::basic_network: the object is not aligned to alignof(Net) (64 bytes)");
            constexpr std::size_t chunk = batch_tile(32);
            for (; t + chunk <= xs.size(); t += chunk) sequence_tile<chunk>(state, xs[t].data(), ys.data() + t);
            if constexpr (chunk > 8)
                for (; t + 8 <= xs.size(); t += 8) sequence_tile<8>(state, xs[t].data(), ys.data() + t);
        }
        for (; t < xs.size(); ++t) forward(state, xs[t], ys[t]);
    }

    // One time step of many streams at once: stream s has state states[s], input x[s], output y[s] (sizes
    // equal, else std::invalid_argument). Streams go through the layers 8 at a time, so the weights are read
    // once per 8 streams.
    void forward_batch(std::span<state_type> states, std::span<const input_type> x, std::span<output_type> y) const {
        if (x.size() != y.size() || states.size() != x.size()) [[unlikely]]
            detail::raise_size_mismatch("typenet::basic_network::forward_batch (states, inputs, outputs)", states.size(), x.size(),
                                        y.size());
        TYPENET_ASSERT(is_aligned() && "typenet::basic_network: the object is not aligned to alignof(Net) (64 bytes)");
        std::size_t row = 0;
        for (; row + 8 <= x.size(); row += 8) step_tile<8>(states.data() + row, x[row].data(), y.data() + row);
        for (; row < x.size(); ++row) step_tile<1>(states.data() + row, x[row].data(), y.data() + row);
    }

    // The parameter block (weights, biases and zero padding, in the internal layout, which depends on the
    // instruction set). For optimizers; use weight<I>/bias<I>/parameter_tensor<I, J> for values.
    std::span<T, storage_size> parameter_block() noexcept { return parameters_; }
    std::span<const T, storage_size> parameter_block() const noexcept { return parameters_; }

    friend bool operator==(const basic_network&, const basic_network&) = default;

    // Whether this object is where the kernels need it (alignof(basic_network)); the constructors check it,
    // forward and the trainer assert it in debug builds (an object copied by memcpy into an arena is not
    // constructed, so only those see it).
    // The address goes through a volatile read: an object at a misaligned address is undefined behaviour,
    // so compilers (clang) otherwise assume `this` aligned and fold the test to true.
    bool is_aligned() const noexcept { return address() % alignof(basic_network) == 0; }

private:
    std::uintptr_t address() const noexcept {
        const void* volatile self = this;
        return reinterpret_cast<std::uintptr_t>(self);
    }
    // Static, with a non-const pointer: called before the object is initialized, and g++ warns
    // (-Wmaybe-uninitialized) when such an object is passed where it could be read.
    static void check_alignment(void* object) {
        void* volatile self = object;
        const std::uintptr_t address = reinterpret_cast<std::uintptr_t>(self);
        if (address % alignof(basic_network) != 0) [[unlikely]]
            detail::raise_alignment_error(address, alignof(basic_network));
    }

    template <std::size_t I, class View>
    static constexpr auto& weight_of(View weights, std::size_t out, std::size_t in) {
        // A convolution's [out][in][k] weight is the [out][in k] matrix here.
        constexpr std::size_t columns = View::size / View::shape[0];
        if (out >= weights.shape[0] || in >= columns) [[unlikely]]
            detail::raise_index_error(View::name, out, weights.shape[0], in, columns);
        return weights[out * columns + in];
    }

    // Calls visit.template operator()<I, J>() for every tensor J of every layer I.
    template <class Visit>
    static constexpr void for_each_tensor(Visit&& visit) {
        detail::static_for<layer_count>([&](auto i) { for_each_tensor_of<decltype(i)::value>(visit); });
    }
    template <std::size_t I, class Visit>
    static constexpr void for_each_tensor_of(Visit& visit) {
        [&]<std::size_t... J>(std::index_sequence<J...>) {
            (visit.template operator()<I, J>(), ...);
        }(std::make_index_sequence<plan::template tensor_count<I>>{});
    }
    template <std::size_t I>
    static constexpr void check_layer_index() noexcept {
        static_assert(I < layer_count, "typenet: weight<I>/bias<I>: the layer index I is out of range");
    }

    // WeightOverride / BiasOverride: void for the declared initializers. A loop over a table of the tensors
    // (fill function, place, random stream), not an unrolled call per tensor: the compiler spends an entry
    // per tensor on it, not a function body.
    template <class WeightOverride, class BiasOverride>
    void initialize_tensors(std::uint64_t seed) {
        parameters_.fill(T(0));  // padding stays exactly zero forever after
        for (const auto& layer_fills : tensor_fills<WeightOverride, BiasOverride>)
            for (std::size_t j = 0; j < layer_fills.count; ++j) {
                const tensor_fill& fill = layer_fills.tensors[j];
                random_stream stream(seed, fill.stream);
                fill.fill(parameters_.data() + fill.offset, stream);
            }
    }
    struct tensor_fill {
        void (*fill)(T*, random_stream&);
        std::size_t offset;
        std::uint64_t stream;
    };
    static constexpr std::size_t max_tensor_count = []<std::size_t... I>(std::index_sequence<I...>) {
        const std::size_t counts[] = {plan::template tensor_count<I>..., 0};
        std::size_t largest = 0;
        for (std::size_t count : counts) largest = count > largest ? count : largest;
        return largest;
    }(std::make_index_sequence<layer_count>{});
    struct layer_fill {
        std::array<tensor_fill, max_tensor_count> tensors;
        std::size_t count;
    };
    template <std::size_t I, class WeightOverride, class BiasOverride>
    static constexpr layer_fill layer_fill_of() noexcept {
        return []<std::size_t... J>(std::index_sequence<J...>) {
            return layer_fill{{tensor_fill{&fill_tensor<typename plan::template tensor<I, J>, WeightOverride, BiasOverride>,
                                           plan::template tensor_offset<I, J>, detail::tensor_stream(I, J)}...},
                              sizeof...(J)};
        }(std::make_index_sequence<plan::template tensor_count<I>>{});
    }
    template <class WeightOverride, class BiasOverride>
    static constexpr std::array<layer_fill, layer_count> tensor_fills = []<std::size_t... I>(std::index_sequence<I...>) {
        return std::array<layer_fill, layer_count>{layer_fill_of<I, WeightOverride, BiasOverride>()...};
    }(std::make_index_sequence<layer_count>{});
    // Out of line and independent of the layer index: the tensors of identical layers share one function,
    // so deep networks compile in time linear in their distinct layers.
    template <class Tensor, class WeightOverride, class BiasOverride>
    TYPENET_NOINLINE static void fill_tensor(T* values, random_stream& stream) {
        using declared_init = typename Tensor::initializer;
        if constexpr (Tensor::role == tensor_role::weight) {
            using init = std::conditional_t<std::is_void_v<WeightOverride>, declared_init, WeightOverride>;
            // A convolution's weight is drawn as a matrix with receptive_field times its rows, so that the
            // initializer sees both fans; the first rows are kept.
            init::sample_weights(Tensor::fan_in, Tensor::fan_out, stream, [&](std::size_t out, std::size_t in, double value) {
                if (out < Tensor::rows) values[Tensor::storage_index(out * Tensor::fan_in + in)] = static_cast<T>(value);
            });
        } else {
            using init =
                std::conditional_t<std::is_void_v<BiasOverride> || Tensor::role == tensor_role::other, declared_init, BiasOverride>;
            init::sample_bias(Tensor::fan_in, Tensor::fan_out, stream, [&](std::size_t out, double value) {
                if (out < Tensor::size) values[Tensor::storage_index(out)] = static_cast<T>(value);
            });
        }
    }

    // Rows of the batch tile: at most 32 samples and about 32 KB of activations per buffer.
    static constexpr std::size_t batch_tile(std::size_t batch) noexcept {
        std::size_t rows = 32 * 1024 / (plan::buffer_size * sizeof(T));
        rows = std::clamp<std::size_t>(rows, 1, 32);
        if (rows > 8) rows -= rows % 8;  // whole register tiles
        return std::min(rows, batch);
    }

    template <std::size_t Rows>
    void forward_tile(const T* x, output_type* y) const noexcept {
        alignas(detail::storage_alignment) T buffers[2][Rows * plan::buffer_size];
        const T* signal = run_fused<Rows>(x, buffers[0], buffers[1]);
        for (std::size_t r = 0; r < Rows; ++r) std::copy_n(signal + r * plan::buffer_size, output_size, y[r].data());
    }

    // The fused stages' destinations: even stages write buffer_a, odd ones buffer_b.
    TYPENET_ALWAYS_INLINE static auto ping_pong(T* buffer_a, T* buffer_b) noexcept {
        return [buffer_a, buffer_b](std::size_t stage, std::size_t) TYPENET_INLINE_LAMBDA {
            return std::pair<T*, std::size_t>(stage % 2 == 0 ? buffer_a : buffer_b, plan::buffer_size);
        };
    }

    // Every fused stage, ping-ponging between two buffers; returns the last output.
    template <std::size_t Rows>
    TYPENET_ALWAYS_INLINE const T* run_fused(const T* x, T* buffer_a, T* buffer_b) const noexcept {
        return detail::run_forward<plan, true, Rows>(parameters_.data(), x, input_size, ping_pong(buffer_a, buffer_b));
    }

    static constexpr std::size_t state_stride = sizeof(state_type) / sizeof(T);

    template <std::size_t Rows>
    TYPENET_ALWAYS_INLINE const T* run_step(T* state, const T* x, T* buffer_a, T* buffer_b) const noexcept {
        return detail::run_step<plan, Rows>(parameters_.data(), state, state_stride, x, input_size, ping_pong(buffer_a, buffer_b));
    }
    static constexpr std::size_t sequence_prefix = detail::sequence_prefix_stages<plan>();

    // Steps steps of one stream: the prefix stages over all of them, then the rest one step at a time.
    template <std::size_t Steps>
    void sequence_tile(state_type& state, const T* x, output_type* y) const noexcept {
        alignas(detail::storage_alignment) T buffers[2][Steps * plan::buffer_size];
        const T* signal = detail::run_sequence_prefix<plan, Steps, sequence_prefix>(parameters_.data(), state.values.data(), x,
                                                                                     input_size, ping_pong(buffers[0], buffers[1]));
        if constexpr (sequence_prefix == plan::stage_count) {
            for (std::size_t t = 0; t < Steps; ++t) std::copy_n(signal + t * plan::buffer_size, output_size, y[t].data());
        } else {
            alignas(detail::storage_alignment) T step_buffers[2][plan::buffer_size];
            for (std::size_t t = 0; t < Steps; ++t) {
                const T* output = detail::run_step_from<plan, sequence_prefix>(parameters_.data(), state.values.data(),
                                                                               signal + t * plan::buffer_size,
                                                                               ping_pong(step_buffers[0], step_buffers[1]));
                std::copy_n(output, output_size, y[t].data());
            }
        }
    }
    template <std::size_t Rows>
    void step_tile(state_type* states, const T* x, output_type* y) const noexcept {
        alignas(detail::storage_alignment) T buffers[2][Rows * plan::buffer_size];
        // The streams' states one after another: the kernels step through them from the first state object
        // (state_stride elements apart), so the pointer is the array's, not the first state's member array.
        const T* signal = run_step<Rows>(reinterpret_cast<T*>(states), x, buffers[0], buffers[1]);
        for (std::size_t r = 0; r < Rows; ++r) std::copy_n(signal + r * plan::buffer_size, output_size, y[r].data());
    }

    alignas(detail::storage_alignment) std::array<T, storage_size> parameters_;
};

template <class... Layers>
using network = basic_network<float, Layers...>;

}  // namespace typenet::inline TYPENET_ISA

namespace typenet::detail {
template <class Net, std::size_t I>
struct checked_layer {
    static_assert(I < Net::layer_count, "typenet::layer_t<Net, I>: the layer index I is out of range");
    using type =
        boost::mp11::mp_eval_if_c<(I >= Net::layer_count), void, boost::mp11::mp_at, typename Net::layers, boost::mp11::mp_size_t<I>>;
};
}  // namespace typenet::detail

namespace typenet {
// The I-th layer after input<N>, activations counted (PyTorch nn.Sequential numbering), resolved.
template <class Net, std::size_t I>
using layer_t = typename detail::checked_layer<Net, I>::type;
}  // namespace typenet
