#!/usr/bin/env bash
# The README's first example is examples/hello.c, word for word, and it
# prints what the README shows.
#   readme_example.sh README.md examples/hello.c HELLO_BINARY
set -euo pipefail
readme=$1 source=$2 binary=$3

# The first ```c block of the README.
shown=$(awk '/^```c$/ { inside = 1; next } inside && /^```$/ { exit } inside' "$readme")
if [ "$shown" != "$(cat "$source")" ]; then
  echo "readme_example: the README's first C block is not $source:" >&2
  diff <(printf '%s\n' "$shown") "$source" >&2 || true
  exit 1
fi

out=$("$binary")
expect=(
  $'^Thread: main\t main: setting a 100 ms timer$'
  $'^Thread: main\t timer fired after [0-9]+ ms$'
  $'^Thread: main\t FINISHED$'
)
for line in "${expect[@]}"; do
  if ! grep -Eq "$line" <<<"$out"; then
    echo "readme_example: no line matching '$line' in:" >&2
    printf '%s\n' "$out" >&2
    exit 1
  fi
done
