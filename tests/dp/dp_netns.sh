#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# The home agent's userspace data plane end to end, in namespaces it makes.
#
#   cn-$$                     ha-$$                                 mn-$$
#   c0 10.99.0.1/24 ---- h0 10.99.0.2/24  (home link, proxy ARP for .100)
#                        h1 192.0.2.1/24 ------------------- m0 192.0.2.2/24 (CoA)
#                        mip-ha0: TUN, route 10.99.0.100/32   mtun: TUN, 10.99.0.100/32
#                        dp_driver ha (dp_open, binding        dp_driver mn (co-located
#                        10.99.0.100 -> 192.0.2.2)             decapsulation)
#
# Phase 1 IP-in-IP (RFC 2003, reverse tunnel RFC 3024), phase 2 UDP
# (RFC 3519 tunnel data on port 434).  Each: ping both ways, 20 MB TCP each
# way with the bytes checked, iperf3 through the tunnel; plus a plain
# (untunnelled) iperf3 CN -> CoA for the ratio, gratuitous ARP seen by CN,
# and a spoofed IP-in-IP packet dropped and counted.
#
# usage: dp_netns.sh PATH/TO/dp_driver      (root; prints the throughput)
set -euo pipefail

DRIVER=$(realpath "${1:?usage: $0 dp_driver}")
HERE=$(cd "$(dirname "$0")" && pwd)
CN=cn-$$ HA=ha-$$ MN=mn-$$
HOME_ADDR=10.99.0.100 COA=192.0.2.2 HA_ADDR=192.0.2.1 CN_ADDR=10.99.0.1
TMP=$(mktemp -d /tmp/dp_netns.XXXXXX)
PIDS=()
SECS=${DP_IPERF_SECS:-4}

log() { printf 'dp_netns: %s\n' "$*"; }
fail() { log "FAIL: $*"; exit 1; }

cleanup() {
  local rc=$?
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null || true; done
  for ns in "$CN" "$HA" "$MN"; do ip netns del "$ns" 2>/dev/null || true; done
  rm -rf "$TMP"
  exit $rc
}
trap cleanup EXIT

# wait_for SECONDS CMD...: poll CMD every 50 ms until it succeeds
wait_for() {
  local deadline=$(( $(date +%s%N) + $1 * 1000000000 )); shift
  until "$@" >/dev/null 2>&1; do
    (( $(date +%s%N) < deadline )) || return 1
    sleep 0.05
  done
}

in_ns() { ip netns exec "$@"; }
bg() { local ns=$1; shift; ip netns exec "$ns" "$@" & PIDS+=($!); LAST=$!; }
stop() { kill "$1" 2>/dev/null || true; wait "$1" 2>/dev/null || true; }
stat_of() { awk -v k="$2" '$1 == k { print $2 }' "$1" 2>/dev/null; }
stat_ge() { local v; v=$(stat_of "$1" "$2"); [[ -n $v ]] && (( v >= $3 )); }

make_topology() {
  for ns in "$CN" "$HA" "$MN"; do
    ip netns add "$ns"
    in_ns "$ns" ip link set lo up
  done
  ip link add c0 netns "$CN" type veth peer name h0 netns "$HA"
  ip link add m0 netns "$MN" type veth peer name h1 netns "$HA"
  in_ns "$CN" ip addr add $CN_ADDR/24 dev c0
  in_ns "$CN" ip link set c0 up
  in_ns "$CN" ip route add default via 10.99.0.2
  in_ns "$CN" sysctl -qw net.ipv4.conf.c0.arp_accept=1   # learn from GARP
  in_ns "$HA" ip addr add 10.99.0.2/24 dev h0
  in_ns "$HA" ip addr add $HA_ADDR/24 dev h1
  in_ns "$HA" ip link set h0 up
  in_ns "$HA" ip link set h1 up
  in_ns "$HA" sysctl -qw net.ipv4.ip_forward=1
  in_ns "$HA" sysctl -qw net.ipv4.neigh.h0.proxy_delay=0
  in_ns "$MN" sysctl -qw net.ipv4.conf.all.rp_filter=0
  in_ns "$MN" sysctl -qw net.ipv4.conf.default.rp_filter=0
  in_ns "$MN" ip addr add $COA/24 dev m0
  in_ns "$MN" ip link set m0 up
  # plain traffic to the CN leaves by the CoA; home-address traffic by
  # the tunnel (policy routing on the source, co-located CoA mode)
  in_ns "$MN" ip route add 10.99.0.0/24 via $HA_ADDR
  in_ns "$MN" ip rule add from $HOME_ADDR table 100
}

# start_tunnel ipip|udp MTU
start_tunnel() {
  rm -f "$TMP/ha.stats" "$TMP/mn.ready"
  bg "$HA" "$DRIVER" ha $HA_ADDR $HOME_ADDR $COA "$1" mip-ha0 "$2" "$TMP/ha.stats" h0
  HA_PID=$LAST
  bg "$MN" "$DRIVER" mn $COA $HA_ADDR $HOME_ADDR "$1" mtun "$2" "$TMP/mn.ready"
  MN_PID=$LAST
  wait_for 10 test -s "$TMP/ha.stats" || fail "$1: HA driver did not start"
  wait_for 10 test -e "$TMP/mn.ready" || fail "$1: MN driver did not start"
  in_ns "$MN" ip route replace 10.99.0.0/24 dev mtun src $HOME_ADDR table 100
  in_ns "$HA" ip route show $HOME_ADDR | grep -q "dev mip-ha0" ||
    fail "$1: no host route into the TUN"
}

