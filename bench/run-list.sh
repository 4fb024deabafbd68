#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# Listings at scale (issue #14, "operations at scale"): what `mip4ctl
# bindings` costs the daemon and the client at N bindings, and what a
# listing in progress costs the registrations.
#
#   mn-$$ (CPU 1)                              ha-$$ (CPU 0)
#   m0 192.0.2.2/24 ------------------------- h1 192.0.2.1/24
#   mip4-loadgen: N mobile nodes (fill,           mip4d: home agent, N mobile
#   renew), as bench/run-ha.sh                    nodes (bench/ha-conf.py)
#   mip4ctl and a raw reader on CPU 1 too, on the control socket (a unix
#   socket: no namespace needed)
#
# For each binary set (this tree's, and with --baseline DIR another one's,
# e.g. main's, side by side), with a fresh mip4d holding N bindings:
#   json     mip4ctl bindings --json into a file: wall time, mip4ctl's peak
#            RSS, the engine's CPU time and peak RSS above its RSS before
#            (VmHWM reset through /proc/PID/clear_refs), bytes, entries
#   text     mip4ctl bindings (text) to /dev/null: the same
#   oneline  a client without "more-ok" (one answer line), read raw
#   home/24  mip4ctl bindings --json --home FIRST/24 (256 entries)
#   nai-none mip4ctl bindings --json --nai none- (no entry: a whole walk)
#   renew    R renewals spread over all N, window W, alone and then while
#            raw readers list the bindings back to back (the reader's
#            time on CPU 1 is the load generator's loss too: both rates
#            are given, and the engine's CPU per renewal, which is not)
#   idle     the same with window 1: the latency a single node sees
# The baseline's mip4ctl has no filters: those rows are left out for it.
#
# usage: run-list.sh [--smoke] [--bin DIR] [--baseline DIR] [--out DIR]
#                    [--size N] [--requests R] [--window W]
#   full run: N 1000000, R 200000, W 128;  --smoke: N 2000, R 4000 (~15 s)
# Writes OUT/list-DATE.json (OUT defaults to bench/results) and prints a
# table.  Fails when a listing is not whole or a renewal is not answered.
set -uo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/.." && pwd)
BIN=$REPO/build/bin
BASE=
OUT=$HERE/results
SMOKE=0 N=1000000 REQUESTS=200000 WINDOW=128
ARGS="$*"
while (( $# )); do
  case $1 in
    --smoke) SMOKE=1 ;;
    --bin) BIN=$2; shift ;;
    --baseline) BASE=$2; shift ;;
    --out) OUT=$2; shift ;;
    --size) N=$2; shift ;;
    --requests) REQUESTS=$2; shift ;;
    --window) WINDOW=$2; shift ;;
    *) echo "usage: see the comment at the top of $0" >&2; exit 2 ;;
  esac
  shift
done
(( SMOKE )) && N=2000 REQUESTS=4000

HA=ha-$$ MN=mn-$$
HA_ADDR=192.0.2.1 MN_ADDR=192.0.2.2
FIRST=10.64.1.0 SPI=0x10000 KEY=00112233445566778899aabbccddeeff
TMP=$(mktemp -d /tmp/bench-list.XXXXXX)
chmod 711 "$TMP" # the engine (an unprivileged user) reaches its state in it
SOCK=$TMP/ha.sock
REC=$TMP/records.jsonl
SRV_PID= ENG_PID=
PIDS=()
STAMP=$(date -u +%Y%m%dT%H%M%SZ)
NAME=run-list
RESULT=list$( (( SMOKE )) && echo -smoke)-$STAMP
. "$REPO/tests/testlib.sh" # log, fail, wait_for, ns_cleanup

# mip4d removes its 1M routes on the way out: wait for it
stop_server() {
  [[ -n $SRV_PID ]] || return 0
  kill "$SRV_PID" 2>/dev/null
  wait "$SRV_PID" 2>/dev/null
  SRV_PID=
}

cleanup() {
  stop_server
  ns_cleanup "$HA" "$MN"
  rm -rf "$TMP"
}
trap cleanup EXIT

in_ns() { ip netns exec "$@"; }
cpu_ns() { awk '{ print $1 }' "/proc/$1/schedstat"; }
kb() { awk -v k="$2:" '$1 == k { print $2 }' "/proc/$1/status"; }

make_topology() {
  for ns in "$HA" "$MN"; do ip netns add "$ns"; in_ns "$ns" ip link set lo up; done
  ip link add h1 netns "$HA" type veth peer name m0 netns "$MN"
  in_ns "$HA" ip addr add $HA_ADDR/24 dev h1
  in_ns "$HA" ip link set h1 up
  in_ns "$MN" ip addr add $MN_ADDR/24 dev m0
  in_ns "$MN" ip link set m0 up
}

# record KEY=VALUE...: one JSON record (numbers where they parse)
record() {
  python3 -c 'import json,sys
r = {}
for kv in sys.argv[1:]:
    k, v = kv.split("=", 1)
    for t in (int, float):
        try: v = t(v); break
        except ValueError: pass
    r[k] = v
print(json.dumps(r))' "$@" >> "$REC"
}

