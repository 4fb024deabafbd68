#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# The foreign agent end to end (access mode f): the real mip4d as FA and
# as HA in namespaces this script makes; the mobile node is mn_sim
# --via-fa (registration through the FA; its home address sits on its
# link interface and the FA is its default router, RFC 5944 §4.2.2).
#
#  mn-$$                      fa-$$ (mip4d FA)            rt-$$               ha-$$ (mip4d HA)         cn-$$
#  m0 10.77.0.100/32 ------- f0 192.0.2.1/24
#  default via 192.0.2.1     f1 198.51.100.5 (CoA) ---- r0 198.51.100.254
#                            mip-fa0 TUN                 r1 203.0.113.254 -- h1 203.0.113.1
#                                                                            h0 10.77.0.1/24 ------ c0 10.77.0.10
#                                                                            mip-ha0 TUN
#
# usage: fa_netns.sh MIP4D MIP4CTL MN_SIM     (root; ~40 s)
set -uo pipefail

MIP4D=$(realpath "${1:?usage: $0 mip4d mip4ctl mn_sim}")
MIP4CTL=$(realpath "${2:?}")
MNSIM=$(realpath "${3:?}")
HERE=$(cd "$(dirname "$0")" && pwd)
SRC=$(cd "$HERE/../.." && pwd)
TCP_CHECK=$SRC/tests/dp/tcp_check.py
. "$SRC/lab/veth-wires.sh"

MN=mn-$$ FA=fa-$$ RT=rt-$$ HA=ha-$$ CN=cn-$$
FA_ADDR=192.0.2.1 COA=198.51.100.5 HA_ADDR=10.77.0.1 CN_ADDR=10.77.0.10
HOME=10.77.0.100 HOME2=10.77.0.101
KEY1=00112233445566778899aabbccddeeff KEY2=0f1e2d3c4b5a69788796a5b4c3d2e1f0
KEYF=3031323334353637383930313233343f
TCP_BYTES=$((2 * 1024 * 1024))
TMP=$(mktemp -d /tmp/fa_netns.XXXXXX)
chmod 711 "$TMP" # the engine (an unprivileged user) reaches its state in it
HSOCK=$TMP/ha.sock FSOCK=$TMP/fa.sock
PIDS=()
PASSED=0 FAILED=0

log() { printf 'fa_netns: %s\n' "$*"; }
pass() { PASSED=$((PASSED + 1)); printf 'fa_netns: PASS  %s\n' "$*"; }
fail() { FAILED=$((FAILED + 1)); printf 'fa_netns: FAIL  %s\n' "$*"; }
check() { local d=$1; shift; if "$@"; then pass "$d"; else fail "$d"; return 1; fi; }

