/*
 * nodeloop-faults: the fault campaign. Each run takes a seed, draws a
 * world from it (a scenario, a backend, a fault plan), and runs it in a
 * child process, so that a crash or a hang is counted rather than fatal:
 *
 *   nodeloop-faults [--runs N] [--seed S] [--timeout SECONDS]
 *   nodeloop-faults --list-faults
 *
 * The child reports what the loop itself counted: the callbacks it
 * registered (what the run expects), those that ran, and those lost or run
 * twice. The campaign prints one line,
 *   runs=N lost=0 duplicated=0 crashes=0 hangs=0
 * and exits 1 if any count is not zero, after printing the command that
 * replays each bad run, and the bad run shrunk (tools/faults/shrink_plan.c).
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "campaign.h"
#include "cli.h"
#include "core/prng.h"
#include "nodeloop_faults.h"
#include "shrink_plan.h"
#include "tools/reference/program_text.h"

#define TOOL "nodeloop-faults"

/* What a child writes back through its pipe. */
struct report {
  uint64_t registered, callbacks, lost, duplicated, injected;
  int run_err;
  char world[320];
};

/* Each backend's worlds fail the calls they make with the errors they must
 * absorb: the sim's simulated sockets and files meet the same points as
 * the kernel's, plus the network's own (resets, latency, partitions). */
static const char *const sim_points[] = {
    "core/malloc",          "net/recv:eintr",
    "net/recv_short",       "net/send:eagain",
    "net/send_short",       "net/connect:econnrefused",
    "net/so_error",         "net/accept:econnaborted",
    "fs/read:eintr",        "fs/open:eio",
    "sim/net_reset",        "sim/net_latency:50",
    "sim/net_partition:100"};
static const char *const linux_points[] = {
    "linux/epoll_wait",     "linux/eventfd_read",   "linux/eventfd_write",
    "net/recv:eintr",       "net/recv:eagain",      "net/recv_short",
    "net/send:eintr",       "net/send:eagain",      "net/send_short",
    "fs/read:eintr",        "linux/clock_step:-20", "core/malloc",
    "linux/pthread_create", "linux/worker_start"};

/* A plan of 1 to 4 points, each failing with a probability up to 5%
 * (thread start-up: up to 50%, as it is reached only a few times). */
static void draw_plan(struct ndl__prng *p, int linux_world, char *out,
                      size_t cap) {
  const char *const *points = linux_world ? linux_points : sim_points;
  size_t count = linux_world ? sizeof(linux_points) / sizeof(*linux_points)
                             : sizeof(sim_points) / sizeof(*sim_points);
  unsigned n = 1 + (unsigned)ndl__prng_below(p, 4), i;
  size_t len = 0, picked[4];
  out[0] = '\0';
  for (i = 0; i < n; i++) {
    const char *point;
    unsigned k;
    /* Distinct points: a point named twice could add up past 1, which the
     * plan parser rightly refuses. */
    do {
      picked[i] = (size_t)ndl__prng_below(p, count);
      for (k = 0; k < i && picked[k] != picked[i]; k++)
        ;
    } while (k < i);
    point = points[picked[i]];
    unsigned per_mille =
        1 + (unsigned)ndl__prng_below(p, strstr(point, "thread") ? 500 : 50);
    len += (size_t)snprintf(out + len, cap - len, "%s%s=%u.%03u", i ? "," : "",
                            point, per_mille / 1000, per_mille % 1000);
  }
}

/* The world of a seed, and its plan (or `forced`, from --plan). */
static void draw_world(uint64_t seed, const char *forced, char *plan,
                       size_t cap, struct campaign_world *w) {
  struct ndl__prng p;
  int linux_world;
  ndl__prng_seed(&p, seed);
  linux_world = ndl__prng_below(&p, 4) == 0;
  draw_plan(&p, linux_world, plan, cap);
  if (forced != NULL)
    snprintf(plan, cap, "%s", forced);
  campaign_pick(&p, linux_world, w);
}

