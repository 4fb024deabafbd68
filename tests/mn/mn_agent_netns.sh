#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# Mobile node agent discovery and mode f (RFC 5944 §2.4, §3.6.1.1, §4.2.1)
# against a stand-in foreign agent (fake_fa.py: advertises, answers
# solicitations, records registration requests; relays nothing):
#
#   mag-mn-$$ wlan0 (no address) ==veth== f0 10.4.0.1/24 mag-fa-$$
#
# Asserts: the MN solicits (ICMP 10, TTL 1) on a link where nobody
# advertises; moves to mode f with the agent on its advertisement; sends
# the registration request from the home address to the FA with TTL 255
# and care-of address = the FA's; installs a permanent neighbour entry with
# the FA's MAC and FA/32 src home; re-registers on an FA reboot (sequence
# number back to 0); reports agent-lost when the advertisements stop
# (algorithm 1) and takes the FA routes away; the capture decodes with
# mip4ctl; routing identical after SIGTERM.
#
# usage: mn_agent_netns.sh MIP4D MIP4CTL   (root; ~15 s)
set -uo pipefail
export LC_ALL=C

MIP4D=$(realpath "${1:?usage: $0 mip4d mip4ctl}")
MIP4CTL=$(realpath "${2:?usage: $0 mip4d mip4ctl}")
HERE=$(cd "$(dirname "$0")" && pwd)
MN=mag-mn-$$ FA=mag-fa-$$
HOME_ADDR=10.1.0.100 HA_ADDR=10.1.0.1 FA_ADDR=10.4.0.1 FA_COA=10.4.0.1
KEY=6d6e2d6e65746e732d746573742d6b65
TMP=$(mktemp -d /tmp/mn_agent.XXXXXX)
MSOCK=$TMP/mn.sock EVENTS=$TMP/events.json FALOG=$TMP/fa.log
PIDS=() PASSED=0 FAILED=0

