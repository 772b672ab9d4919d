#include <typenet/typenet.hpp>
// expect: typenet::residual<Layers...>: the branch has no layers
typenet::network<typenet::input<8>, typenet::residual<typenet::fixup>> net;
