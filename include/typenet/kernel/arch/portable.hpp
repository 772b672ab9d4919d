// The portable instruction set: a one-lane "batch" of plain scalar code, for targets where xsimd has no
// instruction set (and for any build that defines TYPENET_PORTABLE, which CI uses to test this path). It
// offers the part of xsimd's batch interface that typenet's kernels use, and the simd:: vocabulary for it.
//
// Documentation: docs/internals.md
// Distributed under the Boost Software License, Version 1.0 (see LICENSE or https://www.boost.org/LICENSE_1_0.txt).
#pragma once

#include <cmath>
#include <cstddef>

#include "../../config.hpp"
#include "generic.hpp"

namespace typenet::kernel::arch::inline TYPENET_ISA {

struct portable {
    static constexpr const char* name() noexcept { return "portable"; }
};

// 16 bytes of lanes (4 float, 2 double): the width of SSE2 and NEON vectors, so the kernels keep the tile and
// panel shapes of those (one-lane batches would multiply their unrolled code), and plain loops that a
// compiler may vectorize by itself.
template <class T>
inline constexpr std::size_t portable_lanes = 16 / sizeof(T);

template <class T>
struct portable_batch_bool {
    bool lanes[portable_lanes<T>];
};

template <class T>
class portable_batch {
public:
    using value_type = T;
    using arch_type = portable;
    static constexpr std::size_t size = portable_lanes<T>;

    portable_batch() noexcept = default;
    portable_batch(T value) noexcept {  // NOLINT: broadcasts implicitly, as xsimd::batch does
        for (std::size_t i = 0; i < size; ++i) lanes_[i] = value;
    }

    static portable_batch load_aligned(const T* source) noexcept { return load_unaligned(source); }
    static portable_batch load_unaligned(const T* source) noexcept {
        portable_batch result;
        for (std::size_t i = 0; i < size; ++i) result.lanes_[i] = source[i];
        return result;
    }
    void store_aligned(T* destination) const noexcept { store_unaligned(destination); }
    void store_unaligned(T* destination) const noexcept {
        for (std::size_t i = 0; i < size; ++i) destination[i] = lanes_[i];
    }
    T get(std::size_t i) const noexcept { return lanes_[i]; }

    // Lane by lane: f(lane values...) for every lane.
    template <class F, class... Batches>
    static portable_batch map(F&& f, const Batches&... batches) noexcept {
        portable_batch result;
        for (std::size_t i = 0; i < size; ++i) result.lanes_[i] = f(batches.lanes_[i]...);
        return result;
    }
    template <class F>
    static portable_batch_bool<T> compare(F&& f, const portable_batch& a, const portable_batch& b) noexcept {
        portable_batch_bool<T> result;
        for (std::size_t i = 0; i < size; ++i) result.lanes[i] = f(a.lanes_[i], b.lanes_[i]);
        return result;
    }

    friend portable_batch operator+(const portable_batch& a, const portable_batch& b) noexcept {
        return map([](T x, T y) { return x + y; }, a, b);
    }
    friend portable_batch operator-(const portable_batch& a, const portable_batch& b) noexcept {
        return map([](T x, T y) { return x - y; }, a, b);
    }
    friend portable_batch operator*(const portable_batch& a, const portable_batch& b) noexcept {
        return map([](T x, T y) { return x * y; }, a, b);
    }
    friend portable_batch operator/(const portable_batch& a, const portable_batch& b) noexcept {
        return map([](T x, T y) { return x / y; }, a, b);
    }
    portable_batch operator-() const noexcept {
        return map([](T x) { return -x; }, *this);
    }
    portable_batch& operator+=(const portable_batch& other) noexcept { return *this = *this + other; }
    portable_batch& operator-=(const portable_batch& other) noexcept { return *this = *this - other; }
    portable_batch& operator*=(const portable_batch& other) noexcept { return *this = *this * other; }
    portable_batch& operator/=(const portable_batch& other) noexcept { return *this = *this / other; }
    friend portable_batch_bool<T> operator>(const portable_batch& a, const portable_batch& b) noexcept {
        return compare([](T x, T y) { return x > y; }, a, b);
    }
    friend portable_batch_bool<T> operator<(const portable_batch& a, const portable_batch& b) noexcept {
        return compare([](T x, T y) { return x < y; }, a, b);
    }
    friend portable_batch_bool<T> operator>=(const portable_batch& a, const portable_batch& b) noexcept {
        return compare([](T x, T y) { return x >= y; }, a, b);
    }
    friend portable_batch_bool<T> operator<=(const portable_batch& a, const portable_batch& b) noexcept {
        return compare([](T x, T y) { return x <= y; }, a, b);
    }

private:
    T lanes_[size];
};

template <class T>
TYPENET_ALWAYS_INLINE portable_batch<T> adam_direction(portable, const portable_batch<T>& m, const portable_batch<T>& v, T inverse_root,
                                                       T eps) noexcept {
    return portable_batch<T>::map([=](T m_lane, T v_lane) { return m_lane / (std::sqrt(v_lane) * inverse_root + eps); }, m, v);
}

constexpr std::size_t register_count(portable) noexcept { return 16; }
// No intrinsics on the portable path, so no floating-point control register either.
constexpr unsigned long long flush_denormals_bits(portable) noexcept { return 0; }
inline unsigned long long read_float_control(portable) noexcept { return 0; }
inline void write_float_control(portable, unsigned long long) noexcept {}
portable narrow_arch_of(portable, portable) noexcept;

}  // namespace typenet::kernel::arch::inline TYPENET_ISA

