// safetensors (io/safetensors.hpp): validation as the reference implementation does it, the state_dict of a
// network in and out, strict name matching and the name-mapping options.
#include <doctest/doctest.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include <typenet/io.hpp>
#include <typenet/typenet.hpp>

#include "io_test_util.hpp"

using namespace typenet;
using io_test::expect_io_error;
using io_test::snapshot;

namespace {

using Net = network<input<3>, dense<4>, relu, dense<2>>;

// A file from a header text and raw data, with the header length field as given (default: correct).
std::vector<std::byte> file_of(const std::string& header, std::size_t data_bytes, std::uint64_t header_length = ~std::uint64_t{0}) {
    std::vector<std::byte> bytes;
    detail::byte_writer out(bytes);
    out.put(header_length == ~std::uint64_t{0} ? static_cast<std::uint64_t>(header.size()) : header_length);
    out.put_text(header);
    bytes.resize(bytes.size() + data_bytes, std::byte{0});
    return bytes;
}

std::string read_error(const std::vector<std::byte>& bytes) {
    return expect_io_error([&] { (void)read_safetensors(bytes); }, {"safetensors"});
}

void expect_read_error(const std::vector<std::byte>& bytes, std::string_view fragment) {
    const std::string message = read_error(bytes);
    CHECK_MESSAGE(message.find(fragment) != std::string::npos, message);
}

}  // namespace

TEST_CASE("read_safetensors accepts a valid file in any key order and reads tensors by copying") {
    // Data deliberately not aligned for its dtype: F64 at offset 2.
    const std::string header =
        R"({"b":{"dtype":"F64","shape":[1],"data_offsets":[2,10]},"a":{"dtype":"F16","shape":[1],"data_offsets":[0,2]},)"
        R"("__metadata__":{"format":"pt"}})";
    auto bytes = file_of(header, 10);
    const std::size_t data = 8 + header.size();
    bytes[data + 0] = std::byte{0x00};  // F16 1.0 = 0x3C00
    bytes[data + 1] = std::byte{0x3C};
    std::vector<std::byte> encoded;
    detail::byte_writer(encoded).put(-2.5);
    std::copy(encoded.begin(), encoded.end(), bytes.begin() + static_cast<std::ptrdiff_t>(data + 2));

    const auto contents = read_safetensors(bytes);
    REQUIRE(contents.tensors.size() == 2);
    CHECK(contents.tensors[0].name == "a");  // data order
    CHECK(contents.metadata.at("format") == "pt");
    CHECK(contents.find("a")->values<double>() == std::vector<double>{1.0});
    CHECK(contents.find("b")->values<float>() == std::vector<float>{-2.5f});
    CHECK(contents.find("missing") == nullptr);
}

