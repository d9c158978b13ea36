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
 * and the replay command. --save-program writes the first shrunk failure
 * in the text of tools/reference/program_text.h, which --program runs. The
 * summary line is the same as for scenarios.
 *
 * The same seed prints the same bytes (but for the seeds_per_s figure).
 */
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "nodeloop_faults.h"
#include "scenario.h"
#include "shrink.h"
#include "tools/reference/program.h"
#include "tools/reference/program_text.h"
#include "tools/reference/runner.h"

#define TOOL "nodeloop-sim"
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
      "                        afresh for each run with its seed; with\n"
      "                        --random, a run then fails only if it loses a\n"
      "                        callback, runs one twice, or hangs\n"
      "      --verbose         the verbose trace; with --random and one run,\n"
      "                        the program's trace too\n"
      "      --plant-max-timers N\n"
      "                        a property that fails on purpose (no program\n"
      "                        has more than N timers, 1 to 999), to show the\n"
      "                        shrinker at work\n"
      "      --shrink-max N    shrink at most N failures, 0 to 2^64-1 "
      "(default\n"
      "                        every one; 0: none): the program and the plan\n"
      "                        together, while the failure remains\n"
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
      "      --list            list the scenarios\n"
      "      --list-faults     list the fault points a plan may name\n"
      "  -h, --help            print this help\n"
      "      --version         print the version and the build\n"
      "\n"
      "Exit status: 0 when every run passed, 1 when one failed, 2 on a usage\n"
      "error or a trace that could not be written.\n",
      MAX_RUNS);
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
    {"list-faults", no_argument, NULL, CLI_OPT_LIST_FAULTS},
    {"help", no_argument, NULL, 'h'},
    {"version", no_argument, NULL, CLI_OPT_VERSION},
    {NULL, 0, NULL, 0},
};

/* Returns -1 to go on and run, or the exit status: 0 after --help and the
 * like, CLI_USAGE after a usage error (said on stderr). */
static int parse_args(int argc, char **argv, struct cli *c) {
  uint64_t plant;
  int opt;
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
      return cli_common_option(TOOL, opt, argv, usage);
    }
  }
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

