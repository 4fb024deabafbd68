#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# The full RFC 5265 stack against strongSwan alone, on the lab (issue #8
# section 3, the row bench/run-dp.sh leaves to the lab).  Side by side in
# one run, MN on E1 (hotel Wi-Fi), CN in the intranet, no added RTT:
#
#   vpn   strongSwan alone: the MN's own charon, ESP (libipsec, in UDP)
#         straight from wlan0; iperf3 from the VPN tunnel inner address
#   cvc   mip4d's RFC 5265 stack: i-MIP (IP-in-IP to the i-HA) inside the
#         same VPN, carried by x-MIP (IP-in-IP to the x-HA); iperf3 from
#         the i-HoA; twice: the home agents on the userspace data plane
#         (cvc_userspace), then on mip4d's default (auto: eBPF where the
#         kernel allows it; the backend each HA ran is recorded)
#
# TRIALS x SECONDS of iperf3 TCP each way per path, one lab after the other
# within a few minutes (the paths need differently configured labs); plus
# the path MTU each leaves (largest ping that passes with DF).  Target: cvc >= 85 %
# of strongSwan alone.
#
# usage: run-cvc.sh [--trials T] [--seconds S] [--out DIR] [--smoke]
#   --smoke: 1 trial of 2 s, fails only if a path moves no data.
# Writes OUT/cvc-DATE.json (default bench/results).  Needs root.
set -uo pipefail
export LC_ALL=C
REPO=$(cd "$(dirname "$(readlink -f "$0")")/.." && pwd)
LAB=$REPO/lab/mip4-lab
TRIALS=3 SECS=5 OUT=$REPO/bench/results SMOKE=0
while (($#)); do
  case $1 in
    --trials) TRIALS=$2; shift ;;
    --seconds) SECS=$2; shift ;;
    --out) OUT=$2; shift ;;
    --smoke) SMOKE=1 TRIALS=1 SECS=2 ;;
    *) echo "usage: run-cvc.sh [--trials T] [--seconds S] [--out DIR] [--smoke]" >&2; exit 2 ;;
  esac
  shift
done
((EUID == 0)) || { echo "run-cvc: needs root" >&2; exit 77; }
D=$(mktemp -d /tmp/bench-cvc.XXXXXX)
chmod 711 "$D" # home agents' engines (unprivileged) reach their state in it
CN=10.10.1.20 IHOA=10.10.100.100
log() { printf 'run-cvc: %s\n' "$*" >&2; }
lab() { "$LAB" --dir "$D/lab" "$@"; }
PFX="m4l-$(printf '%s' "$D/lab" | md5sum | cut -c1-6)-"
inns() { local n=$1; shift; ip netns exec "$PFX$n" "$@"; }
cleanup() { lab down >/dev/null 2>&1; rm -rf "$D"; }
trap cleanup EXIT INT TERM

wait_for() { local end=$((SECONDS + $1)); shift; until "$@"; do ((SECONDS < end)) || return 1; sleep 0.2; done; }
# iperf3 FROM-ADDR [-R]: Mbit/s received, or 0
iperf() {
  local src=$1; shift
  inns mn iperf3 -c $CN -B "$src" -t "$SECS" -J "$@" 2>/dev/null |
    python3 -c 'import json,sys
try: print(round(json.load(sys.stdin)["end"]["sum_received"]["bits_per_second"]/1e6, 1))
except Exception: print(0)'
}
# largest ICMP payload from SRC to the CN with DF set (path MTU - 28)
pmtu() {
  local src=$1 lo=1000 hi=1472 mid
  inns mn ping -c 1 -W 1 -M do -s $lo -I "$src" $CN >/dev/null 2>&1 || { echo 0; return; }
  while ((lo < hi)); do
    mid=$(((lo + hi + 1) / 2))
    if inns mn ping -c 1 -W 1 -M do -s $mid -I "$src" $CN >/dev/null 2>&1; then lo=$mid; else hi=$((mid - 1)); fi
  done
  echo $((lo + 28))
}

# strongSwan alone: a lab without Mobile IP, the MN's VPN up from E1
lab up --no-mip --net E1 >"$D/up1.log" 2>&1 || { cat "$D/up1.log"; exit 1; }
inns cn iperf3 -s -D -B $CN >/dev/null 2>&1
lab vpn up >"$D/vpn.log" 2>&1 || { cat "$D/vpn.log"; exit 1; }
VIP=$(inns mn ip -4 -o addr show | awk '$4 ~ /^10\.10\.200\./ { sub("/.*", "", $4); print $4; exit }')
[[ -n $VIP ]] || { log "no VPN inner address"; exit 1; }
declare -a vpn_up vpn_down cvc_up cvc_down
for ((t = 0; t < TRIALS; t++)); do
  vpn_up+=("$(iperf "$VIP")"); vpn_down+=("$(iperf "$VIP" -R)")
done
vpn_mtu=$(pmtu "$VIP")
lab down >/dev/null 2>&1

