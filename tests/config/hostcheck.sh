#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# hostcheck.sh MIP4D - `mip4d -n` warns about what would fail at start on
# this host (daemon/hostcheck.c) and still accepts the file: an address on
# no interface, an interface that does not exist, a state directory two
# levels deep; and says nothing when all is in place.
set -u
MIP4D=$(realpath "${1:?usage: hostcheck.sh MIP4D}") || exit 2
NAME=hostcheck
. "$(dirname "$0")/../testlib.sh"
TMP=$(mktemp -d /tmp/mip4d-hostcheck-XXXXXX)
trap 'rm -rf "$TMP"' EXIT

conf() { # ADDRESS HOME-INTERFACE STATE-DB
  cat > "$TMP/c.conf" <<EOT
control-socket $TMP/s.sock
state-db $3
home-agent {
	address $1
	home-interface $2
	mobile-node 10.1.0.5 { spi 300 key hex:00112233445566778899aabbccddeeff }
}
EOT
  chmod 600 "$TMP/c.conf"
  "$MIP4D" -n -f "$TMP/c.conf" > /dev/null 2> "$TMP/err"
}

conf 192.0.2.123 nosuchif0 "$TMP/a/b/ha.db"
check "accepted all the same (exit $?)" test $? = 0
check "warns: the address is on no interface" grep -q 'home-agent address 192.0.2.123 is on no interface' "$TMP/err"
check "warns: no such home-interface" grep -q 'home-interface nosuchif0: no such interface' "$TMP/err"
check "warns: the state directory is two levels away" grep -q "state-db $TMP/a/b/ha.db: its directory" "$TMP/err"
check "counts them" grep -q 'configuration OK, 3 warnings about this host' "$TMP/err"
conf 127.0.0.1 lo "$TMP/st/ha.db"
check "all in place: no warning" eval '! grep -q warning "$TMP/err" && grep -qx "mip4d: configuration OK" "$TMP/err"'
finish
