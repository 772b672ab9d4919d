// typenet's own file format: the parameter vector (PyTorch's logical order, so independent of the
// instruction set the file was written by) behind a header that names everything it must agree with.
//
// Documentation: docs/deploying.md
// Distributed under the Boost Software License, Version 1.0 (see LICENSE or https://www.boost.org/LICENSE_1_0.txt).
//
//   offset  size  field
//        0     8  magic "TYPENET\0"
//        8     4  format version (1)
//       12     4  scalar type: 1 = float32, 2 = float64
//       16     8  FNV-1a 64 hash of the shape signature
//       24     4  length L of the shape signature (at most 1 MiB)
//       28     L  shape signature, e.g. "float32 | input 4 | 0 dense 4->8 weight[8, 4] bias[8] | 1 relu 8 | ..."
//     28+L     8  parameter count P
//     36+L   P*s  parameters, little-endian IEEE 754 (s = 4 or 8 bytes)
//   36+L+P*s   4  CRC-32 (ISO-HDLC, as zlib) of every byte before it
//
// All integers are little-endian. load() checks every field, the exact length and the checksum before it
// writes a single parameter; on any mismatch it throws io_error and the network is unchanged.
#pragma once

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <span>
#include <string>
#include <vector>

#include "bytes.hpp"
#include "error.hpp"
#include "tensor_table.hpp"

namespace typenet {

namespace detail {

inline constexpr std::array<char, 8> native_magic = {'T', 'Y', 'P', 'E', 'N', 'E', 'T', '\0'};
inline constexpr std::uint32_t native_version = 1;
inline constexpr std::uint32_t native_signature_limit = 1u << 20;

template <class T>
constexpr std::uint32_t native_scalar_code = sizeof(T) == 4 ? 1 : 2;

inline std::string native_scalar_name(std::uint32_t code) {
    return code == 1 ? "float32 (1)" : code == 2 ? "float64 (2)" : "unknown code " + std::to_string(code);
}

inline constexpr std::array<std::uint32_t, 256> crc32_table = [] {
    std::array<std::uint32_t, 256> table{};
    for (std::uint32_t n = 0; n < 256; ++n) {
        std::uint32_t c = n;
        for (int k = 0; k < 8; ++k) c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
        table[n] = c;
    }
    return table;
}();

inline std::uint32_t crc32(std::span<const std::byte> bytes) noexcept {
    std::uint32_t crc = 0xFFFFFFFFu;
    for (std::byte b : bytes) crc = crc32_table[(crc ^ std::to_integer<std::uint32_t>(b)) & 0xFFu] ^ (crc >> 8);
    return crc ^ 0xFFFFFFFFu;
}

}  // namespace detail

// The model as bytes in typenet's format.
template <network_model Net>
std::vector<std::byte> save(const Net& net) {
    using T = typename Net::value_type;
    const std::string signature = detail::shape_signature<Net>();
    const std::vector<T> parameters = detail::parameter_vector(net);

    std::vector<std::byte> bytes;
    bytes.reserve(40 + signature.size() + parameters.size() * sizeof(T));
    detail::byte_writer out(bytes);
    out.put_text(std::string_view(detail::native_magic.data(), detail::native_magic.size()));
    out.put(detail::native_version);
    out.put(detail::native_scalar_code<T>);
    out.put(detail::fnv1a_64(signature));
    out.put(static_cast<std::uint32_t>(signature.size()));
    out.put_text(signature);
    out.put(static_cast<std::uint64_t>(Net::parameter_count));
    out.put_values(std::span<const T>(parameters));
    out.put(detail::crc32(bytes));
    return bytes;
}

template <network_model Net>
void save(const Net& net, const std::filesystem::path& path) {
    detail::write_file(path, save(net), "typenet::save(" + path.string() + ")");
}

namespace detail {

template <network_model Net>
void load_native(Net& net, std::span<const std::byte> bytes, std::string context) {
    using T = typename Net::value_type;
    byte_reader in(bytes, std::move(context));

    const auto magic = in.take(native_magic.size(), "the magic number");
    if (!std::equal(magic.begin(), magic.end(), std::as_bytes(std::span(native_magic)).begin()))
        in.fail("not a typenet model: expected the magic bytes \"TYPENET\\0\" at offset 0");
    const auto version = in.get<std::uint32_t>("the format version");
    if (version != native_version)
        in.fail("unsupported format version: expected " + std::to_string(native_version) + ", found " + std::to_string(version));
    const auto scalar = in.get<std::uint32_t>("the scalar type");
    if (scalar != native_scalar_code<T>)
        in.fail("scalar type: expected " + native_scalar_name(native_scalar_code<T>) + ", found " + native_scalar_name(scalar));

    const std::string expected = shape_signature<Net>();
    const auto hash = in.get<std::uint64_t>("the signature hash");
    const auto length = in.get<std::uint32_t>("the signature length");
    if (length > native_signature_limit)
        in.fail("signature length " + std::to_string(length) + " exceeds the limit of " + std::to_string(native_signature_limit) +
                " bytes");
    const auto found_bytes = in.take(length, "the shape signature");
    const std::string found(reinterpret_cast<const char*>(found_bytes.data()), found_bytes.size());
    if (found != expected) in.fail("network shape: expected \"" + expected + "\", found \"" + found + "\"");
    if (hash != fnv1a_64(found)) in.fail("the signature hash does not match the signature (corrupted header)");

    const auto count = in.get<std::uint64_t>("the parameter count");
    if (count != Net::parameter_count)
        in.fail("parameter count: expected " + std::to_string(Net::parameter_count) + ", found " + std::to_string(count));
    const std::size_t expected_size = in.position() + Net::parameter_count * sizeof(T) + sizeof(std::uint32_t);
    if (bytes.size() != expected_size)
        in.fail(std::string(bytes.size() < expected_size ? "truncated input" : "trailing bytes after the model") + ": expected " +
                std::to_string(expected_size) + " bytes, found " + std::to_string(bytes.size()));
    const auto payload = in.take(Net::parameter_count * sizeof(T), "the parameters");
    const auto checksum = in.get<std::uint32_t>("the checksum");
    if (const auto computed = crc32(bytes.first(bytes.size() - sizeof(std::uint32_t))); checksum != computed)
        in.fail("checksum mismatch: the file says " + std::to_string(checksum) + ", its contents give " + std::to_string(computed) +
                " (the file is corrupted)");

    std::vector<T> parameters(Net::parameter_count);
    for (std::size_t i = 0; i < parameters.size(); ++i) parameters[i] = decode_little_endian<T>(payload.data() + i * sizeof(T));
    assign_parameters(net, parameters);
}

}  // namespace detail

// Replaces every parameter of net with the model in bytes, or throws io_error and leaves net unchanged.
template <network_model Net>
void load(Net& net, std::span<const std::byte> bytes) {
    detail::load_native(net, bytes, "typenet::load");
}

template <network_model Net>
void load(Net& net, const std::filesystem::path& path) {
    const std::string context = "typenet::load(" + path.string() + ")";
    detail::load_native(net, detail::read_file(path, context), context);
}

}  // namespace typenet