TEST_CASE("read_safetensors rejects what the reference implementation rejects") {
    const std::string tensor = R"({"t":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}})";
    const auto valid = file_of(tensor, 8);
    CHECK_NOTHROW((void)read_safetensors(valid));
    // Headers the reference implementation rejects, each with the data length given and the message expected.
    struct malformed {
        const char* what;
        std::string header;
        std::size_t data_bytes;
        const char* message;
    };
    const malformed cases[] = {
        {"not JSON", R"({"t":)", 0, "not valid JSON"},
        {"duplicate tensor names",
         R"({"t":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"t":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}})", 8,
         "duplicate name \"t\""},
        {"duplicate keys inside a tensor", R"({"t":{"dtype":"F32","dtype":"F64","shape":[1],"data_offsets":[0,4]}})", 4,
         "duplicate name \"dtype\""},
        {"nested deeper than the format", R"({"t":{"dtype":"F32","shape":[[1]],"data_offsets":[0,4]}})", 4, "nests deeper"},
        {"a tensor without data_offsets", R"({"t":{"dtype":"F32","shape":[1]}})", 4,
         "must be an object with dtype, shape and data_offsets"},
        {"unknown dtype", R"({"t":{"dtype":"F31","shape":[1],"data_offsets":[0,4]}})", 4, "unknown dtype \"F31\""},
        {"negative extent", R"({"t":{"dtype":"F32","shape":[-1],"data_offsets":[0,4]}})", 4,
         "a shape entry must be a non-negative integer, found -1"},
        {"fractional extent", R"({"t":{"dtype":"F32","shape":[1.5],"data_offsets":[0,4]}})", 4, "found 1.5"},
        {"three offsets", R"({"t":{"dtype":"F32","shape":[1],"data_offsets":[0,4,8]}})", 8, "data_offsets must be [begin, end]"},
        {"data not starting at 0", R"({"t":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}})", 8, "do not continue the data at offset 0"},
        {"a gap between tensors",
         R"({"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"b":{"dtype":"F32","shape":[1],"data_offsets":[8,12]}})", 12,
         "tensor 'b': data_offsets [8, 12] do not continue the data at offset 4"},
        {"overlapping tensors",
         R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}})", 8,
         "do not continue the data at offset"},
        {"end before begin",
         R"({"a":{"dtype":"F32","shape":[0],"data_offsets":[0,0]},"b":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},)"
         R"("c":{"dtype":"F32","shape":[1],"data_offsets":[4,0]}})",
         4, "do not continue"},
        {"byte count differs from shape x dtype size", R"({"t":{"dtype":"F64","shape":[2],"data_offsets":[0,8]}})", 8,
         "F64 [2] needs 16 bytes, data_offsets give 8"},
        {"element count overflows", R"({"t":{"dtype":"F32","shape":[4294967296,4294967296],"data_offsets":[0,4]}})", 4,
         "overflows 64 bits"},
        {"byte count overflows", R"({"t":{"dtype":"F64","shape":[2305843009213693952,4],"data_offsets":[0,4]}})", 4, "overflows 64 bits"},
        {"metadata that is not a string", R"({"__metadata__":{"a":1}})", 0, "__metadata__[\"a\"] must be a string"},
    };
    for (const auto& bad : cases) {
        CAPTURE(bad.what);
        expect_read_error(file_of(bad.header, bad.data_bytes), bad.message);
    }

    SUBCASE("shorter than the length field") { expect_read_error(std::vector<std::byte>(5), "the header length needs 8 bytes"); }
    SUBCASE("header length above 100 MB") { expect_read_error(file_of(tensor, 8, 100'000'001), "exceeds the limit of 100000000"); }
    SUBCASE("header length past the end") { expect_read_error(file_of(tensor, 8, 1000), "runs past the end of the file"); }
    SUBCASE("header length at 2^64 - 2") { expect_read_error(file_of(tensor, 8, ~std::uint64_t{0} - 1), "exceeds the limit"); }
    SUBCASE("invalid UTF-8") { expect_read_error(file_of("{\"\xff\":1}", 0), "not valid JSON"); }
    SUBCASE("not an object") { expect_read_error(file_of("[1, 2]", 0), "must be a JSON object, found array"); }
    SUBCASE("data shorter than the offsets say") { expect_read_error(file_of(tensor, 4), "past the 4 bytes of data"); }
    SUBCASE("trailing bytes after the last tensor") {
        expect_read_error(file_of(tensor, 9), "the tensors cover 8 bytes of data, the file has 9");
    }
    SUBCASE("every truncation of a valid file") {
        const auto good = save_safetensors(Net{});
        for (std::size_t length = 0; length < good.size(); ++length)
            CHECK_THROWS_AS((void)read_safetensors(std::span<const std::byte>(good.data(), length)), io_error);
    }
}

TEST_CASE("an empty file of tensors and whitespace padding are valid") {
    const auto empty = file_of("{}", 0);
    CHECK(read_safetensors(empty).tensors.empty());
    const auto padded = file_of(R"({"t":{"dtype":"F32","shape":[],"data_offsets":[0,4]}}   )", 4);
    CHECK(read_safetensors(padded).tensors.at(0).element_count() == 1);
}

