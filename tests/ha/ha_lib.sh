# SPDX-License-Identifier: BSD-2-Clause
# What the home agent's durability tests share (ha_durability.sh,
# ha_etcd.sh): starting and killing mip4d in namespace $HA, the load
# generator in $MN, and the check that every acknowledged binding is bound.
# The caller sets MIP4D MIP4CTL LOADGEN HA MN SOCK TMP HA_ADDR MN_ADDR PORT
# FIRST SPI KEY ROUND and PIDS=(), and sources ../testlib.sh first.

in_ns() { ip netns exec "$@"; }
ctl() { in_ns "$HA" "$MIP4CTL" "$1" -s "$SOCK" "${@:2}"; }
jq_py() { python3 -c "import json,sys; d=json.load(sys.stdin); print($1)"; }

# start_ha [CONF]: mip4d on CONF (default $TMP/ha.conf), up to its socket;
# PIDS: the parent, then the engine
start_ha() {
  ip netns exec "$HA" "$MIP4D" -d -f "${1:-$TMP/ha.conf}" >> "$TMP/mip4d.log" 2>&1 &
  PIDS=($!)
  wait_for 60 ctl status --json || { fail "mip4d did not start"; finish; exit 1; }
  local eng
  eng=$(ctl status --json | jq_py 'd.get("privsep",{}).get("engine","")')
  [[ -n $eng ]] && PIDS+=("$eng")
}
gone() { local p; for p in "$@"; do ! kill -0 "$p" 2>/dev/null || return 1; done; }
# a crash: both processes at once
kill_ha() {
  local p
  for p in "${PIDS[@]}"; do kill -9 "$p" 2>/dev/null; done
  wait "${PIDS[0]}" 2>/dev/null
  wait_for 10 gone "${PIDS[@]}" || fail "mip4d outlived SIGKILL"
  PIDS=()
}
stop_ha() {
  kill "${PIDS[0]}" 2>/dev/null
  wait "${PIDS[0]}" 2>/dev/null
  wait_for 30 gone "${PIDS[@]}" || fail "mip4d did not stop"
  PIDS=()
}

# loadgen OUT FIRST_INDEX COUNT [ARGS...]: requests for nodes
# FIRST_INDEX..+COUNT-1 from a fixed source port (a renewal stays a
# renewal in place); the JSON line in OUT.json, accepted homes in OUT.acc
loadgen() {
  local out=$1 from=$2 count=$3 first; shift 3
  first=$(python3 -c "import ipaddress,sys; print(ipaddress.IPv4Address('$FIRST') + $from)")
  in_ns "$MN" "$LOADGEN" --ha $HA_ADDR --src $MN_ADDR:$PORT --home "$first" \
    --count "$count" --spi $(( SPI + from )) --key $KEY --key-index "$from" \
    --lifetime 3600 --timeout 1 --accepted-out "$out.acc" "$@" > "$out.json"
}
field() { jq_py "d['$2']" < "$1.json"; }

# Every home address in the files given is bound in the running HA.
all_bound() {
  ctl bindings --json > "$TMP/bindings.json" || return 1
  python3 - "$TMP/bindings.json" "$@" <<'EOF'
import json, sys
have = {b["home_addr"] for b in json.load(open(sys.argv[1]))}
want = set()
for f in sys.argv[2:]:
    want |= {l.strip() for l in open(f) if l.strip()}
missing = want - have
print(f"{len(want)} accepted, {len(have)} bound, {len(missing)} missing"
      + (f" (e.g. {sorted(missing)[:3]})" if missing else ""))
sys.exit(1 if missing else 0)
EOF
}
bound_count() { ctl status --json | jq_py 'd["home_agent"]["bindings"]'; }
store_state() { ctl status --json | jq_py 'd["home_agent"]["state_db"]["state"]'; }

# crash_round OUT FIRST_INDEX: registrations for ROUND fresh nodes from
# FIRST_INDEX, mip4d killed (kill_ha) once some replies have come back
crash_round() {
  local lg
  loadgen "$1" "$2" "$ROUND" --window 64 &
  lg=$!
  wait_for 10 sh -c "[ \$(wc -l < $1.acc 2>/dev/null || echo 0) -gt 0 ]"
  sleep 0.0$(( RANDOM % 5 ))
  kill_ha
  wait "$lg"
}
