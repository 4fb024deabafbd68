#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# Data plane throughput, path MTU and per-packet cost with many bindings
# (issue #8 section 3, issue #13): both data plane backends side by side.
#
#   dpb-cn-$$                    dpb-gw-$$                              dpb-mn-$$
#   c0 10.99.0.1/24 ----- h0 10.99.0.2/24 (home link)
#                         h1 192.0.2.1/24 ------------------------ m0 192.0.2.2/24
#   iperf3 client         mode plain: router                        iperf3 server on:
#                         mode user-E / ebpf-E: dp_driver ha (the      192.0.2.2 (plain)
#                           HA's data plane, dp_open() with the        10.99.0.100 (MIP modes:
#                           userspace or the eBPF backend, binding      dp_driver mn, TUN mtun,
#                           10.99.0.100 -> 192.0.2.2, TUN mip-ha0,      the same backend)
#                           proxy ARP on h0)                          10.99.2.5 (esp: charon
#                         mode esp: charon, kernel-libipsec,          road warrior, vips)
#                           PSK, pool 10.99.2.5
#
# Modes, one after the other on the same namespaces:
#   plain        CN -> 192.0.2.2 routed by gw: the anchor
#   user-E       one MIP tunnel with encapsulation E (ipip, udp, gre, min),
#                userspace data plane at both ends (dataplane/dp_user.c at
#                the HA, mn_user.c at the MN)
#   ebpf-E       the same with the eBPF data plane at both ends (tc
#                programs, dataplane/bpf/mip4.bpf.c; HA and MN roles)
#   esp          strongSwan alone: IKEv2 + ESP in user space (kernel-libipsec,
#                always ESP-in-UDP/4500 here), no MIP
#   (cvc, the full MIP + VPN + MIP stack, is measured by lab/mip4-lab)
#   TUN MTUs: ipip 1480, gre 1476, min 1488, udp 1468.
# For each: TRIALS x iperf3 TCP CN -> MN (SECS s; the least bytes in any
# one-second interval shows a stall), TRIALS x iperf3 UDP with 64-byte
# payloads at full speed (packets/s received), the largest DF ping that
# crosses (path MTU), and after TCP the MTU the CN has learnt for the
# destination (PMTU discovery through the tunnel).
# Then "spread" (--spread "user-ipip ebpf-ipip"): the HA with 1 and with
# 1,000 bindings (home addresses 10.99.4.0/22, all to the same care-of
# address), SECS s of 64-byte UDP from the CN spread round-robin over the
# home addresses (and, as a control, 1,000 bindings with all traffic to
# one of them), and the HA's cost per packet: the eBPF encapsulation
# program's own run time (kernel.bpf_stats_enabled, switched on for the
# measurement only) or the userspace HA process's CPU time
# (/proc/PID/schedstat), divided by the packets it sent on h1.
#
# usage: run-dp.sh [--smoke] [--bin DIR] [--out DIR] [--trials T] [--secs S]
#                  [--modes "plain user-ipip ebpf-ipip ..."] [--spread MODES]
#   full run: 3 trials of 4 s;  --smoke: 1 trial of 1 s
# Writes OUT/dp-DATE.json (OUT defaults to bench/results).  Needs root,
# iperf3, python3; strongSwan (charon, swanctl) for esp.  dp_driver is
# built by tests/dp.
set -uo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/.." && pwd)
BIN=$REPO/build/bin
OUT=$HERE/results
SMOKE=0 TRIALS=3 SECS=4
MODES="plain user-ipip ebpf-ipip user-udp ebpf-udp user-gre ebpf-gre user-min ebpf-min esp"
SPREAD="user-ipip ebpf-ipip"
NSPREAD=1000
ARGS="$*"
while (( $# )); do
  case $1 in
    --smoke) SMOKE=1 ;;
    --bin) BIN=$2; shift ;;
    --out) OUT=$2; shift ;;
    --trials) TRIALS=$2; shift ;;
    --secs) SECS=$2; shift ;;
    --modes) MODES=$2; shift ;;
    --spread) SPREAD=$2; shift ;;
    *) echo "usage: see the comment at the top of $0" >&2; exit 2 ;;
  esac
  shift
done
(( SMOKE )) && { TRIALS=1; SECS=1; MODES="plain user-ipip ebpf-ipip user-udp ebpf-udp esp"; NSPREAD=100; }

