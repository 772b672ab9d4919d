// libFuzzer target: typenet::nam::parse_model_file on arbitrary text. Every input is either refused with
// io_error or accepted; an accepted file must write (model_file_text), read back to the same data with the
// weights bit for bit, and write again to the same text.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>

#include <typenet/io/nam.hpp>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    namespace nam = typenet::nam;
    nam::model_file file;
    try {
        file = nam::parse_model_file(std::string_view(reinterpret_cast<const char*>(data), size));
    } catch (const typenet::io_error&) {
        return 0;
    }
    (void)nam::describe(file);
    std::string text;
    nam::model_file back;
    try {
        text = nam::model_file_text(file);
        back = nam::parse_model_file(text);
    } catch (const typenet::io_error&) {
        std::abort();  // an accepted file must write and read back
    }
    if (!(back == file)) std::abort();
    if (!file.weights.empty() && std::memcmp(back.weights.data(), file.weights.data(), file.weights.size() * sizeof(float)) != 0)
        std::abort();
    if (nam::model_file_text(back) != text) std::abort();
    return 0;
}
