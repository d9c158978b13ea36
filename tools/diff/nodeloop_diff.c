/*
 * nodeloop-diff: differential conformance with Node. Each seed draws a
 * program (program.h) of timers, immediates, nextTicks, microtasks, promise
 * chains, busy-waits and pool work; the timing check refuses the ones that
 * leave an order to chance; Node runs the rest several times (they must
 * agree), and nodeloop runs them on the linux and sim backends. Every line
 * is compared; a difference is shrunk and written to --out.
 *
 *   nodeloop-diff --seed 1 --runs 300                  both backends
 *   nodeloop-diff --seed 7 --runs 1 --print            one program, shown
 *   nodeloop-diff --plant tick-as-microtask --runs 1000 --out DIR
 */
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
#include "cli.h"
#include "gen.h"
#include "js.h"
#include "timing.h"

#define TOOL "nodeloop-diff"
#define MAX_RUNS 1000000u
#define SHRINK_BUDGET 200

#ifndef NDL_DIFF_FIXTURES
#define NDL_DIFF_FIXTURES "."
#endif

struct cli {
  uint64_t seed, runs, node_runs;
  unsigned backends;
  enum dp_plant plant;
  ndl_timer_order order;
  const char *out, *node, *fixtures;
  int print, stop_at_first;
};

struct tally {
  uint64_t verdict[DV_COUNT];
  uint64_t timing[DT_COUNT];
  uint64_t differed_on[2]; /* linux, sim */
  char unstable_why[4][256];
  uint64_t unstable_count[4];
};

static void usage(void) {
  printf(
      "usage: nodeloop-diff [--seed S] [--runs K] [--backend linux|sim|both]\n"
      "                     [--out DIR] [--node-runs N] [--node CMD]\n"
      "                     [--fixtures DIR] [--plant NAME] [--print]\n"
      "                     [--stop-at-first] [--timer-order deadline|node]\n"
      "       nodeloop-diff --help | --version\n"
      "\n"
      "Generates programs from seeds S to S+K-1, runs each under node and on\n"
      "nodeloop, and compares every line they print. Programs that leave an\n"
      "order to chance are discarded before node runs them, and so are those\n"
      "whose node runs disagree; both are counted, with the reason.\n"
      "\n"
      "      --seed S          the first seed (default 1)\n"
      "      --runs K          how many programs, 1 to %u (default 100)\n"
      "      --backend B       linux, sim or both (default both); the sim\n"
      "                        always runs first, as the timing check reads\n"
      "                        its timeline, but is compared only when asked\n"
      "      --out DIR         write each difference, shrunk, to DIR/seed-S/\n"
      "      --node-runs N     node runs per program, 2 to 20 (default 3)\n"
      "      --node CMD        the node to run (default node)\n"
      "      --fixtures DIR    the files fs.readFile reads (default the\n"
      "                        source tree's tools/diff/fixtures)\n"
      "      --plant NAME      mimic an ordering bug in the interpreter:\n"
      "                        tick-as-microtask or immediate-as-timeout\n"
      "      --print           print each program, its script and its lines\n"
      "      --stop-at-first   stop after the first difference\n"
      "      --timer-order O   the loops' timer order: deadline (default),\n"
      "                        or node (NDL_TIMER_ORDER_NODE), with which\n"
      "                        no late-phase program is refused\n"
      "  -h, --help            print this help\n"
      "      --version         print the version and the build\n"
      "\n"
      "Progress goes to stderr, a line a second at most, when it is a\n"
      "terminal. Exit status: 0 when no program differed, 1 when one did, 2\n"
      "on a usage error or when node cannot be run.\n",
      MAX_RUNS);
}

enum {
  OPT_SEED = CLI_OPT_FIRST_OWN,
  OPT_RUNS,
  OPT_BACKEND,
  OPT_OUT,
  OPT_NODE_RUNS,
  OPT_NODE,
  OPT_FIXTURES,
  OPT_PLANT,
  OPT_PRINT,
  OPT_STOP,
  OPT_TIMER_ORDER
};

