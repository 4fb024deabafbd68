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
#    CPU-cost ratio does not depend on what else the machine runs).  With perf, one more renew pass is profiled at
#    the smallest and the largest N.
# Every pass must be answered in full, accepted and authentic, or the run
# fails (so --smoke catches real breakage, never slowness).
#
# usage: run-ha.sh [--smoke] [--bin DIR] [--out DIR] [--sizes "N ..."]
#                  [--trials T] [--requests R] [--window W] [--no-profile]
#   full run:  sizes 1000 10000 100000 1000000, 3 trials of 200000
#   --smoke:   size 1000, 1 trial of 3000 (< 30 s)
# Writes OUT/ha-DATE.json (OUT defaults to bench/results) and prints a
# summary table.  Needs root, iproute2, python3, taskset; perf optional.
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
ARGS="$*"
while (( $# )); do
  case $1 in
    --smoke) SMOKE=1 ;;
    --bin) BIN=$2; shift ;;
    --out) OUT=$2; shift ;;
    --sizes) SIZES=$2; shift ;;
    --trials) TRIALS=$2; shift ;;
    --requests) REQUESTS=$2; shift ;;
    --window) WINDOW=$2; shift ;;
    --no-profile) PROFILE=0 ;;
    *) echo "usage: see the comment at the top of $0" >&2; exit 2 ;;
  esac
  shift
done
if (( SMOKE )); then
  SIZES=1000 TRIALS=1 REQUESTS=3000 PROFILE=0
fi

