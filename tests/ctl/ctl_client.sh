#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# mip4ctl's control-socket client against a stand-in daemon
# (fake_mip4d.py) that answers what each case needs:
#   (a) one answer line of several MiB (the old reader stopped at 64 KiB)
#   (b) an answer in parts ("more": true), joined: arrays appended, objects
#       merged; every request says "more-ok"
#   (c) errors: ok=false, garbage, a stream cut short, parts that do not
#       fit: exit 1 with a message, never a crash
#   (d) metrics of an RFC 5265 mobile node (inner/outer layers, nested
#       objects) and of a home agent + foreign agent (answers captured from
#       a real mip4d), checked against the mapping of docs/mip4ctl.8
#   (e) MIP4D_SOCKET, and -s before and after the subcommand
#   (f) listing filters: sent in the request, and refused when the
#       answer does not say it applied them (a daemon that predates them)
#
# usage: ctl_client.sh MIP4CTL     (no root needed; ~3 s)
set -uo pipefail

MIP4CTL=$(realpath "${1:?usage: $0 mip4ctl}")
HERE=$(cd "$(dirname "$0")" && pwd)
PY=/usr/bin/python3
TMP=$(mktemp -d /tmp/ctl_client.XXXXXX)
PIDS=()
NAME=ctl_client
. "$HERE/../testlib.sh"

cleanup() {
  local p
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
  rm -rf "$TMP"
}
trap cleanup EXIT

# serve NAME: start the stand-in with scenario $TMP/NAME.json on
# $TMP/NAME.sock
serve() {
  "$PY" "$HERE/fake_mip4d.py" "$TMP/$1.sock" "$TMP/$1.json" "$TMP/$1.log" &
  PIDS+=($!)
  wait_for 5 test -S "$TMP/$1.sock"
}

# scenario NAME PYTHON: the PYTHON expression (a dict command -> list of
# lines, `ok(result, more=False)` available) written as NAME.json
scenario() {
  "$PY" - "$TMP/$1.json" "$2" <<'EOF'
import json, sys
def ok(result, more=False):
    d = {"version": 1, "ok": True, "result": result}
    if more:
        d["more"] = True
    return json.dumps(d, separators=(",", ":"))
def binding(i):
    return {"home_addr": f"10.{i >> 16 & 255}.{i >> 8 & 255}.{i & 255}", "coa": "203.0.113.9",
            "peer": "203.0.113.9", "peer_port": 434, "encap": "ipip", "flags": "T",
            "lifetime": 600, "remaining": 599, "coas": [], "spi": 256 + i,
            "pkts_to_mn": 0, "bytes_to_mn": 0, "pkts_from_mn": 0, "bytes_from_mn": 0}
json.dump(eval(sys.argv[2]), open(sys.argv[1], "w"))
EOF
}

# count FILE: the length of the JSON array in FILE
count() { "$PY" -c 'import json,sys; print(len(json.load(open(sys.argv[1]))))' "$1" 2>/dev/null; }

case_big() { # (a)
  scenario big '{"bindings": [ok([binding(i) for i in range(25000)])]}'
  serve big || { fail "(a) stand-in did not start"; return; }
  "$MIP4CTL" -s "$TMP/big.sock" bindings --json > "$TMP/big.out" 2> "$TMP/big.err"
  local rc=$? size n
  size=$(stat -c %s "$TMP/big.out"); n=$(count "$TMP/big.out")
  check "(a) a $size-byte answer line: $n of 25000 bindings (exit $rc)" \
    eval '[[ $rc -eq 0 && $n == 25000 ]] && (( size > 4 * 1024 * 1024 ))'
}

