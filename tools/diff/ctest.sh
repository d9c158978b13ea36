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
#   ctest.sh campaign BIN           the campaign's conventions, against a
#                                   stand-in node (campaign below)
#
# Exit status: 0 pass, 1 fail, 77 (skip) when node is not installed.
set -u
mode=${1:-}
bin=${2:-}
if [ "$mode" = campaign ] && [ $# -eq 2 ]; then
  :
elif [ $# -ne 4 ] || { [ "$mode" != agree ] && [ "$mode" != planted ]; }; then
  echo "usage: $0 agree BIN SEED RUNS | planted BIN PLANT MAX_OPS |" \
    "campaign BIN" >&2
  exit 2
fi

fail() {
  echo "FAIL: $*"
  exit 1
}

# The campaign (tools/campaign/): --jobs, --shard, --json, --merge, the
# replay line and --stop-at-first. The stand-in node prints one line for
# any script, so every program the timing check passes differs on sim,
# and the same way on every run: what is compared is the campaign, not
# node's timing, and no node is needed. About 5 s in all.
if [ "$mode" = campaign ]; then
  out=$(mktemp -d "${TMPDIR:-/tmp}/ndl-diff.XXXXXX") || exit 1
  trap 'rm -rf "$out"' EXIT
  printf '#!/bin/sh\ncase "$1" in --version) echo v0.0.0-stand-in ;;\n%s\n' \
    '*) echo "not node" ;; esac' >"$out/node"
  chmod +x "$out/node"
  # A rate is timing: it is cut from what is compared.
  run() {
    local name=$1 want=$2
    shift 2
    "$bin" --backend sim --node "$out/node" "$@" \
      >"$out/$name.raw" 2>"$out/$name.err"
    rc=$?
    [ "$rc" -eq "$want" ] ||
      fail "$* exited $rc, not $want: $(cat "$out/$name.err")"
    sed 's/ seeds_per_s=[0-9.]*//' "$out/$name.raw" >"$out/$name"
  }
  merge() {
    "$bin" --merge "${@:2}" >"$out/$1" 2>"$out/$1.err" ||
      fail "--merge ${*:2}: $(cat "$out/$1.err")"
  }
  # --shrink-max too waits on the seeds below in other workers.
  for jobs in 1 2; do
    run "jobs$jobs" 1 --seed 1 --runs 16 --jobs "$jobs" --shrink-max 2 \
      --json "$out/jobs$jobs.json"
    merge "merged$jobs" "$out/jobs$jobs.json"
  done
  grep -q '^DIFFER seed=' "$out/jobs1" || fail "no difference to compare"
  cmp -s "$out/jobs1" "$out/jobs2" ||
    fail "--jobs 2 printed otherwise: $(diff "$out/jobs1" "$out/jobs2")"
  cmp -s "$out/merged1" "$out/merged2" || fail "--jobs 2 recorded otherwise"
  # Each outcome is counted in the summary.
  grep -q '"differed_sim":[1-9][0-9]*,' "$out/merged1" &&
    grep -q '"refused_[a-z_]*":[1-9]' "$out/merged1" ||
    fail "the summary lacks the outcomes: $(cat "$out/merged1")"
  # Three shards merge into the one run. (--shrink-max would count in
  # each shard: their records would hold other programs.)
  run whole 1 --seed 1 --runs 16 --jobs 2 --json "$out/whole.json"
  merge whole.merged "$out/whole.json"
  for i in 0 1 2; do
    run "shard$i" 1 --seed 1 --runs 16 --shard "$i/3" --jobs 1 \
      --json "$out/shard$i.json"
  done
  merge shards "$out/shard2.json" "$out/shard0.json" "$out/shard1.json"
  cmp -s "$out/shards" "$out/whole.merged" ||
    fail "the shards merged are not the run: $(diff "$out/shards" \
      "$out/whole.merged")"
  # A shard of another node's is refused.
  sed 's/stand-in/other/' "$out/shard1.json" >"$out/other.json"
  "$bin" --merge "$out/shard0.json" "$out/other.json" "$out/shard2.json" \
    >/dev/null 2>"$out/other.err"
  [ $? -eq 1 ] && grep -q 'is not the campaign of' "$out/other.err" ||
    fail "another node's shard merged: $(cat "$out/other.err")"
  # A difference's record holds its replay line, which replays it.
  replay=$(sed -n 's/.*"replay":"\(nodeloop-diff [^"]*\)  # build [^"]*".*/\1/p' \
    "$out/jobs1.json" | head -1)
  [ -n "$replay" ] || fail "no replay line in $(head -1 "$out/jobs1.json")"
  seed=$(echo "$replay" | sed -n 's/.* --seed \([0-9]*\) .*/\1/p')
  eval "\"\$bin\"${replay#nodeloop-diff}" >"$out/replay" 2>&1
  [ $? -eq 1 ] && grep -q "^DIFFER seed=$seed " "$out/replay" ||
    fail "$replay did not replay: $(cat "$out/replay")"
  # --stop-at-first stops at the first difference in seed order, for any
  # --jobs.
  first=$(sed -n 's/^DIFFER seed=\([0-9]*\) .*/\1/p' "$out/jobs1" | head -1)
  run stop 1 --seed 1 --runs 16 --jobs 2 --stop-at-first
  [ "$(grep -c '^DIFFER' "$out/stop")" -eq 1 ] &&
    grep -q "^programs=$first " "$out/stop" ||
    fail "--stop-at-first did not stop at seed $first: $(cat "$out/stop")"
  echo "campaign: --jobs, --shard, --json, --merge, replay, --stop-at-first"
  exit 0
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
  # fifth of them must reach the comparison (nine in ten do since the
  # generator avoids what the timing check refuses; the rest are refused
  # or unstable in node).
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
