/*
 * nodeloop-sim: runs named scenarios, or random programs checked against the
 * reference model, on the simulated platform.
 *
 *   nodeloop-sim --scenario demo --seed 7            one run, with its trace
 *   nodeloop-sim --scenario demo --seed 1 --runs 1000  seeds 1..1000
 *   nodeloop-sim --random --seed 1 --runs 10000      random programs
 *   nodeloop-sim --list
 *
 * A single scenario run prints its trace in the chapter's style and ends with
 * "callbacks=N lost=0 duplicated=0". Several runs print one line per failure
 * with the command that replays it, then "runs=K failures=F seeds_per_s=R".
 *
 * --random draws, for each seed, a world (pool size, worker jitter, id
 * width) and a program (tools/reference/program.h), runs it on the core and on
 * the reference model, and checks the properties of tools/reference/runner.h.
 * One seed prints its program and outcome; a failure prints the program,
 * a shrunk program that fails the same way, and the replay command. The
 * summary line is the same as for scenarios.
 *
 * The same seed prints the same bytes (but for the seeds_per_s figure).
 * Seeds run in worker processes (tools/campaign/: --jobs, --shard, --json,
 * --merge, the progress line, a clean stop on SIGINT), and what they print
 * comes out in seed order, the same for any --jobs.
 */
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "campaign_cli.h"
#include "cli.h"
#include "merge.h"
#include "nodeloop_faults.h"
#include "scenario.h"
#include "tools/reference/program.h"
#include "tools/reference/runner.h"

#define TOOL "nodeloop-sim"
/* Failures after this many print only their FAIL and replay lines; each
 * is shrunk all the same, as its JSON record holds the shrunk program and
 * which failures come first in seed order is known only in the runner. */
#define SHRUNK_FAILURES 3
#define SHRINK_RUNS 3000
/* A seed (with its shrinking) that takes longer than this hangs. */
#define HANG_SECONDS 60

struct cli {
  const char *scenario;
  int random;
  int list;
  uint64_t seed, runs;
  const char *trace_path;
  const char *faults; /* a fault plan, applied with each run's seed */
  int verbose;
  int planted_max_timers;
  struct campaign_cli cc;
};

/* More runs than this is a typo: at ~10^5 seeds/s it would take hours. */
#define MAX_RUNS 1000000000u

static int set_faults(struct cli *c, const char *v) {
  char why[256];
  if (ndl_faults_plan(v, 1, why, sizeof(why)) == 0) {
    ndl_faults_clear();
    c->faults = v;
    return 0;
  }
  cli_usage_error(TOOL, "--faults: %s", why);
  return -1;
}
/* Each run gets the plan afresh, seeded with its own seed. */
static void plan_faults(const struct cli *c, uint64_t seed) {
  if (c->faults != NULL)
    ndl_faults_plan(c->faults, seed, NULL, 0);
}

/* Whether the plan names only planted bugs (sim/plant_*): those are not
 * faults a program must absorb but bugs the checks must catch, so every
 * property stays on, and failures are shrunk under the same plan. */
static int plants_only(const char *plan) {
  const char *entry = plan;
  if (plan == NULL || *plan == '\0')
    return 0;
  for (; entry != NULL; entry = strchr(entry, ',')) {
    if (*entry == ',')
      entry++;
    if (strncmp(entry, "sim/plant_", 10) != 0)
      return 0;
  }
  return 1;
}

struct replan {
  const struct cli *c;
  uint64_t seed;
};

