#!/usr/bin/env bash
# vpn_smoke.sh - smoke test of the lab's phase 1 (unmodified strongSwan VPN).
#
# Builds the lab in a private run dir, then checks that:
#   - a second `up` on the same run dir is refused and names the clean-up command
#   - the firewall drops the MN's direct (non-VPN) echo, UDP/434 and IP-in-IP
#     to the i-HA from the hotel network E1 (RFC 5265 section 3.1)
#   - the MN's VPN comes up from E1 and the CN answers pings through it
#   - through the VPN the i-HA receives echo, UDP/434 and IP-in-IP
#   - a capture on the MN's outside link, during tunnel traffic and MOBIKE
#     moves, shows no frame with an intranet address outside ESP-in-UDP/4500
#   - `down` removes every namespace, process and file, and can be repeated
# The long MOBIKE benchmark is not run (lab/mip4-lab vpn-check does that).
#
# Needs root and the packages of scripts/deps.sh.  Uses build/bin/mip4-delay
# (or $MIP4_BIN/mip4-delay); if neither exists it compiles one into its
# temporary directory.  Exit 0 = pass.
set -euo pipefail
export LC_ALL=C

REPO=$(cd "$(dirname "$(readlink -f "$0")")/../.." && pwd)
LAB=$REPO/lab/mip4-lab
TMP=
RUN=
FAILED=0

say()  { printf 'vpn_smoke: %s\n' "$*"; }
ok()   { printf 'vpn_smoke: ok   %s\n' "$*"; }
bad()  { printf 'vpn_smoke: FAIL %s\n' "$*"; FAILED=1; }

diagnostics() {
	say "diagnostics:"
	"$LAB" --dir "$RUN" status 2>&1 | sed 's/^/    /' || true
	local f
	for f in "$RUN"/mn/run/charon.log "$RUN"/vpngw/run/charon.log "$RUN"/mn/dhclient.log \
		"$RUN"/dly/delay.log "$RUN"/mn/swanctl.log; do
		[[ -s $f ]] || continue
		printf '    --- %s (last 15 lines)\n' "$f"
		tail -n 15 "$f" | sed 's/^/    /'
	done
}

# Everything the lab made must be gone: its namespaces, its processes (found
# by the run dir in their command line; only looked at, never signalled here),
# its run dir.
check_nothing_left() {
	local ns procs
	# only the lab's own names: other tests may make namespaces meanwhile
	ns=$(comm -13 <(sort <<<"$NS_BEFORE") <(ip netns list | awk '{ print $1 }' | sort) |
		grep '^m4l-' || true)
	procs=$(pgrep -af -- "$RUN" || true)
	if [[ -z $ns && -z $procs && ! -e $RUN ]]; then
		ok "down left nothing behind (namespaces, processes, run dir)"
	else
		bad "left behind: namespaces [${ns//$'\n'/ }] processes [${procs//$'\n'/; }] run dir $([[ -e $RUN ]] && echo present || echo gone)"
	fi
}

cleanup() {
	local rc=$?
	trap - EXIT
	if [[ -n $RUN ]]; then
		((rc == 0 && FAILED == 0)) || diagnostics
		timeout -k 5 60 "$LAB" --dir "$RUN" down || bad "lab down failed"
		if out=$(timeout -k 5 30 "$LAB" --dir "$RUN" down 2>&1); then
			ok "a second down is harmless: ${out#mip4-lab: }"
		else
			bad "a second down failed: $out"
		fi
		check_nothing_left
	fi
	[[ -z $TMP ]] || rm -rf "$TMP"
	if ((rc == 0 && FAILED == 0)); then say "PASS"; exit 0; fi
	say "FAILED"
	exit 1
}

find_delay_bin() {
	local dir=${MIP4_BIN:-$REPO/build/bin} cc
	if [[ -x $dir/mip4-delay ]]; then export MIP4_BIN=$dir; return; fi
	cc=$(command -v cc || command -v gcc || command -v clang) || { bad "no C compiler to build mip4-delay"; exit 1; }
	mkdir -p "$TMP/bin"
	"$cc" -std=c17 -D_GNU_SOURCE -Wall -Wextra -Werror -O2 -o "$TMP/bin/mip4-delay" \
		"$REPO/lab/delay/mip4-delay.c" || { bad "building mip4-delay failed"; exit 1; }
	export MIP4_BIN=$TMP/bin
	say "built mip4-delay into $MIP4_BIN (no build/bin/mip4-delay)"
}

main() {
	((EUID == 0)) || { say "FAIL: needs root (network namespaces)"; exit 1; }
	TMP=$(mktemp -d /tmp/mip4-vpn-smoke.XXXXXX)
	chmod 711 "$TMP" # home agents' engines (unprivileged) reach their state in it
	NS_BEFORE=$(ip netns list | awk '{ print $1 }')
	trap cleanup EXIT
	find_delay_bin
	RUN=$TMP/lab

	local t0=$SECONDS out
	if timeout -k 5 90 "$LAB" --dir "$RUN" up; then
		ok "lab up ($((SECONDS - t0)) s)"
	else
		bad "lab up failed"; exit 1
	fi

	if out=$(timeout -k 5 30 "$LAB" --dir "$RUN" up 2>&1); then
		bad "a second up on the same run dir was not refused"
	elif [[ $out == *"$LAB --dir $RUN down"* ]]; then
		ok "a second up is refused and names the clean-up command"
	else
		bad "a second up was refused without naming '$LAB --dir $RUN down': $out"
	fi

	out=$(timeout -k 5 120 "$LAB" --dir "$RUN" vpn-check --quick 2>&1) || true
	printf '%s\n' "$out" | sed 's/^/    /'
	local want
	for want in "(a) direct echo, UDP/434 and IP-in-IP from E1 to the i-HA" \
		"VPN up from E1" \
		"ping MN -> CN" \
		"(b) through the VPN the i-HA got" \
		"(c) capture on the MN's wlan0"; do
		if grep -qF -- "[PASS] $want" <<<"$out"; then ok "$want"; else bad "$want"; fi
	done
	grep -q '^vpn-check: all checks passed' <<<"$out" || bad "vpn-check reported failures"
	((FAILED == 0)) || exit 1
	say "total $((SECONDS - t0)) s before clean-up"
}

main "$@"
