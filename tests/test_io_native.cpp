// typenet's native format (io/native.hpp) and the parameter vector it stores (network.hpp).
#include <doctest/doctest.h>

#include <cstdint>
#include <cstring>
#include <vector>

#include <typenet/io.hpp>
#include <typenet/typenet.hpp>

#include "io_test_util.hpp"

using namespace typenet;
using io_test::expect_io_error;
using io_test::snapshot;

namespace {

using Net = network<input<5>, dense<7>, typenet::tanh, dense<6, glorot_uniform, uniform<-0.1, 0.1>>, relu, dense<3>>;
using DoubleNet = basic_network<double, input<5>, dense<7>, typenet::tanh, dense<6, glorot_uniform, uniform<-0.1, 0.1>>, relu, dense<3>>;
using WiderNet = network<input<5>, dense<8>, typenet::tanh, dense<6>, relu, dense<3>>;

std::span<const std::byte> view(const std::vector<std::byte>& bytes) { return bytes; }

template <class Scalar>
void put_at(std::vector<std::byte>& bytes, std::size_t offset, Scalar value) {
    std::vector<std::byte> encoded;
    detail::byte_writer(encoded).put(value);
    std::copy(encoded.begin(), encoded.end(), bytes.begin() + static_cast<std::ptrdiff_t>(offset));
}

// Offsets of the header fields (the table in io/native.hpp).
constexpr std::size_t version_offset = 8, scalar_offset = 12, hash_offset = 16, signature_length_offset = 24, signature_offset = 28;

}  // namespace

TEST_CASE("the parameter vector is PyTorch's order: each tensor row-major, layer after layer") {
    Net net;
    net.initialize(11);
    std::array<float, Net::parameter_count> values{};
    net.get_parameters(values);
    std::size_t next = 0;
    for (std::size_t o = 0; o < 7; ++o)
        for (std::size_t i = 0; i < 5; ++i) CHECK(values[next++] == net.weight<0>(o, i));
    for (std::size_t o = 0; o < 7; ++o) CHECK(values[next++] == net.bias<0>(o));
    for (std::size_t o = 0; o < 6; ++o)
        for (std::size_t i = 0; i < 7; ++i) CHECK(values[next++] == net.weight<2>(o, i));
    for (std::size_t o = 0; o < 6; ++o) CHECK(values[next++] == net.bias<2>(o));
    for (std::size_t o = 0; o < 3; ++o)
        for (std::size_t i = 0; i < 6; ++i) CHECK(values[next++] == net.weight<4>(o, i));
    for (std::size_t o = 0; o < 3; ++o) CHECK(values[next++] == net.bias<4>(o));
    CHECK(next == Net::parameter_count);

    Net copy;  // seed 0: different values
    REQUIRE(!(copy == net));
    copy.set_parameters(values);
    CHECK(copy == net);  // padding included: set_parameters leaves it zero
    CHECK(Net(std::span<const float, Net::parameter_count>(values)) == net);
}

TEST_CASE("save and load round trip: memory and file, float and double") {
    Net trained;
    trained.initialize(3);
    const auto bytes = save(trained);
    Net loaded;
    load(loaded, view(bytes));
    CHECK(loaded == trained);
    CHECK(save(loaded) == bytes);

    DoubleNet trained64;
    trained64.initialize(5);
    DoubleNet loaded64;
    load(loaded64, view(save(trained64)));
    CHECK(loaded64 == trained64);

    io_test::temporary_directory directory("native");
    save(trained64, directory.path / "model.typenet");
    DoubleNet from_file;
    load(from_file, directory.path / "model.typenet");
    CHECK(from_file == trained64);
    CHECK_FALSE(std::filesystem::exists(directory.path / "model.typenet.partial"));
}

TEST_CASE("the header records the scalar type and the shape signature") {
    const auto bytes = save(Net{});
    const std::string signature(reinterpret_cast<const char*>(bytes.data()) + signature_offset,
                                detail::decode_little_endian<std::uint32_t>(bytes.data() + signature_length_offset));
    CHECK(signature ==
          "float32 | input 5 | 0 dense 5->7 weight[7, 5] bias[7] | 1 tanh 7 | 2 dense 7->6 weight[6, 7] bias[6] | 3 relu 6 | "
          "4 dense 6->3 weight[3, 6] bias[3]");
    CHECK(detail::decode_little_endian<std::uint64_t>(bytes.data() + hash_offset) == detail::fnv1a_64(signature));
    CHECK(bytes.size() == signature_offset + signature.size() + 8 + Net::parameter_count * 4 + 4);
}

