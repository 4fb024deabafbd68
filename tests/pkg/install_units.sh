#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# `make install` and the systemd units, offline (no systemd needed):
#   (a) cmake --install into a DESTDIR gives exactly the expected files,
#       with the expected modes, under the configured directories
#   (b) `systemd-analyze verify` is silent on mip4d.service and on an
#       instance of mip4d@.service, and each names an installed daemon
#   (c) `systemd-analyze security --offline=yes` rates each 2.0 or better
#       (the overall exposure it prints, and --threshold=20)
#   (d) both units have the same sandbox, line for line; every capability
#       in it is explained in mip4d.service
#
# usage: install_units.sh BUILD_DIR PREFIX SBINDIR BINDIR MANDIR DOCDIR
#                         SYSCONFDIR UNITDIR COMPLETIONDIR SYSUSERSDIR
#        (the CMake install directories, absolute; ~3 s)
set -uo pipefail

BUILD=$(realpath "${1:?usage: $0 BUILD PREFIX SBINDIR BINDIR MANDIR DOCDIR SYSCONFDIR UNITDIR COMPDIR SYSUSERSDIR}")
PREFIX=$2 SBINDIR=$3 BINDIR=$4 MANDIR=$5 DOCDIR=$6 SYSCONFDIR=$7 UNITDIR=$8
COMPDIR=$9 SYSUSERSDIR=${10}
HERE=$(cd "$(dirname "$0")" && pwd)
NAME=install_units
. "$HERE/../testlib.sh"
TMP=$(mktemp -d /tmp/install_units.XXXXXX)
D=$TMP/dest
trap 'rm -rf "$TMP"' EXIT

# ------------------------------------------------------------------ (a)

phase_install() {
  if ! DESTDIR=$D cmake --install "$BUILD" > "$TMP/install.log" 2>&1; then
    fail "(a) cmake --install failed"; cat "$TMP/install.log"; return
  fi
  cat > "$TMP/want" <<EOF
755 $SBINDIR/mip4d
755 $BINDIR/mip4ctl
644 $MANDIR/man5/mip4d.conf.5
644 $MANDIR/man8/mip4ctl.8
644 $MANDIR/man8/mip4d.8
644 $DOCDIR/examples/mip4d-fa.conf
644 $DOCDIR/examples/mip4d-ha.conf
644 $DOCDIR/examples/mip4d-iha.conf
644 $DOCDIR/examples/mip4d-mn.conf
644 $DOCDIR/examples/mip4d-vpnmn.conf
644 $UNITDIR/mip4d.service
644 $UNITDIR/mip4d@.service
644 $COMPDIR/mip4ctl
644 $SYSUSERSDIR/mip4d.conf
EOF
  sort -k2 -o "$TMP/want" "$TMP/want"
  (cd "$D" && find . -type f -printf '%m /%P\n' | sort -k2) > "$TMP/got"
  check "(a) DESTDIR install: the $(wc -l < "$TMP/want") expected files with their modes, nothing else" \
    diff -u "$TMP/want" "$TMP/got"
  local bad
  bad=$(cd "$D" && find . -type d ! -perm 755 -printf '%m /%P\n')
  check "(a) every directory made is 0755${bad:+ (not: $bad)}" test -z "$bad"
  check "(a) nothing outside DESTDIR: every file is below it" \
    test "$(grep -c "Installing: $D/" "$TMP/install.log")" = "$(wc -l < "$TMP/want")"
}

# ------------------------------------------------------------------ (b), (c)

# unit_copy UNIT: the installed unit in $TMP/units/, with the daemon's path
# made to point into DESTDIR (verify checks that the program exists)
unit_copy() {
  mkdir -p "$TMP/units"
  sed "s|^ExecStart=$SBINDIR/mip4d |ExecStart=$D$SBINDIR/mip4d |" "$D$UNITDIR/$1" > "$TMP/units/$1"
}

phase_verify() {
  local u out
  for u in mip4d.service mip4d@.service; do
    [[ -f $D$UNITDIR/$u ]] || { fail "(b) $u not installed"; continue; }
    unit_copy "$u"
    check "(b) $u starts $SBINDIR/mip4d, which is installed there" \
      eval 'grep -q "^ExecStart=$SBINDIR/mip4d -f $SYSCONFDIR/mip4d/" "$D$UNITDIR/$u" && test -x "$D$SBINDIR/mip4d"'
  done
  for u in mip4d.service mip4d@test.service; do
    out=$(systemd-analyze verify --man=no "$TMP/units/$u" 2>&1)
    check "(b) systemd-analyze verify $u is silent${out:+: $out}" test -z "$out"
  done
}

phase_security() {
  local u rating
  for u in mip4d.service mip4d@test.service; do
    systemd-analyze security --offline=yes "$TMP/units/$u" > "$TMP/sec.$u" 2>&1
    rating=$(sed -n 's/.*Overall exposure level for .*: \([0-9.]*\) .*/\1/p' "$TMP/sec.$u")
    if [[ -n $rating ]] && awk -v r="$rating" 'BEGIN { exit !(r <= 2.0) }' &&
       systemd-analyze security --offline=yes --threshold=20 "$TMP/units/$u" >/dev/null 2>&1; then
      pass "(c) systemd-analyze security --offline=yes rates $u $rating (<= 2.0; --threshold=20 agrees)"
    else
      fail "(c) systemd-analyze security rates $u ${rating:-?}, want <= 2.0"
      grep '✗' "$TMP/sec.$u"
    fi
  done
}

# The [Service] lines of a unit that are not about which instance it is.
sandbox() {
  sed -n '/^\[Service\]/,/^\[/p' "$1" | grep -v '^#\|^\[\|^$' |
    grep -v '^ExecStart=\|^StateDirectory=' | sort
}

phase_same_sandbox() {
  check "(d) mip4d.service and mip4d@.service have the same sandbox" \
    diff <(sandbox "$D$UNITDIR/mip4d.service") <(sandbox "$D$UNITDIR/mip4d@.service")
  local caps c missing=""
  caps=$(sed -n 's/^CapabilityBoundingSet=//p' "$D$UNITDIR/mip4d.service")
  check "(d) the ambient capabilities are the bounding set ($caps)" \
    grep -qx "AmbientCapabilities=$caps" "$D$UNITDIR/mip4d.service"
  for c in $caps; do
    grep -q "^#   $c " "$D$UNITDIR/mip4d.service" || missing+=" $c"
  done
  check "(d) every capability is explained in mip4d.service${missing:+ (not:$missing)}" \
    test -z "$missing"
}

phase_install
phase_verify
phase_security
phase_same_sandbox
finish
