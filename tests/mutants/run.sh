#!/usr/bin/env bash
# Mutation testing of the unit suite; not part of `make check` (5-10 s per
# mutant on 2 cores: the 52 of mutants.txt took 5.5 and 9 min).  Each
# mutant replaces one piece of code text by another; this script applies
# them one at a time to a private copy of the tree, rebuilds, runs
# `ctest -L unit`, and says which cmocka tests failed.  A mutant no test
# notices "survived": a test is missing, or the mutant is harmless (mark
# it `equivalent` and say why in mutants.txt).
#
#   tests/mutants/run.sh [-l] [-f FILE] [NAME-REGEX]
#     -l         only check that every mutant still applies (no build)
#     -f FILE    mutants file (default tests/mutants/mutants.txt)
#     NAME-REGEX run only the mutants whose name matches
#   env: MUTANTS_DIR (work dir, default build/mutants), JOBS (default 2),
#        CC (compiler for the copy's first configure)
#
# Mutants are matched on code text, not line numbers, so they survive
# edits elsewhere in the file; a pattern found 0 or 2+ times is reported
# STALE and fails the run.  The working tree is never modified: the copy
# lives in MUTANTS_DIR/src and is re-synced (tracked and untracked files,
# as `git ls-files -co --exclude-standard` lists them) at every start.
# Exit status: 0 when every mutant not marked equivalent was killed.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
file=$here/mutants.txt
list_only=false
while getopts "lf:" opt; do
	case $opt in
	l) list_only=true ;;
	f) file=$(cd "$(dirname "$OPTARG")" && pwd)/$(basename "$OPTARG") ;;
	*) sed -n '2,23s/^# \{0,1\}//p' "$0" >&2; exit 2 ;;
	esac
done
shift $((OPTIND - 1))
filter=${1:-.}
work=${MUTANTS_DIR:-$repo/build/mutants}
jobs=${JOBS:-2}

# ---- the mutants file: "@ NAME FILE [expect=T1,T2 | equivalent]", then
# "- OLD TEXT" and "+ NEW TEXT" (NEW may be empty: "+") ----
names=() files=() olds=() news=() expects=()
parse() {
	local line n=-1 lineno=0
	local -a f
	while IFS= read -r line || [[ -n $line ]]; do
		lineno=$((lineno + 1))
		case $line in
		'' | '#'*) ;;
		'@ '*)
			read -r -a f <<<"${line#@ }"
			n=$((n + 1))
			names[n]=${f[0]}
			files[n]=${f[1]}
			expects[n]=${f[2]:-}
			olds[n]='' news[n]=''
			;;
		'- '*) olds[n]=${line#- } ;;
		'+ '* | '+') news[n]=${line#+}; news[n]=${news[n]# } ;;
		*) echo "$file:$lineno: cannot parse: $line" >&2; exit 2 ;;
		esac
	done <"$file"
	for i in "${!names[@]}"; do
		[[ -n ${olds[i]} && -n ${files[i]} ]] ||
			{ echo "$file: mutant ${names[i]} is incomplete" >&2; exit 2; }
	done
}

# Replace OLD by NEW in PATH when OLD occurs exactly once; print the count.
# "\n" and "\t" in OLD and NEW stand for a newline and a tab.  MODE "dry":
# count only.
apply() {
	python3 - "$@" <<'PY'
import sys
path, old, new, mode = sys.argv[1:]
old, new = (x.replace("\\n", "\n").replace("\\t", "\t") for x in (old, new))
with open(path) as f:
    s = f.read()
n = s.count(old)
print(n)
if n == 1 and mode != "dry":
    with open(path, "w") as f:
        f.write(s.replace(old, new))
PY
}