static int parse(int argc, char **argv, struct cli *c) {
  static const struct option opts[] = {
      {"seed", required_argument, NULL, OPT_SEED},
      {"runs", required_argument, NULL, OPT_RUNS},
      {"backend", required_argument, NULL, OPT_BACKEND},
      {"out", required_argument, NULL, OPT_OUT},
      {"node-runs", required_argument, NULL, OPT_NODE_RUNS},
      {"node", required_argument, NULL, OPT_NODE},
      {"fixtures", required_argument, NULL, OPT_FIXTURES},
      {"plant", required_argument, NULL, OPT_PLANT},
      {"print", no_argument, NULL, OPT_PRINT},
      {"stop-at-first", no_argument, NULL, OPT_STOP},
      {"timer-order", required_argument, NULL, OPT_TIMER_ORDER},
      {"help", no_argument, NULL, 'h'},
      {"version", no_argument, NULL, CLI_OPT_VERSION},
      {NULL, 0, NULL, 0}};
  int opt;
  opterr = 0;
  while ((opt = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
    switch (opt) {
    case OPT_SEED:
      if (cli_option_u64(TOOL, "--seed", optarg, 0, UINT64_MAX, &c->seed))
        return CLI_USAGE;
      break;
    case OPT_RUNS:
      if (cli_option_u64(TOOL, "--runs", optarg, 1, MAX_RUNS, &c->runs))
        return CLI_USAGE;
      break;
    case OPT_NODE_RUNS:
      if (cli_option_u64(TOOL, "--node-runs", optarg, 2, 20, &c->node_runs))
        return CLI_USAGE;
      break;
    case OPT_BACKEND:
      if (strcmp(optarg, "linux") == 0)
        c->backends = DP_LINUX;
      else if (strcmp(optarg, "sim") == 0)
        c->backends = DP_SIM;
      else if (strcmp(optarg, "both") == 0)
        c->backends = DP_LINUX | DP_SIM;
      else
        return cli_usage_error(TOOL, "--backend: linux, sim or both, not %s",
                               optarg);
      break;
    case OPT_PLANT:
      if (strcmp(optarg, "tick-as-microtask") == 0)
        c->plant = DP_PLANT_TICK_AS_MICROTASK;
      else if (strcmp(optarg, "immediate-as-timeout") == 0)
        c->plant = DP_PLANT_IMMEDIATE_AS_TIMEOUT;
      else
        return cli_usage_error(TOOL, "--plant: no planted bug named %s",
                               optarg);
      break;
    case OPT_TIMER_ORDER:
      if (strcmp(optarg, "deadline") == 0)
        c->order = NDL_TIMER_ORDER_DEADLINE;
      else if (strcmp(optarg, "node") == 0)
        c->order = NDL_TIMER_ORDER_NODE;
      else
        return cli_usage_error(TOOL, "--timer-order: deadline or node, not %s",
                               optarg);
      break;
    case OPT_OUT:
      c->out = optarg;
      break;
    case OPT_NODE:
      c->node = optarg;
      break;
    case OPT_FIXTURES:
      c->fixtures = optarg;
      break;
    case OPT_PRINT:
      c->print = 1;
      break;
    case OPT_STOP:
      c->stop_at_first = 1;
      break;
    default:
      return cli_common_option(TOOL, opt, argv, usage) == 0 ? -1 : CLI_USAGE;
    }
  }
  return cli_no_operands(TOOL, argc, argv);
}

static const char *backend_name(unsigned b) {
  return b == DP_LINUX ? "linux" : "sim";
}

/* Writes the pair for a human: the script, and the program as text with
 * what each side printed. */
static void write_pair(const struct cli *c, const struct dp_config *cfg,
                       uint64_t seed, const char *label,
                       const struct dp_prog *p, const struct dp_result *r) {
  char dir[PATH_MAX], path[PATH_MAX + 64];
  FILE *f;
  unsigned b;
  snprintf(dir, sizeof(dir), "%s/seed-%" PRIu64, c->out, seed);
  mkdir(c->out, 0777);
  mkdir(dir, 0777);
  snprintf(path, sizeof(path), "%s/%s.js", dir, label);
  if ((f = fopen(path, "w")) != NULL) {
    dp_emit_js(p, cfg->fixtures, f);
    fclose(f);
  }
  snprintf(path, sizeof(path), "%s/%s.txt", dir, label);
  if ((f = fopen(path, "w")) == NULL) {
    fprintf(stderr, TOOL ": cannot write %s\n", path);
    return;
  }
  fprintf(f, "# seed %" PRIu64 ", %d ops; differs on:", seed, p->n);
  for (b = DP_LINUX; b <= DP_SIM; b <<= 1)
    if (r->differs & b)
      fprintf(f, " %s", backend_name(b));
  fprintf(f, "\n");
  if (r->why[0] != '\0')
    fprintf(f, "# %s\n", r->why);
  dp_print(p, f);
  fprintf(f, "[node]\n%s", r->node != NULL ? r->node : "");
  for (b = 0; b < 2; b++)
    if (r->nodeloop[b] != NULL)
      fprintf(f, "[nodeloop %s]\n%s", backend_name(1u << b), r->nodeloop[b]);
  fclose(f);
}

static void show(const struct dp_prog *p, const struct dp_result *r,
                 const struct dp_config *cfg) {
  unsigned b;
  dp_print(p, stdout);
  dp_emit_js(p, cfg->fixtures, stdout);
  if (r->verdict == DV_TIMING)
    printf("refused: %s\n", dp_timing_reason(r->timing));
  if (r->why[0] != '\0')
    printf("%s\n", r->why);
  if (r->node != NULL)
    printf("[node]\n%s", r->node);
  for (b = 0; b < 2; b++)
    if (r->nodeloop[b] != NULL)
      printf("[nodeloop %s]\n%s", backend_name(1u << b), r->nodeloop[b]);
}

static double seconds(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void count_unstable(struct tally *t, const char *why) {
  unsigned k;
  /* Reasons are counted by their text up to the line number. */
  size_t n = strcspn(why, "(");
  for (k = 0; k < 4; k++) {
    if (t->unstable_count[k] == 0) {
      snprintf(t->unstable_why[k], sizeof(t->unstable_why[k]), "%.*s", (int)n,
               why);
      t->unstable_count[k] = 1;
      return;
    }
    if (strncmp(t->unstable_why[k], why, n) == 0 &&
        t->unstable_why[k][n] == '\0') {
      t->unstable_count[k]++;
      return;
    }
  }
}

static void summary(const struct tally *t, uint64_t runs) {
  unsigned k;
  uint64_t discarded = t->verdict[DV_TIMING] + t->verdict[DV_UNSTABLE] +
                       t->verdict[DV_NODE_FAILED];
  printf("programs=%" PRIu64 " agreed=%" PRIu64 " differed=%" PRIu64
         " (linux %" PRIu64 ", sim %" PRIu64 ") discarded=%" PRIu64 "\n",
         runs, t->verdict[DV_AGREED], t->verdict[DV_DIFFERED],
         t->differed_on[0], t->differed_on[1], discarded);
  for (k = 1; k < DT_COUNT; k++)
    if (t->timing[k] != 0)
      printf("  discarded %" PRIu64 ": %s\n", t->timing[k],
             dp_timing_reason((int)k));
  for (k = 0; k < 4; k++)
    if (t->unstable_count[k] != 0)
      printf("  discarded %" PRIu64 ": unstable: %s\n", t->unstable_count[k],
             t->unstable_why[k]);
  if (t->verdict[DV_NODE_FAILED] != 0)
    printf("  discarded %" PRIu64 ": node failed\n",
           t->verdict[DV_NODE_FAILED]);
}

static void progress(const struct tally *t, uint64_t done, uint64_t runs) {
  fprintf(stderr,
          TOOL ": %" PRIu64 "/%" PRIu64 " programs, agreed %" PRIu64
               ", differed %" PRIu64 ", discarded %" PRIu64 "\n",
          done, runs, t->verdict[DV_AGREED], t->verdict[DV_DIFFERED],
          t->verdict[DV_TIMING] + t->verdict[DV_UNSTABLE] +
              t->verdict[DV_NODE_FAILED]);
}

static int differed(const struct cli *c, const struct dp_config *cfg,
                    uint64_t seed, struct dp_prog *p, struct dp_result *r) {
  struct dp_result m;
  unsigned tried;
  printf("DIFFER seed=%" PRIu64 " on%s%s%s%s (%d ops)\n", seed,
         r->differs & DP_LINUX ? " linux" : "",
         r->differs & DP_SIM ? " sim" : "", r->why[0] ? ": " : "", r->why,
         p->n);
  if (c->out != NULL)
    write_pair(c, cfg, seed, "original", p, r);
  tried = dp_shrink(cfg, p, seed, r->differs, SHRINK_BUDGET);
  if (dp_check(cfg, p, seed, &m) != 0)
    return -1;
  printf("  shrunk in %u tries to %d ops%s:\n", tried, p->n,
         m.verdict == DV_DIFFERED ? ""
                                  : " (which no longer differs on a "
                                    "check of its own: a timing flake)");
  dp_print(p, stdout);
  printf("  [node]\n%s", m.node != NULL ? m.node : "");
  if (m.nodeloop[0] != NULL)
    printf("  [nodeloop linux]\n%s", m.nodeloop[0]);
  if (m.nodeloop[1] != NULL)
    printf("  [nodeloop sim]\n%s", m.nodeloop[1]);
  if (c->out != NULL)
    write_pair(c, cfg, seed, "minimal", p, &m);
  dp_result_free(&m);
  printf("  replay: " TOOL " --seed %" PRIu64 " --runs 1 --backend %s%s%s%s  "
         "# build %s\n",
         seed,
         c->backends == (DP_LINUX | DP_SIM) ? "both"
         : c->backends == DP_LINUX          ? "linux"
                                            : "sim",
         c->order == NDL_TIMER_ORDER_NODE ? " --timer-order node" : "",
         c->plant != DP_PLANT_NONE ? " --plant " : "",
         c->plant == DP_PLANT_TICK_AS_MICROTASK      ? "tick-as-microtask"
         : c->plant == DP_PLANT_IMMEDIATE_AS_TIMEOUT ? "immediate-as-timeout"
                                                     : "",
         cli_build_id());
  return 0;
}

int main(int argc, char **argv) {
  struct cli c = {1,
                  100,
                  3,
                  DP_LINUX | DP_SIM,
                  DP_PLANT_NONE,
                  NDL_TIMER_ORDER_DEADLINE,
                  NULL,
                  "node",
                  NDL_DIFF_FIXTURES,
                  0,
                  0};
  struct dp_config cfg;
  struct tally t;
  char fixtures[PATH_MAX], script[PATH_MAX];
  double last = 0;
  int tty = isatty(STDERR_FILENO), rc;
  uint64_t k;

  if ((rc = parse(argc, argv, &c)) != 0)
    return rc < 0 ? 0 : rc;
  if (realpath(c.fixtures, fixtures) == NULL || strchr(fixtures, '\'')) {
    fprintf(stderr, TOOL ": no usable fixture folder at %s\n", c.fixtures);
    return CLI_USAGE;
  }
  snprintf(script, sizeof(script), "%s/nodeloop-diff-%ld.js",
           getenv("TMPDIR") != NULL ? getenv("TMPDIR") : "/tmp",
           (long)getpid());
  memset(&t, 0, sizeof(t));
  cfg.node = c.node;
  cfg.fixtures = fixtures;
  cfg.script = script;
  cfg.backends = c.backends;
  cfg.plant = c.plant;
  cfg.order = c.order;
  cfg.node_runs = (unsigned)c.node_runs;

  for (k = 0; k < c.runs; k++) {
    uint64_t seed = c.seed + k;
    struct dp_prog p;
    struct dp_result r;
    dp_generate(seed, &p);
    if (dp_check(&cfg, &p, seed, &r) != 0) {
      fprintf(stderr, TOOL ": seed %" PRIu64 ": out of memory or no fork\n",
              seed);
      unlink(script);
      return CLI_USAGE;
    }
    if (r.verdict == DV_NODE_FAILED && r.why[0] != '\0' &&
        strstr(r.why, "status 127") != NULL) {
      fprintf(stderr, TOOL ": cannot run %s\n", c.node);
      unlink(script);
      return CLI_USAGE;
    }
    t.verdict[r.verdict]++;
    if (r.verdict == DV_TIMING)
      t.timing[r.timing]++;
    if (r.verdict == DV_UNSTABLE)
      count_unstable(&t, r.why);
    if (c.print) {
      printf("seed %" PRIu64 ":\n", seed);
      show(&p, &r, &cfg);
    }
    if (r.verdict == DV_DIFFERED) {
      t.differed_on[0] += (r.differs & DP_LINUX) != 0;
      t.differed_on[1] += (r.differs & DP_SIM) != 0;
      if (differed(&c, &cfg, seed, &p, &r) != 0) {
        dp_result_free(&r);
        unlink(script);
        return CLI_USAGE;
      }
    }
    dp_result_free(&r);
    if (tty && seconds() - last >= 1.0) {
      progress(&t, k + 1, c.runs);
      last = seconds();
    }
    fflush(stdout);
    if (c.stop_at_first && t.verdict[DV_DIFFERED] != 0) {
      c.runs = k + 1;
      break;
    }
  }
  unlink(script);
  summary(&t, c.runs);
  return t.verdict[DV_DIFFERED] != 0;
}