case_chunks() { # (b)
  scenario chunks '{
    "bindings": [ok([binding(i) for i in range(0, 100)], True),
                 ok([binding(i) for i in range(100, 250)], True),
                 ok([binding(i) for i in range(250, 260)])],
    "counters": [ok({"home-agent": {"requests": 5}}, True),
                 ok({"daemon": {"reloads": 2}, "dataplane": {"tun-rx": 9}})]}'
  serve chunks || { fail "(b) stand-in did not start"; return; }
  "$MIP4CTL" -s "$TMP/chunks.sock" --json bindings > "$TMP/chunks.out" 2> "$TMP/chunks.err"
  local rc=$? n
  n=$(count "$TMP/chunks.out")
  check "(b) bindings in 3 parts joined: $n of 260, in order (exit $rc)" \
    eval '[[ $rc -eq 0 && $n == 260 ]] && $PY -c "import json,sys; a=json.load(open(sys.argv[1])); assert [b[\"spi\"] for b in a] == list(range(256, 516))" "$TMP/chunks.out"'
  "$MIP4CTL" --json -s "$TMP/chunks.sock" counters > "$TMP/chunks2.out" 2>&1
  check "(b) counters in 2 parts merged into one object" \
    $PY -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d == {"home-agent": {"requests": 5}, "daemon": {"reloads": 2}, "dataplane": {"tun-rx": 9}}, d' "$TMP/chunks2.out"
  check "(b) every request says it can join parts (\"more-ok\":true)" \
    $PY -c 'import json,sys; r=[json.loads(l) for l in open(sys.argv[1])]; assert len(r) == 2 and all(x.get("more-ok") is True and x["version"] == 1 for x in r), r' "$TMP/chunks.log"
}

case_errors() { # (c)
  scenario bad '{
    "status": ["{\"version\":1,\"ok\":false,\"error\":\"no such thing here\"}"],
    "bindings": ["this is not json"],
    "visitors": [ok([binding(1)], True)],
    "counters": [ok([1, 2], True), ok({"a": 1})]}'
  serve bad || { fail "(c) stand-in did not start"; return; }
  local cmd want rc
  for cmd in "status:no such thing here" "bindings:garbled answer" \
             "visitors:connection closed" "counters:do not fit together"; do
    want=${cmd#*:}; cmd=${cmd%%:*}
    "$MIP4CTL" -s "$TMP/bad.sock" "$cmd" > /dev/null 2> "$TMP/bad.err"
    rc=$?
    check "(c) $cmd: exit $rc, \"$(head -c 80 "$TMP/bad.err" | tr -d '\n')\"" \
      eval '[[ $rc -eq 1 ]] && grep -q "$want" "$TMP/bad.err"'
  done
  "$MIP4CTL" -s "$TMP/bad.sock" metrics > "$TMP/bad.metrics" 2>/dev/null
  rc=$?
  check "(c) metrics when the daemon answers with an error: mip4d_up 0, exit $rc" \
    eval '[[ $rc -eq 1 ]] && $PY "$HERE/metrics_check.py" "$TMP/bad.metrics" --expect mip4d_up=0'
}

case_vpnmn_metrics() { # (d)
  scenario vpnmn "{\"status\": [ok(json.load(open('$HERE/fixtures/vpnmn-status.json')))],
                   \"counters\": [ok(json.load(open('$HERE/fixtures/vpnmn-counters.json')))]}"
  serve vpnmn || { fail "(d) stand-in did not start"; return; }
  "$MIP4CTL" metrics -s "$TMP/vpnmn.sock" --label host=mn1 > "$TMP/vpnmn.prom" 2> "$TMP/vpnmn.err"
  local rc=$?
  check "(d) metrics of an RFC 5265 node match the mapping (exit $rc)" \
    $PY "$HERE/metrics_check.py" "$TMP/vpnmn.prom" "$HERE/fixtures/vpnmn-counters.json" \
      "$HERE/fixtures/vpnmn-status.json" --label host=mn1 \
      --expect 'mip4d_requests_total{role="mn",layer="inner"}=12' \
      --expect 'mip4d_requests_total{role="mn",layer="outer"}=9' \
      --expect 'mip4d_drops_total{role="mn",layer="outer",reason="not-from-ha"}=1' \
      --expect 'mip4d_link_changes_total{role="mn"}=7' \
      --expect 'mip4d_heard_agent_expires_in_seconds{role="mn",layer="outer"}=2.4' \
      --expect 'mip4d_since_change_seconds{role="mn"}=12.5' \
      --expect 'mip4d_registered{role="mn",layer="inner"}=1' \
      --expect 'mip4d_uptime_seconds=3600' \
      --expect 'mip4d_info{role="mn",detection="outside",vpn_state="up",vpn_vip="172.16.0.5"}=1' \
      --expect 'mip4d_info{role="mn",layer="outer",heard_agent_address="203.0.113.1"}=1' \
      --expect 'mip4d_reloads_total{role="daemon"}=1'
  check "(d) a status number a counter also carries is left out (no mip4d_link_changes gauge)" \
    eval '! grep -q "^mip4d_link_changes{" "$TMP/vpnmn.prom" && ! grep -q "^mip4d_vpn_initiations{" "$TMP/vpnmn.prom"'
  scenario hafa "{\"status\": [ok(json.load(open('$HERE/fixtures/ha-fa-status.json')))],
                  \"counters\": [ok(json.load(open('$HERE/fixtures/ha-fa-counters.json')))]}"
  serve hafa || { fail "(d) stand-in did not start"; return; }
  "$MIP4CTL" -s "$TMP/hafa.sock" metrics > "$TMP/hafa.prom" 2>&1
  check "(d) metrics of a home agent + foreign agent (answers captured from mip4d) match the mapping" \
    $PY "$HERE/metrics_check.py" "$TMP/hafa.prom" "$HERE/fixtures/ha-fa-counters.json" \
      "$HERE/fixtures/ha-fa-status.json" --expect 'mip4d_bindings{role="ha"}=10' \
      --expect 'mip4d_reply_codes_total{role="fa",code="65"}=1' \
      --expect 'mip4d_dataplane_drops_total{role="ha",reason="no-binding"}=0'
  "$MIP4CTL" metrics -s "$TMP/vpnmn.sock" --label role=x > /dev/null 2> "$TMP/vpnmn.err"
  rc=$?
  check "(d) --label role=x is refused: mip4ctl sets role (exit $rc)" \
    eval '[[ $rc -eq 2 ]] && grep -q "sets that label" "$TMP/vpnmn.err"'
}

