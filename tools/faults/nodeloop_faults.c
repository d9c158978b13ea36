/*
 * nodeloop-faults: the fault campaign. Each run takes a seed, draws a
 * world from it (a scenario, a backend, a fault plan), and runs it in a
 * child process, so that a crash or a hang is counted rather than fatal:
 *
 *   nodeloop-faults [--runs N] [--seed S] [--timeout SECONDS] [--jobs N]
 *                   [--shard I/N] [--json FILE] [--plan PLAN]
 *                   [--shrink-max N] [--save-program FILE]
 *                   [--chrome-trace FILE]
 *   nodeloop-faults --merge FILE...
 *   nodeloop-faults --list-faults
 *
 * The child reports what the loop itself counted: the callbacks it
 * registered (what the run expects), those that ran, and those lost or run
 * twice. The campaign prints one line,
 *   runs=N lost=0 duplicated=0 crashes=0 hangs=0
 * and exits 1 if any count is not zero, after printing the command that
 * replays each bad run, and the bad run shrunk (tools/faults/shrink_plan.c).
 * The seeds run in worker processes (tools/campaign/), each of which forks
 * that child; a worker shrinks its bad run when it is among the first
 * --shrink-max bad runs in seed order.
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
#include "campaign_cli.h"
#include "cli.h"
#include "core/prng.h"
#include "merge.h"
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
/* The same on io_uring, whose ring takes the place of epoll and makes the
 * file reads' calls itself (fs/open, fs/fstat, fs/read). */
static const char *const uring_points[] = {
    "uring/enter",          "uring/enter:eagain", "uring/cqe",
    "uring/cqe:eintr",      "linux/eventfd_read", "linux/eventfd_write",
    "net/recv:eintr",       "net/recv:eagain",    "net/recv_short",
    "net/send:eintr",       "net/send:eagain",    "net/send_short",
    "fs/read:eintr",        "fs/open:eio",        "fs/fstat",
    "linux/clock_step:-20", "core/malloc",        "linux/pthread_create",
    "linux/worker_start"};

/* The real-time backend of the worlds that are not on sim: io_uring when
 * NODELOOP_BACKEND=io_uring, else linux (epoll). */
static int on_uring(void) {
  const char *env = getenv("NODELOOP_BACKEND");
  return env != NULL && strcmp(env, "io_uring") == 0;
}

static const char *backend_name(int linux_world) {
  return !linux_world ? "sim" : on_uring() ? "io_uring" : "linux";
}

/* A plan of 1 to 4 points, each failing with a probability up to 5%
 * (thread start-up: up to 50%, as it is reached only a few times). */
static void draw_plan(struct ndl__prng *p, int linux_world, char *out,
                      size_t cap) {
  const char *const *points = sim_points;
  size_t count = sizeof(sim_points) / sizeof(*sim_points);
  unsigned n = 1 + (unsigned)ndl__prng_below(p, 4), i;
  size_t len = 0, picked[4];
  out[0] = '\0';
  if (linux_world && on_uring()) {
    points = uring_points;
    count = sizeof(uring_points) / sizeof(*uring_points);
  } else if (linux_world) {
    points = linux_points;
    count = sizeof(linux_points) / sizeof(*linux_points);
  }
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
           backend_name(linux_world), plan);
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
      "                       [--jobs N] [--shard I/N] [--json FILE]\n"
      "                       [--plan PLAN] [--shrink-max N] [--save-program "
      "FILE]\n"
      "                       [--chrome-trace FILE]\n"
      "       nodeloop-faults --merge FILE...\n"
      "       nodeloop-faults --list-faults | --help | --version\n"
      "\n"
      "The fault campaign: each run draws a world (a scenario, a backend, a\n"
      "fault plan) from its seed and runs it in a child process, so that a\n"
      "crash or a hang is counted rather than fatal. Prints\n"
      "  runs=N lost=0 duplicated=0 crashes=0 hangs=0\n"
      "and, for each bad run, the command that replays it. A quarter of\n"
      "the worlds run in real time: on linux (epoll), or on io_uring with\n"
      "its own fault points when NODELOOP_BACKEND=io_uring.\n"
      "\n"
      "      --runs N          how many runs, 0 to 2^64-1 (default 1000)\n"
      "      --seed S          the first run's seed, 0 to 2^64-1 (default 1);\n"
      "                        run i has seed S+i\n"
      "      --timeout SECONDS a run that takes longer hangs, 0 (no limit) to\n"
      "                        %u (default 20)\n"
      "      --plan PLAN       every run's fault plan, in place of the one "
      "its\n"
      "                        seed draws (to replay a shrunk plan)\n"
      "      --shrink-max N    shrink the first N bad runs in seed order, 0 "
      "to\n"
      "                        2^64-1 (default every one; 0: none): the plan,\n"
      "                        and the program of a random-program world,\n"
      "                        while the run stays bad the same way (a hang's\n"
      "                        tries time out after 3 s)\n"
      "      --save-program FILE\n"
      "                        write the first shrunk random program in seed\n"
      "                        order, with its config and plan, for\n"
      "                        nodeloop-sim --program\n"
      "      --chrome-trace FILE\n"
      "                        with --runs 1: write the run's Chrome trace\n"
      "                        (Perfetto, speedscope)\n",
      UINT_MAX);
  campaign_cli_usage();
  printf(
      "      --list-faults     list the fault points plans may name\n"
      "  -h, --help            print this help\n"
      "      --version         print the version and the build\n"
      "\n"
      "SIGINT or SIGTERM stops after the runs in hand, prints the summary so\n"
      "far and the command that resumes, and exits 130 or 143.\n"
      "Exit status: 0 when every count is 0, 1 when one is not, 2 on a usage\n"
      "error or when a run could not be started.\n");
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
    CAMPAIGN_LONG_OPTIONS,
    {"list-faults", no_argument, NULL, CLI_OPT_LIST_FAULTS},
    {"help", no_argument, NULL, 'h'},
    {"version", no_argument, NULL, CLI_OPT_VERSION},
    {NULL, 0, NULL, 0},
};

