// Neural Amp Modeler's .nam files as plain data: parse_model_file / read_model_file check the file and give
// its version, architecture, configuration, weights, sample rate and metadata; model_file_text /
// write_model_file write one back as NAM's trainer does. The model types (typenet/models/nam/) take this
// data and check it against a compile-time architecture; this header builds no network.
//
// Documentation: docs/nam.md
// Distributed under the Boost Software License, Version 1.0 (see LICENSE or https://www.boost.org/LICENSE_1_0.txt).
//
// The format is defined by NAM Core's loader (sdatkinson/NeuralAmpModelerCore: NAM/get_dsp.cpp,
// NAM/wavenet/model.cpp, NAM/lstm.cpp, NAM/activations.cpp) and NAM's trainer export
// (sdatkinson/neural-amp-modeler: nam/models/exportable.py, base.py, wavenet/). A file is one JSON object:
//   "version"       "0.5.4": NAM Core reads 0.5.0 up to 0.7.x (three decimal numbers; later 0.7.x partially)
//   "metadata"      optional object (date, loudness, gain, name, gear_..., training, ...), kept whole
//   "architecture"  "WaveNet" (A1) or "LSTM" are read; ConvNet, Linear, SlimmableContainer are named and refused
//   "config"        the architecture's hyperparameters
//   "weights"       every parameter as one array of numbers (float32 values), in NAM Core's order
//   "sample_rate"   optional (absent in files from before early 2024); NAM Core then reports -1, "unknown":
//                   it does not assume 48000, and neither does this reader (std::nullopt)
// Other top-level keys (a "notes" array, say) are ignored, as NAM Core ignores them, and not written back.
//
// What is rejected, always with typenet::io_error "typenet::nam: <where>: expected ..., found ...": text
// that is not strict JSON (UTF-8), duplicate keys, nesting deeper than 64 levels, a missing or mistyped key,
// an unknown key in config or a layer array (it could change what the file computes), sizes that are not
// positive integers or exceed nam::max_size (4096; dilations nam::max_dilation, 65536), layer arrays that do
// not chain (input_size and channels from the previous array's channels and head_size), numbers beyond
// double's range (1e400) or float's (a weight of 1e39), a weight count other than the configuration needs,
// unknown activations (the message lists NAM Core's), versions NAM Core refuses. WaveNets with A2 features
// (a post-stack "head", "condition_dsp", FiLM, grouped or inactive 1x1s, a bottleneck other than channels,
// per-layer kernel sizes or activations, head kernels > 1, blended gating, slimmable layers) are refused
// with the list of those keys. A2-style keys that hold A1 values (what NAM's current trainer writes for a
// plain WaveNet: "head": {"out_channels", "kernel_size": 1, "bias"}, equal "kernel_sizes", inactive FiLM,
// ...) are read as the A1 configuration they describe.
#pragma once

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <initializer_list>
#include <limits>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <variant>
#include <vector>

#include <nlohmann/json.hpp>

#include "bytes.hpp"
#include "error.hpp"

