#!/bin/sh
# Runs nam_render on ../shared/nam/input.wav with every A1 WaveNet and LSTM file of ../shared/nam (and trained/),
# then checks that bad input exits non-zero with a message. Skipped (exit 77) when ../shared/nam is absent.
# Usage: nam_render_check.sh NAM_RENDER SHARED_NAM_DIRECTORY
set -u
render=$1 shared=$2
if [ ! -f "$shared/input.wav" ]; then echo "skipped: $shared is absent"; exit 77; fi
out=$(mktemp -d) || exit 1
trap 'rm -rf "$out"' EXIT
status=0
for model in wavenet lstm wavenet_a1_standard trained/BossWN-standard trained/BossWN-feather trained/BossWN-nano \
             trained/BossLSTM-1x16 trained/BossLSTM-2x8; do
  for block in 64 1; do
    if "$render" "$shared/$model.nam" "$shared/input.wav" "$out/out.wav" --block $block >"$out/log" 2>&1 &&
       [ -s "$out/out.wav" ]; then
      echo "$model (block $block): $(tail -n 1 "$out/log")"
    else
      echo "FAILED: $model (block $block)"; cat "$out/log"; status=1
    fi
  done
done
# Bad input: non-zero exit and a message on stderr.
expect_error() {
  if "$render" "$@" >"$out/log" 2>"$out/err"; then echo "FAILED: accepted $*"; status=1
  elif [ ! -s "$out/err" ]; then echo "FAILED: no message for $*"; status=1
  else echo "refused as expected: $(head -c 200 "$out/err")"; fi
}
expect_error "$shared/A2.nam" "$shared/input.wav" "$out/x.wav"
expect_error "$shared/trained/BossWN-nano.nam" "$out/missing.wav" "$out/x.wav"
expect_error "$shared/trained/BossWN-nano.nam" "$shared/input.wav" "$out/x.wav" --block 0
expect_error "$shared/trained/BossWN-nano.nam" "$shared/input.wav"
expect_error "$shared/README.md" "$shared/input.wav" "$out/x.wav"
exit $status
