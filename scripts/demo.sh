#!/usr/bin/env bash
# README command 1: install what is missing, build, and run the lab demo:
# an enterprise with an unmodified strongSwan VPN gateway, an i-HA and an
# x-HA, the Internet with a hotel Wi-Fi, an operator network with a
# foreign agent and two NATs, and a mobile node running the RFC 5265 stack
# (x-MIP + IPsec + i-MIP) along I1 I2 E1 E2 E3 E4 E1 I1 under a TCP session
# and 1 ms UDP probes.  Prints a table per move and a verdict against
# RFC 4093 §5, writes results.json, timeline.png and the captures to
# $OUT (default out/demo), tears the lab down, and exits non-zero if a
# session broke, a plaintext leak was found or a daemon died.
#
# Extra arguments go to `lab/mip4-lab demo`, e.g. `--stack all` (our stack,
# RFC 5266 MOBIKE and the naive RFC 4093 §4.1 baseline side by side) or
# `--rtt 10`.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh
make build >/dev/null
out=${OUT:-out/demo}
mkdir -p "$out"
exec lab/mip4-lab --dir "${MIP4_LAB_DIR:-/run/mip4-lab-demo}" demo --out "$out" "$@"