HA=ha-$$ MN=mn-$$
HA_ADDR=192.0.2.1 MN_ADDR=192.0.2.2
FIRST=10.64.1.0 SPI=0x10000 KEY=00112233445566778899aabbccddeeff
TMP=$(mktemp -d /tmp/bench-ha.XXXXXX)
chmod 711 "$TMP" # the engine (an unprivileged user) reaches its state in it
SOCK=$TMP/ha.sock
REC=$TMP/records.jsonl
SRV_PID= ENG_PID=
RC=0
STAMP=$(date -u +%Y%m%dT%H%M%SZ)
NAME=ha$( (( SMOKE )) && echo -smoke)-$STAMP

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
  out=$(in_ns "$MN" taskset -c 1 "$BIN/mip4-loadgen" --ha $HA_ADDR --src $MN_ADDR \
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

profile() { # N
  local n=$1
  command -v perf >/dev/null || { log "perf not found: no profile"; return; }
  perf record -q -e cpu-clock -F 1000 --call-graph dwarf,16384 -p "$ENG_PID" \
    -o "$TMP/perf-$n.data" > /dev/null 2>&1 &
  local perf_pid=$!
  sleep 0.3
  loadgen profiled "$n" 1 --requests $(( REQUESTS / 4 )) --window "$WINDOW" --order spread
  kill -INT "$perf_pid"; wait "$perf_pid" 2>/dev/null
  # self time by symbol, and inclusive time by symbol (callers included)
  perf report -i "$TMP/perf-$n.data" --stdio --no-children --sort dso,symbol \
    --percent-limit 0.5 -g none 2>/dev/null | grep -v '^#' | grep -v '^$' \
    > "$OUT/$NAME-profile-$n.txt"
  perf report -i "$TMP/perf-$n.data" --stdio --children --sort symbol \
    --percent-limit 1 -g none 2>/dev/null | grep -v '^#' | grep -v '^$' \
    > "$OUT/$NAME-profile-$n-children.txt"
  log "profile at N=$n: $OUT/$NAME-profile-$n.txt"
}

one_size() { # N
  local n=$1 t0 t1 r0 r1 nb db_bytes
  rm -rf "$TMP"/ha-state
  t0=$(date +%s%N)
  python3 "$HERE/ha-conf.py" "$n" $FIRST $SPI $KEY $HA_ADDR "$SOCK" "$TMP/ha-state/ha.db" > "$TMP/ha.conf"
  chmod 600 "$TMP/ha.conf"
  t1=$(date +%s%N)
  # the daemon's own log (one line per registration) goes to a file, as
  # it would in a real deployment
  ip netns exec "$HA" taskset -c 0 "$BIN/mip4d" -f "$TMP/ha.conf" > "$TMP/mip4d-$n.log" 2>&1 &
  SRV_PID=$!
  wait_for 120 server_up && kill -0 "$SRV_PID" 2>/dev/null ||
    { fail "mip4d did not start with N=$n"; tail "$TMP/mip4d-$n.log"; SRV_PID=; return; }
  local t2; t2=$(date +%s%N)
  # the engine holds the bindings (the parent when not separated)
  ENG_PID=$(ctl status --json | python3 -c 'import json,sys; p=json.load(sys.stdin).get("privsep",{}); print(p.get("engine","") if p.get("on") else "")')
  [[ -n $ENG_PID ]] || ENG_PID=$SRV_PID
  r0=$(rss_kb "$ENG_PID")
  loadgen fill "$n" 1 --requests "$n" --window "$WINDOW" --order seq || { stop_server; return; }
  r1=$(rss_kb "$ENG_PID")
  nb=$(ctl status --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["home_agent"]["bindings"])')
  [[ $nb == "$n" ]] || fail "N=$n: $nb bindings after the fill, want $n"
  db_bytes=$(du -cb "$TMP"/ha-state/ha.db* | awk 'END { print $1 }')
  printf '{"phase":"memory","n":%d,"rss_kb_start":%d,"rss_kb_filled":%d,"bindings":%d,"state_db_bytes":%d,"config_gen_s":%.3f,"startup_s":%.3f}\n' \
    "$n" "$r0" "$r1" "$nb" "$db_bytes" "$(( t1 - t0 ))e-9" "$(( t2 - t1 ))e-9" >> "$REC"
  log "N=$n: VmRSS $r0 kB -> $r1 kB: $(( (r1 - r0) * 1024 / n )) bytes per binding; state db $(( db_bytes / n )) bytes per binding"
  loadgen idle "$n" 1 --requests $(( SMOKE ? 200 : 2000 )) --window 1 --order spread
  for t in $(seq "$TRIALS"); do
    anchor "$n" "$t"
    loadgen renew "$n" "$t" --requests "$REQUESTS" --window "$WINDOW" --order spread
  done
  # the routes must really be there: one per binding in the HA's table
  local routes
  routes=$(in_ns "$HA" ip -4 route show dev mip-ha0 | wc -l)
  (( routes == n )) || fail "N=$n: $routes routes into mip-ha0, want $n"
  if (( PROFILE )) && [[ $n == "${SIZES%% *}" || $n == "${SIZES##* }" ]]; then
    profile "$n"
  fi
  stop_server
}

mkdir -p "$OUT"
[[ -x $BIN/mip4d && -x $BIN/mip4-loadgen && -x $BIN/udp-echo ]] ||
  { log "build first: $BIN has no mip4d, mip4-loadgen or udp-echo"; exit 1; }
LOAD0=$(cut -d" " -f1-3 /proc/loadavg)
make_topology
log "sizes $SIZES, $TRIALS trials of $REQUESTS, window $WINDOW; $(nproc) CPUs, $(uname -r)"
start_anchor
for n in $SIZES; do one_size "$n"; done
python3 "$HERE/ha-report.py" "$REC" "$OUT/$NAME.json" \
  --meta loadavg_start="$LOAD0" loadavg_end="$(cut -d" " -f1-3 /proc/loadavg)" smoke="$SMOKE" sizes="$SIZES" trials="$TRIALS" requests="$REQUESTS" \
  window="$WINDOW" command="$0 $ARGS" || RC=1
log "results: $OUT/$NAME.json"
(( RC == 0 )) && log PASS || log FAIL
exit $RC
