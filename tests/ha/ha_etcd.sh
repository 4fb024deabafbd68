#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# The home agent on the etcd store (state-etcd, daemon/etcdstore.h): the
# durability contract of mip4d(8) with etcd holding the bindings, and a
# second home agent taking over from what etcd holds.
#
#   e0-$$ etcd 192.0.2.11 --+
#   e1-$$ etcd 192.0.2.12 --+-- br0 in sw-$$ --+-- ha-$$ 192.0.2.1 mip4d (HA1, then HA2)
#   e2-$$ etcd 192.0.2.13 --+                  +-- mn-$$ 192.0.2.2 mip4-loadgen
#                                              +-- ha2-$$ 192.0.2.3 mip4d (c)
#
# (a) rounds of registrations for fresh nodes, HA1 killed with SIGKILL
#     (both processes) in the middle of each; HA2 (a fresh process with an
#     empty state directory of its own, as on another host) starts on the
#     same etcd: every home address the load generator saw accepted is
#     bound there, and no SQLite file was written.
# (b) quorum lost (two members stopped): registrations for new nodes get
#     code 130, none 0; the status says failing; members back: the store
#     heals and the refused nodes register; after SIGKILL and a restart
#     all of them are back.
# (c) the election (state-etcd name): HA1 (name ha1) active, HA2 (ha2-$$,
#     192.0.2.3, name ha2) standby: HA2 refuses new registrations with
#     130 and counts them (refused-standby), HA1 grants; HA1 killed with
#     SIGKILL: HA2 active once HA1's lease (2 s) ended, and it grants.
#
# usage: ha_etcd.sh MIP4D MIP4CTL MIP4_LOADGEN HA_CONF_PY   (root; ~70 s)
set -uo pipefail

MIP4D=$(realpath "${1:?usage: $0 mip4d mip4ctl mip4-loadgen ha-conf.py}")
MIP4CTL=$(realpath "${2:?}")
LOADGEN=$(realpath "${3:?}")
HACONF=$(realpath "${4:?}")
SW=sw-$$ HA=ha-$$ MN=mn-$$ E=(e0-$$ e1-$$ e2-$$)
HA_ADDR=192.0.2.1 MN_ADDR=192.0.2.2 PORT=40434
E_ADDR=(192.0.2.11 192.0.2.12 192.0.2.13)
FIRST=10.96.0.1 SPI=0x20000 KEY=00112233445566778899aabbccddeeff
N=4000       # configured nodes
ROUND=1000   # fresh nodes per crash round
TMP=$(mktemp -d /tmp/ha_etcd.XXXXXX)
chmod 711 "$TMP"
SOCK=$TMP/ha.sock
PIDS=() EPIDS=()
NAME=ha_etcd
# shellcheck source=../testlib.sh
. "$(dirname "$0")/../testlib.sh"

command -v etcd >/dev/null || { log "SKIP: no etcd (scripts/deps.sh)"; exit 77; }

