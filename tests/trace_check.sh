#!/usr/bin/env bash
# Runs a program that writes a Chrome trace, then checks the file's
# structure with node (tests/trace_check.js).
#   trace_check.sh OUT.json [--pool] -- program args...
set -euo pipefail
out=$1; shift
flags=()
while [ "$1" != "--" ]; do flags+=("$1"); shift; done
shift
if ! command -v node >/dev/null; then
  echo "SKIP: node is not installed (Debian's nodejs); it parses the trace"
  exit 77
fi
"$@" --trace "$out" > /dev/null
node "$(dirname "$0")/trace_check.js" "$out" "${flags[@]}"
