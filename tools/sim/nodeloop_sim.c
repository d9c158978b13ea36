/*
 * nodeloop-sim: runs named scenarios, or random programs checked against the
 * reference model, on the simulated platform.
 *
 *   nodeloop-sim --scenario demo --seed 7            one run, with its trace
 *   nodeloop-sim --scenario demo --seed 1 --runs 1000  seeds 1..1000
 *   nodeloop-sim --random --seed 1 --runs 10000      random programs
 *   nodeloop-sim --program FILE                      a saved program
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
 * a shrunk program (and plan) that fails the same way (tools/sim/shrink.c),
 * and the replay command. --save-program writes the first failure in seed
 * order, shrunk, in the text of tools/reference/program_text.h, which
 * --program runs (as a campaign of one seed, the file's). The summary line
 * is the same as for scenarios.
 *
 * The same seed prints the same bytes (but for the seeds_per_s figure).
 * Seeds run in worker processes (tools/campaign/: --jobs, --shard, --json,
 * --merge, the progress line, a clean stop on SIGINT), and what they print
 * comes out in seed order, the same for any --jobs. Failures are shrunk in
 * the workers; --shrink-max N shrinks the first N failures in seed order
 * (a worker whose seed fails learns from the runner how many lower seeds
 * failed, waiting for them if it must), and --chrome-trace replays one run
 * in the runner after the campaign.
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
#include "shrink.h"
#include "tools/reference/program.h"
#include "tools/reference/program_text.h"
#include "tools/reference/runner.h"

#define TOOL "nodeloop-sim"
/* Failures after this many print only their FAIL and replay lines; each
 * is shrunk all the same (up to --shrink-max), as its JSON record holds
 * the shrunk program. */
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
  int faults_given, seed_given;
  uint64_t shrink_max;      /* failures shrunk (--shrink-max) */
  const char *program_path; /* --program: one run of a saved program */
  const char *save_path;    /* --save-program */
  const char *chrome_path;  /* --chrome-trace */
  struct campaign_cli cc;
};

/* More runs than this is a typo: at ~10^5 seeds/s it would take hours. */
#define MAX_RUNS 1000000000u

