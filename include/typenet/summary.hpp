// A Keras-like summary of a network type: one row per layer with its kind, output width, parameter count,
// and the initializer columns the layer reports (layer contract: summary()), e.g. a dense layer's
// resolved initializer with its scale for that layer's shape. A combinator's layers (residual, sequential,
// parallel) follow its row, indented, under their state_dict names (3.0, 3.2, 3.shortcut).
//
// Documentation: docs/declaring-networks.md
// Distributed under the Boost Software License, Version 1.0 (see LICENSE or https://www.boost.org/LICENSE_1_0.txt).
#pragma once

#include <cstdio>
#include <string>
#include <string_view>
#include <vector>

#include "detail/static_for.hpp"
#include "layer.hpp"
#include "network.hpp"

namespace typenet {

template <class Net>
std::string summary(std::string_view model_name = "network") {
    using plan = typename Net::plan;
    std::string text = "Model: \"";
    text += model_name;
    text += "\"\n";
    char row[256];
    const char* rule = "------------------------------------------------------------------------------------------\n";
    std::snprintf(row, sizeof row, " %-3s %-16s %-8s %10s   %-16s %s\n", "#", "Layer", "Output", "Params", "Weight init",
                  "Scale for this layer");
    text += rule;
    text += row;
    text += "==========================================================================================\n";
    std::snprintf(row, sizeof row, " %-3s %-16s (%zu)%*s\n", "", "input", Net::input_size, 0, "");
    text += row;
    detail::static_for<Net::layer_count>([&](auto index) {
        constexpr std::size_t i = decltype(index)::value;
        using layer = typename Net::template layer<i>;
        constexpr std::size_t parameters = detail::tensor_totals<typename plan::template tensors<i>>::size;
        const summary_row columns = detail::summary_of<layer>();
        // Element-wise layers without parameters (activations) leave the output column empty, as Keras does.
        // snprintf, not "(" + std::to_string(...): g++ 12 at -O3 reports a false -Wrestrict in the latter.
        char width[32] = "";
        if (parameters != 0 || !detail::is_element_wise<layer>()) std::snprintf(width, sizeof width, "(%zu)", plan::widths[i + 1]);
        std::snprintf(row, sizeof row, " %-3zu %-16s %-8s %10zu   %-16s %s", i, std::string(layer::name).c_str(), width, parameters,
                      columns.initializer.c_str(), columns.scale.c_str());
        std::string line = row;
        line.erase(line.find_last_not_of(' ') + 1);  // layers without initializer columns end at their count
        text += line;
        text += '\n';
        // A combinator's layers below its row, indented by their depth, named by their state_dict prefix.
        if constexpr (requires(std::vector<summary_entry>& rows) { layer::nested_summary(rows, std::string(), 1); }) {
            std::vector<summary_entry> nested;
            layer::nested_summary(nested, std::to_string(i), 1);
            for (const summary_entry& entry : nested) {
                const std::string label = std::string(2 * std::size_t(entry.depth), ' ') + entry.index + " " + std::string(entry.name);
                char nested_width[32] = "";
                if (entry.width != 0) std::snprintf(nested_width, sizeof nested_width, "(%zu)", entry.width);
                std::snprintf(row, sizeof row, " %-3s %-16s %-8s %10zu   %-16s %s", "", label.c_str(), nested_width, entry.parameters,
                              entry.columns.initializer.c_str(), entry.columns.scale.c_str());
                line = row;
                line.erase(line.find_last_not_of(' ') + 1);
                text += line;
                text += '\n';
            }
        }
    });
    text += "==========================================================================================\n";
    std::snprintf(row, sizeof row, "Total params: %zu (%zu bytes in the model, padding included)\n", Net::parameter_count, sizeof(Net));
    text += row;
    return text;
}

}  // namespace typenet
