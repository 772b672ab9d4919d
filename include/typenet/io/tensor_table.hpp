// What the file formats know about a network type: its parameter tensors with their state_dict names,
// logical shapes and places in the parameter vector, and a readable shape signature with its hash.
//
// Documentation: docs/deploying.md
// Distributed under the Boost Software License, Version 1.0 (see LICENSE or https://www.boost.org/LICENSE_1_0.txt).
#pragma once

#include <array>
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "../detail/static_for.hpp"

namespace typenet {

// A typenet network type (basic_network<T, input<N>, ...>).
template <class Net>
concept network_model = requires {
    typename Net::plan;
    typename Net::value_type;
    { Net::parameter_count } -> std::convertible_to<std::size_t>;
};

}  // namespace typenet

namespace typenet::detail {

struct tensor_entry {
    std::string name;                  // "0.weight": layer index (activations counted) and tensor name
    std::vector<std::uint64_t> shape;  // PyTorch's: [out, in] for a dense weight
    std::size_t offset = 0;            // start in the parameter vector
    std::size_t size = 0;              // elements
};

inline std::string describe_shape(const std::vector<std::uint64_t>& shape) {
    std::string text = "[";
    for (std::size_t d = 0; d < shape.size(); ++d) text += (d ? ", " : "") + std::to_string(shape[d]);
    return text + "]";
}

template <class Plan, std::size_t I, std::size_t J>
void append_tensor_entry(std::vector<tensor_entry>& table) {
    using tensor = typename Plan::template tensor<I, J>;
    table.push_back({std::to_string(I) + "." + std::string(tensor::name),
                     std::vector<std::uint64_t>(tensor::shape.begin(), tensor::shape.end()), Plan::template parameter_offset<I, J>,
                     tensor::size});
}
template <class Plan, std::size_t I>
void append_layer_entries(std::vector<tensor_entry>& table) {
    [&]<std::size_t... J>(std::index_sequence<J...>) {
        (append_tensor_entry<Plan, I, J>(table), ...);
    }(std::make_index_sequence<Plan::template tensor_count<I>>{});
}

// Every parameter tensor in the order of the parameter vector.
template <network_model Net>
std::vector<tensor_entry> tensor_table() {
    using plan = typename Net::plan;
    std::vector<tensor_entry> table;
    static_for<plan::layer_count>([&](auto i) { append_layer_entries<plan, decltype(i)::value>(table); });
    return table;
}

template <class T>
constexpr std::string_view scalar_name() noexcept {
    return std::is_same_v<T, float> ? "float32" : "float64";
}

// "float32 | input 4 | 0 dense 4->8 weight[8, 4] bias[8] | 1 relu 8 | 2 dense 8->1 weight[1, 8] bias[1]":
// everything a parameter file must agree on, readable in an error message.
template <network_model Net>
std::string shape_signature() {
    using plan = typename Net::plan;
    const auto table = tensor_table<Net>();
    std::string text = std::string(scalar_name<typename Net::value_type>()) + " | input " + std::to_string(plan::input_size);
    std::array<std::string_view, plan::layer_count> names{};
    static_for<plan::layer_count>([&](auto i) { names[i] = plan::template layer<decltype(i)::value>::name; });
    for (std::size_t i = 0; i < plan::layer_count; ++i) {
        text += " | " + std::to_string(i) + " " + std::string(names[i]) + " ";
        if (plan::widths[i] == plan::widths[i + 1])
            text += std::to_string(plan::widths[i]);
        else
            text += std::to_string(plan::widths[i]) + "->" + std::to_string(plan::widths[i + 1]);
        const std::string prefix = std::to_string(i) + ".";
        for (const auto& entry : table)
            if (entry.name.compare(0, prefix.size(), prefix) == 0) {
                // Appended piece by piece: " " + std::string&& trips g++ 12's -Wrestrict at -O3 (GCC bug 105329).
                text += ' ';
                text.append(entry.name, prefix.size());
                text += describe_shape(entry.shape);
            }
    }
    return text;
}

// The network's parameter vector (get_parameters) on the heap, and back (set_parameters): what every writer
// serializes and every reader fills before it touches the network.
template <network_model Net>
std::vector<typename Net::value_type> parameter_vector(const Net& net) {
    std::vector<typename Net::value_type> values(Net::parameter_count);
    net.get_parameters(std::span<typename Net::value_type, Net::parameter_count>(values.data(), Net::parameter_count));
    return values;
}
template <network_model Net>
void assign_parameters(Net& net, const std::vector<typename Net::value_type>& values) noexcept {
    net.set_parameters(std::span<const typename Net::value_type, Net::parameter_count>(values.data(), Net::parameter_count));
}

// FNV-1a, 64 bits: a short fingerprint of the signature for tools that list files.
constexpr std::uint64_t fnv1a_64(std::string_view text) noexcept {
    std::uint64_t hash = 0xcbf29ce484222325ull;
    for (char c : text) hash = (hash ^ static_cast<unsigned char>(c)) * 0x100000001b3ull;
    return hash;
}

}  // namespace typenet::detail
