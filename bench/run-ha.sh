#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# Home agent registration rate and scale (issue #8 section 2).
#
#   mn-$$ (CPU 1)                              ha-$$ (CPU 0)
#   m0 192.0.2.2/24 ------------------------- h1 192.0.2.1/24
#   mip4-loadgen: N mobile nodes, 10.64.1.0+i,    mip4d (home agent, N mobile
#   SPI 0x10000+i, key K^i, HMAC-MD5 + NTP        nodes configured, virtual
#   timestamps, sendmmsg batches, window W        home network) -- or the
#                                                 anchor udp-echo
#
# 1. anchor: bench/udp-echo (the HA's recvmmsg/sendmmsg batching, nothing
#    else) on CPU 0, port 4340, running beside the HA all along: one
#    anchor pass of R requests right before each measured HA pass, so
#    that a ratio compares two passes a few seconds apart (this machine is
#    shared: other work may come and go).
# 2. for each N: a fresh mip4d with N mobile nodes on CPU 0; "fill"
#    registers all N (every request creates a binding: /32 route, SQLite
#    row); VmRSS before and after gives bytes per binding; "idle" (window
#    1) gives the unloaded latency; TRIALS "renew" passes of R requests
#    spread over all N (a binding exists for each: the steady state) give
#    the rate, latency and the HA's CPU time per registration
#    (/proc/PID/schedstat; the anchor's CPU time per reply likewise: the
#    CPU-cost ratio does not depend on what else the machine runs).
#    Renewals register the address they registered before: each is a
#    renewal in place, which the home agent need not write down
#    (daemon/hastore.h).  Then TRIALS "move" passes (mip4-loadgen --move:
#    every request changes its node's care-of address, so each must be
#    written and its route replaced), each paired with an anchor pass
#    too.  With perf, one more renew pass and one more move pass are
#    profiled at the smallest and the largest N.
# 3. memory: VmRSS of the engine (the process that holds the bindings)
#    with N nodes configured and none registered, and after the fill,
#    against a daemon with 1 node configured (measured once at the
#    start): configured bytes per node, bytes per binding, and the two
#    together; the parent's VmRSS too, and Pss of both (pages they
#    share counted once).
# 4. reload (the largest N, or --reload-size N): renewals, then moves, at
#    a fixed rate (--reload-rate, default 20000/s) for 8 s, SIGHUP to
#    mip4d 2 s in; the longest gap between two replies and the largest
#    latency say how long registrations stalled.
# Every pass must be answered in full, accepted and authentic, or the run
# fails (so --smoke catches real breakage, never slowness).
#
# usage: run-ha.sh [--smoke] [--bin DIR] [--out DIR] [--sizes "N ..."]
#                  [--trials T] [--requests R] [--window W] [--no-profile]
#                  [--no-move] [--reload-size N|0] [--reload-rate R]
#   full run:  sizes 1000 10000 100000 1000000, 3 trials of 200000
#   --smoke:   size 1000, 1 trial of 3000, a 2-s reload pass (< 30 s)
# Writes OUT/ha-DATE.json (OUT defaults to bench/results) and prints a
# summary table.  Needs root, iproute2, python3, taskset; perf optional.
#
# Flood mode (issue #14):
#   run-ha.sh --flood [--bin DIR] [--baseline DIR] [--rates "R ... max"]
#             [--seconds S] [--trials T] [--smoke] [--out DIR]
# A fresh mip4d with 1000 mobile nodes; 25 of them register from
# 192.0.2.2:4343 and renew once a second each while mip4-loadgen --flood
# sends well-formed requests with wrong authenticators for random ones of
# the 1000 home addresses, from random spoofed sources of 198.18.0.0/15,
# at R requests/s or as fast as it can (max), for S seconds (default 10).
# Recorded per pass: the renewals accepted, the flood's achieved rate, the
# HA's CPU time, what it saw, answered with 131, dropped before the HMAC,
# and lost in its socket queue (Udp RcvbufErrors).  With --baseline DIR,
# the mip4d in DIR (e.g. main's, built from `git archive main`) runs the
# same passes, each right after ours.  Defaults: rates "20000 40000 80000
# max", 3 trials; --smoke: rate max, 1 trial of 3 s.  Writes
# OUT/ha-flood-DATE.json (bench/flood-report.py) and prints a table.
set -uo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/.." && pwd)
BIN=$REPO/build/bin
OUT=$HERE/results
SMOKE=0
SIZES="1000 10000 100000 1000000"
TRIALS=3
REQUESTS=200000
WINDOW=128
PROFILE=1
MOVE=1
RELOAD_SIZE= RELOAD_RATE=20000 RELOAD_S=8
FLOOD=0 BASELINE= RATES="20000 40000 80000 max" FLOOD_S=10
ARGS="$*"
while (( $# )); do
  case $1 in
    --smoke) SMOKE=1 ;;
    --flood) FLOOD=1 ;;
    --baseline) BASELINE=$2; shift ;;
    --rates) RATES=$2; shift ;;
    --seconds) FLOOD_S=$2; shift ;;
    --bin) BIN=$2; shift ;;
    --out) OUT=$2; shift ;;
    --sizes) SIZES=$2; shift ;;
    --trials) TRIALS=$2; shift ;;
    --requests) REQUESTS=$2; shift ;;
    --window) WINDOW=$2; shift ;;
    --no-profile) PROFILE=0 ;;
    --no-move) MOVE=0 ;;
    --reload-size) RELOAD_SIZE=$2; shift ;;
    --reload-rate) RELOAD_RATE=$2; shift ;;
    *) echo "usage: see the comment at the top of $0" >&2; exit 2 ;;
  esac
  shift