namespace typenet::nam {

// Bounds on every size a file gives (channels, kernel sizes, input, condition and head sizes, hidden size,
// layer counts, dilations per array, layer arrays), and on each dilation: no file needs more, and a
// configuration within them cannot overflow the weight count.
inline constexpr std::size_t max_size = 4096;
inline constexpr std::size_t max_dilation = 65536;
inline constexpr std::size_t max_nesting = 64;  // JSON depth; NAM's own files nest at most 12 deep

// An activation as NAM names it: "Tanh", "Hardtanh", "Fasttanh", "ReLU", "LeakyReLU", "PReLU", "Sigmoid",
// "SiLU", "Hardswish", "LeakyHardtanh" (also spelled "LeakyHardTanh" in files; read as "LeakyHardtanh"),
// "Softsign". parameters are those the file gives, empty when none (NAM Core's defaults then apply):
//   LeakyReLU      {negative_slope}                              default 0.01
//   PReLU          {negative_slope} or one slope per channel     default 0.01
//   LeakyHardtanh  {min_val, max_val, min_slope, max_slope}      defaults -1, 1, 0.01, 0.01 (for missing ones)
struct activation_config {
    std::string name;
    std::vector<double> parameters;
    friend bool operator==(const activation_config&, const activation_config&) = default;
};

// One entry of config.layers of an A1 WaveNet: a 1x1 rechannel (input_size -> channels), one dilated layer
// per dilation (kernel_size taps, the condition mixed in, activation, gated: activation(a) * sigmoid(b) of
// twice the channels, then a 1x1 with bias back to channels, residual), and a 1x1 head rechannel of the
// layers' activations (channels -> head_size, bias if head_bias).
struct layer_array_config {
    std::size_t input_size = 0, condition_size = 0, head_size = 0, channels = 0, kernel_size = 0;
    std::vector<std::size_t> dilations;
    activation_config activation;
    bool gated = false, head_bias = false;
    friend bool operator==(const layer_array_config&, const layer_array_config&) = default;
};

// head_scale: config.head_scale. (NAM Core multiplies by the last weight instead, which the trainer makes
// the same number.)
struct wavenet_config {
    std::vector<layer_array_config> layers;
    double head_scale = 0;
    friend bool operator==(const wavenet_config&, const wavenet_config&) = default;
};

struct lstm_config {
    std::size_t num_layers = 0, input_size = 0, hidden_size = 0;
    friend bool operator==(const lstm_config&, const lstm_config&) = default;
};

// Every field optional, as in real files; a null in the file reads as std::nullopt. json is the whole
// "metadata" object ("" when absent or null), written as model_file_text writes it: writing puts the typed
// fields into it (a value replaces the key's, std::nullopt removes a non-null key) and keeps the rest.
struct metadata {
    std::optional<double> loudness, gain, input_level_dbu, output_level_dbu;
    std::optional<std::string> name, modeled_by, gear_type, gear_make, gear_model, tone_type;
    std::string json;
    friend bool operator==(const metadata&, const metadata&) = default;
};

struct model_file {
    std::string version;       // e.g. "0.5.4"
    std::string architecture;  // "WaveNet" or "LSTM", as config holds
    std::variant<wavenet_config, lstm_config> config;
    std::vector<float> weights;
    std::optional<double> sample_rate;
    nam::metadata metadata;
    friend bool operator==(const model_file&, const model_file&) = default;
};

std::string describe(const model_file& file);

namespace detail {

using json = nlohmann::ordered_json;

[[noreturn]] inline void fail(const std::string& message) { throw io_error("typenet::nam: " + message); }

// ---------------------------------------------------------------------------------------------------------
// Writing JSON as Python's json.dump does (what NAM's trainer calls): ", " and ": " separators, non-ASCII
// escaped, floats as repr() gives them (the shortest digits that read back to the same double).

inline void append_float(std::string& out, double value) {
    char buffer[64];
    const auto result = std::to_chars(buffer, buffer + sizeof buffer, value, std::chars_format::scientific);
    std::string_view text(buffer, static_cast<std::size_t>(result.ptr - buffer));  // [-]d[.ddd]e(+|-)XX
    if (!text.empty() && text.front() == '-') {
        out += '-';
        text.remove_prefix(1);
    }
    const std::size_t e = text.find('e');
    std::string digits(text.substr(0, e));
    if (digits.size() > 1) digits.erase(1, 1);  // the '.'
    int exponent = 0;
    std::from_chars(text.data() + e + (text[e + 1] == '+' ? 2 : 1), text.data() + text.size(), exponent);
    const int count = static_cast<int>(digits.size());
    if (exponent < -4 || exponent >= 16) {  // repr's scientific form: 1e-05, 1.5e+16
        out += digits[0];
        if (count > 1) out.append(".").append(digits, 1);
        out += exponent < 0 ? "e-" : "e+";
        const int magnitude = exponent < 0 ? -exponent : exponent;
        if (magnitude < 10) out += '0';
        out += std::to_string(magnitude);
    } else if (exponent < 0) {  // 0.0001
        out.append("0.").append(static_cast<std::size_t>(-exponent - 1), '0').append(digits);
    } else if (count <= exponent + 1) {  // 48000.0
        out.append(digits).append(static_cast<std::size_t>(exponent + 1 - count), '0').append(".0");
    } else {  // 12.5
        out.append(digits, 0, static_cast<std::size_t>(exponent + 1)).append(".").append(digits, static_cast<std::size_t>(exponent + 1));
    }
}

inline std::string float_text(double value) {
    std::string text;
    append_float(text, value);
    return text;
}

// A JSON string literal with everything outside printable ASCII escaped (\uXXXX, surrogate pairs above
// U+FFFF), as json.dump's ensure_ascii; text that is not UTF-8 throws io_error naming where.
inline void append_string(std::string& out, std::string_view text, const std::string& where) {
    static constexpr char hex[] = "0123456789abcdef";
    const auto escape = [&](unsigned unit) {
        out += "\\u";
        for (int shift = 12; shift >= 0; shift -= 4) out += hex[(unit >> shift) & 0xFu];
    };
    out += '"';
    for (std::size_t i = 0; i < text.size();) {
        const auto byte = static_cast<unsigned char>(text[i]);
        if (byte >= 0x20 && byte < 0x7F) {
            if (byte == '"' || byte == '\\') out += '\\';
            out += static_cast<char>(byte);
            ++i;
            continue;
        }
        if (byte < 0x80) {
            switch (byte) {
                case '\n':
                    out += "\\n";
                    break;
                case '\r':
                    out += "\\r";
                    break;
                case '\t':
                    out += "\\t";
                    break;
                case '\b':
                    out += "\\b";
                    break;
                case '\f':
                    out += "\\f";
                    break;
                default:
                    escape(byte);
            }
            ++i;
            continue;
        }
        const std::size_t length = byte >= 0xF0 ? 4 : byte >= 0xE0 ? 3 : byte >= 0xC0 ? 2 : 0;
        bool valid = length != 0 && byte < 0xF5 && i + length <= text.size();
        unsigned point = valid ? byte & (0x7Fu >> length) : 0;
        for (std::size_t k = 1; valid && k < length; ++k) {
            const auto next = static_cast<unsigned char>(text[i + k]);
            valid = (next & 0xC0u) == 0x80u;
            point = (point << 6) | (next & 0x3Fu);
        }
        const unsigned smallest[] = {0, 0, 0x80, 0x800, 0x10000};
        if (!valid || point < smallest[length] || point > 0x10FFFF || (point >= 0xD800 && point <= 0xDFFF))
            fail(where + ": not valid UTF-8 (byte " + std::to_string(i) + ")");
        if (point > 0xFFFF) {
            point -= 0x10000;
            escape(0xD800u + (point >> 10));
            escape(0xDC00u + (point & 0x3FFu));
        } else {
            escape(point);
        }
        i += length;
    }
    out += '"';
}

// where: the value's place in the document, for the error of a string that is not UTF-8.
inline void append_json(std::string& out, const json& value, const std::string& where) {
    switch (value.type()) {
        case json::value_t::object: {
            out += '{';
            bool first = true;
            for (const auto& [key, item] : value.items()) {
                out += first ? "" : ", ";
                first = false;
                append_string(out, key, where + " (a key)");
                out += ": ";
                append_json(out, item, where + "." + key);
            }
            out += '}';
            break;
        }
        case json::value_t::array: {
            out += '[';
            for (std::size_t i = 0; i < value.size(); ++i) {
                if (i) out += ", ";
                append_json(out, value[i], where + "[" + std::to_string(i) + "]");
            }
            out += ']';
            break;
        }
        case json::value_t::string:
            append_string(out, value.get_ref<const std::string&>(), where);
            break;
        case json::value_t::boolean:
            out += value.get<bool>() ? "true" : "false";
            break;
        case json::value_t::number_integer:
            out += std::to_string(value.get<std::int64_t>());
            break;
        case json::value_t::number_unsigned:
            out += std::to_string(value.get<std::uint64_t>());
            break;
        case json::value_t::number_float:
            append_float(out, value.get<double>());
            break;
        default:
            out += "null";
            break;  // null (the parser makes no binary or discarded values)
    }
}

inline std::string json_text(const json& value) {
    std::string text;
    append_json(text, value, "a value");
    return text;
}

// A value for an error message: scalars as written, strings shortened, containers by kind.
inline std::string found(const json& value) {
    if (value.is_object()) return "an object";
    if (value.is_array()) return std::string("an array of ") + std::to_string(value.size()) + (value.size() == 1 ? " value" : " values");
    if (value.is_string()) {
        const auto& text = value.get_ref<const std::string&>();
        std::string shown;
        append_string(shown, text.size() > 40 ? text.substr(0, 40) : text, "a string");
        if (text.size() > 40) shown.insert(shown.size() - 1, "...");
        return shown;
    }
    return json_text(value);
}

// ---------------------------------------------------------------------------------------------------------
// Reading JSON: nlohmann's SAX parser building an ordered document, rejecting duplicate keys and deep nesting
// as it goes, and saying where in the document a syntax error or an out-of-range number is.

class document_builder {
public:
    explicit document_builder(json& root) : root_(root) {}

    bool null() { return put(json(nullptr)); }
    bool boolean(bool value) { return put(json(value)); }
    bool number_integer(json::number_integer_t value) { return put(json(value)); }
    bool number_unsigned(json::number_unsigned_t value) { return put(json(value)); }
    bool number_float(json::number_float_t value, const json::string_t&) { return put(json(value)); }
    bool string(json::string_t& value) { return put(json(std::move(value))); }
    bool binary(json::binary_t&) { return false; }  // JSON text has none
    bool start_object(std::size_t) { return open(json::object()); }
    bool start_array(std::size_t) { return open(json::array()); }
    bool end_object() { return close(); }
    bool end_array() { return close(); }
    bool key(json::string_t& name) {
        frame& top = frames_.back();
        if (top.value->contains(name)) fail(where() + ": duplicate key \"" + name + "\" (JSON readers disagree on which one counts)");
        top.key = std::move(name);
        top.has_key = true;
        return true;
    }
    bool parse_error(std::size_t position, const std::string& token, const nlohmann::json::exception& error) {
        const std::string shown = token.size() > 40 ? token.substr(0, 40) + "..." : token;
        if (error.id == 406)  // nlohmann: a number beyond double's range
            fail(where() + ": expected a finite number, found " + shown + " (beyond double's range)");
        std::string message = error.what();
        if (const auto bracket = message.find("] "); message.starts_with("[json.exception") && bracket != std::string::npos)
            message.erase(0, bracket + 2);
        fail(std::string("not valid JSON at byte ") + std::to_string(position) +
             (frames_.empty() ? "" : std::string(" (in ") + where() + ")") + ": " + message);
    }

