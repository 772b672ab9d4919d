#include <typenet/typenet.hpp>
// expect: KernelSize must be at least 1
typenet::network<typenet::input<2>, typenet::conv1d<4, 0>> net;