# A client that reads a listing raw, without parsing it, to the end (the
# daemon closes the connection after the last line): RAW_READER SOCKET
# MORE_OK(0|1) prints bytes and entries.
RAW_READER='import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.connect(sys.argv[1])
s.sendall(b"{\"version\":1,\"command\":\"bindings\"" +
          (b",\"more-ok\":true" if sys.argv[2] == "1" else b"") + b"}\n")
n = entries = 0
tail, key = b"", b"\"home_addr\""
while True:
    d = s.recv(1 << 20)
    if not d:
        break
    n += len(d)
    w = tail + d
    entries += w.count(key)
    tail = w[-(len(key) - 1):]
print(n, entries)'

# listing KIND CTL...: one timed listing by the command CTL..., whose
# stdout goes to $TMP/out; checks it holds EXPECT entries
listing() {
  local kind=$1 expect=$2; shift 2
  local c0 c1 h0 t0 t1 peak bytes entries ctl_kb
  echo 5 > "/proc/$ENG_PID/clear_refs" # VmHWM := VmRSS
  h0=$(kb "$ENG_PID" VmRSS); c0=$(cpu_ns "$ENG_PID"); t0=$(date +%s%N)
  /usr/bin/time -f '%M' -o "$TMP/time" taskset -c 1 "$@" > "$TMP/out"
  local rc=$?
  t1=$(date +%s%N); c1=$(cpu_ns "$ENG_PID"); peak=$(kb "$ENG_PID" VmHWM)
  ctl_kb=$(tail -n 1 "$TMP/time")
  bytes=$(stat -c %s "$TMP/out")
  case $kind in
    text) # the count line: last here, first in older mip4ctl
      entries=$(grep -E '^[0-9]+ bindings$' "$TMP/out" | awk '{ print $1 }') ;;
    oneline) read -r bytes entries < "$TMP/out" ;;
    *) entries=$(grep -o '"home_addr"' "$TMP/out" | wc -l) ;;
  esac
  rm -f "$TMP/out"
  record phase=list set="$SET" kind="$kind" n="$N" rc="$rc" seconds="$(( t1 - t0 ))e-9" \
    engine_cpu_s="$(( c1 - c0 ))e-9" engine_rss_kb="$h0" engine_peak_above_kb="$(( peak - h0 ))" \
    client_peak_kb="$ctl_kb" bytes="$bytes" entries="$entries" expect="$expect"
  log "$SET $kind: $entries entries, $bytes bytes in $(( (t1 - t0) / 1000000 )) ms; engine CPU $(( (c1 - c0) / 1000000 )) ms, peak +$(( (peak - h0) / 1024 )) MiB; client peak $(( ctl_kb / 1024 )) MiB"
  verdict "$(( rc == 0 && ${entries:-0} == expect ))" \
    "$kind: exit $rc, ${entries:-no} entries of $expect"
}

# renew LABEL WINDOW REQUESTS LISTING(0|1): a renewal pass, with raw
# readers listing back to back meanwhile when LISTING is 1
renew() {
  local label=$1 w=$2 r=$3 with=$4 out c0 c1 rc lpid= lists=0
  if (( with )); then
    ( while :; do taskset -c 1 python3 -c "$RAW_READER" "$SOCK" 1 > /dev/null || exit; echo x; done ) > "$TMP/lists" &
    lpid=$!
    sleep 0.5 # a listing under way
  fi
  c0=$(cpu_ns "$ENG_PID")
  out=$(in_ns "$MN" taskset -c 1 "$LOADGEN" --ha $HA_ADDR --src $MN_ADDR --home $FIRST \
        --count "$N" --spi $SPI --key $KEY --timeout 5 --lifetime 3600 \
        --requests "$r" --window "$w" --order spread --label "$label")
  rc=$?
  c1=$(cpu_ns "$ENG_PID")
  if [[ -n $lpid ]]; then
    kill "$lpid" 2>/dev/null; wait "$lpid" 2>/dev/null
    lists=$(wc -l < "$TMP/lists")
  fi
  [[ -n $out ]] || { fail "$SET $label: no output from mip4-loadgen"; return; }
  python3 -c 'import json,sys
r = json.loads(sys.argv[1])
r.update(phase="renew", set=sys.argv[2], n=int(sys.argv[3]), listing=int(sys.argv[4]),
         listings_done=int(sys.argv[5]), engine_cpu_ns=int(sys.argv[6]))
print(json.dumps(r))' "$out" "$SET" "$N" "$with" "$lists" "$(( c1 - c0 ))" >> "$REC"
  log "$SET $label: $(python3 -c 'import json,sys; r=json.loads(sys.argv[1]); l=r["latency_us"]; print(r["per_second"], "/s, accepted", r["accepted"], "of", r["requests"], "lost", r["lost"], "p50", l["p50"], "p99", l["p99"], "max", l["max"], "us")' "$out"), $lists listings finished meanwhile"
  verdict "$(( rc == 0 ))" "$label: every renewal answered, accepted and authentic"
}

