#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# The home agent's data plane, both backends (userspace, eBPF) and every
# encapsulation (IP-in-IP, GRE, minimal, RFC 3519 UDP), end to end in
# namespaces it makes, with tests/dp/dp_driver as HA and mobile node.
#
#   ebt-cn-$$                   ebt-ha-$$                              ebt-mn-$$
#   c0 10.99.0.1/24 ------ h0 10.99.0.2/24  (home link, proxy ARP for .100)
#                          h1 192.0.2.1/24 ---------------------- m0 192.0.2.2/24 (CoA)
#                          h2 192.0.3.1/24 ---------------------- m1 192.0.3.2/24 (2nd CoA)
#                          mip-ha0: TUN, route .100/32              mtun: TUN, 10.99.0.100/32
#                          h3 203.0.113.1/24 --+
#                                              |  ebt-nat-$$                 ebt-mnat-$$
#                                    n0 203.0.113.2/24  n1 10.0.0.1/24 ---- m2 10.0.0.2/24
#                                    (nft masquerade to ports 50000-50100)   (CoA behind a NAT)
#
# For each backend x encapsulation: ping both ways, 20 MiB TCP each way
# with the bytes checked, a DF packet one byte over the tunnel MTU gets
# "fragmentation needed" with that MTU, a spoofed tunnelled packet is
# dropped under its name, every frame on h1 decodes in tshark without
# "Malformed" (minimal encapsulation, which tshark does not dissect, is
# checked byte by byte), and with eBPF the kernel counters show that the
# fast path carried the traffic.  Then: simultaneous bindings (a copy to
# each care-of address), RFC 3519 through a NAT (port learnt), both
# eBPF ends with GSO offloads on, a deregistration (out of the map before
# the reply), kill -9 of the eBPF HA (traffic continues, restart takes
# over and reconciles), auto with CAP_BPF/CAP_SYS_ADMIN withheld (falls
# back to userspace and says why), and a second namespace refused the
# first's pins.
#
# usage: ebpf_netns.sh PATH/TO/dp_driver [CASE...]   (root; CASE: a
#        function name below, e.g. "basic ebpf gre"; default: all)
set -euo pipefail

DRIVER=$(realpath "${1:?usage: $0 dp_driver [case...]}")
shift
HERE=$(cd "$(dirname "$0")" && pwd)
TCP_CHECK=$HERE/../dp/tcp_check.py
CN=ebt-cn-$$ HA=ebt-ha-$$ MN=ebt-mn-$$ NAT=ebt-nat-$$ MNAT=ebt-mnat-$$
HOME_ADDR=10.99.0.100 CN_ADDR=10.99.0.1 HA_ADDR=192.0.2.1
COA=192.0.2.2 COA2=192.0.3.2 NAT_OUT=203.0.113.2 COA_NAT=10.0.0.2
TMP=$(mktemp -d /tmp/ebpf_netns.XXXXXX)
BPFFS=$TMP/bpffs
INST=t$$
PIDS=()
FAILS=0

log() { printf 'ebpf_netns: %s\n' "$*"; }
fail() { log "FAIL: $*"; exit 1; }

cleanup() {
  local rc=$?
  for p in "${PIDS[@]}"; do kill -9 "$p" 2>/dev/null || true; done
  for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null || true; done
  for ns in "$CN" "$HA" "$MN" "$NAT" "$MNAT"; do ip netns del "$ns" 2>/dev/null || true; done
  umount "$BPFFS" 2>/dev/null || true
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
tun_mtu() { case $1 in ipip) echo 1480 ;; gre) echo 1476 ;; min) echo 1488 ;; udp) echo 1468 ;; esac; }

veth() { # NS1 IF1 ADDR1 NS2 IF2 ADDR2
  ip link add "$2" netns "$1" type veth peer name "$5" netns "$4"
  in_ns "$1" ip addr add "$3" dev "$2"; in_ns "$1" ip link set "$2" up
  in_ns "$4" ip addr add "$6" dev "$5"; in_ns "$4" ip link set "$5" up
}

