#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# mip4ctl against a real mip4d: global options before the subcommand, an
# answer far larger than the old 64 KiB reply buffer, and `mip4ctl
# metrics` parsed by Debian's python3-prometheus-client, and the same page
# over HTTP from metrics-listen.
#
#  vis-$$ (a visitor)            ha-$$: one mip4d, home agent + foreign agent      mn-$$
#  v0 10.81.9.9/32 ------------ f0 10.99.0.1/24 FA link, care-of address
#  default via 10.99.0.1        h1 192.0.2.1/24 home agent ------------------ m0 192.0.2.2/24
#                               mip-ha0, mip-fa0 TUNs                          mn_sim bench: N nodes
#
# N mobile nodes (default 300: about 100 KiB of `bindings` JSON) register
# with the home agent directly; the visitor asks the foreign agent, which
# serves only 10.200.0.0/16 and refuses it with code 65, so the FA has a
# reply code too.
#
# usage: ctl_netns.sh MIP4D MIP4CTL MN_SIM [N]     (root; ~15 s)
set -uo pipefail

MIP4D=$(realpath "${1:?usage: $0 mip4d mip4ctl mn_sim [N]}")
MIP4CTL=$(realpath "${2:?}")
MNSIM=$(realpath "${3:?}")
N=${4:-300}
HERE=$(cd "$(dirname "$0")" && pwd)
PY=/usr/bin/python3 # Debian's, with python3-prometheus-client

HA=ha-$$ MN=mn-$$ VIS=vis-$$
MPORT=9641 # metrics-listen, on the namespace's loopback
HA_ADDR=192.0.2.1 FA_ADDR=10.99.0.1 VISITOR=10.81.9.9
KEY=00112233445566778899aabbccddeeff KEYV=0f1e2d3c4b5a69788796a5b4c3d2e1f0
TMP=$(mktemp -d /tmp/ctl_netns.XXXXXX)
chmod 711 "$TMP" # the engine (an unprivileged user) reaches its state in it
SOCK=$TMP/mip4d.sock
PIDS=()
NAME=ctl_netns
. "$HERE/../testlib.sh"