/* The exit status of a child whose Chrome trace could not be written. */
#define CHROME_FAILED 5

static void run_child(uint64_t seed, const char *forced,
                      const char *chrome_path, int fd, int verbose) {
  ndl_chrome_trace *chrome = NULL;
  struct report r;
  struct campaign_world w;
  char plan[PROG_PLAN_MAX], why[256];
  ndl_stats st;
  int linux_world;

  memset(&r, 0, sizeof(r));
  draw_world(seed, forced, plan, sizeof(plan), &w);
  linux_world = w.linux_backend;
  snprintf(r.world, sizeof(r.world), "%s on %s, faults %.250s", w.name,
           linux_world ? "linux" : "sim", plan);
  if (verbose)
    fprintf(stderr, "seed %" PRIu64 ": %s\n", seed, r.world);
  if (ndl_faults_plan(plan, seed, why, sizeof(why)) != 0) {
    fprintf(stderr, "bad plan %s: %s\n", plan, why);
    _exit(3);
  }
  if (chrome_path != NULL && ndl_chrome_trace_open(chrome_path, &chrome) != 0)
    _exit(CHROME_FAILED);
  r.run_err = campaign_run_traced(&w, seed, &st, chrome);
  if (ndl_chrome_trace_close(chrome) != 0)
    _exit(CHROME_FAILED);
  r.injected = ndl_faults_injected();
  ndl_faults_clear();
  r.registered = st.registered;
  r.callbacks = st.callbacks;
  r.lost = st.lost;
  r.duplicated = st.duplicated;
  if (write(fd, &r, sizeof(r)) != (ssize_t)sizeof(r))
    _exit(4);
  _exit(0);
}

static void usage(void) {
  printf(
      "usage: nodeloop-faults [--runs N] [--seed S] [--timeout SECONDS]\n"
      "                       [--plan PLAN] [--shrink-max N] [--save-program "
      "FILE]\n"
      "       nodeloop-faults --list-faults | --help | --version\n"
      "\n"
      "The fault campaign: each run draws a world (a scenario, a backend, a\n"
      "fault plan) from its seed and runs it in a child process, so that a\n"
      "crash or a hang is counted rather than fatal. Prints\n"
      "  runs=N lost=0 duplicated=0 crashes=0 hangs=0\n"
      "and, for each bad run, the command that replays it.\n"
      "\n"
      "      --runs N          how many runs, 0 to 2^64-1 (default 1000)\n"
      "      --seed S          the first run's seed, 0 to 2^64-1 (default 1);\n"
      "                        run i has seed S+i\n"
      "      --timeout SECONDS a run that takes longer hangs, 0 (no limit) to\n"
      "                        %u (default 20)\n"
      "      --plan PLAN       every run's fault plan, in place of the one "
      "its\n"
      "                        seed draws (to replay a shrunk plan)\n"
      "      --shrink-max N    shrink at most N bad runs, 0 to 2^64-1 "
      "(default\n"
      "                        every one; 0: none): the plan, and the program\n"
      "                        of a random-program world, while the run stays\n"
      "                        bad the same way (a hang's tries time out\n"
      "                        after 3 s)\n"
      "      --save-program FILE\n"
      "                        write the first shrunk random program, with "
      "its\n"
      "                        config and plan, for nodeloop-sim --program\n"
      "      --chrome-trace FILE\n"
      "                        with --runs 1: write the run's Chrome trace\n"
      "                        (Perfetto, speedscope)\n"
      "      --list-faults     list the fault points plans may name\n"
      "  -h, --help            print this help\n"
      "      --version         print the version and the build\n"
      "\n"
      "Exit status: 0 when every count is 0, 1 when one is not, 2 on a usage\n"
      "error or when a run could not be started.\n",
      UINT_MAX);
}

enum {
  OPT_RUNS = CLI_OPT_FIRST_OWN,
  OPT_SEED,
  OPT_TIMEOUT,
  OPT_PLAN,
  OPT_SHRINK_MAX,
  OPT_SAVE_PROGRAM,
  OPT_CHROME_TRACE,
};

