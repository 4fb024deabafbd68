#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# The Debian package (`make deb`):
#   (a) it builds (scripts/deb.sh: dpkg-buildpackage -b -us -uc); the
#       package is kept in BUILD_DIR/deb and built again only when a file
#       that goes into it changed (a build takes about a minute here)
#   (b) lintian --info finds no error and no warning in the .deb and the
#       .changes; every lintian override says why, in a comment above it
#   (c) contents: the expected files with their modes, the configuration
#       a conffile, Depends from ${shlibs:Depends} (each library mip4d and
#       mip4ctl link), strongSwan only suggested, the version CMake's
#   (d) installed with dpkg -i on this machine (root; skipped if a mip4d
#       package is installed already, which is not ours to replace): the
#       system user mip4d, /var/lib/mip4d 0700 mip4d, the configuration
#       0600 mip4d (dpkg-statoverride), the service not enabled
#   (e) dpkg --purge leaves none of its files, directories or overrides;
#       the user mip4d stays (Debian keeps system users on purge)
#
# usage: deb.sh SRC_DIR BUILD_DIR     (root for (d)/(e); 1-2 min)
set -uo pipefail

SRC=$(realpath "${1:?usage: $0 SRC_DIR BUILD_DIR}")
BUILD=$(realpath "${2:?}")
NAME=deb
. "$SRC/tests/testlib.sh"
OUT=$BUILD/deb
TMP=$(mktemp -d /tmp/deb_test.XXXXXX)
INSTALLED_BY_US=0
trap 'cleanup' EXIT

cleanup() {
  # a failed run must not leave our package installed
  if (( INSTALLED_BY_US )) && dpkg-query -W mip4d >/dev/null 2>&1; then
    dpkg_locked --purge mip4d >/dev/null 2>&1
  fi
  rm -rf "$TMP"
}

# dpkg_locked ARGS...: dpkg, waiting (bounded) while another dpkg runs
dpkg_locked() {
  local i
  for i in $(seq 120); do
    dpkg "$@" > "$TMP/dpkg.out" 2> "$TMP/dpkg.err" && return 0
    grep -q "lock" "$TMP/dpkg.err" || { cat "$TMP/dpkg.err" >&2; return 1; }
    sleep 0.5
  done
  return 1
}

# ------------------------------------------------------------------ (a)