make_topology() {
  for ns in "$CN" "$HA" "$MN" "$NAT" "$MNAT"; do
    ip netns add "$ns"
    in_ns "$ns" ip link set lo up
    in_ns "$ns" sysctl -qw net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.default.rp_filter=0
  done
  veth "$CN" c0 $CN_ADDR/24 "$HA" h0 10.99.0.2/24
  veth "$HA" h1 $HA_ADDR/24 "$MN" m0 $COA/24
  veth "$HA" h2 192.0.3.1/24 "$MN" m1 $COA2/24
  veth "$HA" h3 203.0.113.1/24 "$NAT" n0 $NAT_OUT/24
  veth "$NAT" n1 10.0.0.1/24 "$MNAT" m2 $COA_NAT/24
  in_ns "$CN" ip route add default via 10.99.0.2
  in_ns "$CN" sysctl -qw net.ipv4.conf.c0.arp_accept=1
  in_ns "$HA" sysctl -qw net.ipv4.ip_forward=1 net.ipv4.neigh.h0.proxy_delay=0
  in_ns "$NAT" sysctl -qw net.ipv4.ip_forward=1
  in_ns "$NAT" ip route add default via 203.0.113.1
  in_ns "$NAT" nft -f - <<-EOF
	table ip nat {
		chain post { type nat hook postrouting priority srcnat; oifname "n0" meta l4proto udp masquerade to :50000-50100; oifname "n0" masquerade; }
	}
	EOF
  in_ns "$MNAT" ip route add default via 10.0.0.1
  for ns in "$MN" "$MNAT"; do
    in_ns "$ns" ip route add 10.99.0.0/24 via "$( [[ $ns == "$MN" ]] && echo $HA_ADDR || echo 10.0.0.1)"
    in_ns "$ns" ip rule add from $HOME_ADDR table 100
  done
  mkdir -p "$BPFFS"
  mount -t bpf bpf "$BPFFS"
}

# offloads MODE: "wire" turns checksum/segmentation offload off on the
# tunnel endpoints' outer links, so that every frame crosses veth as it
# would cross a wire (a raw-socket receiver never sees CHECKSUM_PARTIAL or
# a GSO super-packet); "on" leaves veth's defaults.
offloads() {
  local f; [[ $1 == wire ]] && f=off || f=on
  for i in h1 h2 h3; do in_ns "$HA" ethtool -K "$i" tx "$f" >/dev/null 2>&1 || true; done
  in_ns "$MN" ethtool -K m0 tx "$f" >/dev/null 2>&1 || true
  in_ns "$MNAT" ethtool -K m2 tx "$f" >/dev/null 2>&1 || true
}

# start_ha BACKEND ENCAP [ENV...]: the HA driver, binding HOME -> COA
start_ha() {
  local be=$1 enc=$2; shift 2
  rm -f "$TMP/ha.stats"
  bg "$HA" env MIP4_DP_BACKEND="$be" MIP4_DP_BPF_ROOT="$BPFFS" MIP4_DP_INSTANCE="$INST" "$@" \
    "$DRIVER" ha $HA_ADDR $HOME_ADDR "${MN_COA:-$COA}" "$enc" mip-ha0 "$(tun_mtu "$enc")" "$TMP/ha.stats" h0
  HA_PID=$LAST
  wait_for 10 test -s "$TMP/ha.stats" || fail "$be $enc: HA driver did not start"
  in_ns "$HA" ip route show $HOME_ADDR | grep -q "dev mip-ha0" || fail "$be $enc: no route into the TUN"
}

