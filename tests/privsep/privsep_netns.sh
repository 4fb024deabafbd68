#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# Privilege separation of the running daemon (daemon/privsep.h), in a
# namespace this script makes:
#
#   ps-$$:  h0 10.66.0.1/24 (home link) --veth-- h1 10.66.0.2/24
#           mip4d (home agent 10.66.0.1, home network 10.66.0.0/24)
#           = parent (root, CAP_NET_ADMIN|CAP_NET_RAW|CAP_KILL)
#             + engine (system user, no capability, seccomp)
#
# 1. a mobile node registers (mn_sim from h1): the engine asked for its
#    route, the parent carried it out;
# 2. forged requests, made in the engine with gdb as a compromised engine
#    would make them (a route outside the home network, a route into a
#    device that is not ours, a rule): refused by the parent, nothing in
#    the kernel, counted and logged;
# 3. a system call outside the engine's seccomp filter (gdb again): the
#    engine dies of SIGSYS, the parent says why and exits 1 (the
#    supervisor's cue), the control socket goes; started again, the
#    binding is back from the store;
# 4. the state directory removed under the running engine (an operator's
#    rm -rf): the store's recovery stays inside the seccomp filter and the
#    Landlock rule; the engine lives, refuses grants (130) while it cannot
#    write a new file there, and says why.
#
# usage: privsep_netns.sh MIP4D MIP4CTL MN_SIM     (root, gdb)
set -uo pipefail

MIP4D=$(realpath "${1:?usage: $0 mip4d mip4ctl mn_sim}")
MIP4CTL=$(realpath "${2:?}")
MNSIM=$(realpath "${3:?}")
NS=ps-$$
TMP=$(mktemp -d /tmp/privsep_netns.XXXXXX)
chmod 711 "$TMP" # the engine (an unprivileged user) reaches its state in it
SOCK=$TMP/ha.sock
HOME_ADDR=10.66.0.100 KEY=00112233445566778899aabbccddeeff
PASSED=0 FAILED=0
HA_PID=

log() { printf 'privsep_netns: %s\n' "$*"; }
pass() { PASSED=$((PASSED + 1)); printf 'privsep_netns: PASS  %s\n' "$*"; }
fail() { FAILED=$((FAILED + 1)); printf 'privsep_netns: FAIL  %s\n' "$*"; }
check() { local d=$1; shift; if "$@"; then pass "$d"; else fail "$d"; fi; }

