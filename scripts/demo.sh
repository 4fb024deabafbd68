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
echo "== every message mip4d encodes (the interop test's generator), keys given"
build/bin/gen_pcap "$out/mip4d-all.pcap" "$out/mip4d-all.json"
mapfile -t sa < <(python3 -c 'import json,sys; [print("--sa=" + s) for s in json.load(open(sys.argv[1]))["sa"]]' "$out/mip4d-all.json")
# One frame carries a deliberately corrupted authenticator: expect 1 bad.
build/bin/mip4ctl decode "${sa[@]}" "$out/mip4d-all.pcap" | tail -n 24
echo
echo "captures and manifests in $out/"
