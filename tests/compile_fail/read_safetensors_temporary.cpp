// read_safetensors returns spans into the buffer it reads: a temporary buffer is refused at compile time.
#include <typenet/io.hpp>
// expect: deleted function
auto contents = typenet::read_safetensors(typenet::read_file("model.safetensors"));
