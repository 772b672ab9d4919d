// Compiled once per instruction set (bench/meson.build): net_a_kernels_<isa>, net_b_..., net_c_..., net_gru_...
#include <typenet/dispatch.hpp>

#include "dispatch_nets.hpp"

TYPENET_DISPATCH_TARGET(net_a_kernels, dispatch_bench::net_a)
TYPENET_DISPATCH_TARGET(net_b_kernels, dispatch_bench::net_b)
TYPENET_DISPATCH_TARGET(net_c_kernels, dispatch_bench::net_c)
TYPENET_DISPATCH_TARGET(net_gru_kernels, dispatch_bench::net_gru)