TEST_CASE("binary16 and bfloat16 convert exactly") {
    CHECK(detail::half_to_float(0x3C00) == 1.0f);
    CHECK(detail::half_to_float(0xC000) == -2.0f);
    CHECK(detail::half_to_float(0x7BFF) == 65504.0f);                  // largest finite
    CHECK(detail::half_to_float(0x0001) == std::ldexp(1.0f, -24));     // smallest subnormal
    CHECK(detail::half_to_float(0x03FF) == std::ldexp(1023.0f, -24));  // largest subnormal
    CHECK(detail::half_to_float(0x0400) == std::ldexp(1.0f, -14));     // smallest normal
    CHECK(detail::half_to_float(0x3555) == 0x1.554p-2f);
    CHECK(std::signbit(detail::half_to_float(0x8000)));
    CHECK(detail::half_to_float(0x7C00) == std::numeric_limits<float>::infinity());
    CHECK(detail::half_to_float(0xFC00) == -std::numeric_limits<float>::infinity());
    CHECK(std::isnan(detail::half_to_float(0x7E00)));
    CHECK(detail::bfloat16_to_float(0x3F80) == 1.0f);
    CHECK(detail::bfloat16_to_float(0xC0A0) == -5.0f);
    CHECK(std::isnan(detail::bfloat16_to_float(0x7FC0)));
    // Every finite binary16 value round-trips through float to the same bits (float -> half by the
    // compiler's own conversion where available is not portable; check monotonicity and spacing instead).
    float previous = -std::numeric_limits<float>::infinity();
    for (std::uint32_t bits = 0xFBFF; bits >= 0x8001; --bits) {  // negative finite, ascending
        const float value = detail::half_to_float(static_cast<std::uint16_t>(bits));
        CHECK(value > previous);
        previous = value;
    }
}

TEST_CASE("a non-floating dtype cannot be read as values") {
    const auto file = file_of(R"({"t":{"dtype":"I32","shape":[1],"data_offsets":[0,4]}})", 4);
    const auto contents = read_safetensors(file);
    expect_io_error([&] { (void)contents.tensors[0].values<float>(); }, {"dtype I32 cannot be read as floating point"});
}

TEST_CASE("save_safetensors writes nn.Sequential's state_dict: names, [out, in] shapes, dtype, contiguous data") {
    Net net;
    net.initialize(4);
    const auto bytes = save_safetensors(net);
    CHECK(detail::decode_little_endian<std::uint64_t>(bytes.data()) % 8 == 0);  // data aligned to 8
    const auto contents = read_safetensors(bytes);
    REQUIRE(contents.tensors.size() == 4);
    CHECK(contents.tensors[0].name == "0.weight");
    CHECK(contents.tensors[0].shape == std::vector<std::uint64_t>{4, 3});
    CHECK(contents.tensors[0].dtype == "F32");
    CHECK(contents.tensors[1].name == "0.bias");
    CHECK(contents.tensors[2].name == "2.weight");
    CHECK(contents.tensors[2].shape == std::vector<std::uint64_t>{2, 4});
    CHECK(contents.tensors[3].shape == std::vector<std::uint64_t>{2});
    const auto weights = contents.tensors[2].values<float>();
    for (std::size_t o = 0; o < 2; ++o)
        for (std::size_t i = 0; i < 4; ++i) CHECK(weights[o * 4 + i] == net.weight<2>(o, i));
    CHECK(contents.metadata.at("typenet.signature") == detail::shape_signature<Net>());

    using DoubleNet = basic_network<double, input<3>, dense<4>, relu, dense<2>>;
    const auto double_file = save_safetensors(DoubleNet{});
    CHECK(read_safetensors(double_file).tensors[0].dtype == "F64");
}

TEST_CASE("load_safetensors round trip, from memory and from a file; float file into a double network") {
    Net net;
    net.initialize(8);
    Net loaded;
    load_safetensors(loaded, save_safetensors(net));
    CHECK(loaded == net);

    io_test::temporary_directory directory("safetensors");
    save_safetensors(net, directory.path / "model.safetensors");
    Net from_file;
    load_safetensors(from_file, directory.path / "model.safetensors");
    CHECK(from_file == net);

    basic_network<double, input<3>, dense<4>, relu, dense<2>> wide;
    load_safetensors(wide, save_safetensors(net));
    CHECK(wide.weight<2>(1, 3) == static_cast<double>(net.weight<2>(1, 3)));
}