cleanup() {
  (( FAILED == 0 )) || grep -v 'event=registered' "$TMP"/mip4d.log 2>/dev/null | tail -n 25
  (( ${#PIDS[@]} )) && kill_ha
  etcd_lab_down
}
trap cleanup EXIT

# shellcheck source=ha_lib.sh
. "$(dirname "$0")/ha_lib.sh"
# shellcheck source=etcd_lab.sh
. "$(dirname "$0")/etcd_lab.sh"

# conf FILE STATEDIR [NAME ADDR SOCKET]: the HA's configuration on the
# etcd store (with NAME: in the election)
ENG_UID=$(id -u mip4d 2>/dev/null || id -u nobody)
conf() {
  mkdir -p "$2"; chown "$ENG_UID" "$2"; chmod 700 "$2"
  python3 "$HACONF" $N $FIRST $SPI $KEY "${4:-$HA_ADDR}" "${5:-$SOCK}" "$2/ha.db" > "$1"
  printf 'state-etcd {\n\tendpoints %s:2379,%s:2379,%s:2379\n\tprefix /mip4d/test-%s/\n\ttimeout 300\n\tname %s\n}\n' \
    "${E_ADDR[@]}" $$ "${3:-none}" >> "$1"
  chmod 600 "$1"
}

t0=$(date +%s%N)
etcd_lab_up
wait_for 30 etcd_ok 0 || { fail "etcd: no quorum after 30 s"; finish; exit 1; }
log "etcd: three members, a quorum after $(( ($(date +%s%N) - t0) / 1000000 )) ms"

conf "$TMP/ha1.conf" "$TMP/st1"
conf "$TMP/ha2.conf" "$TMP/st2"

# ---- (a) kill -9 under load, a second HA restores from etcd
start_ha "$TMP/ha1.conf"
accepted=()
for r in 0 1 2; do
  crash_round "$TMP/a$r" $(( r * ROUND ))
  accepted+=("$TMP/a$r.acc")
  log "(a) round $r: accepted $(field "$TMP/a$r" accepted) of $ROUND before the kill"
  # alternate: HA2 (empty state directory) after HA1, and back
  start_ha "$TMP/ha$(( r % 2 ? 1 : 2 )).conf"
  check "(a) round $r: every accepted registration survives kill -9 (restored by HA$(( r % 2 ? 1 : 2 )) from etcd)" \
    all_bound "${accepted[@]}"
done
n_acc=$(cat "${accepted[@]}" | wc -l)
(( n_acc > 0 )) || fail "(a) nothing was accepted: the test proved nothing"
check "(a) no SQLite file written on the etcd store" \
  test -z "$(find "$TMP/st1" "$TMP/st2" -mindepth 1)"
check "(a) the status names etcd" sh -c \
  "ip netns exec $HA $MIP4CTL status --json -s $SOCK | grep -q '\"path\": *\"etcd '"

# ---- (b) quorum lost: 130, failing, heals
B0=$(( 3 * ROUND ))
for i in 1 2; do kill "${EPIDS[$i]}"; wait "${EPIDS[$i]}" 2>/dev/null; done
loadgen "$TMP/b1" $B0 200 --window 32
check "(b) no quorum: no new binding granted" test "$(field "$TMP/b1" accepted)" = 0
check "(b) no quorum: refused with code 130" test "$(field "$TMP/b1" first_denial_code)" = 130
check "(b) no quorum: the status says failing" test "$(store_state)" = failing
for i in 1 2; do start_etcd $i; done
check "(b) quorum back: the store heals by itself" wait_for 30 sh -c \
  "[ \"\$(ip netns exec $HA $MIP4CTL status --json -s $SOCK | python3 -c 'import json,sys; print(json.load(sys.stdin)[\"home_agent\"][\"state_db\"][\"state\"])')\" = ok ]"
loadgen "$TMP/b2" $B0 200 --window 32
check "(b) the refused nodes register" test "$(field "$TMP/b2" accepted)" = 200
kill_ha
start_ha "$TMP/ha1.conf"
check "(b) after kill -9: every accepted binding is back" all_bound "${accepted[@]}" "$TMP/b2.acc"

# ---- (c) election: only the holder of the key grants; kill -9 of the
# holder: the other takes over once the holder's lease (2 s) ran out
HA2=ha2-$$ HA2_ADDR=192.0.2.3 SOCK2=$TMP/ha2.sock
ip netns add "$HA2"
etcd_link "$HA2" h0 $HA2_ADDR p-ha2
ctl2() { ip netns exec "$HA2" "$MIP4CTL" "$1" -s "$SOCK2" "${@:2}"; }
role() { "$1" status --json | jq_py 'd["home_agent"]["state_db"]["election"]["role"]'; }
is_role() { [ "$(role "$1")" = "$2" ]; }
holder() { "$1" status --json | jq_py 'd["home_agent"]["state_db"]["election"]["holder"]'; }
kill_ha
conf "$TMP/e1.conf" "$TMP/st1" ha1
conf "$TMP/e2.conf" "$TMP/st2" ha2 $HA2_ADDR "$SOCK2"
start_ha "$TMP/e1.conf"
check "(c) HA1 active" wait_for 10 is_role ctl active
ip netns exec "$HA2" "$MIP4D" -d -f "$TMP/e2.conf" >> "$TMP/mip4d2.log" 2>&1 &
HA2PID=$!
wait_for 60 ctl2 status --json || fail "(c) HA2 did not start"
check "(c) HA2 standby, HA1 holds the key" test "$(role ctl2) $(holder ctl2)" = "standby ha1"
C0=$(( B0 + 200 ))
loadgen "$TMP/c1" $C0 100 --window 32 --ha $HA2_ADDR
check "(c) the standby grants nothing" test "$(field "$TMP/c1" accepted)" = 0
check "(c) the standby refuses with 130" test "$(field "$TMP/c1" first_denial_code)" = 130
check "(c) and counts why (refused-standby)" test "$(ctl2 counters --json | jq_py 'd["state-db"]["refused-standby"]')" -ge 100
loadgen "$TMP/c2" $C0 100 --window 32
check "(c) the active grants" test "$(field "$TMP/c2" accepted)" = 100
t0=$(date +%s%N)
kill_ha
wait_for 20 is_role ctl2 active
check "(c) after kill -9 of HA1, HA2 becomes active" test "$(role ctl2)" = active
log "(c) HA2 active $(( ($(date +%s%N) - t0) / 1000000 )) ms after the kill (lease 2 s, election every 1 s)"
loadgen "$TMP/c3" $(( C0 + 100 )) 100 --window 32 --ha $HA2_ADDR
check "(c) the new active grants" test "$(field "$TMP/c3" accepted)" = 100
kill -9 $HA2PID; wait $HA2PID 2>/dev/null

finish
