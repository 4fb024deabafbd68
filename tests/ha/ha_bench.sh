#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# Registrations per second and memory per binding of the real mip4d.
#
#   cn-$$                 ha-$$ (mip4d)                        mn-$$
#   c0 10.80.0.2/16 ---- h0 10.80.0.1/16 (home link, run "proxy")
#                        h1 192.0.2.1/24 ------------------ m0 192.0.2.2/24
#                                                            mn_sim bench
#
# N mobile nodes (default 1000) with consecutive home addresses from
# 10.80.1.0 and SPIs from 0x10000 are configured.  mn_sim bench builds and
# authenticates N requests first, then sends them with at most W (64)
# unanswered and counts the replies.  Each configuration runs a fresh
# daemon and state db, twice: "new" (every request creates a binding: a
# /32 route, an SQLite row, and with the home link a proxy ARP entry and a
# gratuitous ARP) and "renew" (the same MNs re-register: SQLite update
# only).  VmRSS of mip4d is read from /proc before the first pass and
# after it: (after - before) / N is the memory per binding, all included
# (binding table entry, NAI copy, SQLite page cache growth, kernel-side
# routes are not in it).
#
# usage: ha_bench.sh MIP4D MIP4CTL MN_SIM [N] [WINDOW]    (root)
#        HA_BENCH_CASES="virtual home-link" (default both)
set -uo pipefail

MIP4D=$(realpath "${1:?usage: $0 mip4d mip4ctl mn_sim [N] [WINDOW]}")
MIP4CTL=$(realpath "${2:?}")
MNSIM=$(realpath "${3:?}")
N=${4:-1000}
W=${5:-64}
HA=ha-$$ MN=mn-$$ CN=cn-$$
KEY=00112233445566778899aabbccddeeff
TMP=$(mktemp -d /tmp/ha_bench.XXXXXX)
chmod 711 "$TMP" # the engine (an unprivileged user) reaches its state in it
SOCK=$TMP/ha.sock
HA_PID=
RC=0

log() { printf 'ha_bench: %s\n' "$*"; }

cleanup() {
  (( RC == 0 )) || grep -hv 'event=registered' "$TMP"/mip4d-*.log 2>/dev/null | tail -n 30
  [[ -n $HA_PID ]] && { kill "$HA_PID" 2>/dev/null; wait "$HA_PID" 2>/dev/null; }
  for ns in "$HA" "$MN" "$CN"; do
    ip netns pids "$ns" 2>/dev/null | xargs -r kill -9 2>/dev/null
    ip netns del "$ns" 2>/dev/null
  done
  rm -rf "$TMP"
}
trap cleanup EXIT

wait_for() {
  local deadline=$(( $(date +%s%N) + $1 * 1000000000 )); shift
  until "$@" >/dev/null 2>&1; do
    (( $(date +%s%N) < deadline )) || return 1
    sleep 0.05
  done
}
in_ns() { ip netns exec "$@"; }
ctl() { in_ns "$HA" "$MIP4CTL" "$1" -s "$SOCK" "${@:2}"; }

make_topology() {
  for ns in "$HA" "$MN" "$CN"; do ip netns add "$ns"; in_ns "$ns" ip link set lo up; done
  ip link add h1 netns "$HA" type veth peer name m0 netns "$MN"
  ip link add h0 netns "$HA" type veth peer name c0 netns "$CN"
  in_ns "$HA" ip addr add 192.0.2.1/24 dev h1
  in_ns "$HA" ip addr add 10.80.0.1/16 dev h0
  in_ns "$HA" ip link set h0 up
  in_ns "$HA" ip link set h1 up
  in_ns "$HA" sysctl -qw net.ipv4.ip_forward=1
  in_ns "$CN" ip addr add 10.80.0.2/16 dev c0
  in_ns "$CN" ip link set c0 up
  in_ns "$MN" ip addr add 192.0.2.2/24 dev m0
  in_ns "$MN" ip link set m0 up
}

write_conf() { # HOME_IF
  python3 - "$N" "$KEY" "$1" "$SOCK" "$TMP/ha-state/ha.db" > "$TMP/ha.conf" <<'EOF'
import ipaddress, sys
n, key, homeif, sock, db = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5]
print(f"control-socket {sock}\nstate-db {db}\nhome-agent {{")
print("\taddress 192.0.2.1\n\thome-network 10.80.0.0/16\n\tmax-lifetime 600")
print(f"\thome-interface {homeif}\n\ttunnel-device mip-ha0")
first = int(ipaddress.IPv4Address("10.80.1.0"))
for i in range(n):
    # a wide timestamp tolerance: the requests are built before the clock
    # starts, and a slow pass must not turn into 133s
    print(f"\tmobile-node {ipaddress.IPv4Address(first + i)} {{ spi {0x10000 + i} key hex:{key} tolerance 3600 }}")
print("}")
EOF
  chmod 600 "$TMP/ha.conf"
}

rss_kb() { awk '/^VmRSS:/ { print $2 }' /proc/"$1"/status; }

# bench_run LABEL HOME_IF
bench_run() {
  local label=$1 pid r0 r1 new renew
  rm -rf "$TMP"/ha-state
  write_conf "$2"
  ip netns exec "$HA" "$MIP4D" -d -f "$TMP/ha.conf" > "$TMP/mip4d-$2.log" 2>&1 &
  HA_PID=$!
  wait_for 20 ctl status --json || { log "mip4d did not start"; RC=1; return; }
  pid=$(ctl status --json | jq -r 'if .privsep.on then .privsep.engine else .pid end')
  r0=$(rss_kb "$pid")
  new=$(in_ns "$MN" "$MNSIM" bench --ha 192.0.2.1 --src 192.0.2.2:0 --home 10.80.1.0 \
        --count "$N" --spi 0x10000 --key $KEY --window "$W" --lifetime 600) || RC=1
  r1=$(rss_kb "$pid")
  renew=$(in_ns "$MN" "$MNSIM" bench --ha 192.0.2.1 --src 192.0.2.2:0 --home 10.80.1.0 \
          --count "$N" --spi 0x10000 --key $KEY --window "$W" --lifetime 600) || RC=1
  local nb; nb=$(ctl status --json | jq -r .home_agent.bindings)
  [[ $nb == "$N" ]] || { log "$label: $nb bindings, want $N"; RC=1; }
  log "$label new:   $new"
  log "$label renew: $renew"
  log "$label: $nb bindings; VmRSS $r0 kB -> $r1 kB: $(( (r1 - r0) * 1024 / N )) bytes per binding"
  kill "$HA_PID"; wait "$HA_PID" 2>/dev/null; HA_PID=
}

make_topology
log "N=$N window=$W, $(nproc) CPUs, $(uname -r)"
for c in ${HA_BENCH_CASES:-virtual home-link}; do
  case $c in
    virtual) bench_run "virtual-home" none ;;
    home-link) bench_run "home-link(proxy ARP+GARP)" h0 ;;
  esac
done
exit $RC
