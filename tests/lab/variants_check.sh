#!/usr/bin/env bash
# variants_check.sh - `lab/mip4-lab variants` as a test: runs the five RFC
# 4093 section 2 deployment variants in a private run dir and checks every
# variant's line on its own, against what RFC 4093 says of that placement:
#   ha-inside  (2.1): plain MIP inside works (I1->I2); a plain registration
#              through the x-FA on E2 fails, dropped by the firewall, never
#              reaching the i-HA; MIP inside IPsec (naive) works outside but
#              costs IKE exchanges on every move
#   ha-dmz     (2.2): ESP inside MIP: outside moves work with no IKE; inside
#              (I2) no mobility while intranet->x-HA is blocked, and it works
#              only through the DMZ detour (binding care-of an intranet address)
#   combined   (2.3): every move works (outside and inside), no IKE
#   ha-outside (2.4): outside moves work with no IKE; inside, no intranet
#              mobility (fails, or works only by leaving the intranet)
#   local-link (2.5): every move works (E2 FA, E3 NAT, E4 two NATs), no IKE
# and the line's own verdict must be "as RFC 4093 expects".  Exit 0 = pass,
# 77 = skipped (not root).  Needs root and the packages of scripts/deps.sh.
set -uo pipefail
export LC_ALL=C
REPO=$(cd "$(dirname "$(readlink -f "$0")")/../.." && pwd)
((EUID == 0)) || { echo "variants_check: SKIP: needs root"; exit 77; }
TMP=$(mktemp -d /tmp/mip4-variants-check.XXXXXX)
chmod 711 "$TMP" # home agents' engines (unprivileged) reach their state in it
trap 'rm -rf "$TMP/lab"' EXIT

timeout -k 10 540 "$REPO/lab/mip4-lab" --dir "$TMP/lab" variants "$@" | tee "$TMP/out.txt"
rc=${PIPESTATUS[0]}
echo "variants_check: variants exited $rc; log in $TMP/lab.variants.log"

python3 - "$TMP/out.txt" "$rc" "$@" <<'PY'
import re, sys
path, rc = sys.argv[1], int(sys.argv[2])
lines = {}
for l in open(path):
    m = re.match(r"VARIANT (\S+) +RFC 4093 (\S+) \| ran: (.*?) \| got:(.*?) \| RFC: (.*?) \| (.*)$", l.rstrip("\n"))
    if m:
        lines[m.group(1)] = {"got": [g.strip() for g in m.group(4).split(";")], "verdict": m.group(6)}
fails = []

def item(v, prefix):
    for g in lines[v]["got"]:
        if g.startswith(prefix + " "):
            return g
    fails.append("%s: no result for '%s'" % (v, prefix))
    return None

def ok(v, prefix, ike=None):
    g = item(v, prefix)
    if g is None:
        return
    m = re.search(r" ok, traffic after (\d+)ms, IKE (\d+)", g)
    if not m:
        fails.append("%s: %s did not work: %s" % (v, prefix, g))
        return
    n = int(m.group(2))
    if ike == 0 and n != 0:
        fails.append("%s: %s cost %d IKE exchanges (want 0)" % (v, prefix, n))
    if ike == "some" and n == 0:
        fails.append("%s: %s cost no IKE exchange (MIP inside IPsec must re-IKE)" % (v, prefix))

def failed(v, prefix):
    g = item(v, prefix)
    if g is not None and " FAILED" not in g and " failed" not in g:
        fails.append("%s: %s worked, RFC 4093 says it cannot: %s" % (v, prefix, g))
    return g

expect = {"ha-inside", "ha-dmz", "combined", "ha-outside", "local-link"}
if len(sys.argv) > 3:
    expect = set(sys.argv[3:])
for v in sorted(expect - set(lines)):
    fails.append("%s: no line printed" % v)
if "ha-inside" in lines:
    ok("ha-inside", "inside I1->I2")
    g = failed("ha-inside", "plain via x-FA on E2")
    if g:
        m = re.search(r"firewall dropped (\d+), i-HA saw (\d+) reg", g)
        if not m or int(m.group(1)) == 0 or int(m.group(2)) != 0:
            fails.append("ha-inside: the registration via the x-FA was not stopped by the firewall: %s" % g)
    ok("ha-inside", "naive E1->E3", "some")
    ok("ha-inside", "naive E3->E1", "some")
if "ha-dmz" in lines:
    for mv in ("E1->E2", "E2->E3", "E3->E1"):
        ok("ha-dmz", mv, 0)
    failed("ha-dmz", "E1->I2 no detour")
    g = item("ha-dmz", "I2 via DMZ detour")
    if g and not re.search(r" ok, traffic after \d+ms \(x-HA binding care-of 10\.10\.", g):
        fails.append("ha-dmz: no mobility through the DMZ detour: %s" % g)
if "combined" in lines:
    for mv in ("E1->E2", "E2->E3", "E3->I2", "I2->E1"):
        ok("combined", mv, 0)
if "ha-outside" in lines:
    for mv in ("E1->E2", "E2->E3", "E3->E1"):
        ok("ha-outside", mv, 0)
    g = item("ha-outside", "E1->I2")
    if g and " FAILED" not in g and "only by leaving the intranet (binding care-of 10.10." not in g:
        fails.append("ha-outside: intranet mobility with an outside HA: %s" % g)
if "local-link" in lines:
    for mv in ("E1->E2", "E2->E3", "E3->E4", "E4->E1"):
        ok("local-link", mv, 0)
for v, d in sorted(lines.items()):
    if not d["verdict"].startswith("as RFC 4093 expects"):
        fails.append("%s: the lab's own verdict: %s" % (v, d["verdict"]))
if rc != 0 and not fails:
    fails.append("variants exited %d" % rc)
for f in fails:
    print("variants_check: FAIL %s" % f)
print("variants_check: %s (%d variants checked)" % ("FAIL" if fails else "PASS", len(lines)))
sys.exit(1 if fails else 0)
PY