static void replan(void *ctx) {
  const struct replan *r = ctx;
  plan_faults(r->c, r->seed);
}
static void usage(void) {
  printf(
      "usage: nodeloop-sim --scenario NAME [--seed N] [--runs K] [--trace "
      "FILE]\n"
      "                    [--faults PLAN] [--verbose]\n"
      "       nodeloop-sim --random [--seed N] [--runs K] [--trace FILE]\n"
      "                    [--faults PLAN] [--verbose] [--plant-max-timers N]\n"
      "       nodeloop-sim --merge FILE...\n"
      "       nodeloop-sim --list | --list-faults | --help | --version\n"
      "\n"
      "Runs named scenarios, or random programs checked against the reference\n"
      "model, on the simulated platform. The same seed prints the same bytes.\n"
      "\n"
      "      --scenario NAME   run the scenario NAME (see --list)\n"
      "      --random          run random programs against the reference "
      "model\n"
      "      --seed N          the first seed, 0 to 2^64-1 (default 1)\n"
      "      --runs K          seeds N to N+K-1, K from 1 to %u (default 1);\n"
      "                        one run prints its trace, several print a\n"
      "                        summary and each failure's replay command\n"
      "      --trace FILE      write the traces to FILE, for every run\n"
      "      --faults PLAN     a fault plan (include/nodeloop_faults.h), set\n"
      "                        afresh for each run with its seed; a run then\n"
      "                        fails only if it loses a callback, runs one\n"
      "                        twice, crashes or hangs (a scenario whose run\n"
      "                        had no fault injected keeps all its checks)\n"
      "      --verbose         the verbose trace; with --random and one run,\n"
      "                        the program's trace too\n"
      "      --plant-max-timers N\n"
      "                        a property that fails on purpose (no program\n"
      "                        has more than N timers, 1 to 999), to show the\n"
      "                        shrinker at work\n"
      "      --list            list the scenarios\n",
      MAX_RUNS);
  campaign_cli_usage();
  printf(
      "      --list-faults     list the fault points a plan may name\n"
      "  -h, --help            print this help\n"
      "      --version         print the version and the build\n"
      "\n"
      "--trace writes one file in seed order, so it runs one job. A seed\n"
      "with no verdict within %d s fails as a hang. SIGINT or SIGTERM stops\n"
      "after the seeds in hand, prints the summary so far and the command\n"
      "that resumes, and exits 130 or 143.\n"
      "Exit status: 0 when every run passed, 1 when one failed, 2 on a usage\n"
      "error or a trace that could not be written.\n",
      HANG_SECONDS);
}

enum {
  OPT_SCENARIO = CLI_OPT_FIRST_OWN,
  OPT_RANDOM,
  OPT_VERBOSE,
  OPT_SEED,
  OPT_RUNS,
  OPT_TRACE,
  OPT_FAULTS,
  OPT_PLANT,
  OPT_LIST,
};

static const struct option long_options[] = {
    {"scenario", required_argument, NULL, OPT_SCENARIO},
    {"random", no_argument, NULL, OPT_RANDOM},
    {"list", no_argument, NULL, OPT_LIST},
    {"seed", required_argument, NULL, OPT_SEED},
    {"runs", required_argument, NULL, OPT_RUNS},
    {"trace", required_argument, NULL, OPT_TRACE},
    {"faults", required_argument, NULL, OPT_FAULTS},
    {"verbose", no_argument, NULL, OPT_VERBOSE},
    {"plant-max-timers", required_argument, NULL, OPT_PLANT},
    CAMPAIGN_LONG_OPTIONS,
    {"list-faults", no_argument, NULL, CLI_OPT_LIST_FAULTS},
    {"help", no_argument, NULL, 'h'},
    {"version", no_argument, NULL, CLI_OPT_VERSION},
    {NULL, 0, NULL, 0},
};

/* Returns -1 to go on and run, or the exit status: 0 after --help and the
 * like, CLI_USAGE after a usage error (said on stderr). */
static int parse_args(int argc, char **argv, struct cli *c) {
  uint64_t plant;
  int opt, rc;
  memset(c, 0, sizeof(*c));
  c->seed = 1;
  c->runs = 1;
  opterr = 0;
  while ((opt = getopt_long(argc, argv, ":h", long_options, NULL)) != -1) {
    switch (opt) {
    case OPT_SCENARIO:
      c->scenario = optarg;
      break;
    case OPT_RANDOM:
      c->random = 1;
      break;
    case OPT_LIST:
      c->list = 1;
      break;
    case OPT_SEED:
      if (cli_option_u64(TOOL, "--seed", optarg, 0, UINT64_MAX, &c->seed))
        return CLI_USAGE;
      break;
    case OPT_RUNS:
      if (cli_option_u64(TOOL, "--runs", optarg, 1, MAX_RUNS, &c->runs))
        return CLI_USAGE;
      break;
    case OPT_TRACE:
      c->trace_path = optarg;
      break;
    case OPT_FAULTS:
      if (set_faults(c, optarg) != 0)
        return CLI_USAGE;
      break;
    case OPT_VERBOSE:
      c->verbose = 1;
      break;
    case OPT_PLANT:
      if (cli_option_u64(TOOL, "--plant-max-timers", optarg, 1, 999, &plant))
        return CLI_USAGE;
      c->planted_max_timers = (int)plant;
      break;
    default:
      if ((rc = campaign_cli_option(TOOL, opt, optarg, &c->cc)) == 0)
        break;
      if (rc != 1)
        return rc;
      return cli_common_option(TOOL, opt, argv, usage);
    }
  }
  if (c->cc.merge)
    return -1;
  if (cli_no_operands(TOOL, argc, argv) != 0)
    return CLI_USAGE;
  if (!c->list && c->scenario != NULL && c->random)
    return cli_usage_error(TOOL, "--scenario and --random exclude each other");
  if (!c->list && c->scenario == NULL && !c->random)
    return cli_usage_error(TOOL, "wants --scenario NAME, --random or --list");
  if (c->seed > UINT64_MAX - (c->runs - 1))
    return cli_usage_error(TOOL, "--seed plus --runs passes 2^64-1");
  if (c->trace_path != NULL && c->cc.jobs > 1)
    return cli_usage_error(TOOL, "--trace writes one file: it wants --jobs 1");
  if (c->trace_path != NULL)
    c->cc.jobs = 1;
  return -1;
}

