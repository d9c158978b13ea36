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
 *   nodeloop-diff --runs 3000 --shard 0/4 --json s0.json; --merge s*.json
 *
 * The seeds run as a campaign (tools/campaign/): worker processes, what
 * they print in seed order, the same for any --jobs, the progress line,
 * --shard, --json and --merge, and a clean stop on SIGINT with the command
 * that resumes. Each seed is seed.c.
 */
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "campaign_cli.h"
#include "cli.h"
#include "merge.h"
#include "node.h"
#include "seed.h"

#define TOOL "nodeloop-diff"
#define MAX_RUNS 1000000u
#define NODE_RUNS 3

#ifndef NDL_DIFF_FIXTURES
#define NDL_DIFF_FIXTURES "."
#endif

struct cli {
  uint64_t seed, runs, node_runs, shrink_max;
  unsigned backends;
  enum dp_plant plant;
  ndl_timer_order order;
  const char *out, *node, *fixtures;
  int print, stop_at_first, node_given, fixtures_given, shrink_given;
  struct campaign_cli cc;
};

static void usage(void) {
  printf(
      "usage: nodeloop-diff [--seed S] [--runs K] [--backend linux|sim|both]\n"
      "                     [--out DIR] [--node-runs N] [--node CMD]\n"
      "                     [--fixtures DIR] [--plant NAME] [--print]\n"
      "                     [--stop-at-first] [--timer-order deadline|node]\n"
      "                     [--shrink-max N] [--jobs N] [--shard I/N]\n"
      "                     [--json FILE]\n"
      "       nodeloop-diff --merge FILE...\n"
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
      "      --node-runs N     node runs per program, 2 to 20 (default %d)\n"
      "      --node CMD        the node to run (default node)\n"
      "      --fixtures DIR    the files fs.readFile reads (default the\n"
      "                        source tree's tools/diff/fixtures)\n"
      "      --plant NAME      mimic an ordering bug in the interpreter:\n"
      "                        tick-as-microtask or immediate-as-timeout\n"
      "      --print           print each program, its script and its lines\n"
      "      --stop-at-first   stop after the first difference in seed order\n"
      "      --timer-order O   the loops' timer order: deadline (default),\n"
      "                        or node (NDL_TIMER_ORDER_NODE), with which\n"
      "                        no late-phase program is refused\n"
      "      --shrink-max N    shrink the first N differences in seed order,\n"
      "                        0 to 2^64-1 (default every one; 0: none)\n",
      MAX_RUNS, NODE_RUNS);
  campaign_cli_usage();
  printf(
      "  -h, --help            print this help\n"
      "      --version         print the version and the build\n"
      "\n"
      "Node and nodeloop linux run in real time: more --jobs than cores can\n"
      "make programs unstable that one job would compare. The JSON summary\n"
      "counts every outcome, and its mode names node's version, so that\n"
      "--merge refuses shards run against different nodes. SIGINT or SIGTERM\n"
      "stops after the seeds in hand, prints the summary so far and the\n"
      "command that resumes, and exits 130 or 143.\n"
      "Exit status: 0 when no program differed, 1 when one did (or a worker\n"
      "died), 2 on a usage error or when node cannot be run.\n");
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
  OPT_TIMER_ORDER,
  OPT_SHRINK_MAX
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
      {"shrink-max", required_argument, NULL, OPT_SHRINK_MAX},
      CAMPAIGN_LONG_OPTIONS,
      {"help", no_argument, NULL, 'h'},
      {"version", no_argument, NULL, CLI_OPT_VERSION},
      {NULL, 0, NULL, 0}};
  int opt, rc;
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
      c->node_given = 1;
      break;
    case OPT_FIXTURES:
      c->fixtures = optarg;
      c->fixtures_given = 1;
      break;
    case OPT_SHRINK_MAX:
      if (cli_option_u64(TOOL, "--shrink-max", optarg, 0, UINT64_MAX,
                         &c->shrink_max))
        return CLI_USAGE;
      c->shrink_given = 1;
      break;
    case OPT_PRINT:
      c->print = 1;
      break;
    case OPT_STOP:
      c->stop_at_first = 1;
      break;
    default:
      if ((rc = campaign_cli_option(TOOL, opt, optarg, &c->cc)) == 0)
        break;
      if (rc != 1)
        return rc;
      return cli_common_option(TOOL, opt, argv, usage) == 0 ? -1 : CLI_USAGE;
    }
  }
  if (c->cc.merge)
    return 0;
  if (cli_no_operands(TOOL, argc, argv) != 0)
    return CLI_USAGE;
  if (c->seed > UINT64_MAX - (c->runs - 1))
    return cli_usage_error(TOOL, "--seed plus --runs passes 2^64-1");
  /* Replay and resume lines quote them. */
  if (strchr(c->node, '\'') != NULL ||
      (c->out != NULL && strchr(c->out, '\'') != NULL))
    return cli_usage_error(TOOL, "--node and --out take no quote (replay "
                                 "lines quote them)");
  return 0;
}

