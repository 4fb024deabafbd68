#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# The systemd units for real: a systemd of its own runs them, with every
# sandbox option of the shipped units in force, around the real mip4d.
#
#   this host                     namespaces this script makes (pid, mount, net,
#   (any init; no systemd         uts, ipc, cgroup), torn down at the end:
#   as PID 1 needed)
#                                 systemd (PID 1, --unit=mip4test.target)
#                                   ├─ mip4d.service      home agent 127.0.0.1
#                                   └─ mip4d@t1.service   home agent 127.0.0.2
#                                 lo only; private /run, /tmp, /var/tmp,
#                                 /var/lib; /etc and /usr as overlays;
#                                 /dev/net/tun 0666 as udev makes it
#
# The host's files are not touched: the installed tree (cmake --install),
# the configuration files and, if it does not exist, the user mip4d live
# in the private overlays.  Each unit gets a drop-in: DefaultDependencies=no
# (nothing of the host's boot is started) and output to a file; the units'
# own Type=notify stays, so systemd waits for mip4d's READY=1.
#
#   (a) mip4d.service runs mip4d as user mip4d: capability bounding set as
#       the unit says, no new privileges, seccomp on
#   (b) /run/mip4d (0750) and its socket (0660) belong to mip4d, and
#       mip4ctl gets an answer; the state db is 0600 in /var/lib/mip4d (0700)
#   (c) the tunnel device exists and its disable_ipv6 was written
#       (ProtectKernelTunables= with the ReadWritePaths= exception)
#   (d) inside the service: /etc is read-only, /home invisible, /dev holds
#       net/tun and no disk
#   (e) systemctl reload is a SIGHUP (the daemon counts a reload)
#   (f) mip4d@t1.service: its own socket and /var/lib/mip4d/t1; stopping
#       it leaves mip4d.service's socket in place
#
# usage: unit_run.sh BUILD_DIR     (root; ~10 s; exits 77 = skipped when
#        this kernel or cgroup layout cannot host a systemd)
set -uo pipefail

BUILD=$(realpath "${1:?usage: $0 BUILD_DIR}")
HERE=$(cd "$(dirname "$0")" && pwd)
NAME=unit_run
. "$HERE/../testlib.sh"
TMP=$(mktemp -d /tmp/unit_run.XXXXXX)
CG=mip4t-$$
SD_PID=

skip() { log "SKIP: $*"; exit 77; }

cleanup() {
  if [[ -n $SD_PID ]] && kill -0 "$SD_PID" 2>/dev/null; then
    nsenter -t "$SD_PID" -a systemctl --no-block poweroff >/dev/null 2>&1
    local i
    for i in $(seq 50); do kill -0 "$SD_PID" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$SD_PID" 2>/dev/null
  fi
  wait 2>/dev/null
  local d
  for d in $(find /sys/fs/cgroup -maxdepth 2 -type d -name "$CG" 2>/dev/null); do
    find "$d" -depth -type d -exec rmdir {} + 2>/dev/null
  done
  if (( FAILED > 0 )); then
    for d in "$TMP"/log/*.log; do [[ -s $d ]] && { log "---- $(basename "$d")"; tail -n 15 "$d"; }; done
  fi
  rm -rf "$TMP"
}
trap cleanup EXIT

[[ $(id -u) -eq 0 ]] || skip "needs root"
[[ -x /lib/systemd/systemd ]] || skip "no /lib/systemd/systemd"
[[ -c /dev/net/tun ]] || skip "no /dev/net/tun"

DESTDIR=$TMP/dest cmake --install "$BUILD" > "$TMP/install.log" 2>&1 || {
  fail "cmake --install"; cat "$TMP/install.log"; exit 1; }
UNITDIR=$(sed -n 's|.*Installing: '"$TMP"'/dest\(.*\)/mip4d\.service$|\1|p' "$TMP/install.log")
MIP4CTL=$(sed -n 's|.*Installing: '"$TMP"'/dest\(.*/mip4ctl\)$|\1|p' "$TMP/install.log" | grep /bin/)
CONF=$(sed -n 's|^ExecStart=.* -f \([^ ]*\)/mip4d\.conf .*|\1|p' "$TMP/dest$UNITDIR/mip4d.service")
[[ -n $UNITDIR && -n $MIP4CTL && -n $CONF ]] || { fail "installed tree not understood"; exit 1; }
mkdir -p "$TMP/log"

