#include <doctest/doctest.h>

#include <cmath>
#include <cstdio>
#include <string>

#include <typenet/typenet.hpp>

using namespace typenet;

std::string formatted(const char* format, double value) {
    char text[64];
    std::snprintf(text, sizeof text, format, value);
    return text;
}

TEST_CASE("summary lists every layer with its output width, parameter count and initializer scale") {
    using Net = network<input<10>, dense<10, glorot_uniform>, relu, dense<10, he_normal>, dense<1, keras_lecun_normal>, sigmoid>;
    const std::string text = summary<Net>("SimpleNet");
    INFO(text);
    CHECK(text.find("Model: \"SimpleNet\"") != std::string::npos);
    CHECK(text.find("glorot_uniform   U(-a, a), a = " + formatted("%.6g", std::sqrt(6.0 / 20))) != std::string::npos);
    CHECK(text.find("he_normal        N, std = " + formatted("%.6g", std::sqrt(2.0 / 10))) != std::string::npos);
    CHECK(text.find("keras_lecun_normal truncated N, std = " + formatted("%.6g", std::sqrt(1.0 / 10))) != std::string::npos);
    CHECK(text.find(" relu ") != std::string::npos);
    CHECK(text.find(" sigmoid ") != std::string::npos);
    CHECK(text.find("Total params: " + std::to_string(110 + 110 + 11)) != std::string::npos);
}