static const struct option long_options[] = {
    {"runs", required_argument, NULL, OPT_RUNS},
    {"seed", required_argument, NULL, OPT_SEED},
    {"timeout", required_argument, NULL, OPT_TIMEOUT},
    {"plan", required_argument, NULL, OPT_PLAN},
    {"shrink-max", required_argument, NULL, OPT_SHRINK_MAX},
    {"save-program", required_argument, NULL, OPT_SAVE_PROGRAM},
    {"chrome-trace", required_argument, NULL, OPT_CHROME_TRACE},
    {"list-faults", no_argument, NULL, CLI_OPT_LIST_FAULTS},
    {"help", no_argument, NULL, 'h'},
    {"version", no_argument, NULL, CLI_OPT_VERSION},
    {NULL, 0, NULL, 0},
};

#define SHRINK_RUNS 2000
/* A candidate of a hang's shrinking hangs after this many seconds (or the
 * --timeout, if shorter): each one that still hangs costs that long. */
#define HANG_SHRINK_S 3

/* Shrinks bad run s, prints the result, and saves the first shrunk
 * program to save_path. Returns 2 if it could not be saved. */
static int shrink_bad(uint64_t s, const char *forced, int kind,
                      unsigned timeout_s, const char **save_path) {
  static struct prog prog;
  struct campaign_world w;
  struct campaign_bad bad;
  char plan[PROG_PLAN_MAX], why[512];
  int runs, program;

  draw_world(s, forced, plan, sizeof(plan), &w);
  program = campaign_is_program(&w);
  if (program)
    prog_generate(s, &prog);
  bad.w = &w;
  bad.seed = s;
  bad.kind = kind;
  bad.timeout_s = timeout_s;
  if (kind == BAD_HANG && (timeout_s == 0 || timeout_s > HANG_SHRINK_S))
    bad.timeout_s = HANG_SHRINK_S;
  runs = campaign_shrink(&bad, program ? &prog : NULL, plan, sizeof(plan),
                         SHRINK_RUNS);
  printf("shrunk in %d runs: %s on %s, faults %s\n", runs, w.name,
         w.linux_backend ? "linux" : "sim", plan);
  if (!program) {
    printf("replay shrunk: nodeloop-faults --seed %" PRIu64
           " --runs 1 --plan '%s'\n",
           s, plan);
    return 0;
  }
  /* A shrunk program is not the seed's: nodeloop-sim runs it from a file. */
  prog_print_world(&prog, plan, stdout);
  if (*save_path == NULL) {
    printf("replay shrunk: --save-program FILE, then nodeloop-sim --program "
           "FILE\n");
    return 0;
  }
  if (prog_save(*save_path, &prog, plan, why, sizeof(why)) != 0) {
    fprintf(stderr, "nodeloop-faults: %s\n", why);
    return 2;
  }
  printf("replay shrunk: nodeloop-sim --program %s\n", *save_path);
  *save_path = NULL; /* the first one only */
  return 0;
}

