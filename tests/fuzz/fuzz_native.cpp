// libFuzzer target: typenet::load on arbitrary bytes. A rejected input must leave the network unchanged;
// an accepted one must save back to exactly the same bytes.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <span>

#include <typenet/io.hpp>

#include "fuzz_model.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const auto bytes = std::as_bytes(std::span(data, size));
    fuzz::Net net;
    const fuzz::Net before = net;
    try {
        typenet::load(net, bytes);
    } catch (const typenet::io_error&) {
        if (!(net == before)) std::abort();
        return 0;
    }
    const auto saved = typenet::save(net);
    if (saved.size() != size || !std::equal(saved.begin(), saved.end(), bytes.begin())) std::abort();
    return 0;
}