static void summary(const struct campaign_totals *t) {
  const uint64_t *n = t->counts;
  uint64_t discarded = 0;
  int k;
  for (k = DC_REFUSED; k <= DC_NODE_FAILED; k++)
    discarded += n[k];
  printf("programs=%" PRIu64 " agreed=%" PRIu64 " differed=%" PRIu64
         " (linux %" PRIu64 ", sim %" PRIu64 ") discarded=%" PRIu64
         " seeds_per_s=%.1f\n",
         t->done, n[DC_AGREED], n[DC_DIFFERED], n[DC_DIFFERED_LINUX],
         n[DC_DIFFERED_SIM], discarded, campaign_rate(t));
  for (k = 1; k < DT_COUNT; k++)
    if (n[DC_REFUSED + k - 1] != 0)
      printf("  discarded %" PRIu64 ": %s\n", n[DC_REFUSED + k - 1],
             dp_timing_reason(k));
  for (k = 0; k < DU_COUNT; k++)
    if (n[DC_UNSTABLE + k] != 0)
      printf("  discarded %" PRIu64 ": unstable: %s\n", n[DC_UNSTABLE + k],
             diff_unstable_reason(k));
  if (n[DC_NODE_FAILED] != 0)
    printf("  discarded %" PRIu64 ": node failed\n", n[DC_NODE_FAILED]);
  if (n[DC_CRASHES] != 0)
    printf("crashes=%" PRIu64 " (a worker died on the seed)\n", n[DC_CRASHES]);
}

/* Asks node for its version, into mode ("node v20.11.1"): the JSON
 * summary's mode, so that shards run against different nodes do not
 * merge. Returns 0, or CLI_USAGE after saying node cannot be run. */
static int node_version(const char *node, char *mode, size_t n) {
  char *out;
  int st = dp_node_run(node, "--version", &out);
  if (st != 0) {
    fprintf(stderr, TOOL ": cannot run %s (%s %d)\n", node,
            st < 0 ? "no process:" : "exit status", st);
    if (st >= 0)
      free(out);
    return CLI_USAGE;
  }
  snprintf(mode, n, "node %.*s", (int)strcspn(out, "\n"), out);
  free(out);
  return 0;
}

/* The options after --seed that shape every run (each replay line repeats
 * them; merged files must agree on them), and those a resumed run adds. */