    // Where the parser is: "weights[17]", "config.layers[0].kernel_size", "the top level".
    std::string where() const {
        std::string path;
        for (std::size_t k = 0; k < frames_.size(); ++k) {
            const frame& level = frames_[k];
            if (level.value->is_array()) {
                // The innermost array's next element, or the element an inner container is.
                const std::size_t size = level.value->size();
                path.append("[").append(std::to_string(k + 1 == frames_.size() || size == 0 ? size : size - 1)).append("]");
            } else if (level.has_key) {
                if (!path.empty()) path += '.';
                path += level.key;
            } else {
                break;
            }
        }
        return path.empty() ? "the top level" : path;
    }

private:
    struct frame {
        json* value;
        std::string key;
        bool has_key = false;
    };

    json* place(json&& value, bool container) {
        if (frames_.empty()) {
            root_ = std::move(value);
            return &root_;
        }
        frame& top = frames_.back();
        if (top.value->is_array()) {
            top.value->push_back(std::move(value));
            return &top.value->back();
        }
        json& slot = (*top.value)[top.key];
        slot = std::move(value);
        top.has_key = container;  // inside the container, the key is part of the path
        return &slot;
    }
    bool put(json&& value) {
        place(std::move(value), false);
        return true;
    }
    bool open(json&& container) {
        if (frames_.size() >= max_nesting) fail(where() + ": the JSON nests deeper than " + std::to_string(max_nesting) + " levels");
        json* placed = place(std::move(container), true);
        frames_.push_back({placed, {}, false});
        return true;
    }
    bool close() {
        frames_.pop_back();
        if (!frames_.empty()) frames_.back().has_key = false;
        return true;
    }

