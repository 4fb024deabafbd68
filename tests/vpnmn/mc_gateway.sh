#!/usr/bin/env bash
# Mode mc (RFC 5266, the MOBIKE baseline): the VPN's own packets must never
# take i-MIP's catch-all.  While the link is gone, the main table has no
# route to the gateway and the lookup falls through to i-MIP's table; a
# socket the VPN client opens then would get the i-HoA as its source and
# send it bare on the next link (seen with openconnect's DTLS).  mip4d
# keeps an unreachable route for the gateway in that table.
#
#   MN (lab namespace mn, on E1)             gateway 198.51.100.2
#   wlan0 up:   GATEWAY via E1's router      (main, mip4d's host route)
#   wlan0 down: GATEWAY unreachable          (table 19785, not mip-i0)
#
# usage: mc_gateway.sh [REPO]   (root; ~20 s)
set -uo pipefail
REPO=${1:-$(cd "$(dirname "$0")/../.." && pwd)}
LAB="$REPO/lab/mip4-lab"
BIN=${MIP4_BIN:-$REPO/build/bin}
export MIP4_BIN=$BIN
D=$(mktemp -d /tmp/vpnmn_mc.XXXXXX)
chmod 711 "$D"
GW=198.51.100.2 I_TABLE=19785
PASSED=0 FAILED=0

log() { printf 'vpnmn_mc: %s\n' "$*"; }
check() {
  local what=$1; shift
  if "$@"; then PASSED=$((PASSED + 1)); log "PASS  $what"
  else FAILED=$((FAILED + 1)); log "FAIL  $what"; fi
}
lab() { "$LAB" --dir "$D/lab" "$@"; }
pfx() { printf 'm4l-%s-' "$(printf '%s' "$D/lab" | md5sum | cut -c1-6)"; }
inns() { ip netns exec "$PFX$1" "${@:2}"; }
wait_for() { # SECONDS CMD...
  local end=$((SECONDS + $1)); shift
  until "$@"; do ((SECONDS < end)) || return 1; sleep 0.1; done
}

cleanup() {
  local rc=$?
  if ((FAILED > 0)) && [[ -s $D/lab/mn/mip4d.log ]]; then
    log "---- tail of mip4d.log"; tail -n 20 "$D/lab/mn/mip4d.log"
  fi
  lab down >/dev/null 2>&1
  rm -rf "$D"
  exit $rc
}
trap cleanup EXIT INT TERM

lab up --stack mc >"$D/up.log" 2>&1 || { cat "$D/up.log"; log "FAIL  lab up"; exit 1; }
PFX=$(pfx)
unreachable_there() { inns mn ip route show table $I_TABLE | grep -q "^unreachable $GW "; }
check "mode mc: i-MIP's table holds 'unreachable $GW'" wait_for 20 unreachable_there
check "link up: the gateway is reached over wlan0" \
  eval "inns mn ip route get $GW | grep -q 'dev wlan0'"
inns mn ip link set wlan0 down
check "link down: no route to the gateway (never into mip-i0)" \
  eval "! inns mn ip route get $GW >'$D/get' 2>&1 && ! grep -q mip-i0 '$D/get'"
cat "$D/get"
inns mn ip link set wlan0 up
log "$PASSED passed, $FAILED failed"
((FAILED == 0))
