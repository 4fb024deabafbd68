#!/usr/bin/env bash
# RFC 5265 §3.2.3, §4.3, §6.1 on the lab: the mobile node (stack cvc) must
# stay outside, encrypted, when
#   (a) something on the outside network answers as the i-HA without the
#       right key,
#   (b) something answers as the i-HA with the right key but without the
#       Trusted Networks Configured extension (a plain HA),
#   (c) the VPN gateway's firewall wrongly lets plain registrations from
#       outside through to the real i-HA (its trusted-subnet rule must
#       still drop them);
# and it must find "inside" again on the intranet afterwards.  In every
# outside case user data keeps flowing, and a capture on the outside link
# shows no user packet with an intranet address outside ESP (only the
# direct registration attempts to the i-HA that §3.3 sends, which §6.1
# says reveal the i-HA's address; they are counted, not hidden).
#
# With VPN (openvpn, openconnect, wireguard) the lab's gateway and the MN
# run that product instead of strongSwan (lab/mip4-lab --vpn); (e), a hung
# swanctl, is strongSwan's only (every driver's hang is test_vpndrv's).
#
# usage: security.sh [REPO [VPN]]   (root; ~1 min)
set -uo pipefail
export LC_ALL=C
REPO=${1:-$(cd "$(dirname "$0")/../.." && pwd)}
VPN=${2:-strongswan}
# The VPN's packets on the outside link, as tshark names them.
case $VPN in
openvpn) VPN_FILTER=openvpn ;;
openconnect) VPN_FILTER='tcp.port==4443 || udp.port==4443' ;;
wireguard) VPN_FILTER=wg ;;
*) VPN_FILTER=esp ;;
esac
LAB="$REPO/lab/mip4-lab"
BIN=${MIP4_BIN:-$REPO/build/bin}
export MIP4_BIN=$BIN
D=$(mktemp -d /tmp/vpnmn_sec.XXXXXX)
chmod 711 "$D" # home agents' engines (unprivileged) reach their state in it
PASSED=0 FAILED=0
IHA=10.10.1.10 CN=10.10.1.20 IHOA=10.10.100.100 INTRANET=10.10.0.0/16
ROGUE_KEY=ffeeddccbbaa99887766554433221100

log() { printf 'vpnmn_security: %s\n' "$*"; }
pass() { PASSED=$((PASSED + 1)); log "PASS  $*"; }
fail() { FAILED=$((FAILED + 1)); log "FAIL  $*"; }
check() { local what=$1; shift; if "$@"; then pass "$what"; else fail "$what"; fi; }

lab() { "$LAB" --dir "$D/lab" "$@"; }
# the lab's namespace prefix (lab/mip4-lab: md5 of its run dir)
pfx() { printf 'm4l-%s-' "$(printf '%s' "$D/lab" | md5sum | cut -c1-6)"; }
inns() { local n=$1; shift; ip netns exec "$PFX$n" "$@"; }
ctl() { inns mn "$BIN/mip4ctl" "$1" -s "$D/lab/mn/mip4d.sock" --json; }
counter() { ctl counters | jq -r --arg k "$1" '."mobile-node"[$k] // 0'; }
detection() { ctl status | jq -r '.mobile_node.detection'; }
ping_cn() { inns mn ping -c 3 -i 0.2 -W 1 -I $IHOA $CN >/dev/null 2>&1; }
wait_for() { # SECONDS CMD...
  local end=$((SECONDS + $1)); shift
  until "$@"; do ((SECONDS < end)) || return 1; sleep 0.1; done
}
is_outside() { [[ $(detection) == outside ]] && ping_cn; }
is_inside() { [[ $(detection) == inside ]]; }
events_since() { tail -n +"$(($1 + 1))" "$D/lab/mn/monitor.log"; }
nevents() { wc -l <"$D/lab/mn/monitor.log"; }

cleanup() {
  local rc=$?
  [[ -n ${CAP_PID:-} ]] && kill "$CAP_PID" 2>/dev/null
  [[ -n ${ROGUE_PID:-} ]] && kill "$ROGUE_PID" 2>/dev/null
  if ((FAILED > 0)); then
    for f in "$D"/lab/mn/mip4d.log "$D"/rogue.log "$D"/lab/mn/monitor.log; do
      [[ -s $f ]] && { log "---- tail of $f"; tail -n 20 "$f"; }
    done
  fi
  lab down >/dev/null 2>&1
  [[ -n ${KEEP:-} ]] && log "kept $D" || rm -rf "$D"
  exit $rc
}
trap cleanup EXIT INT TERM

lab up --vpn "$VPN" >"$D/up.log" 2>&1 || { cat "$D/up.log"; fail "lab up"; exit 1; }
PFX=$(pfx)
lab mn start cvc >"$D/mn.log" 2>&1 || { cat "$D/mn.log"; fail "mn start cvc"; exit 1; }
check "cvc on E1: outside, user data flows through the VPN" wait_for 20 is_outside

# Capture the outside link for the whole run (E1's bridge in the switch).
inns sw tcpdump -i br-E1 -U -w "$D/e1.pcap" >/dev/null 2>&1 &
CAP_PID=$!
sleep 0.5

