// The network the fuzz targets load into: small, with every kind of tensor the formats carry.
#pragma once

#include <typenet/typenet.hpp>

namespace fuzz {
using Net = typenet::network<typenet::input<3>, typenet::dense<4>, typenet::tanh, typenet::dense<2>>;
}  // namespace fuzz
