// The model of the dispatch example: included by every translation unit.
#pragma once

#include <typenet/typenet.hpp>

using model = typenet::network<typenet::input<16>, typenet::dense<64>, typenet::relu, typenet::dense<64>, typenet::relu, typenet::dense<8>>;
