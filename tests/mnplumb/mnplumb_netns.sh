#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# The mobile node's plumbing end to end, in namespaces it makes: policy
# routing (nl_rule_add / nl_route_add_src / nl_route_flush_table), the
# userspace tunnel end (mndp, IP-in-IP and RFC 3519 UDP), and interface
# monitoring (nl_if_state / nl_monitor_*).
#
#  cnN                 haN                            rtN                      mnN
#  c0 10.77.0.1/24 -- h0 10.77.0.2/24 (home link,
#                     proxy ARP for .100)
#                     h1 198.51.100.2/24 ------ r1 198.51.100.1/24
#                     mip-ha0: TUN                  r0 192.0.2.1/24 ------ m0 192.0.2.2/24 (CoA)
#                     dp_driver ha                                         mip-mn0: TUN, 10.77.0.100/32
#                                                                          mn_driver run: rules 1000-1002,
#                                                                          table 1077 default dev mip-mn0
#                                                                          w0 203.0.113.2/24 -- w1 (monitor)
#
# usage: mnplumb_netns.sh PATH/TO/mn_driver PATH/TO/dp_driver   (root)
set -euo pipefail

MND=$(realpath "${1:?usage: $0 mn_driver dp_driver}")
DPD=$(realpath "${2:?usage: $0 mn_driver dp_driver}")
HERE=$(cd "$(dirname "$0")" && pwd)
TCP=$HERE/../dp/tcp_check.py
CN=mnp-cn-$$ HA=mnp-ha-$$ RT=mnp-rt-$$ MN=mnp-mn-$$
HOME_ADDR=10.77.0.100 CN_ADDR=10.77.0.1 HA_ADDR=198.51.100.2 COA=192.0.2.2
ROUTER=192.0.2.1 MARK=0x4d49 TABLE=1077 PRIO=1000
TMP=$(mktemp -d /tmp/mnplumb.XXXXXX)
PIDS=()

