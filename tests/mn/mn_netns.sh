#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# The mobile node roaming end to end: the real mip4d mobile-node role moves
# between networks under traffic, against the real mip4d home agent and,
# on F, through the real mip4d foreign agent.
#
#                        mnr-sw-$$: one bridge per LAN (br-H br-A1 br-A2 br-A3 br-F)
#
#   mnr-cn-$$  c0 10.1.0.20 ----+
#   mnr-ha-$$  h0 10.1.0.1 -----+== H 10.1.0.0/24, the home link ====[wlan0 at home:
#   (mip4d home agent, TUN      |   (HA proxy-ARPs for the MN away)    10.1.0.100/24 static]
#    mip-ha0, home-interface h0)|
#   mnr-rt-$$  home 10.1.0.254 -+
#              a1 10.2.1.1 ========= A1 10.2.1.0/24 (dnsmasq on rt) ==[wlan0: DHCP]
#              a2 10.2.2.1 ========= A2 10.2.2.0/24 (dnsmasq on rt) ==[wlan0: DHCP]
#              tofa 10.6.0.1
#                 |
#   mnr-fa-$$  f1 10.6.0.2 (care-of address; mip4d foreign agent, TUN mip-fa0)
#              f0 10.5.0.1 ========== F 10.5.0.0/24: no DHCP, the FA advertises
#                                     every second ==[wlan0: no address, mode f]
#              tonat 10.3.0.1 (on rt)
#                 |
#   mnr-nat-$$ wan 10.3.0.2 (nft masquerade)
#              lan 192.168.3.1 ===== A3 192.168.3.0/24 (dnsmasq on nat) ==[wlan0: DHCP]
#
#   mnr-mn-$$  wlan0 (veth; its peer mn-wlan0 in the switch is moved between
#              bridges with a carrier flap), mip0 TUN with the home address
#              10.1.0.100 (mip4d mobile node), dhclient per move like a
#              network manager.
#
# Itinerary H -> A1 -> A2 -> F (foreign agent: mode f) -> A3 (NAT: RFC 3519
# UDP) -> F -> A1 -> H under one TCP connection CN <-> 10.1.0.100 (counter
# pattern both ways, paced) and a sequenced UDP probe stream both ways: every
# kind of move c -> c, c -> f, f -> c (NAT), c (UDP) -> f, f -> c, c -> home.
# Asserts the TCP connection survives with every byte right, the expected
# mode and encapsulation per network, the HA's binding (on F: care-of = the
# FA's), on F the FA's visitor entry and its reverse tunnel carrying the
# MN's packets home, routing restored exactly after SIGTERM; prints per move
# the outage each way, lost probes, address (DHCP, or on F the agent
# advertisement) and registration times.
#
# usage: mn_netns.sh MIP4D MIP4CTL MN_PROBE   (root; ~40 s)
#   MN_NETNS_ITINERARY    networks in order (default "A1 A2 F A3 F A1 H")
#   MN_NETNS_FA_INTERVAL  the FA's advertise-interval in seconds (default 1)
#   MN_NETNS_INTERVAL_US  probe spacing (default 1000)
#   MN_NETNS_RATE         TCP bytes/s each way (default 2000000)
#   MN_NETNS_DWELL        seconds on each network after registering (default 3)
#   MN_NETNS_KEEP_LOGS    print the logs' tails even on success
#   MN_NETNS_SAVE=DIR     capture ICMP and UDP 434 on the MN's wlan0 and the
#                         FA's f0, and copy logs, events, moves and captures
#                         to DIR at the end
set -uo pipefail
export LC_ALL=C

MIP4D=$(realpath "${1:?usage: $0 mip4d mip4ctl mn_probe}")
MIP4CTL=$(realpath "${2:?usage: $0 mip4d mip4ctl mn_probe}")
PROBE=$(realpath "${3:?usage: $0 mip4d mip4ctl mn_probe}")
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/../../lab/veth-wires.sh"
PYTHON=/usr/bin/python3
[[ -x $PYTHON ]] || PYTHON=python3

