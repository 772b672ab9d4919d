#include <typenet/typenet.hpp>
// expect: the layer has no `template <class T, std::size_t Width, std::size_t Batch, bool InputGradient> static void backward
// A user's layer that forgot a piece of the contract: the message names the piece.
struct half {
    static constexpr std::string_view name = "half";
    static constexpr bool element_wise = true;
    template <class T>
    using parameters = boost::mp11::mp_list<>;
    template <class T, std::size_t Width, std::size_t Rows, class Epilogue>
    static void forward(const T*, const T* x, std::size_t xs, T* y, std::size_t ys) noexcept {
        for (std::size_t r = 0; r < Rows; ++r)
            for (std::size_t i = 0; i < Width; ++i) y[r * ys + i] = x[r * xs + i] / 2;
    }
    static void reference_forward(typenet::reference_tensors, std::span<const double> x, std::span<double> y) {
        for (std::size_t i = 0; i < x.size(); ++i) y[i] = x[i] / 2;
    }
};
typenet::network<typenet::input<3>, typenet::dense<4>, half, typenet::dense<2>> net;