static double wall_seconds(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void summary(uint64_t runs, uint64_t failures, double started) {
  printf("runs=%" PRIu64 " failures=%" PRIu64 " seeds_per_s=%.0f\n", runs,
         failures, (double)runs / (wall_seconds() - started + 1e-9));
}

/* ---- Scenarios. */

static int run_scenarios(const struct cli *c, FILE *trace_file) {
  const struct ndl_scenario *s;
  ndl_trace_fn trace =
      c->verbose ? ndl_trace_print_verbose : ndl_trace_print_chapter_style;
  uint64_t i, failures = 0;
  double started;

  if ((s = ndl_scenario_find(c->scenario)) == NULL) {
    fprintf(stderr, "nodeloop-sim: no scenario named '%s' (try --list)\n",
            c->scenario);
    return 2;
  }
  started = wall_seconds();
  for (i = 0; i < c->runs; i++) {
    struct ndl_scenario_result r;
    int traced = c->runs == 1 || c->trace_path != NULL;
    int err;
    plan_faults(c, c->seed + i);
    err =
        ndl_scenario_run(s, c->seed + i, traced ? trace : NULL, trace_file, &r);
    ndl_faults_clear();
    if (err != 0)
      ndl_scenario_fail(&r, "ndl_loop_new: %s", ndl_strerror(err));
    if (c->runs == 1)
      printf("virtual_ms=%" PRIu64 "\ncallbacks=%" PRIu64 " lost=%" PRIu64
             " duplicated=%" PRIu64 "\n",
             r.end_ms, r.stats.callbacks, r.stats.lost, r.stats.duplicated);
    if (r.failure[0] != '\0') {
      failures++;
      printf("FAIL seed=%" PRIu64 ": %s\nreplay: nodeloop-sim --scenario %s "
             "--seed %" PRIu64 "\n",
             c->seed + i, r.failure, c->scenario, c->seed + i);
    }
  }
  if (c->runs > 1)
    summary(c->runs, failures, started);
  return failures != 0;
}

/* ---- Random programs against the reference. */

/* A hang inside the loop cannot be caught by the checks, which run between
 * callbacks; an alarm reports the seed instead. The message is formatted
 * before each seed, as a signal handler may only write() it. */
static char hang_msg[512];
static size_t hang_len;

static void on_alarm(int sig) {
  ssize_t w;
  (void)sig;
  w = write(STDOUT_FILENO, hang_msg, hang_len);
  (void)w;
  _exit(1);
}

static void arm_watchdog(const char *what, uint64_t seed, const char *flags,
                         uint64_t done, uint64_t failures, double started) {
  int n = snprintf(hang_msg, sizeof(hang_msg),
                   "FAIL seed=%" PRIu64 " property=hang: no verdict within "
                   "%d s\nreplay: nodeloop-sim %s%s\nruns=%" PRIu64
                   " failures=%" PRIu64 " seeds_per_s=%.0f\n",
                   seed, HANG_SECONDS, what, flags, done + 1, failures + 1,
                   (double)(done + 1) / (wall_seconds() - started + 1e-9));
  hang_len = n < 0                          ? 0
             : (size_t)n < sizeof(hang_msg) ? (size_t)n
                                            : sizeof(hang_msg) - 1;
  fflush(stdout);
  alarm(HANG_SECONDS);
}

/* What a replay names: the seed, or the saved program. */
static void replay_what(const struct cli *c, uint64_t seed, char *buf,
                        size_t n) {
  if (c->program_path != NULL)
    snprintf(buf, n, "--program %s", c->program_path);
  else
    snprintf(buf, n, "--random --seed %" PRIu64, seed);
}

/* The run that --save-program and --chrome-trace take: the first failure
 * (shrunk, if it was), else the only run. */
struct kept {
  struct prog p;
  char plan[PROG_PLAN_MAX];
  int set;
};

static void keep(struct kept *k, const struct prog *p, const char *plan) {
  k->p = *p;
  snprintf(k->plan, sizeof(k->plan), "%s", plan != NULL ? plan : "");
  k->set = 1;
}

/* Saves and traces the kept run; returns 2 if that failed, else 0. */
static int use_kept(const struct cli *c, const struct kept *k,
                    const struct sim_checks *checks) {
  char why[512];
  if (c->save_path == NULL && c->chrome_path == NULL)
    return 0;
  if (!k->set) {
    printf("nothing saved or traced: no run failed\n");
    return 0;
  }
  if (c->save_path != NULL) {
    if (prog_save(c->save_path, &k->p, k->plan, why, sizeof(why)) != 0) {
      fprintf(stderr, "nodeloop-sim: %s\n", why);
      return 2;
    }
    printf("saved: %s\n", c->save_path);
  }
  if (c->chrome_path != NULL) {
    if (sim_chrome_trace(c->chrome_path, &k->p, k->plan, checks) != 0)
      return 2;
    printf("chrome trace: %s\n", c->chrome_path);
  }
  return 0;
}

static int run_random(const struct cli *c, const struct prog *loaded,
                      FILE *trace_file) {
  struct prog *p = malloc(sizeof(*p)), *shrunk = malloc(sizeof(*shrunk));
  struct kept *kept = calloc(1, sizeof(*kept));
  char *plan = malloc(PROG_PLAN_MAX);
  struct prop_options o;
  struct replan rp;
  struct sim_checks checks;
  uint64_t i, failures = 0, not_run = 0, shrunk_n = 0;
  double started = wall_seconds();
  char flags[128], what[256];
  const int faults = c->faults != NULL && !plants_only(c->faults);
  int rc;

  if (p == NULL || shrunk == NULL || kept == NULL || plan == NULL) {
    fprintf(stderr, "nodeloop-sim: out of memory\n");
    free(p);
    free(shrunk);
    free(kept);
    free(plan);
    return 2;
  }
  replay_flags(c, flags, sizeof(flags));
  signal(SIGALRM, on_alarm);
  memset(&o, 0, sizeof(o));
  o.planted_max_timers = c->planted_max_timers;
  rp.c = c;
  o.before_run = replan;
  o.ctx = &rp;
  checks.planted_max_timers = c->planted_max_timers;
  checks.faults = faults;
  for (i = 0; i < c->runs; i++) {
    uint64_t seed = c->seed + i;
    struct prop_outcome out;

    replay_what(c, seed, what, sizeof(what));
    arm_watchdog(what, seed, flags, i, failures, started);
    if (loaded != NULL)
      *p = *loaded;
    else
      prog_generate(seed, p);
    rp.seed = seed;
    o.trace = NULL;
    if (trace_file != stdout)
      o.trace = trace_file;
    else if (c->runs == 1 && c->verbose)
      o.trace = stdout;
    if (o.trace != NULL) {
      fprintf(o.trace, "== seed %" PRIu64 "\n", seed);
      prog_print(p, o.trace);
    }
    if (c->runs == 1) {
      printf("seed=%" PRIu64 "\n", seed);
      prog_print(p, stdout);
    }
    prop_check(p, &o, &out);
    ndl_faults_clear();
    /* Under faults only the loop's own invariants must hold. A run whose
     * loop could not even be made (no tick, nothing registered) checked
     * nothing at all. */
    if (faults && out.ticks == 0 && out.registered == 0 && out.run_err != 0)
      not_run++;
    sim_verdict(&checks, &out);
    if (out.prop == PROP_OK) {
      if (c->runs == 1) {
        printf("ok: callbacks=%" PRIu64 " ticks=%" PRIu64 " virtual_ns=%" PRIu64
               "\n",
               out.callbacks, out.ticks, out.end_ns);
        keep(kept, p, c->faults);
      }
      continue;
    }
    failures++;
    printf("FAIL seed=%" PRIu64 " property=%s: %s\n", seed, prop_name(out.prop),
           out.msg);
    if (shrunk_n < c->shrink_max) {
      shrunk_n++;
      if (c->runs != 1)
        prog_print(p, stdout);
      *shrunk = *p;
      snprintf(plan, PROG_PLAN_MAX, "%s", c->faults != NULL ? c->faults : "");
      sim_shrink(shrunk, plan, PROG_PLAN_MAX, &checks, out.prop, SHRINK_RUNS);
      if (failures == 1)
        keep(kept, shrunk, plan);
    } else if (failures == 1) {
      keep(kept, p, c->faults);
    }
    printf("replay: nodeloop-sim %s%s\n", what, flags);
  }
  alarm(0);
  summary(c->runs, failures, started);
  rc = use_kept(c, kept, &checks);
  free(p);
  free(shrunk);
  free(kept);
  free(plan);
  if (rc != 0)
    return rc;
  if (not_run == c->runs) {
    fprintf(stderr,
            "nodeloop-sim: no program could run: no loop could be created "
            "under the fault plan '%s'\n",
            c->faults);
    return 1;
  }
  if (not_run > 0)
    printf("no_loop=%" PRIu64 " (ndl_loop_new failed under the fault plan)\n",
           not_run);
  return failures != 0;
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
  if (c.list) {
    for (i = 0; ndl_scenarios[i] != NULL; i++)
      printf("%-14s %s\n", ndl_scenarios[i]->name, ndl_scenarios[i]->about);
    return 0;
  }
  if (c.trace_path != NULL && (trace_file = fopen(c.trace_path, "w")) == NULL) {
    perror(c.trace_path);
    return 2;
  }
  if (c.program_path != NULL) {
    char why[512];
    if ((loaded = malloc(sizeof(*loaded))) == NULL ||
        prog_load(c.program_path, loaded, plan, sizeof(plan), why,
                  sizeof(why)) != 0) {
      fprintf(stderr, "nodeloop-sim: %s\n",
              loaded == NULL ? "out of memory" : why);
      free(loaded);
      if (trace_file != stdout)
        fclose(trace_file);
      return 2;
    }
    c.seed = loaded->cfg.sim_seed;
    if (!c.faults_given && plan[0] != '\0') {
      /* The file's plan parsed; this says whether this build can plant it. */
      if (ndl_faults_plan(plan, 1, why, sizeof(why)) != 0) {
        fprintf(stderr, "nodeloop-sim: %s: the plan: %s\n", c.program_path,
                why);
        free(loaded);
        if (trace_file != stdout)
          fclose(trace_file);
        return 2;
      }
      ndl_faults_clear();
      c.faults = plan;
    }
  }
  rc = c.scenario == NULL ? run_random(&c, loaded, trace_file)
                          : run_scenarios(&c, trace_file);
  free(loaded);
  if (trace_file != stdout && (ferror(trace_file) | fclose(trace_file)) != 0) {
    fprintf(stderr, "nodeloop-sim: %s: the trace could not be written\n",
            c.trace_path);
    return 2;
  }
  return rc;
}