cleanup() {
  ns_cleanup "$HA" "$MN" "$VIS"
  if (( FAILED > 0 )) && [[ -s $TMP/mip4d.log ]]; then
    log "---- tail of mip4d.log"; grep -v 'event=registered' "$TMP/mip4d.log" | tail -n 20
  fi
  [[ -n ${CTL_NETNS_KEEP:-} ]] && cp "$TMP"/*.txt "$TMP"/*.json "$CTL_NETNS_KEEP"/ 2>/dev/null
  rm -rf "$TMP"
}
trap cleanup EXIT

# wait_for SECONDS CMD...: poll CMD every 50 ms until it succeeds
in_ns() { ip netns exec "$@"; }
# c ARGS...: mip4ctl in the daemon's namespace, arguments as given
c() { in_ns "$HA" "$MIP4CTL" "$@"; }

make_topology() {
  local ns
  for ns in "$HA" "$MN" "$VIS"; do
    ip netns add "$ns" || return 1
    in_ns "$ns" ip link set lo up
  done
  ip link add h1 netns "$HA" type veth peer name m0 netns "$MN"
  ip link add f0 netns "$HA" type veth peer name v0 netns "$VIS"
  in_ns "$HA" ip addr add $HA_ADDR/24 dev h1
  in_ns "$HA" ip addr add $FA_ADDR/24 dev f0
  in_ns "$HA" ip link set h1 up
  in_ns "$HA" ip link set f0 up
  in_ns "$HA" sysctl -qw net.ipv4.ip_forward=1
  in_ns "$MN" ip addr add 192.0.2.2/24 dev m0
  in_ns "$MN" ip link set m0 up
  in_ns "$VIS" ip addr add $VISITOR/32 dev v0
  in_ns "$VIS" ip link set v0 up
  in_ns "$VIS" ip route add default via $FA_ADDR dev v0 onlink
}

write_conf() {
  {
    printf 'control-socket %s\nstate-db %s\n' "$SOCK" "$TMP/ha-state/ha.db"
    printf 'metrics-listen 127.0.0.1:%d\n' $MPORT
    printf 'home-agent {\n\taddress %s\n\thome-network 10.81.0.0/16\n' $HA_ADDR
    printf '\tmax-lifetime 600\n\ttunnel-device mip-ha0\n'
    local i
    for (( i = 0; i < N; i++ )); do
      printf '\tmobile-node 10.81.%d.%d { spi %d key hex:%s tolerance 3600 }\n' \
        $(( 1 + i / 256 )) $(( i % 256 )) $(( 0x10000 + i )) $KEY
    done
    printf '\tmobile-node %s { spi 0x2000 key hex:%s }\n}\n' $VISITOR $KEYV
    printf 'foreign-agent {\n\tinterface f0\n\tcare-of-address %s\n' $FA_ADDR
    printf '\tadvertise-interval 1\n\tserve 10.200.0.0/16\n\ttunnel-device mip-fa0\n}\n'
  } > "$TMP/ha.conf"
  chmod 600 "$TMP/ha.conf"
}

start_daemon() {
  # not through in_ns: a backgrounded function is a subshell, and its pid
  # is not the daemon's
  ip netns exec "$HA" "$MIP4D" -d -f "$TMP/ha.conf" >> "$TMP/mip4d.log" 2>&1 &
  PIDS+=($!)
  wait_for 10 c -s "$SOCK" status
}

# ------------------------------------------------------------------ phases

phase_global_options() {
  check "(a) mip4ctl -s SOCK status (option before the subcommand)" \
    c -s "$SOCK" status
  check "(a) mip4ctl --socket=SOCK --json counters" \
    eval 'c --socket="$SOCK" --json counters | $PY -c "import json,sys; json.load(sys.stdin)"'
  check "(a) mip4ctl -j visitors -s SOCK (JSON before, socket after)" \
    eval 'c -j visitors -s "$SOCK" | $PY -c "import json,sys; assert isinstance(json.load(sys.stdin), list)"'
  check "(a) mip4ctl status -s SOCK (the old order still works)" \
    c status -s "$SOCK"
  c -x status > /dev/null 2> "$TMP/err"
  local rc=$?
  check "(a) an unknown global option is a usage error (exit $rc)" \
    eval '[[ $rc -eq 2 ]] && grep -q "unknown option" "$TMP/err"'
}

phase_many_bindings() {
  local out
  out=$(in_ns "$MN" "$MNSIM" bench --ha $HA_ADDR --src 192.0.2.2:0 --home 10.81.1.0 \
        --count "$N" --spi 0x10000 --key $KEY --window 32 --lifetime 600) || true
  log "mn_sim bench: $out"
  wait_for 10 eval '[[ $(c -s "$SOCK" --json status | $PY -c "import json,sys; print(json.load(sys.stdin)[\"home_agent\"][\"bindings\"])") == $N ]]'
  c -s "$SOCK" bindings --json > "$TMP/bindings.json" 2> "$TMP/err"
  local rc=$? size n
  size=$(stat -c %s "$TMP/bindings.json")
  n=$($PY -c 'import json,sys; print(len(json.load(open(sys.argv[1]))))' "$TMP/bindings.json" 2>/dev/null)
  check "(b) mip4ctl bindings --json: $n bindings in one $size-byte answer (> 65536), exit $rc" \
    eval '[[ $rc -eq 0 && $n == "$N" ]] && (( size > 65536 ))'
  c -s "$SOCK" bindings > "$TMP/bindings.txt"
  check "(b) mip4ctl bindings (text) says $N bindings" \
    grep -qx "$N bindings" "$TMP/bindings.txt"
}

phase_visitor() {
  in_ns "$VIS" "$MNSIM" reg --via-fa $FA_ADDR --ha $HA_ADDR --home $VISITOR \
    --coa $FA_ADDR --spi 0x2000 --key $KEYV --tries 1 > "$TMP/vis.json" 2>&1
  check "(c) the foreign agent refused the visitor with code 65" \
    grep -q '"code":65' "$TMP/vis.json"
}

phase_metrics() {
  c -s "$SOCK" --json counters > "$TMP/counters.json"
  c -s "$SOCK" --json status > "$TMP/status.json"
  c -s "$SOCK" metrics --label site=lab > "$TMP/metrics.txt" 2> "$TMP/err"
  local rc=$?
  check "(d) mip4ctl metrics exits 0 ($(wc -l < "$TMP/metrics.txt") lines)" \
    test $rc -eq 0
  check "(d) prometheus_client parses it; every counter and status number is there once" \
    $PY "$HERE/metrics_check.py" "$TMP/metrics.txt" "$TMP/counters.json" \
      "$TMP/status.json" --label site=lab --expect 'mip4d_up=1' \
      --expect "mip4d_bindings{role=\"ha\"}=$N" \
      --expect 'mip4d_reply_codes_total{role="fa",code="65"}=1' \
      --expect 'mip4d_rejects_total{role="fa",code="65",reason="prohibited"}=1' \
      --expect 'mip4d_visitors{role="fa"}=0' \
      --expect 'mip4d_info{role="fa",interface="f0"}=1' \
      --expect-family mip4d_drops_total --expect-family mip4d_rejects_total \
      --expect-family mip4d_dataplane_drops_total --expect-family mip4d_uptime_seconds
}

# http PATH [METHOD]: the daemon's metrics endpoint; prints
# "STATUS CONTENT-TYPE" on the first line, then the body
http() {
  in_ns "$HA" $PY - "http://127.0.0.1:$MPORT$1" "${2:-GET}" <<'PYEOF'
import sys, urllib.request, urllib.error
req = urllib.request.Request(sys.argv[1], method=sys.argv[2])
try:
    r = urllib.request.urlopen(req, timeout=5)
except urllib.error.HTTPError as e:
    r = e
print(r.status, r.headers.get("Content-Type"))
sys.stdout.write(r.read().decode())
PYEOF
}

phase_http() {
  c -s "$SOCK" --json counters > "$TMP/counters.json"
  c -s "$SOCK" --json status > "$TMP/status.json"
  http /metrics > "$TMP/http.txt"
  check "(d) GET /metrics: 200, Prometheus text 0.0.4 ($(head -1 "$TMP/http.txt"))" \
    grep -q '^200 text/plain; version=0.0.4' "$TMP/http.txt"
  sed -i 1d "$TMP/http.txt"
  check "(d) the HTTP page parses and holds every counter and status number once" \
    $PY "$HERE/metrics_check.py" "$TMP/http.txt" "$TMP/counters.json" \
      "$TMP/status.json" --expect 'mip4d_up=1' \
      --expect "mip4d_bindings{role=\"ha\"}=$N" \
      --expect 'mip4d_reply_codes_total{role="fa",code="65"}=1'
  http /other > "$TMP/http404.txt"
  check "(d) GET /other: 404" grep -q '^404 ' "$TMP/http404.txt"
  http /metrics POST > "$TMP/http405.txt"
  check "(d) POST /metrics: refused ($(head -1 "$TMP/http405.txt"))" \
    grep -qE '^(405|501) ' "$TMP/http405.txt"
  check "(d) the daemon still answers after them" c -s "$SOCK" status
}

phase_down() {
  local p
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
  PIDS=()
  c -s "$SOCK" metrics > "$TMP/down.txt" 2>"$TMP/down.err"
  local rc=$?
  check "(e) daemon gone: mip4ctl metrics says mip4d_up 0 and exits 1 (exit $rc)" \
    eval '[[ $rc -eq 1 ]] && $PY "$HERE/metrics_check.py" "$TMP/down.txt" --expect mip4d_up=0'; cat "$TMP/down.txt" "$TMP/down.err"
}

make_topology || { log "cannot build the topology"; exit 1; }
write_conf
start_daemon || { fail "mip4d did not start"; exit 1; }
phase_global_options
phase_many_bindings
phase_visitor
phase_metrics
phase_http
phase_down
finish
