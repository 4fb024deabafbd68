#!/usr/bin/env bash
# The decoder reads a capture from another implementation
# (../shared/captures/foreign.pcap: 14 registration messages, 416 ICMP)
# without a single decode error, and flags that its registrations carry no
# MN-HA authentication extension.
set -euo pipefail
ctl=$1 pcap=$2
fail() { echo "FAIL: $*" >&2; exit 1; }

out=$("$ctl" decode "$pcap") || fail "decode exited $?"
summary=$(grep '^summary:' <<<"$out")
echo "$summary"
grep -q '14 mobile-ip messages (7 requests, 7 replies' <<<"$summary" || fail "expected 7+7 registration messages"
grep -q '42 advertisements, 42 solicitations, 332 other icmp, 0 malformed' <<<"$summary" \
  || fail "expected 42+42+332 = 416 ICMP and nothing malformed"
grep -q '^auth: 0 ok, 0 bad, 14 missing' <<<"$out" || fail "expected all 14 registrations flagged missing"

# JSON mode: one valid object per message, same verdicts.
"$ctl" decode --json "$pcap" 2>/dev/null | python3 -c '
import json, sys
msgs = [json.loads(l) for l in sys.stdin]
reg = [m for m in msgs if m["type"] in ("registration-request", "registration-reply")]
assert len(reg) == 14, len(reg)
assert all(m["auth"] == "missing" for m in reg), "auth verdicts"
rrq = [m for m in reg if m["type"] == "registration-request"]
assert all(m["home_addr"] == "192.168.2.1" and m["ha_addr"] == "192.168.0.2"
           and m["coa"] == "192.168.0.3" and m["lifetime"] == 60 for m in rrq), rrq[0]
adv = [m for m in msgs if m["type"] == "agent-advertisement"]
assert len(adv) == 42 and all("F" in a["flags"] and a["coa"] == ["192.168.0.3"] for a in adv)
assert [a["seq"] for a in adv] == list(range(1, 43)), "advertisement sequence numbers"
print("json: %d messages ok" % len(msgs))
' || fail "JSON output"

# A key for a SPI nobody used changes nothing: still missing, never ok.
"$ctl" decode --sa 0x1000:00112233445566778899aabbccddeeff "$pcap" | grep -q '^auth: 0 ok, 0 bad, 14 missing' \
  || fail "--sa must not turn missing into ok"
# Bad options are refused with status 2.
set +e
"$ctl" decode --sa nonsense "$pcap" >/dev/null 2>&1; rc=$?
set -e
[[ $rc == 2 ]] || fail "bad --sa accepted (rc=$rc)"
echo "PASS"
