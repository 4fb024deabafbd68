#!/usr/bin/env bash
# README command 1 (until the lab demo replaces it): install what is
# missing, build, and decode two captures with mip4ctl:
#   - ../shared/captures/foreign.pcap, from another implementation;
#   - the capture our interop test writes with every message type we encode,
#     checked against known keys.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh
make build >/dev/null
out=${OUT:-out/demo}
mkdir -p "$out"
shared=${MIP4_SHARED:-../shared}

echo "== foreign.pcap (another implementation; no MN-HA authentication)"
build/bin/mip4ctl decode "$shared/captures/foreign.pcap" | tail -n 12

echo
echo "== every message mip4d encodes (tests/interop generator), keys given"
build/bin/mip4-interop-gen "$out/mip4d-all.pcap" "$out/mip4d-all.json" >/dev/null
build/bin/mip4ctl decode $(cat "$out/mip4d-all.json.sa") "$out/mip4d-all.pcap" || true
echo
echo "captures and JSON in $out/"