log() { printf 'mnplumb: %s\n' "$*"; }
fail() {
  log "FAIL: $*"
  for f in "$TMP"/*.stats; do [[ -e $f ]] && log "$(basename "$f"): $(tr '\n' ' ' < "$f")"; done
  exit 1
}

cleanup() {
  local rc=$?
  exec 3>&- 2>/dev/null || true
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null || true; done
  # anything else still running in our namespaces was started by us
  for ns in "$CN" "$HA" "$RT" "$MN"; do
    for p in $(ip netns pids "$ns" 2>/dev/null); do kill "$p" 2>/dev/null || true; done
  done
  for ns in "$CN" "$HA" "$RT" "$MN"; do ip netns del "$ns" 2>/dev/null || true; done
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
stat_eq() { [[ $(stat_of "$1" "$2") == "$3" ]]; }
mn() { stat_of "$TMP/mn.stats" "$1"; }

make_topology() {
  for ns in "$CN" "$HA" "$RT" "$MN"; do
    ip netns add "$ns"
    in_ns "$ns" ip link set lo up
  done
  ip link add c0 netns "$CN" type veth peer name h0 netns "$HA"
  ip link add h1 netns "$HA" type veth peer name r1 netns "$RT"
  ip link add r0 netns "$RT" type veth peer name m0 netns "$MN"
  ip link add w0 netns "$MN" type veth peer name w1 netns "$MN"
  in_ns "$CN" ip addr add $CN_ADDR/24 dev c0
  in_ns "$CN" ip link set c0 up
  in_ns "$CN" ip route add default via 10.77.0.2
  in_ns "$HA" ip addr add 10.77.0.2/24 dev h0
  in_ns "$HA" ip addr add $HA_ADDR/24 dev h1
  in_ns "$HA" ip link set h0 up
  in_ns "$HA" ip link set h1 up
  in_ns "$HA" ip route add default via 198.51.100.1
  in_ns "$HA" sysctl -qw net.ipv4.ip_forward=1
  in_ns "$HA" sysctl -qw net.ipv4.neigh.h0.proxy_delay=0
  in_ns "$RT" ip addr add 198.51.100.1/24 dev r1
  in_ns "$RT" ip addr add $ROUTER/24 dev r0
  in_ns "$RT" ip link set r0 up
  in_ns "$RT" ip link set r1 up
  in_ns "$RT" sysctl -qw net.ipv4.ip_forward=1
  # IPv4 only in the MN: IPv6 autoconfiguration would change the routing
  # snapshots below on its own (link-local addresses after DAD)
  in_ns "$MN" sysctl -qw net.ipv6.conf.all.disable_ipv6=1
  in_ns "$MN" sysctl -qw net.ipv6.conf.default.disable_ipv6=1
  in_ns "$MN" ip addr add $COA/24 dev m0
  in_ns "$MN" ip link set m0 up
  in_ns "$MN" ip route add default via $ROUTER
  in_ns "$MN" ip link set w1 up
}

snapshot() { # FILE: the MN's routing state
  { in_ns "$MN" ip rule; in_ns "$MN" ip route show table all;
    in_ns "$MN" ip -6 rule; in_ns "$MN" ip -6 route show table all; } > "$1"
}

# ---- the HA side: the colleague's data plane in "ha" mode ----
start_ha() { # ipip|udp
  rm -f "$TMP/ha.stats"
  bg "$HA" "$DPD" ha $HA_ADDR $HOME_ADDR $COA "$1" mip-ha0 1448 "$TMP/ha.stats" h0
  HA_PID=$LAST
  wait_for 10 test -s "$TMP/ha.stats" || fail "$1: HA driver did not start"
}

# ---- the MN: mn_driver run, commands on fd 3 ----
CMDS=0
start_mn() {
  rm -f "$TMP/mn.stats"
  mkfifo "$TMP/ctl"
  exec 3<> "$TMP/ctl" # read-write: opening does not block
  # (not via bg: an asynchronous command's stdin is /dev/null unless the
  # command itself redirects it)
  ip netns exec "$MN" "$MND" run mip-mn0 1448 $HOME_ADDR $MARK $TABLE $PRIO "$TMP/mn.stats" <&3 &
  MN_PID=$!
  PIDS+=($MN_PID)
  wait_for 10 test -s "$TMP/mn.stats" || fail "MN driver did not start"
}
cmd() { # COMMAND...: send it, wait until done, fail on an error result
  CMDS=$((CMDS + 1))
  echo "$*" >&3
  wait_for 5 stat_ge "$TMP/mn.stats" cmds $CMDS || fail "command '$*' not done"
  [[ $(mn cmd_err) == 0 ]] || fail "command '$*': error $(mn cmd_err)"
}

check_plumbing() {
  local r
  r=$(in_ns "$MN" ip rule)
  grep -q "^$PRIO:.*fwmark $MARK lookup main" <<<"$r" || fail "no fwmark rule: $r"
  grep -q "^$((PRIO + 1)):.*lookup main suppress_prefixlength 0" <<<"$r" ||
    fail "no suppress rule: $r"
  grep -q "^$((PRIO + 2)):.*lookup $TABLE" <<<"$r" || fail "no table rule: $r"
  [[ $(grep -c "^$PRIO" <<<"$r") == 1 ]] || fail "rules duplicated: $r"
  r=$(in_ns "$MN" ip route show table $TABLE)
  [[ $r == "default dev mip-mn0 proto static scope link src $HOME_ADDR "* ]] ||
    fail "table $TABLE: $r"
  # app traffic into the TUN from the home address; marked packets and
  # the local subnet by the physical link
  in_ns "$MN" ip route get $CN_ADDR | grep -q "dev mip-mn0 .*src $HOME_ADDR" ||
    fail "route to CN: $(in_ns "$MN" ip route get $CN_ADDR)"
  in_ns "$MN" ip route get $HA_ADDR mark $MARK | grep -q "via $ROUTER dev m0" ||
    fail "marked route to HA: $(in_ns "$MN" ip route get $HA_ADDR mark $MARK)"
  in_ns "$MN" ip route get $ROUTER | grep -q "dev m0 src $COA" ||
    fail "local subnet: $(in_ns "$MN" ip route get $ROUTER)"
  log "rules $PRIO-$((PRIO + 2)) and table $TABLE in place; route get: CN via TUN src home, HA (marked) and subnet via m0"
}

check_local_subnet() { # label: the router on the local link, not via the TUN
  local before
  before=$(mn tun_rx)
  in_ns "$MN" ping -c 2 -i 0.2 -W 2 $ROUTER >/dev/null || fail "$1: ping local subnet"
  [[ $(mn tun_rx) == "$before" ]] || fail "$1: local-subnet ping went into the TUN"
  log "$1: local subnet $ROUTER reached directly (TUN untouched)"
}

check_gated() {
  local g
  cmd tunnel off
  g=$(mn gated)
  in_ns "$MN" ping -c 2 -i 0.2 -W 1 $CN_ADDR >/dev/null 2>&1 && fail "off: ping got through"
  wait_for 5 stat_ge "$TMP/mn.stats" gated $((g + 2)) || fail "off: not counted as gated"
  [[ $(mn encap_tx) == "$ENC" ]] || fail "off: something was tunnelled"
  log "off: app traffic gated (gated $g -> $(mn gated)), nothing tunnelled"
}

# A UDP datagram from an unbound socket in the MN: the CN must see it come
# from the home address.
check_source() { # label
  rm -f "$TMP/peer"
  bg "$CN" python3 -c '
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind((sys.argv[1], 7777)); open(sys.argv[3], "w").close()
s.settimeout(20); d, a = s.recvfrom(100); open(sys.argv[2], "w").write(a[0])
' $CN_ADDR "$TMP/peer" "$TMP/peer.ready"
  local srv=$LAST
  wait_for 10 test -e "$TMP/peer.ready" || fail "$1: udp listener"
  in_ns "$MN" python3 -c '
import socket, sys
socket.socket(socket.AF_INET, socket.SOCK_DGRAM).sendto(b"hi", (sys.argv[1], 7777))
' $CN_ADDR
  wait "$srv" || fail "$1: no datagram at the CN"
  [[ $(cat "$TMP/peer") == "$HOME_ADDR" ]] || fail "$1: CN saw source $(cat "$TMP/peer")"
  rm -f "$TMP/peer.ready"
  log "$1: unbound socket -> CN arrives from $HOME_ADDR"
}

check_ping() { # label
  local tx m0tx
  m0tx=$(in_ns "$MN" cat /sys/class/net/m0/statistics/tx_packets)
  in_ns "$CN" ping -c 3 -i 0.2 -W 2 $HOME_ADDR >/dev/null || fail "$1: ping CN -> home"
  in_ns "$MN" ping -c 3 -i 0.2 -W 2 $CN_ADDR >/dev/null || fail "$1: ping MN (unbound) -> CN"
  # no loop: every packet read from the TUN left once, by m0
  tx=$(mn encap_tx)
  (( $(mn tun_rx) == tx + $(mn gated) )) ||
    fail "$1: tun_rx $(mn tun_rx) != encap_tx $tx + gated $(mn gated)"
  (( $(in_ns "$MN" cat /sys/class/net/m0/statistics/tx_packets) - m0tx >= 6 )) ||
    fail "$1: tunnel packets did not leave by m0"
  (( $(mn drop_not_from_home) == 0 && $(mn drop_send_error) == 0 )) || fail "$1: drops"
  log "$1: ping CN <-> home (unbound) ok; tun_rx == encap_tx + gated, outer packets by m0"
}

check_tcp() { # label
  local n=$((4 * 1024 * 1024)) srv
  rm -f "$TMP/srv.ready"
  bg "$MN" python3 "$TCP" serve $HOME_ADDR 5001 "$TMP/srv.ready"
  srv=$LAST
  wait_for 10 test -e "$TMP/srv.ready" || fail "$1: tcp server"
  in_ns "$CN" python3 "$TCP" send $HOME_ADDR 5001 $n || fail "$1: 4 MiB CN -> MN"
  wait "$srv"
  rm -f "$TMP/srv.ready"
  bg "$CN" python3 "$TCP" serve $CN_ADDR 5002 "$TMP/srv.ready"
  srv=$LAST
  wait_for 10 test -e "$TMP/srv.ready" || fail "$1: tcp server"
  in_ns "$MN" python3 "$TCP" send $CN_ADDR 5002 $n || fail "$1: 4 MiB MN (unbound) -> CN"
  wait "$srv"
  log "$1: 4 MiB TCP each way, bytes verified"
}

check_keepalive() {
  local ha_udp
  ha_udp=$(stat_of "$TMP/ha.stats" udp_rx)
  cmd keepalive
  wait_for 5 stat_ge "$TMP/mn.stats" keepalive_replies 1 || fail "keepalive: no reply"
  stat_ge "$TMP/ha.stats" udp_rx $((ha_udp + 1)) || fail "keepalive: HA saw nothing"
  log "udp: RFC 3519 keepalive answered (keepalives $(mn keepalives), replies $(mn keepalive_replies))"
}

check_unplumb() {
  cmd unplumb
  [[ -z $(in_ns "$MN" ip route show table $TABLE) ]] || fail "table $TABLE not flushed"
  in_ns "$MN" ip rule | diff -u "$TMP/rules.before" - || fail "rules not removed by nl_rule_del"
  log "unplumb: ip rule as before, table $TABLE flushed (TUN still up)"
}

# ---- interface state and the monitor ----
watch_is() { # KEY VALUE
  [[ $(stat_of "$TMP/watch" "$1") == "$2" ]]
}
wakeups_gt() { (( $(stat_of "$TMP/watch" wakeups) > $1 )); }
watch_step() { # DESCRIPTION KEY VALUE CMD...: run CMD, wait for a wake-up and KEY=VALUE
  local what=$1 k=$2 v=$3 w; shift 3
  w=$(stat_of "$TMP/watch" wakeups)
  "$@"
  wait_for 5 wakeups_gt "$w" || fail "monitor: no wake-up on $what"
  wait_for 5 watch_is "$k" "$v" || fail "monitor: $what: $k is $(stat_of "$TMP/watch" "$k"), want $v"
  log "monitor: $what -> $k $v"
}

check_monitor() {
  local s
  s=$(in_ns "$MN" "$MND" ifstate m0)
  grep -qx "addr $COA/24" <<<"$s" && grep -qx "gw $ROUTER" <<<"$s" &&
    grep -qx "running 1" <<<"$s" || fail "ifstate m0: $s"
  log "nl_if_state m0: $(tr '\n' ' ' <<<"$s")"
  rm -f "$TMP/watch"
  bg "$MN" "$MND" watch w0 "$TMP/watch"
  WATCH=$LAST
  wait_for 5 test -s "$TMP/watch" || fail "watch did not start"
  watch_is up 0 && watch_is addr 0.0.0.0/0 || fail "w0 initial: $(tr '\n' ' ' < "$TMP/watch")"
  watch_step "link up" running 1 in_ns "$MN" ip link set w0 up
  watch_step "ip addr add" addr 203.0.113.2/24 in_ns "$MN" ip addr add 203.0.113.2/24 dev w0
  watch_step "default route via w0" gw 203.0.113.1 \
    in_ns "$MN" ip route add default via 203.0.113.1 dev w0 metric 500
  watch_step "carrier loss (peer down)" running 0 in_ns "$MN" ip link set w1 down
  watch_is up 1 || fail "carrier loss must leave IFF_UP"
  watch_step "carrier back" running 1 in_ns "$MN" ip link set w1 up
  watch_step "ip addr del" addr 0.0.0.0/0 in_ns "$MN" ip addr del 203.0.113.2/24 dev w0
  watch_is gw 0.0.0.0 || fail "gateway must go with the address"
  stop "$WATCH"
}

log "topology $CN $HA $RT $MN"
make_topology
snapshot "$TMP/before"
in_ns "$MN" ip rule > "$TMP/rules.before"

start_mn
check_plumbing
check_local_subnet "plumbed, off"
ENC=$(mn encap_tx)
check_gated

start_ha ipip
cmd tunnel ipip $COA $HA_ADDR
check_ping ipip
check_source ipip
check_tcp ipip
check_local_subnet ipip
stop "$HA_PID"

start_ha udp
cmd tunnel udp $COA $HA_ADDR
check_ping udp
check_source udp
check_tcp udp
check_keepalive
stat_ge "$TMP/ha.stats" udp_rx 100 || fail "udp: HA saw no tunnel data"
ENC=$(mn encap_tx)
check_gated
log "MN counters: $(tr '\n' ' ' < "$TMP/mn.stats")"
log "HA counters: $(tr '\n' ' ' < "$TMP/ha.stats")"
stop "$HA_PID"

check_unplumb
cmd quit
wait "$MN_PID" || fail "mn_driver exited with an error"
exec 3>&-
snapshot "$TMP/after"
diff -u "$TMP/before" "$TMP/after" || fail "routing state not restored"
log "after exit: ip rule and ip route show table all exactly as before"

check_monitor
log "PASS"
