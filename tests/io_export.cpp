// Trains the MLP of io_models.hpp with typenet (20 Adam steps, float64 and float32) and writes, into the
// directory given, typenet_mlp_f64.safetensors, typenet_mlp_f32.safetensors and typenet_mlp_io.safetensors
// (inputs and typenet's outputs of both), for tools/torch_safetensors.py to check in PyTorch.
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <vector>

#include <typenet/io.hpp>
#include <typenet/typenet.hpp>

#include "io_models.hpp"

namespace {

template <class T>
io_test::torch_mlp<T> train() {
    using Net = io_test::torch_mlp<T>;
    Net net;
    net.initialize(2026);
    typenet::trainer<Net, typenet::mse, typenet::adam, 32> trainer(typenet::adam{.lr = 1e-2f});
    std::array<typename Net::input_type, 32> x{};
    std::array<typename Net::output_type, 32> y{};
    for (std::size_t s = 0; s < 32; ++s)
        for (std::size_t i = 0; i < 6; ++i) x[s][i] = static_cast<T>(std::sin(0.37 * double(s * 6 + i)));
    for (std::size_t s = 0; s < 32; ++s)
        for (std::size_t o = 0; o < 3; ++o) y[s][o] = static_cast<T>(std::cos(x[s][o] + x[s][o + 3]));
    for (int step = 0; step < 20; ++step) trainer.step(net, x, y);
    return net;
}

template <class T>
std::vector<std::byte> bytes_of(const std::vector<T>& values) {
    return typenet::detail::encode_values(std::span<const T>(values));
}

}  // namespace

int main(int argc, char** argv) {
    if (argc != 2) {
        std::fprintf(stderr, "usage: %s DIRECTORY\n", argv[0]);
        return 2;
    }
    const std::filesystem::path directory = argv[1];
    const auto net64 = train<double>();
    const auto net32 = train<float>();
    typenet::save_safetensors(net64, directory / "typenet_mlp_f64.safetensors");
    typenet::save_safetensors(net32, directory / "typenet_mlp_f32.safetensors");

    constexpr std::size_t samples = 8;
    std::vector<double> inputs, outputs64;
    std::vector<float> outputs32;
    for (std::size_t s = 0; s < samples; ++s) {
        std::array<double, 6> x64;
        std::array<float, 6> x32;
        for (std::size_t i = 0; i < 6; ++i) x32[i] = static_cast<float>(x64[i] = std::cos(1.3 * double(s * 6 + i) + 0.5));
        inputs.insert(inputs.end(), x64.begin(), x64.end());
        for (double v : net64(x64)) outputs64.push_back(v);
        for (float v : net32(x32)) outputs32.push_back(v);
    }
    // "outputs" is what the script compares with; one file per model.
    for (const char* scalar : {"f64", "f32"}) {
        const bool is64 = scalar[1] == '6';
        typenet::detail::write_file(
            directory / (std::string("typenet_mlp_") + scalar + "_io.safetensors"),
            typenet::write_safetensors({{"inputs", "F64", {samples, 6}, bytes_of(inputs)},
                                        {"outputs", is64 ? "F64" : "F32", {samples, 3}, is64 ? bytes_of(outputs64) : bytes_of(outputs32)}}),
            "io_export");
    }
    typenet::detail::write_file(directory / "typenet_mlp_io.safetensors",
                                typenet::write_safetensors({{"inputs", "F64", {samples, 6}, bytes_of(inputs)},
                                                            {"outputs_f64", "F64", {samples, 3}, bytes_of(outputs64)},
                                                            {"outputs_f32", "F32", {samples, 3}, bytes_of(outputs32)}}),
                                "io_export");
    std::printf("wrote typenet_mlp_{f64,f32,io}.safetensors to %s\n", directory.c_str());
}
