// safetensors (Hugging Face's format, what PyTorch users save weights in): a reader that validates as the
// reference implementation does, a writer, and a network's state_dict in and out.
//
// Documentation: docs/deploying.md
// Distributed under the Boost Software License, Version 1.0 (see LICENSE or https://www.boost.org/LICENSE_1_0.txt).
//
//   8 bytes   N, little-endian u64: the length of the JSON header (at most 100,000,000)
//   N bytes   JSON: {"name": {"dtype": "F32", "shape": [8, 4], "data_offsets": [begin, end]}, ...,
//                    "__metadata__": {"key": "value", ...}}   (offsets relative to the data part)
//   the rest  the tensors' bytes, little-endian, row-major, contiguous from offset 0 to the end of the file
//
// Only this header needs a JSON library (nlohmann-json, Debian's nlohmann-json3-dev); the inference headers
// do not include it.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <limits>
#include <map>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include <nlohmann/json.hpp>

#include "bytes.hpp"
#include "error.hpp"
#include "half.hpp"
#include "tensor_table.hpp"

namespace typenet {

// One tensor of a safetensors file. data points into the buffer given to read_safetensors.
struct safetensors_tensor {
    std::string name;
    std::string dtype;  // as in the file: "F32", "F64", "F16", "BF16", "I64", ...
    std::vector<std::uint64_t> shape;
    std::span<const std::byte> data;

    std::uint64_t element_count() const noexcept {
        std::uint64_t count = 1;
        for (auto extent : shape) count *= extent;  // validated against overflow when read
        return count;
    }

    // The elements converted to T (F64, F32, F16 and BF16; F16 and BF16 exactly, F64 to float rounded to
    // nearest). Other dtypes throw io_error.
    template <class T>
    std::vector<T> values() const {
        std::vector<T> result(element_count());
        convert_to(std::span<T>(result));
        return result;
    }
    template <class T>
    void convert_to(std::span<T> out) const {
        static_assert(std::is_floating_point_v<T>);
        const auto convert = [&]<class Stored>(auto decode) {
            for (std::size_t i = 0; i < out.size(); ++i)
                out[i] = static_cast<T>(decode(detail::decode_little_endian<Stored>(data.data() + sizeof(Stored) * i)));
        };
        const auto same = [](auto value) { return value; };
        if (out.size() != element_count())
            throw io_error("safetensors tensor '" + name + "': " + std::to_string(element_count()) + " elements, asked for " +
                           std::to_string(out.size()));
        if (dtype == "F32")
            convert.template operator()<float>(same);
        else if (dtype == "F64")
            convert.template operator()<double>(same);
        else if (dtype == "F16")
            convert.template operator()<std::uint16_t>(detail::half_to_float);
        else if (dtype == "BF16")
            convert.template operator()<std::uint16_t>(detail::bfloat16_to_float);
        else
            throw io_error("safetensors tensor '" + name + "': dtype " + dtype +
                           " cannot be read as floating point (F64, F32, F16, BF16 can)");
    }
};

struct safetensors_contents {
    std::vector<safetensors_tensor> tensors;  // in the order of their data
    std::map<std::string, std::string> metadata;