# ------------------------------------------------------------ the container

# The cgroup hierarchies systemd needs, each entered in a fresh group that
# the cgroup namespace then makes its root.
cgroup_layout() {
  case $(stat -fc %T /sys/fs/cgroup) in
    cgroup2fs) echo unified2 ;;
    tmpfs) [[ -d /sys/fs/cgroup/systemd ]] && echo hybrid || echo none ;;
    *) echo none ;;
  esac
}
LAYOUT=$(cgroup_layout)
[[ $LAYOUT != none ]] || skip "cgroup layout $(stat -fc %T /sys/fs/cgroup) not supported"

write_inner() {
  cat > "$TMP/inner.sh" <<'EOF'
#!/bin/bash
# PID 1 of the new namespaces until it becomes systemd.
set -eu
T=$1 LAYOUT=$2 UNITDIR=$3
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t tmpfs -o mode=755 tmpfs /run
mkdir -p /run/t
cp -a "$T/dest" /run/t/dest
cp "$T/units.sh" /run/t/
if [ "$LAYOUT" = unified2 ]; then
  mount -t cgroup2 cgroup2 /sys/fs/cgroup
else
  mount -t tmpfs tmpfs /sys/fs/cgroup
  mkdir /sys/fs/cgroup/systemd /sys/fs/cgroup/unified
  mount -t cgroup -o none,name=systemd cgroup /sys/fs/cgroup/systemd
  mount -t cgroup2 cgroup2 /sys/fs/cgroup/unified
  if grep -qw devices /proc/cgroups; then
    mkdir /sys/fs/cgroup/devices
    mount -t cgroup -o devices cgroup /sys/fs/cgroup/devices
  fi
fi
for d in /tmp /var/tmp /var/lib; do mount -t tmpfs -o mode=1777 tmpfs $d; done
for d in etc usr; do
  mkdir -p /run/t/ov/$d/u /run/t/ov/$d/w
  mount -t overlay overlay -o lowerdir=/$d,upperdir=/run/t/ov/$d/u,workdir=/run/t/ov/$d/w /$d
done
cp -a /run/t/dest/usr/. /usr/
mkdir -p /run/systemd/system
cp "/run/t/dest$UNITDIR"/mip4d*.service /run/systemd/system/
getent passwd mip4d >/dev/null || {
  echo "mip4d:x:64990:64990:mip4d (test):/var/lib/mip4d:/usr/sbin/nologin" >> /etc/passwd
  echo "mip4d:x:64990:" >> /etc/group
}
# udev would make it 0666
mknod /run/t/tun c 10 200 && chmod 666 /run/t/tun && mount --bind /run/t/tun /dev/net/tun
. /run/t/units.sh
ip link set lo up
ip addr add 127.0.0.2/8 dev lo
exec env container=mip4test /lib/systemd/systemd --system --unit=mip4test.target \
  --log-target=console --show-status=no
EOF
  chmod +x "$TMP/inner.sh"
  # the target and the drop-ins, written inside (sourced by inner.sh)
  cat > "$TMP/units.sh" <<'EOF'
printf '[Unit]\nDescription=mip4d unit test\nDefaultDependencies=no\n' \
  > /run/systemd/system/mip4test.target
mkdir -p /run/t/log
for u in mip4d.service mip4d@.service; do
  mkdir -p /run/systemd/system/$u.d
  cat > /run/systemd/system/$u.d/test.conf <<EOT
[Unit]
DefaultDependencies=no
[Service]
StandardOutput=append:/run/t/log/%n.log
StandardError=inherit
EOT
done
EOF
}

