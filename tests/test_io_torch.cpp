// PyTorch interop through safetensors. tools/torch_safetensors.py (python3-torch) trained the MLP of
// io_models.hpp and wrote tests/data/torch_mlp_*.safetensors with its outputs; typenet loads them and must
// give the same outputs. The reverse direction: tests/data/typenet_mlp_*.safetensors were written by
// io_export (a typenet-trained model) and checked by the same script in PyTorch when they were committed;
// here typenet must still write them byte for byte and compute the outputs PyTorch checked.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <vector>

#include <typenet/io.hpp>
#include <typenet/typenet.hpp>

#include "io_models.hpp"
#include "io_test_util.hpp"

using namespace typenet;

namespace {

std::vector<std::byte> read(const char* path) { return detail::read_file(path, "test"); }

// Largest difference relative to the largest output (normwise: outputs near zero do not inflate it).
template <class Net>
double largest_error(const Net& net, const safetensors_tensor& inputs, const safetensors_tensor& outputs) {
    using T = typename Net::value_type;
    const auto x = inputs.values<double>();
    const auto expected = outputs.values<double>();
    const std::size_t samples = inputs.shape[0];
    REQUIRE(inputs.shape == std::vector<std::uint64_t>{samples, Net::input_size});
    REQUIRE(outputs.shape == std::vector<std::uint64_t>{samples, Net::output_size});
    double error = 0, scale = 0;
    for (double reference : expected) scale = std::max(scale, std::abs(reference));
    for (std::size_t s = 0; s < samples; ++s) {
        typename Net::input_type sample;
        for (std::size_t i = 0; i < Net::input_size; ++i) sample[i] = static_cast<T>(x[s * Net::input_size + i]);
        const auto y = net(sample);
        for (std::size_t o = 0; o < Net::output_size; ++o) {
            const double reference = expected[s * Net::output_size + o];
            error = std::max(error, std::abs(static_cast<double>(y[o]) - reference) / scale);
        }
    }
    return error;
}

}  // namespace

TEST_CASE("a PyTorch-trained float64 model gives PyTorch's outputs to rounding") {
    const auto io_file = read("data/torch_mlp_io.safetensors");
    const auto io = read_safetensors(io_file);
    io_test::torch_mlp<double> net;
    load_safetensors(net, std::filesystem::path("data/torch_mlp_f64.safetensors"));
    const double error = largest_error(net, *io.find("inputs"), *io.find("outputs_f64"));
    MESSAGE("float64: largest relative difference from PyTorch ", error);
    CHECK(error < 5e-14);  // achieved 3.1e-16 (SSE2, AMD EPYC, 2026-11-29): about 100 times that
}

TEST_CASE("F16 and BF16 files convert exactly on load") {
    const auto io_file = read("data/torch_mlp_io.safetensors");
    const auto io = read_safetensors(io_file);
    for (const char* dtype : {"f16", "bf16"}) {
        io_test::torch_mlp<double> net;
        load_safetensors(net, std::filesystem::path(std::string("data/torch_mlp_") + dtype + ".safetensors"));
        const double error = largest_error(net, *io.find("inputs"), *io.find(std::string("outputs_") + dtype));
        MESSAGE(std::string(dtype), ": largest relative difference from PyTorch (float64 with the rounded weights) ", error);
        CHECK(error < 1e-13);  // achieved 7.3e-16 (f16) and 3.1e-16 (bf16): about 100 times that
    }
}

TEST_CASE("a PyTorch float32 model gives PyTorch's float32 outputs within PyTorch's own float error") {
    const auto io_file = read("data/torch_mlp_io.safetensors");
    const auto io = read_safetensors(io_file);
    io_test::torch_mlp<float> net;
    load_safetensors(net, std::filesystem::path("data/torch_mlp_f32.safetensors"));
    // PyTorch's float32 error: its float32 outputs against its float64 outputs of the same float32 weights.
    const auto torch32 = io.find("outputs_f32_in_float32")->values<double>();
    const auto torch64 = io.find("outputs_f32")->values<double>();
    double torch_error = 0, scale = 0;
    for (double reference : torch64) scale = std::max(scale, std::abs(reference));
    for (std::size_t i = 0; i < torch32.size(); ++i) torch_error = std::max(torch_error, std::abs(torch32[i] - torch64[i]) / scale);
    const double error = largest_error(net, *io.find("inputs"), *io.find("outputs_f32_in_float32"));
    const double error64 = largest_error(net, *io.find("inputs"), *io.find("outputs_f32"));
    MESSAGE("float32: typenet vs PyTorch float32 ", error, ", typenet vs float64 ", error64, ", PyTorch float32 vs float64 ", torch_error);
    CHECK(error64 <= 2 * torch_error + 1e-7);
    CHECK(error <= 2 * torch_error + 1e-7);
}

TEST_CASE("a module's own names load through safetensors_options") {
    io_test::torch_mlp<double> by_sequential, by_names;
    load_safetensors(by_sequential, std::filesystem::path("data/torch_mlp_f64.safetensors"));
    const std::filesystem::path named = "data/torch_mlp_named.safetensors";
    io_test::expect_io_error([&] { load_safetensors(by_names, named); },
                             {"missing tensor '0.weight'", "unexpected tensor 'body.fc1.weight'"});
    load_safetensors(by_names, named, {.prefix = "body.", .names = {{"0", "fc1"}, {"2", "fc2"}, {"4", "fc3"}}, .allow_unused = true});
    CHECK(by_names == by_sequential);
}

TEST_CASE("the committed typenet-written files (checked in PyTorch) are still written byte for byte and computed alike") {
    for (const char* scalar : {"f64", "f32"}) {
        const auto committed = read((std::string("data/typenet_mlp_") + scalar + ".safetensors").c_str());
        const auto io_file = read("data/typenet_mlp_io.safetensors");
        const auto io = read_safetensors(io_file);
        if (std::string(scalar) == "f64") {
            io_test::torch_mlp<double> net;
            load_safetensors(net, committed);
            CHECK(save_safetensors(net) == committed);
            // typenet's own double outputs (io_export, another machine): rounding order only, achieved 0 to
            // 1e-16; 100 times that.
            CHECK(largest_error(net, *io.find("inputs"), *io.find("outputs_f64")) < 5e-14);
        } else {
            io_test::torch_mlp<float> net;
            load_safetensors(net, committed);
            CHECK(save_safetensors(net) == committed);
            const double error = largest_error(net, *io.find("inputs"), *io.find("outputs_f32"));
            MESSAGE("typenet-written f32: largest relative difference ", error);
            // typenet's own float outputs, possibly from another instruction set: rounding order only, up to
            // about 1e-7 (0 on the same one); 100 times that.
            CHECK(error < 1e-5);
        }
    }
}
