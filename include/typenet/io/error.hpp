// typenet::io_error: what every reader and writer of typenet throws. The message says what was expected
// and what was found; a reader that throws has not touched the network.
#pragma once

#include <stdexcept>

namespace typenet {

struct io_error : std::runtime_error {
    using std::runtime_error::runtime_error;
};

}  // namespace typenet
