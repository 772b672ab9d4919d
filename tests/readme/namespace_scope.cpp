// A README block of declarations at namespace scope.
#include <typenet/typenet.hpp>
namespace tn = typenet;
// README BLOCK
