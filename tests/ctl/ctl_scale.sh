#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# The control socket of a home agent with 10,000 bindings: listings
# streamed whole and filtered in the daemon, registrations answered while
# listings stream, bounded memory for clients that stop reading, and the
# client slots (idle timeout, the oldest idle client making room).
#
#   mn-$$                                        ha-$$
#   m0 192.0.2.2/24 + 192.0.2.3/24 ------------- h1 192.0.2.1/24
#   mip4-loadgen: block A from .2,                mip4d: home agent, 10,020
#   block B from .3; mn_sim: NAI nodes            mobile nodes (home network
#   with care-of addresses 198.51.100.N           10.64.0.0/10, virtual)
#
#   block A  6000 nodes 10.64.1.0 + i   SPI 0x10000 + i   care-of 192.0.2.2
#   block B  4000 nodes 10.66.0.0 + i   SPI 0x20000 + i   care-of 192.0.2.3
#   NAI        12 alice-I@corp.example, 8 bob-I@lab.example, home
#               10.67.0.(I+1) / 10.67.1.(I+1), care-of 198.51.100.(I+1);
#               alice-0 also 203.0.113.77 (simultaneous bindings)
#
# The checks themselves are in ctl_scale.py (it talks to the socket,
# which is reachable from every namespace, and runs the load generator in
# mn-$$).
#
# usage: ctl_scale.sh MIP4D MIP4CTL MN_SIM MIP4_LOADGEN   (root; ~40 s)
set -uo pipefail

MIP4D=$(realpath "${1:?usage: $0 mip4d mip4ctl mn_sim mip4-loadgen}")
MIP4CTL=$(realpath "${2:?}")
MNSIM=$(realpath "${3:?}")
LOADGEN=$(realpath "${4:?}")
HERE=$(cd "$(dirname "$0")" && pwd)
CONFGEN=$HERE/../../bench/ha-conf.py
PY=/usr/bin/python3

HA=ha-$$ MN=mn-$$
HA_ADDR=192.0.2.1 SRC_A=192.0.2.2 SRC_B=192.0.2.3
N_A=6000 FIRST_A=10.64.1.0 SPI_A=0x10000 KEY_A=00112233445566778899aabbccddeeff
N_B=4000 FIRST_B=10.66.0.0 SPI_B=0x20000 KEY_B=ffeeddccbbaa99887766554433221100
KEY_N=0f1e2d3c4b5a69788796a5b4c3d2e1f0
TMP=$(mktemp -d /tmp/ctl_scale.XXXXXX)
chmod 711 "$TMP" # the engine (an unprivileged user) reaches its state in it
SOCK=$TMP/mip4d.sock
PIDS=()
NAME=ctl_scale
. "$HERE/../testlib.sh"

cleanup() {
  ns_cleanup "$HA" "$MN"
  if (( FAILED > 0 )) && [[ -s $TMP/mip4d.log ]]; then
    log "---- tail of mip4d.log"; tail -n 20 "$TMP/mip4d.log"
  fi
  rm -rf "$TMP"
}
trap cleanup EXIT

in_ns() { ip netns exec "$@"; }
c() { "$MIP4CTL" -s "$SOCK" "$@"; }

make_topology() {
  local ns
  for ns in "$HA" "$MN"; do
    ip netns add "$ns" || return 1
    in_ns "$ns" ip link set lo up
  done
  ip link add h1 netns "$HA" type veth peer name m0 netns "$MN"
  in_ns "$HA" ip addr add $HA_ADDR/24 dev h1
  in_ns "$HA" ip link set h1 up
  in_ns "$MN" ip addr add $SRC_A/24 dev m0
  in_ns "$MN" ip addr add $SRC_B/24 dev m0
  in_ns "$MN" ip link set m0 up
}

