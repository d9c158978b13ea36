#!/usr/bin/env bash
# Passes when ci/prove, run with the chapter's id bug compiled back in, fails on
# the goal that ndl__ids_next() returns an id that was not live: the prover
# catches the bug, and for the right reason (not a missing tool or a crash).
set -uo pipefail
prove=${1:?usage: prove_chapter_bug.sh path/to/ci/prove}
out=$("$prove" --chapter-bug 2>&1)
status=$?
printf '%s\n' "$out"
goal=ndl_ids_next_available_ensures_not_live
if [ $status -eq 0 ]; then
  echo "prove_chapter_bug: FAILED: the proof passed with core/ids_chapter_bug.c" >&2
  exit 1
fi
if ! printf '%s\n' "$out" | grep -q "NOT A KNOWN GAP): $goal\$"; then
  echo "prove_chapter_bug: FAILED: ci/prove failed (exit $status), but not on $goal" >&2
  exit 1
fi
echo "prove_chapter_bug: ok: the chapter's bug leaves $goal unproven"
