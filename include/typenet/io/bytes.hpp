// Little-endian byte encoding with bounds checks, and whole-file reads and writes, for the file formats.
//
// Documentation: docs/deploying.md
// Distributed under the Boost Software License, Version 1.0 (see LICENSE or https://www.boost.org/LICENSE_1_0.txt).
#pragma once

#include <array>
#include <bit>
#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <span>
#include <string>
#include <string_view>
#include <system_error>
#include <type_traits>
#include <vector>

#include "error.hpp"

namespace typenet::detail {

template <class Scalar>
using same_size_unsigned =
    std::conditional_t<sizeof(Scalar) == 2, std::uint16_t, std::conditional_t<sizeof(Scalar) == 4, std::uint32_t, std::uint64_t>>;

// Appends values in little-endian order, whatever the host's byte order.
class byte_writer {
public:
    explicit byte_writer(std::vector<std::byte>& out) noexcept : out_(out) {}

    template <class Scalar>
    void put(Scalar value) {
        static_assert(std::is_arithmetic_v<Scalar>);
        auto bits = std::bit_cast<same_size_unsigned<Scalar>>(value);
        for (std::size_t i = 0; i < sizeof(Scalar); ++i) {
            out_.push_back(static_cast<std::byte>(bits & 0xFFu));
            bits = static_cast<decltype(bits)>(bits >> 8);
        }
    }
    // resize + memcpy rather than insert: g++ 12 at -O3 warns wrongly (-Wstringop-overflow) about the latter.
    void put_bytes(std::span<const std::byte> bytes) {
        if (bytes.empty()) return;
        const std::size_t end = out_.size();
        out_.resize(end + bytes.size());
        std::memcpy(out_.data() + end, bytes.data(), bytes.size());
    }
    template <class Scalar>
    void put_values(std::span<const Scalar> values) {
        for (Scalar value : values) put(value);
    }
    void put_text(std::string_view text) { put_bytes(std::as_bytes(std::span<const char>(text.data(), text.size()))); }

private:
    std::vector<std::byte>& out_;
};

template <class Scalar>
Scalar decode_little_endian(const std::byte* bytes) noexcept {
    same_size_unsigned<Scalar> bits = 0;
    for (std::size_t i = sizeof(Scalar); i-- > 0;)
        bits = static_cast<same_size_unsigned<Scalar>>((bits << 8) | std::to_integer<unsigned>(bytes[i]));
    return std::bit_cast<Scalar>(bits);
}

// Reads values in order; running past the end throws io_error naming the field and both sizes.
class byte_reader {
public:
    byte_reader(std::span<const std::byte> bytes, std::string context) : bytes_(bytes), context_(std::move(context)) {}

    std::span<const std::byte> take(std::size_t count, std::string_view field) {
        if (count > bytes_.size() - position_)
            fail("truncated input: " + std::string(field) + " needs " + std::to_string(count) + " bytes at offset " +
                 std::to_string(position_) + ", found " + std::to_string(bytes_.size() - position_) + " (input is " +
                 std::to_string(bytes_.size()) + " bytes)");
        const auto part = bytes_.subspan(position_, count);
        position_ += count;
        return part;
    }
    template <class Scalar>
    Scalar get(std::string_view field) {
        return decode_little_endian<Scalar>(take(sizeof(Scalar), field).data());
    }
    std::size_t position() const noexcept { return position_; }
    std::size_t remaining() const noexcept { return bytes_.size() - position_; }
    [[noreturn]] void fail(const std::string& message) const { throw io_error(context_ + ": " + message); }

private:
    std::span<const std::byte> bytes_;
    std::string context_;
    std::size_t position_ = 0;
};

inline std::vector<std::byte> read_file(const std::filesystem::path& path, const std::string& context) {
    std::FILE* file = std::fopen(path.c_str(), "rb");
    if (!file) throw io_error(context + ": cannot open " + path.string() + " for reading: " + std::strerror(errno));
    std::vector<std::byte> bytes;
    std::array<std::byte, 1 << 16> chunk;
    std::size_t count;
    while ((count = std::fread(chunk.data(), 1, chunk.size(), file)) > 0) byte_writer(bytes).put_bytes(std::span(chunk).first(count));
    const bool failed = std::ferror(file) != 0;
    std::fclose(file);
    if (failed) throw io_error(context + ": error while reading " + path.string());
    return bytes;
}

// Writes next to the destination and renames, so that a failed write never leaves a half-written file
// where a good one was.
inline void write_file(const std::filesystem::path& path, std::span<const std::byte> bytes, const std::string& context) {
    std::filesystem::path temporary = path;
    temporary += ".partial";
    std::FILE* file = std::fopen(temporary.c_str(), "wb");
    if (!file) throw io_error(context + ": cannot open " + temporary.string() + " for writing: " + std::strerror(errno));
    const bool written = std::fwrite(bytes.data(), 1, bytes.size(), file) == bytes.size();
    const bool closed = std::fclose(file) == 0;
    std::error_code error;
    if (!written || !closed) {
        std::filesystem::remove(temporary, error);
        throw io_error(context + ": error while writing " + temporary.string());
    }
    std::filesystem::rename(temporary, path, error);
    if (error) {
        std::filesystem::remove(temporary, error);
        throw io_error(context + ": cannot rename " + temporary.string() + " to " + path.string() + ": " + error.message());
    }
}

}  // namespace typenet::detail

namespace typenet {

// A whole file's bytes, for read_safetensors and load(net, bytes); io_error if it cannot be read.
inline std::vector<std::byte> read_file(const std::filesystem::path& path) { return detail::read_file(path, "typenet::read_file"); }

}  // namespace typenet
