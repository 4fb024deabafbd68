#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# The home agent's durability contract (daemon/hastore.h, mip4d(8)
# DURABILITY): a reply that grants a binding leaves only once the binding
# is in the state file, whatever happens to the process or the disk.
#
#   ha-$$ (mip4d)                               mn-$$
#   h1 192.0.2.1/24 --------------------------- m0 192.0.2.2/24
#   state: $TMP/st, a tmpfs of its own          mip4-loadgen: N nodes
#
# (a) crash consistency: rounds of registrations for fresh nodes, mip4d
#     killed with SIGKILL (both processes) in the middle of each; after
#     every restart each home address the load generator saw accepted is
#     bound again; PRAGMA integrity_check ok at the end.
# (b) disk full: the tmpfs filled while mip4d runs: new bindings get code
#     130, none 0; renewals in place (nothing to write) still get 0; after
#     a SIGKILL and a restart with space back, exactly what was accepted
#     is there.
# (c) the same, space freed while running: the store heals by itself
#     (status "ok" again) and the refused nodes register.
# (d) the state file deleted while running: written anew from memory,
#     registrations granted, all of them back after a SIGKILL.
# (e) the file system remounted read-only: refused with 130, the status
#     says failing.
#
# usage: ha_durability.sh MIP4D MIP4CTL MIP4_LOADGEN HA_CONF_PY   (root)
set -uo pipefail

MIP4D=$(realpath "${1:?usage: $0 mip4d mip4ctl mip4-loadgen ha-conf.py}")
MIP4CTL=$(realpath "${2:?}")
LOADGEN=$(realpath "${3:?}")
HACONF=$(realpath "${4:?}")
HA=ha-$$ MN=mn-$$
HA_ADDR=192.0.2.1 MN_ADDR=192.0.2.2 PORT=40434
FIRST=10.96.0.1 SPI=0x20000 KEY=00112233445566778899aabbccddeeff
N=12000      # configured nodes
ROUND=3000   # fresh nodes per crash round
TMP=$(mktemp -d /tmp/ha_durability.XXXXXX)
chmod 711 "$TMP"
ST=$TMP/st
SOCK=$TMP/ha.sock
PIDS=()
NAME=ha_durability
# shellcheck source=../testlib.sh
. "$(dirname "$0")/../testlib.sh"