stop_tunnel() {
  stop "$HA_PID"; stop "$MN_PID"
  in_ns "$HA" ip route show $HOME_ADDR | grep -q . && fail "route left behind"
  in_ns "$HA" ip neigh show proxy | grep -q $HOME_ADDR && fail "proxy entry left behind"
  return 0
}

check_garp() {
  local mac
  mac=$(in_ns "$HA" cat /sys/class/net/h0/address)
  wait_for 5 sh -c "ip netns exec $CN ip neigh show $HOME_ADDR dev c0 | grep -q $mac" ||
    fail "CN did not learn $HOME_ADDR -> $mac from the gratuitous ARP"
  log "gratuitous ARP: CN maps $HOME_ADDR to the HA ($mac)"
}

check_ping() { # label
  in_ns "$CN" ping -c 3 -i 0.2 -W 2 $HOME_ADDR >/dev/null ||
    fail "$1: ping CN -> home address"
  in_ns "$MN" ping -c 3 -i 0.2 -W 2 -I $HOME_ADDR $CN_ADDR >/dev/null ||
    fail "$1: ping home address -> CN (reverse tunnel)"
  log "$1: ping CN <-> $HOME_ADDR ok"
}

check_tcp() { # label
  local n=$((20 * 1024 * 1024))
  rm -f "$TMP/srv.ready"
  bg "$MN" python3 "$HERE/tcp_check.py" serve $HOME_ADDR 5001 "$TMP/srv.ready"
  local srv=$LAST
  wait_for 10 test -e "$TMP/srv.ready" || fail "$1: tcp server"
  in_ns "$CN" python3 "$HERE/tcp_check.py" send $HOME_ADDR 5001 $n ||
    fail "$1: 20 MB CN -> MN"
  wait "$srv"
  rm -f "$TMP/srv.ready"
  bg "$CN" python3 "$HERE/tcp_check.py" serve $CN_ADDR 5002 "$TMP/srv.ready"
  srv=$LAST
  wait_for 10 test -e "$TMP/srv.ready" || fail "$1: tcp server"
  in_ns "$MN" python3 "$HERE/tcp_check.py" send $CN_ADDR 5002 $n $HOME_ADDR ||
    fail "$1: 20 MB MN -> CN"
  wait "$srv"
  log "$1: 20 MiB TCP each way, bytes verified"
}

# iperf DST BIND -> prints Mbit/s received (CN sends to DST in MN)
iperf() {
  bg "$MN" iperf3 -s -1 -B "$2" -p 5201 >/dev/null
  local srv=$LAST
  wait_for 10 sh -c "ip netns exec $MN ss -ltn | grep -q ':5201 '" || fail "iperf3 server"
  in_ns "$CN" iperf3 -c "$1" -p 5201 -t "$SECS" -J > "$TMP/iperf.json" || fail "iperf3 to $1"
  wait "$srv" || true
  python3 -c 'import json,sys; print(round(json.load(open(sys.argv[1]))["end"]["sum_received"]["bits_per_second"]/1e6))' "$TMP/iperf.json"
}

check_spoof() {
  local before after nb
  before=$(stat_of "$TMP/ha.stats" drop_spoofed)
  nb=$(stat_of "$TMP/ha.stats" drop_no_binding)
  # wrong outer source claiming the home address (RFC 3024 §4.2)
  in_ns "$MN" "$DRIVER" spoof 192.0.2.99 $HA_ADDR $HOME_ADDR $CN_ADDR
  wait_for 5 stat_ge "$TMP/ha.stats" drop_spoofed $((before + 1)) ||
    fail "spoofed IP-in-IP not counted"
  # right source, but an inner source with no binding
  in_ns "$MN" "$DRIVER" spoof $COA $HA_ADDR 10.99.0.77 $CN_ADDR
  wait_for 5 stat_ge "$TMP/ha.stats" drop_no_binding $((nb + 1)) ||
    fail "IP-in-IP without binding not counted"
  after=$(stat_of "$TMP/ha.stats" drop_spoofed)
  (( after == before + 1 )) || fail "drop_spoofed moved by $((after - before))"
  log "spoofed IP-in-IP dropped (drop_spoofed $before -> $after), no-binding counted"
}

check_counters() { # label
  local f=$TMP/ha.stats
  wait_for 2 stat_ge "$f" pkts_to_mn 1000 || fail "$1: per-binding counters"
  log "$1: HA counters: $(tr '\n' ' ' < "$f")"
}

log "topology $CN $HA $MN"
make_topology
PLAIN=$(iperf $COA $COA)
log "plain CN -> CoA: $PLAIN Mbit/s"

start_tunnel ipip 1480
check_garp
check_ping ipip
check_tcp ipip
check_spoof
IPIP=$(iperf $HOME_ADDR $HOME_ADDR)
log "IP-in-IP CN -> home address: $IPIP Mbit/s"
check_counters ipip
stop_tunnel

start_tunnel udp 1468   # RFC 3519 §4.8: no fragments after encapsulation
check_ping udp
check_tcp udp
UDP=$(iperf $HOME_ADDR $HOME_ADDR)
log "UDP tunnel CN -> home address: $UDP Mbit/s"
wait_for 2 stat_ge "$TMP/ha.stats" udp_rx 1000 || fail "udp: no tunnel data into dp_udp_input"
[[ $(stat_of "$TMP/ha.stats" peer_port) == 434 ]] || fail "udp: peer port"
check_counters udp
stop_tunnel

python3 -c 'import sys; p,i,u=map(float,sys.argv[1:]); print(f"dp_netns: throughput plain {p:.0f} Mbit/s, IPIP {i:.0f} ({i/p:.2f}x), UDP {u:.0f} ({u/p:.2f}x)")' \
  "$PLAIN" "$IPIP" "$UDP"
log "PASS"