# The copy: same content as the working tree; a file is rewritten only when
# it differs, so that make's timestamps stay meaningful.
sync_copy() {
	local f
	mkdir -p "$work/src"
	[[ -e $work/shared || ! -e $repo/../shared ]] ||
		ln -s "$(cd "$repo/../shared" && pwd)" "$work/shared"
	while IFS= read -r f; do
		[[ -f $repo/$f ]] || continue
		if ! cmp -s "$repo/$f" "$work/src/$f"; then
			mkdir -p "$(dirname "$work/src/$f")"
			cp "$repo/$f" "$work/src/$f"
		fi
	done < <(cd "$repo" && git ls-files -co --exclude-standard)
	# a test file deleted in the tree must not linger in the copy (GLOB)
	for f in "$work"/src/tests/unit/test_*.c; do
		[[ -e $repo/${f#"$work"/src/} ]] || rm -f "$f"
	done
}

build() {
	cmake --build "$work/build" -j"$jobs" >"$work/build.log" 2>&1
}

# Run the unit tests; print the killers, "ctest-name:cmocka-test" each.
unit_tests() {
	(cd "$work/build" && ctest -L unit --timeout 120 --output-on-failure) \
		>"$work/ctest.log" 2>&1 || true
	awk '
		match($0, /Test +#[0-9]+: [^ ]+/) {
			t = substr($0, RSTART, RLENGTH); sub(/.*: /, "", t)
			if ($0 ~ /\*\*\*|Failed|Timeout|Exception/) failed[t] = 1
		}
		/^\[  FAILED  \] test_/ { named[t] = named[t] " " t ":" $4 }
		END {
			for (t in failed)
				print (t in named) ? named[t] : t ":(no cmocka name: crash or timeout?)"
		}' "$work/ctest.log" | tr ' ' '\n' | sed '/^$/d' | sort -u
}

parse
sel=()
for i in "${!names[@]}"; do
	[[ ${names[i]} =~ $filter ]] && sel+=("$i")
done
[[ ${#sel[@]} -gt 0 ]] || { echo "no mutant matches '$filter'" >&2; exit 2; }

if $list_only; then
	bad=0
	for i in "${sel[@]}"; do
		n=$(apply "$repo/${files[i]}" "${olds[i]}" "${news[i]}" dry)
		if [[ $n == 1 ]]; then
			printf 'ok     %-28s %s\n' "${names[i]}" "${files[i]}"
		else
			printf 'STALE  %-28s %s: pattern found %s times\n' "${names[i]}" "${files[i]}" "$n"
			bad=1
		fi
	done
	exit $bad
fi

sync_copy
if [[ ! -f $work/build/CMakeCache.txt ]]; then
	echo "mutants: configuring $work/build (first run builds everything)"
	cmake -S "$work/src" -B "$work/build" >"$work/configure.log" 2>&1 ||
		{ cat "$work/configure.log"; exit 1; }
fi
current=''
restore() {
	if [[ -n $current ]]; then cp "$repo/$current" "$work/src/$current"; fi
	current=''
}
trap restore EXIT

echo "mutants: baseline build and unit tests"
build || { tail -30 "$work/build.log"; echo "baseline does not build" >&2; exit 1; }
base=$(unit_tests)
if [[ -n $base ]]; then
	echo "the unmutated tree fails its unit tests:" >&2
	echo "$base" >&2
	exit 1
fi

killed=0 survived=0 equivalent=0 stale=0 nobuild=0 unexpected=0
for i in "${sel[@]}"; do
	name=${names[i]} f=${files[i]} exp=${expects[i]}
	current=$f
	n=$(apply "$work/src/$f" "${olds[i]}" "${news[i]}" wet)
	if [[ $n != 1 ]]; then
		printf 'STALE      %-28s pattern found %s times in %s\n' "$name" "$n" "$f"
		stale=$((stale + 1))
		restore
		continue
	fi
	if ! build; then
		printf 'NO-BUILD   %-28s (see %s)\n' "$name" "$work/build.log"
		cp "$work/build.log" "$work/build-$name.log"
		nobuild=$((nobuild + 1))
		restore
		continue
	fi
	by=$(unit_tests)
	restore
	if [[ -z $by ]]; then
		if [[ $exp == equivalent ]]; then
			printf 'EQUIVALENT %-28s survived, as documented\n' "$name"
			equivalent=$((equivalent + 1))
		else
			printf 'SURVIVED   %-28s %s\n' "$name" "$f"
			survived=$((survived + 1))
		fi
		continue
	fi
	killed=$((killed + 1))
	printf 'KILLED     %-28s by %s\n' "$name" "$(echo "$by" | paste -sd' ')"
	if [[ $exp == expect=* ]]; then
		IFS=, read -r -a want <<<"${exp#expect=}"
		for t in "${want[@]}"; do
			grep -q ":$t\$" <<<"$by" || {
				printf '           %-28s expected killer %s did not fail\n' "$name" "$t"
				unexpected=$((unexpected + 1))
			}
		done
	elif [[ $exp == equivalent ]]; then
		printf '           %-28s is marked equivalent but was killed\n' "$name"
		unexpected=$((unexpected + 1))
	fi
done
# the last restore leaves the copy as the tree is; rebuild it next time
printf 'mutants: %d killed, %d survived, %d equivalent, %d stale, %d did not build, %d expectation(s) unmet\n' \
	"$killed" "$survived" "$equivalent" "$stale" "$nobuild" "$unexpected"
[[ $survived -eq 0 && $stale -eq 0 && $nobuild -eq 0 && $unexpected -eq 0 ]]
