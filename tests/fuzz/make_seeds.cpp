// Writes the seed corpus (tests/fuzz/corpus): valid files of the fuzz network in both formats, one per
// scalar type for the native one. Run once when the formats change; the outputs are committed.
// (corpus/nam/ is not written here: it holds small hand-written .nam texts, A1 and LSTM files that read,
// A2-style keys holding A1 values, and A2 features and a container that are refused.)
#include <typenet/io.hpp>

#include "fuzz_model.hpp"

int main() {
    fuzz::Net net;
    net.initialize(1);
    typenet::save(net, "corpus/native/valid_float.typenet");
    typenet::save(typenet::basic_network<double, typenet::input<3>, typenet::dense<4>, typenet::tanh, typenet::dense<2>>{},
                  "corpus/native/valid_double.typenet");
    typenet::save_safetensors(net, "corpus/safetensors/valid.safetensors");
}
