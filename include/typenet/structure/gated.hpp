// gated<A = tanh, B = sigmoid>: the gated activation unit of WaveNet and PixelCNN. An input of width 2N
// becomes N outputs y[k] = A(x[k]) B(x[N + k]): the first half is the signal, the second the gate (as
// torch.tanh(x[:, :N]) * torch.sigmoid(x[:, N:])). A and B are any activations. No parameters. Documented in
// docs/declaring-networks.md.
//
// Documentation: docs/declaring-networks.md
// Distributed under the Boost Software License, Version 1.0 (see LICENSE or https://www.boost.org/LICENSE_1_0.txt).
#pragma once

#include <algorithm>
#include <cstddef>
#include <span>
#include <string>
#include <string_view>

#include <boost/mp11/list.hpp>

#include "../activation.hpp"
#include "../config.hpp"
#include "../detail/constexpr_math.hpp"
#include "../layer.hpp"
#include "../simd.hpp"
#include "../spelling.hpp"

namespace typenet::detail {
// An odd input width for gated<>: the template argument is the width.
template <std::size_t InputWidth>
struct gated_input_width_must_be_even {
    static_assert(InputWidth % 2 == 0 && InputWidth >= 2,
                  "typenet::gated<A, B>: the input width (the template argument above) must be even: its first half is the "
                  "signal, its second half the gate");
    static constexpr bool value = InputWidth % 2 == 0;
};
}  // namespace typenet::detail

namespace typenet::inline TYPENET_ISA {

template <std::size_t N, class A, class B>
struct gated_layer {
    static_assert(is_activation_v<A> && is_activation_v<B>, "typenet::gated<A, B>: A and B must be activations (tanh, sigmoid, relu, ...)");
    static constexpr std::string_view name = "gated";
    static constexpr std::size_t input_width = 2 * N;
    static constexpr std::size_t output_width = N;
    static constexpr bool fuses_epilogue = true;
    static constexpr bool needs_aligned_input = true;
    template <class T>
    using parameters = boost::mp11::mp_list<>;

    template <class T, std::size_t Width, std::size_t Rows, class Epilogue>
    TYPENET_ALWAYS_INLINE static void forward(const T*, const T* x, std::size_t x_stride, T* y, std::size_t y_stride) noexcept {
        using batch = simd::batch<T>;
        constexpr std::size_t end = detail::round_up(N, batch::size);
        for (std::size_t r = 0; r < Rows; ++r) {
            // The gate half starts at x + N, which need not be aligned: an aligned copy of it first (x may be y).
            alignas(detail::storage_alignment) T gate[end];
            std::copy_n(x + r * x_stride + N, N, gate);
            std::fill(gate + N, gate + end, T(0));
            for (std::size_t e = 0; e < end; e += batch::size) {
                const batch signal = A::apply(batch::load_aligned(x + r * x_stride + e));
                Epilogue::apply(signal * B::apply(batch::load_aligned(gate + e))).store_aligned(y + r * y_stride + e);
            }
        }
    }

    template <class T, std::size_t Width, std::size_t Batch, bool InputGradient>
    static void backward(const backward_arguments<T>& a) noexcept {
        if constexpr (InputGradient) {
            using batch = simd::batch<T>;
            constexpr std::size_t end = detail::round_up(N, batch::size);
            for (std::size_t r = 0; r < Batch; ++r) {
                alignas(detail::storage_alignment) T gate[end], signal_gradient[end], gate_gradient[end];
                const T* x = a.input + r * a.input_stride;
                std::copy_n(x + N, N, gate);
                std::fill(gate + N, gate + end, T(0));
                for (std::size_t e = 0; e < end; e += batch::size) {
                    const batch u = batch::load_aligned(x + e), v = batch::load_aligned(gate + e);
                    const batch au = A::apply(u), bv = B::apply(v);
                    const batch d = batch::load_aligned(a.output_gradient + r * a.output_gradient_stride + e);
                    (d * bv * A::derivative(u, au)).store_aligned(signal_gradient + e);
                    (d * au * B::derivative(v, bv)).store_aligned(gate_gradient + e);
                }
                T* dx = a.input_gradient + r * a.input_gradient_stride;
                std::copy_n(signal_gradient, N, dx);
                std::copy_n(gate_gradient, N, dx + N);
                std::fill(dx + 2 * N, dx + a.input_gradient_stride, T(0));
            }
        }
    }

    static void reference_forward(reference_tensors, std::span<const double> x, std::span<double> y) {
        for (std::size_t k = 0; k < N; ++k) y[k] = A::reference(x[k]) * B::reference(x[N + k]);
    }
};

}  // namespace typenet::inline TYPENET_ISA

namespace typenet {

template <class A = typenet::tanh, class B = typenet::sigmoid>
struct gated {
    template <std::size_t InputWidth, class Next>
    using resolve = std::conditional_t<detail::gated_input_width_must_be_even<InputWidth>::value, gated_layer<InputWidth / 2, A, B>,
                                       gated_layer<1, A, B>>;
};

template <class A, class B>
struct spelling<gated<A, B>> {
    static std::string get() { return "typenet::gated<" + detail::spell_list<A, B>() + ">"; }
};

}  // namespace typenet
