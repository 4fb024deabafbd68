#!/usr/bin/env bash
# golden.sh MIP4D SRC - `mip4d -n` over every shipped example config
# (etc/*.conf) and every fuzz_config seed, compared byte for byte (stdout,
# stderr, exit status) with tests/config/golden/*.out.  The golden files
# were written by the strcmp-chain parser before the table-driven rewrite,
# so this test holds the printer and the messages to what they were.
# MIP4_GOLDEN_UPDATE=1 rewrites them from MIP4D instead (then review the diff).
set -u
MIP4D=$(realpath "${1:?usage: golden.sh MIP4D SRC}") || exit 2
SRC=$(realpath "${2:?usage: golden.sh MIP4D SRC}") || exit 2
GOLD=$SRC/tests/config/golden
TMP=$(mktemp -d /tmp/mip4d-golden-XXXXXX)
trap 'rm -rf "$TMP"' EXIT
fail=0 n=0
for f in "$SRC"/etc/*.conf "$SRC"/fuzz/corpus/fuzz_config/*; do
  case $f in */etc/*) name=etc-$(basename "$f") ;; *) name=seed-$(basename "$f") ;; esac
  install -m 600 "$f" "$TMP/$name"
  # relative name: messages say "NAME:LINE", wherever the tree is; the
  # warnings about this host (hostcheck.c) depend on the machine, not on
  # the parser: left out
  got=$(cd "$TMP" && "$MIP4D" -n -f "$name" 2>&1 |
        sed -e '/^mip4d: warning: /d' \
            -e 's/^mip4d: configuration OK, [0-9]* warnings* about this host$/mip4d: configuration OK/'
        echo "exit ${PIPESTATUS[0]}")
  n=$((n + 1))
  if [[ ${MIP4_GOLDEN_UPDATE:-} == 1 ]]; then
    printf '%s\n' "$got" > "$GOLD/$name.out"
  elif ! diff -u "$GOLD/$name.out" <(printf '%s\n' "$got"); then
    echo "FAIL: mip4d -n $name differs from $GOLD/$name.out"; fail=1
  fi
done
echo "golden: $n configs, $([[ $fail == 0 ]] && echo "all identical" || echo FAILED)"
exit $fail
