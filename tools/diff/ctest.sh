#!/usr/bin/env bash
# The ctests of nodeloop-diff (tests/CMakeLists.txt).
#
#   ctest.sh agree BIN SEED RUNS    RUNS generated programs from SEED, on
#                                   both backends: passes only when none
#                                   differs from Node and at least a fifth
#                                   of them reached the comparison
#   ctest.sh planted BIN PLANT MAX  a bug mimicked by the interpreter
#                                   (--plant PLANT) is found within 1,000
#                                   programs and shrunk to MAX ops or fewer
#
# Exit status: 0 pass, 1 fail, 77 (skip) when node is not installed.
set -u
mode=${1:-}
bin=${2:-}
if [ $# -ne 4 ] || { [ "$mode" != agree ] && [ "$mode" != planted ]; }; then
  echo "usage: $0 agree BIN SEED RUNS | planted BIN PLANT MAX_OPS" >&2
  exit 2
fi
if ! command -v node >/dev/null 2>&1; then
  echo "SKIP: node is not installed (Debian package nodejs)"
  exit 77
fi
out=$(mktemp -d "${TMPDIR:-/tmp}/ndl-diff.XXXXXX") || exit 1
trap 'rm -rf "$out"' EXIT

if [ "$mode" = agree ]; then
  "$bin" --seed "$3" --runs "$4" --backend both --out "$out" | tee "$out/log"
  rc=${PIPESTATUS[0]}
  if [ "$rc" -ne 0 ]; then
    for f in "$out"/*/minimal.txt; do
      [ -f "$f" ] && { echo "== $f"; cat "$f"; }
    done
    exit 1
  fi
  # Agreement over too few compared programs shows nothing: at least a
  # fifth of them must reach the comparison (about a third do on a loaded
  # machine; the rest are refused by the timing check or unstable in node).
  agreed=$(sed -n 's/^programs=[0-9]* agreed=\([0-9]*\) .*/\1/p' "$out/log")
  if [ -z "$agreed" ] || [ $((agreed * 5)) -lt "$4" ]; then
    echo "FAIL: only ${agreed:-no} programs of $4 were compared"
    exit 1
  fi
  exit 0
fi

log=$out/log
"$bin" --seed 1 --runs 1000 --backend sim --plant "$3" --stop-at-first \
  >"$log"
rc=$?
cat "$log"
if [ $rc -ne 1 ]; then
  echo "FAIL: nodeloop-diff exited $rc, not 1: the planted bug ($3) was not found"
  exit 1
fi
ops=$(sed -n 's/^  shrunk in [0-9]* tries to \([0-9]*\) ops:$/\1/p' "$log" | head -1)
if [ -z "$ops" ]; then
  echo "FAIL: the difference was not shrunk to a program that still differs"
  exit 1
fi
if [ "$ops" -gt "$4" ]; then
  echo "FAIL: shrunk to $ops ops, more than $4"
  exit 1
fi
echo "planted $3: found and shrunk to $ops ops"
