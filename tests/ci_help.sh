#!/usr/bin/env bash
# Every executable script in ci/ answers -h and --help without doing any
# work: exit 0, its leading comment on stdout, nothing on stderr. "No work"
# is checked, not timed: the tools a script would install or build with
# (apt-get, dpkg-query, cmake, ctest, make, the compilers, spin, frama-c,
# valgrind, node) are stubs that record being called, and BUILD_DIR points
# into an empty scratch directory where no build directory may appear.
# Scripts that take options also refuse an unknown one with exit 2 and one
# line on stderr, doing no work either.
#
#   ci_help.sh path/to/ci
set -euo pipefail
ci=$(cd "${1:?usage: ci_help.sh path/to/ci}" && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/ndl-ci-help.XXXXXX")
trap 'rm -rf "$work"' EXIT
mkdir "$work/stubs" "$work/builds"
for tool in apt-get dpkg-query cmake ctest make cc gcc clang spin frama-c \
  why3 valgrind node; do
  printf '#!/bin/sh\necho "%s $*" >>"%s/called"\nexit 1\n' "$tool" "$work" \
    >"$work/stubs/$tool"
  chmod +x "$work/stubs/$tool"
done

failures=0
fail() {
  echo "FAIL: $*"
  failures=$((failures + 1))
}

# run SCRIPT ARG...: runs it with the stubs first on PATH; sets rc, and
# leaves its output in $work/out and $work/err.
run() {
  rc=0
  PATH="$work/stubs:$PATH" BUILD_DIR="$work/builds/build" \
    "$@" >"$work/out" 2>"$work/err" </dev/null || rc=$?
}

# no_work SCRIPT ARG...: fails if the last run called a stub or made a
# build directory.
no_work() {
  if [ -e "$work/called" ]; then
    fail "$*: did work: $(tr '\n' ';' <"$work/called")"
    rm -f "$work/called"
  fi
  if [ -n "$(ls -A "$work/builds")" ]; then
    fail "$*: made $(ls "$work/builds")"
    rm -rf "${work:?}/builds/"*
  fi
}

checked=0
for script in "$ci"/*; do
  [ -f "$script" ] && [ -x "$script" ] || continue
  name=ci/$(basename "$script")
  purpose=$(sed -n '2s/^# \{0,1\}//p' "$script")
  for flag in --help -h; do
    run "$script" "$flag"
    [ "$rc" = 0 ] || fail "$name $flag: exit $rc"
    [ -s "$work/err" ] && fail "$name $flag: stderr: $(head -3 "$work/err")"
    [ "$(head -1 "$work/out")" = "$purpose" ] ||
      fail "$name $flag: stdout does not start with '$purpose'"
    no_work "$name $flag"
  done
  checked=$((checked + 1))
done

# The scripts that take options, each with an unknown one.
for script in faults fuzz model model-names prove sanitize valgrind; do
  run "$ci/$script" --no-such-option
  [ "$rc" = 2 ] || fail "ci/$script --no-such-option: exit $rc, not 2"
  [ "$(wc -l <"$work/err")" = 1 ] ||
    fail "ci/$script --no-such-option: stderr is not one line: $(cat "$work/err")"
  [ -s "$work/out" ] && fail "ci/$script --no-such-option: stdout: $(cat "$work/out")"
  no_work "ci/$script --no-such-option"
done

[ "$checked" -ge 10 ] || fail "only $checked scripts in $ci"
if [ "$failures" -ne 0 ]; then
  echo "$failures failure(s)"
  exit 1
fi
echo "ci --help: ok ($checked scripts)"