    json& root_;
    std::vector<frame> frames_;
};

inline json parse_json(std::string_view text) {
    json root;
    document_builder builder(root);
    if (!json::sax_parse(text.data(), text.data() + text.size(), &builder)) fail("not valid JSON");
    return root;
}

// ---------------------------------------------------------------------------------------------------------
// Reading values.

inline const json* member(const json& object, const char* key) {
    const auto found_at = object.find(key);
    return found_at == object.end() ? nullptr : &*found_at;
}

inline const json& required(const json& object, const char* key, const std::string& where, const std::string& what) {
    const json* value = member(object, key);
    if (!value) fail(where + ": missing key \"" + key + "\" (" + what + ")");
    return *value;
}

inline std::string at(const std::string& where, const char* key) { return where.empty() ? key : where + "." + key; }
inline std::string at(const std::string& where, std::size_t index) { return where + "[" + std::to_string(index) + "]"; }

// A JSON integer (not 3.0: the trainer writes sizes as integers) in [1, limit].
inline std::size_t positive_integer(const json& value, const std::string& where, std::size_t limit = max_size) {
    if (value.is_number_unsigned() && value.get<std::uint64_t>() >= 1 && value.get<std::uint64_t>() <= limit)
        return static_cast<std::size_t>(value.get<std::uint64_t>());
    fail(where + ": expected a positive integer (at most " + std::to_string(limit) + "), found " + found(value));
}

inline bool integer_equals(const json& value, std::uint64_t expected) {
    return value.is_number_unsigned() && value.get<std::uint64_t>() == expected;
}

inline bool boolean(const json& value, const std::string& where) {
    if (!value.is_boolean()) fail(where + ": expected true or false, found " + found(value));
    return value.get<bool>();
}

inline double number(const json& value, const std::string& where) {
    if (!value.is_number()) fail(where + ": expected a number, found " + found(value));
    return value.get<double>();  // finite: the parser refuses the rest
}

inline std::string text(const json& value, const std::string& where, const std::string& expected = "a string") {
    if (!value.is_string()) fail(where + ": expected " + expected + ", found " + found(value));
    return value.get<std::string>();
}

inline void only_keys(const json& object, const std::string& where, std::span<const std::string_view> keys, const std::string& what) {
    for (const auto& [key, value] : object.items())
        if (std::find(keys.begin(), keys.end(), key) == keys.end()) {
            std::string known;
            for (auto name : keys) known.append(known.empty() ? "" : ", ").append(name);
            std::string shown;
            append_string(shown, key, "a key");
            fail(where + ": unknown key " + shown + " (" + what + " has " + known + ")");
        }
}

inline void only_keys(const json& object, const std::string& where, std::initializer_list<std::string_view> keys, const std::string& what) {
    only_keys(object, where, std::span<const std::string_view>(keys.begin(), keys.size()), what);
}

// ---------------------------------------------------------------------------------------------------------
// Version: as NAM Core's CoreVersionSupportChecker: three decimal numbers, at least 0.5.0, major 0 and minor
// at most 7 (0.7.0 fully supported; 0.7.1 and later 0.7.x partially, with a warning, which NAM Core loads).

inline void check_version(const json& value) {
    const std::string version = text(value, "version", "a version string such as \"0.5.4\"");
    int parts[3] = {0, 0, 0};
    std::size_t part = 0;
    bool valid = true;
    for (std::size_t begin = 0; valid && part < 3; ++part) {
        const std::size_t dot = part < 2 ? version.find('.', begin) : version.size();
        const std::size_t end = dot == std::string::npos ? version.size() : dot;
        const char* first = version.data() + begin;
        const char* last = version.data() + end;
        const auto [next, error] = std::from_chars(first, last, parts[part]);
        valid = dot != std::string::npos && first != last && next == last && error == std::errc{} && *first != '-' && *first != '+';
        begin = end + 1;
    }
    if (!valid) fail(std::string("version: expected three decimal numbers such as \"0.5.4\", found ") + found(value));
    const bool supported = parts[0] == 0 && parts[1] >= 5 && parts[1] <= 7;
    if (!supported)
        fail(std::string("version: expected a file version NAM Core reads (0.5.0 up to 0.7.x), found ") + found(value) +
             (parts[0] == 0 && parts[1] < 5 ? " (older than NAM Core reads)" : " (newer than NAM Core reads)"));
}

// ---------------------------------------------------------------------------------------------------------
// Activations, as NAM Core's ActivationConfig::from_json.

inline constexpr std::string_view activation_names[] = {"Tanh",    "Hardtanh", "Fasttanh",  "ReLU",          "LeakyReLU", "PReLU",
                                                        "Sigmoid", "SiLU",     "Hardswish", "LeakyHardtanh", "Softsign"};

inline std::string known_activations() {
    std::string list;
    for (auto name : activation_names) list.append(list.empty() ? "" : ", ").append(name);
    return list;
}

inline std::string activation_name(const json& value, const std::string& where) {
    const std::string name = text(value, where, "an activation name (" + known_activations() + ")");
    if (name == "LeakyHardTanh") return "LeakyHardtanh";  // NAM Core reads both spellings
    if (std::find(std::begin(activation_names), std::end(activation_names), name) == std::end(activation_names))
        fail(where + ": unknown activation " + found(value) + " (NAM knows " + known_activations() + ")");
    return name;
}

// channels: the width the activation applies to (PReLU's per-channel slopes must match it).
inline activation_config parse_activation(const json& value, const std::string& where, std::size_t channels) {
    if (value.is_string()) return {activation_name(value, where), {}};
    if (!value.is_object()) fail(where + ": expected an activation name or an object {\"type\": ...}, found " + found(value));
    activation_config result{activation_name(required(value, "type", where, "the activation's name"), at(where, "type")), {}};
    const std::string& name = result.name;
    if (name == "LeakyReLU") {
        only_keys(value, where, {"type", "negative_slope"}, "LeakyReLU");
        if (const json* slope = member(value, "negative_slope")) result.parameters = {number(*slope, at(where, "negative_slope"))};
    } else if (name == "PReLU") {
        only_keys(value, where, {"type", "negative_slope", "negative_slopes"}, "PReLU");
        const json* slope = member(value, "negative_slope");
        const json* slopes = member(value, "negative_slopes");
        if (slope && slopes) fail(where + ": both negative_slope and negative_slopes given; give one");
        if (slope) result.parameters = {number(*slope, at(where, "negative_slope"))};
        if (slopes) {
            const std::string place = at(where, "negative_slopes");
            if (!slopes->is_array() || slopes->size() != channels)
                fail(place + ": expected one slope per channel (" + std::to_string(channels) + "), found " + found(*slopes));
            for (std::size_t i = 0; i < slopes->size(); ++i) result.parameters.push_back(number((*slopes)[i], at(place, i)));
        }
    } else if (name == "LeakyHardtanh") {
        only_keys(value, where, {"type", "min_val", "max_val", "min_slope", "max_slope"}, "LeakyHardtanh");
        const char* keys[] = {"min_val", "max_val", "min_slope", "max_slope"};
        const double defaults[] = {-1.0, 1.0, 0.01, 0.01};
        bool any = false;
        for (const char* key : keys) any = any || member(value, key);
        for (std::size_t i = 0; any && i < 4; ++i) {
            const json* given = member(value, keys[i]);
            result.parameters.push_back(given ? number(*given, at(where, keys[i])) : defaults[i]);
        }
    } else {
        only_keys(value, where, {"type"}, name + " (no parameters)");
    }
    return result;
}

// The activation as a .nam file writes it: the name, or an object when it has parameters.
inline void append_activation(std::string& out, const activation_config& activation) {
    const auto& p = activation.parameters;
    if (p.empty()) {
        append_string(out, activation.name, "an activation name");
        return;
    }
    out += "{\"type\": ";
    append_string(out, activation.name, "an activation name");
    if (activation.name == "LeakyHardtanh" && p.size() == 4) {
        const char* keys[] = {"min_val", "max_val", "min_slope", "max_slope"};
        for (std::size_t i = 0; i < 4; ++i) out.append(", \"").append(keys[i]).append("\": ").append(float_text(p[i]));
    } else if (activation.name == "PReLU" && p.size() > 1) {
        out += ", \"negative_slopes\": [";
        for (std::size_t i = 0; i < p.size(); ++i) out.append(i ? ", " : "").append(float_text(p[i]));
        out += ']';
    } else if (p.size() == 1) {
        out.append(", \"negative_slope\": ").append(float_text(p[0]));
    } else {
        fail("activation " + activation.name + ": " + std::to_string(p.size()) + " parameters, which no .nam file spells");
    }
    out += '}';
}

// ---------------------------------------------------------------------------------------------------------
// WaveNet.

inline constexpr const char* film_keys[] = {"conv_pre_film",       "conv_post_film",       "input_mixin_pre_film", "input_mixin_post_film",
                                            "activation_pre_film", "activation_post_film", "layer1x1_post_film",   "head1x1_post_film"};

inline bool is_sigmoid(const json& value) {
    if (value.is_string()) return value.get_ref<const std::string&>() == "Sigmoid";
    if (value.is_object() && value.size() == 1) {
        const json* type = member(value, "type");
        return type && type->is_string() && type->get_ref<const std::string&>() == "Sigmoid";
    }
    return false;
}

// The gating of a layer array as NAM Core reads it ("gating_mode" first, then the older "gated"):
// "none", "gated", "blended", "mixed" (an array of different modes), or "" when malformed (reported later).
inline std::string gating_of(const json& layer) {
    if (const json* mode = member(layer, "gating_mode")) {
        if (mode->is_string()) return mode->get<std::string>();
        if (!mode->is_array() || mode->empty() || !(*mode)[0].is_string()) return "";
        for (const auto& entry : *mode)
            if (entry != (*mode)[0]) return "mixed";
        return (*mode)[0].get<std::string>();
    }
    if (const json* gated = member(layer, "gated"); gated && gated->is_boolean()) return gated->get<bool>() ? "gated" : "none";
    return "none";
}

// The keys of a WaveNet config that hold A2 values (A2-style keys with A1 values are not listed). Only
// well-typed values count: a mistyped one is reported by the A1 reading that follows.
inline std::vector<std::string> a2_features(const json& config) {
    std::vector<std::string> features;
    const auto non_null = [](const json* value) { return value && !value->is_null(); };
    if (non_null(member(config, "condition_dsp"))) features.push_back("config.condition_dsp");
    if (non_null(member(config, "head"))) features.push_back("config.head (a post-stack head)");
    if (const json* in = member(config, "in_channels"); in && in->is_number_unsigned() && !integer_equals(*in, 1))
        features.push_back(std::string("config.in_channels ") + json_text(*in));
    const json* layers = member(config, "layers");
    if (!layers || !layers->is_array()) return features;
    for (std::size_t i = 0; i < layers->size(); ++i) {
        const json& layer = (*layers)[i];
        if (!layer.is_object()) continue;
        const std::string where = at("config.layers", i);
        if (const json* head = member(layer, "head"); head && head->is_object()) {
            if (const json* k = member(*head, "kernel_size"); k && k->is_number_integer() && !integer_equals(*k, 1))
                features.push_back(where + ".head.kernel_size " + json_text(*k));
            if (const json* d = member(*head, "head_dilation"); d && d->is_number_integer() && !integer_equals(*d, 1))
                features.push_back(where + ".head.head_dilation " + json_text(*d));
        }
        if (const json* sizes = member(layer, "kernel_sizes"); sizes && sizes->is_array())
            for (const auto& size : *sizes)
                if (size.is_number_integer() && size != (*sizes)[0]) {
                    features.push_back(where + ".kernel_sizes (one per layer)");
                    break;
                }
        if (const json* activation = member(layer, "activation"); activation && activation->is_array())
            for (const auto& entry : *activation)
                if (entry != (*activation)[0]) {
                    features.push_back(where + ".activation (one per layer)");
                    break;
                }
        if (const json* bottleneck = member(layer, "bottleneck"); bottleneck && bottleneck->is_number_integer()) {
            const json* channels = member(layer, "channels");
            if (channels && channels->is_number_integer() && *bottleneck != *channels)
                features.push_back(where + ".bottleneck " + json_text(*bottleneck));
        }
        for (const char* key : {"groups_input", "groups_input_mixin"})
            if (const json* groups = member(layer, key); groups && groups->is_number_integer() && !integer_equals(*groups, 1))
                features.push_back(where + "." + key + " " + json_text(*groups));
        if (const json* layer1x1 = member(layer, "layer1x1"); layer1x1 && layer1x1->is_object()) {
            if (const json* active = member(*layer1x1, "active"); active && *active == false)
                features.push_back(where + ".layer1x1 (inactive)");
            if (const json* groups = member(*layer1x1, "groups"); groups && groups->is_number_integer() && !integer_equals(*groups, 1))
                features.push_back(where + ".layer1x1.groups " + json_text(*groups));
        }
        if (const json* head1x1 = member(layer, "head1x1"); head1x1 && head1x1->is_object())
            if (const json* active = member(*head1x1, "active"); active && *active == true) features.push_back(where + ".head1x1");
        for (const char* key : film_keys)
            if (const json* film = member(layer, key); film && film->is_object()) {
                const json* active = member(*film, "active");
                if (!active || *active == true) features.push_back(where + "." + key);
            }
        const std::string gating = gating_of(layer);
        if (gating == "blended" || gating == "mixed")
            features.push_back(where + ".gating_mode (" + (gating == "mixed" ? std::string("one per layer") : gating) + ")");
        if (gating == "gated")
            if (const json* secondary = member(layer, "secondary_activation")) {
                bool other = false;
                if (secondary->is_array())
                    for (const auto& entry : *secondary)
                        other = other || (!entry.is_null() && (entry.is_string() || entry.is_object()) && !is_sigmoid(entry));
                else
                    other = (secondary->is_string() || secondary->is_object()) && !is_sigmoid(*secondary);
                if (other) features.push_back(where + ".secondary_activation (a gate other than Sigmoid)");
            }
        if (non_null(member(layer, "slimmable"))) features.push_back(where + ".slimmable");
    }
    return features;
}

// One value for every layer of an array: the value itself, or an array of equal values (one per dilation).
inline const json& uniform(const json& value, std::size_t layer_count, const std::string& where) {
    if (!value.is_array()) return value;
    if (value.size() != layer_count)
        fail(where + ": expected one entry per dilation (" + std::to_string(layer_count) + "), found " + found(value));
    return value[0];  // equal entries: a2_features lists arrays that differ
}

// The keys a layer array may have: A1's, then the A2 ones NAM Core reads (refused unless they hold A1 values).
inline constexpr std::string_view layer_array_keys[] = {"input_size",
                                                        "condition_size",
                                                        "head_size",
                                                        "channels",
                                                        "kernel_size",
                                                        "dilations",
                                                        "activation",
                                                        "gated",
                                                        "head_bias",
                                                        "head",
                                                        "kernel_sizes",
                                                        "bottleneck",
                                                        "groups_input",
                                                        "groups_input_mixin",
                                                        "layer1x1",
                                                        "head1x1",
                                                        "conv_pre_film",
                                                        "conv_post_film",
                                                        "input_mixin_pre_film",
                                                        "input_mixin_post_film",
                                                        "activation_pre_film",
                                                        "activation_post_film",
                                                        "layer1x1_post_film",
                                                        "head1x1_post_film",
                                                        "gating_mode",
                                                        "secondary_activation",
                                                        "slimmable"};

inline layer_array_config parse_layer_array(const json& layer, const std::string& where) {
    if (!layer.is_object()) fail(where + ": expected an object (a layer array), found " + found(layer));
    only_keys(layer, where, layer_array_keys, "a layer array");
    const std::string what = "an A1 layer array";
    layer_array_config result;
    result.input_size = positive_integer(required(layer, "input_size", where, what), at(where, "input_size"));
    result.condition_size = positive_integer(required(layer, "condition_size", where, what), at(where, "condition_size"));
    result.channels = positive_integer(required(layer, "channels", where, what), at(where, "channels"));

    // The head rechannel: "head_size" and "head_bias", or the trainer's newer {"out_channels", "kernel_size": 1, "bias"}.
    const json* head = member(layer, "head");
    if (head && head->is_null()) head = nullptr;
    if (head && (member(layer, "head_size") || member(layer, "head_bias")))
        fail(where + ": both head and head_size/head_bias given; give one");
    if (head) {
        const std::string place = at(where, "head");
        if (!head->is_object())
            fail(place + ": expected an object {\"out_channels\", \"kernel_size\", \"bias\"} or null, found " + found(*head));
        only_keys(*head, place, {"out_channels", "kernel_size", "bias", "head_dilation"}, "a layer array's head");
        result.head_size = positive_integer(required(*head, "out_channels", place, "the head's width"), at(place, "out_channels"));
        if (!integer_equals(required(*head, "kernel_size", place, "1 in A1"), 1))
            fail(at(place, "kernel_size") + ": expected 1 (A1), found " + found((*head)["kernel_size"]));
        if (const json* dilation = member(*head, "head_dilation"); dilation && !integer_equals(*dilation, 1))
            fail(at(place, "head_dilation") + ": expected 1 (A1), found " + found(*dilation));
        result.head_bias = boolean(required(*head, "bias", place, "whether the head has a bias"), at(place, "bias"));
    } else {
        result.head_size = positive_integer(required(layer, "head_size", where, what), at(where, "head_size"));
        result.head_bias = boolean(required(layer, "head_bias", where, what), at(where, "head_bias"));
    }

    const json& dilations = required(layer, "dilations", where, what);
    if (!dilations.is_array() || dilations.empty() || dilations.size() > max_size)
        fail(at(where, "dilations") + ": expected a non-empty array (at most " + std::to_string(max_size) +
             ") of positive integers, found " + found(dilations));
    for (std::size_t i = 0; i < dilations.size(); ++i)
        result.dilations.push_back(positive_integer(dilations[i], at(at(where, "dilations"), i), max_dilation));
    const std::size_t count = result.dilations.size();

    const json* kernel_size = member(layer, "kernel_size");
    const json* kernel_sizes = member(layer, "kernel_sizes");
    if (kernel_size && kernel_sizes) fail(where + ": both kernel_size and kernel_sizes given; give one");
    if (kernel_sizes) {
        const std::string place = at(where, "kernel_sizes");
        if (!kernel_sizes->is_array()) fail(place + ": expected an array of positive integers, found " + found(*kernel_sizes));
        result.kernel_size = positive_integer(uniform(*kernel_sizes, count, place), at(place, std::size_t{0}));
        for (std::size_t i = 1; i < count; ++i) (void)positive_integer((*kernel_sizes)[i], at(place, i));
    } else {
        result.kernel_size = positive_integer(required(layer, "kernel_size", where, what), at(where, "kernel_size"));
    }

    const json& activation = required(layer, "activation", where, what);
    const std::string activation_place = activation.is_array() ? at(at(where, "activation"), std::size_t{0}) : at(where, "activation");
    result.activation = parse_activation(uniform(activation, count, at(where, "activation")), activation_place, result.channels);

    // Gating: "gating_mode" ("none" or "gated", one or one per layer) and/or the older "gated"; they must agree.
    const json* gating_mode = member(layer, "gating_mode");
    const json* gated = member(layer, "gated");
    if (gated) result.gated = boolean(*gated, at(where, "gated"));
    if (gating_mode) {
        const std::string place = at(where, "gating_mode");
        const json& mode = uniform(*gating_mode, count, place);
        if (!mode.is_string() || (mode != "none" && mode != "gated"))
            fail(place + ": expected \"none\" or \"gated\" (A1), found " + found(mode));
        if (gated && result.gated != (mode == "gated"))
            fail(where + ": gated is " + (result.gated ? "true" : "false") + " but gating_mode is " + found(mode) + "; they must agree");
        result.gated = mode == "gated";
    }
    if (const json* secondary = member(layer, "secondary_activation"); secondary && result.gated) {
        const std::string place = at(where, "secondary_activation");
        (void)uniform(*secondary, count, place);
        for (std::size_t k = 0; k < (secondary->is_array() ? count : 1); ++k) {
            const json& gate = secondary->is_array() ? (*secondary)[k] : *secondary;
            if (!is_sigmoid(gate))
                fail((secondary->is_array() ? at(place, k) : place) + ": expected Sigmoid (A1's gate), found " + found(gate));
        }
    }

    // A2-style keys with their A1 values (a2_features has refused the others).
    if (const json* bottleneck = member(layer, "bottleneck"); bottleneck && !integer_equals(*bottleneck, result.channels))
        fail(at(where, "bottleneck") + ": expected " + std::to_string(result.channels) + " (channels: A1 has no bottleneck), found " +
             found(*bottleneck));
    for (const char* key : {"groups_input", "groups_input_mixin"})
        if (const json* groups = member(layer, key); groups && !integer_equals(*groups, 1))
            fail(at(where, key) + ": expected 1 (A1), found " + found(*groups));
    if (const json* layer1x1 = member(layer, "layer1x1")) {
        const std::string place = at(where, "layer1x1");
        if (!layer1x1->is_object()) fail(place + ": expected {\"active\": true, \"groups\": 1}, found " + found(*layer1x1));
        only_keys(*layer1x1, place, {"active", "groups"}, "layer1x1");
        if (!boolean(required(*layer1x1, "active", place, "true in A1"), at(place, "active")))
            fail(at(place, "active") + ": expected true (A1), found false");
        if (!integer_equals(required(*layer1x1, "groups", place, "1 in A1"), 1))
            fail(at(place, "groups") + ": expected 1 (A1), found " + found((*layer1x1)["groups"]));
    }
    if (const json* head1x1 = member(layer, "head1x1")) {
        const std::string place = at(where, "head1x1");
        if (!head1x1->is_object()) fail(place + ": expected {\"active\": false, ...}, found " + found(*head1x1));
        only_keys(*head1x1, place, {"active", "out_channels", "groups"}, "head1x1");
        if (boolean(required(*head1x1, "active", place, "false in A1"), at(place, "active")))
            fail(at(place, "active") + ": expected false (A1), found true");
        for (const char* key : {"out_channels", "groups"})
            if (const json* size = member(*head1x1, key)) (void)positive_integer(*size, at(place, key));
    }
    for (const char* key : film_keys)
        if (const json* film = member(layer, key); film && *film != false) {
            const std::string place = at(where, key);
            if (!film->is_object()) fail(place + ": expected false or {\"active\": false, ...}, found " + found(*film));
            only_keys(*film, place, {"active", "shift", "groups"}, "a FiLM");
            if (const json* shift = member(*film, "shift")) (void)boolean(*shift, at(place, "shift"));
            if (const json* groups = member(*film, "groups")) (void)positive_integer(*groups, at(place, "groups"));
            if (const json* active = member(*film, "active"); !active || boolean(*active, at(place, "active")))
                fail(at(place, "active") + ": expected false (A1 has no FiLM), found " + (active ? "true" : "no key (NAM reads true)"));
        }
    if (const json* slimmable = member(layer, "slimmable"); slimmable && !slimmable->is_null())
        fail(at(where, "slimmable") + ": expected null (A1), found " + found(*slimmable));
    return result;
}

inline wavenet_config parse_wavenet(const json& config) {
    if (const auto features = a2_features(config); !features.empty()) {
        std::string list;
        for (const auto& feature : features) list.append(list.empty() ? "" : ", ").append(feature);
        fail("this WaveNet uses A2 features (" + list + ") which typenet does not read yet; A1 files are supported");
    }
    only_keys(config, "config", {"layers", "head", "head_scale", "condition_dsp", "in_channels"}, "an A1 WaveNet config");
    const std::string what = "an A1 WaveNet config has layers, head and head_scale";
    const json& layers = required(config, "layers", "config", what);
    if (!layers.is_array() || layers.empty() || layers.size() > max_size)
        fail(std::string("config.layers: expected a non-empty array (at most ") + std::to_string(max_size) + ") of layer arrays, found " +
             found(layers));
    if (const json* in = member(config, "in_channels"); in && !integer_equals(*in, 1))
        fail(std::string("config.in_channels: expected 1, found ") + found(*in));

    wavenet_config result;
    for (std::size_t i = 0; i < layers.size(); ++i) {
        const std::string where = at("config.layers", i);
        result.layers.push_back(parse_layer_array(layers[i], where));
        const layer_array_config& array = result.layers.back();
        // How NAM Core chains the arrays: the first reads the one-channel input; each next one reads the
        // previous one's layer outputs (channels) and adds to its head outputs (head_size); the condition
        // of every layer is the input.
        const std::size_t input = i == 0 ? 1 : result.layers[i - 1].channels;
        if (array.input_size != input)
            fail(at(where, "input_size") + ": expected " + std::to_string(input) +
                 (i == 0 ? " (the model's input is one channel)"
                         : std::string(" (the channels of config.layers[") + std::to_string(i - 1) + "])") +
                 ", found " + std::to_string(array.input_size));
        if (array.condition_size != 1)
            fail(at(where, "condition_size") + ": expected 1 (the condition is the one-channel input), found " +
                 std::to_string(array.condition_size));
        if (i > 0 && array.channels != result.layers[i - 1].head_size)
            fail(at(where, "channels") + ": expected " + std::to_string(result.layers[i - 1].head_size) +
                 " (the head_size of config.layers[" + std::to_string(i - 1) + "], whose head outputs this array adds to), found " +
                 std::to_string(array.channels));
    }
    result.head_scale = number(required(config, "head_scale", "config", what), "config.head_scale");
    return result;
}

// ---------------------------------------------------------------------------------------------------------
// LSTM.

inline lstm_config parse_lstm(const json& config) {
    only_keys(config, "config", {"num_layers", "input_size", "hidden_size", "in_channels", "out_channels"}, "an LSTM config");
    const std::string what = "an LSTM config has num_layers, input_size and hidden_size";
    lstm_config result;
    result.num_layers = positive_integer(required(config, "num_layers", "config", what), "config.num_layers");
    result.input_size = positive_integer(required(config, "input_size", "config", what), "config.input_size");
    result.hidden_size = positive_integer(required(config, "hidden_size", "config", what), "config.hidden_size");
    for (const char* key : {"in_channels", "out_channels"})
        if (const json* channels = member(config, key); channels && !integer_equals(*channels, 1))
            fail(at("config", key) + ": expected 1 (typenet reads one channel in and out), found " + found(*channels));
    if (result.input_size != 1)
        fail(std::string("config.input_size: expected 1 (NAM's LSTM reads one input channel), found ") + std::to_string(result.input_size));
    return result;
}

// ---------------------------------------------------------------------------------------------------------
// Parameter counts, in the order of NAM Core's weights. Sizes are within max_size, so the sums fit; they
// are checked all the same.

inline std::size_t checked_sum(std::initializer_list<std::size_t> terms) {
    std::size_t sum = 0;
    for (auto term : terms) {
        if (term > std::numeric_limits<std::size_t>::max() - sum) fail("the configuration's weight count overflows");
        sum += term;
    }
    return sum;
}

inline std::size_t parameter_count(const wavenet_config& config) {
    std::size_t total = 0;
    for (const auto& array : config.layers) {
        const std::size_t ch = array.channels, conv_out = (array.gated ? 2 : 1) * ch;
        const std::size_t per_layer = checked_sum({ch * conv_out * array.kernel_size, conv_out,  // dilated convolution
                                                   array.condition_size * conv_out,              // input mixin (no bias)
                                                   ch * ch, ch});                                // 1x1
        total = checked_sum({total, array.input_size * ch});                                     // rechannel (no bias)
        for (std::size_t i = 0; i < array.dilations.size(); ++i) total = checked_sum({total, per_layer});
        total = checked_sum({total, ch * array.head_size, array.head_bias ? array.head_size : 0});  // head rechannel
    }
    return checked_sum({total, 1});  // head_scale
}

inline std::size_t parameter_count(const lstm_config& config) {
    const std::size_t h = config.hidden_size;
    std::size_t total = 0;
    for (std::size_t layer = 0; layer < config.num_layers; ++layer) {
        const std::size_t in = layer == 0 ? config.input_size : h;
        total = checked_sum({total, 4 * h * (in + h), 4 * h, 2 * h});  // weights [i f g o] x [x h], bias, initial h and c
    }
    return checked_sum({total, h, 1});  // the head: a dense layer to one output
}

// ---------------------------------------------------------------------------------------------------------
// The top level.

inline constexpr const char* metadata_numbers[] = {"loudness", "gain", "input_level_dbu", "output_level_dbu"};
inline constexpr const char* metadata_strings[] = {"name", "modeled_by", "gear_type", "gear_make", "gear_model", "tone_type"};

inline std::optional<double>* metadata_number(nam::metadata& m, std::size_t i) {
    std::optional<double>* fields[] = {&m.loudness, &m.gain, &m.input_level_dbu, &m.output_level_dbu};
    return fields[i];
}
inline std::optional<std::string>* metadata_string(nam::metadata& m, std::size_t i) {
    std::optional<std::string>* fields[] = {&m.name, &m.modeled_by, &m.gear_type, &m.gear_make, &m.gear_model, &m.tone_type};
    return fields[i];
}

inline nam::metadata parse_metadata(const json* value) {
    nam::metadata result;
    if (!value || value->is_null()) return result;
    if (!value->is_object()) fail(std::string("metadata: expected an object, found ") + found(*value));
    for (std::size_t i = 0; i < 4; ++i)
        if (const json* field = member(*value, metadata_numbers[i]); field && !field->is_null()) {
            if (!field->is_number()) fail(at("metadata", metadata_numbers[i]) + ": expected a number or null, found " + found(*field));
            *metadata_number(result, i) = field->get<double>();
        }
    for (std::size_t i = 0; i < 6; ++i)
        if (const json* field = member(*value, metadata_strings[i]); field && !field->is_null())
            *metadata_string(result, i) = text(*field, at("metadata", metadata_strings[i]), "a string or null");
    std::string written;
    append_json(written, *value, "metadata");
    result.json = std::move(written);
    return result;
}

inline void refuse_architecture(const std::string& architecture, const json& config) {
    const std::string reads = "typenet reads WaveNet (A1) and LSTM files";
    if (architecture == "SlimmableContainer") {
        std::string inside;
        if (const json* submodels = config.is_object() ? member(config, "submodels") : nullptr; submodels && submodels->is_array()) {
            inside = std::string(" of ") + std::to_string(submodels->size()) + (submodels->size() == 1 ? " submodel" : " submodels");
            std::string list;
            for (const auto& submodel : *submodels) {
                const json* model = submodel.is_object() ? member(submodel, "model") : nullptr;
                const json* kind = model && model->is_object() ? member(*model, "architecture") : nullptr;
                const json* bound = submodel.is_object() ? member(submodel, "max_value") : nullptr;
                list.append(list.empty() ? "" : ", ").append(kind && kind->is_string() ? kind->get<std::string>() : std::string("?"));
                if (bound && bound->is_number()) list.append(" up to ").append(float_text(bound->get<double>()));
            }
            if (!list.empty()) inside += ": " + list;
        }
        fail("architecture \"SlimmableContainer\" (NAM's A2 container" + inside + ") is not read by typenet yet; " + reads);
    }
    if (architecture == "ConvNet" || architecture == "Linear")
        fail("architecture \"" + architecture + "\" is a NAM architecture typenet does not read yet; " + reads);
    std::string shown;
    append_string(shown, architecture.size() > 40 ? architecture.substr(0, 40) + "..." : architecture, "architecture");
    fail("architecture: expected one NAM knows (WaveNet, LSTM, ConvNet, Linear, SlimmableContainer), found " + shown + "; " + reads);
}

inline float weight(const json& value, std::size_t index) {
    if (!value.is_number()) fail(at("weights", index) + ": expected a number, found " + found(value));
    const double number = value.get<double>();
    // float32 values: a double that rounds to a finite float is one (FLT_MAX + half its spacing rounds up).
    if (!(std::fabs(number) < 0x1.ffffffp127))
        fail(at("weights", index) + ": expected a float32 value, found " + json_text(value) + " (beyond float's range)");
    if (std::fabs(number) > static_cast<double>(std::numeric_limits<float>::max()))
        return number > 0 ? std::numeric_limits<float>::max() : -std::numeric_limits<float>::max();
    return static_cast<float>(number);
}

inline std::string describe_activation(const activation_config& activation) {
    std::string text = activation.name;
    for (std::size_t i = 0; i < activation.parameters.size(); ++i)
        text.append(i ? ", " : "(").append(float_text(activation.parameters[i])).append(i + 1 == activation.parameters.size() ? ")" : "");
    return text;
}

inline std::string describe_dilations(const std::vector<std::size_t>& dilations) {
    bool doubling = dilations.size() > 1;
    for (std::size_t i = 1; i < dilations.size(); ++i) doubling = doubling && dilations[i] == 2 * dilations[i - 1];
    const std::string count = std::to_string(dilations.size()) + (dilations.size() == 1 ? " dilation " : " dilations ");
    if (doubling) return count + std::to_string(dilations.front()) + ".." + std::to_string(dilations.back());
    std::string list;
    for (std::size_t i = 0; i < dilations.size() && i < 16; ++i) list.append(i ? " " : "").append(std::to_string(dilations[i]));
    return count + list + (dilations.size() > 16 ? " ..." : "");
}

}  // namespace detail

// Parses and checks a whole .nam file (its JSON text). Throws io_error saying what was expected where and
// what was found; nothing is allocated from a number in the file (the weights are as many as the file has).
inline model_file parse_model_file(std::string_view json_text) {
    using detail::fail;
    using detail::json;
    using detail::member;
    const json root = detail::parse_json(json_text);
    if (!root.is_object()) fail(std::string("the top level: expected a JSON object, found ") + detail::found(root));
    const std::string what = "a .nam file has version, architecture, config and weights";
    model_file result;
    const json& version = detail::required(root, "version", "the top level", what);
    detail::check_version(version);
    result.version = version.get<std::string>();
    result.architecture = detail::text(detail::required(root, "architecture", "the top level", what), "architecture");
    const json& config = detail::required(root, "config", "the top level", what);
    if (result.architecture != "WaveNet" && result.architecture != "LSTM") detail::refuse_architecture(result.architecture, config);
    if (!config.is_object()) fail(std::string("config: expected an object, found ") + detail::found(config));
    std::size_t expected = 0;
    if (result.architecture == "WaveNet") {
        result.config = detail::parse_wavenet(config);
        expected = detail::parameter_count(std::get<wavenet_config>(result.config));
    } else {
        result.config = detail::parse_lstm(config);
        expected = detail::parameter_count(std::get<lstm_config>(result.config));
    }

    const json& weights = detail::required(root, "weights", "the top level", what);
    if (!weights.is_array()) fail(std::string("weights: expected an array of numbers, found ") + detail::found(weights));
    result.weights.reserve(weights.size());
    for (std::size_t i = 0; i < weights.size(); ++i) result.weights.push_back(detail::weight(weights[i], i));
    if (weights.size() != expected)
        fail(std::string("weights: expected ") + std::to_string(expected) + " numbers (what this " + result.architecture +
             " configuration has: " + describe(result) + "), found " + std::to_string(weights.size()));

    if (const json* rate = member(root, "sample_rate")) {
        if (!rate->is_number() || !(rate->get<double>() > 0))
            fail(std::string("sample_rate: expected a positive number (Hz), found ") + detail::found(*rate));
        result.sample_rate = rate->get<double>();
    }
    result.metadata = detail::parse_metadata(member(root, "metadata"));
    return result;
}

// read_model_file: parse_model_file of a file's text; the message names the file.
inline model_file read_model_file(const std::filesystem::path& path) {
    const auto bytes = typenet::detail::read_file(path, "typenet::nam::read_model_file");
    try {
        return parse_model_file(std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size()));
    } catch (const io_error& error) {
        std::string message = error.what();
        const std::string prefix = "typenet::nam: ";
        if (message.starts_with(prefix)) message.erase(0, prefix.size());
        throw io_error(prefix + path.string() + ": " + message);
    }
}

