// The Eigen peers of bench/sequence_step.cpp (sequence_peers.hpp says why they are compiled apart).
#include "sequence_peers.hpp"

namespace peers {

namespace {
template <int Rows, int Columns>
Eigen::Matrix<float, Rows, Columns> matrix_of(std::span<const float> row_major) {
    Eigen::Matrix<float, Rows, Columns> m;
    for (int r = 0; r < Rows; ++r)
        for (int c = 0; c < Columns; ++c) m(r, c) = row_major[std::size_t(r * Columns + c)];
    return m;
}
}  // namespace

template <int In, int H, int Gates>
eigen_recurrent<In, H, Gates>::eigen_recurrent(std::span<const float> weight_ih_rows, std::span<const float> weight_hh_rows,
                                               std::span<const float> input_bias, std::span<const float> hidden_bias)
    : weight_ih(matrix_of<Gates * H, In>(weight_ih_rows)),
      weight_hh(matrix_of<Gates * H, H>(weight_hh_rows)),
      bias_ih(matrix_of<Gates * H, 1>(input_bias)),
      bias_hh(matrix_of<Gates * H, 1>(hidden_bias)) {}

template <int In, int H, int Gates>
void eigen_recurrent<In, H, Gates>::step(state& s, const Eigen::Matrix<float, In, 1>& x, Eigen::Matrix<float, H, 1>& y) const {
    Eigen::Matrix<float, Gates * H, 1> gi, gh;
    gi.noalias() = weight_ih * x + bias_ih;
    gh.noalias() = weight_hh * s.h + bias_hh;
    if constexpr (Gates == 3) {
        const auto r = (gi.template head<H>() + gh.template head<H>()).array().logistic();
        const auto z = (gi.template segment<H>(H) + gh.template segment<H>(H)).array().logistic().eval();
        const auto n = (gi.template tail<H>().array() + r * gh.template tail<H>().array()).tanh().eval();
        s.h = (n + z * (s.h.array() - n)).matrix();
    } else {
        gi += gh;
        const auto i = gi.template head<H>().array().logistic();
        const auto f = gi.template segment<H>(H).array().logistic();
        const auto g = gi.template segment<H>(2 * H).array().tanh();
        const auto o = gi.template tail<H>().array().logistic();
        s.c = (f * s.c.array() + i * g).matrix();
        s.h = (o * s.c.array().tanh()).matrix();
    }
    y = s.h;
}

template <int In, int Out, int Kernel, int Dilation>
eigen_conv<In, Out, Kernel, Dilation>::eigen_conv(std::span<const float> weight, std::span<const float> b) {
    for (int k = 0; k < Kernel; ++k)
        for (int o = 0; o < Out; ++o)
            for (int i = 0; i < In; ++i) taps[k](o, i) = weight[std::size_t((o * In + i) * Kernel + k)];
    for (int o = 0; o < Out; ++o) bias(o) = b[std::size_t(o)];
}

template <int In, int Out, int Kernel, int Dilation>
void eigen_conv<In, Out, Kernel, Dilation>::step(state& s, const Eigen::Matrix<float, In, 1>& x, Eigen::Matrix<float, Out, 1>& y) const {
    y = bias + taps[Kernel - 1] * x;
    for (int k = 0; k + 1 < Kernel; ++k) y.noalias() += taps[k] * s.frames.col(k * Dilation);
    for (int f = 0; f + 1 < history; ++f) s.frames.col(f) = s.frames.col(f + 1);
    s.frames.col(history - 1) = x;
}

void eigen_conv_stack::step(state& s, const Eigen::Matrix<float, 8, 1>& x, Eigen::Matrix<float, 16, 1>& y) const {
    Eigen::Matrix<float, 16, 1> a, b;
    first.step(s.first, x, a);
    a = a.array().tanh();
    second.step(s.second, a, b);
    b = b.array().tanh();
    third.step(s.third, b, y);
}

#define TYPENET_BENCH_DEFINE_PEER(In, H, Gates) template struct eigen_recurrent<In, H, Gates>;
TYPENET_BENCH_RECURRENT_PEERS(TYPENET_BENCH_DEFINE_PEER)
template struct eigen_conv<8, 16, 3, 1>;
template struct eigen_conv<16, 16, 3, 2>;
template struct eigen_conv<16, 16, 3, 4>;

}  // namespace peers