# the home agents' data plane, as mip4ctl status names it
ha_dp() {
  inns "$1" "${MIP4_BIN:-$REPO/build/bin}/mip4ctl" status -s "$D/lab/$1/mip4d.sock" --json 2>/dev/null |
    jq -r '.home_agent.data_plane.backend // "unknown"'
}
# the RFC 5265 stack; HA_DP (MIP4_LAB_HA_DP): the home agents' data plane
cvc_run() {
  MIP4_LAB_HA_DP=$1 lab up --net E1 --stack cvc >"$D/up-$1.log" 2>&1 || { cat "$D/up-$1.log"; exit 1; }
  inns cn iperf3 -s -D -B $CN >/dev/null 2>&1
  wait_for 30 eval "inns mn ping -c 1 -W 1 -I $IHOA $CN >/dev/null 2>&1" || { log "cvc: no path from the i-HoA"; exit 1; }
  cvc_dp="$(ha_dp iha)/$(ha_dp xha)"
  cvc_up=() cvc_down=()
  for ((t = 0; t < TRIALS; t++)); do
    cvc_up+=("$(iperf $IHOA)"); cvc_down+=("$(iperf $IHOA -R)")
  done
  cvc_mtu=$(pmtu $IHOA)
  lab down >/dev/null 2>&1
}
cvc_run userspace
cvcu_up=("${cvc_up[@]}") cvcu_down=("${cvc_down[@]}") cvcu_mtu=$cvc_mtu cvcu_dp=$cvc_dp
cvc_run auto

mkdir -p "$OUT"
json=$OUT/cvc-$(date -u +%Y%m%dT%H%M%SZ).json
python3 - "$json" "$TRIALS" "$SECS" "$vpn_mtu" "$cvc_mtu" "${vpn_up[*]}" "${vpn_down[*]}" \
  "${cvc_up[*]}" "${cvc_down[*]}" "$(cut -d' ' -f1-3 /proc/loadavg)" "$SMOKE" \
  "$cvcu_mtu" "${cvcu_up[*]}" "${cvcu_down[*]}" "$cvcu_dp" "$cvc_dp" <<'PY'
import json, statistics, sys, platform, os
out, trials, secs, vmtu, cmtu = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
f = lambda s: [float(x) for x in s.split()]
vu, vd, cu, cd = f(sys.argv[6]), f(sys.argv[7]), f(sys.argv[8]), f(sys.argv[9])
smoke = sys.argv[11] == "1"
umtu, uu, ud, udp, adp = int(sys.argv[12]), f(sys.argv[13]), f(sys.argv[14]), sys.argv[15], sys.argv[16]
def st(v): return {"min": min(v), "median": statistics.median(v), "max": max(v), "trials": v}
res = {"date": os.popen("date -u +%FT%TZ").read().strip(), "machine": platform.node(),
       "cpus": os.cpu_count(), "loadavg": sys.argv[10], "trials": trials, "seconds": secs,
       "strongswan_alone": {"up_mbit": st(vu), "down_mbit": st(vd), "path_mtu": vmtu},
       "cvc_userspace": {"up_mbit": st(uu), "down_mbit": st(ud), "path_mtu": umtu,
                         "ha_data_plane": udp},
       "cvc": {"up_mbit": st(cu), "down_mbit": st(cd), "path_mtu": cmtu, "ha_data_plane": adp}}
def ratio(k):
    return {d: round(statistics.median(res[k][d + "_mbit"]["trials"]) /
                     max(statistics.median(res["strongswan_alone"][d + "_mbit"]["trials"]), 1e-9), 3)
            for d in ("up", "down")}
res["cvc_vs_vpn"] = ratio("cvc")
res["cvc_userspace_vs_vpn"] = ratio("cvc_userspace")
json.dump(res, open(out, "w"), indent=1)
print("| path | TCP MN->CN Mbit/s min/med/max | TCP CN->MN Mbit/s min/med/max | path MTU |")
print("|---|---|---|---|")
for name, k in (("strongSwan alone (VPN inner address)", "strongswan_alone"),
                ("cvc, HAs on %s (i-HA/x-HA)" % udp, "cvc_userspace"),
                ("cvc, HAs on %s (i-HA/x-HA; default)" % adp, "cvc")):
    r = res[k]
    print("| %s | %s / %s / %s | %s / %s / %s | %d |" % (name, r["up_mbit"]["min"], r["up_mbit"]["median"], r["up_mbit"]["max"],
          r["down_mbit"]["min"], r["down_mbit"]["median"], r["down_mbit"]["max"], r["path_mtu"]))
for k, dp in (("cvc_userspace_vs_vpn", udp), ("cvc_vs_vpn", adp)):
    print("cvc (HAs %s) / strongSwan alone (medians): up %.2f, down %.2f (target >= 0.85)"
          % (dp, res[k]["up"], res[k]["down"]))
print("results:", out)
bad = [k for k in ("strongswan_alone", "cvc_userspace", "cvc") for d in ("up_mbit", "down_mbit") if res[k][d]["min"] <= 0]
if bad:
    print("FAIL: no data on", bad); sys.exit(1)
PY