// The file as NAM's trainer writes it (Python's json.dump: keys in its order, ", " and ": ", weights as the
// repr of each float32 widened to double, which reads back bit for bit). The result is checked by
// parse_model_file: a model_file that would not read back (a mismatched weight count, NaN, an unknown
// activation, metadata.json that is not a JSON object) throws io_error instead.
inline std::string model_file_text(const model_file& file) {
    using detail::append_float;
    using detail::append_string;
    using detail::fail;
    using detail::json;
    std::string out = "{\"version\": ";
    append_string(out, file.version, "version");

    // metadata: the object of metadata.json with the typed fields put in.
    std::optional<json> meta;
    if (!file.metadata.json.empty()) {
        try {
            meta = detail::parse_json(file.metadata.json);
        } catch (const io_error& error) {
            fail(std::string("metadata.json: ") + std::string(error.what()).substr(std::string_view("typenet::nam: ").size()));
        }
        if (!meta->is_object()) fail(std::string("metadata.json: expected a JSON object, found ") + detail::found(*meta));
    }
    nam::metadata typed = file.metadata;
    for (std::size_t i = 0; i < 10; ++i) {
        const char* key = i < 4 ? detail::metadata_numbers[i] : detail::metadata_strings[i - 4];
        json value;  // null: std::nullopt
        if (i < 4) {
            if (const auto& number = *detail::metadata_number(typed, i)) {
                if (!std::isfinite(*number)) fail(std::string("metadata.") + key + ": not a finite number");
                value = *number;
            }
        } else if (const auto& string = *detail::metadata_string(typed, i - 4)) {
            value = *string;
        }
        const json* present = meta ? detail::member(*meta, key) : nullptr;
        if (value.is_null()) {
            if (present && !present->is_null()) meta->erase(std::string(key));
        } else if (!(present && present->is_number() && value.is_number() && present->get<double>() == value.get<double>() &&
                     std::signbit(present->get<double>()) == std::signbit(value.get<double>()))) {
            if (!meta) meta = json::object();
            (*meta)[key] = std::move(value);  // in place, or appended
        }
    }
    if (meta) {
        out += ", \"metadata\": ";
        detail::append_json(out, *meta, "metadata");
    }

    out += ", \"architecture\": ";
    append_string(out, file.architecture, "architecture");
    out += ", \"config\": ";
    if (const auto* wavenet = std::get_if<wavenet_config>(&file.config)) {
        if (file.architecture != "WaveNet") fail("architecture is \"" + file.architecture + "\" but config holds a wavenet_config");
        out += "{\"layers\": [";
        for (std::size_t i = 0; i < wavenet->layers.size(); ++i) {
            const auto& array = wavenet->layers[i];
            out += i ? ", {" : "{";
            out += std::string("\"input_size\": ") + std::to_string(array.input_size) +
                   ", \"condition_size\": " + std::to_string(array.condition_size) + ", \"head_size\": " + std::to_string(array.head_size) +
                   ", \"channels\": " + std::to_string(array.channels) + ", \"kernel_size\": " + std::to_string(array.kernel_size) +
                   ", \"dilations\": [";
            for (std::size_t k = 0; k < array.dilations.size(); ++k) out.append(k ? ", " : "").append(std::to_string(array.dilations[k]));
            out += "], \"activation\": ";
            detail::append_activation(out, array.activation);
            out += std::string(", \"gated\": ") + (array.gated ? "true" : "false") +
                   ", \"head_bias\": " + (array.head_bias ? "true" : "false") + "}";
        }
        if (!std::isfinite(wavenet->head_scale)) fail("config.head_scale: not a finite number");
        out += "], \"head\": null, \"head_scale\": ";
        append_float(out, wavenet->head_scale);
        out += '}';
    } else {
        if (file.architecture != "LSTM") fail("architecture is \"" + file.architecture + "\" but config holds an lstm_config");
        const auto& lstm = std::get<lstm_config>(file.config);
        out += std::string("{\"input_size\": ") + std::to_string(lstm.input_size) +
               ", \"hidden_size\": " + std::to_string(lstm.hidden_size) + ", \"num_layers\": " + std::to_string(lstm.num_layers) + "}";
    }

    out += ", \"weights\": [";
    out.reserve(out.size() + 22 * file.weights.size() + 64);
    for (std::size_t i = 0; i < file.weights.size(); ++i) {
        if (!std::isfinite(file.weights[i]))
            fail(std::string("weights[") + std::to_string(i) + "]: not a finite number (JSON has no NaN or infinity)");
        if (i) out += ", ";
        append_float(out, static_cast<double>(file.weights[i]));
    }
    out += ']';
    if (file.sample_rate) {
        if (!std::isfinite(*file.sample_rate)) fail("sample_rate: not a finite number");
        out += ", \"sample_rate\": ";
        append_float(out, *file.sample_rate);
    }
    out += '}';

    try {
        (void)parse_model_file(out);
    } catch (const io_error& error) {
        throw io_error(std::string("typenet::nam::model_file_text: the model_file would not read back: ") + error.what());
    }
    return out;
}

