// libFuzzer target: read_safetensors and load_safetensors on arbitrary bytes. Every tensor of an accepted
// file must be readable in full; a rejected load must leave the network unchanged.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <span>

#include <typenet/io.hpp>

#include "fuzz_model.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const auto bytes = std::as_bytes(std::span(data, size));
    try {
        const auto contents = typenet::read_safetensors(bytes);
        std::size_t total = 0;
        for (const auto& tensor : contents.tensors) {
            total += tensor.data.size();
            if (tensor.dtype == "F32" || tensor.dtype == "F64" || tensor.dtype == "F16" || tensor.dtype == "BF16")
                (void)tensor.values<double>();
        }
        if (total > size) std::abort();  // tensors cannot claim more bytes than the file has
    } catch (const typenet::io_error&) {
    }
    fuzz::Net net;
    const fuzz::Net before = net;
    try {
        typenet::load_safetensors(net, bytes, {.prefix = "", .names = {}, .allow_unused = true});
    } catch (const typenet::io_error&) {
        if (!(net == before)) std::abort();
    }
    return 0;
}