# start_mn NS COA BACKEND ENCAP: the mobile node driver
start_mn() {
  rm -f "$TMP/mn.ready"
  bg "$1" env MIP4_DP_BACKEND="$3" MIP4_DP_BPF_ROOT="$BPFFS" MIP4_DP_MN_INSTANCE="$INST-mn" \
    "$DRIVER" mn "$2" $HA_ADDR $HOME_ADDR "$4" mtun "$(tun_mtu "$4")" "$TMP/mn.ready"
  MN_PID=$LAST
  wait_for 10 test -e "$TMP/mn.ready" || fail "$4: MN driver did not start"
  in_ns "$1" ip route replace 10.99.0.0/24 dev mtun src $HOME_ADDR table 100
}

stop_all() {
  stop "$HA_PID"; stop "$MN_PID"
  in_ns "$HA" ip route show $HOME_ADDR | grep -q . && fail "route left behind"
  in_ns "$HA" ip link show mip-ha0 >/dev/null 2>&1 && fail "TUN left behind"
  in_ns "$HA" tc filter show dev h1 ingress | grep -q bpf && fail "tc filter left on h1"
  [[ -e $BPFFS/mip4d/$INST ]] && fail "pins left in $BPFFS/mip4d/$INST"
  return 0
}

check_ping() { # NS LABEL
  in_ns "$CN" ping -c 3 -i 0.2 -W 2 $HOME_ADDR >/dev/null || fail "$2: ping CN -> home address"
  in_ns "$1" ping -c 3 -i 0.2 -W 2 -I $HOME_ADDR $CN_ADDR >/dev/null ||
    fail "$2: ping home address -> CN (reverse tunnel)"
}

check_tcp() { # NS LABEL
  local n=$((20 * 1024 * 1024)) srv
  rm -f "$TMP/srv.ready"
  bg "$1" python3 "$TCP_CHECK" serve $HOME_ADDR 5001 "$TMP/srv.ready"; srv=$LAST
  wait_for 10 test -e "$TMP/srv.ready" || fail "$2: tcp server"
  in_ns "$CN" python3 "$TCP_CHECK" send $HOME_ADDR 5001 $n || fail "$2: 20 MiB CN -> MN"
  wait "$srv"
  rm -f "$TMP/srv.ready"
  bg "$CN" python3 "$TCP_CHECK" serve $CN_ADDR 5002 "$TMP/srv.ready"; srv=$LAST
  wait_for 10 test -e "$TMP/srv.ready" || fail "$2: tcp server"
  in_ns "$1" python3 "$TCP_CHECK" send $CN_ADDR 5002 $n $HOME_ADDR || fail "$2: 20 MiB MN -> CN"
  wait "$srv"
}

# RFC 2003 §4 / RFC 4459: the tunnel's MTU, announced by the HA's kernel
check_pmtu() { # ENCAP LABEL
  local mtu out; mtu=$(tun_mtu "$1")
  out=$(in_ns "$CN" ping -M do -c 1 -W 1 -s $((mtu - 28 + 1)) $HOME_ADDR 2>&1 || true)
  grep -q "mtu = $mtu" <<<"$out" || fail "$2: DF packet over the tunnel MTU: no 'fragmentation needed' with mtu $mtu: $out"
  in_ns "$CN" ping -M do -c 1 -W 2 -s $((mtu - 28)) $HOME_ADDR >/dev/null ||
    fail "$2: a DF packet of exactly the tunnel MTU does not cross"
  in_ns "$CN" ip route flush cache
}

check_spoof() { # ENCAP LABEL BACKEND
  local name=drop_spoofed before
  [[ $3 == ebpf ]] && name=bpf_drop_spoofed # dropped in the kernel
  before=$(stat_of "$TMP/ha.stats" $name)
  # wrong outer source claiming the home address (RFC 3024 §4.2)
  in_ns "$MN" "$DRIVER" spoof 192.0.2.99 $HA_ADDR $HOME_ADDR $CN_ADDR "$1"
  wait_for 5 stat_ge "$TMP/ha.stats" $name $((before + 1)) || fail "$2: spoofed packet not counted as $name"
}

