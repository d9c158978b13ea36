# The campaign that tools/slurm/ runs, in one place: what one array task
# runs, what the merge job runs, and the same campaign in one local process
# (what ci/slurm-test compares the merge against). Sourced by
# campaign.sbatch, merge.sbatch and ci/slurm-test, from the repository's
# root. Each function prints one summary line,
#   runs=R failures=F digest=SHA256
# and the merge and the local run must print the same line for the same
# seeds.
#
# NDL_SIM: the nodeloop-sim binary (default build/bin/nodeloop-sim).
#
# ---------------------------------------------------------------------------
# SWITCHING TO THE CAMPAIGN CLI. Today nodeloop-sim has no --shard, --json
# or --merge, so a task computes its own slice of the seeds and runs it with
# --seed/--runs and --trace, and the merge sums the summary lines and hashes
# the traces laid end to end (the same seeds print the same bytes, so the
# digest matches the one-process run only if every seed ran exactly once, in
# order). Once the CLI lands, the three bodies marked "CLI:" below become
#   campaign_task:  "$NDL_SIM" --random --seed "$seed" --runs "$runs" \
#                     --shard "$task/$tasks" --json "$out/shard-$task.json"
#   campaign_merge: "$NDL_SIM" --merge "$out"/shard-*.json
#   campaign_local: "$NDL_SIM" --random --seed "$seed" --runs "$runs" \
#                     --json "$out/local.json" &&
#                   "$NDL_SIM" --merge "$out/local.json"
# (the same options on nodeloop-faults), and the summary line compared is
# --merge's. Task numbers count from 0 (the array is 0..N-1); if --shard
# counts from 1, submit --array=1-N instead.
# ---------------------------------------------------------------------------

NDL_SIM=${NDL_SIM:-build/bin/nodeloop-sim}

# campaign_seeds TASK TASKS SEED RUNS: prints "FIRST COUNT", this task's
# contiguous slice of seeds SEED..SEED+RUNS-1 (slices differ by at most one
# seed; a slice may be empty when RUNS < TASKS).
campaign_seeds() {
  local task=$1 tasks=$2 seed=$3 runs=$4
  local from=$((task * runs / tasks)) to=$(((task + 1) * runs / tasks))
  echo "$((seed + from)) $((to - from))"
}

# campaign_run SEED RUNS TRACE OUT: one nodeloop-sim --random run whose
# stdout goes to OUT. Exit 1 from nodeloop-sim means some seed failed: that
# is a finding, recorded in OUT, not an error of the task, so it returns 0;
# any other non-zero status (a crash, a usage error) is returned.
campaign_run() {
  local rc=0
  "$NDL_SIM" --random --seed "$1" --runs "$2" --trace "$3" >"$4" || rc=$?
  [ "$rc" = 0 ] || [ "$rc" = 1 ] || return "$rc"
}

# campaign_totals OUT...: sums the runs= and failures= of the summary lines.
campaign_totals() {
  awk '/^runs=[0-9]+ failures=[0-9]+/ {
         split($1, r, "="); split($2, f, "="); runs += r[2]; fails += f[2]; n++
       }
       END { if (n != ARGC - 1) exit 1; printf "runs=%d failures=%d", runs, fails }' "$@"
}

# campaign_task TASK TASKS SEED RUNS OUT: one array task's share of a
# campaign of RUNS seeds from SEED, into OUT/shard-TASK.{out,trace}.
campaign_task() {
  local task=$1 tasks=$2 seed=$3 runs=$4 out=$5 first count
  read -r first count < <(campaign_seeds "$task" "$tasks" "$seed" "$runs")
  mkdir -p "$out"
  # CLI: this body becomes the --shard/--json line above.
  if [ "$count" = 0 ]; then
    echo "runs=0 failures=0" >"$out/shard-$task.out"
    : >"$out/shard-$task.trace"
  else
    campaign_run "$first" "$count" "$out/shard-$task.trace" "$out/shard-$task.out"
  fi
  echo "task $task/$tasks: seeds $first..$((first + count - 1))"
  tail -n 1 "$out/shard-$task.out"
}

# campaign_merge TASKS OUT: the merged summary of OUT/shard-0..TASKS-1;
# fails if a shard is missing, or if any seed failed.
campaign_merge() {
  local tasks=$1 out=$2 task outs=() traces=() line
  # CLI: this body becomes the --merge line above.
  for ((task = 0; task < tasks; task++)); do
    outs+=("$out/shard-$task.out")
    traces+=("$out/shard-$task.trace")
  done
  if ! line=$(campaign_totals "${outs[@]}"); then
    echo "campaign_merge: a shard is missing or has no summary in $out" >&2
    return 1
  fi
  line="$line digest=$(cat "${traces[@]}" | sha256sum | cut -d' ' -f1)"
  echo "$line"
  [[ $line == *" failures=0 "* ]]
}

# campaign_local SEED RUNS OUT: the same campaign in one process, into
# OUT/local.{out,trace}.
campaign_local() {
  local seed=$1 runs=$2 out=$3 totals
  mkdir -p "$out"
  # CLI: this body becomes the --json/--merge pair above.
  campaign_run "$seed" "$runs" "$out/local.trace" "$out/local.out"
  totals=$(campaign_totals "$out/local.out")
  echo "$totals digest=$(sha256sum <"$out/local.trace" | cut -d' ' -f1)"
}
