// typenet::io_error: what every reader and writer of typenet throws. The message says what was expected
// and what was found; a reader that throws has not touched the network.
//
// Documentation: docs/deploying.md
// Distributed under the Boost Software License, Version 1.0 (see LICENSE or https://www.boost.org/LICENSE_1_0.txt).
#pragma once

#include <stdexcept>

namespace typenet {

struct io_error : std::runtime_error {
    using std::runtime_error::runtime_error;
};

}  // namespace typenet