# every frame captured on the HA's h1 decodes; protocol 55 by hand
check_wire() { # PCAP ENCAP LABEL
  local out want
  out=$(tshark -r "$1" 2>&1) || fail "$3: tshark: $out"
  [[ -n $out ]] || fail "$3: nothing captured"
  grep -qi malformed <<<"$out" && fail "$3: tshark: malformed frame: $(grep -i -m1 malformed <<<"$out")"
  case $2 in
    ipip) want='ip.proto == 4 && ip.src == 10.99.0.1' ;;
    gre) want='gre.proto == 0x0800 && ip.src == 10.99.0.1' ;;
    udp) want='mip.type == 4 && ip.src == 10.99.0.1' ;;
    min) want='ip.proto == 55' ;;
  esac
  [[ -n $(tshark -r "$1" -Y "$want" 2>/dev/null | head -1) ]] || fail "$3: no '$want' frame on the wire"
  if [[ $2 == min ]]; then
    tshark -r "$1" -Y 'ip.proto == 55' -T fields -e ip.src -e ip.dst -e data.data 2>/dev/null |
      python3 -c '
import sys
n = 0
for line in sys.stdin:
    src, dst, data = line.split()
    b = bytes.fromhex(data)
    s = (b[1] & 0x80) != 0
    m = b[:12 if s else 8]
    tot = sum((m[i] << 8 | m[i + 1]) for i in range(0, len(m), 2) if i != 2)
    while tot >> 16:
        tot = (tot & 0xffff) + (tot >> 16)
    assert (~tot & 0xffff) == (m[2] << 8 | m[3]), "bad forwarding-header checksum"
    odst = ".".join(map(str, m[4:8]))
    osrc = ".".join(map(str, m[8:12])) if s else src
    assert odst in ("10.99.0.100", "10.99.0.1"), odst
    assert osrc in ("10.99.0.100", "10.99.0.1"), osrc
    n += 1
assert n > 0
print(n)' >/dev/null || fail "$3: a minimal forwarding header on the wire does not check out"
  fi
}

# the eBPF path carried it: encapsulated copies and decapsulated packets
check_fast() { # ENCAP LABEL
  local d=bpf_decap_$1
  stat_ge "$TMP/ha.stats" bpf_encap_tx 100 || fail "$2: bpf_encap_tx $(stat_of "$TMP/ha.stats" bpf_encap_tx): the fast path did not carry the traffic"
  stat_ge "$TMP/ha.stats" "$d" 100 || fail "$2: $d $(stat_of "$TMP/ha.stats" "$d"): reverse tunnel not decapsulated in the kernel"
}

# ---- cases

basic() { # BACKEND ENCAP: userspace MN, wire-like links
  local be=$1 enc=$2 l="$1 $2"
  offloads wire
  start_ha "$be" "$enc"
  start_mn "$MN" $COA userspace "$enc"
  [[ $(stat_of "$TMP/ha.stats" backend) == "$be" ]] || fail "$l: backend $(stat_of "$TMP/ha.stats" backend)"
  bg "$HA" tcpdump -q -U -i h1 -s 200 -c 4000 -w "$TMP/cap.pcap" 2>/dev/null; local dump=$LAST
  wait_for 5 test -s "$TMP/cap.pcap" || fail "$l: tcpdump did not start"
  check_ping "$MN" "$l"
  check_tcp "$MN" "$l"
  stop "$dump"
  check_wire "$TMP/cap.pcap" "$enc" "$l"
  check_pmtu "$enc" "$l"
  check_spoof "$enc" "$l" "$be"
  wait_for 2 stat_ge "$TMP/ha.stats" pkts_to_mn 1000 || fail "$l: per-binding counters"
  [[ $be == ebpf ]] && check_fast "$enc" "$l"
  stop_all
  log "$l: ping, 20 MiB TCP each way, PMTU $(tun_mtu "$enc"), spoof dropped, wire clean$( [[ $be == ebpf ]] && echo ", kernel fast path: encap $(stat_of "$TMP/ha.stats" bpf_encap_tx) decap $(stat_of "$TMP/ha.stats" bpf_decap_$enc)")"
}

