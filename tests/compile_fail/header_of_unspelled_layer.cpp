// write_header needs every layer's C++ spelling; a user's layer without one names the fix.
#include <typenet/io.hpp>
#include <typenet/typenet.hpp>
// expect: does not say how it is written in C++
struct square : typenet::activation<square> {
    static constexpr std::string_view name = "square";
    using recommended_initializer = typenet::lecun_uniform;
    template <class Batch>
    static Batch apply(const Batch& x) noexcept {
        return x * x;
    }
    static double reference(double x) noexcept { return x * x; }
    template <class Batch>
    static Batch derivative(const Batch& input, const Batch&) noexcept {
        return input + input;
    }
    static double reference_derivative(double x) noexcept { return 2 * x; }
};
using Net = typenet::network<typenet::input<3>, typenet::dense<4>, square, typenet::dense<2>>;
std::string text = typenet::header_source(Net{}, "model");
