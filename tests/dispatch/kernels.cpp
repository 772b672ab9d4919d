// Compiled once per instruction set (tests/meson.build): model_kernels_isa_sse2, _isa_avx2_fma, ...
#include <typenet/dispatch.hpp>

#include "model.hpp"

TYPENET_DISPATCH_TARGET(model_kernels, dispatch_test::model)
TYPENET_DISPATCH_TARGET(other_kernels, dispatch_test::other_model)
TYPENET_DISPATCH_TARGET(stateful_kernels, dispatch_test::stateful_model)
