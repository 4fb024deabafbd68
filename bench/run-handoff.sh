#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# Handoff benchmark (issue #8 section 1) on the lab (lab/mip4-lab demo).
#
# For every added RTT and every MN stack (cvc = RFC 5265, mc = RFC 5266
# MOBIKE, naive = RFC 4093 4.1) one `mip4-lab demo` on a fresh lab, under a
# TCP session and 1 ms UDP probes both ways, with an itinerary that repeats
# this 8-move cycle, so N moves of each kind in 4N moves:
#
#   I1 -> I2   inside->inside    (cvc: FA mode f -> co-located c)
#   I2 -> E1   inside->outside   (c -> cvc)
#   E1 -> E3   outside->outside  (cvc -> cvc behind a NAT)
#   E3 -> I2   outside->inside
#   I2 -> I1   inside->inside    (c -> f)
#   I1 -> E2   inside->outside   (f -> fvc: the x-FA on E2)
#   E2 -> E1   outside->outside  (fvc -> cvc)
#   E1 -> I1   outside->inside
#
# Each run keeps its records in WORK/rttR-STACK/ (default WORK:
# /var/tmp/mip4-handoff-DATE; demo's results.json and demo.log, probe
# records, charon logs, the MN's events, timeline.png; the captures are
# deleted after demo has analysed them, unless demo failed or
# --keep-captures); then
# bench/handoff-report.py aggregates them into OUT/handoff-DATE.json and the
# table.  The lab instance has its own run dir (--dir), so other labs on the
# machine do not collide with it.
#
# usage: run-handoff.sh [--smoke] [--n N] [--n50 N] [--rtts "0 10 50"]
#                       [--stacks "cvc mc naive"] [--dwell S] [--out DIR]
#                       [--work DIR] [--keep-captures]
#   full: N=20 per kind, RTT 0 10 50, all three stacks, dwell 1 s (~19 min)
#   --n50 N: moves per kind for RTTs >= 50 ms (default: N)
#   --smoke: N=2, RTT 0, stack cvc (< 60 s); fails only on breakage (a move
#            missing, TCP broken, a leak, a daemon died, IKE on a cvc
#            outside->outside move), never on slowness
# Needs root (exit 77 otherwise: a skip for CTest); what `mip4-lab demo`
# needs (it installs missing packages); binaries from $MIP4_BIN (default
# build/bin), as for the lab.
set -uo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/.." && pwd)
LAB=$REPO/lab/mip4-lab
OUT=$HERE/results
WORK=''
SMOKE=0 N=20 N50='' RTTS="0 10 50" STACKS="cvc mc naive" DWELL=1 KEEP=0
ARGS="$*"
while (($#)); do
	case $1 in
	--smoke) SMOKE=1 ;;
	--n) N=$2; shift ;;
	--n50) N50=$2; shift ;;
	--rtts) RTTS=$2; shift ;;
	--stacks) STACKS=$2; shift ;;
	--dwell) DWELL=$2; shift ;;
	--out) OUT=$2; shift ;;
	--work) WORK=$2; shift ;;
	--keep-captures) KEEP=1 ;;
	*) echo "usage: see the comment at the top of $0" >&2; exit 2 ;;
	esac
	shift
done
if ((SMOKE)); then N=2 N50=2 RTTS=0 STACKS=cvc; fi
N50=${N50:-$N}
((EUID == 0)) || { echo "run-handoff.sh: SKIP: must run as root (network namespaces)" >&2; exit 77; }

STAMP=$(date -u +%Y%m%dT%H%M%SZ)
mkdir -p "$OUT"
WORK=${WORK:-${TMPDIR:-/var/tmp}/mip4-handoff-$STAMP}
((SMOKE)) && WORK=${WORK%.d}-smoke.d
mkdir -p "$WORK"
LABDIR=/run/mip4-bench-handoff-$$
CYCLE=(I2 E1 E3 I2 I1 E2 E1 I1)

# itinerary N: start on I1, then N cycles of 4 moves (half a CYCLE each)
itinerary() {
	local n=$1 it=I1 i
	for ((i = 0; i < 4 * n; i++)); do it+=" ${CYCLE[i % 8]}"; done
	printf '%s' "$it"
}

cleanup() { "$LAB" --dir "$LABDIR" down >/dev/null 2>&1 || true; }
trap 'cleanup; exit 130' INT
trap 'cleanup; exit 143' TERM

T0=$SECONDS
LOAD0=$(cut -d' ' -f1-3 /proc/loadavg)
RUNS=()
for rtt in $RTTS; do
	n=$N
	((rtt >= 50)) && n=$N50
	it=$(itinerary "$n")
	for stack in $STACKS; do
		d=$WORK/rtt$rtt-$stack
		rm -rf "$d"; mkdir -p "$d"
		l0=$(cut -d' ' -f1-3 /proc/loadavg) t=$SECONDS
		# the tree and build/ are shared: record which mip4d this run used
		bin=${MIP4_BIN:-$REPO/build/bin}/mip4d
		bin_id="$(sha256sum "$bin" 2>/dev/null | cut -c1-16) $(date -u -r "$bin" +%FT%TZ 2>/dev/null)"
		printf '\n##### handoff: stack %s, RTT %s ms, %d moves per kind (%s)\n' "$stack" "$rtt" "$n" "$(date -u +%T)"
		"$LAB" --dir "$LABDIR" demo --stack "$stack" --rtt "$rtt" --itinerary "$it" \
			--dwell "$DWELL" --out "$d" >"$d/demo.log" 2>&1
		rc=$?
		tail -n 3 "$d/demo.log"
		printf '{"stack":"%s","rtt":%s,"n_per_kind":%d,"itinerary":"%s","dwell":%s,"demo_rc":%d,"secs":%d,"loadavg_start":"%s","loadavg_end":"%s","mip4d":"%s","git_head":"%s"}\n' \
			"$stack" "$rtt" "$n" "$it" "$DWELL" "$rc" "$((SECONDS - t))" "$l0" "$(cut -d' ' -f1-3 /proc/loadavg)" "$bin_id" "$(git -C "$REPO" rev-parse --short HEAD 2>/dev/null)" >"$d/bench-run.json"
		# a demo that died half-way leaves the lab up: take it down
		[[ -e $LABDIR ]] && cleanup
		# captures: kept when demo failed (a leak is in them), else deleted
		((KEEP || rc)) || rm -f "$d"/*.pcap
		RUNS+=("$d")
	done
done

SMOKE_ARG=(); ((SMOKE)) && SMOKE_ARG=(--smoke)
python3 "$HERE/handoff-report.py" --out "$OUT/handoff-$STAMP$( ((SMOKE)) && echo -smoke).json" \
	--meta stamp="$STAMP" loadavg_start="$LOAD0" loadavg_end="$(cut -d' ' -f1-3 /proc/loadavg)" \
	smoke="$SMOKE" n_per_kind="$N" n_per_kind_50ms="$N50" dwell="$DWELL" rtts="$RTTS" stacks="$STACKS" \
	secs="$((SECONDS - T0))" command="$0 $ARGS" work="$WORK" \
	"${SMOKE_ARG[@]}" "${RUNS[@]}"
RC=$?
# a passing smoke run leaves only its JSON (the records stay when it fails)
((SMOKE && RC == 0)) && rm -rf "$WORK"
printf 'run-handoff: %s in %d s (records in %s)\n' "$( ((RC == 0)) && echo OK || echo FAILED)" "$((SECONDS - T0))" "$WORK"
exit "$RC"