namespace typenet::simd::inline TYPENET_ISA {

template <class T>
using portable_batch = kernel::arch::portable_batch<T>;

// Fused where the target has a fused multiply-add instruction; elsewhere std::fma would be a slow software
// emulation, and a multiply and an add (two roundings) it is.
#if defined(FP_FAST_FMA) && defined(FP_FAST_FMAF)
inline constexpr bool portable_hardware_fma = true;
#else
inline constexpr bool portable_hardware_fma = false;
#endif

template <class T>
TYPENET_ALWAYS_INLINE portable_batch<T> fma(const portable_batch<T>& a, const portable_batch<T>& b, const portable_batch<T>& c) noexcept {
    if constexpr (portable_hardware_fma)
        return portable_batch<T>::map([](T x, T y, T z) { return std::fma(x, y, z); }, a, b, c);
    else
        return portable_batch<T>::map([](T x, T y, T z) { return x * y + z; }, a, b, c);
}
// max and min by generic.hpp's rule (the second operand when either is NaN or both are equal).
template <class T>
TYPENET_ALWAYS_INLINE portable_batch<T> max(const portable_batch<T>& a, const portable_batch<T>& b) noexcept {
    return portable_batch<T>::map([](T x, T y) { return x > y ? x : y; }, a, b);
}
template <class T>
TYPENET_ALWAYS_INLINE portable_batch<T> min(const portable_batch<T>& a, const portable_batch<T>& b) noexcept {
    return portable_batch<T>::map([](T x, T y) { return x < y ? x : y; }, a, b);
}
template <class T>
TYPENET_ALWAYS_INLINE portable_batch<T> select(const kernel::arch::portable_batch_bool<T>& mask, const portable_batch<T>& if_true,
                                               const portable_batch<T>& if_false) noexcept {
    T lanes[portable_batch<T>::size];
    for (std::size_t i = 0; i < portable_batch<T>::size; ++i) lanes[i] = mask.lanes[i] ? if_true.get(i) : if_false.get(i);
    return portable_batch<T>::load_unaligned(lanes);
}
template <class T>
TYPENET_ALWAYS_INLINE portable_batch<T> sqrt(const portable_batch<T>& x) noexcept {
    return portable_batch<T>::map([](T v) { return std::sqrt(v); }, x);
}
template <class T>
inline portable_batch<T> exp(const portable_batch<T>& x) noexcept {
    return portable_batch<T>::map([](T v) { return std::exp(v); }, x);
}
template <class T>
inline portable_batch<T> expm1(const portable_batch<T>& x) noexcept {
    return portable_batch<T>::map([](T v) { return std::expm1(v); }, x);
}
template <class T>
inline portable_batch<T> erfc(const portable_batch<T>& x) noexcept {
    return portable_batch<T>::map([](T v) { return std::erfc(v); }, x);
}
template <class T>
inline portable_batch<T> tanh(const portable_batch<T>& x) noexcept {
    return portable_batch<T>::map([](T v) { return std::tanh(v); }, x);
}
template <class T>
TYPENET_ALWAYS_INLINE T reduce_add(const portable_batch<T>& x) noexcept {
    T sum = 0;
    for (std::size_t i = 0; i < portable_batch<T>::size; ++i) sum += x.get(i);
    return sum;
}
template <std::size_t I, class T>
TYPENET_ALWAYS_INLINE portable_batch<T> broadcast_lane(const portable_batch<T>& x) noexcept {
    static_assert(I < portable_batch<T>::size, "typenet::simd::broadcast_lane: no such lane");
    return portable_batch<T>(x.get(I));
}
template <class T>
TYPENET_ALWAYS_INLINE portable_batch<T> lane_sums(const portable_batch<T>* rows) noexcept {
    T sums[portable_batch<T>::size];
    for (std::size_t i = 0; i < portable_batch<T>::size; ++i) sums[i] = reduce_add(rows[i]);
    return portable_batch<T>::load_unaligned(sums);
}

}  // namespace typenet::simd::inline TYPENET_ISA