# RFC 5944 §4.2.3: with two care-of addresses every packet goes to both
simultaneous() { # BACKEND
  local be=$1 out dups enc0 k0 k1
  offloads wire
  start_ha "$be" ipip MIP4_DP_COA2=$COA2
  start_mn "$MN" $COA userspace ipip
  # the first echoes resolve both care-of addresses' neighbours (an extra
  # copy without one is left to user space, which resolves it)
  in_ns "$CN" ping -c 2 -i 0.2 -W 2 $HOME_ADDR >/dev/null 2>&1 || true
  wait_for 2 stat_ge "$TMP/ha.stats" encap_tx 4 || fail "$be simultaneous: warm-up copies"
  enc0=$(stat_of "$TMP/ha.stats" encap_tx)
  k0=$(stat_of "$TMP/ha.stats" bpf_encap_tx)
  out=$(in_ns "$CN" ping -c 5 -i 0.2 -W 2 $HOME_ADDR 2>&1) || fail "$be simultaneous: ping: $out"
  dups=$(grep -oE '\+[0-9]+ duplicates' <<<"$out" | tr -dc 0-9)
  # ping exits at the fifth reply: the last duplicate may come after it
  (( ${dups:-0} >= 4 )) || fail "$be simultaneous: expected a duplicate reply per echo (one copy per care-of address): $out"
  wait_for 2 stat_ge "$TMP/ha.stats" encap_tx $((enc0 + 10)) || fail "$be simultaneous: encap_tx moved by $(( $(stat_of "$TMP/ha.stats" encap_tx) - enc0 )), not 2 per echo"
  if [[ $be == ebpf ]]; then
    k1=$(stat_of "$TMP/ha.stats" bpf_encap_tx)
    (( k1 - k0 == 10 )) || fail "$be simultaneous: the kernel made $((k1 - k0)) copies of 5 echoes, not 10: $(grep bpf_ "$TMP/ha.stats" | tr '\n' ' ')"
  fi
  # TCP takes the duplicates (GSO packets cloned before segmentation)
  check_tcp "$MN" "$be simultaneous"
  stop_all
  log "$be simultaneous bindings: 2 care-of addresses, a copy of every echo to each ($dups duplicate replies of 5$( [[ $be == ebpf ]] && echo ", all 10 copies made in the kernel")), 20 MiB TCP each way"
}

# RFC 3519 through a NAT that moves the port: the HA learns it
nat() { # BACKEND
  local be=$1 port
  offloads wire
  MN_COA=$COA_NAT start_ha "$be" udp MIP4_DP_PEER=$NAT_OUT
  start_mn "$MNAT" $COA_NAT userspace udp
  wait_for 5 sh -c "awk '\$1==\"peer_port\"{exit !(\$2>=50000)}' $TMP/ha.stats" ||
    fail "$be nat: the NAT's port was not learnt (peer_port $(stat_of "$TMP/ha.stats" peer_port))"
  port=$(stat_of "$TMP/ha.stats" peer_port)
  check_ping "$MNAT" "$be nat"
  check_tcp "$MNAT" "$be nat"
  [[ $be == ebpf ]] && { stat_ge "$TMP/ha.stats" bpf_encap_tx 100 && stat_ge "$TMP/ha.stats" bpf_decap_udp 100 ||
    fail "$be nat: kernel fast path not used after the port was learnt"; }
  stop_all
  log "$be nat: RFC 3519 through masquerade, port $port learnt, ping + 20 MiB TCP each way"
}

