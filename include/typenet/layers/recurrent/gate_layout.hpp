// Storage of a recurrent layer's gate matrices: PyTorch's [Gates * Hidden][FanIn] (weight_ih, weight_hh)
// kept as one dense-layer matrix with Gates * padded_hidden outputs, each gate's block padded to whole
// vectors. Gate g of unit j is output g * padded_hidden + j, so the element-wise gate arithmetic runs on
// aligned vectors, and the padding rows (zero weights and biases) keep the padding units of the state at
// exactly zero (every cell maps zero pre-activations and a zero state to a zero state).
//
// Documentation: docs/internals.md
// Distributed under the Boost Software License, Version 1.0 (see LICENSE or https://www.boost.org/LICENSE_1_0.txt).
#pragma once

#include <array>
#include <cstddef>

#include "../../config.hpp"
#include "../../detail/constexpr_math.hpp"
#include "../../simd.hpp"
#include "../../kernel/dense_layout.hpp"

namespace typenet::detail::inline TYPENET_ISA {

template <class T, std::size_t FanIn, std::size_t Hidden, std::size_t Gates>
struct gate_layout {
    static constexpr std::size_t padded_hidden = round_up(Hidden, simd::lanes<T>);
    using matrix = dense_layout<T, FanIn, Gates * padded_hidden>;
    static_assert(matrix::padded_out == Gates * padded_hidden);
    // Elements between two rows of gate pre-activations (whole cache lines).
    static constexpr std::size_t row_stride = round_up(Gates * padded_hidden, storage_alignment / sizeof(T));
    // PyTorch's gate row (g * Hidden + j) -> the matrix's output g * padded_hidden + j.
    static constexpr std::size_t output(std::size_t logical_row) noexcept {
        return logical_row / Hidden * padded_hidden + logical_row % Hidden;
    }
};

template <class T, std::size_t FanIn, std::size_t Hidden, std::size_t Gates>
struct gate_weight_layout {
    using layout = gate_layout<T, FanIn, Hidden, Gates>;
    static constexpr std::array<std::size_t, 2> shape = {Gates * Hidden, FanIn};
    static constexpr std::size_t size = Gates * Hidden * FanIn;
    static constexpr std::size_t storage = layout::matrix::weight_storage;
    static constexpr std::size_t storage_index(std::size_t flat) noexcept {
        return layout::matrix::weight_index(layout::output(flat / FanIn), flat % FanIn);
    }
};

template <class T, std::size_t FanIn, std::size_t Hidden, std::size_t Gates>
struct gate_bias_layout {
    using layout = gate_layout<T, FanIn, Hidden, Gates>;
    static constexpr std::array<std::size_t, 1> shape = {Gates * Hidden};
    static constexpr std::size_t size = Gates * Hidden;
    static constexpr std::size_t storage = layout::matrix::bias_storage;
    static constexpr std::size_t storage_index(std::size_t flat) noexcept { return layout::output(flat); }
};

}  // namespace typenet::detail::inline TYPENET_ISA