/* The counts of campaign_seed, in this order. */
enum { LOST, DUPLICATED, CRASHES, HANGS, INJECTED, EXPECTED, RAN, RUN_ERRORS };
static const char *const count_names[] = {
    "lost",          "duplicated",          "crashes",
    "hangs",         "faults_injected",     "callbacks_expected",
    "callbacks_ran", "runs_ended_by_error", NULL};

struct faults_run {
  const struct campaign *c;
  uint64_t timeout_s;
  uint64_t shrink_max;
  const char *forced;      /* --plan, or NULL */
  const char *chrome_path; /* --chrome-trace, or NULL */
  const char *save_path;   /* --save-program, or NULL */
  int verbose;
};

#define SHRINK_RUNS 2000
/* A candidate of a hang's shrinking hangs after this many seconds (or the
 * --timeout, if shorter): each one that still hangs costs that long. */
#define HANG_SHRINK_S 3

/* Shrinks bad run s and prints the result to out->out; the shrunk plan,
 * and the program of a random-program world, go to out's record (the
 * runner saves the first program in seed order). */
static void shrink_bad(const struct faults_run *f, uint64_t s, int kind,
                       struct campaign_seed *out) {
  static struct prog prog;
  struct campaign_world w;
  struct campaign_bad bad;
  char plan[PROG_PLAN_MAX];
  int runs, program;
  char *text = NULL;
  size_t len;
  FILE *t;

  draw_world(s, f->forced, plan, sizeof(plan), &w);
  program = campaign_is_program(&w);
  if (program)
    prog_generate(s, &prog);
  bad.w = &w;
  bad.seed = s;
  bad.kind = kind;
  bad.timeout_s = (unsigned)f->timeout_s;
  if (kind == BAD_HANG && (f->timeout_s == 0 || f->timeout_s > HANG_SHRINK_S))
    bad.timeout_s = HANG_SHRINK_S;
  runs = campaign_shrink(&bad, program ? &prog : NULL, plan, sizeof(plan),
                         SHRINK_RUNS);
  fprintf(out->out, "shrunk in %d runs: %s on %s, faults %s\n", runs, w.name,
          backend_name(w.linux_backend), plan);
  out->plan = strdup(plan);
  if (!program) {
    fprintf(out->out,
            "replay shrunk: nodeloop-faults --seed %" PRIu64
            " --runs 1 --plan '%s'\n",
            s, plan);
    return;
  }
  /* A shrunk program is not the seed's: nodeloop-sim runs it from a file. */
  prog_print_world(&prog, plan, out->out);
  if ((t = open_memstream(&text, &len)) != NULL) {
    prog_print_world(&prog, plan, t);
    fclose(t);
    out->program = text;
  }
  if (f->save_path == NULL)
    fprintf(out->out, "replay shrunk: --save-program FILE, then nodeloop-sim "
                      "--program FILE\n");
}