# both ends eBPF, veth offloads on: GSO super-packets through the tunnel
pair() { # ENCAP
  local enc=$1
  offloads on
  start_ha ebpf "$enc"
  start_mn "$MN" $COA ebpf "$enc"
  check_ping "$MN" "ebpf pair $enc"
  check_tcp "$MN" "ebpf pair $enc"
  check_fast "$enc" "ebpf pair $enc"
  stop_all
  log "ebpf pair $enc: both ends in the kernel with GSO on: ping + 20 MiB TCP each way"
}

# Deregistration: dp_bind_remove() returns only once the map no longer
# forwards; what still reaches the TUN is dropped as no binding.
dereg() { # BACKEND
  local be=$1 nb
  offloads wire
  start_ha "$be" ipip
  start_mn "$MN" $COA userspace ipip
  check_ping "$MN" "$be dereg"
  kill -USR1 "$HA_PID"
  wait_for 5 sh -c "grep -qx 'bound 0' $TMP/ha.stats" || fail "$be dereg: no deregistration"
  nb=$(stat_of "$TMP/ha.stats" drop_no_binding)
  in_ns "$CN" ping -c 2 -i 0.2 -W 1 $HOME_ADDR >/dev/null 2>&1 && fail "$be dereg: still forwarded after the binding went"
  wait_for 2 stat_ge "$TMP/ha.stats" drop_no_binding $((nb + 2)) || fail "$be dereg: packets after deregistration not dropped as no binding"
  stop_all
  log "$be dereg: nothing forwarded once dp_bind_remove returned (drop_no_binding $nb -> $(stat_of "$TMP/ha.stats" drop_no_binding))"
}