# A rogue "i-HA" on the hotel network E1: its own namespace on E1's bridge
# with the i-HA's address, and E1's router sends that address to it (or
# think of ARP spoofing: the network is not ours).
rogue_net() {
  ip netns add "${PFX}rogue" || return 1
  ip link add rg0 netns "${PFX}rogue" type veth peer name rg-e1 netns "${PFX}sw" || return 1
  inns sw ip link set rg-e1 master br-E1 up
  inns rogue ip link set lo up
  inns rogue ip link set rg0 up
  inns rogue ip addr add 203.0.113.5/26 dev rg0
  inns rogue ip addr add $IHA/32 dev lo
  inns rogue ip route add default via 203.0.113.1
}
ROGUES=0
rogue_start() { # FLAVOUR KEY
  [[ -e /run/netns/${PFX}rogue ]] || rogue_net || return 1
  inns inet ip route replace $IHA/32 via 203.0.113.5 dev e1 || return 1
  rm -rf "$D/rogue.sock" "$D/rogue-state"
  ( umask 077; cat >"$D/rogue.conf" <<EOF
control-socket $D/rogue.sock
state-db $D/rogue-state/rogue.db
home-agent {
	address $IHA
	home-network 10.10.100.0/24
	flavour $1
	$( [[ $1 == internal ]] && printf 'trusted 0.0.0.0/0' )
	tunnel-device rogue-ha$ROGUES
	mobile-node $IHOA { spi 0x3000 key hex:$2 }
}
EOF
  )
  # a new tunnel device name each time: the last one may still be on its
  # way out of the kernel
  ROGUES=$((ROGUES + 1))
  inns rogue "$BIN/mip4d" -d -f "$D/rogue.conf" >>"$D/rogue.log" 2>&1 &
  ROGUE_PID=$!
  wait_for 15 test -S "$D/rogue.sock"
}
rogue_stop() {
  kill "$ROGUE_PID" 2>/dev/null; wait "$ROGUE_PID" 2>/dev/null; ROGUE_PID=
  inns inet ip route del $IHA/32 2>/dev/null
}
rogue_requests() {
  inns rogue "$BIN/mip4ctl" counters -s "$D/rogue.sock" --json |
    jq -r '."home-agent".requests // .requests // 0'
}
# the MN's current i-MIP key, for (b)
MN_KEY=$(sed -n 's/^i=//p' "$D/lab/keys")

# revisit E1 through E2: a new attachment runs detection again
revisit_e1() { lab move E2 >/dev/null 2>&1; lab move E1 >/dev/null 2>&1; }

# (a) wrong key
rogue_start internal "$ROGUE_KEY" || fail "(a) rogue i-HA did not start"
n0=$(nevents); drops0=$(counter probe-requests)
revisit_e1
check "(a) rogue i-HA without the key: the MN ends outside, data flows" wait_for 15 is_outside
check "(a) ... the rogue was asked and answered (code 131 under its key)" \
  eval '[[ $(rogue_requests) -gt 0 ]] && grep -q reject-131 "$D/rogue.log"' 
check "(a) ... no 'inside' decision since the move" \
  eval '! events_since $n0 | grep -q "\"event\":\"inside\""'
rogue_stop

# (b) right key, no TNC (a plain home agent)
if [[ -n $MN_KEY ]]; then
  rogue_start plain "$MN_KEY" || fail "(b) rogue HA did not start"
  n0=$(nevents); notnc0=$(counter probe-accepted-no-tnc)
  revisit_e1
  check "(b) plain HA with the right key, no TNC: the MN ends outside, data flows" \
    wait_for 15 is_outside
  check "(b) ... its acceptance without TNC was counted and ignored" \
    wait_for 5 eval '(( $(counter probe-accepted-no-tnc) > notnc0 ))'
  check "(b) ... no 'inside' decision since the move" \
    eval '! events_since $n0 | grep -q "\"event\":\"inside\""'
  rogue_stop
else
  fail "(b) could not read the MN's i-MIP key from its config"
fi

# (c) the firewall lets plain registrations from outside reach the i-HA
inns vpngw nft insert rule inet mip4lab forward iifname ext ip daddr $IHA udp dport 434 \
  counter accept comment '"misconfig"'
untrusted0=$(inns iha "$BIN/mip4ctl" counters -s "$D/lab/iha/mip4d.sock" --json |
  jq -r '."home-agent"."drop-untrusted-source" // ."drop-untrusted-source" // 0')
n0=$(nevents)
revisit_e1
check "(c) firewall open to plain registrations: the MN ends outside, data flows" \
  wait_for 15 is_outside
check "(c) ... the i-HA dropped them (untrusted source, RFC 5265 §4.3)" wait_for 5 eval \
  '(( $(inns iha "$BIN/mip4ctl" counters -s "$D/lab/iha/mip4d.sock" --json |
       jq -r "(.\"home-agent\".\"drop-untrusted-source\" // .\"drop-untrusted-source\" // 0)") > untrusted0 ))'