/* Prints the bad run: its BAD line, the run shrunk (kind: enum
 * campaign_bad_kind; -1, as for a worker that died, not shrunk), and its
 * replay line. */
static void bad_run(const struct faults_run *f, uint64_t seed,
                    const struct report *r, int status, int kind,
                    struct campaign_seed *out) {
  char replay[1024];
  out->failed = 1;
  snprintf(out->failure, sizeof(out->failure),
           "(%s) lost=%" PRIu64 " duplicated=%" PRIu64 " status=%d",
           r->world[0] ? r->world : "no report", r->lost, r->duplicated,
           status);
  fprintf(out->out, "BAD seed=%" PRIu64 " %s\n", seed, out->failure);
  if (kind >= 0 && campaign_among_first_failures(out, f->shrink_max))
    shrink_bad(f, seed, kind, out);
  campaign_replay(f->c, seed, replay, sizeof(replay));
  fprintf(out->out, "replay: %s\n", replay);
}

/* One run, in a child of the worker. */
static void run_seed(void *ctx, uint64_t s, struct campaign_seed *out) {
  const struct faults_run *f = ctx;
  struct report r;
  int fds[2], status;
  ssize_t got;
  pid_t pid;
  int kind = BAD_COUNTS;

  if (pipe(fds) != 0 || (pid = fork()) < 0) {
    perror("nodeloop-faults");
    _exit(2);
  }
  if (pid == 0) {
    close(fds[0]);
    alarm((unsigned)f->timeout_s); /* a hang ends in SIGALRM */
    run_child(s, f->forced, f->chrome_path, fds[1], f->verbose);
  }
  close(fds[1]);
  memset(&r, 0, sizeof(r));
  got = read(fds[0], &r, sizeof(r));
  close(fds[0]);
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
    ;
  if (f->chrome_path != NULL && WIFEXITED(status) &&
      WEXITSTATUS(status) == CHROME_FAILED) {
    /* Not the run's fault: the runner says the trace failed. */
    out->write_failed = 1;
    return;
  }
  if (WIFSIGNALED(status) && WTERMSIG(status) == SIGALRM) {
    out->counts[HANGS] = 1;
    kind = BAD_HANG;
  } else if (!WIFEXITED(status) || WEXITSTATUS(status) != 0 ||
             got != (ssize_t)sizeof(r)) {
    out->counts[CRASHES] = 1;
    kind = BAD_CRASH;
  } else {
    out->counts[LOST] = r.lost;
    out->counts[DUPLICATED] = r.duplicated;
    out->counts[INJECTED] = r.injected;
    out->counts[EXPECTED] = r.registered;
    out->counts[RAN] = r.callbacks;
    out->counts[RUN_ERRORS] = r.run_err != 0;
    if (r.lost == 0 && r.duplicated == 0)
      return;
  }
  bad_run(f, s, &r, status, kind, out);
}

/* The worker itself died (not the run's child): a crash of the campaign. */
static void worker_died(void *ctx, uint64_t s, int status,
                        struct campaign_seed *out) {
  struct report r;
  memset(&r, 0, sizeof(r));
  out->counts[CRASHES] = 1;
  bad_run(ctx, s, &r, status, -1, out);
}

/* Writes the first shrunk program (the text of program_text.h, as the
 * worker printed it) to path: read back first, so that a file that
 * --program cannot read is never written. Returns 0, or 2 after saying
 * why. */
static int save_first(const char *path, const char *text) {
  static struct prog prog;
  char plan[PROG_PLAN_MAX], why[512];
  FILE *f = fmemopen((void *)text, strlen(text), "r");
  if (f == NULL) {
    perror(TOOL);
    return 2;
  }
  if (prog_read(f, "the shrunk program", &prog, plan, sizeof(plan), why,
                sizeof(why)) != 0 ||
      prog_save(path, &prog, plan, why, sizeof(why)) != 0) {
    fclose(f);
    fprintf(stderr, "nodeloop-faults: %s\n", why);
    return 2;
  }
  fclose(f);
  return 0;
}

