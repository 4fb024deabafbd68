#!/usr/bin/env bash
# The longer fuzz run: build the libFuzzer configuration into build/fuzz and
# run every harness (or those named) for SECONDS each (default 60),
# starting from the committed seeds plus whatever earlier runs added to
# build/fuzz/run/.
#
#   scripts/fuzz.sh [SECONDS] [HARNESS...]
#
# Prints executions, coverage and the result per harness; exits non-zero
# if any harness crashed (the input is left in build/fuzz/run/NAME/artifacts).
set -uo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
secs=${1:-60}
shift $(($# > 0 ? 1 : 0))
build=$root/build/fuzz

mkdir -p "$build"
cmake -S "$root" -B "$build" -DCMAKE_C_COMPILER=clang -DMIP4_FUZZ=ON \
  >"$build/configure.log" 2>&1 ||
  { cat "$build/configure.log"; exit 2; }

# Default: every harness with a seed corpus that CMake knows as a target.
harnesses=("$@")
if ((${#harnesses[@]} == 0)); then
  targets=$(cmake --build "$build" --target help 2>/dev/null)
  for d in "$root"/fuzz/corpus/*/; do
    h=$(basename "$d")
    grep -qw -- "$h" <<<"$targets" && harnesses+=("$h")
  done
fi
((${#harnesses[@]})) || { echo "fuzz: no harness found" >&2; exit 2; }
cmake --build "$build" -j"$(nproc)" --target "${harnesses[@]}" \
  >"$build/build.log" 2>&1 ||
  { tail -n 40 "$build/build.log"; exit 2; }

fail=0
for h in "${harnesses[@]}"; do
  bash "$root/fuzz/run_harness.sh" "$build/bin/$h" "$root/fuzz/corpus/$h" \
    "$build/run/$h" "$secs" || fail=1
done
if ((fail)); then
  echo "fuzz: FAILED (see the artifacts above)"
else
  echo "fuzz: all ${#harnesses[@]} harnesses ran ${secs}s each without a crash"
fi
exit "$fail"