done
if (( SMOKE && FLOOD )); then
  RATES=max TRIALS=1 FLOOD_S=3
elif (( SMOKE )); then
  SIZES=1000 TRIALS=1 REQUESTS=3000 PROFILE=0 RELOAD_RATE=2000 RELOAD_S=2
fi
[[ -n $RELOAD_SIZE ]] || RELOAD_SIZE=${SIZES##* }

HA=ha-$$ MN=mn-$$
HA_ADDR=192.0.2.1 MN_ADDR=192.0.2.2
# Every pass sends from the same port, as a mobile node does: a request
# from another port is no renewal in place (its peer port changed) and
# must be written, whatever its care-of address.
LG_PORT=4344
FIRST=10.64.1.0 SPI=0x10000 KEY=00112233445566778899aabbccddeeff
TMP=$(mktemp -d "${TMPDIR:-/tmp}/bench-ha.XXXXXX") # TMPDIR=/dev/shm: state and log on tmpfs
chmod 711 "$TMP" # the engine (an unprivileged user) reaches its state in it
SOCK=$TMP/ha.sock
REC=$TMP/records.jsonl
SRV_PID= ENG_PID=
RC=0
STAMP=$(date -u +%Y%m%dT%H%M%SZ)
NAME=ha$( (( FLOOD )) && echo -flood)$( (( SMOKE )) && echo -smoke)-$STAMP

log() { printf 'run-ha: %s\n' "$*"; }
fail() { log "FAIL: $*"; RC=1; }

stop_server() {
  [[ -n $SRV_PID ]] || return 0
  kill "$SRV_PID" 2>/dev/null
  # mip4d removes its routes on the way out: give it time at 1M
  for _ in $(seq 600); do [[ -d /proc/$SRV_PID && $(awk '{print $3}' /proc/$SRV_PID/stat) != Z ]] || break; sleep 0.1; done
  kill -9 "$SRV_PID" 2>/dev/null
  wait "$SRV_PID" 2>/dev/null
  SRV_PID=
}

cleanup() {
  stop_server
  [[ -n ${ECHO_PID:-} ]] && { kill "$ECHO_PID" 2>/dev/null; wait "$ECHO_PID" 2>/dev/null; }
  for ns in "$HA" "$MN"; do
    ip netns pids "$ns" 2>/dev/null | xargs -r kill -9 2>/dev/null
    ip netns del "$ns" 2>/dev/null
  done
  rm -rf "$TMP"
}
trap cleanup EXIT

wait_for() { # SECONDS CMD...: poll every 50 ms
  local deadline=$(( $(date +%s%N) + $1 * 1000000000 )); shift
  until "$@" >/dev/null 2>&1; do
    (( $(date +%s%N) < deadline )) || return 1
    sleep 0.05
  done
}
in_ns() { ip netns exec "$@"; }
ctl() { in_ns "$HA" "$BIN/mip4ctl" "$1" -s "$SOCK" "${@:2}"; }
server_up() { kill -0 "$SRV_PID" 2>/dev/null || return 0; ctl status --json; }
rss_kb() { awk '/^VmRSS:/ { print $2 }' "/proc/$1/status"; }
pss_kb() { # PIDS...: Pss summed (pages shared between them counted once)
  local t=0 p
  for p in "$@"; do t=$(( t + $(awk '/^Pss:/ { print $2 }' "/proc/$p/smaps_rollup") )); done
  echo $t
}
# CPU time of a process and, for mip4d, of its engine too (privilege
# separation: the engine does the work, the parent adds routes)
cpu_ns() {
  local t=0 p
  for p in "$@"; do t=$(( t + $(awk '{ print $1 }' "/proc/$p/schedstat") )); done
  echo $t
}

make_topology() {
  for ns in "$HA" "$MN"; do ip netns add "$ns"; in_ns "$ns" ip link set lo up; done
  ip link add h1 netns "$HA" type veth peer name m0 netns "$MN"
  in_ns "$HA" ip addr add $HA_ADDR/24 dev h1
  in_ns "$HA" ip link set h1 up
  in_ns "$MN" ip addr add $MN_ADDR/24 dev m0
  in_ns "$MN" ip link set m0 up
}

# record JSON-LINE KEY=VALUE...: append the loadgen's line with our fields
record() {
  local line=$1; shift
  python3 -c 'import json,sys
r = json.loads(sys.argv[1])
for kv in sys.argv[2:]:
    k, v = kv.split("=", 1)
    try: v = int(v)
    except ValueError: pass
    r[k] = v
print(json.dumps(r))' "$line" "$@" >> "$REC"
}

# loadgen PHASE N TRIAL [ARGS...]: one pass from CPU 1; checks the result
loadgen() {
  local phase=$1 n=$2 trial=$3 out c0 c1 rc pids=$SRV_PID; shift 3
  [[ $ENG_PID != "$SRV_PID" ]] && pids+=" $ENG_PID"
  [[ $phase == anchor ]] && pids=$ECHO_PID
  c0=$(cpu_ns $pids)
  out=$(in_ns "$MN" taskset -c 1 "$BIN/mip4-loadgen" --ha $HA_ADDR --src $MN_ADDR:$LG_PORT \
        --home $FIRST --count "$n" --spi $SPI --key $KEY --timeout 5 \
        --label "$phase" "$@")
  rc=$?
  c1=$(cpu_ns $pids)
  [[ -n $out ]] || { fail "$phase N=$n: no output from mip4-loadgen"; return 1; }
  record "$out" phase="$phase" n="$n" trial="$trial" server_cpu_ns=$(( c1 - c0 ))
  log "$phase N=$n #$trial: $(python3 -c 'import json,sys; r=json.loads(sys.argv[1]); l=r["latency_us"]; print(r["per_second"], "/s, accepted", r["accepted"], "of", r["requests"], "bad", r["bad"], "lost", r["lost"], "p50", l["p50"], "us p99", l["p99"], "us")' "$out")"
  (( rc == 0 )) || { fail "$phase N=$n: not every request answered, accepted and authentic"; return 1; }
}

start_anchor() {
  ip netns exec "$HA" taskset -c 0 "$BIN/udp-echo" $HA_ADDR 4340 > "$TMP/echo.out" &
  ECHO_PID=$!
  wait_for 5 sh -c "ip netns exec $HA ss -lun | grep -q ':4340 '" || { fail "udp-echo did not start"; exit 1; }
}

anchor() { # N TRIAL
  loadgen anchor "$1" "$2" --port 4340 --requests "$REQUESTS" --window "$WINDOW" --order spread --no-verify
}

profile() { # N KIND [LOADGEN ARGS...]: KIND renew or move
  local n=$1 kind=$2 f; shift 2
  command -v perf >/dev/null || { log "perf not found: no profile"; return; }
  f=$OUT/$NAME-profile-$kind-$n
  perf record -q -e cpu-clock -F 1000 --call-graph dwarf,16384 -p "$ENG_PID" \
    -o "$TMP/perf-$n.data" > /dev/null 2>&1 &
  local perf_pid=$!
  sleep 0.3
  loadgen "profiled-$kind" "$n" 1 --requests $(( REQUESTS / 4 )) --window "$WINDOW" --order spread "$@"
  kill -INT "$perf_pid"; wait "$perf_pid" 2>/dev/null
  # self time by symbol, and inclusive time by symbol (callers included)
  perf report -i "$TMP/perf-$n.data" --stdio --no-children --sort dso,symbol \
    --percent-limit 0.5 -g none 2>/dev/null | grep -v '^#' | grep -v '^$' \
    > "$f.txt"
  perf report -i "$TMP/perf-$n.data" --stdio --children --sort symbol \
    --percent-limit 1 -g none 2>/dev/null | grep -v '^#' | grep -v '^$' \
    > "$f-children.txt"
  log "profile of $kind at N=$n: $f.txt"
}

# start_server N: a fresh mip4d with N mobile nodes (ENG_PID: its engine)
start_server() {
  local n=$1
  rm -rf "$TMP"/ha-state
  python3 "$HERE/ha-conf.py" "$n" $FIRST $SPI $KEY $HA_ADDR "$SOCK" "$TMP/ha-state/ha.db" > "$TMP/ha.conf"
  chmod 600 "$TMP/ha.conf"
  # the daemon's own log (one line per registration) goes to a file, as
  # it would in a real deployment
  ip netns exec "$HA" taskset -c 0 "$BIN/mip4d" -F -f "$TMP/ha.conf" > "$TMP/mip4d-$n.log" 2>&1 &
  SRV_PID=$!
  wait_for 120 server_up && kill -0 "$SRV_PID" 2>/dev/null ||
    { fail "mip4d did not start with N=$n"; tail "$TMP/mip4d-$n.log"; SRV_PID=; return 1; }
  # the engine holds the bindings (the parent when not separated)
  ENG_PID=$(ctl status --json | python3 -c 'import json,sys; p=json.load(sys.stdin).get("privsep",{}); print(p.get("engine","") if p.get("on") else "")')
  [[ -n $ENG_PID ]] || ENG_PID=$SRV_PID
}

# The memory of a daemon with one mobile node: what N is measured against.
empty_rss() {
  start_server 1 || exit 1
  sleep 0.5
  RSS_EMPTY=$(rss_kb "$ENG_PID")
  log "one node configured: engine VmRSS $RSS_EMPTY kB, parent $(rss_kb "$SRV_PID") kB"
  stop_server
}

reloads() { ctl counters --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["daemon"]["reloads"])'; }

# reload_pass N KIND [ARGS]: paced registrations with a SIGHUP in the middle
reload_pass() {
  local n=$1 kind=$2 r0 lpid t0 t1 k; shift 2
  r0=$(reloads)
  loadgen "reload-$kind" "$n" 1 --requests $(( RELOAD_RATE * RELOAD_S )) \
    --rate "$RELOAD_RATE" --window "$WINDOW" --order spread "$@" &
  lpid=$!
  sleep $(( RELOAD_S / 4 ))
  t0=$(date +%s%N)
  kill -HUP "$SRV_PID"
  for _ in $(seq 600); do
    k=$(reloads) && (( k > r0 )) && break
    sleep 0.05
  done
  t1=$(date +%s%N)
  wait "$lpid" || fail "N=$n: reload-$kind: not every request answered, accepted and authentic"
  (( k > r0 )) || fail "N=$n: the reload did not complete"
  printf '{"phase":"reload-done","n":%d,"kind":"%s","sighup_to_reloaded_s":%.3f}\n' \
    "$n" "$kind" "$(( t1 - t0 ))e-9" >> "$REC"
  log "reload ($kind) at N=$n: SIGHUP to reloaded $(( (t1 - t0) / 1000000 )) ms;" \
      "longest gap between replies $(tail -2 "$REC" | head -1 | python3 -c 'import json,sys; print(json.load(sys.stdin)["max_gap_us"])') us"
  # the daemon's own account: how long the read took in how many slices,
  # and how long the switch to the new configuration stopped the loop
  grep -E 'reload: (configuration read|applied|refused)' "$TMP/mip4d-$n.log" |
    tail -2 | python3 -c 'import json,sys; print(json.dumps({"phase":"reload-daemon-log","n":int(sys.argv[1]),"kind":sys.argv[2],"lines":[l.strip() for l in sys.stdin]}))' \
      "$n" "$kind" >> "$REC"
}

one_size() { # N
  local n=$1 t0 t1 r0 r1 p0 p1 s0 s1 nb db_bytes
  t0=$(date +%s%N)
  start_server "$n" || return
  t1=$(date +%s%N)
  sleep 0.5
  r0=$(rss_kb "$ENG_PID") p0=$(rss_kb "$SRV_PID") s0=$(pss_kb $(ip netns pids "$HA" | grep -v "^$ECHO_PID\$"))
  loadgen fill "$n" 1 --requests "$n" --window "$WINDOW" --order seq || { stop_server; return; }
  r1=$(rss_kb "$ENG_PID") p1=$(rss_kb "$SRV_PID") s1=$(pss_kb $(ip netns pids "$HA" | grep -v "^$ECHO_PID\$"))
  nb=$(ctl status --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["home_agent"]["bindings"])')
  [[ $nb == "$n" ]] || fail "N=$n: $nb bindings after the fill, want $n"
  db_bytes=$(du -cb "$TMP"/ha-state/ha.db* | awk 'END { print $1 }')
  printf '{"phase":"memory","n":%d,"rss_kb_empty":%d,"rss_kb_start":%d,"rss_kb_filled":%d,"parent_rss_kb_start":%d,"parent_rss_kb_filled":%d,"pss_kb_start":%d,"pss_kb_filled":%d,"bindings":%d,"state_db_bytes":%d,"startup_s":%.3f}\n' \
    "$n" "$RSS_EMPTY" "$r0" "$r1" "$p0" "$p1" "$s0" "$s1" "$nb" "$db_bytes" "$(( t1 - t0 ))e-9" >> "$REC"
  log "N=$n: engine VmRSS $RSS_EMPTY kB (1 node) -> $r0 kB (configured) -> $r1 kB (filled):" \
      "$(( (r0 - RSS_EMPTY) * 1024 / n )) B per configured node, $(( (r1 - r0) * 1024 / n )) B per binding," \
      "$(( (r1 - RSS_EMPTY) * 1024 / n )) B both; parent $p0 -> $p1 kB; Pss of both $s0 -> $s1 kB;" \
      "state db $(( db_bytes / n )) B per binding"
  loadgen idle "$n" 1 --requests $(( SMOKE ? 200 : 2000 )) --window 1 --order spread
  for t in $(seq "$TRIALS"); do
    anchor "$n" "$t"
    loadgen renew "$n" "$t" --requests "$REQUESTS" --window "$WINDOW" --order spread
  done
  local profiled=0
  (( PROFILE )) && [[ $n == "${SIZES%% *}" || $n == "${SIZES##* }" ]] && profiled=1
  (( profiled )) && profile "$n" renew
  # move passes number their requests on from the previous one's, so
  # that each request of a node alternates its care-of address
  local k=0
  if (( MOVE )); then
    for t in $(seq "$TRIALS"); do
      anchor "$n" $(( TRIALS + t )) # (ha-report.py pairs by trial order)
      loadgen move "$n" "$t" --requests "$REQUESTS" --window "$WINDOW" --order spread \
        --move --start $k
      k=$(( k + REQUESTS ))
    done
    (( profiled )) && profile "$n" move --move --start $k && k=$(( k + REQUESTS / 4 ))
  fi
  # the routes must really be there: one per binding in the HA's table
  local routes
  routes=$(in_ns "$HA" ip -4 route show dev mip-ha0 | wc -l)
  (( routes == n )) || fail "N=$n: $routes routes into mip-ha0, want $n"
  if [[ $n == "$RELOAD_SIZE" ]]; then
    # renewals (the engine alone), then moves (each needs the parent for
    # its route), each through a SIGHUP
    reload_pass "$n" renew
    (( MOVE )) && reload_pass "$n" move --move --start $k
  fi
  stop_server
}

# ---- flood mode (see the top)

FLOOD_N=1000 LEGIT=25 LEGIT_SRC=$MN_ADDR:4343
rcvbuf_errors() { in_ns "$HA" awk '/^Udp:/ { n++ } /^Udp:/ && n == 2 { print $6 }' /proc/net/snmp; }
ha_counters() { ctl counters --json | jq -c '."home-agent"'; }
lg() { in_ns "$MN" taskset -c 1 "$BIN/mip4-loadgen" --ha $HA_ADDR --home $FIRST --spi $SPI --key $KEY "$@"; }

# flood_pass LABEL MIP4D_DIR RATE TRIAL: one fresh mip4d, one flood
flood_pass() {
  local label=$1 dir=$2 rate=$3 trial=$4 lr r0 k0 k1 q0 q1 c0 c1 pids fj lj
  rm -rf "$TMP"/ha-state
  ip netns exec "$HA" taskset -c 0 "$dir/mip4d" -f "$TMP/ha.conf" > "$TMP/mip4d-$label.log" 2>&1 &
  SRV_PID=$!
  wait_for 30 server_up && kill -0 "$SRV_PID" 2>/dev/null ||
    { fail "$label: mip4d did not start"; SRV_PID=; return; }
  r0=$(lg --count $LEGIT --src $LEGIT_SRC --label register | jq .accepted)
  [[ $r0 == "$LEGIT" ]] || { fail "$label: $r0 of $LEGIT registered"; stop_server; return; }
  pids=$(ip netns pids "$HA" | tr '\n' ' ')
  k0=$(ha_counters) q0=$(rcvbuf_errors) c0=$(cpu_ns $pids)
  lr=$(( LEGIT * (FLOOD_S + 1) ))
  lg --count $LEGIT --src $LEGIT_SRC --rate $LEGIT --requests $lr --timeout 1 \
     --label legit > "$TMP/legit.json" &
  local lpid=$!
  lg --count $FLOOD_N --flood "$FLOOD_S" --rate "${rate/max/0}" --batch 64 \
     --label flood > "$TMP/flood.json"
  wait "$lpid"
  k1=$(ha_counters) q1=$(rcvbuf_errors) c1=$(cpu_ns $pids)
  fj=$(cat "$TMP/flood.json") lj=$(cat "$TMP/legit.json")
  python3 -c 'import json,sys
f, l, k0, k1 = (json.loads(x) for x in sys.argv[1:5])
d = {k: k1.get(k, 0) - k0.get(k, 0) for k in k1}
print(json.dumps({"phase": "flood", "binary": sys.argv[5], "target_rate": sys.argv[6],
  "trial": int(sys.argv[7]), "flood": f, "legit": l, "ha_counters": d,
  "rcvbuf_errors": int(sys.argv[9]) - int(sys.argv[8]),
  "ha_cpu_ns": int(sys.argv[11]) - int(sys.argv[10])}))' \
    "$fj" "$lj" "$k0" "$k1" "$label" "$rate" "$trial" "$q0" "$q1" "$c0" "$c1" >> "$REC"
  log "$label rate $rate #$trial: flood $(jq .per_second <<< "$fj")/s;" \
      "renewals accepted $(jq .accepted <<< "$lj") of $(jq .sent <<< "$lj");" \
      "HA saw $(jq .requests <<< "$k1") requests, queue drops $(( q1 - q0 ))"
  stop_server
}

flood_mode() {
  [[ -x $BIN/mip4d && -x $BIN/mip4-loadgen ]] ||
    { log "build first: $BIN has no mip4d or mip4-loadgen"; exit 1; }
  [[ -z $BASELINE || -x $BASELINE/mip4d ]] || { log "no mip4d in $BASELINE"; exit 1; }
  make_topology
  # the 131s to spoofed sources leave towards the generator's side
  in_ns "$HA" ip route add default via $MN_ADDR
  python3 "$HERE/ha-conf.py" $FLOOD_N $FIRST $SPI $KEY $HA_ADDR "$SOCK" "$TMP/ha-state/ha.db" > "$TMP/ha.conf"
  chmod 600 "$TMP/ha.conf"
  log "flood: rates $RATES, $FLOOD_S s, $TRIALS trials, $FLOOD_N nodes, $LEGIT legitimate;" \
      "$(nproc) CPUs, $(uname -r)"
  for t in $(seq "$TRIALS"); do
    for rate in $RATES; do
      flood_pass this "$BIN" "$rate" "$t"
      [[ -n $BASELINE ]] && flood_pass baseline "$BASELINE" "$rate" "$t"
    done
  done
  python3 "$HERE/flood-report.py" "$REC" "$OUT/$NAME.json" \
    --meta loadavg_start="$LOAD0" loadavg_end="$(cut -d" " -f1-3 /proc/loadavg)" \
    seconds="$FLOOD_S" trials="$TRIALS" rates="$RATES" bin="$BIN" baseline="$BASELINE" \
    command="$0 $ARGS" || RC=1
  log "results: $OUT/$NAME.json"
  (( RC == 0 )) && log PASS || log FAIL
  exit $RC
}

mkdir -p "$OUT"
LOAD0=$(cut -d" " -f1-3 /proc/loadavg)
(( FLOOD )) && flood_mode
[[ -x $BIN/mip4d && -x $BIN/mip4-loadgen && -x $BIN/udp-echo ]] ||
  { log "build first: $BIN has no mip4d, mip4-loadgen or udp-echo"; exit 1; }
make_topology
log "sizes $SIZES, $TRIALS trials of $REQUESTS, window $WINDOW; $(nproc) CPUs, $(uname -r)"
start_anchor
empty_rss
for n in $SIZES; do one_size "$n"; done
python3 "$HERE/ha-report.py" "$REC" "$OUT/$NAME.json" \
  --meta loadavg_start="$LOAD0" loadavg_end="$(cut -d" " -f1-3 /proc/loadavg)" smoke="$SMOKE" sizes="$SIZES" trials="$TRIALS" requests="$REQUESTS" \
  window="$WINDOW" command="$0 $ARGS" || RC=1
log "results: $OUT/$NAME.json"
(( RC == 0 )) && log PASS || log FAIL
exit $RC