# What the baseline fails is a finding, not a failure of the run.
verdict() { # OK DESCRIPTION
  if (( $1 )); then pass "$SET $2"
  elif [[ $SET == baseline ]]; then log "baseline fails: $2"
  else fail "$SET $2"; fi
}

one_set() { # SET BINDIR
  SET=$1
  local bin=$2 nb
  MIP4D=$bin/mip4d MIP4CTL=$bin/mip4ctl
  rm -rf "$TMP/ha-state"
  python3 "$HERE/ha-conf.py" "$N" $FIRST $SPI $KEY $HA_ADDR "$SOCK" "$TMP/ha-state/ha.db" > "$TMP/ha.conf"
  chmod 600 "$TMP/ha.conf"
  ip netns exec "$HA" taskset -c 0 "$MIP4D" -F -f "$TMP/ha.conf" > "$TMP/mip4d-$SET.log" 2>&1 &
  SRV_PID=$!
  wait_for 120 "$MIP4CTL" -s "$SOCK" status ||
    { fail "$SET: mip4d did not start"; tail "$TMP/mip4d-$SET.log"; SRV_PID=; return; }
  ENG_PID=$("$MIP4CTL" -s "$SOCK" status --json | python3 -c 'import json,sys; p=json.load(sys.stdin).get("privsep",{}); print(p.get("engine","") if p.get("on") else "")')
  [[ -n $ENG_PID ]] || ENG_PID=$SRV_PID
  in_ns "$MN" taskset -c 1 "$LOADGEN" --ha $HA_ADDR --src $MN_ADDR --home $FIRST --count "$N" \
    --spi $SPI --key $KEY --timeout 5 --lifetime 3600 --requests "$N" --window "$WINDOW" \
    --order seq > /dev/null || { fail "$SET: the fill was not answered in full"; stop_server; return; }
  nb=$("$MIP4CTL" -s "$SOCK" status --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["home_agent"]["bindings"])')
  [[ $nb == "$N" ]] || fail "$SET: $nb bindings after the fill, want $N"
  listing json "$N" "$MIP4CTL" -s "$SOCK" bindings --json
  listing text "$N" "$MIP4CTL" -s "$SOCK" bindings
  listing oneline "$N" python3 -c "$RAW_READER" "$SOCK" 0
  if [[ $SET == this ]]; then
    listing home/24 256 "$MIP4CTL" -s "$SOCK" bindings --json --home "${FIRST%.*}.0/24"
    listing nai-none 0 "$MIP4CTL" -s "$SOCK" bindings --json --nai none-
  fi
  renew renew "$WINDOW" "$REQUESTS" 0
  renew renew+list "$WINDOW" "$REQUESTS" 1
  renew idle 1 $(( SMOKE ? 500 : 3000 )) 0
  renew idle+list 1 $(( SMOKE ? 500 : 3000 )) 1
  stop_server
}

mkdir -p "$OUT"
LOADGEN=$BIN/mip4-loadgen
[[ -x $BIN/mip4d && -x $BIN/mip4ctl && -x $LOADGEN ]] ||
  { log "build first: $BIN has no mip4d, mip4ctl or mip4-loadgen"; exit 1; }
LOAD0=$(cut -d" " -f1-3 /proc/loadavg)
make_topology
log "N=$N, renewals $REQUESTS window $WINDOW; $(nproc) CPUs, $(uname -r)"
one_set this "$BIN"
[[ -n $BASE ]] && one_set baseline "$BASE"
python3 - "$REC" "$OUT/$RESULT.json" "$0 $ARGS" "$LOAD0" "$(cut -d" " -f1-3 /proc/loadavg)" <<'EOF'
import json, sys
rec, out, cmd, l0, l1 = sys.argv[1:6]
rows = [json.loads(l) for l in open(rec)]
json.dump({"meta": {"command": cmd, "loadavg_start": l0, "loadavg_end": l1},
           "records": rows}, open(out, "w"), indent=1)
print("| set | listing | entries | bytes | wall s | engine CPU s | engine peak above RSS MiB | client peak MiB |")
print("|---|---|---|---|---|---|---|---|")
for r in rows:
    if r["phase"] == "list":
        n = f"{r['entries']:,}" if isinstance(r["entries"], int) else "-"
        print(f"| {r['set']} | {r['kind']} | {n} | {r['bytes']:,} | {r['seconds']:.2f} "
              f"| {r['engine_cpu_s']:.2f} | {r['engine_peak_above_kb'] / 1024:.1f} "
              f"| {r['client_peak_kb'] / 1024:.1f} |")
print()
print("| set | pass | listing meanwhile | req/s | p50 / p99 / max us | engine CPU us per renewal (listings included) | listings done |")
print("|---|---|---|---|---|---|---|")
for r in rows:
    if r["phase"] == "renew":
        l = r["latency_us"]
        print(f"| {r['set']} | {r['label']} | {'yes' if r['listing'] else 'no'} | {r['per_second']:,} "
              f"| {l['p50']} / {l['p99']} / {l['max']} | {r['engine_cpu_ns'] / 1000 / r['requests']:.1f} "
              f"| {r['listings_done']} |")
EOF
log "results: $OUT/$RESULT.json"
finish