/* The flags, besides --seed, that a replay of a random run needs. */
static void replay_flags(const struct cli *c, char *buf, size_t n) {
  int len = 0;
  buf[0] = '\0';
  if (c->planted_max_timers > 0)
    len = snprintf(buf, n, " --plant-max-timers %d", c->planted_max_timers);
  if (c->faults != NULL && len >= 0 && (size_t)len < n)
    snprintf(buf + len, n - (size_t)len, " --faults '%s'", c->faults);
}

/* The counts of campaign_seed, in this order. */
enum { LOST, DUPLICATED, HANGS, CRASHES, NO_LOOP };
static const char *const count_names[] = {"lost",    "duplicated", "hangs",
                                          "crashes", "no_loop",    NULL};

/* What every seed's run shares, set before the workers start. */
struct sim_run {
  const struct cli *c;
  const struct campaign *campaign;
  FILE *trace_file; /* stdout: the seed's report, when one seed runs */
  const struct ndl_scenario *scenario;
  struct prog *p, *shrunk;
  struct prop_options o;
  struct replan plan;
  int faults; /* a plan of faults, not only of planted bugs */
};

/* Prints the failure in r: its FAIL line, the details, its replay line. */
static void fail(const struct sim_run *s, uint64_t seed, const char *sep,
                 const char *details, struct campaign_seed *r) {
  char replay[1024];
  r->failed = 1;
  campaign_replay(s->campaign, seed, replay, sizeof(replay));
  fprintf(r->out, "FAIL seed=%" PRIu64 "%s%s\n%sreplay: %s\n", seed, sep,
          r->failure, details != NULL ? details : "", replay);
}

/* The trace goes to the --trace file, or with one seed to its report. */
static FILE *trace_for(const struct sim_run *s, struct campaign_seed *r) {
  if (s->trace_file != stdout)
    return s->trace_file;
  return s->c->runs == 1 ? r->out : NULL;
}

/* ---- Scenarios. */

static void scenario_seed(void *ctx, uint64_t seed, struct campaign_seed *r) {
  struct sim_run *s = ctx;
  const struct cli *c = s->c;
  ndl_trace_fn trace =
      c->verbose ? ndl_trace_print_verbose : ndl_trace_print_chapter_style;
  FILE *trace_to = trace_for(s, r);
  struct ndl_scenario_result res;
  uint64_t injected;
  int err;

  plan_faults(c, seed);
  err = ndl_scenario_run(s->scenario, seed, trace_to ? trace : NULL, trace_to,
                         &res);
  injected = ndl_faults_injected();
  ndl_faults_clear();
  if (trace_to != NULL && trace_to != r->out)
    r->write_failed = fflush(trace_to) != 0 || ferror(trace_to);
  if (err != 0)
    ndl_scenario_fail(&res, "ndl_loop_new: %s", ndl_strerror(err));
  if (c->runs == 1)
    fprintf(r->out,
            "virtual_ms=%" PRIu64 "\ncallbacks=%" PRIu64 " lost=%" PRIu64
            " duplicated=%" PRIu64 "\n",
            res.end_ms, res.stats.callbacks, res.stats.lost,
            res.stats.duplicated);
  r->counts[LOST] = res.stats.lost;
  r->counts[DUPLICATED] = res.stats.duplicated;
  r->counts[NO_LOOP] = err != 0;
  /* Under faults a module call may fail and the program end otherwise
   * than its checks expect: that is the loop passing an injected error
   * on. Only what no fault excuses fails then: a callback lost or run
   * twice (and, in the runner, a crash or a hang). A run with nothing
   * injected keeps every check. */
  if (s->faults && injected > 0 && res.stats.lost == 0 &&
      res.stats.duplicated == 0)
    return;
  if (res.failure[0] == '\0')
    return;
  snprintf(r->failure, sizeof(r->failure), "%s", res.failure);
  fail(s, seed, ": ", NULL, r);
}