CN=dpb-cn-$$ GW=dpb-gw-$$ MN=dpb-mn-$$
CN_ADDR=10.99.0.1 GW_HOME=10.99.0.2 GW_ADDR=192.0.2.1 COA=192.0.2.2
HOME_ADDR=10.99.0.100 VIP=10.99.2.5
CHARON=/usr/lib/ipsec/charon
TMP=$(mktemp -d /tmp/bench-dp.XXXXXX)
BPFFS=$TMP/bpffs
REC=$TMP/records.jsonl
PIDS=()
RC=0
STAMP=$(date -u +%Y%m%dT%H%M%SZ)
NAME=dp$( (( SMOKE )) && echo -smoke)-$STAMP

T0=$(date +%s%N)
log() { printf 'run-dp: [%5.1fs] %s\n' "$(( ($(date +%s%N) - T0) / 1000000 ))e-3" "$*"; }
fail() { log "FAIL: $*"; RC=1; }

stop_pid() {
  kill "$1" 2>/dev/null
  for _ in $(seq 50); do
    [[ -d /proc/$1 && $(awk '{print $3}' "/proc/$1/stat" 2>/dev/null) != Z ]] || break
    sleep 0.1
  done
  kill -9 "$1" 2>/dev/null
  wait "$1" 2>/dev/null
}

cleanup() {
  for p in "${PIDS[@]}"; do stop_pid "$p"; done
  for ns in "$CN" "$GW" "$MN"; do
    ip netns pids "$ns" 2>/dev/null | xargs -r kill -9 2>/dev/null
    ip netns del "$ns" 2>/dev/null
  done
  [[ -n ${BPF_STATS0:-} ]] && sysctl -qw kernel.bpf_stats_enabled="$BPF_STATS0"
  umount "$BPFFS" 2>/dev/null
  rm -rf "$TMP"
}
trap cleanup EXIT

wait_for() { # SECONDS CMD...: poll every 50 ms
  local deadline=$(( $(date +%s%N) + $1 * 1000000000 )); shift
  until "$@" >/dev/null 2>&1; do
    (( $(date +%s%N) < deadline )) || return 1
    sleep 0.05
  done
}
in_ns() { ip netns exec "$@"; }
# bg NS CMD...: start in NS; the pid is in LAST (ip netns exec execs CMD)
bg() { local ns=$1; shift; ip netns exec "$ns" "$@" & LAST=$!; PIDS+=("$LAST"); }
unbg() { stop_pid "$1"; local p keep=(); for p in "${PIDS[@]}"; do [[ $p == "$1" ]] || keep+=("$p"); done; PIDS=("${keep[@]}"); }

make_topology() {
  for ns in "$CN" "$GW" "$MN"; do ip netns add "$ns"; in_ns "$ns" ip link set lo up; done
  ip link add c0 netns "$CN" type veth peer name h0 netns "$GW"
  ip link add m0 netns "$MN" type veth peer name h1 netns "$GW"
  in_ns "$CN" ip addr add $CN_ADDR/24 dev c0
  in_ns "$CN" ip link set c0 up
  in_ns "$CN" ip route add default via $GW_HOME
  in_ns "$GW" ip addr add $GW_HOME/24 dev h0
  in_ns "$GW" ip addr add $GW_ADDR/24 dev h1
  in_ns "$GW" ip link set h0 up
  in_ns "$GW" ip link set h1 up
  in_ns "$GW" sysctl -qw net.ipv4.ip_forward=1
  in_ns "$GW" sysctl -qw net.ipv4.neigh.h0.proxy_delay=0
  in_ns "$MN" sysctl -qw net.ipv4.conf.all.rp_filter=0
  in_ns "$MN" sysctl -qw net.ipv4.conf.default.rp_filter=0
  in_ns "$MN" ip addr add $COA/24 dev m0
  in_ns "$MN" ip link set m0 up
  in_ns "$MN" ip route add 10.99.0.0/24 via $GW_ADDR
  in_ns "$CN" ip route add 10.99.4.0/22 via $GW_HOME  # spread's homes
  mkdir -p "$BPFFS" && mount -t bpf bpf "$BPFFS"
}

