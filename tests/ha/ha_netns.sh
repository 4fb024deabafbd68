#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# The home agent end to end: the real mip4d in namespaces this script makes,
# driven by mn_sim (a co-located mobile node on libmip4).
#
#  cn-$$              ha-$$ (mip4d, plain)           rt-$$                    mn-$$
#  c0 10.77.0.10 ---- h0 10.77.0.1/24 home link
#                     h1 198.51.100.1 ------------ r0 198.51.100.254
#                     mip-ha0 TUN                  r1 203.0.113.1 ----------- m0 203.0.113.10  CoA (trusted at i-HA)
#                                                  |                             203.0.113.200 (untrusted)
#                                                  r2 192.0.2.1 --- nat-$$ ---------- m1 10.200.0.10  CoA behind NAT
#                                                  |         n0 192.0.2.2  n1 10.200.0.1
#                                                  |         (nft masquerade)
#                                                  r3 172.31.0.254 --- iha-$$ i0 172.31.0.1 (mip4d, internal,
#                                                  10.88.0.0/24 -> i-HA        virtual home net 10.88.0.0/24)
#
#  mobile nodes: 10.77.0.100 IP-in-IP via m0 (mtun0), 10.77.0.101 UDP via the
#  NAT (mtun1), 10.77.0.102 expiry/deregistration, then simultaneous
#  bindings at 203.0.113.10 and 203.0.113.200 (mtun3 on the latter),
#  10.77.0.103 adversarial, nai carol@test (pool), 10.88.0.100 at the
#  i-HA (mtun5).
#
# usage: ha_netns.sh MIP4D MIP4CTL MN_SIM     (root; ~60 s)
#        HA_DP=ebpf|userspace (default userspace): the home agents' data
#        plane; with ebpf the programs are pinned on a bpffs of the test's
#        own, and SIGKILL leaves the kernel forwarding instead of stopping
#        traffic.  Every veth behaves like a wire (lab/veth-wires.sh:
#        mn_sim reads tunnels on raw sockets, which would see a veth
#        peer's unfinished checksums and GSO super-packets).
set -uo pipefail
HA_DP=${HA_DP:-userspace}

MIP4D=$(realpath "${1:?usage: $0 mip4d mip4ctl mn_sim}")
MIP4CTL=$(realpath "${2:?}")
MNSIM=$(realpath "${3:?}")
HERE=$(cd "$(dirname "$0")" && pwd)
SRC=$(cd "$HERE/../.." && pwd)
TCP_CHECK=$SRC/tests/dp/tcp_check.py
. "$SRC/lab/veth-wires.sh"

CN=cn-$$ HA=ha-$$ RT=rt-$$ MN=mn-$$ NAT=nat-$$ IHA=iha-$$
CN_ADDR=10.77.0.10 HA_ADDR=10.77.0.1 IHA_ADDR=172.31.0.1
COA=203.0.113.10 COA_UNTRUSTED=203.0.113.200 COA_NAT=10.200.0.10 NAT_OUT=192.0.2.2
MN1=10.77.0.100 MN2=10.77.0.101 MN3=10.77.0.102 MN4=10.77.0.103 MN5=10.88.0.100
KEY1=00112233445566778899aabbccddeeff KEY2=0f1e2d3c4b5a69788796a5b4c3d2e1f0
KEY3=8899aabbccddeeff0011223344556677 KEY4=a0a1a2a3a4a5a6a7a8a9aaabacadaeaf
KEYC=c0c1c2c3c4c5c6c7c8c9cacbcccdcecf KEY5=5555555555555555aaaaaaaaaaaaaaaa
TCP_BYTES=$((10 * 1024 * 1024))
TMP=$(mktemp -d /tmp/ha_netns.XXXXXX)
chmod 711 "$TMP" # the engine (an unprivileged user) reaches its state in it
SOCK=$TMP/ha.sock ISOCK=$TMP/iha.sock
PIDS=()
PASSED=0 FAILED=0
HA_PID= IHA_PID=

log() { printf 'ha_netns: %s\n' "$*"; }
pass() { PASSED=$((PASSED + 1)); printf 'ha_netns: PASS  %s\n' "$*"; }
fail() { FAILED=$((FAILED + 1)); printf 'ha_netns: FAIL  %s\n' "$*"; }
# check DESCRIPTION CMD...: one hard assertion
check() { local d=$1; shift; if "$@"; then pass "$d"; else fail "$d"; fi; }
quiet() { "$@" >/dev/null 2>&1; }

