// The hand-written Eigen 3.4 peer of the single-sample forward benchmarks (forward_latency.cpp,
// hand_kernels.cpp): what a careful C++ user writes with Eigen for a 3-layer perceptron.
#pragma once

#include <type_traits>

// Net C's 256 x 256 fixed-size matrix exceeds Eigen's 128 KB stack guard; the networks live on the heap.
#define EIGEN_STACK_ALLOCATION_LIMIT 0
#include <Eigen/Dense>

namespace peers {

struct relu_tag {};
struct tanh_tag {};

template <class Tag, int Rows>
inline void eigen_activation(Eigen::Matrix<float, Rows, 1>& v) {
    if constexpr (std::is_same_v<Tag, relu_tag>)
        v = v.cwiseMax(0.0f);
    else
        v = v.array().tanh().matrix();  // Eigen's vectorized rational tanh
}

// What a careful C++ user writes with Eigen: fixed sizes, column-major, y = W x + b.
template <int In, int H, int Out, class Tag>
struct eigen_mlp {
    Eigen::Matrix<float, H, In> w1;
    Eigen::Matrix<float, H, 1> b1;
    Eigen::Matrix<float, H, H> w2;
    Eigen::Matrix<float, H, 1> b2;
    Eigen::Matrix<float, Out, H> w3;
    Eigen::Matrix<float, Out, 1> b3;

    template <class Net>
    explicit eigen_mlp(const Net& net) {
        for (int o = 0; o < H; ++o) {
            b1(o) = net.template bias<0>(o);
            b2(o) = net.template bias<2>(o);
            for (int i = 0; i < In; ++i) w1(o, i) = net.template weight<0>(o, i);
            for (int i = 0; i < H; ++i) w2(o, i) = net.template weight<2>(o, i);
        }
        for (int o = 0; o < Out; ++o) {
            b3(o) = net.template bias<4>(o);
            for (int i = 0; i < H; ++i) w3(o, i) = net.template weight<4>(o, i);
        }
    }

    void forward(const Eigen::Matrix<float, In, 1>& x, Eigen::Matrix<float, Out, 1>& y) const {
        Eigen::Matrix<float, H, 1> h1 = w1 * x + b1;
        eigen_activation<Tag>(h1);
        Eigen::Matrix<float, H, 1> h2 = w2 * h1 + b2;
        eigen_activation<Tag>(h2);
        y.noalias() = w3 * h2 + b3;
    }
};

}  // namespace peers