# kill -9 of the eBPF HA: the kernel keeps forwarding; the restart takes
# the pins over and drops what the restored table no longer has.
kill9() {
  local out got why before
  offloads wire
  start_ha ebpf ipip MIP4_DP_EXTRA=10.99.0.101
  start_mn "$MN" $COA userspace ipip
  check_ping "$MN" "kill9"
  [[ $(bpftool map dump pinned "$BPFFS/mip4d/$INST/mip4_bind" -j | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))') == 2 ]] ||
    fail "kill9: expected 2 bindings in the map"
  wait_for 2 stat_ge "$TMP/ha.stats" pkts_to_mn 3 || fail "kill9: no kernel counts before the kill"
  before=$(stat_of "$TMP/ha.stats" pkts_to_mn)
  kill -9 "$HA_PID"; wait "$HA_PID" 2>/dev/null || true
  # while it is down: both directions, 20 echoes each
  out=$(in_ns "$CN" ping -c 20 -i 0.1 -W 1 $HOME_ADDR 2>&1 || true)
  got=$(grep -oE '[0-9]+ received' <<<"$out" | tr -dc 0-9)
  (( got >= 19 )) || fail "kill9: CN -> MN while the HA is down: $got/20 ($out)"
  out=$(in_ns "$MN" ping -c 20 -i 0.1 -W 1 -I $HOME_ADDR $CN_ADDR 2>&1 || true)
  got=$(grep -oE '[0-9]+ received' <<<"$out" | tr -dc 0-9)
  (( got >= 19 )) || fail "kill9: MN -> CN while the HA is down: $got/20"
  in_ns "$HA" ip link show mip-ha0 >/dev/null || fail "kill9: the TUN went with the process"
  # restart without the extra binding: takeover + reconcile
  start_ha ebpf ipip
  why=$(grep '^why ' "$TMP/ha.stats")
  grep -q "took over maps" <<<"$why" || fail "kill9: restart did not take over: $why"
  grep -q "1 stale removed" <<<"$why" || fail "kill9: stale binding not reconciled: $why"
  # the pinned counters survived, with what was forwarded while down
  stat_ge "$TMP/ha.stats" pkts_to_mn $((before + 20)) ||
    fail "kill9: per-binding counters lost: $before before, $(stat_of "$TMP/ha.stats" pkts_to_mn) after"
  check_ping "$MN" "kill9 after restart"
  check_tcp "$MN" "kill9 after restart"
  stop_all
  log "kill9: 20/20 both ways while down, restart: ${why#why }"
}

# auto: eBPF when allowed, userspace with the reason when not
auto() {
  local why
  offloads wire
  start_ha auto ipip
  [[ $(stat_of "$TMP/ha.stats" backend) == ebpf ]] || fail "auto: did not pick eBPF as root: $(grep '^why' "$TMP/ha.stats")"
  stop "$HA_PID"
  rm -f "$TMP/ha.stats"
  bg "$HA" capsh --drop=cap_bpf,cap_sys_admin,cap_perfmon -- -c \
    "MIP4_DP_BACKEND=auto MIP4_DP_BPF_ROOT=$BPFFS MIP4_DP_INSTANCE=$INST exec $DRIVER ha $HA_ADDR $HOME_ADDR $COA ipip mip-ha0 1480 $TMP/ha.stats h0"
  HA_PID=$LAST
  wait_for 10 test -s "$TMP/ha.stats" || fail "auto without CAP_BPF: did not start"
  why=$(grep '^why ' "$TMP/ha.stats")
  [[ $(stat_of "$TMP/ha.stats" backend) == userspace ]] || fail "auto without CAP_BPF: backend $(stat_of "$TMP/ha.stats" backend)"
  grep -q "eBPF not available" <<<"$why" && grep -q "Operation not permitted" <<<"$why" ||
    fail "auto without CAP_BPF: reason does not say why: $why"
  start_mn "$MN" $COA userspace ipip
  check_ping "$MN" "auto fallback"
  stop_all
  log "auto: eBPF as root; without CAP_BPF/CAP_SYS_ADMIN: ${why#why }"
}

# Two namespaces, one instance name and one bpffs: the second refuses the
# first's pins (ebpf: fails; auto: userspace, saying why) and the first
# keeps forwarding.
owner() {
  local out
  offloads wire
  start_ha ebpf ipip
  start_mn "$MN" $COA userspace ipip
  out=$(in_ns "$NAT" env MIP4_DP_BACKEND=ebpf MIP4_DP_BPF_ROOT="$BPFFS" MIP4_DP_INSTANCE="$INST" \
        timeout 10 "$DRIVER" ha 203.0.113.2 10.99.9.9 10.0.0.2 ipip mip-x0 1480 "$TMP/x.stats" 2>&1) &&
    fail "owner: a second namespace took over $INST: $out"
  grep -q "belongs to another network namespace" <<<"$out" || fail "owner: no reason given: $out"
  bg "$NAT" env MIP4_DP_BACKEND=auto MIP4_DP_BPF_ROOT="$BPFFS" MIP4_DP_INSTANCE="$INST" \
    "$DRIVER" ha 203.0.113.2 10.99.9.9 10.0.0.2 ipip mip-x0 1480 "$TMP/x.stats"
  local x=$LAST
  wait_for 10 test -s "$TMP/x.stats" || fail "owner: auto in the second namespace did not start"
  [[ $(stat_of "$TMP/x.stats" backend) == userspace ]] && grep -q "another network namespace" "$TMP/x.stats" ||
    fail "owner: auto in the second namespace: $(grep '^why' "$TMP/x.stats")"
  stop "$x"
  check_ping "$MN" "owner"
  [[ -e $BPFFS/mip4d/$INST/mip4_bind ]] || fail "owner: the second namespace removed the first's pins"
  stop_all
  log "owner: the pins of $INST stay the first namespace's; the second: ${out##*dp_open: }"
}

log "topology $CN $HA $MN $NAT $MNAT"
make_topology
if (( $# )); then
  "$@"
else
  for be in userspace ebpf; do
    for enc in ipip gre min udp; do basic "$be" "$enc"; done
    simultaneous "$be"
    nat "$be"
    dereg "$be"
  done
  for enc in ipip gre udp min; do pair "$enc"; done
  kill9
  auto
  owner
fi
log PASS
