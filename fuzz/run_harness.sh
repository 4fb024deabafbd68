#!/usr/bin/env bash
# Run one libFuzzer harness for a while and print a one-line summary.
#
#   run_harness.sh [--fresh] BINARY SEED_DIR WORK_DIR SECONDS [libFuzzer args]
#
# New inputs go to WORK_DIR/corpus (kept between runs unless --fresh);
# SEED_DIR is passed second, so libFuzzer only reads it.  Crash, leak,
# timeout and OOM inputs go to WORK_DIR/artifacts.  Exits non-zero when
# the fuzzer found anything (or failed to run); the log is shown then.
set -uo pipefail

fresh=0
if [[ ${1:-} == --fresh ]]; then
  fresh=1
  shift
fi
if (($# < 4)); then
  echo "usage: $0 [--fresh] BINARY SEED_DIR WORK_DIR SECONDS [args]" >&2
  exit 2
fi
bin=$1 seeds=$2 work=$3 secs=$4
shift 4
name=$(basename "$bin")

((fresh)) && rm -rf "$work/corpus"
mkdir -p "$work/corpus" "$work/artifacts"
log=$work/fuzz.log

"$bin" -max_total_time="$secs" -timeout=5 -rss_limit_mb=2048 \
  -print_final_stats=1 -artifact_prefix="$work/artifacts/" "$@" \
  "$work/corpus" "$seeds" >"$log" 2>&1
rc=$?

execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
last=$(grep -E '^#[0-9]+' "$log" | tail -1)
cov=$(sed -n 's/.* cov: \([0-9]*\).*/\1/p' <<<"$last")
ft=$(sed -n 's/.* ft: \([0-9]*\).*/\1/p' <<<"$last")
corp=$(sed -n 's/.* corp: \([0-9]*\/[0-9a-zA-Z]*\).*/\1/p' <<<"$last")
if ((rc == 0)); then
  result=ok
else
  artifact=$(sed -n 's/.*Test unit written to \(.*\)$/\1/p' "$log" | tail -1)
  result="FAILED (exit $rc${artifact:+, input $artifact})"
fi
printf '%-14s %ss  execs %-10s cov %-5s ft %-6s corpus %-10s %s\n' \
  "$name" "$secs" "${execs:-?}" "${cov:-?}" "${ft:-?}" "${corp:-?}" "$result"
if ((rc != 0)); then
  echo "---- $log (last 60 lines) ----"
  tail -n 60 "$log"
fi
exit "$rc"
