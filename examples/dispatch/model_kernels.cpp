// Compiled once per instruction set by examples/meson.build (plain x86-64, -march=x86-64-v3,
// -march=x86-64-v4; on AArch64 once): each defines model_kernels_<isa>.
#include <typenet/dispatch.hpp>

#include "model.hpp"

TYPENET_DISPATCH_TARGET(model_kernels, model)
