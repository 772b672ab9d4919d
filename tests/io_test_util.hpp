// Helpers of the I/O tests: a byte snapshot of a network (to prove a failed load changed nothing) and
// a check that a call throws io_error with every given fragment in its message.
#pragma once

#include <doctest/doctest.h>

#include <cstddef>
#include <cstring>
#include <filesystem>
#include <initializer_list>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <unistd.h>

#include <typenet/io/error.hpp>

namespace io_test {

template <class Net>
std::vector<std::byte> snapshot(const Net& net) {
    const auto block = std::as_bytes(net.parameter_block());
    return {block.begin(), block.end()};
}

// Runs load(); it must throw typenet::io_error whose message contains every fragment.
template <class Load>
std::string expect_io_error(Load&& load, std::initializer_list<std::string_view> fragments) {
    std::string message;
    try {
        load();
    } catch (const typenet::io_error& error) {
        message = error.what();
    }
    CHECK_MESSAGE(!message.empty(), "no io_error was thrown");
    for (auto fragment : fragments) CHECK_MESSAGE(message.find(fragment) != std::string::npos, "message: ", message, "\nlacks: ", fragment);
    return message;
}

// A fresh directory under the system's temporary directory, removed at the end of the test.
struct temporary_directory {
    std::filesystem::path path;
    explicit temporary_directory(std::string_view name)
        : path(std::filesystem::temp_directory_path() / (std::string("typenet-") + std::string(name) + "-" + std::to_string(::getpid()))) {
        std::filesystem::create_directories(path);
    }
    ~temporary_directory() {
        std::error_code ignored;
        std::filesystem::remove_all(path, ignored);
    }
};

}  // namespace io_test
