#!/usr/bin/env bash
# The demo under libfiu's POSIX preload (fiu-run -x), with read(), write()
# and connect() failing at random: faults that nodeloop's own plans did not
# choose. The library must neither crash nor hang, and the loop's own count
# must show nothing lost or run twice. Errors reaching callbacks are fine.
set -uo pipefail
demo=$1
runs=${2:-6}
if ! command -v fiu-run >/dev/null; then
  echo "SKIP: fiu-run (Debian's fiu-utils) is not installed"
  exit 77
fi
failed=0
for i in $(seq 1 "$runs"); do
  p=$(awk -v i="$i" 'BEGIN { printf "%.2f", 0.02 * i }')
  out=$(timeout 60 fiu-run -x \
    -c "enable_random name=posix/io/rw/read,probability=$p" \
    -c "enable_random name=posix/io/rw/write,probability=$p" \
    -c "enable_random name=posix/io/net/connect,probability=0.3" \
    "$demo" 2>&1)
  rc=$?
  summary=$(printf '%s\n' "$out" | grep -E '^callbacks=' | tail -n 1)
  if [ $rc -ge 124 ]; then
    echo "run $i (p=$p): crashed or hung (exit $rc)"; failed=1
  elif ! printf '%s' "$summary" | grep -q 'lost=0 duplicated=0'; then
    echo "run $i (p=$p): bad summary '$summary' (exit $rc)"; failed=1
  else
    echo "run $i (p=$p): exit $rc, $summary"
  fi
done
exit $failed
