// Deploying a model, step 2 of docs/deploying.md: a PyTorch-trained MLP comes in as
// safetensors, is checked against PyTorch's outputs, and goes out as typenet's file and as a C++ header
// that examples/deployed.cpp compiles in.
// usage: deploy DATA_DIRECTORY OUTPUT_DIRECTORY   (DATA_DIRECTORY: tests/data, written by tools/torch_safetensors.py)
#include <cmath>
#include <cstdio>
#include <filesystem>

// README: deploy
#include <typenet/io.hpp>
#include <typenet/typenet.hpp>
namespace tn = typenet;

// torch.nn.Sequential(nn.Linear(6, 16), nn.Tanh(), nn.Linear(16, 12), nn.ReLU(), nn.Linear(12, 3))
using Mlp = tn::network<tn::input<6>, tn::dense<16>, tn::tanh, tn::dense<12>, tn::relu, tn::dense<3>>;

bool deploy(const std::filesystem::path& data, const std::filesystem::path& out) {
    Mlp net;
    tn::load_safetensors(net, data / "torch_mlp_f32.safetensors");  // strict: every name, shape and dtype

    // The file also carries test inputs and PyTorch's outputs for them.
    const auto file = tn::read_file(data / "torch_mlp_io.safetensors");
    const auto io = tn::read_safetensors(file);
    const auto x = io.find("inputs")->values<float>();
    const auto expected = io.find("outputs_f32_in_float32")->values<float>();
    for (std::size_t s = 0; s < 8; ++s) {
        const auto y = net(std::span<const float, 6>(x.data() + 6 * s, 6));
        for (std::size_t o = 0; o < 3; ++o)
            if (std::abs(y[o] - expected[3 * s + o]) > 1e-5f) return false;
    }

    tn::save(net, out / "mlp.typenet");                         // typenet's format, any instruction set
    tn::save_safetensors(net, out / "mlp.safetensors");         // back to PyTorch: load_state_dict takes it
    tn::write_header(net, out / "mlp_model.hpp", "mlp_model");  // the model as a constexpr object
    return true;
}
// README: end

int main(int argc, char** argv) {
    if (argc != 3) {
        std::fprintf(stderr, "usage: %s DATA_DIRECTORY OUTPUT_DIRECTORY\n", argv[0]);
        return 2;
    }
    const bool agrees = deploy(argv[1], argv[2]);
    std::printf("deploy: the PyTorch model %s PyTorch's outputs; wrote mlp.typenet, mlp.safetensors, mlp_model.hpp to %s\n",
                agrees ? "gives" : "DOES NOT give", argv[2]);
    return agrees ? 0 : 1;
}
