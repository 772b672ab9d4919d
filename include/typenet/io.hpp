// Models in and out of a program (needs nlohmann-json for safetensors and .nam; the inference headers do not):
//   typenet::save / typenet::load                      typenet's format (io/native.hpp)
//   typenet::save_safetensors / load_safetensors       PyTorch's state_dict as safetensors (io/safetensors.hpp)
//   typenet::write_header                              the model as a constexpr object in a C++ header (io/write_header.hpp)
//   typenet::nam::read_model_file / write_model_file   Neural Amp Modeler's .nam files as plain data (io/nam.hpp)
// Every reader throws typenet::io_error and leaves the network as it was.
//
// Documentation: docs/deploying.md
// Distributed under the Boost Software License, Version 1.0 (see LICENSE or https://www.boost.org/LICENSE_1_0.txt).
#pragma once

#include "io/error.hpp"
#include "io/nam.hpp"
#include "io/native.hpp"
#include "io/safetensors.hpp"
#include "io/write_header.hpp"