# ---- modes: up_MODE prints nothing, sets DST; down_MODE undoes it

up_plain() { DST=$COA; }
down_plain() { :; }

tun_mtu() { case $1 in ipip) echo 1480 ;; gre) echo 1476 ;; min) echo 1488 ;; udp) echo 1468 ;; esac; }
# the backend's environment for dp_driver (eBPF: pins in our bpffs)
be_env() { echo MIP4_DP_BACKEND="$1" MIP4_DP_BPF_ROOT="$BPFFS" MIP4_DP_INSTANCE="bench$$" MIP4_DP_MN_INSTANCE="bench$$-mn"; }

up_mip() { # userspace|ebpf ipip|udp|gre|min [ENV...]
  local be=$1 enc=$2 mtu; shift 2
  mtu=$(tun_mtu "$enc")
  rm -f "$TMP/ha.stats" "$TMP/mn.ready"
  # shellcheck disable=SC2046
  bg "$GW" env $(be_env "$be") "$@" taskset -c 0 "$BIN/dp_driver" ha $GW_ADDR $HOME_ADDR $COA "$enc" mip-ha0 "$mtu" "$TMP/ha.stats" h0
  HA_PID=$LAST
  # shellcheck disable=SC2046
  bg "$MN" env $(be_env "$be") "$BIN/dp_driver" mn $COA $GW_ADDR $HOME_ADDR "$enc" mtun "$mtu" "$TMP/mn.ready"
  MNDP_PID=$LAST
  wait_for 30 test -s "$TMP/ha.stats" || { fail "$be $enc: HA data plane did not start"; return 1; }
  wait_for 10 test -e "$TMP/mn.ready" || { fail "$be $enc: MN tunnel end did not start"; return 1; }
  [[ $(awk '$1=="backend"{print $2}' "$TMP/ha.stats") == "$be" ]] ||
    { fail "$be $enc: HA runs $(grep '^why' "$TMP/ha.stats")"; return 1; }
  in_ns "$MN" ip rule add from $HOME_ADDR table 100
  in_ns "$MN" ip route replace 10.99.0.0/24 dev mtun src $HOME_ADDR table 100
  DST=$HOME_ADDR
}
down_mip() {
  in_ns "$MN" ip rule del from $HOME_ADDR table 100 2>/dev/null
  unbg "$HA_PID"; unbg "$MNDP_PID"
  in_ns "$CN" ip route flush cache
}
for _be in user ebpf; do
  for _enc in ipip udp gre min; do
    eval "up_$_be-$_enc() { up_mip $( [[ $_be == user ]] && echo userspace || echo ebpf ) $_enc; }"
    eval "down_$_be-$_enc() { down_mip; }"
  done
done