start_container() {
  local h
  if [[ $LAYOUT == unified2 ]]; then
    mkdir "/sys/fs/cgroup/$CG" || skip "cannot make a cgroup"
  else
    for h in systemd unified devices; do
      [[ -d /sys/fs/cgroup/$h ]] && { mkdir "/sys/fs/cgroup/$h/$CG" || skip "cannot make a cgroup"; }
    done
  fi
  write_inner
  (
    if [[ $LAYOUT == unified2 ]]; then
      echo $BASHPID > "/sys/fs/cgroup/$CG/cgroup.procs"
    else
      for h in systemd unified devices; do
        [[ -d /sys/fs/cgroup/$h/$CG ]] && echo $BASHPID > "/sys/fs/cgroup/$h/$CG/cgroup.procs"
      done
    fi
    exec unshare --pid --fork --kill-child --mount --net --uts --ipc --cgroup \
      --propagation private "$TMP/inner.sh" "$TMP" "$LAYOUT" "$UNITDIR"
  ) > "$TMP/log/systemd.log" 2>&1 &
  # the systemd: the child of unshare
  local i
  for i in $(seq 100); do
    SD_PID=$(pgrep -P "$!" -x systemd 2>/dev/null | head -1)
    [[ -n $SD_PID ]] &&
      [[ $(in_c systemctl is-system-running 2>/dev/null) == @(running|degraded) ]] && return 0
    sleep 0.1
  done
  return 1
}