static int set_faults(struct cli *c, const char *v) {
  char why[256];
  if (ndl_faults_plan(v, 1, why, sizeof(why)) == 0) {
    ndl_faults_clear();
    /* "" is no plan: it overrides a saved program's. */
    c->faults = *v != '\0' ? v : NULL;
    c->faults_given = 1;
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
      "                    [--shrink-max N] [--save-program FILE]\n"
      "                    [--chrome-trace FILE]\n"
      "       nodeloop-sim --program FILE [--faults PLAN] [--plant-max-timers "
      "N]\n"
      "                    [--shrink-max N] [--save-program FILE]\n"
      "                    [--chrome-trace FILE] [--trace FILE] [--verbose]\n"
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
      "      --shrink-max N    shrink the first N failures in seed order, 0 "
      "to\n"
      "                        2^64-1 (default every one; 0: none): the\n"
      "                        program and the plan together, while the\n"
      "                        failure remains\n"
      "      --save-program FILE\n"
      "                        write the first failure's program, shrunk, "
      "with\n"
      "                        its config and plan, as text (see --program)\n"
      "      --program FILE    run the program saved in FILE, under its plan\n"
      "                        (--faults replaces the plan; --faults '' drops\n"
      "                        it)\n"
      "      --chrome-trace FILE\n"
      "                        write the Chrome trace (Perfetto, speedscope)\n"
      "                        of one run replayed: the first failure's\n"
      "                        shrunk program, or the only run's\n"
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
  OPT_SHRINK_MAX,
  OPT_SAVE_PROGRAM,
  OPT_PROGRAM,
  OPT_CHROME_TRACE,
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
    {"shrink-max", required_argument, NULL, OPT_SHRINK_MAX},
    {"save-program", required_argument, NULL, OPT_SAVE_PROGRAM},
    {"program", required_argument, NULL, OPT_PROGRAM},
    {"chrome-trace", required_argument, NULL, OPT_CHROME_TRACE},
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
  c->shrink_max = UINT64_MAX;
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
      c->seed_given = 1;
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
    case OPT_SHRINK_MAX:
      if (cli_option_u64(TOOL, "--shrink-max", optarg, 0, UINT64_MAX,
                         &c->shrink_max))
        return CLI_USAGE;
      break;
    case OPT_SAVE_PROGRAM:
      c->save_path = optarg;
      break;
    case OPT_PROGRAM:
      c->program_path = optarg;
      break;
    case OPT_CHROME_TRACE:
      c->chrome_path = optarg;
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
  if (!c->list &&
      (c->scenario != NULL) + c->random + (c->program_path != NULL) > 1)
    return cli_usage_error(
        TOOL, "--scenario, --random and --program exclude each other");
  if (!c->list && c->scenario == NULL && !c->random && c->program_path == NULL)
    return cli_usage_error(
        TOOL, "wants --scenario NAME, --random, --program FILE or --list");
  if (c->program_path != NULL && (c->seed_given || c->runs != 1))
    return cli_usage_error(TOOL, "--program runs one program: its seed is in "
                                 "the file, so no --seed or --runs");
  if (c->scenario != NULL && (c->save_path != NULL || c->chrome_path != NULL))
    return cli_usage_error(TOOL, "--save-program and --chrome-trace go with "
                                 "--random or --program");
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
  /* A saved program's own plan is in its file: only a --faults given
   * replaces it ('' drops it). */
  int plan_flag = c->program_path != NULL ? c->faults_given : c->faults != NULL;
  if (plan_flag && len >= 0 && (size_t)len < n)
    snprintf(buf + len, n - (size_t)len, " --faults '%s'",
             c->faults != NULL ? c->faults : "");
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
  const struct prog *loaded; /* --program's, or NULL */
  struct prog *p, *shrunk;
  struct prop_options o;
  struct replan plan;
  struct sim_checks checks;
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

/* The world (program and plan) as the text of program_text.h, malloc'd. */
static char *world_text(const struct prog *p, const char *plan) {
  char *text = NULL;
  size_t len;
  FILE *f = open_memstream(&text, &len);
  if (f == NULL)
    return NULL;
  prog_print_world(p, plan, f);
  fclose(f);
  return text;
}

static void random_seed(void *ctx, uint64_t seed, struct campaign_seed *r) {
  struct sim_run *s = ctx;
  const struct cli *c = s->c;
  const char *plan = c->faults != NULL ? c->faults : "";
  struct prop_outcome out;
  char *text = NULL;
  size_t len;
  FILE *f;

  if (s->loaded != NULL)
    *s->p = *s->loaded;
  else
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
  /* Under faults only the loop's own invariants must hold. A run whose
   * loop could not even be made (no tick, nothing registered) checked
   * nothing at all. */
  if (s->faults)
    r->counts[NO_LOOP] =
        out.ticks == 0 && out.registered == 0 && out.run_err != 0;
  sim_verdict(&s->checks, &out);
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
  if (!campaign_among_first_failures(r, c->shrink_max)) {
    /* Not shrunk: the record holds the program as it failed. */
    r->program = world_text(s->p, plan);
    if (c->faults != NULL)
      r->plan = strdup(plan);
    fail(s, seed, " ", NULL, r);
    return;
  }
  /* The report between the FAIL and replay lines: the program (which one
   * seed has printed already), and the shrunk world (program and plan). */
  if ((f = open_memstream(&text, &len)) != NULL) {
    char shrunk_plan[PROG_PLAN_MAX];
    s->o.trace = NULL;
    *s->shrunk = *s->p;
    snprintf(shrunk_plan, sizeof(shrunk_plan), "%s", plan);
    if (c->runs != 1)
      prog_print(s->p, f);
    sim_shrink(s->shrunk, shrunk_plan, sizeof(shrunk_plan), &s->checks,
               out.prop, SHRINK_RUNS, f);
    fclose(f);
    r->program = world_text(s->shrunk, shrunk_plan);
    if (c->faults != NULL)
      r->plan = strdup(shrunk_plan);
  }
  fail(s, seed, " ", text, r);
  free(text);
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

/* After the campaign, in the runner: --save-program writes, and
 * --chrome-trace replays, the first failure in seed order (its program as
 * its worker left it: shrunk unless --shrink-max said not; a crash or a
 * hang has none, and the next failure is taken), or else the only run.
 * Returns 2 if that could not be done, else 0. */
static int use_first(const struct sim_run *s, const struct campaign_totals *t) {
  const struct cli *c = s->c;
  static char plan[PROG_PLAN_MAX];
  char why[512];
  FILE *f;

  if (c->save_path == NULL && c->chrome_path == NULL)
    return 0;
  if (t->failed > 0 && t->first_program == NULL) {
    printf("nothing saved or traced: every failure crashed or hung\n");
    return 0;
  }
  if (t->failed > 0) {
    f = fmemopen(t->first_program, strlen(t->first_program), "r");
    if (f == NULL || prog_read(f, "the failure", s->p, plan, sizeof(plan), why,
                               sizeof(why)) != 0) {
      fprintf(stderr, "nodeloop-sim: %s\n", f == NULL ? "out of memory" : why);
      if (f != NULL)
        fclose(f);
      return 2;
    }
    fclose(f);
  } else if (c->runs == 1 && t->done == 1) {
    if (s->loaded != NULL)
      *s->p = *s->loaded;
    else
      prog_generate(c->seed, s->p);
    snprintf(plan, sizeof(plan), "%s", c->faults != NULL ? c->faults : "");
  } else {
    printf("nothing saved or traced: no run failed\n");
    return 0;
  }
  if (c->save_path != NULL) {
    if (prog_save(c->save_path, s->p, plan, why, sizeof(why)) != 0) {
      fprintf(stderr, "nodeloop-sim: %s\n", why);
      return 2;
    }
    printf("saved: %s\n", c->save_path);
  }
  if (c->chrome_path != NULL) {
    if (sim_chrome_trace(c->chrome_path, s->p, plan, &s->checks) != 0)
      return 2;
    printf("chrome trace: %s\n", c->chrome_path);
  }
  return 0;
}

static int run_campaign(const struct cli *c, const struct prog *loaded,
                        FILE *trace_file) {
  struct campaign camp;
  struct campaign_totals t;
  struct sim_run s;
  char mode_args[1024], mode[1024], run_args[1024], resume[1280];
  int rc, kept;

  memset(&camp, 0, sizeof(camp));
  memset(&s, 0, sizeof(s));
  memset(&t, 0, sizeof(t));
  if (c->scenario != NULL &&
      (s.scenario = ndl_scenario_find(c->scenario)) == NULL) {
    fprintf(stderr, "nodeloop-sim: no scenario named '%s' (try --list)\n",
            c->scenario);
    return 2;
  }
  s.c = c;
  s.campaign = &camp;
  s.trace_file = trace_file;
  s.loaded = loaded;
  s.faults = c->faults != NULL && !plants_only(c->faults);
  s.checks.planted_max_timers = c->planted_max_timers;
  s.checks.faults = s.faults;
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
  if (loaded != NULL) {
    snprintf(mode_args, sizeof(mode_args), "--program %s", c->program_path);
    snprintf(mode, sizeof(mode), "program %s", c->program_path);
    camp.one_run = 1;
  } else {
    snprintf(mode_args, sizeof(mode_args),
             c->random ? "--random" : "--scenario %s", c->scenario);
    snprintf(mode, sizeof(mode), c->random ? "random" : "scenario %s",
             c->scenario);
  }
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
  camp.run = c->scenario == NULL ? random_seed : scenario_seed;
  camp.died = seed_died;
  camp.ctx = &s;
  if ((rc = campaign_cli_apply(TOOL, &c->cc, c->seed, c->runs, &camp, resume,
                               sizeof(resume))) != 0)
    goto out;
  if (campaign_run_seeds(&camp, &t) != 0) {
    rc = 2;
    goto out;
  }
  if (c->scenario == NULL || c->runs > 1)
    printf("runs=%" PRIu64 " failures=%" PRIu64 " seeds_per_s=%.0f\n", t.done,
           t.failed, campaign_rate(&t));
  if (s.faults && t.counts[NO_LOOP] > 0)
    printf("no_loop=%" PRIu64 " (ndl_loop_new failed under the fault plan)\n",
           t.counts[NO_LOOP]);
  kept = use_first(&s, &t);
  rc = campaign_end(&camp, &t);
  if (campaign_cli_close(TOOL, &camp) != 0 || kept != 0)
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
  free(t.first_program);
  free(s.p);
  free(s.shrunk);
  return rc;
}

/* Loads --program's file into *loaded, and its plan (unless --faults
 * replaces it) into plan and c->faults; its seed becomes c->seed. Returns
 * 0, or 2 after saying why. */
static int load_program(struct cli *c, struct prog *loaded, char *plan,
                        size_t cap) {
  char why[512];
  if (prog_load(c->program_path, loaded, plan, cap, why, sizeof(why)) != 0) {
    fprintf(stderr, "nodeloop-sim: %s\n", why);
    return 2;
  }
  c->seed = loaded->cfg.sim_seed;
  if (c->faults_given || plan[0] == '\0')
    return 0;
  /* The file's plan parsed; this says whether this build can plant it. */
  if (ndl_faults_plan(plan, 1, why, sizeof(why)) != 0) {
    fprintf(stderr, "nodeloop-sim: %s: the plan: %s\n", c->program_path, why);
    return 2;
  }
  ndl_faults_clear();
  c->faults = plan;
  return 0;
}

int main(int argc, char **argv) {
  static char plan[PROG_PLAN_MAX];
  struct prog *loaded = NULL;
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
  if (c.program_path != NULL) {
    if ((loaded = malloc(sizeof(*loaded))) == NULL) {
      fprintf(stderr, "nodeloop-sim: out of memory\n");
      return 2;
    }
    if ((rc = load_program(&c, loaded, plan, sizeof(plan))) != 0) {
      free(loaded);
      return rc;
    }
  }
  if (c.trace_path != NULL && (trace_file = fopen(c.trace_path, "w")) == NULL) {
    perror(c.trace_path);
    free(loaded);
    return 2;
  }
  rc = run_campaign(&c, loaded, trace_file);
  free(loaded);
  if (trace_file != stdout && (ferror(trace_file) | fclose(trace_file)) != 0) {
    fprintf(stderr, "nodeloop-sim: %s: the trace could not be written\n",
            c.trace_path);
    return 2;
  }
  return rc;
}
