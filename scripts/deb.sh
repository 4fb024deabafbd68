#!/usr/bin/env bash
# Build the Debian package from the working tree: `make deb`.
#
#   scripts/deb.sh [OUTDIR]      (default out/deb)
#
# The tracked and untracked-but-not-ignored files are copied to
# OUTDIR/src, and `dpkg-buildpackage -b -us -uc` runs there, so that
# neither the tree nor its parent directory gets build files; the .deb,
# .buildinfo and .changes land in OUTDIR.  Needs the Build-Depends of
# debian/control (scripts/deps.sh installs them).
set -euo pipefail
cd "$(dirname "$0")/.."
out=$(realpath -m "${1:-out/deb}")

rm -rf "$out"
mkdir -p "$out/src"
git ls-files -z -co --exclude-standard | while IFS= read -r -d '' f; do
  [[ -e $f && $f != out/* ]] && printf '%s\0' "$f"
done | xargs -0 cp --parents -t "$out/src" --
chmod +x "$out/src/debian/rules"
t0=$(date +%s)
(cd "$out/src" && dpkg-buildpackage -b -us -uc -j"$(nproc)") > "$out/build.log" 2>&1 || {
  tail -n 40 "$out/build.log" >&2
  echo "deb: dpkg-buildpackage failed, log in $out/build.log" >&2
  exit 1
}
echo "deb: built in $(( $(date +%s) - t0 )) s:"
ls -1 "$out"/*.deb "$out"/*.changes