# in_c CMD...: in the container's namespaces
in_c() { nsenter -t "$SD_PID" -a "$@"; }
ctl() { in_c "$MIP4CTL" "$@"; }
main_pid() { in_c systemctl show -p MainPID --value "$1"; }
# status_field PID FIELD: from /proc/PID/status, PID in the container
status_field() { in_c awk -v k="$2" '$1 == k":" { print $2 }' "/proc/$1/status"; }
# in_svc PID CMD...: in the mount namespace of the container's process PID
in_svc() { local p=$1; shift; in_c nsenter -t "$p" -m "$@"; }
# capmask NAME...: the capability set as /proc/PID/status shows it
capmask() {
  local all=(chown dac_override dac_read_search fowner fsetid kill setgid setuid
    setpcap linux_immutable net_bind_service net_broadcast net_admin net_raw
    ipc_lock ipc_owner sys_module sys_rawio sys_chroot sys_ptrace sys_pacct
    sys_admin sys_boot sys_nice sys_resource sys_time sys_tty_config mknod lease
    audit_write audit_control setfcap mac_override mac_admin syslog wake_alarm
    block_suspend audit_read perfmon bpf checkpoint_restore)
  local m=0 c i
  for c in "$@"; do
    c=${c,,}; c=${c#cap_}
    for i in "${!all[@]}"; do [[ ${all[i]} == "$c" ]] && m=$(( m | 1 << i )); done
  done
  printf '%016x\n' "$m"
}

# conf NAME ADDR TUN: a home agent configuration readable by mip4d only
conf() {
  in_c sh -c "mkdir -p $CONF && cat > $CONF/$1.conf && chown mip4d:mip4d $CONF/$1.conf && chmod 600 $CONF/$1.conf" <<EOF
${4:-}
home-agent {
	address $2
	tunnel-device $3
	mobile-node 10.1.1.${2##*.} { spi $((0x1000 + ${2##*.})) key hex:00112233445566778899aabbccddeeff }
}
EOF
}

# ------------------------------------------------------------------ phases

phase_service() { # (a)-(e)
  conf mip4d 127.0.0.1 mip-ha0
  in_c systemctl start mip4d.service
  wait_for 10 ctl status || { fail "(a) mip4d.service did not answer"; in_c systemctl status mip4d.service --no-pager; return; }
  local pid caps
  pid=$(main_pid mip4d.service)
  caps=$(sed -n 's/^CapabilityBoundingSet=//p' "$TMP/dest$UNITDIR/mip4d.service")
  check "(a) mip4d runs as mip4d (uid $(status_field "$pid" Uid) = $(in_c id -u mip4d))" \
    test "$(status_field "$pid" Uid)" = "$(in_c id -u mip4d)"
  check "(a) capability bounding set $(status_field "$pid" CapBnd) = the unit's ($caps)" \
    test "$(status_field "$pid" CapBnd)" = "$(capmask $caps)"
  check "(a) no new privileges, seccomp filter on" \
    test "$(status_field "$pid" NoNewPrivs)$(status_field "$pid" Seccomp)" = 12
  check "(b) /run/mip4d is 0750 mip4d, its socket 0660 mip4d" \
    test "$(in_c stat -c '%a %U %G' /run/mip4d /run/mip4d/mip4d.sock | tr '\n' ' ')" = \
         "750 mip4d mip4d 660 mip4d mip4d "
  check "(b) the state db is 0600 in /var/lib/mip4d (0700), both mip4d's" \
    test "$(in_c stat -c '%a %U' /var/lib/mip4d /var/lib/mip4d/bindings.db | tr '\n' ' ')" = \
         "700 mip4d 600 mip4d "
  check "(c) mip-ha0 exists and its disable_ipv6 is 1 (ReadWritePaths= below ProtectKernelTunables=)" \
    test "$(in_c cat /proc/sys/net/ipv6/conf/mip-ha0/disable_ipv6 2>/dev/null)" = 1
  check "(d) inside the service /etc is read-only, even to root" \
    eval '! in_svc "$pid" touch /etc/mip4d-probe 2>/dev/null'
  check "(d) inside the service /home is covered by an empty, inaccessible mount" \
    eval '[[ $(in_svc "$pid" stat -c %a /home) == 0 && -z $(in_svc "$pid" ls -A /home 2>/dev/null) ]]'
  check "(d) inside the service /dev holds net/tun and no block device" \
    eval 'in_svc "$pid" test -c /dev/net/tun &&
          [[ -z $(in_svc "$pid" find /dev -type b 2>/dev/null) ]]'
  in_c systemctl reload mip4d.service
  check "(e) systemctl reload: the daemon counted one reload" \
    wait_for 5 eval '[[ $(ctl counters --json | /usr/bin/python3 -c "import json,sys; print(json.load(sys.stdin)[\"daemon\"][\"reloads\"])") == 1 ]]'
}

phase_instance() { # (f)
  conf t1 127.0.0.2 mip-t1 "state-db /var/lib/mip4d/t1/bindings.db"
  in_c systemctl start mip4d@t1.service
  check "(f) mip4d@t1 answers on /run/mip4d/t1.sock" wait_for 10 ctl -s /run/mip4d/t1.sock status
  check "(f) its state is in /var/lib/mip4d/t1 (0700 mip4d)" \
    test "$(in_c stat -c '%a %U' /var/lib/mip4d/t1 2>/dev/null) $(in_c test -f /var/lib/mip4d/t1/bindings.db && echo db)" = "700 mip4d db"
  in_c systemctl stop mip4d@t1.service
  check "(f) stopping it removes its socket and leaves mip4d.service's" \
    eval '! in_c test -e /run/mip4d/t1.sock && ctl status >/dev/null'
}

start_container || { log "---- systemd"; tail -n 20 "$TMP/log/systemd.log"; skip "no systemd came up in the namespaces"; }
log "systemd $(in_c systemctl --version | head -1 | cut -d' ' -f2) up as pid $SD_PID ($LAYOUT cgroups)"
phase_service
phase_instance
in_c sh -c 'cp /run/t/log/*.log /dev/stdout' > "$TMP/log/units.log" 2>/dev/null
finish