charon_conf() {
  cat <<-EOF
	charon {
		load_modular = no
		# kernel-libipsec first: the first IPsec backend registered wins
		load = kernel-libipsec kernel-netlink socket-default vici random nonce $CRYPTO kdf
		install_virtual_ip = yes
		filelog { charon { path = /run/charon.log
			default = 1 } }
		plugins { vici { socket = unix:///run/charon.vici } }
	}
	swanctl { load = random nonce $CRYPTO pem pkcs1 x509 }
	EOF
}
gw_swanctl() {
  cat <<-EOF
	connections { rw { version = 2
		local_addrs = $GW_ADDR
		pools = p
		proposals = $IKE_P
		local { auth = psk
			id = gw }
		remote { auth = psk }
		children { lan { local_ts = 10.99.0.0/24
			esp_proposals = $ESP_P } } } }
	pools { p { addrs = $VIP-$VIP } }
	secrets { ike { id-gw = gw
		id-mn = mn
		secret = "bench-psk-0123456789" } }
	EOF
}
mn_swanctl() {
  cat <<-EOF
	connections { vpn { version = 2
		remote_addrs = $GW_ADDR
		vips = 0.0.0.0
		proposals = $IKE_P
		local { auth = psk
			id = mn }
		remote { auth = psk
			id = gw }
		children { vpn { remote_ts = 10.99.0.0/24
			esp_proposals = $ESP_P } } } }
	secrets { ike { id-gw = gw
		id-mn = mn
		secret = "bench-psk-0123456789" } }
	EOF
}
swan() { local d=$TMP/$1; shift; STRONGSWAN_CONF=$d/strongswan.conf swanctl "$@" --uri "unix://$d/charon.vici"; }
charon_start() { # NODE NS
  local d=$TMP/$1
  mkdir -p "$d"
  charon_conf > "$d/strongswan.conf"
  bg "$2" sh -c 'mount --bind "$1" /run && STRONGSWAN_CONF=/run/strongswan.conf exec "$2"' \
    charon "$d" "$CHARON"
  CHARON_PIDS+=("$LAST")
  wait_for 15 swan "$1" --stats || { fail "charon on $1 did not start (see $d/charon.log)"; return 1; }
  swan "$1" --load-all --file "$d/swanctl.conf" > "$d/swanctl.log" 2>&1 ||
    { fail "swanctl --load-all on $1"; return 1; }
}
up_esp() {
  CHARON_PIDS=()
  if [[ -e /usr/lib/ipsec/plugins/libstrongswan-openssl.so ]]; then
    CRYPTO=openssl IKE_P=default ESP_P=default
  else
    CRYPTO="aes sha1 sha2 hmac gmp" IKE_P=aes128-sha256-modp2048 ESP_P=aes128-sha256
  fi
  mkdir -p "$TMP/gw" "$TMP/mn"
  gw_swanctl > "$TMP/gw/swanctl.conf"
  mn_swanctl > "$TMP/mn/swanctl.conf"
  charon_start gw "$GW" && charon_start mn "$MN" || return 1
  swan mn --initiate --child vpn --timeout 20 > "$TMP/mn/initiate.log" 2>&1 ||
    { fail "esp: swanctl --initiate (see $TMP/mn/initiate.log)"; tail -5 "$TMP/mn/initiate.log"; return 1; }
  wait_for 10 sh -c "ip netns exec $MN ip -4 addr | grep -q $VIP" ||
    { fail "esp: virtual IP $VIP not installed"; return 1; }
  ESP_P_USED=$(swan mn --list-sas 2>/dev/null | grep -m1 -oE 'ESP:[A-Za-z0-9_/-]+' || true)
  DST=$VIP
}
down_esp() {
  local p
  for p in "${CHARON_PIDS[@]}"; do unbg "$p"; done
  in_ns "$CN" ip route flush cache
}

# ---- measurements

# tcp TRIAL: iperf3 TCP CN -> DST; records rate and the worst interval
tcp() {
  local j=$TMP/tcp.json srv
  bg "$MN" iperf3 -s -1 -B "$DST" -p 5201 > /dev/null
  srv=$LAST
  wait_for 10 sh -c "ip netns exec $MN ss -ltn | grep -q '$DST:5201 '" || { fail "$MODE: iperf3 server"; unbg "$srv"; return 1; }
  if ! timeout $(( SECS + 20 )) ip netns exec "$CN" iperf3 -c "$DST" -p 5201 -t "$SECS" -J > "$j" 2>&1; then
    fail "$MODE: iperf3 TCP to $DST failed or stalled"; unbg "$srv"; return 1
  fi
  unbg "$srv"
  python3 - "$j" "$MODE" "$1" >> "$REC" <<-'EOF'
	import json, sys
	r = json.load(open(sys.argv[1]))
	iv = [i["sum"]["bits_per_second"] for i in r["intervals"]]
	print(json.dumps({"kind": "tcp", "mode": sys.argv[2], "trial": int(sys.argv[3]),
	                  "mbit_s": r["end"]["sum_received"]["bits_per_second"] / 1e6,
	                  "bytes": r["end"]["sum_received"]["bytes"],
	                  "retransmits": r["end"]["sum_sent"].get("retransmits", 0),
	                  "min_interval_mbit_s": min(iv) / 1e6 if iv else 0}))
	EOF
  local line; line=$(tail -n 1 "$REC")
  log "$MODE tcp #$1: $line"
  python3 -c 'import json,sys; r=json.loads(sys.argv[1]); sys.exit(0 if r["bytes"] > 0 and r["min_interval_mbit_s"] > 0 else 1)' "$line" ||
    fail "$MODE: TCP moved no bytes in some interval (stall)"
}

# udp TRIAL: iperf3 UDP, 64-byte payloads, unlimited rate; packets/s received
udp() {
  local j=$TMP/udp.json srv
  bg "$MN" iperf3 -s -1 -B "$DST" -p 5202 > /dev/null
  srv=$LAST
  wait_for 10 sh -c "ip netns exec $MN ss -ltn | grep -q '$DST:5202 '" || { fail "$MODE: iperf3 server"; unbg "$srv"; return 1; }
  if ! timeout $(( SECS + 20 )) ip netns exec "$CN" iperf3 -c "$DST" -p 5202 -u -b 0 -l 64 -t "$SECS" -J > "$j" 2>&1; then
    fail "$MODE: iperf3 UDP to $DST"; unbg "$srv"; return 1
  fi
  unbg "$srv"
  python3 - "$j" "$MODE" "$1" >> "$REC" <<-'EOF'
	import json, sys
	r = json.load(open(sys.argv[1]))
	s = r["end"]["sum"]
	rx = s["packets"] - s["lost_packets"]
	print(json.dumps({"kind": "udp", "mode": sys.argv[2], "trial": int(sys.argv[3]),
	                  "sent_pps": s["packets"] / s["seconds"], "rx_pps": rx / s["seconds"],
	                  "lost_percent": s["lost_percent"]}))
	EOF
  local line; line=$(tail -n 1 "$REC")
  log "$MODE udp #$1: $line"
  python3 -c 'import json,sys; r=json.loads(sys.argv[1]); sys.exit(0 if r["rx_pps"] > 0 else 1)' "$line" ||
    fail "$MODE: no UDP packets arrived"
}

ping_df() { in_ns "$CN" ping -q -M do -c 1 -W 0.3 -s "$1" "$DST" >/dev/null 2>&1 ||
            in_ns "$CN" ping -q -M do -c 1 -W 0.3 -s "$1" "$DST" >/dev/null 2>&1; }

# path MTU: the largest DF ICMP echo CN -> DST that is answered, + 28
pmtu() {
  local lo=0 hi=1473 mid learnt
  ping_df 56 || { fail "$MODE: ping $DST"; return 1; }
  lo=56
  while (( hi - lo > 1 )); do
    mid=$(( (lo + hi) / 2 ))
    if ping_df "$mid"; then lo=$mid; else hi=$mid; fi
  done
  learnt=$(in_ns "$CN" ip route get "$DST" | grep -oE 'mtu [0-9]+' | awk '{print $2}')
  printf '{"kind":"mtu","mode":"%s","path_mtu":%d,"cn_learnt_mtu":%s}\n' \
    "$MODE" $(( lo + 28 )) "${learnt:-null}" >> "$REC"
  log "$MODE: path MTU $(( lo + 28 )), CN's route cache mtu ${learnt:-none}"
}

run_mode() {
  MODE=$1
  "up_$MODE" || { "down_$MODE"; return; }
  local t
  for t in $(seq "$TRIALS"); do tcp "$t"; done
  pmtu
  for t in $(seq "$TRIALS"); do udp "$t"; done
  [[ $MODE == esp ]] && printf '{"kind":"info","mode":"esp","cipher":"%s"}\n' "${ESP_P_USED:-}" >> "$REC"
  "down_$MODE"
}

# spread MODE N [K]: the HA alone (user-E or ebpf-E) with N bindings
# besides its own, SECS s of 64-byte UDP from the CN round-robin over the
# first K (default N) of the N home addresses; records the HA's cost per
# packet it sent on h1.
spread() {
  local mode=$1 n=$2 k=${3:-$2} be enc=${1#*-} tx0 tx1 c0 c1 sent
  [[ $1 == user-* ]] && be=userspace || be=ebpf
  rm -f "$TMP/ha.stats"
  # shellcheck disable=SC2046
  bg "$GW" env $(be_env "$be") MIP4_DP_NBIND="$n" taskset -c 0 "$BIN/dp_driver" ha $GW_ADDR $HOME_ADDR $COA "$enc" mip-ha0 "$(tun_mtu "$enc")" "$TMP/ha.stats"
  HA_PID=$LAST
  wait_for 60 test -s "$TMP/ha.stats" || { fail "spread $mode $n: HA did not start"; unbg "$HA_PID"; return; }
  # the MN takes no part: its kernel drops the tunnelled packets quietly
  in_ns "$MN" nft -f - <<-EOF
	table ip spread {
		chain in {
			type filter hook input priority 0;
			ip protocol { 4, 47, 55 } drop
			udp dport 434 drop
		}
	}
	EOF
  cost() {
    if [[ $be == ebpf ]]; then
      bpftool prog show pinned "$BPFFS/mip4d/bench$$/prog_encap" -j |
        python3 -c 'import json,sys; p=json.load(sys.stdin); print(p.get("run_time_ns",0))'
    else
      awk '{print $1}' "/proc/$HA_PID/schedstat"
    fi
  }
  tx() { in_ns "$GW" cat /sys/class/net/h1/statistics/tx_packets; }
  tx0=$(tx); c0=$(cost)
  sent=$(in_ns "$CN" python3 - "$k" "$SECS" <<-'EOF'
	import itertools, socket, sys, time
	n, secs = int(sys.argv[1]), float(sys.argv[2])
	dst = itertools.cycle([(socket.inet_ntoa(((10 << 24 | 99 << 16 | 4 << 8) + i)
	                                         .to_bytes(4, "big")), 9) for i in range(n)])
	s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
	data, sent, end = b"x" * 64, 0, time.monotonic() + secs
	while time.monotonic() < end:
	    for _ in range(256):
	        try:
	            s.sendto(data, next(dst))
	            sent += 1
	        except OSError:
	            pass
	print(sent)
	EOF
  )
  tx1=$(tx); c1=$(cost)
  unbg "$HA_PID"
  in_ns "$MN" nft delete table ip spread
  python3 -c 'import json,sys; m,be,n,k,sent,pk,c=sys.argv[1:8]; pk=int(pk); c=int(c)
print(json.dumps({"kind":"spread","mode":m,"backend":be,"bindings":int(n),"targets":int(k),
  "sent":int(sent),"pkts":pk,"cost":"bpf program run time" if be=="ebpf" else "HA process CPU time",
  "ns_per_pkt":round(c/pk,1) if pk else None}))' "$mode" "$be" "$n" "$k" "$sent" $((tx1 - tx0)) $((c1 - c0)) >> "$REC"
  log "spread $mode $n bindings, traffic to $k: $(tail -n 1 "$REC")"
  python3 -c 'import json,sys; r=json.loads(sys.argv[1]); sys.exit(0 if r["pkts"] > 0.5*r["sent"] else 1)' "$(tail -n 1 "$REC")" ||
    fail "spread $mode $n: the HA forwarded less than half of what was sent"
}

mkdir -p "$OUT"
[[ -x $BIN/dp_driver ]] || { log "build first: no $BIN/dp_driver"; exit 1; }
command -v iperf3 >/dev/null || { log "iperf3 missing (scripts/deps.sh)"; exit 1; }
LOAD0=$(cut -d" " -f1-3 /proc/loadavg)
make_topology
log "modes $MODES, $TRIALS trials of $SECS s; $(nproc) CPUs, $(uname -r)"
for m in $MODES; do
  if [[ $m == esp && ! -x $CHARON ]]; then
    log "esp: $CHARON missing, skipped"; continue
  fi
  run_mode "$m"
done
if [[ -n $SPREAD ]]; then
  BPF_STATS0=$(sysctl -n kernel.bpf_stats_enabled)
  sysctl -qw kernel.bpf_stats_enabled=1  # the programs' run time, for spread only
  # 1 and N bindings alternated, TRIALS times: the shared machine's load
  # drifts, the medians compare like with like
  for m in $SPREAD; do
    for t in $(seq "$TRIALS"); do
      spread "$m" 1; spread "$m" "$NSPREAD"
      spread "$m" "$NSPREAD" 1  # control: the table's size alone
    done
  done
  sysctl -qw kernel.bpf_stats_enabled="$BPF_STATS0"; BPF_STATS0=
fi
python3 "$HERE/dp-report.py" "$REC" "$OUT/$NAME.json" \
  --meta loadavg_start="$LOAD0" loadavg_end="$(cut -d" " -f1-3 /proc/loadavg)" smoke="$SMOKE" trials="$TRIALS" secs="$SECS" modes="$MODES" spread="$SPREAD" command="$0 $ARGS" || RC=1
log "results: $OUT/$NAME.json"
(( RC == 0 )) && log PASS || log FAIL
exit $RC