cleanup() {
  local p
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done
  for p in "${PIDS[@]}"; do kill -9 "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
  for ns in "$CN" "$HA" "$RT" "$MN" "$NAT" "$IHA"; do
    ip netns pids "$ns" 2>/dev/null | xargs -r kill -9 2>/dev/null
    ip netns del "$ns" 2>/dev/null
  done
  if (( FAILED > 0 )) || [[ -n ${HA_NETNS_KEEP_LOGS:-} ]]; then
    for f in "$TMP"/*.log; do
      [[ -s $f ]] || continue
      log "---- tail of $(basename "$f")"; tail -n 15 "$f"
      log "---- warnings in $(basename "$f")"
      grep -v 'event=\|request dropped' "$f" | tail -n 15
    done
  fi
  umount "$TMP/bpffs" 2>/dev/null
  rm -rf "$TMP"
}
trap cleanup EXIT

# wait_for SECONDS CMD...: poll CMD every 50 ms until it succeeds
wait_for() {
  local deadline=$(( $(date +%s%N) + ${1%.*} * 1000000000 )); shift
  until "$@" >/dev/null 2>&1; do
    (( $(date +%s%N) < deadline )) || return 1
    sleep 0.05
  done
}

in_ns() { ip netns exec "$@"; }
# bg NS CMD...: run in the background, remember the pid in LAST
bg() { local ns=$1; shift; ip netns exec "$ns" "$@" & PIDS+=($!); LAST=$!; }
stop() { kill "$1" 2>/dev/null; wait "$1" 2>/dev/null; return 0; }

ctl() { in_ns "$HA" "$MIP4CTL" "$1" -s "$SOCK" "${@:2}"; }
ictl() { in_ns "$IHA" "$MIP4CTL" "$1" -s "$ISOCK" "${@:2}"; }
# counter SECTION NAME [ctl|ictl]: one counter of the running daemon
counter() { ${3:-ctl} counters --json | jq -r --arg s "$1" --arg n "$2" '.[$s][$n]'; }
# binding HOME FIELD: a field of the binding for HOME ("" if none)
binding() { ctl bindings --json | jq -r --arg h "$1" --arg f "$2" '.[] | select(.home_addr == $h) | .[$f]'; }
has_binding() { [[ -n $(binding "$1" home_addr) ]]; }
no_binding() { ctl bindings --json >/dev/null && [[ -z $(binding "$1" home_addr) ]]; }
# (grep reads to the end: with pipefail, grep -q quitting early can fail
# the pipeline with ip's SIGPIPE once the list is long enough)
has_route() { in_ns "$HA" ip route show "$1" | grep "dev mip-ha0" >/dev/null; }
no_route() { ! in_ns "$HA" ip route show "$1" | grep . >/dev/null; }
has_proxy() { in_ns "$HA" ip neigh show proxy | grep -w "$1" >/dev/null; }
jfield() { jq -r "$2" "$1" 2>/dev/null; }
stat_of() { awk -v k="$2" '$1 == k { print $2 }' "$1" 2>/dev/null; }
stat_ge() { local v; v=$(stat_of "$1" "$2"); [[ -n $v ]] && (( v >= $3 )); }

# mn NS ARGS...: mn_sim in a namespace
mn() { local ns=$1; shift; in_ns "$ns" "$MNSIM" "$@"; }

# ---------------------------------------------------------------- topology

make_topology() {
  local ns
  for ns in "$CN" "$HA" "$RT" "$MN" "$NAT" "$IHA"; do
    ip netns add "$ns" || return 1
    in_ns "$ns" ip link set lo up
    in_ns "$ns" sysctl -qw net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.default.rp_filter=0
  done
  ip link add c0 netns "$CN" type veth peer name h0 netns "$HA"
  ip link add h1 netns "$HA" type veth peer name r0 netns "$RT"
  ip link add r1 netns "$RT" type veth peer name m0 netns "$MN"
  ip link add r2 netns "$RT" type veth peer name n0 netns "$NAT"
  ip link add n1 netns "$NAT" type veth peer name m1 netns "$MN"
  ip link add r3 netns "$RT" type veth peer name i0 netns "$IHA"

  in_ns "$CN" ip addr add $CN_ADDR/24 dev c0
  in_ns "$CN" ip link set c0 up
  in_ns "$CN" ip route add default via $HA_ADDR
  in_ns "$CN" sysctl -qw net.ipv4.conf.c0.arp_accept=1   # learn from GARP

  in_ns "$HA" ip addr add $HA_ADDR/24 dev h0
  in_ns "$HA" ip addr add 198.51.100.1/24 dev h1
  in_ns "$HA" ip link set h0 up
  in_ns "$HA" ip link set h1 up
  if [[ $HA_DP == ebpf ]]; then
    mkdir -p "$TMP/bpffs" && mount -t bpf bpf "$TMP/bpffs" || return 1
  fi
  in_ns "$HA" ip route add default via 198.51.100.254
  in_ns "$HA" sysctl -qw net.ipv4.ip_forward=1 net.ipv4.neigh.h0.proxy_delay=0

  in_ns "$RT" ip addr add 198.51.100.254/24 dev r0
  in_ns "$RT" ip addr add 203.0.113.1/24 dev r1
  in_ns "$RT" ip addr add 192.0.2.1/24 dev r2
  in_ns "$RT" ip addr add 172.31.0.254/24 dev r3
  for ns in r0 r1 r2 r3; do in_ns "$RT" ip link set $ns up; done
  in_ns "$RT" ip route add 10.77.0.0/24 via 198.51.100.1
  in_ns "$RT" ip route add 10.88.0.0/24 via $IHA_ADDR   # virtual home network
  in_ns "$RT" sysctl -qw net.ipv4.ip_forward=1

  in_ns "$NAT" ip addr add $NAT_OUT/24 dev n0
  in_ns "$NAT" ip addr add 10.200.0.1/24 dev n1
  in_ns "$NAT" ip link set n0 up
  in_ns "$NAT" ip link set n1 up
  in_ns "$NAT" ip route add default via 192.0.2.1
  in_ns "$NAT" sysctl -qw net.ipv4.ip_forward=1
  in_ns "$NAT" nft -f - <<EOF || return 1
table ip nat {
  chain post { type nat hook postrouting priority srcnat; oifname "n0" masquerade; }
}
EOF

  in_ns "$IHA" ip addr add $IHA_ADDR/24 dev i0
  in_ns "$IHA" ip link set i0 up
  in_ns "$IHA" ip route add default via 172.31.0.254
  in_ns "$IHA" sysctl -qw net.ipv4.ip_forward=1

  in_ns "$MN" ip addr add $COA/24 dev m0
  in_ns "$MN" ip addr add $COA_UNTRUSTED/24 dev m0
  in_ns "$MN" ip addr add $COA_NAT/24 dev m1
  in_ns "$MN" ip link set m0 up
  in_ns "$MN" ip link set m1 up
  in_ns "$MN" ip route add default via 203.0.113.1
  # the NAT'd care-of address leaves through the NAT
  in_ns "$MN" ip rule add from $COA_NAT table 200 pref 200
  in_ns "$MN" ip route add default via 10.200.0.1 table 200
  # traffic from a home address goes into that node's tunnel (co-located)
  in_ns "$MN" ip rule add from $MN1 table 100 pref 100
  in_ns "$MN" ip rule add from $MN2 table 101 pref 101
  in_ns "$MN" ip rule add from $MN5 table 105 pref 105
  veth_wires "$CN" "$HA" "$RT" "$MN" "$NAT" "$IHA"
}

# ------------------------------------------------------------------ daemons

mn_block() { # HOME SPI KEY
  printf '\tmobile-node %s { spi %s key hex:%s }\n' "$1" "$2" "$3"
}

write_ha_conf() { # MAX_LIFETIME
  {
    cat <<EOF
control-socket $SOCK
state-db $TMP/ha-state/ha.db
home-agent {
	address $HA_ADDR
	home-network 10.77.0.0/24
	max-lifetime $1
	reverse-tunnel yes
	udp-tunnel yes
	keepalive 1
	pool 10.77.0.200 - 10.77.0.210
	tunnel-device mip-ha0
	data-plane $HA_DP
	bpf-root $TMP/bpffs
	home-interface h0
EOF
    mn_block $MN1 0x1100 $KEY1
    mn_block $MN2 0x1101 $KEY2
    mn_block $MN3 0x1102 $KEY3
    mn_block $MN4 0x1103 $KEY4
    printf '\tmobile-node nai carol@test { spi 0x1104 key hex:%s }\n}\n' $KEYC
  } > "$TMP/ha.conf.new"
  chmod 600 "$TMP/ha.conf.new"
  mv "$TMP/ha.conf.new" "$TMP/ha.conf"
}

write_iha_conf() {
  cat > "$TMP/iha.conf" <<EOF
control-socket $ISOCK
state-db $TMP/iha-state/iha.db
home-agent {
	address $IHA_ADDR
	home-network 10.88.0.0/24
	flavour internal
	trusted 203.0.113.0/25
	udp-tunnel no
	tunnel-device imip-ha0
	data-plane $HA_DP
	bpf-root $TMP/bpffs
EOF
  mn_block $MN5 0x2100 $KEY5 >> "$TMP/iha.conf"
  echo "}" >> "$TMP/iha.conf"
  chmod 600 "$TMP/iha.conf"
}

ha_up() { ctl status --json >/dev/null 2>&1; }

start_ha() {
  bg "$HA" "$MIP4D" -d -f "$TMP/ha.conf" >> "$TMP/mip4d.log" 2>&1
  HA_PID=$LAST
  wait_for 10 ha_up
}

start_iha() {
  bg "$IHA" "$MIP4D" -d -f "$TMP/iha.conf" >> "$TMP/mip4d-iha.log" 2>&1
  IHA_PID=$LAST
  wait_for 10 ictl status --json
}

# The pid of the mip4d itself (bg gives that of `ip netns exec`, which
# execs, so they are the same; read it from the daemon to be sure).
daemon_pid() { ctl status --json | jq -r .pid; }

# monitor EVENT TIMEOUT: background monitor writing to $TMP/mon.out,
# connected before returning
monitor() {
  : > "$TMP/mon.out"
  ip netns exec "$HA" "$MIP4CTL" monitor -s "$SOCK" --json --until "$1" \
    --timeout "$2" > "$TMP/mon.out" 2>&1 &
  MON_PID=$!
  PIDS+=($MON_PID)
  wait_for 5 sh -c "ip netns exec $HA ss -xH state connected | grep -q '$SOCK'"
}
mon_saw() { grep -q "\"event\":\"$1\".*\"home_addr\":\"$2\"" "$TMP/mon.out"; }
# registered_seen HOME CMD...: repeat the registration CMD until the
# monitor has seen it, proving the monitor is subscribed (bounded)
registered_seen() {
  local home=$1 i; shift
  for i in 1 2 3 4 5; do
    "$@" > "$TMP/reg.json" || return 1
    wait_for 1 mon_saw registered "$home" && return 0
  done
  return 1
}

# -------------------------------------------------------------- mobile nodes

# run_mn NAME NS TUN ARGS...: a mobile node carrying its data plane
run_mn() {
  local name=$1 ns=$2 tun=$3; shift 3
  rm -f "$TMP/$name.ready" "$TMP/$name.stats"
  ip netns exec "$ns" "$MNSIM" run --tun "$tun" --mtu 1400 \
    --ready "$TMP/$name.ready" --stats "$TMP/$name.stats" "$@" \
    > "$TMP/$name.log" 2>&1 &
  PIDS+=($!)
  eval "${name}_PID=$!"
  wait_for 10 test -s "$TMP/$name.ready"
}

ping_ok() { in_ns "$1" ping -c 2 -i 0.2 -W 2 "${@:2}" >/dev/null 2>&1; }

# tcp_transfer SERVER_NS SERVER_ADDR CLIENT_NS [CLIENT_SRC]: bytes and
# sha256 checked by tcp_check.py
tcp_transfer() {
  local sns=$1 saddr=$2 cns=$3 src=${4:-} port=$((5000 + RANDOM % 1000)) srv rc
  rm -f "$TMP/srv.ready"
  bg "$sns" python3 "$TCP_CHECK" serve "$saddr" $port "$TMP/srv.ready"
  srv=$LAST
  wait_for 10 test -e "$TMP/srv.ready" || { stop $srv; return 1; }
  in_ns "$cns" timeout 60 python3 "$TCP_CHECK" send "$saddr" $port $TCP_BYTES $src
  rc=$?
  wait $srv 2>/dev/null
  return $rc
}

# ------------------------------------------------------------------ phases

phase_config_check() { # (h)
  local f
  for f in "$SRC"/etc/*.conf; do
    cp "$f" "$TMP/example.conf"; chmod 600 "$TMP/example.conf"
    check "(h) mip4d -n accepts $(basename "$f") (0600)" \
      quiet "$MIP4D" -n -f "$TMP/example.conf"
  done
  chmod 644 "$TMP/example.conf"
  "$MIP4D" -n -f "$TMP/example.conf" > /dev/null 2> "$TMP/n644.err"
  local rc=$?
  check "(h) mip4d -n refuses a key file with mode 0644 (exit $rc)" \
    eval '[[ $rc -ne 0 ]] && grep -q "others can read" "$TMP/n644.err"'
}

# st PID FIELD: a field of /proc/PID/status
st() { awk -v k="$2:" '$1 == k { print $2 }' /proc/"$1"/status 2>/dev/null; }

phase_caps() { # (i) privilege separation (daemon/privsep.h)
  local pid eng eff
  pid=$(daemon_pid)
  eng=$(ctl status --json | jq -r .privsep.engine)
  eff=$(st "$pid" CapEff)
  check "(i) the privileged parent (pid $pid) keeps CapEff $eff = CAP_NET_ADMIN|CAP_NET_RAW|CAP_KILL" \
    test "$eff" = 0000000000003020
  check "(i) the engine (pid $eng) is its child, not root (uid $(st "$eng" Uid)), user $(ctl status --json | jq -r .privsep.user)" \
    eval '[[ $(st "$eng" PPid) == "$pid" && $(st "$eng" Uid) != 0 && $(st "$eng" Gid) != 0 ]]'
  check "(i) the engine holds no capability (CapEff $(st "$eng" CapEff), CapPrm $(st "$eng" CapPrm), CapBnd $(st "$eng" CapBnd))" \
    eval '[[ $(st "$eng" CapEff) == 0000000000000000 && $(st "$eng" CapPrm) == 0000000000000000 && $(st "$eng" CapBnd) == 0000000000000000 ]]'
  check "(i) the engine runs under seccomp (filter mode 2) with no_new_privs" \
    eval '[[ $(st "$eng" Seccomp) == 2 && $(st "$eng" NoNewPrivs) == 1 ]]'
  check "(i) the engine is the one that parses: it holds the port-434 sockets, the parent none" \
    eval '! ls -l /proc/$pid/fd | grep -q socket: || [[ $(ls -l /proc/$pid/fd | grep -c socket:) -le 3 ]]'
  check "(i) mip4ctl status names the data plane ($(ctl status --json | jq -r .home_agent.data_plane.backend)) and why" \
    eval '[[ $(ctl status --json | jq -r .home_agent.data_plane.backend) == "$HA_DP" &&
             -n $(ctl status --json | jq -r ".home_agent.data_plane.why // empty") ]]'
}

phase_ipip() { # (a)
  run_mn MNA "$MN" mtun0 --ha $HA_ADDR --coa $COA --home $MN1 --spi 0x1100 \
    --key $KEY1 --lifetime 600 --flags T
  check "(a) IP-in-IP: $MN1 registered (code 0, lifetime clamped to 300)" \
    test "$(jfield "$TMP/MNA.ready" '"\(.code) \(.lifetime) \(.auth)"')" = "0 300 ok"
  in_ns "$MN" ip route replace 10.77.0.0/24 dev mtun0 src $MN1 table 100
  check "(a) binding: coa $COA, encap ipip, flags T" \
    test "$(binding $MN1 coa) $(binding $MN1 encap) $(binding $MN1 flags)" = "$COA ipip T"
  check "(a) host route into mip-ha0 and proxy ARP on h0" \
    eval 'has_route $MN1 && has_proxy $MN1'
  check "(a) gratuitous ARP: CN learnt $MN1 -> HA's MAC without sending anything" \
    wait_for 5 sh -c "ip netns exec $CN ip neigh show $MN1 dev c0 | grep -q $(in_ns "$HA" cat /sys/class/net/h0/address)"
  check "(a) IP-in-IP: ping CN -> $MN1" ping_ok "$CN" $MN1
  check "(a) IP-in-IP: ping $MN1 -> CN (reverse tunnel)" ping_ok "$MN" -I $MN1 $CN_ADDR
  check "(a) IP-in-IP: 10 MiB TCP CN -> MN, sha256 verified" \
    tcp_transfer "$MN" $MN1 "$CN"
  check "(a) IP-in-IP: 10 MiB TCP MN -> CN, sha256 verified" \
    tcp_transfer "$CN" $CN_ADDR "$MN" $MN1
  # bytes, not packets: the eBPF backend sees GSO super-packets
  check "(a) per-binding counters moved (>= 10 MiB each way: to_mn $(binding $MN1 bytes_to_mn) B in $(binding $MN1 pkts_to_mn) packets, from_mn $(binding $MN1 bytes_from_mn) B)" \
    eval '(( $(binding $MN1 bytes_to_mn) >= TCP_BYTES && $(binding $MN1 bytes_from_mn) >= TCP_BYTES ))'
}

phase_udp_nat() { # (b)
  # RFC 3519 §4.6.1: the node's own UDP tunnel request needs the D bit
  mn "$MN" reg --ha $HA_ADDR --src $COA_NAT:0 --coa $COA_NAT --home $MN2 --spi 0x1101 \
    --key $KEY2 --lifetime 120 --flags T --udp > "$TMP/nod.json"
  check "(b) UDP tunnel request without D: 134, no tunnel reply, no binding" \
    eval 'test "$(jfield "$TMP/nod.json" '"'"'"\(.code) \(.udp_tunnel // "none")"'"'"')" = "134 none" && no_binding $MN2'
  run_mn MNB "$MN" mtun1 --ha $HA_ADDR --coa $COA_NAT --home $MN2 --spi 0x1101 \
    --key $KEY2 --lifetime 120 --flags DT --udp
  check "(b) UDP: $MN2 registered behind the NAT, UDP tunnel reply assents" \
    test "$(jfield "$TMP/MNB.ready" '"\(.code) \(.udp_tunnel) \(.auth)"')" = "0 assented ok"
  in_ns "$MN" ip route replace 10.77.0.0/24 dev mtun1 src $MN2 table 101
  # RFC 3519 §4.6: the request's source is the effective care-of address;
  # mip4d shows it as both coa and peer, the registered $COA_NAT is gone
  check "(b) HA detected the NAT: peer $NAT_OUT != registered CoA $COA_NAT, encap udp" \
    test "$(binding $MN2 peer) $(binding $MN2 encap)" = "$NAT_OUT udp"
  check "(b) UDP: ping CN -> $MN2" ping_ok "$CN" $MN2
  check "(b) UDP: ping $MN2 -> CN" ping_ok "$MN" -I $MN2 $CN_ADDR
  check "(b) UDP: 10 MiB TCP CN -> MN through the NAT, sha256 verified" \
    tcp_transfer "$MN" $MN2 "$CN"
  check "(b) UDP: 10 MiB TCP MN -> CN through the NAT, sha256 verified" \
    tcp_transfer "$CN" $CN_ADDR "$MN" $MN2
  check "(b) UDP: HA counted tunnel data on port 434" \
    eval '(( $(counter dataplane udp-rx) >= 5000 ))'
  check "(b) RFC 3519 keepalives (1 s granted) answered through the tunnel" \
    wait_for 5 stat_ge "$TMP/MNB.stats" keepalives_acked 2
}

phase_expiry() { # (c)
  monitor expired 15 || { fail "(c) monitor did not connect"; return; }
  check "(c) $MN3 registered with lifetime 3" \
    registered_seen $MN3 mn "$MN" reg --ha $HA_ADDR --src $COA:0 --coa $COA \
      --home $MN3 --spi 0x1102 --key $KEY3 --lifetime 3
  check "(c) route and proxy ARP for $MN3 while bound" \
    eval 'has_route $MN3 && has_proxy $MN3'
  wait $MON_PID; local mrc=$?
  check "(c) 'expired' event for $MN3 (mip4ctl monitor --until expired)" \
    eval '[[ $mrc -eq 0 ]] && mon_saw expired $MN3'
  check "(c) binding, route and proxy ARP entry gone after expiry" \
    eval 'no_binding $MN3 && no_route $MN3 && ! has_proxy $MN3'
}

phase_dereg() { # (d)
  monitor deregistered 15 || { fail "(d) monitor did not connect"; return; }
  check "(d) $MN3 registered (lifetime 60)" \
    registered_seen $MN3 mn "$MN" reg --ha $HA_ADDR --src $COA:0 --coa $COA \
      --home $MN3 --spi 0x1102 --key $KEY3 --lifetime 60
  check "(d) route and proxy ARP for $MN3" eval 'has_route $MN3 && has_proxy $MN3'
  # a 3,000-byte request (IP fragments; padding is no extension to count)
  mn "$MN" reg --ha $HA_ADDR --src $COA:0 --coa $COA --home $MN3 --spi 0x1102 \
    --key $KEY3 --lifetime 60 --pad 3000 > "$TMP/big.json"
  check "(d) a 3,000-byte renewal (3,000 paddings) is answered: code 0" \
    test "$(jfield "$TMP/big.json" '"\(.code) \(.auth)"')" = "0 ok"
  mn "$MN" reg --ha $HA_ADDR --src $COA:0 --coa $COA --home $MN3 --spi 0x1102 \
    --key $KEY3 --lifetime 0 > "$TMP/dereg.json"
  check "(d) deregistration (lifetime 0) answered: code 0, lifetime 0" \
    test "$(jfield "$TMP/dereg.json" '"\(.code) \(.lifetime) \(.auth)"')" = "0 0 ok"
  wait $MON_PID; local mrc=$?
  check "(d) 'deregistered' event for $MN3" eval '[[ $mrc -eq 0 ]] && mon_saw deregistered $MN3'
  check "(d) binding, route and proxy ARP entry gone" \
    eval 'no_binding $MN3 && no_route $MN3 && ! has_proxy $MN3'
}

phase_home_again() { # (r) RFC 5944 §4.6: the node returns to its home link
  local g0 nomac0 cnmac hamac n
  g0=$(counter daemon garp-tx)
  mn "$MN" reg --ha $HA_ADDR --src $COA:0 --coa $COA --home $MN3 --spi 0x1102 \
    --key $KEY3 --lifetime 60 > "$TMP/away.json"
  check "(r) $MN3 registered away (lifetime 60)" \
    test "$(jfield "$TMP/away.json" '"\(.code) \(.auth)"')" = "0 ok"
  check "(r) proxy ARP for $MN3 while away" has_proxy $MN3
  check "(r) the HA's gratuitous ARP for $MN3 sent $GARP_SENDS_WANT times (a second apart)" \
    wait_for 5 eval '(( $(counter daemon garp-tx) - g0 == GARP_SENDS_WANT ))'
  # the node is back on the home link: the CN's interface plays it
  cnmac=$(in_ns "$CN" cat /sys/class/net/c0/address)
  hamac=$(in_ns "$HA" cat /sys/class/net/h0/address)
  in_ns "$CN" ip addr add $MN3/32 dev c0
  in_ns "$CN" tcpdump -i c0 -nn -e -l arp > "$TMP/arp.txt" 2>/dev/null & PIDS+=($!)
  local tcpd=$!
  wait_for 3 sh -c "ip netns exec $CN ip -o link show c0 | grep -q PROMISC" || true
  g0=$(counter daemon garp-tx); nomac0=$(counter daemon garp-no-mac)
  mn "$CN" reg --ha $HA_ADDR --src $MN3:434 --coa $MN3 --home $MN3 --spi 0x1102 \
    --key $KEY3 --lifetime 0 > "$TMP/home.json"
  check "(r) deregistration from the home link answered: code 0" \
    test "$(jfield "$TMP/home.json" '"\(.code) \(.auth)"')" = "0 ok"
  check "(r) binding and proxy ARP entry gone" eval 'no_binding $MN3 && ! has_proxy $MN3'
  # the HA's gratuitous ARPs carry the node's hardware address, from the
  # HA's own port, repeated (the first may come before the HA knows it)
  n() { grep -c " $hamac > ff:ff:ff:ff:ff:ff.*Reply $MN3 is-at $cnmac" "$TMP/arp.txt"; }
  check "(r) HA announced $MN3 is-at the node's MAC ($cnmac) at least twice" \
    wait_for 5 eval '(( $(n) >= 2 ))'
  check "(r) ... counted: garp-tx + garp-no-mac = $GARP_SENDS_WANT" \
    wait_for 5 eval '(( $(counter daemon garp-tx) - g0 + $(counter daemon garp-no-mac) - nomac0 == GARP_SENDS_WANT ))'
  check "(r) ... never with the HA's MAC as the sender once it is home" \
    eval '! grep -q "Reply $MN3 is-at $hamac" "$TMP/arp.txt"'
  stop $tcpd
  [[ -n ${HA_NETNS_KEEP_LOGS:-} ]] && cat "$TMP/arp.txt"
  in_ns "$CN" ip addr del $MN3/32 dev c0
  in_ns "$CN" ip neigh flush dev c0
}
GARP_SENDS_WANT=3

# coas HOME: its care-of addresses, sorted, comma-separated
coas() { ctl bindings --json | jq -r --arg h "$1" '.[] | select(.home_addr == $h) | [.coas[].coa] | sort | join(",")'; }
# reg3 COA LIFETIME: a request for MN3 with S and T from COA
reg3() {
  mn "$MN" reg --ha $HA_ADDR --src "$1":0 --coa "$1" --home $MN3 --spi 0x1102 \
    --key $KEY3 --flags ST --lifetime "$2"
}

phase_simultaneous() { # (s) RFC 5944 §3.6.1.2, §3.8.2.2, §4.2.3
  local p0 f0
  reg3 $COA 60 > "$TMP/s1.json"
  check "(s) $MN3 registered at $COA with S: code 0" \
    test "$(jfield "$TMP/s1.json" .code)" = 0
  # the second care-of address carries the node's data plane (mtun3)
  run_mn MNS "$MN" mtun3 --ha $HA_ADDR --src $COA_UNTRUSTED:434 \
    --coa $COA_UNTRUSTED --home $MN3 --spi 0x1102 --key $KEY3 --lifetime 60 \
    --flags ST
  check "(s) ... and at $COA_UNTRUSTED with S: code 0" \
    test "$(jfield "$TMP/MNS.ready" .code)" = 0
  check "(s) mip4ctl bindings --json lists both care-of addresses" \
    test "$(coas $MN3)" = "$COA,$COA_UNTRUSTED"
  in_ns "$MN" ip rule add from $MN3 table 103 pref 103
  in_ns "$MN" ip route replace 10.77.0.0/24 dev mtun3 src $MN3 table 103
  p0=$(binding $MN3 pkts_to_mn) f0=$(binding $MN3 pkts_from_mn)
  check "(s) ping CN -> $MN3 answered, reverse tunnelled from the second care-of address" \
    ping_ok "$CN" $MN3
  check "(s) each packet to $MN3 tunnelled to both care-of addresses (pkts_to_mn +$(( $(binding $MN3 pkts_to_mn) - p0 )), from_mn +$(( $(binding $MN3 pkts_from_mn) - f0 )))" \
    eval '(( $(binding $MN3 pkts_to_mn) - p0 >= 4 && ($(binding $MN3 pkts_to_mn) - p0) % 2 == 0 &&
             $(binding $MN3 pkts_from_mn) - f0 >= 2 ))'
  reg3 $COA 0 > "$TMP/s3.json"
  check "(s) deregistering $COA alone (lifetime 0): code 0, $COA_UNTRUSTED stays" \
    test "$(jfield "$TMP/s3.json" .code) $(coas $MN3)" = "0 $COA_UNTRUSTED"
  p0=$(binding $MN3 pkts_to_mn)
  check "(s) route kept, ping CN -> $MN3 still answered, one copy per packet now" \
    eval 'has_route $MN3 && ping_ok "$CN" $MN3 &&
          (( $(binding $MN3 pkts_to_mn) - p0 >= 2 && $(binding $MN3 pkts_to_mn) - p0 <= 4 ))'
  # both again, for the restart phase
  reg3 $COA 60 > "$TMP/s4.json"
  check "(s) $COA registered again: both listed" \
    test "$(coas $MN3)" = "$COA,$COA_UNTRUSTED"
}

phase_restart() { # (e)
  local regs_before pid
  regs_before=$(stat_of "$TMP/MNA.stats" registrations)
  pid=$(daemon_pid)
  kill -9 "$pid"
  wait "$HA_PID" 2>/dev/null
  if [[ $HA_DP == ebpf ]]; then
    check "(e) mip4d killed with SIGKILL: the kernel keeps forwarding, ping CN -> $MN1 answered while down" \
      ping_ok "$CN" $MN1
  else
    check "(e) mip4d killed with SIGKILL: ping CN -> $MN1 fails while down" \
      eval '! in_ns "$CN" ping -c 1 -W 1 $MN1 >/dev/null'
  fi
  start_ha
  check "(e) new mip4d up, bindings of $MN1 and $MN2 restored" \
    eval 'has_binding $MN1 && has_binding $MN2'
  check "(e) restored binding keeps coa and encapsulation" \
    test "$(binding $MN1 coa) $(binding $MN2 encap)" = "$COA udp"
  if [[ $PHASES == *simultaneous* ]]; then
    check "(e) simultaneous bindings of $MN3 restored with both care-of addresses" \
      test "$(coas $MN3)" = "$COA,$COA_UNTRUSTED"
    check "(e) traffic resumes: ping CN -> $MN3 (second care-of address)" \
      wait_for 5 ping_ok "$CN" $MN3
  fi
  check "(e) route into the new TUN restored" wait_for 3 has_route $MN1
  check "(e) traffic resumes: ping CN -> $MN1 (IP-in-IP)" wait_for 5 ping_ok "$CN" $MN1
  check "(e) traffic resumes: ping $MN1 -> CN" ping_ok "$MN" -I $MN1 $CN_ADDR
  check "(e) traffic resumes: ping CN -> $MN2 (UDP through the NAT)" wait_for 5 ping_ok "$CN" $MN2
  check "(e) without re-registration: new instance saw 0 requests" \
    test "$(counter home-agent requests)" = 0
  check "(e) mobile node sent no request since the kill" \
    test "$(stat_of "$TMP/MNA.stats" registrations)" = "$regs_before"
  check "(e) routes and proxy ARP re-installed without errors (route-error 0)" \
    eval '[[ $(counter daemon route-error) == 0 ]] && has_proxy $MN1 && has_proxy $MN2'
}

phase_reload() { # (f)
  local n_before
  n_before=$(ctl bindings --json | jq length)
  write_ha_conf 100
  monitor reloaded 10 || { fail "(f) monitor did not connect"; return; }
  check "(f) sync: $MN4 registered before the reload, granted 300" \
    registered_seen $MN4 mn "$MN" reg --ha $HA_ADDR --src $COA:0 --coa $COA \
      --home $MN4 --spi 0x1103 --key $KEY4 --lifetime 600
  check "(f) ... lifetime 300 under max-lifetime 300" \
    test "$(jfield "$TMP/reg.json" .lifetime)" = 300
  kill -HUP "$(daemon_pid)"
  wait $MON_PID; local mrc=$?
  check "(f) SIGHUP: 'reloaded' event" eval '[[ $mrc -eq 0 ]] && grep -q "\"event\":\"reloaded\"" "$TMP/mon.out"'
  check "(f) bindings kept across the reload ($n_before + 1)" \
    test "$(ctl bindings --json | jq length)" = $((n_before + 1))
  check "(f) traffic still flows after reload: ping CN -> $MN1" ping_ok "$CN" $MN1
  mn "$MN" reg --ha $HA_ADDR --src $COA:0 --coa $COA --home $MN4 --spi 0x1103 \
    --key $KEY4 --lifetime 600 > "$TMP/reg.json"
  check "(f) new max-lifetime applied: 600 requested, 100 granted" \
    test "$(jfield "$TMP/reg.json" '"\(.code) \(.lifetime)"')" = "0 100"
}

# reg4 ARGS...: a request for MN4 from an ephemeral port
reg4() { mn "$MN" reg --ha $HA_ADDR --src $COA:0 --coa $COA --home $MN4 "$@"; }
# counter_delta SECTION NAME BEFORE: prints how much it moved
delta() { echo $(( $(counter "$1" "$2" "${4:-ctl}") - $3 )); }

phase_adversarial() { # (g)
  local c id rc hex
  # replayed identification (RFC 5944 §5.7.1: strictly greater)
  reg4 --spi 0x1103 --key $KEY4 --lifetime 60 > "$TMP/r1.json"
  id=$(jfield "$TMP/r1.json" .id)
  c=$(counter home-agent reject-133-identification)
  reg4 --spi 0x1103 --key $KEY4 --lifetime 60 --id "$id" > "$TMP/r2.json"
  check "(g) replayed identification: code 133" \
    test "$(jfield "$TMP/r2.json" '"\(.code) \(.auth)"')" = "133 ok"
  check "(g) ... reject-133-identification +1" test "$(delta home-agent reject-133-identification $c)" = 1
  check "(g) ... 133 reply id keeps the request's low 32 bits" \
    test $(( $(jfield "$TMP/r2.json" .id) & 0xffffffff )) = $(( id & 0xffffffff ))

  # forged authenticator
  c=$(counter home-agent reject-131-mn-auth)
  reg4 --spi 0x1103 --key $KEY4 --corrupt-auth > "$TMP/r3.json"
  check "(g) forged authenticator: code 131 (authenticated with the MN's SA)" \
    test "$(jfield "$TMP/r3.json" '"\(.code) \(.auth)"')" = "131 ok"
  check "(g) ... reject-131-mn-auth +1" test "$(delta home-agent reject-131-mn-auth $c)" = 1

  # unknown SPI: silence
  c=$(counter home-agent drop-unknown-spi)
  reg4 --spi 0x9999 --key $KEY4 --timeout 1 --tries 1 > /dev/null; rc=$?
  check "(g) unknown SPI: no reply (exit $rc)" test $rc = 3
  check "(g) ... drop-unknown-spi +1" test "$(delta home-agent drop-unknown-spi $c)" = 1

  # truncated: a valid request cut inside its MN-HA extension
  c=$(counter home-agent drop-malformed)
  reg4 --spi 0x1103 --key $KEY4 --truncate 30 --timeout 1 --tries 1 > /dev/null; rc=$?
  check "(g) truncated request (30 bytes): no reply (exit $rc)" test $rc = 3
  check "(g) ... drop-malformed +1" test "$(delta home-agent drop-malformed $c)" = 1

  # large: 3000 bytes (a request header, then nothing but padding) is read
  # whole and parsed to the end: no MN-HA extension
  c=$(counter home-agent drop-no-mn-ha-auth)
  { printf '\001'; head -c 2999 /dev/zero; } > "$TMP/big.bin"
  mn "$MN" raw --ha $HA_ADDR --src $COA:0 --file "$TMP/big.bin" --timeout 1 > /dev/null; rc=$?
  check "(g) 3000-byte datagram of padding: no reply (exit $rc)" test $rc = 3
  check "(g) ... read whole and parsed: drop-no-mn-ha-auth +1" \
    test "$(delta home-agent drop-no-mn-ha-auth $c)" = 1

  # garbage burst, then a valid request
  local rx0 rb0 rx1 rb1
  rx0=$(counter daemon udp-rx)
  rb0=$(in_ns "$HA" awk '/^Udp: [0-9]/ { print $6 }' /proc/net/snmp)
  mn "$MN" raw --ha $HA_ADDR --src $COA:0 --garbage 1000 --seed $$
  reg4 --spi 0x1103 --key $KEY4 --lifetime 60 --timeout 5 > "$TMP/r4.json"
  check "(g) 1000 garbage datagrams, then a valid request: answered with code 0" \
    test "$(jfield "$TMP/r4.json" '"\(.code) \(.auth)"')" = "0 ok"
  rx1=$(counter daemon udp-rx)
  rb1=$(in_ns "$HA" awk '/^Udp: [0-9]/ { print $6 }' /proc/net/snmp)
  check "(g) ... every garbage datagram read and dropped by the daemon or counted by the kernel (rx +$((rx1 - rx0)), rcvbuf drops +$((rb1 - rb0)))" \
    test $((rx1 - rx0 + rb1 - rb0)) -ge 1001
  check "(g) ... daemon still alive" ha_up

  # RFC 2794: NAI with home address 0.0.0.0 gets one from the pool
  mn "$MN" reg --ha $HA_ADDR --src $COA:0 --coa $COA --nai carol@test \
    --spi 0x1104 --key $KEYC --lifetime 30 > "$TMP/nai.json"
  check "(g) NAI carol@test, home 0.0.0.0: accepted, pool address, NAI echoed" \
    eval '[[ $(jfield "$TMP/nai.json" "\"\(.code) \(.home_addr)\"") =~ ^0\ 10\.77\.0\.(20[0-9]|210)$ ]] &&
          [[ $(jfield "$TMP/nai.json" ".extensions[] | select(.type == 131) | .nai") == carol@test ]]'

  # i-HA (RFC 5265 §4.3): untrusted source -> silence; trusted -> TNC
  c=$(counter home-agent drop-untrusted-source ictl)
  mn "$MN" reg --ha $IHA_ADDR --src $COA_UNTRUSTED:0 --coa $COA_UNTRUSTED \
    --home $MN5 --spi 0x2100 --key $KEY5 --timeout 1 --tries 1 > /dev/null; rc=$?
  check "(g) i-HA: request from untrusted $COA_UNTRUSTED: no reply (exit $rc)" test $rc = 3
  check "(g) ... drop-untrusted-source +1" test "$(delta home-agent drop-untrusted-source $c ictl)" = 1
  mn "$MN" reg --ha $IHA_ADDR --src $COA:0 --coa $COA --home $MN5 --spi 0x2100 \
    --key $KEY5 --lifetime 30 > "$TMP/tnc.json"
  check "(g) i-HA: trusted source answered (code 0) with the TNC extension 149 before MN-HA" \
    test "$(jfield "$TMP/tnc.json" '"\(.code) \(.auth) \([.extensions[].type] | join(","))"')" = "0 ok 149,32"
}

phase_virtual_home() { # i-HA with a virtual home network (no home-interface)
  run_mn MNV "$MN" mtun5 --ha $IHA_ADDR --src $COA:1434 --coa $COA --home $MN5 \
    --spi 0x2100 --key $KEY5 --lifetime 60 --flags T
  check "(v) i-HA, virtual home network: $MN5 registered" \
    test "$(jfield "$TMP/MNV.ready" '"\(.code) \(.tnc)"')" = "0 true"
  in_ns "$MN" ip route replace default dev mtun5 src $MN5 table 105
  check "(v) ping CN -> $MN5 (routed to the i-HA, tunnelled)" ping_ok "$CN" $MN5
  check "(v) ping $MN5 -> CN (reverse tunnel)" ping_ok "$MN" -I $MN5 $CN_ADDR
  check "(v) no proxy ARP anywhere for a virtual home network" \
    eval '[[ -z $(in_ns "$IHA" ip neigh show proxy) ]]'
}

phase_sigterm() { # SIGTERM: clean exit, control socket removed, state kept
  local rc
  kill -TERM "$(daemon_pid)"
  wait_for 5 sh -c "! kill -0 $HA_PID 2>/dev/null"
  wait "$HA_PID"; rc=$?
  check "SIGTERM: mip4d exits with status 0 (got $rc)" test $rc = 0
  check "SIGTERM: control socket removed, bindings kept in the state db" \
    eval '[[ ! -e $SOCK ]] && [[ -s $TMP/ha-state/ha.db ]]'
}

# debugging aid: HA_NETNS_PHASES="ipip pause" keeps the setup until $TMP/pause goes
phase_pause() { touch "$TMP/pause"; log "paused: rm $TMP/pause"; while [[ -e $TMP/pause ]]; do sleep 1; done; }

# ------------------------------------------------------------------- main

START=$(date +%s)
PHASES=${HA_NETNS_PHASES:-caps ipip udp_nat expiry dereg home_again simultaneous restart reload adversarial virtual_home}
log "namespaces $CN $HA $RT $MN $NAT $IHA, temp $TMP"
phase_config_check
make_topology || { fail "topology"; exit 1; }
write_ha_conf 300
write_iha_conf
if ! start_ha; then fail "mip4d did not start"; exit 1; fi
start_iha || fail "i-HA mip4d did not start"
for phase in $PHASES; do "phase_$phase"; done
check "daemons still running" eval 'kill -0 $HA_PID && kill -0 $IHA_PID'
phase_sigterm
log "$PASSED passed, $FAILED failed ($(( $(date +%s) - START )) s)"
(( FAILED == 0 ))
