#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# Registrations/s of the home agent on the etcd store (state-etcd) beside
# the SQLite store, same run, passes alternating (issue #16).
#
#   e0-$$ etcd 192.0.2.11 --+
#   e1-$$ etcd 192.0.2.12 --+-- br0 in sw-$$ --+-- ha-$$ 192.0.2.1 mip4d
#   e2-$$ etcd 192.0.2.13 --+                  +-- mn-$$ 192.0.2.2 mip4-loadgen
#
# Per trial and store: a fresh mip4d with N mobile nodes (and, for etcd,
# a fresh key prefix); "fill" registers all N (each request creates a
# binding: one write); "move" registers all N again from another source
# port (each one changes the binding: one write each, N bindings
# present).  Both use window W (requests in flight).  The rate is what
# mip4-loadgen measured (accepted requests / seconds); every request must
# be accepted or the run fails.
#
# usage: run-etcd.sh [--bin DIR] [--out DIR] [--n N] [--trials T] [--window W]
#   defaults: N 10000, 3 trials, window 64.  Writes OUT/etcd-DATE.json
#   (OUT defaults to bench/results) and prints a table.  Root.
set -uo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/.." && pwd)
BIN=$REPO/build/bin OUT=$HERE/results N=10000 TRIALS=3 WINDOW=64
while (($#)); do
  case $1 in
    --bin) BIN=$(realpath "$2"); shift 2 ;;
    --out) OUT=$2; shift 2 ;;
    --n) N=$2; shift 2 ;;
    --trials) TRIALS=$2; shift 2 ;;
    --window) WINDOW=$2; shift 2 ;;
    *) echo "usage: $0 [--bin DIR] [--out DIR] [--n N] [--trials T] [--window W]" >&2; exit 2 ;;
  esac
done

SW=sw-$$ HA=ha-$$ MN=mn-$$ E=(e0-$$ e1-$$ e2-$$)
E_ADDR=(192.0.2.11 192.0.2.12 192.0.2.13)
HA_ADDR=192.0.2.1 MN_ADDR=192.0.2.2
FIRST=10.96.0.1 SPI=0x20000 KEY=00112233445566778899aabbccddeeff
TMP=$(mktemp -d /tmp/run-etcd.XXXXXX)
chmod 711 "$TMP"
SOCK=$TMP/ha.sock
HAPID= EPIDS=()
ENG_UID=$(id -u mip4d 2>/dev/null || id -u nobody)

# shellcheck source=../tests/ha/etcd_lab.sh
. "$REPO/tests/ha/etcd_lab.sh"
cleanup() {
  [[ -n $HAPID ]] && kill "$HAPID" 2>/dev/null && wait "$HAPID" 2>/dev/null
  etcd_lab_down
}
trap cleanup EXIT
die() { echo "run-etcd: $*" >&2; exit 1; }
poll() { # poll SECONDS CMD...
  local end=$(( $(date +%s) + $1 )); shift
  until "$@" >/dev/null 2>&1; do (( $(date +%s) < end )) || return 1; sleep 0.05; done
}

etcd_lab_up
poll 30 etcd_ok 0 || die "etcd: no quorum"

# pass STORE TRIAL: a fresh mip4d, fill and move; one JSON line per phase
pass() {
  local store=$1 t=$2 conf=$TMP/ha.conf st=$TMP/st-$1-$2
  mkdir -p "$st"; chown "$ENG_UID" "$st"; chmod 700 "$st"
  python3 "$HERE/ha-conf.py" "$N" $FIRST $SPI $KEY $HA_ADDR "$SOCK" "$st/ha.db" > "$conf"
  [[ $store == etcd ]] &&
    printf 'state-etcd {\n\tendpoints %s:2379,%s:2379,%s:2379\n\tprefix /bench-%s-%s/\n}\n' \
      "${E_ADDR[@]}" $$ "$t" >> "$conf"
  chmod 600 "$conf"
  ip netns exec "$HA" "$BIN/mip4d" -F -f "$conf" > "$TMP/mip4d-$store-$t.log" 2>&1 &
  HAPID=$!
  poll 60 ip netns exec "$HA" "$BIN/mip4ctl" status -s "$SOCK" || die "mip4d ($store) did not start"
  for phase in fill:40434 move:40435; do
    ip netns exec "$MN" "$BIN/mip4-loadgen" --ha $HA_ADDR --src "$MN_ADDR:${phase#*:}" \
      --home $FIRST --count "$N" --spi $SPI --key $KEY --lifetime 3600 --timeout 2 \
      --window "$WINDOW" --label "$store-${phase%%:*}" > "$TMP/lg.json" ||
      die "$store ${phase%%:*}: not every request accepted: $(cat "$TMP/lg.json")"
    python3 -c "import json,sys; d=json.load(open('$TMP/lg.json')); d.update(store='$store', phase='${phase%%:*}', trial=$t, n=$N); print(json.dumps(d))" >> "$TMP/results.jsonl"
  done
  kill "$HAPID"; wait "$HAPID" 2>/dev/null; HAPID=
}

for t in $(seq 1 "$TRIALS"); do
  pass sqlite "$t"
  pass etcd "$t"
done

mkdir -p "$OUT"
f=$OUT/etcd-$(date -u +%Y%m%dT%H%M%SZ).json
python3 - "$TMP/results.jsonl" "$f" "$N" "$WINDOW" <<'EOF'
import json, statistics, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
out = {"n": int(sys.argv[3]), "window": int(sys.argv[4]),
       "etcd": "3.4.23, 3 members in namespaces on this host", "passes": rows}
json.dump(out, open(sys.argv[2], "w"), indent=1)
print(f"N={out['n']} window={out['window']}  registrations/s (median of {len(rows)//4} trials), p50/p99 latency ms")
med = {}
for ph in ("fill", "move"):
    for st in ("sqlite", "etcd"):
        r = [x for x in rows if x["store"] == st and x["phase"] == ph]
        med[st, ph] = statistics.median(x["per_second"] for x in r)
        print(f"  {ph:4} {st:6} {med[st, ph]:9.0f}/s  "
              f"p50 {statistics.median(x['latency_us']['p50'] for x in r)/1000:.1f}  "
              f"p99 {statistics.median(x['latency_us']['p99'] for x in r)/1000:.1f}")
    print(f"  {ph:4} etcd/sqlite {med['etcd', ph] / med['sqlite', ph]:.3f}")
print("written", sys.argv[2])
EOF