// Writes model_file_text to a temporary next to path, then renames it over path.
inline void write_model_file(const std::filesystem::path& path, const model_file& file) {
    const std::string text = model_file_text(file);
    typenet::detail::write_file(path, std::as_bytes(std::span<const char>(text.data(), text.size())),
                                "typenet::nam::write_model_file(" + path.string() + ")");
}

// One line for the error message of a caller that supports only some configurations:
//   "WaveNet: 2 layer arrays [channels 16, kernel 3, 10 dilations 1..512, Tanh, head 8; channels 8, kernel 3,
//    10 dilations 1..512, Tanh, head 1 with bias], head_scale 0.02"
//   "LSTM 2 x 8" (layers x hidden size)
inline std::string describe(const model_file& file) {
    if (const auto* lstm = std::get_if<lstm_config>(&file.config))
        return std::string("LSTM ") + std::to_string(lstm->num_layers) + " x " + std::to_string(lstm->hidden_size) +
               (lstm->input_size != 1 ? std::string(" (input ") + std::to_string(lstm->input_size) + ")" : "");
    const auto& wavenet = std::get<wavenet_config>(file.config);
    std::string text = std::string("WaveNet: ") + std::to_string(wavenet.layers.size()) +
                       (wavenet.layers.size() == 1 ? " layer array [" : " layer arrays [");
    for (std::size_t i = 0; i < wavenet.layers.size(); ++i) {
        const auto& array = wavenet.layers[i];
        text.append(i ? "; channels " : "channels ").append(std::to_string(array.channels)).append(", kernel ");
        text.append(std::to_string(array.kernel_size)).append(", ").append(detail::describe_dilations(array.dilations)).append(", ");
        text.append(array.gated ? "gated " : "").append(detail::describe_activation(array.activation)).append(", head ");
        text.append(std::to_string(array.head_size)).append(array.head_bias ? " with bias" : "");
    }
    return text + "], head_scale " + detail::float_text(wavenet.head_scale);
}

}  // namespace typenet::nam
