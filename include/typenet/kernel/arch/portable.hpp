// The portable instruction set: a one-lane "batch" of plain scalar code, for targets where xsimd has no
// instruction set (and for any build that defines TYPENET_PORTABLE, which CI uses to test this path). It
// offers the part of xsimd's batch interface that typenet's kernels use, and the simd:: vocabulary for it.
#pragma once

#include <cmath>
#include <cstddef>

#include "../../config.hpp"
#include "generic.hpp"

namespace typenet::kernel::arch::inline TYPENET_ISA {

struct portable {
    static constexpr const char* name() noexcept { return "portable"; }
};

template <class T>
struct portable_batch_bool {
    bool value;
};

template <class T>
class portable_batch {
public:
    using value_type = T;
    using arch_type = portable;
    static constexpr std::size_t size = 1;

    portable_batch() noexcept = default;
    portable_batch(T value) noexcept : value_(value) {}  // NOLINT: broadcasts implicitly, as xsimd::batch does

    static portable_batch load_aligned(const T* source) noexcept { return portable_batch(*source); }
    static portable_batch load_unaligned(const T* source) noexcept { return portable_batch(*source); }
    void store_aligned(T* destination) const noexcept { *destination = value_; }
    void store_unaligned(T* destination) const noexcept { *destination = value_; }
    T get(std::size_t) const noexcept { return value_; }

    friend portable_batch operator+(portable_batch a, portable_batch b) noexcept { return a.value_ + b.value_; }
    friend portable_batch operator-(portable_batch a, portable_batch b) noexcept { return a.value_ - b.value_; }
    friend portable_batch operator*(portable_batch a, portable_batch b) noexcept { return a.value_ * b.value_; }
    friend portable_batch operator/(portable_batch a, portable_batch b) noexcept { return a.value_ / b.value_; }
    portable_batch operator-() const noexcept { return -value_; }
    portable_batch& operator+=(portable_batch other) noexcept { return *this = *this + other; }
    portable_batch& operator-=(portable_batch other) noexcept { return *this = *this - other; }
    portable_batch& operator*=(portable_batch other) noexcept { return *this = *this * other; }
    portable_batch& operator/=(portable_batch other) noexcept { return *this = *this / other; }
    friend portable_batch_bool<T> operator>(portable_batch a, portable_batch b) noexcept { return {a.value_ > b.value_}; }
    friend portable_batch_bool<T> operator<(portable_batch a, portable_batch b) noexcept { return {a.value_ < b.value_}; }
    friend portable_batch_bool<T> operator>=(portable_batch a, portable_batch b) noexcept { return {a.value_ >= b.value_}; }
    friend portable_batch_bool<T> operator<=(portable_batch a, portable_batch b) noexcept { return {a.value_ <= b.value_}; }

private:
    T value_;
};

template <class T>
TYPENET_ALWAYS_INLINE portable_batch<T> adam_direction(portable, const portable_batch<T>& m, const portable_batch<T>& v,
                                                       T inverse_root, T eps) noexcept {
    return m.get(0) / (std::sqrt(v.get(0)) * inverse_root + eps);
}

constexpr std::size_t register_count(portable) noexcept { return 16; }
portable narrow_arch_of(portable, portable) noexcept;

}  // namespace typenet::kernel::arch::inline TYPENET_ISA

namespace typenet::simd::inline TYPENET_ISA {

template <class T>
using portable_batch = kernel::arch::portable_batch<T>;

template <class T>
TYPENET_ALWAYS_INLINE portable_batch<T> fma(const portable_batch<T>& a, const portable_batch<T>& b, const portable_batch<T>& c) noexcept {
    return std::fma(a.get(0), b.get(0), c.get(0));
}
// max and min as x86's instructions define them (the second operand when either is NaN).
template <class T>
TYPENET_ALWAYS_INLINE portable_batch<T> max(const portable_batch<T>& a, const portable_batch<T>& b) noexcept {
    return a.get(0) > b.get(0) ? a : b;
}
template <class T>
TYPENET_ALWAYS_INLINE portable_batch<T> min(const portable_batch<T>& a, const portable_batch<T>& b) noexcept {
    return a.get(0) < b.get(0) ? a : b;
}
template <class T>
TYPENET_ALWAYS_INLINE portable_batch<T> select(const kernel::arch::portable_batch_bool<T>& mask, const portable_batch<T>& if_true,
                                               const portable_batch<T>& if_false) noexcept {
    return mask.value ? if_true : if_false;
}
template <class T>
TYPENET_ALWAYS_INLINE portable_batch<T> sqrt(const portable_batch<T>& x) noexcept {
    return std::sqrt(x.get(0));
}
template <class T>
inline portable_batch<T> exp(const portable_batch<T>& x) noexcept {
    return std::exp(x.get(0));
}
template <class T>
inline portable_batch<T> expm1(const portable_batch<T>& x) noexcept {
    return std::expm1(x.get(0));
}
template <class T>
inline portable_batch<T> erfc(const portable_batch<T>& x) noexcept {
    return std::erfc(x.get(0));
}
template <class T>
inline portable_batch<T> tanh(const portable_batch<T>& x) noexcept {
    return std::tanh(x.get(0));
}
template <class T>
TYPENET_ALWAYS_INLINE T reduce_add(const portable_batch<T>& x) noexcept {
    return x.get(0);
}

}  // namespace typenet::simd::inline TYPENET_ISA