static void run_args(const struct cli *c, const char *fixtures, char *args,
                     size_t n, char *resume, size_t rn) {
  int len = snprintf(
      args, n, " --backend %s%s%s%s",
      c->backends == (DP_LINUX | DP_SIM) ? "both"
      : c->backends == DP_LINUX          ? "linux"
                                         : "sim",
      c->order == NDL_TIMER_ORDER_NODE ? " --timer-order node" : "",
      c->plant != DP_PLANT_NONE ? " --plant " : "",
      c->plant == DP_PLANT_TICK_AS_MICROTASK      ? "tick-as-microtask"
      : c->plant == DP_PLANT_IMMEDIATE_AS_TIMEOUT ? "immediate-as-timeout"
                                                  : "");
  if (c->node_runs != NODE_RUNS && len >= 0 && (size_t)len < n)
    len += snprintf(args + len, n - (size_t)len, " --node-runs %" PRIu64,
                    c->node_runs);
  if (c->node_given && len >= 0 && (size_t)len < n)
    len += snprintf(args + len, n - (size_t)len, " --node '%s'", c->node);
  if (c->fixtures_given && len >= 0 && (size_t)len < n)
    snprintf(args + len, n - (size_t)len, " --fixtures '%s'", fixtures);
  len = snprintf(resume, rn, "%s%s", c->print ? " --print" : "",
                 c->stop_at_first ? " --stop-at-first" : "");
  if (c->shrink_given && len >= 0 && (size_t)len < rn)
    len += snprintf(resume + len, rn - (size_t)len, " --shrink-max %" PRIu64,
                    c->shrink_max);
  if (c->out != NULL && len >= 0 && (size_t)len < rn)
    snprintf(resume + len, rn - (size_t)len, " --out '%s'", c->out);
}

int main(int argc, char **argv) {
  struct cli c;
  struct campaign camp;
  struct campaign_totals t;
  struct diff_run d;
  char fixtures[PATH_MAX], mode[128], args[PATH_MAX + 512];
  char resume[PATH_MAX + 512];
  int rc;

  memset(&c, 0, sizeof(c));
  c.seed = 1;
  c.runs = 100;
  c.node_runs = NODE_RUNS;
  c.shrink_max = UINT64_MAX;
  c.backends = DP_LINUX | DP_SIM;
  c.plant = DP_PLANT_NONE;
  c.order = NDL_TIMER_ORDER_DEADLINE;
  c.node = "node";
  c.fixtures = NDL_DIFF_FIXTURES;
  if ((rc = parse(argc, argv, &c)) != 0)
    return rc < 0 ? 0 : rc;
  if (c.cc.merge)
    return campaign_merge(TOOL, diff_count_names(), argc - optind,
                          argv + optind);
  if (realpath(c.fixtures, fixtures) == NULL || strchr(fixtures, '\'')) {
    fprintf(stderr, TOOL ": no usable fixture folder at %s\n", c.fixtures);
    return CLI_USAGE;
  }
  if ((rc = node_version(c.node, mode, sizeof(mode))) != 0)
    return rc;
  run_args(&c, fixtures, args, sizeof(args), resume, sizeof(resume));

  memset(&d, 0, sizeof(d));
  d.cfg.node = c.node;
  d.cfg.fixtures = fixtures;
  d.cfg.backends = c.backends;
  d.cfg.plant = c.plant;
  d.cfg.order = c.order;
  d.cfg.node_runs = (unsigned)c.node_runs;
  d.c = &camp;
  d.out = c.out;
  d.tmpdir = getenv("TMPDIR") != NULL ? getenv("TMPDIR") : "/tmp";
  /* --stop-at-first shrinks only the first difference: a worker's later
   * one is dropped. */
  d.shrink_max = c.stop_at_first && c.shrink_max > 1 ? 1 : c.shrink_max;
  d.print = c.print;

  memset(&camp, 0, sizeof(camp));
  camp.tool = TOOL;
  camp.mode_args = "";
  camp.mode = mode;
  camp.run_args = args;
  camp.count_names = diff_count_names();
  camp.stop_after = c.stop_at_first;
  camp.run = diff_seed;
  camp.died = diff_died;
  camp.ctx = &d;
  if ((rc = campaign_cli_apply(TOOL, &c.cc, c.seed, c.runs, &camp, resume,
                               sizeof(resume))) != 0)
    return rc;
  if (campaign_run_seeds(&camp, &t) != 0)
    return 2;
  summary(&t);
  free(t.first_program);
  rc = campaign_end(&camp, &t);
  if (campaign_cli_close(TOOL, &camp) != 0)
    return 2;
  if (rc != 0)
    return rc;
  return t.failed != 0;
}