cleanup() {
  [[ -n $HA_PID ]] && kill "$HA_PID" 2>/dev/null && wait "$HA_PID" 2>/dev/null
  ip netns pids "$NS" 2>/dev/null | xargs -r kill -9 2>/dev/null
  ip netns del "$NS" 2>/dev/null
  if (( FAILED > 0 )); then
    log "---- mip4d.log"; tail -n 30 "$TMP/mip4d.log"
  fi
  rm -rf "$TMP"
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

in_ns() { ip netns exec "$NS" "$@"; }
ctl() { in_ns "$MIP4CTL" "$1" -s "$SOCK" "${@:2}"; }
counter() { ctl counters --json | jq -r --arg s "$1" --arg n "$2" '.[$s][$n] // 0'; }
engine_pid() { ctl status --json | jq -r .privsep.engine; }
# in_engine EXPR: evaluate a C expression in the engine, as its own code
in_engine() {
  gdb -p "$1" -batch -nx -ex "print (long)($2)" 2>/dev/null |
    awk '/^\$1 = / { print $3 }'
}

(( EUID == 0 )) || { log "SKIP: needs root"; exit 77; }
command -v gdb >/dev/null || { log "SKIP: gdb missing"; exit 77; }
command -v jq >/dev/null || { log "SKIP: jq missing"; exit 77; }

ip netns add "$NS" || exit 1
in_ns ip link set lo up
in_ns ip link add h0 type veth peer name h1
in_ns ip addr add 10.66.0.1/24 dev h0
in_ns ip addr add 10.66.0.2/24 dev h1
in_ns ip link set h0 up
in_ns ip link set h1 up
in_ns sysctl -qw net.ipv4.ip_forward=1

cat > "$TMP/ha.conf" <<EOF
control-socket $SOCK
state-db $TMP/ha-state/ha.db
home-agent {
	address 10.66.0.1
	home-network 10.66.0.0/24
	tunnel-device mip-ps0
	home-interface h0
	mobile-node $HOME_ADDR { spi 0x100 key hex:$KEY }
}
EOF
chmod 600 "$TMP/ha.conf"

start_ha() {
  in_ns "$MIP4D" -d -f "$TMP/ha.conf" >> "$TMP/mip4d.log" 2>&1 &
  HA_PID=$!
  wait_for 10 ctl status --json
}

start_ha || { fail "mip4d did not start"; exit 1; }
ENG=$(engine_pid)
check "split: parent $HA_PID, engine $ENG (user $(ctl status --json | jq -r .privsep.user), seccomp $(ctl status --json | jq -r .privsep.seccomp), landlock $(ctl status --json | jq -r .privsep.landlock))" \
  eval '[[ $ENG =~ ^[0-9]+$ && $ENG != "$HA_PID" && $(ctl status --json | jq -r .privsep.seccomp) == true ]]'

# 1. the normal path
in_ns "$MNSIM" reg --ha 10.66.0.1 --src 10.66.0.2:0 --coa 10.66.0.2 --home $HOME_ADDR \
  --spi 0x100 --key $KEY --lifetime 300 > "$TMP/reg.json"
check "a registration is accepted (code $(jq -r .code "$TMP/reg.json"))" \
  test "$(jq -r .code "$TMP/reg.json")" = 0
check "its route, asked by the engine, set by the parent: $HOME_ADDR dev mip-ps0" \
  eval 'in_ns ip route show $HOME_ADDR | grep -q "dev mip-ps0"'
check "... and the proxy entry on h0" eval 'in_ns ip neigh show proxy | grep -qw $HOME_ADDR'

# 2. a compromised engine asks for what the configuration does not give
refused0=$(counter privsep parent-refused)
LO=$(in_ns cat /sys/class/net/lo/ifindex)
TUN=$(in_ns cat /sys/class/net/mip-ps0/ifindex)
r1=$(in_engine "$ENG" "priv_route(main::d.priv, 1, 0x08080808, 32, $TUN, 0, 0)")
check "forged: 8.8.8.8/32 into mip-ps0 (outside the home network) refused (returns $r1 = -EPERM)" \
  eval '[[ $r1 == -1 ]] && ! in_ns ip route show 8.8.8.8 | grep -q .'
r2=$(in_engine "$ENG" "priv_route(main::d.priv, 1, 0x0a420063, 32, $LO, 0, 0)")
check "forged: 10.66.0.99/32 into lo (a device that is not ours) refused ($r2)" \
  eval '[[ $r2 == -1 ]] && ! in_ns ip route show 10.66.0.99 | grep -q .'
r3=$(in_engine "$ENG" "priv_rule_add(main::d.priv, 1, 254, 0, -1)")
check "forged: a rule at priority 1 refused ($r3)" \
  eval '[[ $r3 == -1 ]] && ! in_ns ip rule | grep -q "^1:"'
check "... the parent counted the 3 refusals (parent-refused $(counter privsep parent-refused))" \
  test "$(counter privsep parent-refused)" = $((refused0 + 3))
check "... and logged them with the reason" \
  grep -q 'refused route-add 8.8.8.8/32.*outside what the configuration routes' "$TMP/mip4d.log"
check "the engine still serves (status answers)" eval 'ctl status --json >/dev/null'

# 3. a system call outside the seccomp filter: mount(2)
in_engine "$ENG" "syscall(165, 0, 0, 0, 0)" >/dev/null
if wait_for 5 eval '! kill -0 $HA_PID'; then
  wait "$HA_PID"; rc=$?
else
  rc=running
  kill "$HA_PID"; wait "$HA_PID"
fi
HA_PID=
check "the engine killed by SIGSYS, the parent exits 1 (got $rc) so that the supervisor restarts both" \
  test "$rc" = 1
check "... and says why" \
  grep -q 'the engine died of signal 31 .*seccomp' "$TMP/mip4d.log"
check "... the control socket is gone" test ! -e "$SOCK"
start_ha || fail "mip4d did not start again"
check "started again: the binding of $HOME_ADDR is back from the store" \
  eval '[[ $(ctl bindings --json | jq -r ".[0].home_addr") == $HOME_ADDR ]]'
check "... and its route" eval 'in_ns ip route show $HOME_ADDR | grep -q "dev mip-ps0"'

# 4. the state directory removed under the engine
ENG=$(engine_pid)
rm -rf "$TMP/ha-state"
in_ns "$MNSIM" reg --ha 10.66.0.1 --src 10.66.0.2:0 --coa 10.66.0.2 --home $HOME_ADDR \
  --spi 0x100 --key $KEY --lifetime 200 > "$TMP/reg2.json"
check "state directory removed: the engine ($ENG) is alive after a registration (no SIGSYS)" \
  eval 'kill -0 $ENG && ctl status --json >/dev/null'
check "... that registration was not granted (code $(jq -r .code "$TMP/reg2.json"), 130 expected: nowhere durable to put it)" \
  test "$(jq -r .code "$TMP/reg2.json")" = 130
check "... the status says the store is failing ($(ctl status --json | jq -r .home_agent.state_db.reason))" \
  test "$(ctl status --json | jq -r .home_agent.state_db.state)" = failing
check "... no engine death in the log" eval '! grep -q "the engine died" <(sed -n "/started again/,\$p" "$TMP/mip4d.log")'

log "$PASSED passed, $FAILED failed"
(( FAILED == 0 ))