cleanup() {
  (( FAILED == 0 )) || grep -v 'event=registered' "$TMP"/mip4d.log 2>/dev/null | tail -n 25
  (( ${#PIDS[@]} )) && kill_ha
  for ns in "$HA" "$MN"; do
    ip netns pids "$ns" 2>/dev/null | xargs -r kill -9 2>/dev/null
    ip netns del "$ns" 2>/dev/null
  done
  umount "$ST" 2>/dev/null
  rm -rf "$TMP"
}
trap cleanup EXIT

# shellcheck source=ha_lib.sh
. "$(dirname "$0")/ha_lib.sh"

fill_fs() { dd if=/dev/zero of="$ST/filler" bs=64k 2>/dev/null; dd if=/dev/zero of="$ST/filler2" bs=1 2>/dev/null; true; }
unfill_fs() { rm -f "$ST/filler" "$ST/filler2"; }

ip netns add "$HA"; ip netns add "$MN"
in_ns "$HA" ip link set lo up; in_ns "$MN" ip link set lo up
ip link add h1 netns "$HA" type veth peer name m0 netns "$MN"
in_ns "$HA" ip addr add $HA_ADDR/24 dev h1; in_ns "$HA" ip link set h1 up
in_ns "$MN" ip addr add $MN_ADDR/24 dev m0; in_ns "$MN" ip link set m0 up

# the engine's user must own the state directory (privilege separation)
ENG_UID=$(id -u mip4d 2>/dev/null || id -u nobody)
ENG_GID=$(id -g mip4d 2>/dev/null || id -g nobody)
mkdir -p "$ST"
mount -t tmpfs -o size=8m,mode=0700,uid=$ENG_UID,gid=$ENG_GID tmpfs "$ST" ||
  { log "SKIP: cannot mount a tmpfs"; exit 77; }
python3 "$HACONF" $N $FIRST $SPI $KEY $HA_ADDR "$SOCK" "$ST/ha.db" > "$TMP/ha.conf"
chmod 600 "$TMP/ha.conf"

# ---- (a) crash consistency
start_ha
accepted=()
for r in 0 1 2; do
  crash_round "$TMP/a$r" $(( r * ROUND ))
  accepted+=("$TMP/a$r.acc")
  log "(a) round $r: accepted $(field "$TMP/a$r" accepted) of $ROUND before the kill"
  start_ha
  check "(a) round $r: every accepted registration survives kill -9" all_bound "${accepted[@]}"
done
n_acc=$(cat "${accepted[@]}" | wc -l)
(( n_acc > 0 )) || fail "(a) nothing was accepted: the test proved nothing"
stop_ha
check "(a) PRAGMA integrity_check ok" python3 -c "
import sqlite3, sys
r = sqlite3.connect('$ST/ha.db').execute('PRAGMA integrity_check').fetchone()[0]
print(r); sys.exit(r != 'ok')"

# ---- (b) disk full while running, then a crash
rm -f "$ST"/ha.db*
B0=$(( 3 * ROUND )) # nodes of this phase: B0.. (500 stored first)
start_ha
loadgen "$TMP/b1" $B0 500 --window 32
check "(b) 500 registrations before the disk fills" test "$(field "$TMP/b1" accepted)" = 500
fill_fs
loadgen "$TMP/b2" $(( B0 + 500 )) 500 --window 32
check "(b) disk full: no new binding granted" test "$(field "$TMP/b2" accepted)" = 0
check "(b) disk full: refused with code 130" test "$(field "$TMP/b2" first_denial_code)" = 130
check "(b) disk full: the status says failing" test "$(store_state)" = failing
check "(b) disk full: not in the table" test "$(bound_count)" = 500
loadgen "$TMP/b3" $B0 500 --window 32
check "(b) disk full: renewals in place (nothing to write) still granted" \
  test "$(field "$TMP/b3" accepted)" = 500
kill_ha
unfill_fs
start_ha
check "(b) after kill -9: every accepted binding is back" all_bound "$TMP/b1.acc" "$TMP/b3.acc"
check "(b) after kill -9: none of the refused ones" test "$(bound_count)" = 500

# ---- (c) space freed while running: heals by itself
# (a clean stop removes the log; after a crash SQLite would reuse the old
# log's space from its start, and the first changes would still fit)
stop_ha
start_ha
fill_fs
loadgen "$TMP/c1" $(( B0 + 500 )) 500 --window 32
check "(c) full again: refused with 130" test "$(field "$TMP/c1" first_denial_code)" = 130
unfill_fs
check "(c) space back: the store heals by itself" wait_for 15 sh -c \
  "[ \"\$(ip netns exec $HA $MIP4CTL status --json -s $SOCK | python3 -c 'import json,sys; print(json.load(sys.stdin)[\"home_agent\"][\"state_db\"][\"state\"])')\" = ok ]"
loadgen "$TMP/c2" $(( B0 + 500 )) 500 --window 32
check "(c) the refused nodes register" test "$(field "$TMP/c2" accepted)" = 500

# ---- (d) the file deleted while running
rm -f "$ST/ha.db"
loadgen "$TMP/d1" $(( B0 + 1000 )) 500 --window 32
check "(d) file deleted: registrations granted (written anew)" test "$(field "$TMP/d1" accepted)" = 500
check "(d) a recovery counted" test "$(ctl counters --json | jq_py 'd["state-db"]["recoveries"]')" = 1
kill_ha
start_ha
check "(d) after kill -9: all of them back" all_bound "$TMP/b1.acc" "$TMP/c1.acc" "$TMP/c2.acc" "$TMP/d1.acc"

# ---- (e) read-only: said so at start (a file system with a file open
# for writing cannot be remounted read-only under a running daemon)
stop_ha
mount -o remount,ro "$ST"
ip netns exec "$HA" "$MIP4D" -d -f "$TMP/ha.conf" > "$TMP/ro.log" 2>&1
check "(e) read-only file system: mip4d refuses to start" test $? -ne 0
check "(e) read-only file system: and says so" grep -qi 'read-only' "$TMP/ro.log"
mount -o remount,rw "$ST"

finish