TEST_CASE("a bad file throws io_error saying what was expected and found, and the network is unchanged") {
    Net source;
    source.initialize(1);
    const auto good = save(source);
    Net net;
    net.initialize(2);
    const auto before = snapshot(net);
    const auto load_bytes = [&](const std::vector<std::byte>& bytes) { return [&net, &bytes] { load(net, view(bytes)); }; };

    SUBCASE("empty input") { expect_io_error(load_bytes({}), {"truncated input", "the magic number needs 8 bytes", "found 0"}); }
    SUBCASE("wrong magic") {
        auto bytes = good;
        bytes[0] = std::byte{'X'};
        expect_io_error(load_bytes(bytes), {"not a typenet model", "TYPENET"});
    }
    SUBCASE("a safetensors file is not a typenet model") { expect_io_error(load_bytes(save_safetensors(source)), {"not a typenet model"}); }
    SUBCASE("wrong version") {
        auto bytes = good;
        put_at<std::uint32_t>(bytes, version_offset, 2);
        expect_io_error(load_bytes(bytes), {"unsupported format version: expected 1, found 2"});
    }
    SUBCASE("wrong scalar type") {
        expect_io_error(load_bytes(save(DoubleNet{})), {"scalar type: expected float32 (1), found float64 (2)"});
    }
    SUBCASE("unknown scalar code") {
        auto bytes = good;
        put_at<std::uint32_t>(bytes, scalar_offset, 9);
        expect_io_error(load_bytes(bytes), {"expected float32 (1), found unknown code 9"});
    }
    SUBCASE("wrong shape") {
        expect_io_error(load_bytes(save(WiderNet{})),
                        {"network shape: expected", "0 dense 5->7 weight[7, 5]", "found", "0 dense 5->8 weight[8, 5]"});
    }
    SUBCASE("oversized signature length") {
        auto bytes = good;
        put_at<std::uint32_t>(bytes, signature_length_offset, 0xFFFFFFFFu);
        expect_io_error(load_bytes(bytes), {"signature length 4294967295 exceeds the limit"});
    }
    SUBCASE("oversized parameter count") {
        auto bytes = good;
        const std::size_t count_offset =
            signature_offset + detail::decode_little_endian<std::uint32_t>(good.data() + signature_length_offset);
        put_at<std::uint64_t>(bytes, count_offset, std::uint64_t{1} << 60);
        expect_io_error(load_bytes(bytes),
                        {"parameter count: expected " + std::to_string(Net::parameter_count), "found 1152921504606846976"});
    }
    SUBCASE("trailing garbage") {
        auto bytes = good;
        bytes.push_back(std::byte{0});
        expect_io_error(load_bytes(bytes), {"trailing bytes after the model: expected " + std::to_string(good.size()) + " bytes, found " +
                                            std::to_string(good.size() + 1)});
    }
    SUBCASE("a corrupted parameter") {
        auto bytes = good;
        bytes[good.size() - 10] ^= std::byte{0x10};
        expect_io_error(load_bytes(bytes), {"checksum mismatch", "corrupted"});
    }
    SUBCASE("a corrupted signature hash") {
        auto bytes = good;
        bytes[hash_offset] ^= std::byte{1};
        expect_io_error(load_bytes(bytes), {"signature hash does not match"});
    }
    SUBCASE("every truncation") {
        for (std::size_t length = 0; length < good.size(); ++length) {
            const std::vector<std::byte> bytes(good.begin(), good.begin() + static_cast<std::ptrdiff_t>(length));
            CHECK_THROWS_AS(load(net, view(bytes)), io_error);
        }
    }
    SUBCASE("every single-bit flip") {
        for (std::size_t position = 0; position < good.size(); ++position)
            for (unsigned bit = 0; bit < 8; ++bit) {
                auto bytes = good;
                bytes[position] ^= std::byte{static_cast<unsigned char>(1u << bit)};
                CHECK_THROWS_AS(load(net, view(bytes)), io_error);
            }
    }
    SUBCASE("a file that does not exist") {
        expect_io_error([&] { load(net, std::filesystem::path("/nonexistent/model.typenet")); },
                        {"typenet::load(/nonexistent/model.typenet)", "cannot open", "No such file"});
    }
    CHECK(snapshot(net) == before);
}

TEST_CASE("a failed save leaves no file behind and says why") {
    expect_io_error([] { save(Net{}, std::filesystem::path("/nonexistent/dir/model.typenet")); }, {"typenet::save", "cannot open"});
}
