# SPDX-License-Identifier: BSD-2-Clause
# Helpers for the test scripts that source it (tests/ctl, tests/pkg,
# tests/docs): PASS/FAIL lines, a bounded poll, namespace clean-up.  Set
# NAME first.

PASSED=0 FAILED=0
log() { printf '%s: %s\n' "$NAME" "$*"; }
pass() { PASSED=$((PASSED + 1)); printf '%s: PASS  %s\n' "$NAME" "$*"; }
fail() { FAILED=$((FAILED + 1)); printf '%s: FAIL  %s\n' "$NAME" "$*"; }
# check DESCRIPTION CMD...: one hard assertion
check() { local d=$1; shift; if "$@"; then pass "$d"; else fail "$d"; fi; }
# wait_for SECONDS CMD...: poll CMD every 50 ms until it succeeds
wait_for() {
  local deadline=$(( $(date +%s%N) + $1 * 1000000000 )); shift
  until "$@" >/dev/null 2>&1; do
    (( $(date +%s%N) < deadline )) || return 1
    sleep 0.05
  done
}
# finish: the summary line and the exit status
finish() { log "$PASSED passed, $FAILED failed"; (( FAILED == 0 )); }
# ns_cleanup NS...: stop the processes in PIDS, then whatever is left in
# the namespaces, and delete them (the tests' trap handlers)
ns_cleanup() {
  local p ns
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done
  for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null; done
  for ns in "$@"; do
    ip netns pids "$ns" 2>/dev/null | xargs -r kill -9 2>/dev/null
    ip netns del "$ns" 2>/dev/null
  done
}