# Blocks A and B as bench/run-ha.sh's generator writes them (one key per
# node, derived as mip4-loadgen does), then the NAI nodes.
write_conf() {
  local i
  {
    $PY "$CONFGEN" $N_A $FIRST_A $SPI_A $KEY_A $HA_ADDR "$SOCK" "$TMP/state/ha.db" | sed '$d'
    $PY "$CONFGEN" $N_B $FIRST_B $SPI_B $KEY_B $HA_ADDR "$SOCK" "$TMP/state/ha.db" | grep mobile-node
    for (( i = 0; i < 12; i++ )); do
      printf '\tmobile-node nai alice-%d@corp.example { home-address 10.67.0.%d spi %d key hex:%s }\n' \
        $i $(( i + 1 )) $(( 0x30000 + i )) $KEY_N
    done
    for (( i = 0; i < 8; i++ )); do
      printf '\tmobile-node nai bob-%d@lab.example { home-address 10.67.1.%d spi %d key hex:%s }\n' \
        $i $(( i + 1 )) $(( 0x30100 + i )) $KEY_N
    done
    printf '}\n'
  } > "$TMP/ha.conf" || return 1
  chmod 600 "$TMP/ha.conf"
}

start_daemon() {
  ip netns exec "$HA" "$MIP4D" -F -f "$TMP/ha.conf" >> "$TMP/mip4d.log" 2>&1 &
  PIDS+=($!)
  wait_for 30 c status
}

# The daemon stops cleanly, and (in the sanitized build) reports nothing.
stop_daemon() {
  local rc
  kill "${PIDS[0]}"
  wait "${PIDS[0]}"
  rc=$?
  PIDS=("${PIDS[@]:1}")
  check "mip4d stops with status 0 and no sanitizer report (exit $rc)" \
    eval '[[ $rc -eq 0 ]] && ! grep -q Sanitizer "$TMP/mip4d.log"'
}

# fill: every node registers once
fill() {
  local i out
  out=$(in_ns "$MN" "$LOADGEN" --ha $HA_ADDR --src $SRC_A --home $FIRST_A --count $N_A \
        --spi $SPI_A --key $KEY_A --lifetime 3600 --timeout 3) ||
    { log "loadgen A: $out"; return 1; }
  out=$(in_ns "$MN" "$LOADGEN" --ha $HA_ADDR --src $SRC_B --home $FIRST_B --count $N_B \
        --spi $SPI_B --key $KEY_B --lifetime 3600 --timeout 3) ||
    { log "loadgen B: $out"; return 1; }
  for (( i = 0; i < 12; i++ )); do
    in_ns "$MN" "$MNSIM" reg --ha $HA_ADDR --src $SRC_A:0 --nai alice-$i@corp.example \
      --home 10.67.0.$(( i + 1 )) --coa 198.51.100.$(( i + 1 )) --spi $(( 0x30000 + i )) \
      --key $KEY_N --lifetime 3600 > /dev/null || return 1
  done
  for (( i = 0; i < 8; i++ )); do
    in_ns "$MN" "$MNSIM" reg --ha $HA_ADDR --src $SRC_A:0 --nai bob-$i@lab.example \
      --home 10.67.1.$(( i + 1 )) --coa 198.51.100.$(( i + 1 )) --spi $(( 0x30100 + i )) \
      --key $KEY_N --lifetime 3600 > /dev/null || return 1
  done
  # alice-0 adds a second care-of address (S bit: simultaneous bindings)
  in_ns "$MN" "$MNSIM" reg --ha $HA_ADDR --src $SRC_A:0 --nai alice-0@corp.example \
    --home 10.67.0.1 --coa 203.0.113.77 --flags ST --spi $(( 0x30000 )) \
    --key $KEY_N --lifetime 3600 > /dev/null
}

make_topology || { log "cannot build the topology"; exit 1; }
write_conf || { log "cannot write the configuration"; exit 1; }
start_daemon || { fail "mip4d did not start"; exit 1; }
check "10,020 nodes registered (loadgen blocks A and B, 20 NAI nodes)" fill
$PY "$HERE/ctl_scale.py" --socket "$SOCK" --mip4ctl "$MIP4CTL" \
  --renew "ip netns exec $MN $LOADGEN --ha $HA_ADDR --src $SRC_A --home $FIRST_A --count $N_A --spi $SPI_A --key $KEY_A --lifetime 3600 --timeout 1" \
  --name "$NAME" || FAILED=$(( FAILED + 1 ))
stop_daemon
finish