case_socket_choice() { # (e)
  scenario one '{"status": [ok({"pid": 1, "roles": []})]}'
  serve one || { fail "(e) stand-in did not start"; return; }
  check "(e) MIP4D_SOCKET names the socket when -s is not given" \
    env MIP4D_SOCKET="$TMP/one.sock" "$MIP4CTL" status
  check "(e) -s before the subcommand wins over MIP4D_SOCKET" \
    env MIP4D_SOCKET=/nonexistent "$MIP4CTL" -s "$TMP/one.sock" status
  check "(e) -s after the subcommand wins over the one before" \
    "$MIP4CTL" -s /nonexistent status -s "$TMP/one.sock"
  check "(e) --socket SOCK --json before the subcommand" \
    eval '"$MIP4CTL" --socket "$TMP/one.sock" --json status | grep -q "\"pid\":1"'
}

case_filters() { # (f)
  scenario filt '{
    "bindings": [ok([binding(1)], True).replace("\"ok\":true", "\"ok\":true,\"filtered\":true"),
                 ok([binding(2)]).replace("\"ok\":true", "\"ok\":true,\"filtered\":true")],
    "visitors": [ok([binding(3)])]}'
  serve filt || { fail "(f) stand-in did not start"; return; }
  "$MIP4CTL" -s "$TMP/filt.sock" bindings --json --home 10.0.0.0/8 --coa 203.0.113.9 \
    --nai alice > "$TMP/filt.out" 2> "$TMP/filt.err"
  local rc=$?
  check "(f) bindings --home --coa --nai: 2 bindings from 2 filtered parts (exit $rc)" \
    eval '[[ $rc -eq 0 && $(count "$TMP/filt.out") == 2 ]]'
  check "(f) the request carries the filter" \
    $PY -c 'import json,sys; r=json.loads(open(sys.argv[1]).readline()); assert r["filter"] == {"home": "10.0.0.0/8", "coa": "203.0.113.9", "nai": "alice"}, r' "$TMP/filt.log"
  "$MIP4CTL" -s "$TMP/filt.sock" visitors --json --nai alice > "$TMP/filt2.out" 2> "$TMP/filt2.err"
  rc=$?
  check "(f) an answer that does not say \"filtered\" is refused, nothing printed (exit $rc)" \
    eval '[[ $rc -eq 1 && ! -s $TMP/filt2.out ]] && grep -q "did not apply the filter" "$TMP/filt2.err"'
  "$MIP4CTL" -s "$TMP/filt.sock" bindings --home 10.1.2.3/8 > /dev/null 2> "$TMP/filt3.err"
  rc=$?
  check "(f) --home with host bits set: usage error (exit $rc)" \
    eval '[[ $rc -eq 2 ]] && grep -q "10.0.0.0/8" "$TMP/filt3.err"'
  "$MIP4CTL" -s "$TMP/filt.sock" status --home 10.0.0.0/8 > /dev/null 2>&1
  rc=$?
  check "(f) filters belong to listings: status --home is a usage error (exit $rc)" \
    test $rc -eq 2
}

case_big
case_chunks
case_errors
case_vpnmn_metrics
case_socket_choice
case_filters
finish
