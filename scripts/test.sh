#!/usr/bin/env bash
# The whole test suite (README command 2, and what CI runs):
#   1. install missing Debian packages (scripts/deps.sh vpn: with the lab's
#      other VPN products)
#   2. gcc build, every test (unit, interop, lab)
#   3. clang build with -Werror, unit tests
#   4. clang ASan+UBSan build: unit, interop and the namespace tests again,
#      so the daemons run sanitized
#   5. libFuzzer harnesses, a few seconds each on their seed corpora
#   6. cppcheck and clang-tidy (scripts/lint.sh)
set -euo pipefail
cd "$(dirname "$0")/.."
jobs=$(nproc)
t0=$(date +%s)

stage() { printf '\n=== %s (%ds)\n' "$*" $(( $(date +%s) - t0 )); }

configure_build() { # DIR CMAKE-ARGS...
  local dir=$1; shift
  cmake -S . -B "$dir" "$@" >/dev/null
  cmake --build "$dir" -j "$jobs" 2>&1 | grep -vE '^\[ *[0-9]+%\]|^-- ' || true
  # grep swallowed the exit status: build again to learn it.
  cmake --build "$dir" -j "$jobs" >/dev/null
}

stage "dependencies"
scripts/deps.sh vpn

stage "gcc build + all tests"
configure_build build -DCMAKE_C_COMPILER=gcc
(cd build && ctest --output-on-failure -j "$jobs" -LE fuzz)

stage "clang build + unit tests"
configure_build build/clang -DCMAKE_C_COMPILER=clang
(cd build/clang && ctest --output-on-failure -j "$jobs" -L unit)

stage "ASan+UBSan build + unit, interop and namespace tests"
configure_build build/asan -DCMAKE_C_COMPILER=clang -DMIP4_SANITIZE=ON -DCMAKE_BUILD_TYPE=Debug
(cd build/asan && ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
   UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
   ctest --output-on-failure -j "$jobs" -L 'unit|interop|lab')

stage "fuzz harnesses (short runs)"
configure_build build/fuzz -DCMAKE_C_COMPILER=clang -DMIP4_FUZZ=ON
(cd build/fuzz && ctest --output-on-failure -j "$jobs" -L fuzz)

stage "static analysis"
BUILD=build scripts/lint.sh

stage "all stages passed"