int main(int argc, char **argv) {
  uint64_t runs = 1000, seed = 1, timeout_s = 20, i;
  uint64_t shrink_max = UINT64_MAX, shrunk = 0;
  const char *forced = NULL, *save_path = NULL, *chrome_path = NULL;
  char why[256];
  uint64_t lost = 0, duplicated = 0, crashes = 0, hangs = 0, injected = 0;
  uint64_t expected = 0, ran = 0, run_errors = 0;
  int opt;

  opterr = 0;
  while ((opt = getopt_long(argc, argv, ":h", long_options, NULL)) != -1) {
    switch (opt) {
    case OPT_RUNS:
      if (cli_option_u64(TOOL, "--runs", optarg, 0, UINT64_MAX, &runs))
        return CLI_USAGE;
      break;
    case OPT_SEED:
      if (cli_option_u64(TOOL, "--seed", optarg, 0, UINT64_MAX, &seed))
        return CLI_USAGE;
      break;
    case OPT_TIMEOUT:
      /* alarm() takes an unsigned: more would wrap to a short limit. */
      if (cli_option_u64(TOOL, "--timeout", optarg, 0, UINT_MAX, &timeout_s))
        return CLI_USAGE;
      break;
    case OPT_PLAN:
      if (ndl_faults_plan(optarg, 1, why, sizeof(why)) != 0)
        return cli_usage_error(TOOL, "--plan: %s", why);
      ndl_faults_clear();
      forced = optarg;
      break;
    case OPT_SHRINK_MAX:
      if (cli_option_u64(TOOL, "--shrink-max", optarg, 0, UINT64_MAX,
                         &shrink_max))
        return CLI_USAGE;
      break;
    case OPT_SAVE_PROGRAM:
      save_path = optarg;
      break;
    case OPT_CHROME_TRACE:
      chrome_path = optarg;
      break;
    default:
      return cli_common_option(TOOL, opt, argv, usage);
    }
  }
  if (cli_no_operands(TOOL, argc, argv) != 0)
    return CLI_USAGE;
  if (chrome_path != NULL && runs != 1)
    return cli_usage_error(TOOL, "--chrome-trace traces one run: --runs 1");

  for (i = 0; i < runs; i++) {
    uint64_t s = seed + i;
    struct report r;
    int fds[2], status;
    ssize_t got;
    pid_t pid;
    int bad = 0, kind = BAD_COUNTS;

    if (pipe(fds) != 0 || (pid = fork()) < 0) {
      perror("nodeloop-faults");
      return 2;
    }
    if (pid == 0) {
      close(fds[0]);
      alarm((unsigned)timeout_s); /* a hang ends in SIGALRM */
      run_child(s, forced, chrome_path, fds[1], runs == 1);
    }
    close(fds[1]);
    memset(&r, 0, sizeof(r));
    got = read(fds[0], &r, sizeof(r));
    close(fds[0]);
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
      ;
    if (chrome_path != NULL && WIFEXITED(status) &&
        WEXITSTATUS(status) == CHROME_FAILED) {
      fprintf(stderr,
              "nodeloop-faults: %s: the Chrome trace could not be "
              "written\n",
              chrome_path);
      return 2;
    }
    if (WIFSIGNALED(status) && WTERMSIG(status) == SIGALRM) {
      hangs++;
      bad = 1;
      kind = BAD_HANG;
    } else if (!WIFEXITED(status) || WEXITSTATUS(status) != 0 ||
               got != (ssize_t)sizeof(r)) {
      crashes++;
      bad = 1;
      kind = BAD_CRASH;
    } else {
      lost += r.lost;
      duplicated += r.duplicated;
      injected += r.injected;
      expected += r.registered;
      ran += r.callbacks;
      run_errors += r.run_err != 0;
      bad = r.lost != 0 || r.duplicated != 0;
    }
    if (bad)
      printf("BAD seed=%" PRIu64 " (%s) lost=%" PRIu64 " duplicated=%" PRIu64
             " status=%d\nreplay: nodeloop-faults --seed %" PRIu64
             " --runs 1%s%s%s\n",
             s, r.world[0] ? r.world : "no report", r.lost, r.duplicated,
             status, s, forced != NULL ? " --plan '" : "",
             forced != NULL ? forced : "", forced != NULL ? "'" : "");
    if (bad && shrunk < shrink_max) {
      shrunk++;
      if (shrink_bad(s, forced, kind, (unsigned)timeout_s, &save_path) != 0)
        return 2;
    }
  }
  printf("faults_injected=%" PRIu64 " callbacks_expected=%" PRIu64
         " callbacks_ran=%" PRIu64 " runs_ended_by_error=%" PRIu64 "\n",
         injected, expected, ran, run_errors);
  printf("runs=%" PRIu64 " lost=%" PRIu64 " duplicated=%" PRIu64
         " crashes=%" PRIu64 " hangs=%" PRIu64 "\n",
         runs, lost, duplicated, crashes, hangs);
  return lost || duplicated || crashes || hangs;
}
