#!/usr/bin/env bash
# demo_check.sh - the lab demo as a test: runs `lab/mip4-lab demo` (default
# stack cvc, the RFC 5265 mobile node) in a private run dir and then checks
# its results.json independently of the demo's own verdict.  Hard failures:
#   - a move of the itinerary I1 I2 E1 E2 E3 E4 E1 I1 missing from results.json
#   - any move with tcp_alive false (the TCP session broke)
#   - any move with plaintext_leak true (an intranet address outside ESP on
#     an outside link, RFC 5265 section 6)
#   - stack cvc: an outside->outside move with ike_exchanges != 0, or with
#     vpn_handshakes != 0 (the VPN's own handshakes: `--vpn NAME` runs the
#     demo on OpenVPN, ocserv/openconnect or WireGuard instead of strongSwan)
#   - the demo itself failing (daemon died, malformed frames, ...)
# Needs root and the packages of scripts/deps.sh.  Exit 0 = pass.
set -uo pipefail
export LC_ALL=C
REPO=$(cd "$(dirname "$(readlink -f "$0")")/../.." && pwd)
((EUID == 0)) || { echo "demo_check: SKIP: needs root"; exit 77; }
TMP=$(mktemp -d /tmp/mip4-demo-check.XXXXXX)
chmod 711 "$TMP" # home agents' engines (unprivileged) reach their state in it
trap 'rm -rf "$TMP/lab"' EXIT

timeout -k 10 840 "$REPO/lab/mip4-lab" --dir "$TMP/lab" demo --out "$TMP/out" "$@"
demo_rc=$?
echo "demo_check: demo exited $demo_rc; records in $TMP/out"

python3 - "$TMP/out/results.json" "$demo_rc" <<'PY'
import json, sys
path, demo_rc = sys.argv[1], int(sys.argv[2])
itinerary = "I1 I2 E1 E2 E3 E4 E1 I1".split()
want = list(zip(itinerary, itinerary[1:]))
fails = []
try:
    res = json.load(open(path))
except (OSError, ValueError) as e:
    print("demo_check: FAIL no results.json: %s" % e)
    sys.exit(1)
need = ["from", "to", "prev_mode", "mode", "kind", "outage_ms", "lost_up", "lost_down",
        "ike_exchanges", "tcp_alive", "plaintext_leak", "stack", "rtt"]
for stack in sorted({r["stack"] for r in res}) or ["cvc"]:
    rs = [r for r in res if r["stack"] == stack]
    got = [(r["from"], r["to"]) for r in rs]
    if got != want:
        fails.append("%s: moves %s, want %s" % (stack, got, want))
    for r in rs:
        m = "%s %s->%s" % (stack, r.get("from"), r.get("to"))
        miss = [k for k in need if k not in r]
        if miss:
            fails.append("%s: fields missing: %s" % (m, miss))
            continue
        if r["tcp_alive"] is not True:
            fails.append("%s: TCP session broke" % m)
        if r["plaintext_leak"] is not False:
            fails.append("%s: plaintext leak: %s" % (m, r.get("leak_examples")))
        if stack == "cvc" and r["kind"] == "outside->outside" and r["ike_exchanges"] != 0:
            fails.append("%s: %d IKE exchanges on an outside->outside move" % (m, r["ike_exchanges"]))
        if stack == "cvc" and r["kind"] == "outside->outside" and r.get("vpn_handshakes") != 0:
            fails.append("%s: %s %s handshakes on an outside->outside move"
                         % (m, r.get("vpn_handshakes"), r.get("vpn")))
        print("demo_check: %-22s %-11s mode %-5s outage %7.1f ms  lost %d/%d  IKE %d  VPN hs %s  TCP %s  leak %s" % (
            m, r.get("vpn"), r["mode"], r["outage_ms"], r["lost_up"], r["lost_down"], r["ike_exchanges"],
            r.get("vpn_handshakes"),
            r["tcp_alive"], r["plaintext_leak"]))
if not res:
    fails.append("results.json is empty")
if demo_rc != 0:
    fails.append("the demo exited %d" % demo_rc)
for f in fails:
    print("demo_check: FAIL %s" % f)
print("demo_check: %s" % ("FAILED" if fails else "PASS"))
sys.exit(1 if fails else 0)
PY