int main(int argc, char **argv) {
  uint64_t runs = 1000, seed = 1, timeout_s = 20;
  struct campaign_cli cc;
  struct campaign c;
  struct campaign_totals t;
  struct faults_run f;
  char run_args[PROG_PLAN_MAX + 64], resume[1024] = "", why[256];
  int opt, rc;

  memset(&cc, 0, sizeof(cc));
  memset(&f, 0, sizeof(f));
  f.shrink_max = UINT64_MAX;
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
      f.forced = optarg;
      break;
    case OPT_SHRINK_MAX:
      if (cli_option_u64(TOOL, "--shrink-max", optarg, 0, UINT64_MAX,
                         &f.shrink_max))
        return CLI_USAGE;
      break;
    case OPT_SAVE_PROGRAM:
      f.save_path = optarg;
      break;
    case OPT_CHROME_TRACE:
      f.chrome_path = optarg;
      break;
    default:
      if ((rc = campaign_cli_option(TOOL, opt, optarg, &cc)) == 0)
        break;
      if (rc != 1)
        return rc;
      return cli_common_option(TOOL, opt, argv, usage);
    }
  }
  if (cc.merge)
    return campaign_merge(TOOL, count_names, argc - optind, argv + optind);
  if (cli_no_operands(TOOL, argc, argv) != 0)
    return CLI_USAGE;
  if (runs > 0 && seed > UINT64_MAX - (runs - 1))
    return cli_usage_error(TOOL, "--seed plus --runs passes 2^64-1");
  if (f.chrome_path != NULL && runs != 1)
    return cli_usage_error(TOOL, "--chrome-trace traces one run: --runs 1");
#ifndef FIU_ENABLE
  /* Every world runs under a plan, which such a build cannot apply: each
   * seed would fail. */
  if (runs > 0) {
    fprintf(stderr,
            "%s: this build has no fault points (NDL_FAULTS=OFF); configure "
            "with -DNDL_FAULTS=ON\n",
            TOOL);
    return 2;
  }
#endif

  memset(&c, 0, sizeof(c));
  snprintf(run_args, sizeof(run_args), " --timeout %" PRIu64 "%s%s%s",
           timeout_s, f.forced != NULL ? " --plan '" : "",
           f.forced != NULL ? f.forced : "", f.forced != NULL ? "'" : "");
  c.tool = TOOL;
  c.mode_args = "";
  c.mode = "faults";
  c.run_args = run_args;
  c.count_names = count_names;
  c.run = run_seed;
  c.died = worker_died;
  c.ctx = &f;
  f.c = &c;
  f.timeout_s = timeout_s;
  f.verbose = runs == 1;
  if (f.chrome_path != NULL)
    cc.jobs = 1; /* one run: one worker, whose child writes the trace */
  if ((rc = campaign_cli_apply(TOOL, &cc, seed, runs, &c, resume,
                               sizeof(resume))) != 0)
    return rc;
  if (campaign_run_seeds(&c, &t) != 0)
    return 2;
  printf("faults_injected=%" PRIu64 " callbacks_expected=%" PRIu64
         " callbacks_ran=%" PRIu64 " runs_ended_by_error=%" PRIu64 "\n",
         t.counts[INJECTED], t.counts[EXPECTED], t.counts[RAN],
         t.counts[RUN_ERRORS]);
  printf("runs=%" PRIu64 " lost=%" PRIu64 " duplicated=%" PRIu64
         " crashes=%" PRIu64 " hangs=%" PRIu64 "\n",
         t.done, t.counts[LOST], t.counts[DUPLICATED], t.counts[CRASHES],
         t.counts[HANGS]);
  if (f.save_path != NULL && t.first_program != NULL) {
    if ((rc = save_first(f.save_path, t.first_program)) == 0)
      printf("replay shrunk: nodeloop-sim --program %s  # seed %" PRIu64 "\n",
             f.save_path, t.first_program_seed);
  } else if (f.save_path != NULL) {
    printf("nothing saved: %s\n",
           t.failed == 0 ? "no run was bad"
                         : "no bad run's world was a random program");
    rc = 0;
  } else
    rc = 0;
  free(t.first_program);
  if (f.chrome_path != NULL && t.write_failures > 0) {
    fprintf(stderr,
            "nodeloop-faults: %s: the Chrome trace could not be "
            "written\n",
            f.chrome_path);
    rc = 2;
  }
  if (campaign_end(&c, &t) != 0 && rc == 0)
    rc = 128 + t.stop_signal;
  if (campaign_cli_close(TOOL, &c) != 0)
    return 2;
  if (rc != 0)
    return rc;
  return t.failed != 0;
}
