// Reference data written by the tools/make_torch_*.py scripts: text lines of key words, then numbers.
#pragma once

#include <doctest/doctest.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

namespace test {

using values = std::vector<double>;
using table = std::map<std::string, values>;

inline table load_table(const std::string& path) {
    std::ifstream file(path);
    REQUIRE_MESSAGE(file, "run the tests from tests/ (meson does): " << path << " not found");
    table result;
    std::string line;
    while (std::getline(file, line)) {
        if (line.empty() || line[0] == '#') continue;
        std::istringstream in(line);
        std::string key, token;
        values numbers;
        while (in >> token) {
            if (std::isdigit(static_cast<unsigned char>(token[0])) || token[0] == '-')
                numbers.push_back(std::stod(token));
            else
                key += (key.empty() ? "" : " ") + token;
        }
        result[key] = numbers;
    }
    return result;
}

inline const values& get(const table& data, const std::string& key) {
    const auto found = data.find(key);
    REQUIRE_MESSAGE(found != data.end(), "missing entry: " << key);
    return found->second;
}

inline double relative(double actual, double expected) { return std::abs(actual - expected) / std::max(std::abs(expected), 1e-8); }

}  // namespace test
