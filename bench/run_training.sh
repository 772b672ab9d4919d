#!/usr/bin/env bash
# Runs the training benchmark and its PyTorch peer back to back on core 1 (same machine state).
# Usage: bench/run_training.sh [builddir] [repetitions]
set -euo pipefail
build=${1:-build/bench}
repetitions=${2:-101}
# One thread everywhere: the peers' BLAS (OpenBLAS when libopenblas0-pthread is installed) would otherwise
# start threads that compete for the one pinned core.
export OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1 MKL_NUM_THREADS=1
blas=$(readlink -f /usr/lib/x86_64-linux-gnu/libblas.so.3 2>/dev/null || echo unknown)
echo "libblas.so.3 (used by dlib and by PyTorch, BLAS_INFO=generic) -> $blas"
taskset -c 1 "$build/bench/train_step" --repetitions "$repetitions"
taskset -c 1 /usr/bin/python3 "$(dirname "$0")/torch_train_step.py" "$repetitions"