log() { printf 'mn_agent: %s\n' "$*"; }
pass() { PASSED=$((PASSED + 1)); printf 'mn_agent: PASS  %s\n' "$*"; }
fail() { FAILED=$((FAILED + 1)); printf 'mn_agent: FAIL  %s\n' "$*"; }
check() { local d=$1; shift; if "$@"; then pass "$d"; else fail "$d"; fi; }
wait_for() {
  local deadline=$(( $(date +%s%N) + $1 * 1000000000 )); shift
  until "$@" >/dev/null 2>&1; do
    (( $(date +%s%N) < deadline )) || return 1
    sleep 0.05
  done
}
pid_gone() { ! kill -0 "$1" 2>/dev/null; }
bg() { local ns=$1; shift; ip netns exec "$ns" "$@" & PIDS+=($!); LAST=$!; }
stop() {
  kill -"${2:-TERM}" "$1" 2>/dev/null
  wait_for 10 pid_gone "$1" || kill -9 "$1" 2>/dev/null
  wait "$1" 2>/dev/null
}
cleanup() {
  local p
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done
  for p in "${PIDS[@]}"; do wait_for 3 pid_gone "$p" || kill -9 "$p" 2>/dev/null; done
  ip netns del "$MN" 2>/dev/null; ip netns del "$FA" 2>/dev/null
  if (( FAILED > 0 )) || [[ -n ${MN_NETNS_KEEP_LOGS:-} ]]; then
    for f in "$TMP"/*.log "$EVENTS"; do
      [[ -s $f ]] && { log "---- tail of $(basename "$f")"; tail -n 30 "$f"; }
    done
  fi
  rm -rf "$TMP"
}
trap cleanup EXIT

mctl() { ip netns exec "$MN" "$MIP4CTL" "$1" -s "$MSOCK" "${@:2}"; }
mn_status() { mctl status --json | jq -r ".mobile_node.$1 // empty"; }
ev_count() { grep -c "\"event\":\"$1\"" "$EVENTS" 2>/dev/null || true; }
ev_more() { (( $(ev_count "$1") > $2 )); }
fa_count() { grep -c "^$1 " "$FALOG" 2>/dev/null || true; }
fa_more() { (( $(fa_count "$1") > $2 )); }

(( EUID == 0 )) || { log "SKIP: needs root"; exit 77; }
for c in jq python3 tcpdump; do
  command -v $c >/dev/null || { log "SKIP: $c missing"; exit 77; }
done

for ns in "$MN" "$FA"; do
  ip netns add "$ns" || { fail "netns"; exit 1; }
  ip -n "$ns" link set lo up
  ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 \
    net.ipv6.conf.default.disable_ipv6=1 net.ipv4.conf.all.rp_filter=0 \
    net.ipv4.conf.default.rp_filter=0
done
ip -n "$MN" link add wlan0 type veth peer name f0 netns "$FA"
ip -n "$FA" addr add $FA_ADDR/24 dev f0
ip -n "$FA" link set f0 up
FA_MAC=$(ip -n "$FA" -o link show f0 | grep -o 'link/ether [0-9a-f:]*' | cut -d' ' -f2)

cat > "$TMP/mn.conf" <<EOF
control-socket $MSOCK
state-db $TMP/mn.db
mobile-node {
	home-address $HOME_ADDR
	home-agent $HA_ADDR
	home-network 10.1.0.0/24
	lifetime 120
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
chmod 600 "$TMP/mn.conf"

bg "$FA" tcpdump -i f0 -U -w "$TMP/fa.pcap" 'udp port 434 or icmp'
TCPDUMP=$LAST
bg "$FA" python3 "$HERE/fake_fa.py" f0 $FA_ADDR $FA_COA "$FALOG" --flags FT \
  --lifetime 3 --interval 1 --prefix-len 24 --solicited-first
FAKE=$LAST
sleep 0.5

ip netns exec "$MN" ip rule > "$TMP/rules.before"
ip netns exec "$MN" ip route show table all > "$TMP/routes.before"
bg "$MN" "$MIP4D" -d -f "$TMP/mn.conf" >>"$TMP/mip4d-mn.log" 2>&1
MN_PID=$LAST
wait_for 10 mctl status --json || { fail "mip4d did not start"; exit 1; }
bg "$MN" "$MIP4CTL" monitor -s "$MSOCK" --json >"$EVENTS" 2>&1
monitor_connected() { ip netns exec "$MN" ss -xH state connected | grep -q "$MSOCK"; }
wait_for 5 monitor_connected

# The link comes up: nobody advertises until solicited.
ip -n "$MN" link set wlan0 up
check "the MN solicits on link up" wait_for 5 fa_more sol 0
sol=$(grep -m1 '^sol ' "$FALOG")
# RFC 5944 §2.4 / RFC 1256 §5.1: away from home the home address must not
# show on the link (#11): solicitations go from 0.0.0.0
check "solicitation from 0.0.0.0, not the home address, with TTL 1 ($sol)" [ "$sol" == "sol 0.0.0.0 1" ]
check "moved to mode f on the advertisement" wait_for 5 eval \
  "grep '\"event\":\"moved\"' '$EVENTS' | grep -q '\"to\":\"f\".*\"agent\":\"$FA_ADDR\"'"
check "status: mode f, agent $FA_ADDR, care-of $FA_COA" eval \
  '[[ $(mn_status mode) == f && $(mn_status agent) == $FA_ADDR && $(mn_status coa) == $FA_COA ]]'
check "a registration request reached the FA" wait_for 5 fa_more rrq 0
rrq=$(grep -m1 '^rrq ' "$FALOG")
read -r _ r_src r_ttl r_flags r_life r_home r_ha r_coa <<<"$rrq"
check "request from the home address, TTL 255 (RFC 3024 §4.2.1): $r_src $r_ttl" \
  [ "$r_src" == $HOME_ADDR -a "$r_ttl" == 255 ]
check "request body: home $r_home, HA $r_ha, care-of $r_coa (FA's), lifetime $r_life, flags $r_flags (no D)" \
  eval '[[ $r_home == $HOME_ADDR && $r_ha == $HA_ADDR && $r_coa == $FA_COA && $r_life == 120 && $(( r_flags & 0x20 )) == 0 ]]'
check "permanent neighbour entry for the FA with its advertised MAC $FA_MAC" eval \
  "ip -n $MN neigh show $FA_ADDR dev wlan0 | grep -q 'lladdr $FA_MAC PERMANENT'"
check "host route to the FA from the home address in main" eval \
  "ip -n $MN route show $FA_ADDR | grep -q 'dev wlan0.*src $HOME_ADDR'"
check "unregistered: the tunnel table still points into mip0 (gated)" eval \
  "ip -n $MN route show table 19785 | grep -q 'default dev mip0'"

# §2.4.4: the agent reboots.
wait_for 5 fa_more adv 2   # a sequence number above 0 first
n_rrq=$(fa_count rrq)
kill -USR2 "$FAKE"
check "agent-rebooted on a sequence number back to 0" wait_for 4 ev_more agent-rebooted 0
check "a new request after the reboot" wait_for 3 fa_more rrq "$n_rrq"

# Algorithm 1: the advertisements stop.
kill -USR1 "$FAKE"
check "agent-lost when the advertisement lifetime (3 s) runs out" wait_for 6 ev_more agent-lost 0
check "detached afterwards" wait_for 2 eval '[ "$(mn_status mode)" == detached ]'
check "FA neighbour entry and host route gone" eval \
  "! ip -n $MN neigh show $FA_ADDR dev wlan0 | grep -q PERMANENT && ! ip -n $MN route show $FA_ADDR | grep -q wlan0"
check "solicits again after losing the agent" wait_for 4 eval "(( \$(fa_count sol) > 1 ))"

stop "$TCPDUMP" INT
dec=$("$MIP4CTL" decode "$TMP/fa.pcap" 2>&1)
check "the capture decodes: registration request $HOME_ADDR -> $FA_ADDR care-of $FA_COA" eval \
  "grep -qi 'request' <<<\"\$dec\" && grep -q '$FA_COA' <<<\"\$dec\""
printf '%s\n' "$dec" | head -n 4 | sed 's/^/mn_agent:   decode: /'
log "MN counters: $(mctl counters --json | jq -c '.. | objects | with_entries(select(.key | startswith("agent"))) | select(length > 0)')"

stop "$MN_PID"
ip netns exec "$MN" ip rule > "$TMP/rules.after"
ip netns exec "$MN" ip route show table all > "$TMP/routes.after"
check "ip rule identical after SIGTERM" diff -u "$TMP/rules.before" "$TMP/rules.after"
check "ip route show table all identical after SIGTERM" diff -u "$TMP/routes.before" "$TMP/routes.after"
log "$PASSED passed, $FAILED failed"
(( FAILED == 0 ))