check "(c) ... no 'inside' decision since the move" \
  eval '! events_since $n0 | grep -q "\"event\":\"inside\""'

# and inside is still found where it is true
lab move I2 >/dev/null 2>&1
check "on I2 (intranet): inside, data flows without the VPN" \
  wait_for 15 eval 'is_inside && ping_cn'

# (d) T_MONITOR (§3.2.4): inside, the i-HA stops answering (as if the
# network had been re-routed under us without a link change).  Within
# T_MONITOR the node must hold user data back and detect again; when the
# i-HA answers again it is inside again.  A node with T_MONITOR 6 s.
kill "$CAP_PID" 2>/dev/null; wait "$CAP_PID" 2>/dev/null; CAP_PID=
lab mn stop >/dev/null 2>&1
MIP4_LAB_T_MONITOR=6 lab mn start cvc >"$D/mn2.log" 2>&1 || fail "(d) mn start with t-monitor 6"
check "(d) T_MONITOR 6 s: inside on I2, data flows" wait_for 15 eval 'is_inside && ping_cn'
mn_addr=$(inns mn ip -4 -o addr show dev wlan0 | awk '{ sub("/.*", "", $4); print $4; exit }')
inns iha nft add table inet tmon
inns iha nft add chain inet tmon in '{ type filter hook input priority -10; policy accept; }'
inns iha nft add rule inet tmon in ip saddr "$mn_addr" udp dport 434 counter drop
t_block=$SECONDS
check "(d) the i-HA's answers stop: within T_MONITOR + 2 s user data is held back" \
  wait_for 8 eval '! inns mn ping -c 1 -W 0.3 -I $IHOA $CN >/dev/null 2>&1'
check "(d) ... not before the last registration's T_MONITOR ran out (held after $((SECONDS - t_block)) s)" \
  test $((SECONDS - t_block)) -ge 1
check "(d) ... and the node is detecting again, not inside" \
  wait_for 5 eval '[[ $(detection) == detecting ]]'
inns iha nft delete table inet tmon
check "(d) the i-HA answers again: inside again, data flows" \
  wait_for 15 eval 'is_inside && ping_cn'

# (e) a VPN client that hangs: swanctl --list-sas never returns (as with a
# stuck charon).  The node kills it after swanctl-timeout and goes on.
lab mn stop >/dev/null 2>&1
lab move E1 >/dev/null 2>&1
if [[ $VPN == strongswan ]]; then
cat >"$D/hang-swanctl" <<'EOF'
#!/bin/sh
for a in "$@"; do [ "$a" = "--list-sas" ] && exec sleep 1000; done
exec /usr/sbin/swanctl "$@"
EOF
chmod 755 "$D/hang-swanctl"
sed -e "s#^\( *\)vpn {#\1vpn {\n\1    swanctl $D/hang-swanctl\n\1    swanctl-timeout 3#" \
  "$D/lab/mn/mip4d.conf" >"$D/hang.conf"
chmod 600 "$D/hang.conf"
inns mn "$BIN/mip4d" -d -f "$D/hang.conf" >"$D/hang.log" 2>&1 &
HANG_PID=$!
check "(e) swanctl --list-sas hangs: killed after swanctl-timeout (3 s)" \
  wait_for 20 eval '(( $(counter vpn-swanctl-killed) >= 1 ))'
check "(e) ... and the VPN is driven again afterwards (the hung run was really ended)" \
  wait_for 10 eval 'sed -n "/still running after/,\$p" "$D/hang.log" | grep -v "still running" | grep -q "vpn: swanctl --"'
check "(e) ... the daemon still answers and is still alive" \
  eval 'ctl status >/dev/null && kill -0 $HANG_PID'
kill "$HANG_PID" 2>/dev/null; wait "$HANG_PID" 2>/dev/null
fi

# Intranet addresses on E1 outside ESP: only registration traffic to the
# i-HA's port 434 may appear (the §3.3 direct attempts and the rogue's
# answers); anything else is user data in the clear.
leaks=$(tshark -n -r "$D/e1.pcap" -Y "ip.addr==$INTRANET && !($VPN_FILTER) && !(udp.port==434)" 2>/dev/null | wc -l)
probes=$(tshark -n -r "$D/e1.pcap" -Y "ip.addr==$INTRANET && udp.port==434" 2>/dev/null | wc -l)
nvpn=$(tshark -n -r "$D/e1.pcap" -Y "$VPN_FILTER" 2>/dev/null | wc -l)
check "E1 capture: no user packet with an intranet address outside the VPN ($VPN; $probes direct registration packets to/from the i-HA address)" \
  test "$leaks" -eq 0
check "E1 capture: user data was there, inside the VPN ($nvpn packets: $VPN_FILTER)" \
  test "$nvpn" -gt 0
check "E1 capture: the direct attempts were there ($probes packets)" test "$probes" -gt 0
check "E1 capture: no malformed packet (tshark)" \
  test "$(tshark -n -r "$D/e1.pcap" -Y _ws.malformed 2>/dev/null | wc -l)" -eq 0

log "$PASSED passed, $FAILED failed"
((FAILED == 0))