/* ---- Random programs against the reference. */

static char *program_text(const struct prog *p) {
  char *text = NULL;
  size_t len;
  FILE *f = open_memstream(&text, &len);
  if (f == NULL)
    return NULL;
  prog_print(p, f);
  fclose(f);
  return text;
}

static void random_seed(void *ctx, uint64_t seed, struct campaign_seed *r) {
  struct sim_run *s = ctx;
  const struct cli *c = s->c;
  struct prop_outcome out;

  prog_generate(seed, s->p);
  s->plan.seed = seed;
  s->o.trace = s->trace_file != stdout      ? s->trace_file
               : c->runs == 1 && c->verbose ? r->out
                                            : NULL;
  if (s->o.trace != NULL) {
    fprintf(s->o.trace, "== seed %" PRIu64 "\n", seed);
    prog_print(s->p, s->o.trace);
  }
  if (c->runs == 1) {
    fprintf(r->out, "seed=%" PRIu64 "\n", seed);
    prog_print(s->p, r->out);
  }
  prop_check(s->p, &s->o, &out);
  ndl_faults_clear();
  if (s->o.trace != NULL && s->o.trace != r->out)
    r->write_failed = fflush(s->o.trace) != 0 || ferror(s->o.trace);
  r->counts[LOST] = out.lost;
  r->counts[DUPLICATED] = out.duplicated;
  if (s->faults) {
    /* Under faults only the loop's own invariants must hold. A run
     * whose loop could not even be made (no tick, nothing registered)
     * checked nothing at all. */
    r->counts[NO_LOOP] =
        out.ticks == 0 && out.registered == 0 && out.run_err != 0;
    out.prop = out.lost != 0 || out.duplicated != 0 ? PROP_END : PROP_OK;
    snprintf(out.msg, sizeof(out.msg), "lost=%llu duplicated=%llu",
             (unsigned long long)out.lost, (unsigned long long)out.duplicated);
  }
  if (out.prop == PROP_OK) {
    if (c->runs == 1)
      fprintf(r->out,
              "ok: callbacks=%" PRIu64 " ticks=%" PRIu64 " virtual_ns=%" PRIu64
              "\n",
              out.callbacks, out.ticks, out.end_ns);
    return;
  }
  snprintf(r->failure, sizeof(r->failure), "property=%s: %s",
           prop_name(out.prop), out.msg);
  if (!s->faults) {
    struct prop_outcome again;
    char *shrunk_text, *text = NULL;
    size_t len;
    FILE *f;
    int runs;
    s->o.trace = NULL;
    *s->shrunk = *s->p;
    runs = prop_shrink(s->shrunk, &s->o, out.prop, SHRINK_RUNS);
    prop_check(s->shrunk, &s->o, &again);
    ndl_faults_clear();
    shrunk_text = program_text(s->shrunk);
    /* The report between the FAIL and replay lines: the program (which
     * one seed has printed already), and the shrunk one. */
    if ((f = open_memstream(&text, &len)) != NULL) {
      if (c->runs != 1)
        prog_print(s->p, f);
      fprintf(f, "shrunk in %d runs: property=%s: %s\n%s", runs,
              prop_name(again.prop), again.msg,
              shrunk_text != NULL ? shrunk_text : "");
      fclose(f);
    }
    fail(s, seed, " ", text, r);
    r->program = shrunk_text;
    free(text);
    return;
  }
  fail(s, seed, " ", NULL, r);
}

/* A worker died on the seed: SIGALRM after HANG_SECONDS, or a crash. */
static void seed_died(void *ctx, uint64_t seed, int status,
                      struct campaign_seed *r) {
  const struct sim_run *s = ctx;
  if (WIFSIGNALED(status) && WTERMSIG(status) == SIGALRM) {
    r->counts[HANGS] = 1;
    snprintf(r->failure, sizeof(r->failure),
             "property=hang: no verdict within %d s", HANG_SECONDS);
  } else {
    r->counts[CRASHES] = 1;
    snprintf(r->failure, sizeof(r->failure),
             "property=crash: the run died (wait status %d)", status);
  }
  fail(s, seed, " ", NULL, r);
}

