// One build saves, another loads: CI runs `io_exchange save FILE` in the -march=native configuration
// (AVX2 or AVX-512) and `io_exchange check FILE` in the SSE2 one, and the other way round. The file holds a
// model trained by the saving build (so its bits are that build's) and, in FILE.outputs, the saving
// build's outputs. check: the loaded model must write the same bytes again (every weight exact) and compute
// the same outputs up to the rounding differences of the two instruction sets (1e-5 of the largest output).
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include <typenet/io.hpp>
#include <typenet/typenet.hpp>

namespace {

using Net = typenet::network<typenet::input<7>, typenet::dense<33>, typenet::gelu, typenet::dense<17>, typenet::tanh, typenet::dense<5>>;

std::array<Net::input_type, 16> inputs() {
    std::array<Net::input_type, 16> x{};
    for (std::size_t s = 0; s < x.size(); ++s)
        for (std::size_t i = 0; i < Net::input_size; ++i) x[s][i] = static_cast<float>(std::sin(0.9 * double(s * 7 + i)));
    return x;
}

std::vector<float> outputs(const Net& net) {
    std::vector<float> y;
    for (const auto& sample : inputs())
        for (float v : net(sample)) y.push_back(v);
    return y;
}

}  // namespace

int save(const std::filesystem::path& file, const std::filesystem::path& outputs_file) {
    Net net;
    typenet::trainer<Net, typenet::mse, typenet::adam, 16> trainer;
    const auto x = inputs();
    std::array<Net::output_type, 16> y{};
    for (std::size_t s = 0; s < y.size(); ++s)
        for (std::size_t o = 0; o < Net::output_size; ++o) y[s][o] = x[s][o] * x[s][o + 1];
    for (int step = 0; step < 25; ++step) trainer.step(net, x, y);
    typenet::save(net, file);
    const auto y_saved = outputs(net);
    typenet::detail::write_file(outputs_file, typenet::detail::encode_values(std::span<const float>(y_saved)), "io_exchange");
    std::printf("io_exchange (%s): saved %s\n", TYPENET_ISA_NAME, file.c_str());
    return 0;
}

int check(const std::filesystem::path& file, const std::filesystem::path& outputs_file) {
    const auto saved = typenet::detail::read_file(file, "io_exchange");
    const auto saved_outputs = typenet::detail::read_file(outputs_file, "io_exchange");
    Net net;
    typenet::load(net, saved);
    if (typenet::save(net) != saved) {
        std::printf("io_exchange: FAILED: the loaded model does not save to the same bytes\n");
        return 1;
    }
    const auto y = outputs(net);
    // Relative to the largest output (normwise): instruction sets round differently (FMA, summation order),
    // and an output near zero would turn that into a large relative error.
    double error = 0, scale = 0;
    for (std::size_t i = 0; i < y.size(); ++i)
        scale = std::max(scale, std::abs(double(typenet::detail::decode_little_endian<float>(saved_outputs.data() + 4 * i))));
    for (std::size_t i = 0; i < y.size(); ++i) {
        const float expected = typenet::detail::decode_little_endian<float>(saved_outputs.data() + 4 * i);
        error = std::max(error, std::abs(double(y[i]) - expected) / scale);
    }
    std::printf("io_exchange (%s): loaded %s: bytes identical, outputs within %.3g of the saving build's\n", TYPENET_ISA_NAME, file.c_str(),
                error);
    return error < 1e-5 ? 0 : 1;
}

// save, check, or both (roundtrip: the build with itself, one program for meson's cross-build wrapper).
int main(int argc, char** argv) {
    const std::string mode = argc == 3 ? argv[1] : "";
    if (mode != "save" && mode != "check" && mode != "roundtrip") {
        std::fprintf(stderr, "usage: %s save|check|roundtrip FILE\n", argv[0]);
        return 2;
    }
    const std::filesystem::path file = argv[2];
    std::filesystem::path outputs_file = file;
    outputs_file += ".outputs";
    if (mode != "check")
        if (const int status = save(file, outputs_file); status != 0 || mode == "save") return status;
    return check(file, outputs_file);
}