    const safetensors_tensor* find(std::string_view name) const noexcept {
        for (const auto& tensor : tensors)
            if (tensor.name == name) return &tensor;
        return nullptr;
    }
};

// How load_safetensors finds a tensor of the network in the file. typenet's name for tensor J of layer I
// is "I.<tensor name>" ("0.weight", "2.bias", as nn.Sequential's state_dict); its name in the file is
//   prefix + names["0.weight"]            if the table names the tensor,
//   prefix + names["0"] + ".weight"       else if the table names the layer ({"0", "fc1"}, {"2", "fc2"}),
//   prefix + "0.weight"                   otherwise.
struct safetensors_options {
    std::string prefix;                        // "model." for an nn.Sequential held as self.model
    std::map<std::string, std::string> names;  // typenet name (tensor or layer index) -> name in the file
    bool allow_unused = false;                 // tensors in the file that the network does not use are an error unless set
};

namespace detail {

inline constexpr std::uint64_t safetensors_header_limit = 100'000'000;  // as the reference implementation

inline std::size_t safetensors_dtype_size(std::string_view dtype) noexcept {
    if (dtype == "F64" || dtype == "I64" || dtype == "U64") return 8;
    if (dtype == "F32" || dtype == "I32" || dtype == "U32") return 4;
    if (dtype == "F16" || dtype == "BF16" || dtype == "I16" || dtype == "U16") return 2;
    if (dtype == "BOOL" || dtype == "U8" || dtype == "I8" || dtype == "F8_E5M2" || dtype == "F8_E4M3") return 1;
    return 0;
}

// Rejects duplicate keys in any object (nlohmann keeps the last one silently) and nesting deeper than the
// format has (object > tensor object > shape array), before the parser builds anything from it.
class safetensors_json_guard {
public:
    bool operator()(int, nlohmann::json::parse_event_t event, nlohmann::json& parsed) {
        using event_t = nlohmann::json::parse_event_t;
        switch (event) {
            case event_t::object_start:
            case event_t::array_start:
                if (scopes_.size() == 3) throw io_error("safetensors: the JSON header nests deeper than the format allows");
                scopes_.emplace_back(event == event_t::object_start, std::set<std::string>{});
                break;
            case event_t::object_end:
            case event_t::array_end:
                scopes_.pop_back();
                break;
            case event_t::key:
                if (!scopes_.back().second.insert(parsed.get<std::string>()).second)
                    throw io_error("safetensors: duplicate name \"" + parsed.get<std::string>() + "\" in the JSON header");
                break;
            case event_t::value:
                break;
        }
        return true;
    }

private:
    std::vector<std::pair<bool, std::set<std::string>>> scopes_;
};

inline std::uint64_t json_unsigned(const nlohmann::json& value, const std::string& what) {
    if (!value.is_number_unsigned() && !(value.is_number_integer() && value.get<std::int64_t>() >= 0))
        throw io_error("safetensors: " + what + " must be a non-negative integer, found " + value.dump());
    return value.get<std::uint64_t>();
}

}  // namespace detail

// Parses and validates a whole safetensors file: header length within the file and the 100 MB bound, a JSON
// object with no duplicate names, every tensor with a known dtype, a shape and two data offsets, offsets
// contiguous from 0 (in offset order), byte counts equal to elements x dtype size (overflow checked), and
// the data ending exactly at the end of the file. Throws io_error saying what is wrong.
inline safetensors_contents read_safetensors(std::span<const std::byte> file) {
    detail::byte_reader in(file, "safetensors");
    const auto header_length = in.get<std::uint64_t>("the header length");
    if (header_length > detail::safetensors_header_limit)
        in.fail("header length " + std::to_string(header_length) + " exceeds the limit of " +
                std::to_string(detail::safetensors_header_limit) + " bytes");
    if (header_length > in.remaining())
        in.fail("header length " + std::to_string(header_length) + " runs past the end of the file (" + std::to_string(in.remaining()) +
                " bytes follow)");
    const auto header_bytes = in.take(header_length, "the header");
    const char* header_text = reinterpret_cast<const char*>(header_bytes.data());

    nlohmann::json header =
        nlohmann::json::parse(header_text, header_text + header_bytes.size(), detail::safetensors_json_guard{}, /*allow_exceptions=*/false);
    if (header.is_discarded()) in.fail("the header is not valid JSON (UTF-8)");
    if (!header.is_object()) in.fail("the header must be a JSON object, found " + std::string(header.type_name()));

    safetensors_contents contents;
    struct placed {
        safetensors_tensor tensor;
        std::uint64_t begin, end;
    };
    std::vector<placed> tensors;
    for (const auto& [name, info] : header.items()) {
        if (name == "__metadata__") {
            if (!info.is_object()) in.fail("__metadata__ must be an object of strings");
            for (const auto& [key, value] : info.items()) {
                if (!value.is_string()) in.fail("__metadata__[\"" + key + "\"] must be a string, found " + value.dump());
                contents.metadata[key] = value.get<std::string>();
            }
            continue;
        }
        if (!info.is_object() || !info.contains("dtype") || !info.contains("shape") || !info.contains("data_offsets"))
            in.fail("tensor '" + name + "' must be an object with dtype, shape and data_offsets");
        const auto& dtype = info["dtype"];
        const auto& shape = info["shape"];
        const auto& offsets = info["data_offsets"];
        if (!dtype.is_string() || detail::safetensors_dtype_size(dtype.get<std::string>()) == 0)
            in.fail("tensor '" + name + "': unknown dtype " + dtype.dump());
        if (!shape.is_array()) in.fail("tensor '" + name + "': shape must be an array, found " + shape.dump());
        if (!offsets.is_array() || offsets.size() != 2)
            in.fail("tensor '" + name + "': data_offsets must be [begin, end], found " + offsets.dump());
        placed entry{{name, dtype.get<std::string>(), {}, {}}, 0, 0};
        for (const auto& extent : shape)
            entry.tensor.shape.push_back(detail::json_unsigned(extent, "tensor '" + name + "': a shape entry"));
        entry.begin = detail::json_unsigned(offsets[0], "tensor '" + name + "': data_offsets[0]");
        entry.end = detail::json_unsigned(offsets[1], "tensor '" + name + "': data_offsets[1]");
        tensors.push_back(std::move(entry));
    }

    std::sort(tensors.begin(), tensors.end(),
              [](const placed& a, const placed& b) { return std::pair(a.begin, a.end) < std::pair(b.begin, b.end); });
    const std::span<const std::byte> data = file.subspan(in.position());
    std::uint64_t next = 0;
    for (auto& entry : tensors) {
        const std::string& name = entry.tensor.name;
        if (entry.begin != next || entry.end < entry.begin)
            in.fail("tensor '" + name + "': data_offsets [" + std::to_string(entry.begin) + ", " + std::to_string(entry.end) +
                    "] do not continue the data at offset " + std::to_string(next) + " (tensors must be contiguous from 0)");
        std::uint64_t bytes = detail::safetensors_dtype_size(entry.tensor.dtype);
        for (auto extent : entry.tensor.shape) {
            if (extent != 0 && bytes > std::numeric_limits<std::uint64_t>::max() / extent)
                in.fail("tensor '" + name + "': shape " + detail::describe_shape(entry.tensor.shape) + " overflows 64 bits");
            bytes *= extent;
        }
        if (entry.end - entry.begin != bytes)
            in.fail("tensor '" + name + "': " + entry.tensor.dtype + " " + detail::describe_shape(entry.tensor.shape) + " needs " +
                    std::to_string(bytes) + " bytes, data_offsets give " + std::to_string(entry.end - entry.begin));
        if (entry.end > data.size())
            in.fail("tensor '" + name + "': data_offsets end at " + std::to_string(entry.end) + ", past the " +
                    std::to_string(data.size()) + " bytes of data");
        entry.tensor.data = data.subspan(entry.begin, bytes);
        next = entry.end;
        contents.tensors.push_back(std::move(entry.tensor));
    }
    if (next != data.size())
        in.fail("the tensors cover " + std::to_string(next) + " bytes of data, the file has " + std::to_string(data.size()) +
                " (the last data offset must be the end of the file)");
    return contents;
}

// The tensors' data points into the buffer read: a temporary buffer would leave every span dangling.
safetensors_contents read_safetensors(std::vector<std::byte>&& file) = delete;

// A tensor to write: its bytes are little-endian elements of the dtype, row-major.
struct safetensors_entry {
    std::string name;
    std::string dtype;
    std::vector<std::uint64_t> shape;
    std::vector<std::byte> data;
};

// A safetensors file with the entries' data in the order given, the JSON header padded with spaces to a
// multiple of 8 bytes (as the reference writer does, so that the data is aligned).
inline std::vector<std::byte> write_safetensors(const std::vector<safetensors_entry>& entries,
                                                const std::map<std::string, std::string>& metadata = {}) {
    nlohmann::json header = nlohmann::json::object();
    if (!metadata.empty()) header["__metadata__"] = metadata;
    std::uint64_t offset = 0;
    for (const auto& entry : entries) {
        if (header.contains(entry.name)) throw io_error("write_safetensors: duplicate tensor name '" + entry.name + "'");
        header[entry.name] = {{"dtype", entry.dtype}, {"shape", entry.shape}, {"data_offsets", {offset, offset + entry.data.size()}}};
        offset += entry.data.size();
    }
    std::string text = header.dump();
    text.append((8 - text.size() % 8) % 8, ' ');

    std::vector<std::byte> bytes;
    bytes.reserve(8 + text.size() + offset);
    detail::byte_writer out(bytes);
    out.put(static_cast<std::uint64_t>(text.size()));
    out.put_text(text);
    for (const auto& entry : entries) out.put_bytes(entry.data);
    return bytes;
}

namespace detail {

inline std::string file_name_of(const std::string& name, const safetensors_options& options) {
    if (auto found = options.names.find(name); found != options.names.end()) return options.prefix + found->second;
    const auto dot = name.find('.');
    if (auto found = options.names.find(name.substr(0, dot)); found != options.names.end())
        return options.prefix + found->second + name.substr(dot);
    return options.prefix + name;
}

template <network_model Net>
void load_safetensors_into(Net& net, std::span<const std::byte> file, const safetensors_options& options, const std::string& context) {
    using T = typename Net::value_type;
    safetensors_contents contents;
    try {
        contents = read_safetensors(file);
    } catch (const io_error& error) {
        throw io_error(context + ": " + error.what());
    }
    std::vector<T> parameters(Net::parameter_count);
    std::vector<std::string> problems;
    std::set<std::string> used;
    for (const auto& expected : tensor_table<Net>()) {
        const std::string name = file_name_of(expected.name, options);
        const safetensors_tensor* found = contents.find(name);
        if (!found) {
            problems.push_back("missing tensor '" + name + "' (expected shape " + describe_shape(expected.shape) + ")");
            continue;
        }
        used.insert(name);
        if (found->shape != expected.shape) {
            problems.push_back("tensor '" + name + "': expected shape " + describe_shape(expected.shape) + ", found " +
                               describe_shape(found->shape));
            continue;
        }
        if (found->dtype != "F32" && found->dtype != "F64" && found->dtype != "F16" && found->dtype != "BF16") {
            problems.push_back("tensor '" + name + "': expected dtype F32, F64, F16 or BF16, found " + found->dtype);
            continue;
        }
        found->convert_to(std::span<T>(parameters.data() + expected.offset, expected.size));
    }
    if (!options.allow_unused)
        for (const auto& tensor : contents.tensors)
            if (!used.contains(tensor.name))
                problems.push_back("unexpected tensor '" + tensor.name + "' " + describe_shape(tensor.shape) +
                                   " (not a tensor of this network; safetensors_options::allow_unused ignores it)");
    if (!problems.empty()) {
        std::string message = context + ": the file does not match the network \"" + shape_signature<Net>() + "\": ";
        for (std::size_t i = 0; i < problems.size(); ++i) message += (i ? "; " : "") + problems[i];
        throw io_error(message);
    }
    assign_parameters(net, parameters);
}

template <class T>
std::vector<std::byte> encode_values(std::span<const T> values) {
    std::vector<std::byte> bytes;
    bytes.reserve(values.size() * sizeof(T));
    byte_writer(bytes).put_values(values);
    return bytes;
}

}  // namespace detail

// The network's parameters as a safetensors file with nn.Sequential state_dict names ("0.weight" [out, in],
// "0.bias", "2.weight", ...), dtype F32 or F64 as the network's scalar, and the shape signature in the
// metadata ("typenet.signature"). torch.nn.Sequential.load_state_dict accepts it as it is.
template <network_model Net>
std::vector<std::byte> save_safetensors(const Net& net) {
    using T = typename Net::value_type;
    const std::vector<T> parameters = detail::parameter_vector(net);
    std::vector<safetensors_entry> entries;
    for (const auto& tensor : detail::tensor_table<Net>())
        entries.push_back({tensor.name, std::is_same_v<T, float> ? "F32" : "F64", tensor.shape,
                           detail::encode_values(std::span<const T>(parameters.data() + tensor.offset, tensor.size))});
    return write_safetensors(entries, {{"format", "pt"}, {"typenet.signature", detail::shape_signature<Net>()}});
}

template <network_model Net>
void save_safetensors(const Net& net, const std::filesystem::path& path) {
    detail::write_file(path, save_safetensors(net), "typenet::save_safetensors(" + path.string() + ")");
}

// Replaces every parameter of net with the tensors of a safetensors file, strictly: a missing, unexpected or
// mis-shaped tensor throws io_error naming every such tensor with both shapes, and net stays unchanged.
template <network_model Net>
void load_safetensors(Net& net, std::span<const std::byte> file, const safetensors_options& options = {}) {
    detail::load_safetensors_into(net, file, options, "typenet::load_safetensors");
}

template <network_model Net>
void load_safetensors(Net& net, const std::filesystem::path& path, const safetensors_options& options = {}) {
    const std::string context = "typenet::load_safetensors(" + path.string() + ")";
    detail::load_safetensors_into(net, detail::read_file(path, context), options, context);
}

}  // namespace typenet