CN=mnr-cn-$$ HA=mnr-ha-$$ RT=mnr-rt-$$ NAT=mnr-nat-$$ SW=mnr-sw-$$ MN=mnr-mn-$$
FA=mnr-fa-$$
NSS=("$CN" "$HA" "$RT" "$NAT" "$FA" "$SW" "$MN")
HOME_ADDR=10.1.0.100 HA_ADDR=10.1.0.1 CN_ADDR=10.1.0.20 HOME_GW=10.1.0.254
NAT_OUT=10.3.0.2
FA_ADDR=10.5.0.1 FA_COA=10.6.0.2
KEY=6d6e2d6e65746e732d746573742d6b65
MN_MAC=02:4d:4e:00:00:01
INTERVAL_US=${MN_NETNS_INTERVAL_US:-1000}
RATE=${MN_NETNS_RATE:-2000000}
DWELL=${MN_NETNS_DWELL:-3}
FA_INTERVAL=${MN_NETNS_FA_INTERVAL:-1}
read -r -a ITINERARY <<<"${MN_NETNS_ITINERARY:-A1 A2 F A3 F A1 H}"
UDP_PORT=40000 TCP_PORT=40001
declare -A NET_GW=([H]=10.1.0.254 [A1]=10.2.1.1 [A2]=10.2.2.1 [A3]=192.168.3.1 [F]=$FA_ADDR)
declare -A NET_PFX=([H]=10.1.0. [A1]=10.2.1. [A2]=10.2.2. [A3]=192.168.3. [F]=$FA_COA)
declare -A NET_ENCAP=([A1]=ipip [A2]=ipip [A3]=udp)

TMP=$(mktemp -d /tmp/mn_netns.XXXXXX)
chmod 711 "$TMP" # the engine (an unprivileged user) reaches its state in it
HSOCK=$TMP/ha.sock MSOCK=$TMP/mn.sock FSOCK=$TMP/fa.sock
EVENTS=$TMP/mn-events.json MOVES=$TMP/moves
PIDS=()
PASSED=0 FAILED=0
CUR=H PREV=

log() { printf 'mn_netns: %s\n' "$*"; }
pass() { PASSED=$((PASSED + 1)); printf 'mn_netns: PASS  %s\n' "$*"; }
fail() { FAILED=$((FAILED + 1)); printf 'mn_netns: FAIL  %s\n' "$*"; }
# check DESCRIPTION CMD...: one assertion
check() { local d=$1; shift; if "$@"; then pass "$d"; else fail "$d"; fi; }
now_us() { local t=$EPOCHREALTIME; printf '%s' "${t/./}"; }

