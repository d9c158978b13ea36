/*
 * The campaign runner that nodeloop-sim, nodeloop-faults and nodeloop-diff
 * share: a range of seeds run by worker processes, their reports printed
 * in seed order, a progress line, a clean stop on SIGINT or SIGTERM with
 * the command that resumes, and the JSON lines of campaign_json.h.
 *
 * Workers are processes, not threads, because a fault plan is global to a
 * process. Each takes the next seed from a counter in shared memory and
 * sends its result back through its own pipe; the runner keeps results
 * that arrive early until every lower seed is in, so that what is printed
 * (and counted, and written as JSON) is the same for any --jobs.
 */
#ifndef NDL_TOOLS_CAMPAIGN_RUNNER_H
#define NDL_TOOLS_CAMPAIGN_RUNNER_H

#include <stdint.h>
#include <stdio.h>

/* nodeloop-diff counts 16 outcomes (one for each reason a program is
 * refused); each count costs 8 bytes of every result on the pipe. */
#define CAMPAIGN_MAX_COUNTS 24
#define CAMPAIGN_MAX_JOBS 256

struct shared;

/* What one seed's run hands back. */
struct campaign_seed {
  int failed;
  /* Summed over the campaign, named by campaign.count_names. */
  uint64_t counts[CAMPAIGN_MAX_COUNTS];
  /* What the seed prints on stdout, opened by the runner. A failure's
   * report starts with its FAIL line and ends with its replay line: after
   * campaign.full_reports failures, only those two lines are printed. */
  FILE *out;
  char failure[640]; /* one line: why it failed, for the JSON record */
  char *program;     /* malloc'd, or NULL: the shrunk program, as text */
  char *plan;        /* malloc'd, or NULL: the shrunk fault plan */
  int write_failed;  /* a file the run wrote to (a trace) failed */
  /* Set by the runner for campaign_among_first_failures(). */
  struct shared *shared;
  uint64_t index; /* the seed's index in the campaign */
};

struct campaign {
  const char *tool; /* "nodeloop-sim" */
  /* The options before --seed that say what runs ("--random", "--scenario
   * demo", or ""), and the JSON mode naming it ("random", ...). */
  const char *mode_args, *mode;
  /* The mode names its one run (nodeloop-sim --program FILE): replays and
   * the resume line carry no --seed and --runs. */
  int one_run;
  /* The options after --seed that shape every run (" --faults 'PLAN'"):
   * each replay line repeats them, and merged files must agree on them. */
  const char *run_args;
  /* The other options a resumed run repeats (" --jobs 2 --json F"). */
  const char *resume_args;
  const char *const *count_names; /* NULL-terminated */
  unsigned jobs;
  unsigned seed_timeout; /* seconds a worker may spend on one seed, 0: any */
  unsigned full_reports; /* failures printed in full, 0: all of them */
  /* Stop after this many failures in seed order, 0: never. The seeds in
   * hand are finished and dropped, as after a signal, but with no resume
   * line: the summary covers the seeds up to the last failure. */
  uint64_t stop_after;
  uint64_t first, runs;   /* seeds first .. first + runs - 1 */
  unsigned shard, shards; /* the --shard it came from; shards 0: none */
  FILE *json;             /* the JSON lines, or NULL */
  /* Runs one seed, in a worker. */
  void (*run)(void *ctx, uint64_t seed, struct campaign_seed *r);
  /* Fills r for a seed whose worker died (status as from waitpid): by
   * SIGALRM after seed_timeout, or a crash. Runs in the runner. */
  void (*died)(void *ctx, uint64_t seed, int status, struct campaign_seed *r);
  void *ctx;
};

struct campaign_totals {
  uint64_t done; /* seeds first .. first + done - 1 are counted */
  uint64_t passed, failed;
  uint64_t counts[CAMPAIGN_MAX_COUNTS];
  uint64_t ran_beyond;     /* seeds past done that finished, dropped */
  uint64_t write_failures; /* seeds whose write_failed was set */
  int stop_signal;         /* SIGINT or SIGTERM that stopped it, or 0 */
  double seconds;
  /* The first failure in seed order with a campaign_seed.program: its
   * seed, and the program (malloc'd; NULL when none had one), which the
   * caller frees. */
  uint64_t first_program_seed;
  char *first_program;
};

/* Runs the seeds. A first SIGINT or SIGTERM lets the workers finish the
 * seeds they hold and stops; a second one kills them. Returns 0, or -1
 * when no worker could be started (said on stderr). */
int campaign_run_seeds(const struct campaign *c, struct campaign_totals *t);

/* In a campaign's run (in a worker): whether fewer than n of the seeds
 * below r's failed, so that a tool can do work for only the first n
 * failures in seed order (shrink them) and print the same for any --jobs.
 * Knowing may mean waiting until every lower seed is counted, which the
 * seed's time limit does not include; it waits only while fewer than n
 * failures are counted, and not at all for n 0 or UINT64_MAX. Outside a
 * worker (no r->shared) returns n > 0. */
int campaign_among_first_failures(const struct campaign_seed *r, uint64_t n);

/* After the tool's own summary: writes the JSON summary record and, when
 * a signal stopped the run, prints the command that resumes it. Returns
 * the exit status for a stopped run (128 + the signal), or 0. */
int campaign_end(const struct campaign *c, const struct campaign_totals *t);

/* The command that replays one seed, ending with the build as a shell
 * comment: "nodeloop-sim --random --seed 6 --runs 1 ...  # build ID". */
void campaign_replay(const struct campaign *c, uint64_t seed, char *buf,
                     size_t n);

/* Seeds per second, for summaries. */
double campaign_rate(const struct campaign_totals *t);

#endif
