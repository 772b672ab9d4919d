#!/usr/bin/env bash
# Runs the training benchmark and its PyTorch peer back to back on core 1 (same machine state).
# Usage: bench/run_training.sh [builddir] [repetitions]
set -euo pipefail
build=${1:-build/bench}
repetitions=${2:-101}
taskset -c 1 "$build/bench/train_step" --repetitions "$repetitions"
taskset -c 1 /usr/bin/python3 "$(dirname "$0")/torch_train_step.py" "$repetitions"