cleanup() {
  local p ns
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done
  for p in "${PIDS[@]}"; do
    wait_for 3 pid_gone "$p" || kill -9 "$p" 2>/dev/null
    wait "$p" 2>/dev/null
  done
  for ns in "${NSS[@]}"; do
    # dhclient daemonises and dnsmasq may outlive its parent: anything
    # still running in our namespaces
    ip netns pids "$ns" 2>/dev/null | xargs -r kill -9 2>/dev/null
    ip netns del "$ns" 2>/dev/null
  done
  if (( FAILED > 0 )) || [[ -n ${MN_NETNS_KEEP_LOGS:-} ]]; then
    for f in "$TMP"/*.log; do
      [[ -s $f ]] || continue
      log "---- tail of $(basename "$f")"; tail -n 25 "$f"
    done
  fi
  if [[ -n ${MN_NETNS_SAVE:-} ]]; then
    mkdir -p "$MN_NETNS_SAVE" && cp "$TMP"/*.log "$TMP"/*.json "$TMP"/*.pcap \
      "$TMP"/*.out "$MOVES" "$MN_NETNS_SAVE"/ 2>/dev/null
  fi
  rm -rf "$TMP"
}
trap cleanup EXIT

# wait_for SECONDS CMD...: poll CMD every 20 ms until it succeeds
wait_for() {
  local deadline=$(( $(date +%s%N) + $1 * 1000000000 )); shift
  until "$@" >/dev/null 2>&1; do
    (( $(date +%s%N) < deadline )) || return 1
    sleep 0.02
  done
}
pid_gone() { ! kill -0 "$1" 2>/dev/null; }

in_ns() { ip netns exec "$@"; }
# bg NS CMD...: run in the background (ip netns exec execs, so $! is the
# command's own pid), remember it in LAST
bg() { local ns=$1; shift; ip netns exec "$ns" "$@" & PIDS+=($!); LAST=$!; }
# stop PID [SIGNAL]: signal and reap within 10 s
stop() {
  kill -"${2:-TERM}" "$1" 2>/dev/null
  wait_for 10 pid_gone "$1" || kill -9 "$1" 2>/dev/null
  wait "$1" 2>/dev/null
}

hctl() { in_ns "$HA" "$MIP4CTL" "$1" -s "$HSOCK" "${@:2}"; }
fctl() { in_ns "$FA" "$MIP4CTL" "$1" -s "$FSOCK" "${@:2}"; }
# fcounter SECTION NAME: one of the FA's counters
fcounter() { fctl counters --json | jq -r --arg s "$1" --arg n "$2" '.[$s][$n] // 0'; }
# visitor FIELD: a field of the FA's visitor entry for the MN ("" if none)
visitor() { fctl visitors --json | jq -r --arg h $HOME_ADDR --arg f "$1" '.[] | select(.home_addr == $h) | .[$f]'; }
mctl() { in_ns "$MN" "$MIP4CTL" "$1" -s "$MSOCK" "${@:2}"; }
# binding FIELD: a field of the HA's binding for the MN ("" if none)
binding() { hctl bindings --json | jq -r --arg h $HOME_ADDR --arg f "$1" '.[] | select(.home_addr == $h) | .[$f]'; }
no_binding() { hctl bindings --json >/dev/null && [[ -z $(binding home_addr) ]]; }
mn_status() { mctl status --json | jq -r ".mobile_node.$1 // empty"; }
# mcounter NAME: one of the mobile node's counters
mcounter() { mctl counters --json | jq -r --arg n "$1" '.["mobile-node"][$n] // 0'; }

# Events of the MN daemon, from the monitor running all along.
ev_count() { grep -c "\"event\":\"$1\"" "$EVENTS" 2>/dev/null || true; }
ev_more() { (( $(ev_count "$1") > $2 )); }
ev_last() { grep "\"event\":\"$1\"" "$EVENTS" | tail -n 1; }
ev_time_us() { jq -r '.time * 1000000 | floor' <<<"$1"; }

# ---------------------------------------------------------------- topology

ns_create() {
  local ns
  for ns in "${NSS[@]}"; do
    ip netns add "$ns" || return 1
    in_ns "$ns" ip link set lo up
    in_ns "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 \
      net.ipv6.conf.default.disable_ipv6=1 \
      net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.default.rp_filter=0
  done
}

# Bridges get fixed MACs: a bridge otherwise takes its lowest port's MAC,
# which changes when the MN's port moves.
switch_create() {
  local i=0 b
  for b in H A1 A2 A3 F; do
    i=$((i + 1))
    ip -n "$SW" link add "br-$b" address "$(printf '02:6d:6e:ff:00:%02x' $i)" \
      type bridge stp_state 0 || return 1
    ip -n "$SW" link set "br-$b" up
  done
}

# plug NS IF BRIDGE CIDR: a veth from NS into a bridge of the switch
plug() {
  local peer="$1"; peer=${peer#mnr-}; peer="${peer%%-*}-$2"
  ip -n "$1" link add "$2" type veth peer name "$peer" netns "$SW" || return 1
  ip -n "$SW" link set "$peer" master "br-$3" up
  ip -n "$1" addr add "$4" dev "$2"
  ip -n "$1" link set "$2" up
}

make_topology() {
  ns_create && switch_create || return 1
  plug "$CN" c0 H $CN_ADDR/24 || return 1
  ip -n "$CN" route add default via $HOME_GW
  in_ns "$CN" sysctl -qw net.ipv4.conf.c0.arp_accept=1

  plug "$HA" h0 H $HA_ADDR/24 || return 1
  ip -n "$HA" route add default via $HOME_GW
  in_ns "$HA" sysctl -qw net.ipv4.ip_forward=1 net.ipv4.neigh.h0.proxy_delay=0

  plug "$RT" home H $HOME_GW/24 || return 1
  plug "$RT" a1 A1 ${NET_GW[A1]}/24 || return 1
  plug "$RT" a2 A2 ${NET_GW[A2]}/24 || return 1
  ip -n "$RT" link add tonat type veth peer name wan netns "$NAT" || return 1
  ip -n "$RT" addr add 10.3.0.1/30 dev tonat
  ip -n "$RT" link set tonat up
  in_ns "$RT" sysctl -qw net.ipv4.ip_forward=1

  # The foreign agent: f0 on F (no DHCP there), f1 its care-of address
  # towards the router.
  plug "$FA" f0 F $FA_ADDR/24 || return 1
  ip -n "$RT" link add tofa type veth peer name f1 netns "$FA" || return 1
  ip -n "$RT" addr add 10.6.0.1/30 dev tofa
  ip -n "$RT" link set tofa up
  ip -n "$FA" addr add $FA_COA/30 dev f1
  ip -n "$FA" link set f1 up
  ip -n "$FA" route add default via 10.6.0.1
  in_ns "$FA" sysctl -qw net.ipv4.ip_forward=1

  ip -n "$NAT" addr add $NAT_OUT/30 dev wan
  ip -n "$NAT" link set wan up
  ip -n "$NAT" route add default via 10.3.0.1
  plug "$NAT" lan A3 ${NET_GW[A3]}/24 || return 1
  in_ns "$NAT" sysctl -qw net.ipv4.ip_forward=1
  in_ns "$NAT" nft -f - <<'EOF' || return 1
table ip mnr {
  chain postrouting { type nat hook postrouting priority srcnat; oifname "wan" masquerade; }
  chain forward {
    type filter hook forward priority filter; policy drop;
    ct state established,related accept
    iifname "lan" accept
  }
}
EOF

  # The MN starts at home: the OS has the home address on wlan0.
  ip -n "$MN" link add wlan0 address $MN_MAC type veth peer name mn-wlan0 \
    netns "$SW" || return 1
  ip -n "$SW" link set mn-wlan0 master br-H up
  ip -n "$MN" link set wlan0 up
  ip -n "$MN" addr add $HOME_ADDR/24 dev wlan0
  ip -n "$MN" route add default via $HOME_GW
  veth_wires "${NSS[@]}" # the HA's eBPF data plane, the MN's raw sockets
}

dhcp_listening() { [[ -n $(in_ns "$1" ss -Hlun "sport = :67") ]]; }

# dnsmasq NS NAME IF...: DHCP only (port 0: no DNS, so dhclient never
# touches resolv.conf); the router option defaults to dnsmasq's own address
# on each LAN.
dnsmasq_start() {
  local ns=$1 name=$2 args=() ifc; shift 2
  for ifc; do
    args+=(--interface="$ifc")
  done
  bg "$ns" dnsmasq --keep-in-foreground --conf-file=/dev/null --port=0 \
    --bind-interfaces --except-interface=lo "${args[@]}" "${DHCP_RANGES[@]}" \
    --dhcp-authoritative --no-ping --log-dhcp --log-facility="$TMP/dnsmasq-$name.log" \
    --dhcp-leasefile="$TMP/dnsmasq-$name.leases" --pid-file="$TMP/dnsmasq-$name.pid" \
    >>"$TMP/dnsmasq-$name.out" 2>&1
  wait_for 10 dhcp_listening "$ns"
}

# shellcheck disable=SC2054 # a DHCP range is "first,last,mask,lease"
start_dhcp_servers() {
  DHCP_RANGES=(--dhcp-range=10.2.1.100,10.2.1.199,255.255.255.0,1h
               --dhcp-range=10.2.2.100,10.2.2.199,255.255.255.0,1h)
  dnsmasq_start "$RT" rt a1 a2 || return 1
  DHCP_RANGES=(--dhcp-range=192.168.3.100,192.168.3.199,255.255.255.0,1h)
  dnsmasq_start "$NAT" nat lan
}

# ------------------------------------------------------------------ daemons

write_confs() {
  cat > "$TMP/ha.conf" <<EOF
control-socket $HSOCK
state-db $TMP/ha-state/ha.db
home-agent {
	address $HA_ADDR
	home-network 10.1.0.0/24
	max-lifetime 300
	reverse-tunnel yes
	udp-tunnel yes
	keepalive 5
	tunnel-device mip-ha0
	data-plane auto		# eBPF here: the MN's raw sockets behind wires
	home-interface h0
	mobile-node $HOME_ADDR { spi 0x1000 key hex:$KEY }
}
EOF
  cat > "$TMP/mn.conf" <<EOF
control-socket $MSOCK
state-db $TMP/mn.db
mobile-node {
	home-address $HOME_ADDR
	home-agent $HA_ADDR
	home-network 10.1.0.0/24
	lifetime 120
	reverse-tunnel yes
	udp-tunnel auto
	interface wlan0
	tunnel-device mip0
	route all
	security {
		spi 0x1000
		key hex:$KEY
		replay timestamp
	}
}
EOF
  cat > "$TMP/fa.conf" <<EOF
control-socket $FSOCK
foreign-agent {
	interface f0
	care-of-address $FA_COA
	advertise-interval $FA_INTERVAL
	max-lifetime 300
	reverse-tunnel yes
	tunnel-device mip-fa0
}
EOF
  cat > "$TMP/dhclient.conf" <<'EOF'
# Only what an access network hands out; no DNS (resolv.conf untouched).
timeout 10;
retry 10;
initial-interval 1;
request subnet-mask, broadcast-address, routers, interface-mtu;
EOF
  chmod 600 "$TMP/ha.conf" "$TMP/mn.conf" "$TMP/fa.conf"
}

start_fa() {
  bg "$FA" "$MIP4D" -d -f "$TMP/fa.conf" >>"$TMP/mip4d-fa.log" 2>&1
  FA_PID=$LAST
  wait_for 10 fctl status --json
}

start_ha() {
  bg "$HA" "$MIP4D" -d -f "$TMP/ha.conf" >>"$TMP/mip4d-ha.log" 2>&1
  HA_PID=$LAST
  wait_for 10 hctl status --json || return 1
  log "home agent's data plane: $(hctl status --json |
    jq -r '.home_agent.data_plane | "\(.backend) (\(.why))"')"
}

monitor_connected() { in_ns "$MN" ss -xH state connected | grep -q "$MSOCK"; }

start_mn() {
  bg "$MN" "$MIP4D" -d -f "$TMP/mn.conf" >>"$TMP/mip4d-mn.log" 2>&1
  MN_PID=$LAST
  wait_for 10 mctl status --json || return 1
  bg "$MN" "$MIP4CTL" monitor -s "$MSOCK" --json >"$EVENTS" 2>&1
  wait_for 5 monitor_connected
}

# ------------------------------------------------------------------ traffic

tcp_listening() { [[ -n $(in_ns "$MN" ss -Hltn "sport = :$TCP_PORT") ]]; }
tcp_established() { [[ -n $(in_ns "$CN" ss -Htn state established "dport = :$TCP_PORT") ]]; }

start_traffic() {
  bg "$MN" "$PROBE" tcp-listen $HOME_ADDR $TCP_PORT "$RATE" 2 "$TMP/tcp-mn.out"
  TCP_MN=$LAST
  wait_for 5 tcp_listening || return 1
  bg "$CN" "$PROBE" tcp-connect $CN_ADDR $HOME_ADDR $TCP_PORT "$RATE" 3 "$TMP/tcp-cn.out"
  TCP_CN=$LAST
  wait_for 5 tcp_established || return 1
  bg "$MN" "$PROBE" udp $HOME_ADDR $UDP_PORT $CN_ADDR "$INTERVAL_US" "$TMP/udp-mn.out"
  UDP_MN=$LAST
  bg "$CN" "$PROBE" udp $CN_ADDR $UDP_PORT $HOME_ADDR "$INTERVAL_US" "$TMP/udp-cn.out"
  UDP_CN=$LAST
}

# field FILE NAME: the value after NAME on the first line of a tcp result
field() { awk -v k="$2" 'NR == 1 { for (i = 1; i < NF; i++) if ($i == k) print $(i + 1) }' "$1"; }

# ------------------------------------------------------------------ moving

carrier() { [[ $(ip -n "$MN" -o link show wlan0) == *LOWER_UP* ]]; }
# wait_carrier: poll without sleeping (~2 ms per look), so that t_up is
# close to the moment the daemon sees the link (on F it reacts in a few ms)
wait_carrier() {
  local deadline=$(( $(date +%s%N) + 5000000000 ))
  until carrier; do
    (( $(date +%s%N) < deadline )) || return 1
  done
}
dhclient_pid() {
  local pid
  pid=$(cat "$TMP/dhclient.pid" 2>/dev/null) || return 1
  [[ $pid =~ ^[0-9]+$ && $(cat "/proc/$pid/comm" 2>/dev/null) == dhclient ]] || return 1
  printf '%s' "$pid"
}

# move_to NET: what a laptop and its network manager do.  Unplug (carrier
# off), drop the old DHCP client and the interface's IPv4 configuration,
# plug into NET (carrier on), configure: DHCP on the access networks, the
# home address statically at home.  Then wait for the daemon to register
# (or deregister at home) and append a line to $MOVES.
move_to() {
  local to=$1 from=$CUR pid t_down t_up ev_name n_ev ev mv t_addr t_reg since mode encap
  pid=$(dhclient_pid) || pid=
  [[ $to == H ]] && ev_name=deregistered || ev_name=registered
  n_ev=$(ev_count "$ev_name")
  t_down=$(now_us)
  ip -n "$SW" link set mn-wlan0 down
  [[ -z $pid ]] || kill -KILL "$pid" 2>/dev/null
  rm -f "$TMP/dhclient.pid"
  ip -n "$MN" -4 addr flush dev wlan0
  ip -n "$SW" link set mn-wlan0 master "br-$to" up
  if ! wait_carrier; then fail "$from -> $to: no carrier on wlan0"; return 1; fi
  t_up=$(now_us)
  if [[ $to == H ]]; then
    ip -n "$MN" addr add $HOME_ADDR/24 dev wlan0
    ip -n "$MN" route add default via $HOME_GW
  elif [[ $to == F ]]; then
    :   # no DHCP on F: the daemon finds the FA by agent discovery
  elif ! timeout 25 ip netns exec "$MN" dhclient -1 -v -cf "$TMP/dhclient.conf" \
      -pf "$TMP/dhclient.pid" -lf "$TMP/dhclient-$to.leases" wlan0 >>"$TMP/dhclient.log" 2>&1; then
    fail "$from -> $to: no DHCP lease"
    return 1
  fi
  PREV=$from CUR=$to
  if ! wait_for 15 ev_more "$ev_name" "$n_ev"; then
    fail "$from -> $to: no '$ev_name' event within 15 s"
    return 1
  fi
  ev=$(ev_last "$ev_name")
  mv=$(grep '"event":"moved"' "$EVENTS" | grep -v '"to":"detached"' | tail -n 1)
  t_addr=$(ev_time_us "$mv")
  t_reg=$(ev_time_us "$ev")
  since=$(jq -r '.since_move_ms // empty' <<<"$ev")
  [[ -n $since ]] || since=$(( (t_reg - t_addr) / 1000 ))
  mode=$(mn_status mode)
  encap=$(mn_status encap)
  printf '%s %s %s %s %s %s %s %s %s\n' "$from" "$to" "$mode" "${encap:--}" \
    "$t_down" "$t_up" "$t_addr" "$t_reg" "$since" >>"$MOVES"
  log "$from -> $to: $ev_name, mode $mode${encap:+ encap $encap}, care-of $(mn_status coa)$([[ $mode == f ]] && printf ', agent %s' "$(mn_status agent)")"
}

coa_on_net() { [[ $(mn_status coa) == "${NET_PFX[$1]}"* ]]; }

# after_move NET: assertions while the MN sits on NET, then the dwell.
after_move() {
  local net=$1 b_coa b_encap
  if [[ $net == F ]]; then
    after_move_fa
    return
  fi
  if [[ $PREV == F ]]; then
    check "$net: the FA's neighbour entry and host route left the MN with the FA" \
      eval '[[ -z $(ip -n $MN neigh show $FA_ADDR nud permanent) && -z $(ip -n $MN route show $FA_ADDR) ]]'
  fi
  if [[ $net == H ]]; then
    check "H: mip4ctl status shows the node at home" [ "$(mn_status mode)" == home ]
    check "H: the HA's binding is gone (deregistered)" wait_for 5 no_binding
    check "H: routing rules 1001/1002 removed at home" \
      eval "! ip -n $MN rule | grep -qE '^100[12]:'"
    # RFC 5944 §4.6: back home, the node's gratuitous ARPs (before its
    # deregistration, repeated) and the HA's on its behalf move the home
    # link's neighbours off the HA's proxy entry.
    check "H: the node sent gratuitous ARPs for $HOME_ADDR (garp-tx $(mcounter garp-tx))" \
      wait_for 5 eval '(( $(mcounter garp-tx) >= 1 ))'
    check "H: the CN's neighbour entry for $HOME_ADDR is the node's MAC $MN_MAC" \
      wait_for 3 eval '[[ $(ip -n "$CN" neigh show $HOME_ADDR) == *"$MN_MAC"* ]]'
  else
    check "$net: status mode c, encap ${NET_ENCAP[$net]}, registered, care-of on $net" \
      eval '[[ $(mn_status mode) == c && $(mn_status encap) == ${NET_ENCAP[$net]} &&
               $(mn_status registered) == true ]] && coa_on_net '"$net"
    b_coa=$(binding coa); b_encap=$(binding encap)
    check "$net: HA binding care-of $b_coa encap $b_encap" \
      eval '[[ $b_coa == "$(mn_status coa)" && $b_encap == ${NET_ENCAP[$net]} ]]'
    if [[ $net == A3 ]]; then
      check "A3: the HA sees the requests come from the NAT ($(binding peer):$(binding peer_port))" \
        [ "$(binding peer)" == $NAT_OUT ]
      keepalive_loss
    fi
  fi
  sleep "$DWELL"   # traffic runs on this network (not a synchronisation)
}

# RFC 3519 §4.10: keepalive replies stop (the NAT drops everything from
# the HA's port 434, as after a lost mapping): after K (5 s) and 3
# unanswered keepalives 2 s apart the node registers again, and that
# registration goes through once the NAT lets answers in again.
keepalive_loss() {
  local lost0 acc0
  lost0=$(mcounter keepalive-lost)
  ip netns exec "$NAT" nft -f - <<'EOF2'
table inet kablock {
  chain cut {
    type filter hook forward priority -10;
    iifname "wan" udp sport 434 drop
  }
}
EOF2
  check "A3: keepalive replies cut at the NAT: the node re-registers (keepalive-lost +1) within 15 s" \
    wait_for 15 eval '(( $(mcounter keepalive-lost) > lost0 ))'
  acc0=$(mcounter accepted)
  ip netns exec "$NAT" nft delete table inet kablock
  check "A3: ... and is registered again once the NAT passes answers (accepted +1)" \
    wait_for 10 eval '(( $(mcounter accepted) > acc0 ))'
}

encap_grew() { (( $(fcounter fa-dataplane encap-tx) > $1 )); }
decap_grew() { (( $(fcounter fa-dataplane tun-tx) > $1 )); }

# after_move_fa: on F, the MN registered through the foreign agent.
after_move_fa() {
  local b_coa b_encap v_coa v_rt enc0 dec0 enc1 dec1 rules
  check "F: status mode f, agent $FA_ADDR, care-of $FA_COA, registered" \
    eval '[[ $(mn_status mode) == f && $(mn_status agent) == $FA_ADDR &&
             $(mn_status coa) == $FA_COA && $(mn_status registered) == true ]]'
  b_coa=$(binding coa); b_encap=$(binding encap)
  check "F: HA binding care-of $b_coa (the FA's), encap $b_encap" [ "$b_coa" == $FA_COA ]
  v_coa=$(visitor coa); v_rt=$(visitor reverse_tunnel)
  check "F: the FA lists the MN as a visitor (care-of $v_coa, reverse tunnel $v_rt)" \
    eval '[[ $v_coa == $FA_COA && $v_rt == direct ]]'
  rules=$(ip -n "$FA" rule show)   # not piped into grep -q: pipefail
  check "F: the FA's reverse-tunnel rule for $HOME_ADDR is in place ($(grep -c "from $HOME_ADDR " <<<"$rules") rule(s))" \
    grep -q "from $HOME_ADDR iif f0" <<<"$rules"
  enc0=$(fcounter fa-dataplane encap-tx); dec0=$(fcounter fa-dataplane tun-tx)
  sleep "$DWELL"   # traffic runs on this network (not a synchronisation)
  enc1=$(fcounter fa-dataplane encap-tx); dec1=$(fcounter fa-dataplane tun-tx)
  check "F: the FA tunnelled the MN's packets to the HA during the dwell (encap-tx +$((enc1 - enc0)))" \
    [ "$enc1" -gt "$enc0" ]
  check "F: the FA delivered the HA's tunnelled packets to the MN (tun-tx +$((dec1 - dec0)))" \
    [ "$dec1" -gt "$dec0" ]
}

# ------------------------------------------------------------------ main

(( EUID == 0 )) || { log "SKIP: needs root"; exit 77; }
for c in dnsmasq dhclient nft jq ss; do
  command -v $c >/dev/null || { log "SKIP: $c missing"; exit 77; }
done

log "topology in $TMP"
make_topology || { fail "building the topology"; exit 1; }
write_confs
start_dhcp_servers || { fail "dnsmasq did not start"; exit 1; }
start_ha || { fail "the home agent did not start"; exit 1; }
start_fa || { fail "the foreign agent did not start"; exit 1; }
if [[ -n ${MN_NETNS_SAVE:-} ]]; then
  bg "$MN" tcpdump -i wlan0 -U -n -w "$TMP/mn-wlan0.pcap" 'icmp or udp port 434' >"$TMP/tcpdump-mn.txt" 2>&1
  bg "$FA" tcpdump -i f0 -U -n -w "$TMP/fa-f0.pcap" 'icmp or udp port 434' >"$TMP/tcpdump-fa.txt" 2>&1
  sleep 0.5
fi

ip -n "$MN" rule > "$TMP/rules.before"
ip -n "$MN" route show table all > "$TMP/routes.before"

start_mn || { fail "the mobile node did not start"; exit 1; }
check "MN starts at home" wait_for 5 eval '[ "$(mn_status mode)" == home ]'
start_traffic || { fail "traffic did not start"; exit 1; }
sleep 1   # a second of steady state at home for the reference line

: > "$MOVES"
for net in "${ITINERARY[@]}"; do
  move_to "$net" || break
  after_move "$net"
done

# Final: stop the TCP transfer at home and check every byte.
kill -USR1 "$TCP_CN" "$TCP_MN" 2>/dev/null
wait_for 20 eval "pid_gone $TCP_CN && pid_gone $TCP_MN"
wait "$TCP_CN"; rc_cn=$?
wait "$TCP_MN"; rc_mn=$?
stop "$UDP_CN"; stop "$UDP_MN"
if [[ -s $TMP/tcp-cn.out && -s $TMP/tcp-mn.out ]]; then
  c_sent=$(field "$TMP/tcp-cn.out" sent) c_recv=$(field "$TMP/tcp-cn.out" recv)
  m_sent=$(field "$TMP/tcp-mn.out" sent) m_recv=$(field "$TMP/tcp-mn.out" recv)
  log "TCP: CN sent $c_sent, MN received $m_recv; MN sent $m_sent, CN received $c_recv"
  check "TCP connection survived every move (both ends closed cleanly: rc $rc_cn/$rc_mn, $(head -n1 "$TMP/tcp-cn.out" | cut -d' ' -f5-) / $(head -n1 "$TMP/tcp-mn.out" | cut -d' ' -f5-))" \
    [ "$rc_cn" -eq 0 -a "$rc_mn" -eq 0 ]
  check "TCP CN->MN: $m_recv of $c_sent bytes, pattern intact" \
    [ "$c_sent" == "$m_recv" -a "$(field "$TMP/tcp-mn.out" bad)" == 0 -a "$c_sent" -gt 0 ]
  check "TCP MN->CN: $c_recv of $m_sent bytes, pattern intact" \
    [ "$m_sent" == "$c_recv" -a "$(field "$TMP/tcp-cn.out" bad)" == 0 -a "$m_sent" -gt 0 ]
  for f in cn mn; do
    awk -v who=$f '$1 == "stall" { printf "mn_netns: TCP receive stall at %s: %.0f ms (from %.3f)\n", who, ($3 - $2) / 1000, $2 / 1e6 }' "$TMP/tcp-$f.out"
  done
else
  fail "TCP: no result from the probes"
fi

if [[ -s $TMP/udp-cn.out && -s $TMP/udp-mn.out && -s $MOVES ]]; then
  log "per move (probes every $INTERVAL_US us; addr = carrier on -> the daemon's move" \
    "(DHCP address; on F the agent advertisement), reg = since_move_ms, up->reg = carrier on -> (de)registered; gap = largest" \
    "pause between received probes; lost/sent = probes sent in the move's window)"
  "$PYTHON" "$HERE/outage.py" "$TMP/udp-cn.out" "$TMP/udp-mn.out" "$MOVES" > "$TMP/outage.txt" 2>&1
  grep -v '^CHECK' "$TMP/outage.txt" | sed 's/^/mn_netns:   /'
  while read -r _ verdict text; do
    if [[ $verdict == ok ]]; then pass "$text"; else fail "$text"; fi
  done < <(grep '^CHECK' "$TMP/outage.txt")
else
  fail "no probe results"
fi

mctl counters --json > "$TMP/mn-counters.json" 2>&1
log "MN counters: $(jq -c '.mobile_node // .' "$TMP/mn-counters.json" 2>/dev/null)"
log "FA counters: $(fctl counters --json | jq -c '.["fa-dataplane"] + (.["foreign-agent"] | with_entries(select(.key | startswith("solicitations"))))' 2>/dev/null)"
log "FA visitors at the end: $(fctl visitors --json | jq -c '[.[] | {home_addr, coa, remaining, reverse_tunnel}]' 2>/dev/null)"

# SIGTERM the mobile node at home: routing exactly as before it started.
stop "$MN_PID"
ip -n "$MN" rule > "$TMP/rules.after"
ip -n "$MN" route show table all > "$TMP/routes.after"
check "ip rule in the MN identical before mip4d and after SIGTERM" \
  diff -u "$TMP/rules.before" "$TMP/rules.after"
check "ip route show table all in the MN identical before mip4d and after SIGTERM" \
  diff -u "$TMP/routes.before" "$TMP/routes.after"
check "the HA holds no binding for $HOME_ADDR at the end" no_binding

stop "$HA_PID"
stop "$FA_PID"
log "$PASSED passed, $FAILED failed"
(( FAILED == 0 ))
