#include "run.hpp"
mixed_isa::result mixed_isa::run_baseline() { return run(); }
