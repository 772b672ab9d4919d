// The hand-written Eigen 3.4 peers of bench/sequence_step.cpp. Their code lives in sequence_peers.cpp, a
// translation unit of its own, so that what the compiler inlines into Eigen's step (its GEMV kernel, its
// logistic and tanh) does not depend on typenet's code: in one translation unit, g++ 12 stopped inlining
// Eigen's activations after an unrelated change to typenet's recurrent step (Eigen's LSTM-16 step went
// from 77 to 103-128 ns).
#pragma once

#include <span>

#include <Eigen/Dense>

namespace peers {

// What a careful Eigen user writes for nn.GRU (Gates 3) / nn.LSTM (Gates 4) one step at a time, from
// PyTorch's tensors (row-major [Gates H][In], [Gates H][H], biases).
template <int In, int H, int Gates>
struct eigen_recurrent {
    Eigen::Matrix<float, Gates * H, In> weight_ih;
    Eigen::Matrix<float, Gates * H, H> weight_hh;
    Eigen::Matrix<float, Gates * H, 1> bias_ih, bias_hh;
    eigen_recurrent(std::span<const float> weight_ih_rows, std::span<const float> weight_hh_rows, std::span<const float> input_bias,
                    std::span<const float> hidden_bias);

    struct state {
        Eigen::Matrix<float, H, 1> h = Eigen::Matrix<float, H, 1>::Zero(), c = Eigen::Matrix<float, H, 1>::Zero();
    };
    void step(state& s, const Eigen::Matrix<float, In, 1>& x, Eigen::Matrix<float, H, 1>& y) const;
};

// A causal dilated Conv1D layer: a shift register of past frames, one matrix per tap (weight [Out][In][Kernel]).
template <int In, int Out, int Kernel, int Dilation>
struct eigen_conv {
    static constexpr int history = (Kernel - 1) * Dilation;
    Eigen::Matrix<float, Out, In> taps[Kernel];
    Eigen::Matrix<float, Out, 1> bias;
    eigen_conv(std::span<const float> weight, std::span<const float> b);
    struct state {
        Eigen::Matrix<float, In, history> frames = Eigen::Matrix<float, In, history>::Zero();
    };
    void step(state& s, const Eigen::Matrix<float, In, 1>& x, Eigen::Matrix<float, Out, 1>& y) const;
};

// 8 -> 16 -> 16 -> 16 channels, kernel 3, dilations 1, 2, 4, tanh between.
struct eigen_conv_stack {
    eigen_conv<8, 16, 3, 1> first;
    eigen_conv<16, 16, 3, 2> second;
    eigen_conv<16, 16, 3, 4> third;
    struct state {
        eigen_conv<8, 16, 3, 1>::state first;
        eigen_conv<16, 16, 3, 2>::state second;
        eigen_conv<16, 16, 3, 4>::state third;
    };
    void step(state& s, const Eigen::Matrix<float, 8, 1>& x, Eigen::Matrix<float, 16, 1>& y) const;
};

#define TYPENET_BENCH_RECURRENT_PEERS(X) X(1, 16, 3) X(16, 16, 3) X(1, 16, 4) X(16, 16, 4) X(32, 32, 3) X(64, 64, 3) X(32, 32, 4) X(64, 64, 4)
#define TYPENET_BENCH_DECLARE_PEER(In, H, Gates) extern template struct eigen_recurrent<In, H, Gates>;
TYPENET_BENCH_RECURRENT_PEERS(TYPENET_BENCH_DECLARE_PEER)
extern template struct eigen_conv<8, 16, 3, 1>;
extern template struct eigen_conv<16, 16, 3, 2>;
extern template struct eigen_conv<16, 16, 3, 4>;

}  // namespace peers