# A digest of every file the package is built from.
tree_digest() {
  (cd "$SRC" && git ls-files -z -co --exclude-standard | while IFS= read -r -d '' f; do
     [[ -f $f && $f != out/* ]] && printf '%s\0' "$f"
   done | sort -z | xargs -0 sha256sum | sha256sum | cut -d' ' -f1)
}

phase_build() {
  local digest t0
  digest=$(tree_digest)
  if [[ -f $OUT/digest && $(cat "$OUT/digest") == "$digest" ]] && ls "$OUT"/mip4d_*.deb >/dev/null 2>&1; then
    pass "(a) package of this tree already built ($(ls "$OUT"/mip4d_*.deb | xargs -n1 basename))"
    return
  fi
  t0=$(date +%s)
  if "$SRC/scripts/deb.sh" "$OUT" > "$TMP/deb.log" 2>&1; then
    echo "$digest" > "$OUT/digest"
    pass "(a) dpkg-buildpackage -b -us -uc built the package in $(( $(date +%s) - t0 )) s"
  else
    fail "(a) the package does not build"; tail -n 30 "$TMP/deb.log"
  fi
}

DEB= CHANGES=
find_files() {
  DEB=$(ls "$OUT"/mip4d_*_*.deb 2>/dev/null | head -1)
  CHANGES=$(ls "$OUT"/mip4d_*.changes 2>/dev/null | head -1)
  [[ -n $DEB && -n $CHANGES ]]
}

# ------------------------------------------------------------------ (b)

phase_lintian() {
  local f tags
  for f in "$DEB" "$CHANGES"; do
    lintian --info "$f" > "$TMP/lintian.out" 2>&1
    tags=$(grep -E '^[EW]: ' "$TMP/lintian.out")
    check "(b) lintian --info $(basename "$f"): no error, no warning${tags:+:
$tags}" test -z "$tags"
  done
  local unjustified
  unjustified=$(awk 'FNR == 1 { prev = "" }
    /^[^#[:space:]]/ && prev !~ /^#/ { print FILENAME ": " $0 }
    { prev = $0 }' "$SRC"/debian/*lintian-overrides 2>/dev/null)
  check "(b) every lintian override has its reason above it${unjustified:+: $unjustified}" \
    test -z "$unjustified"
}

# ------------------------------------------------------------------ (c)

phase_contents() {
  cat > "$TMP/want" <<'EOF'
-rw------- /etc/mip4d/mip4d.conf
-rw-r--r-- /lib/systemd/system/mip4d.service
-rw-r--r-- /lib/systemd/system/mip4d@.service
-rwxr-xr-x /usr/bin/mip4ctl
-rwxr-xr-x /usr/sbin/mip4d
-rw-r--r-- /usr/share/bash-completion/completions/mip4ctl
-rw-r--r-- /usr/share/doc/mip4d/DESIGN.md.gz
-rw-r--r-- /usr/share/doc/mip4d/README.md.gz
-rw-r--r-- /usr/share/doc/mip4d/changelog.gz
-rw-r--r-- /usr/share/doc/mip4d/copyright
-rw-r--r-- /usr/share/doc/mip4d/examples/mip4d-fa.conf
-rw-r--r-- /usr/share/doc/mip4d/examples/mip4d-ha.conf
-rw-r--r-- /usr/share/doc/mip4d/examples/mip4d-iha.conf
-rw-r--r-- /usr/share/doc/mip4d/examples/mip4d-mn.conf
-rw-r--r-- /usr/share/doc/mip4d/examples/mip4d-vpnmn.conf
-rw-r--r-- /usr/share/lintian/overrides/mip4d
-rw-r--r-- /usr/share/man/man5/mip4d.conf.5.gz
-rw-r--r-- /usr/share/man/man8/mip4ctl.8.gz
-rw-r--r-- /usr/share/man/man8/mip4d.8.gz
EOF
  dpkg-deb -c "$DEB" | awk '$1 !~ /^d/ { sub(/^\./, "", $6); print $1, $6 }' | sort -k2 > "$TMP/got"
  check "(c) the package holds the $(wc -l < "$TMP/want") expected files with their modes, owned by root" \
    eval 'diff -u "$TMP/want" "$TMP/got" && ! dpkg-deb -c "$DEB" | awk "{ print \$2 }" | grep -v "^root/root$"'
  check "(c) /etc/mip4d/mip4d.conf is a conffile" \
    eval 'dpkg-deb --ctrl-tarfile "$DEB" | tar -xO ./conffiles | grep -qx /etc/mip4d/mip4d.conf'
  local depends suggests lib pkg missing=""
  depends=$(dpkg-deb -f "$DEB" Depends)
  suggests=$(dpkg-deb -f "$DEB" Suggests)
  mkdir -p "$TMP/x" && dpkg-deb -x "$DEB" "$TMP/x"
  for lib in $(objdump -p "$TMP/x/usr/sbin/mip4d" "$TMP/x/usr/bin/mip4ctl" |
               awk '$1 == "NEEDED" { print $2 }' | sort -u); do
    pkg=$(dpkg -S "*/$lib" 2>/dev/null | grep -v -- '-dev\|:i386' | head -1 | cut -d: -f1)
    [[ -n $pkg && ",$depends," == *", $pkg "* || ",$depends," == *",$pkg "* ||
       ",$depends," == *" $pkg ("* || ",$depends," == *" $pkg,"* ]] || missing+=" $lib($pkg)"
  done
  check "(c) Depends covers every library mip4d and mip4ctl need${missing:+; not:$missing}" \
    test -z "$missing"
  check "(c) Depends has adduser and no strongSwan; strongSwan is suggested ($suggests)" \
    eval '[[ $depends == *adduser* && $depends != *strongswan* && $suggests == *strongswan-swanctl* ]]'
  local cmake_version
  cmake_version=$(sed -n 's/^project(mip4d VERSION \([0-9.]*\).*/\1/p' "$SRC/CMakeLists.txt")
  check "(c) package version $(dpkg-deb -f "$DEB" Version) = CMake's $cmake_version" \
    test "$(dpkg-deb -f "$DEB" Version)" = "$cmake_version"
}

# ------------------------------------------------------------------ (d), (e)

phase_install() {
  if [[ $(id -u) -ne 0 ]]; then log "SKIP (d), (e): not root"; return 1; fi
  if dpkg-query -W -f='${Status}' mip4d 2>/dev/null | grep -q installed; then
    log "SKIP (d), (e): a mip4d package is installed here already"; return 1
  fi
  dpkg-query -W -f='${Status}' mip4d 2>/dev/null | grep -q config-files && {
    log "SKIP (d), (e): mip4d's configuration files are left from an earlier install"; return 1; }
  INSTALLED_BY_US=1
  check "(d) dpkg -i installs it" dpkg_locked -i "$DEB"
  dpkg -L mip4d | sort > "$TMP/files"
  check "(d) system user mip4d: uid below 1000, no login shell, home /var/lib/mip4d" \
    eval 'IFS=: read -r _ _ uid _ _ home shell < <(getent passwd mip4d) &&
          (( uid < 1000 )) && [[ $home == /var/lib/mip4d && $shell == */nologin ]]'
  check "(d) /var/lib/mip4d is 0700 mip4d:mip4d" \
    test "$(stat -c '%a %U:%G' /var/lib/mip4d)" = "700 mip4d:mip4d"
  check "(d) /etc/mip4d/mip4d.conf is 0600 mip4d:mip4d, by a dpkg-statoverride" \
    eval '[[ $(stat -c "%a %U:%G" /etc/mip4d/mip4d.conf) == "600 mip4d:mip4d" ]] &&
          dpkg-statoverride --list /etc/mip4d/mip4d.conf >/dev/null'
  check "(d) mip4d.service is not enabled (the shipped configuration has no role)" \
    eval '! ls /etc/systemd/system/*.wants/mip4d.service >/dev/null 2>&1'
  check "(d) mip4d refuses the shipped configuration with a clear message" \
    eval '! /usr/sbin/mip4d -n -f /etc/mip4d/mip4d.conf 2> "$TMP/n.err" && grep -q "no role configured" "$TMP/n.err"'
  check "(d) man mip4d, mip4ctl(8) and mip4d.conf(5) are found" \
    eval 'man -w mip4d >/dev/null && man -w 8 mip4ctl >/dev/null && man -w 5 mip4d.conf >/dev/null'
  return 0
}

phase_purge() {
  check "(e) dpkg --purge removes it" dpkg_locked --purge mip4d
  INSTALLED_BY_US=0
  local left="" f
  while read -r f; do
    [[ -e $f && ! -d $f ]] && left+=" $f"
    # its own directories (the shared ones, /usr/bin and so on, stay)
    [[ -d $f && $f == *mip4d* ]] && left+=" $f"
  done < "$TMP/files"
  for f in /etc/mip4d /var/lib/mip4d /run/mip4d; do [[ -e $f ]] && left+=" $f"; done
  check "(e) nothing of it is left${left:+:$left}" test -z "$left"
  check "(e) no dpkg-statoverride is left" \
    eval '! dpkg-statoverride --list | grep -q mip4d'
  check "(e) dpkg knows it no more" eval '! dpkg-query -W mip4d >/dev/null 2>&1'
  check "(e) the user mip4d stays (Debian keeps system users on purge)" \
    eval 'getent passwd mip4d >/dev/null'
}

phase_build
if find_files; then
  phase_lintian
  phase_contents
  phase_install && phase_purge
else
  fail "no .deb / .changes in $OUT"
fi
finish