cleanup() {
  local p ns
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done
  for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null; done
  for ns in "$MN" "$FA" "$RT" "$HA" "$CN"; do
    ip netns pids "$ns" 2>/dev/null | xargs -r kill -9 2>/dev/null
    ip netns del "$ns" 2>/dev/null
  done
  if (( FAILED > 0 )) || [[ -n ${FA_NETNS_KEEP_LOGS:-} ]]; then
    for f in "$TMP"/*.log; do
      [[ -s $f ]] || continue
      log "---- tail of $(basename "$f")"; tail -n 20 "$f"
    done
  fi
  [[ -n ${FA_NETNS_KEEP_TMP:-} ]] && cp "$TMP"/*.pcap /tmp/ 2>/dev/null
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
bg() { local ns=$1; shift; ip netns exec "$ns" "$@" & PIDS+=($!); LAST=$!; }
stop() { kill "$1" 2>/dev/null; wait "$1" 2>/dev/null; return 0; }
hctl() { in_ns "$HA" "$MIP4CTL" "$1" -s "$HSOCK" "${@:2}"; }
fctl() { in_ns "$FA" "$MIP4CTL" "$1" -s "$FSOCK" "${@:2}"; }
fcounter() { fctl counters --json | jq -r --arg s "$1" --arg n "$2" '.[$s][$n]'; }
fcode() { fctl counters --json | jq -r --arg c "$1" '.["foreign-agent"]["reply-codes"][$c] // 0'; }
visitor() { fctl visitors --json | jq -r --arg h "$1" --arg f "$2" '.[] | select(.home_addr == $h) | .[$f]'; }
has_visitor() { [[ -n $(visitor "$1" home_addr) ]]; }
no_visitor() { fctl visitors --json >/dev/null && [[ -z $(visitor "$1" home_addr) ]]; }
binding_coa() { hctl bindings --json | jq -r --arg h "$1" '.[] | select(.home_addr == $h) | .coa'; }
ping_ok() { in_ns "$1" ping -c 2 -i 0.2 -W 2 "${@:2}" >/dev/null 2>&1; }
# reg HOME SPI KEY ARGS...: mn_sim registration through the FA
reg() {
  local home=$1 spi=$2 key=$3; shift 3
  in_ns "$MN" "$MNSIM" reg --via-fa $FA_ADDR --ha $HA_ADDR --home "$home" \
    --coa $COA --spi "$spi" --key "$key" "$@"
}

make_topology() {
  local ns
  for ns in "$MN" "$FA" "$RT" "$HA" "$CN"; do
    ip netns add "$ns" || return 1
    in_ns "$ns" ip link set lo up
    in_ns "$ns" sysctl -qw net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.default.rp_filter=0
  done
  ip link add m0 netns "$MN" type veth peer name f0 netns "$FA"
  ip link add f1 netns "$FA" type veth peer name r0 netns "$RT"
  ip link add r1 netns "$RT" type veth peer name h1 netns "$HA"
  ip link add h0 netns "$HA" type veth peer name c0 netns "$CN"

  in_ns "$MN" ip addr add $HOME/32 dev m0
  in_ns "$MN" ip addr add $HOME2/32 dev m0
  in_ns "$MN" ip link set m0 up
  in_ns "$MN" ip route add default via $FA_ADDR dev m0 onlink

  in_ns "$FA" ip addr add $FA_ADDR/24 dev f0
  in_ns "$FA" ip addr add $COA/24 dev f1
  in_ns "$FA" ip link set f0 up
  in_ns "$FA" ip link set f1 up
  in_ns "$FA" ip route add default via 198.51.100.254
  in_ns "$FA" sysctl -qw net.ipv4.ip_forward=1

  in_ns "$RT" ip addr add 198.51.100.254/24 dev r0
  in_ns "$RT" ip addr add 203.0.113.254/24 dev r1
  in_ns "$RT" ip link set r0 up
  in_ns "$RT" ip link set r1 up
  in_ns "$RT" ip route add 10.77.0.0/24 via 203.0.113.1
  in_ns "$RT" sysctl -qw net.ipv4.ip_forward=1

  in_ns "$HA" ip addr add 203.0.113.1/24 dev h1
  in_ns "$HA" ip addr add $HA_ADDR/24 dev h0
  in_ns "$HA" ip link set h0 up
  in_ns "$HA" ip link set h1 up
  in_ns "$HA" ip route add default via 203.0.113.254
  in_ns "$HA" sysctl -qw net.ipv4.ip_forward=1 net.ipv4.neigh.h0.proxy_delay=0

  in_ns "$CN" ip addr add $CN_ADDR/24 dev c0
  in_ns "$CN" ip link set c0 up
  in_ns "$CN" ip route add default via $HA_ADDR
  in_ns "$CN" sysctl -qw net.ipv4.conf.c0.arp_accept=1
  veth_wires "$MN" "$FA" "$RT" "$HA" "$CN" # the HA's eBPF data plane
}

write_confs() {
  cat > "$TMP/ha.conf" <<EOF2
control-socket $HSOCK
state-db $TMP/ha-state/ha.db
home-agent {
	address $HA_ADDR
	home-network 10.77.0.0/24
	max-lifetime 600
	reverse-tunnel yes
	udp-tunnel no
	tunnel-device mip-ha0
	data-plane auto		# eBPF here: the FA's raw sockets behind wires
	home-interface h0
	mobile-node $HOME { spi 0x1100 key hex:$KEY1 }
	mobile-node $HOME2 { spi 0x1101 key hex:$KEY2 }
${HA_EXTRA:-}
}
EOF2
  cat > "$TMP/fa.conf" <<EOF2
control-socket $FSOCK
foreign-agent {
	interface f0
	care-of-address $COA
	advertise-interval 1
	max-lifetime 300
	reverse-tunnel yes
	prefix-lengths yes
	tunnel-device mip-fa0
${FA_EXTRA:-}
}
EOF2
  chmod 600 "$TMP/ha.conf" "$TMP/fa.conf"
}

start_daemons() {
  bg "$HA" "$MIP4D" -d -f "$TMP/ha.conf" >> "$TMP/mip4d-ha.log" 2>&1
  bg "$FA" "$MIP4D" -d -f "$TMP/fa.conf" >> "$TMP/mip4d-fa.log" 2>&1
  wait_for 10 hctl status --json && wait_for 10 fctl status --json || return 1
  log "home agent's data plane: $(hctl status --json |
    jq -r '.home_agent.data_plane | "\(.backend) (\(.why))"')"
}

start_captures() {
  bg "$MN" tcpdump -i m0 -U --immediate-mode -w "$TMP/link.pcap" 'udp port 434 or icmp' >"$TMP/tcpdump1.log" 2>&1
  bg "$FA" tcpdump -i f1 -U --immediate-mode -w "$TMP/core.pcap" 'udp port 434' >"$TMP/tcpdump2.log" 2>&1
  wait_for 5 grep -q listening "$TMP/tcpdump1.log"
  wait_for 5 grep -q listening "$TMP/tcpdump2.log"
}

tcp_transfer() { # SERVER_NS SERVER_ADDR CLIENT_NS
  local port=$((5000 + RANDOM % 1000)) srv rc
  rm -f "$TMP/srv.ready"
  bg "$1" python3 "$TCP_CHECK" serve "$2" $port "$TMP/srv.ready"
  srv=$LAST
  wait_for 10 test -e "$TMP/srv.ready" || { stop $srv; return 1; }
  in_ns "$3" timeout 30 python3 "$TCP_CHECK" send "$2" $port $TCP_BYTES
  rc=$?
  wait $srv 2>/dev/null
  return $rc
}

phase_config() {
  check "mip4d -n prints the foreign-agent block back" \
    sh -c "'$MIP4D' -n -f '$TMP/fa.conf' 2>/dev/null | grep -q 'care-of-address $COA'"
  check "advertisements are sent (sequence advances)" \
    wait_for 5 sh -c "[ \$(ip netns exec $FA '$MIP4CTL' status -s '$FSOCK' --json | jq .foreign_agent.advertisement_seq) -ge 2 ]"
}

phase_register() { # FLAGS LABEL
  local out
  out=$(reg $HOME 0x1100 $KEY1 --lifetime 120 --flags "$1")
  check "$2: registration via the FA accepted" \
    test "$(jq -r .code <<<"$out")" = 0 || return 1
  check "$2: HA binding care-of address is the FA's" \
    test "$(binding_coa $HOME)" = $COA
  check "$2: FA visitor present" has_visitor $HOME
  check "$2: ping MN -> CN" ping_ok "$MN" -I $HOME $CN_ADDR
  check "$2: ping CN -> MN" ping_ok "$CN" $HOME
  check "$2: TCP MN -> CN" tcp_transfer "$CN" $CN_ADDR "$MN"
  check "$2: TCP CN -> MN" tcp_transfer "$MN" $HOME "$CN"
}

phase_reverse() {
  local before
  before=$(fcounter fa-dataplane encap-tx)
  phase_register T "reverse tunnel"
  check "reverse tunnel: visitor delivery style direct" \
    test "$(visitor $HOME reverse_tunnel)" = direct
  check "reverse tunnel: FA tunnelled the MN's packets" \
    test "$(fcounter fa-dataplane encap-tx)" -gt "$before"
  check "reverse tunnel: policy rule installed" \
    sh -c "ip netns exec $FA ip rule | grep -q 'from $HOME iif f0 lookup 434'"
}

phase_plain() {
  local before
  before=$(fcounter fa-dataplane encap-tx)
  phase_register "" "no reverse tunnel"
  check "no reverse tunnel: no policy rule" \
    sh -c "! ip netns exec $FA ip rule | grep -q 'from $HOME'"
  check "no reverse tunnel: nothing tunnelled by the FA" \
    test "$(fcounter fa-dataplane encap-tx)" = "$before"
  check "decapsulated packets delivered" \
    test "$(fcounter fa-dataplane tun-tx)" -gt 0
}

phase_denials() {
  local out c
  c=$(fcounter foreign-agent reject-69-lifetime-too-long 2>/dev/null)
  out=$(reg $HOME2 0x1101 $KEY2 --lifetime 1000)
  check "code 69 for a lifetime over max-lifetime" test "$(jq -r .code <<<"$out")" = 69
  check "code 69 counted" test "$(fcode 69)" -ge 1
  out=$(reg $HOME2 0x1101 $KEY2 --lifetime 30 --coa 198.51.100.99)
  check "code 77 for a care-of address we do not offer" test "$(jq -r .code <<<"$out")" = 77
  check "code 77 counted" test "$(fcode 77)" -ge 1
  out=$(reg $HOME2 0x1101 $KEY2 --lifetime 30 --truncate 30)
  check "code 70 for a poorly formed request" test "$(jq -r .code <<<"$out")" = 70
  check "code 70 counted" test "$(fcode 70)" -ge 1
  check "no visitor after denials" no_visitor $HOME2
}

phase_expiry() {
  local out
  out=$(reg $HOME2 0x1101 $KEY2 --lifetime 3)
  check "short registration accepted" test "$(jq -r .code <<<"$out")" = 0
  check "visitor added" has_visitor $HOME2
  check "visitor expires" wait_for 8 no_visitor $HOME2
  check "its neighbour entry and route are gone" \
    sh -c "! ip netns exec $FA ip route show $HOME2 | grep -q . && ! ip netns exec $FA ip neigh show $HOME2 | grep -q PERMANENT"
}

phase_dereg() {
  local out
  out=$(reg $HOME 0x1100 $KEY1 --lifetime 0)
  check "deregistration via the FA accepted" test "$(jq -r .code <<<"$out")" = 0
  check "visitor removed on deregistration" no_visitor $HOME
  check "visitors --json is an empty list" test "$(fctl visitors --json)" = "[]"
}

# RFC 5944 §3.7.2.2: a foreign agent relays from its care-of address, so
# that is the address the HA's foreign-agent entry must name.  Named by
# the FA's link address, every relayed request is dropped (no SA for its
# source): the HA says why once, the FA answers 78 and shows it in status.
phase_fa_ha_sa() {
  local out hint
  FA_EXTRA="	home-agent $HA_ADDR { spi 0x3000 key hex:$KEYF }"
  HA_EXTRA="	foreign-agent $FA_ADDR { spi 0x3000 key hex:$KEYF }"
  write_confs
  kill -HUP "$FA_PID" "$HA_PID"
  wait_for 5 grep -q 'event=reloaded' "$TMP/mip4d-fa.log"
  wait_for 5 grep -q 'event=reloaded' "$TMP/mip4d-ha.log"
  out=$(reg $HOME2 0x1101 $KEY2 --lifetime 30 --timeout 10 --tries 1)
  check "FA-HA SA under the FA's link address: the node gets 78 (timeout)" \
    test "$(jq -r .code <<<"$out")" = 78
  hint="relayed request from $COA with FA-HA SPI 0x3000 dropped: that SPI is configured for foreign-agent $FA_ADDR"
  check "... the HA logs why, naming both addresses" grep -q "$hint" "$TMP/mip4d-ha.log"
  check "... the FA's status shows the 78 and the home agent" \
    test "$(fctl status --json | jq -r '.foreign_agent.last_timeout_78 | "\(.count) \(.home_agent) \(.home_addr)"')" = "1 $HA_ADDR $HOME2"
  out=$(reg $HOME2 0x1101 $KEY2 --lifetime 30 --timeout 10 --tries 1)
  check "... the HA says it once (second drop, no second line)" \
    test "$(grep -c "$hint" "$TMP/mip4d-ha.log")" = 1
  # named by the care-of address, as mip4d.conf(5) says
  HA_EXTRA="	foreign-agent $COA { spi 0x3000 key hex:$KEYF }"
  write_confs
  kill -HUP "$HA_PID"
  wait_for 5 sh -c "[ \$(grep -c 'event=reloaded' '$TMP/mip4d-ha.log') -ge 2 ]"
  out=$(reg $HOME2 0x1101 $KEY2 --lifetime 30)
  check "FA-HA SA under the care-of address: accepted, FA-HA verified" \
    test "$(jq -r .code <<<"$out")" = 0
  FA_EXTRA= HA_EXTRA=
}

phase_tshark() {
  local f n bad
  sleep 0.3
  kill "$CAP1" "$CAP2" 2>/dev/null; wait "$CAP1" "$CAP2" 2>/dev/null
  for f in link core; do
    n=$(tshark -r "$TMP/$f.pcap" -Y 'mip || icmp.type==9' 2>/dev/null | wc -l)
    # the deliberately truncated request (code 70 test) is the MN's
    bad=$(tshark -r "$TMP/$f.pcap" -Y "(_ws.malformed || _ws.expert.severity >= \"error\") && (ip.src == $FA_ADDR || ip.src == $COA || ip.src == $HA_ADDR)" 2>/dev/null | wc -l)
    check "tshark: $f capture has Mobile IP messages ($n)" test "$n" -gt 0
    check "tshark: $f capture has no malformed packets" test "$bad" = 0
  done
  check "tshark: advertisements carry the mobility extension" \
    sh -c "tshark -r '$TMP/link.pcap' -Y 'icmp.type==9 && icmp.mip.coa == $COA && ip.ttl == 1 && ip.dst == 224.0.0.1' 2>/dev/null | grep -q ."
  check "tshark: requests relayed from the CoA" \
    sh -c "tshark -r '$TMP/core.pcap' -Y 'mip.type==1 && ip.src == $COA' 2>/dev/null | grep -q ."
}

phase_cleanup() {
  fctl status --json >/dev/null
  kill "$FA_PID"; wait "$FA_PID" 2>/dev/null
  check "FA exit removes its TUN and rules" \
    sh -c "! ip netns exec $FA ip link show mip-fa0 2>/dev/null && ! ip netns exec $FA ip rule | grep -q 'lookup 434'"
}

main() {
  [[ $(id -u) = 0 ]] || { log "needs root"; exit 77; }
  make_topology || { fail "topology"; exit 1; }
  write_confs
  start_captures
  CAP1=${PIDS[0]} CAP2=${PIDS[1]}
  start_daemons || { fail "daemons start"; exit 1; }
  HA_PID=${PIDS[2]} FA_PID=${PIDS[3]}
  phase_config
  phase_reverse
  phase_plain
  phase_denials
  phase_expiry
  phase_dereg
  phase_fa_ha_sa
  phase_tshark
  phase_cleanup
  log "$PASSED passed, $FAILED failed"
  (( FAILED == 0 ))
}
main
