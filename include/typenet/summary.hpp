// A Keras-like summary of a network type: one row per layer with its output width, parameter count, and
// for dense layers the resolved initializer with its scale for that layer's shape.
#pragma once

#include <cstdio>
#include <string>

#include <boost/mp11/algorithm.hpp>

#include "network.hpp"

namespace typenet {

namespace detail {

template <class Init>
std::string describe_init(std::size_t fan_in, std::size_t fan_out) {
    char text[96];
    if constexpr (requires { Init::bound(fan_in, fan_out); })
        std::snprintf(text, sizeof text, "U(-a, a), a = %.6g", Init::bound(fan_in, fan_out));
    else if constexpr (requires { Init::value; })
        std::snprintf(text, sizeof text, "constant %.6g", Init::value);
    else if constexpr (requires { Init::lower; })
        std::snprintf(text, sizeof text, "U(%.6g, %.6g)", Init::lower, Init::upper);
    else if constexpr (requires { Init::sampling_stddev(fan_in, fan_out); })
        std::snprintf(text, sizeof text, "truncated N, std = %.6g", Init::stddev(fan_in, fan_out));
    else if constexpr (requires { Init::gain; })
        std::snprintf(text, sizeof text, "gain %.6g, std = %.6g", Init::gain, Init::stddev(fan_in, fan_out));
    else
        std::snprintf(text, sizeof text, "N, std = %.6g", Init::stddev(fan_in, fan_out));
    return text;
}

}  // namespace detail

template <class Net>
std::string summary(std::string_view model_name = "network") {
    std::string text = "Model: \"" + std::string(model_name) + "\"\n";
    char row[256];
    const char* rule = "------------------------------------------------------------------------------------------\n";
    std::snprintf(row, sizeof row, " %-3s %-16s %-8s %10s   %-16s %s\n", "#", "Layer", "Output", "Params", "Weight init",
                  "Scale for this layer");
    text += rule;
    text += row;
    text += "==========================================================================================\n";
    std::snprintf(row, sizeof row, " %-3s %-16s (%zu)%*s\n", "", "input", Net::input_size, 0, "");
    text += row;
    boost::mp11::mp_for_each<boost::mp11::mp_iota_c<Net::layer_count>>([&](auto index) {
        constexpr std::size_t i = decltype(index)::value;
        using layer = typename Net::template layer<i>;
        if constexpr (is_activation_v<layer>) {
            std::snprintf(row, sizeof row, " %-3zu %-16s %-8s %10d\n", i, std::string(layer::name).c_str(), "", 0);
        } else {
            const std::string width = "(" + std::to_string(layer::fan_out) + ")";
            const std::string scale = detail::describe_init<typename layer::weight_init>(layer::fan_in, layer::fan_out);
            std::snprintf(row, sizeof row, " %-3zu %-16s %-8s %10zu   %-16s %s\n", i, "dense", width.c_str(),
                          layer::parameter_count, std::string(layer::weight_init::name).c_str(), scale.c_str());
        }
        text += row;
    });
    text += "==========================================================================================\n";
    std::snprintf(row, sizeof row, "Total params: %zu (%zu bytes in the model, padding included)\n", Net::parameter_count,
                  sizeof(Net));
    text += row;
    return text;
}

}  // namespace typenet