TEST_CASE("load_safetensors is strict: missing, unexpected and mis-shaped tensors are named with both shapes; nothing changes") {
    Net source;
    source.initialize(1);
    Net net;
    net.initialize(2);
    const auto before = snapshot(net);
    auto entries_of = [](const Net& model) {
        std::vector<safetensors_entry> entries;
        const auto file = save_safetensors(model);
        for (const auto& tensor : read_safetensors(file).tensors)
            entries.push_back({tensor.name, tensor.dtype, tensor.shape, {tensor.data.begin(), tensor.data.end()}});
        return entries;
    };
    auto entries = entries_of(source);

    SUBCASE("missing") {
        entries.erase(entries.begin() + 1);
        expect_io_error([&] { load_safetensors(net, write_safetensors(entries)); }, {"missing tensor '0.bias' (expected shape [4])"});
    }
    SUBCASE("unexpected") {
        entries.push_back({"4.weight", "F32", {1}, std::vector<std::byte>(4)});
        expect_io_error([&] { load_safetensors(net, write_safetensors(entries)); }, {"unexpected tensor '4.weight' [1]", "allow_unused"});
    }
    SUBCASE("mis-shaped: a transposed weight") {
        entries[2].shape = {4, 2};
        expect_io_error([&] { load_safetensors(net, write_safetensors(entries)); },
                        {"tensor '2.weight': expected shape [2, 4], found [4, 2]", "does not match the network \"float32 | input 3"});
    }
    SUBCASE("every problem at once") {
        entries[0].name = "0.weights";
        entries[3].shape = {1, 2};
        const auto message = expect_io_error(
            [&] { load_safetensors(net, write_safetensors(entries)); },
            {"missing tensor '0.weight'", "tensor '2.bias': expected shape [2], found [1, 2]", "unexpected tensor '0.weights' [4, 3]"});
    }
    SUBCASE("an integer tensor") {
        entries[1] = {"0.bias", "I32", {4}, std::vector<std::byte>(16)};
        expect_io_error([&] { load_safetensors(net, write_safetensors(entries)); },
                        {"tensor '0.bias': expected dtype F32, F64, F16 or BF16, found I32"});
    }
    SUBCASE("a malformed file names the function") {
        expect_io_error([&] { load_safetensors(net, std::vector<std::byte>(3)); },
                        {"typenet::load_safetensors: safetensors: truncated input"});
    }
    SUBCASE("a file that does not exist") {
        expect_io_error([&] { load_safetensors(net, std::filesystem::path("/nonexistent.safetensors")); },
                        {"cannot open /nonexistent.safetensors"});
    }
    CHECK(snapshot(net) == before);
}

TEST_CASE("safetensors_options map other names: a prefix, a layer table, a tensor table, unused tensors") {
    Net source;
    source.initialize(6);
    std::vector<safetensors_entry> entries;
    const auto source_file = save_safetensors(source);
    for (const auto& tensor : read_safetensors(source_file).tensors) {
        std::string name = tensor.name;
        name = "model." + std::string(name[0] == '0' ? "hidden" : "head") + name.substr(1);
        if (name == "model.head.bias") name = "model.output_bias";
        entries.push_back({name, tensor.dtype, tensor.shape, {tensor.data.begin(), tensor.data.end()}});
    }
    entries.push_back({"model.step_count", "I64", {}, std::vector<std::byte>(8)});
    const auto file = write_safetensors(entries);

    safetensors_options options{
        .prefix = "model.", .names = {{"0", "hidden"}, {"2", "head"}, {"2.bias", "output_bias"}}, .allow_unused = true};
    Net net;
    load_safetensors(net, file, options);
    CHECK(net == source);

    options.allow_unused = false;
    expect_io_error([&] { load_safetensors(net, file, options); }, {"unexpected tensor 'model.step_count'"});
}
