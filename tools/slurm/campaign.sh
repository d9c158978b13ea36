# The campaign that tools/slurm/ runs, in one place: what one array task
# runs, what the merge job runs, and the same campaign in one local process
# (what ci/slurm-test compares the merge against). Sourced by
# campaign.sbatch, merge.sbatch and ci/slurm-test, from the repository's
# root.
#
# A task runs its shard of the seeds (nodeloop-sim --shard TASK/TASKS,
# numbered from 0 as Slurm's array is) and writes JSON lines; the merge job
# runs nodeloop-sim --merge over every shard's file, which checks that the
# shards' seed ranges neither overlap nor leave a gap and prints the failure
# records in seed order and one summary: the same bytes as --merge of one
# local run over the same seeds (docs/guides/campaigns.md).
#
# NDL_SIM: the nodeloop-sim binary (default build/bin/nodeloop-sim).

NDL_SIM=${NDL_SIM:-build/bin/nodeloop-sim}

# campaign_sim ARGS...: nodeloop-sim. Exit 1 means some seed failed: that
# is a finding, recorded in the JSON, not an error of the job, so it
# returns 0; any other non-zero status (a crash, a usage error) is returned.
campaign_sim() {
  local rc=0
  "$NDL_SIM" "$@" || rc=$?
  [ "$rc" = 0 ] || [ "$rc" = 1 ] || return "$rc"
}

# campaign_task TASK TASKS SEED RUNS OUT: one array task's shard of a
# campaign of RUNS random programs from SEED, into OUT/shard-TASK.json, on
# the CPUs Slurm gave the task.
campaign_task() {
  local task=$1 tasks=$2 seed=$3 runs=$4 out=$5
  mkdir -p "$out"
  rm -f "$out/shard-$task.json" # --json appends
  campaign_sim --random --seed "$seed" --runs "$runs" \
    --shard "$task/$tasks" --jobs "${SLURM_CPUS_PER_TASK:-1}" \
    --json "$out/shard-$task.json" >"$out/shard-$task.out"
  echo "task $task/$tasks: $(tail -n 1 "$out/shard-$task.out")"
}

# campaign_merge TASKS OUT: the merged JSON of OUT/shard-0..TASKS-1; fails
# if a shard is missing, the shards do not fit together, or a seed failed.
campaign_merge() {
  local tasks=$1 out=$2 task files=()
  for ((task = 0; task < tasks; task++)); do
    if [ ! -f "$out/shard-$task.json" ]; then
      echo "campaign_merge: no $out/shard-$task.json" >&2
      return 1
    fi
    files+=("$out/shard-$task.json")
  done
  "$NDL_SIM" --merge "${files[@]}"
}

# campaign_local SEED RUNS OUT: the same campaign in one process, merged
# the same way, into OUT/local.json.
campaign_local() {
  local seed=$1 runs=$2 out=$3
  mkdir -p "$out"
  rm -f "$out/local.json"
  campaign_sim --random --seed "$seed" --runs "$runs" --jobs 1 \
    --json "$out/local.json" >"$out/local.out"
  campaign_sim --merge "$out/local.json"
}