static int run_campaign(const struct cli *c, FILE *trace_file) {
  struct campaign camp;
  struct campaign_totals t;
  struct sim_run s;
  char mode_args[128], mode[128], run_args[1024], resume[1280];
  int rc;

  memset(&camp, 0, sizeof(camp));
  memset(&s, 0, sizeof(s));
  if (!c->random && (s.scenario = ndl_scenario_find(c->scenario)) == NULL) {
    fprintf(stderr, "nodeloop-sim: no scenario named '%s' (try --list)\n",
            c->scenario);
    return 2;
  }
  s.c = c;
  s.campaign = &camp;
  s.trace_file = trace_file;
  s.faults = c->faults != NULL && !plants_only(c->faults);
  s.o.planted_max_timers = c->planted_max_timers;
  s.o.before_run = replan;
  s.o.ctx = &s.plan;
  s.plan.c = c;
  s.p = malloc(sizeof(*s.p));
  s.shrunk = malloc(sizeof(*s.shrunk));
  if (s.p == NULL || s.shrunk == NULL) {
    fprintf(stderr, "nodeloop-sim: out of memory\n");
    rc = 2;
    goto out;
  }
  snprintf(mode_args, sizeof(mode_args),
           c->random ? "--random" : "--scenario %s", c->scenario);
  snprintf(mode, sizeof(mode), c->random ? "random" : "scenario %s",
           c->scenario);
  replay_flags(c, run_args, sizeof(run_args));
  snprintf(resume, sizeof(resume), "%s%s%s", c->verbose ? " --verbose" : "",
           c->trace_path != NULL ? " --trace " : "",
           c->trace_path != NULL ? c->trace_path : "");
  camp.tool = TOOL;
  camp.mode_args = mode_args;
  camp.mode = mode;
  camp.run_args = run_args;
  camp.count_names = count_names;
  camp.seed_timeout = HANG_SECONDS;
  camp.full_reports = SHRUNK_FAILURES;
  camp.run = c->random ? random_seed : scenario_seed;
  camp.died = seed_died;
  camp.ctx = &s;
  if ((rc = campaign_cli_apply(TOOL, &c->cc, c->seed, c->runs, &camp, resume,
                               sizeof(resume))) != 0)
    goto out;
  if (campaign_run_seeds(&camp, &t) != 0) {
    rc = 2;
    goto out;
  }
  if (c->random || c->runs > 1)
    printf("runs=%" PRIu64 " failures=%" PRIu64 " seeds_per_s=%.0f\n", t.done,
           t.failed, campaign_rate(&t));
  if (s.faults && t.counts[NO_LOOP] > 0)
    printf("no_loop=%" PRIu64 " (ndl_loop_new failed under the fault plan)\n",
           t.counts[NO_LOOP]);
  rc = campaign_end(&camp, &t);
  if (campaign_cli_close(TOOL, &camp) != 0)
    rc = 2;
  else if (t.write_failures > 0) {
    fprintf(stderr, "nodeloop-sim: %s: the trace could not be written\n",
            c->trace_path);
    rc = 2;
  } else if (rc == 0 && s.faults && t.done > 0 && t.counts[NO_LOOP] == t.done) {
    fprintf(stderr,
            "nodeloop-sim: no program could run: no loop could be created "
            "under the fault plan '%s'\n",
            c->faults);
    rc = 1;
  } else if (rc == 0)
    rc = t.failed != 0;
out:
  free(s.p);
  free(s.shrunk);
  return rc;
}

int main(int argc, char **argv) {
  struct cli c;
  FILE *trace_file = stdout;
  size_t i;
  int rc;

  if ((rc = parse_args(argc, argv, &c)) >= 0)
    return rc;
  if (c.cc.merge)
    return campaign_merge(TOOL, count_names, argc - optind, argv + optind);
  if (c.list) {
    for (i = 0; ndl_scenarios[i] != NULL; i++)
      printf("%-14s %s\n", ndl_scenarios[i]->name, ndl_scenarios[i]->about);
    return 0;
  }
  if (c.trace_path != NULL && (trace_file = fopen(c.trace_path, "w")) == NULL) {
    perror(c.trace_path);
    return 2;
  }
  rc = run_campaign(&c, trace_file);
  if (trace_file != stdout && (ferror(trace_file) | fclose(trace_file)) != 0) {
    fprintf(stderr, "nodeloop-sim: %s: the trace could not be written\n",
            c.trace_path);
    return 2;
  }
  return rc;
}
