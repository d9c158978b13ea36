/*
 * nodeloop-bench: nodeloop against libuv, workload by workload.
 *
 *   nodeloop-bench [--quick] [--reps N] [--only a,b] [--n name=N]
 *                  [--json FILE] [--text FILE]
 *
 * Every run is a fresh child process (this binary again, with a hidden
 * --child flag), so that its peak RSS from wait4() belongs to that run
 * alone. The sides alternate, and the one that goes first moves on with
 * every repetition, so that a burst of load from elsewhere on the machine
 * hits all alike; the medians and their ratios are what to read.
 *
 * The sides are nodeloop and libuv, and for the workloads that wait on I/O
 * nodeloop twice: on linux (epoll) and on io_uring, each run with
 * NODELOOP_BACKEND set to say which. A backend that cannot make a loop
 * (io_uring where the kernel refuses it) is reported unavailable, with the
 * reason, rather than failing the run.
 *
 * For profiling, one side of one workload runs in this process with
 *   nodeloop-bench --child WORKLOAD nodeloop|libuv N
 * (nodeloop on io_uring: with NODELOOP_BACKEND=io_uring in the environment).
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>
#include <uv.h>

#include "cli.h"
#include "driver.h"
#include "nodeloop.h"

#define TOOL "nodeloop-bench"

#ifndef NDL_BENCH_JSON
#define NDL_BENCH_JSON "results.json"
#endif
#ifndef NDL_BENCH_BUILD_TYPE
#define NDL_BENCH_BUILD_TYPE "unknown"
#endif

#define S(key, label)                                                          \
  { key, label, "s", GOAL_NONE, 0 }
#define RSS                                                                    \
  { "maxrss_mb", "peak RSS", "MB", GOAL_NONE, 0 }

static const struct bench_workload workloads[] = {
    {"timers",
     "libuv's million-timers: timer i times out after i/1000+1 ms",
     10000000,
     100000,
     BENCH_NO_IO,
     {bench_timers_ndl, bench_timers_uv},
     {{"start_s", "start", "s", GOAL_RATIO_MAX, 0.5},
      S("run_s", "dispatch (run)"),
      S("cleanup_s", "cleanup"),
      {"total_s", "total", "s", GOAL_RATIO_MAX, 0.8},
      S("start_cpu_s", "start CPU"),
      S("run_cpu_s", "dispatch CPU"),
      S("cpu_s", "CPU"),
      {"maxrss_mb", "peak RSS", "MB", GOAL_RATIO_MAX, 1.0},
      {NULL, NULL, NULL, GOAL_NONE, 0}}},
    {"pool-burst",
     "no-op pool tasks, all submitted at once",
     200000,
     10000,
     BENCH_NO_IO,
     {bench_pool_burst_ndl, bench_pool_burst_uv},
     {S("wall_s", "wall"),
      S("cpu_s", "CPU"),
      {"tasks_per_s", "throughput", "/s", GOAL_RATIO_MIN, 1.0},
      RSS,
      {NULL, NULL, NULL, GOAL_NONE, 0}}},
    {"pool-chain",
     "libuv's queue_work: one task in flight, re-queued from its callback",
     100000,
     10000,
     BENCH_NO_IO,
     {bench_pool_chain_ndl, bench_pool_chain_uv},
     {S("wall_s", "wall"),
      S("cpu_s", "CPU"),
      {"tasks_per_s", "throughput", "/s", GOAL_RATIO_MIN, 1.0},
      RSS,
      {NULL, NULL, NULL, GOAL_NONE, 0}}},
    {"immediates",
     "chained immediates, one per loop iteration (libuv: check + idle)",
     10000000,
     100000,
     BENCH_NO_IO,
     {bench_immediates_ndl, bench_immediates_uv},
     {{"wall_s", "wall", "s", GOAL_RATIO_MAX, 1.0},
      S("cpu_s", "CPU"),
      {"per_s", "rate", "/s", GOAL_NONE, 0},
      RSS,
      {NULL, NULL, NULL, GOAL_NONE, 0}}},
    {"immediates-io",
     "the same with an idle pipe watched on both sides: epoll_wait every time",
     10000000,
     100000,
     BENCH_IO,
     {bench_immediates_io_ndl, bench_immediates_io_uv},
     {S("wall_s", "wall"),
      S("cpu_s", "CPU"),
      {"per_s", "rate", "/s", GOAL_NONE, 0},
      RSS,
      {NULL, NULL, NULL, GOAL_NONE, 0}}},
    {"tcp-pingpong",
     "64-byte round trips over 127.0.0.1, client and server in one loop",
     100000,
     2000,
     BENCH_IO,
     {bench_tcp_ndl, bench_tcp_uv},
     {S("wall_s", "wall"),
      S("cpu_s", "CPU"),
      {"round_trips_per_s", "throughput", "/s", GOAL_RATIO_MIN, 0.9},
      RSS,
      {NULL, NULL, NULL, GOAL_NONE, 0}}},
    {"file-chain",
     "whole reads of a 1 KiB file, each started by the last (fs.readFile)",
     100000,
     2000,
     BENCH_IO,
     {bench_files_ndl, bench_files_uv},
     {S("wall_s", "wall"),
      S("cpu_s", "CPU"),
      {"reads_per_s", "throughput", "/s", GOAL_NONE, 0},
      RSS,
      {NULL, NULL, NULL, GOAL_NONE, 0}}},
    {"sim",
     "nodeloop-sim: seeds per second, and virtual ms per wall ms on demo",
     50000,
     200,
     BENCH_NO_IO,
     {bench_sim_ndl, NULL},
     {S("demo_wall_s", "demo wall"),
      S("proc_cpu_s", "CPU"),
      {"demo_seeds_per_s", "demo seeds", "/s", GOAL_NONE, 0},
      {"speedup_x", "demo speed-up", "x", GOAL_ABS_MIN, 1000},
      S("random_wall_s", "random wall"),
      {"random_seeds_per_s", "random seeds", "/s", GOAL_NONE, 0},
      RSS,
      {NULL, NULL, NULL, GOAL_NONE, 0}}},
};
#define WORKLOADS ((int)(sizeof(workloads) / sizeof(workloads[0])))

const char *const bench_impl_names[BENCH_IMPLS] = {"nodeloop", "libuv"};

static const struct bench_workload *find_workload(const char *name) {
  int i;
  for (i = 0; i < WORKLOADS; i++)
    if (strcmp(workloads[i].name, name) == 0)
      return &workloads[i];
  return NULL;
}

int bench_side_runs(const struct bench_workload *w, int side) {
  if (side == SIDE_IO_URING && w->io != BENCH_IO)
    return 0;
  return w->run[bench_side_impl(side)] != NULL;
}

const char *bench_side_label(const struct bench_workload *w, int side) {
  if (side == SIDE_LIBUV)
    return "libuv";
  if (w->io != BENCH_IO)
    return "nodeloop";
  return side == SIDE_IO_URING ? "nodeloop-io_uring" : "nodeloop-epoll";
}

/* The NODELOOP_BACKEND a side's child gets, or NULL for the driver's own. */
static const char *side_backend(const struct bench_workload *w, int side) {
  if (w->io != BENCH_IO || side == SIDE_LIBUV)
    return NULL;
  return side == SIDE_IO_URING ? "io_uring" : "linux";
}

/* ---- The child: one workload, one side, then exit. */

/* Whether the backend NODELOOP_BACKEND names is there, before a workload
 * fails on it: io_uring where the kernel allows it. Returns 0, or
 * BENCH_UNAVAILABLE after printing "unavailable=<why>" on stdout. */
static int probe_backend(const char *want) {
  char why[256];
  if (strcmp(want, "io_uring") != 0 ||
      ndl_io_uring_check(why, sizeof(why)) == 0)
    return 0;
  printf("unavailable=%s\n", why);
  fflush(stdout);
  return BENCH_UNAVAILABLE;
}

static int child_main(int argc, char **argv) {
  const struct bench_workload *w;
  const char *backend;
  uint64_t n, limit = 0;
  int impl, err;

  if (argc < 5 || argc > 6 || (w = find_workload(argv[2])) == NULL ||
      cli_parse_u64(argv[4], 1, UINT64_MAX, &n) != 0 ||
      (argc > 5 && cli_parse_u64(argv[5], 1, UINT_MAX, &limit) != 0)) {
    fprintf(stderr, "usage: nodeloop-bench --child WORKLOAD nodeloop|libuv N "
                    "[LIMIT_S]\n");
    return 2;
  }
  for (impl = 0; impl < BENCH_IMPLS; impl++)
    if (strcmp(argv[3], bench_impl_names[impl]) == 0)
      break;
  if (impl == BENCH_IMPLS || w->run[impl] == NULL) {
    fprintf(stderr, "nodeloop-bench: %s has no %s side\n", w->name, argv[3]);
    return 2;
  }
  backend = getenv("NODELOOP_BACKEND");
  if (impl == BENCH_NODELOOP && backend != NULL && backend[0] != '\0' &&
      (err = probe_backend(backend)) != 0)
    return err;
  /* A run that hangs is killed rather than stalling the whole benchmark. */
  if (limit != 0)
    alarm((unsigned)limit);
  return w->run[impl](n);
}

/* ---- The driver. */

static double tv_seconds(struct timeval tv) {
  return (double)tv.tv_sec + (double)tv.tv_usec / 1e6;
}

static void sample_add(struct bench_sample *s, const char *key, double value) {
  int i;
  for (i = 0; i < s->count; i++)
    if (strcmp(s->key[i], key) == 0) {
      s->value[i] = value;
      return;
    }
  if (s->count == BENCH_MAX_METRICS + 2)
    return;
  snprintf(s->key[s->count], sizeof(s->key[0]), "%s", key);
  s->value[s->count++] = value;
}

/* Parses the child's "key=value" lines. */
static void sample_parse(struct bench_sample *s, char *out) {
  char *line, *save = NULL, *eq, *end;
  for (line = strtok_r(out, "\n", &save); line != NULL;
       line = strtok_r(NULL, "\n", &save)) {
    double v;
    if ((eq = strchr(line, '=')) == NULL)
      continue;
    *eq = '\0';
    v = strtod(eq + 1, &end);
    if (end != eq + 1)
      sample_add(s, line, v);
  }
}

/* Runs one side of one workload in a fresh child, with NODELOOP_BACKEND
 * set as the side wants. Returns 0 and fills *s; 1 when the side's backend
 * is unavailable, with why in r->unavailable[side]; -1 when the child
 * failed (it said why on stderr). */
static int spawn(struct bench_result *r, int side, unsigned limit_s,
                 struct bench_sample *s) {
  const struct bench_workload *w = r->w;
  const char *backend = side_backend(w, side), *why;
  char count[32], limit[32], out[4096];
  char *argv[] = {"/proc/self/exe",
                  "--child",
                  (char *)w->name,
                  (char *)bench_impl_names[bench_side_impl(side)],
                  count,
                  limit,
                  NULL};
  struct rusage ru;
  size_t len = 0;
  int fds[2], status;
  pid_t pid;
  ssize_t got;

  snprintf(count, sizeof(count), "%llu", (unsigned long long)r->n);
  snprintf(limit, sizeof(limit), "%u", limit_s);
  memset(s, 0, sizeof(*s));
  if (pipe(fds) != 0) {
    perror("nodeloop-bench: pipe");
    return -1;
  }
  fflush(NULL);
  if ((pid = fork()) < 0) {
    perror("nodeloop-bench: fork");
    return -1;
  }
  if (pid == 0) {
    if (backend != NULL)
      setenv("NODELOOP_BACKEND", backend, 1);
    dup2(fds[1], STDOUT_FILENO);
    close(fds[0]);
    close(fds[1]);
    execv(argv[0], argv);
    perror("nodeloop-bench: exec /proc/self/exe");
    _exit(127);
  }
  close(fds[1]);
  /* Read to the end, so the child never blocks on a full pipe; what does
   * not fit in out (far more than any workload reports) is dropped. */
  for (;;) {
    char chunk[1024];
    size_t take;
    got = read(fds[0], chunk, sizeof(chunk));
    if (got < 0 && errno == EINTR)
      continue;
    if (got <= 0)
      break;
    take = (size_t)got < sizeof(out) - 1 - len ? (size_t)got
                                               : sizeof(out) - 1 - len;
    memcpy(out + len, chunk, take);
    len += take;
  }
  out[len] = '\0';
  close(fds[0]);
  while (wait4(pid, &status, 0, &ru) < 0)
    if (errno != EINTR) {
      perror("nodeloop-bench: wait4");
      return -1;
    }
  if (WIFEXITED(status) && WEXITSTATUS(status) == BENCH_UNAVAILABLE &&
      (why = strstr(out, "unavailable=")) != NULL) {
    why += strlen("unavailable=");
    snprintf(r->unavailable[side], sizeof(r->unavailable[side]), "%.*s",
             (int)strcspn(why, "\n"), why);
    return 1;
  }
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    if (WIFSIGNALED(status))
      fprintf(stderr, "nodeloop-bench: %s/%s killed by signal %d%s\n", w->name,
              bench_side_label(w, side), WTERMSIG(status),
              WTERMSIG(status) == SIGALRM ? " (time limit)" : "");
    else
      fprintf(stderr, "nodeloop-bench: %s/%s failed\n", w->name,
              bench_side_label(w, side));
    return -1;
  }
  sample_parse(s, out);
  sample_add(s, "proc_cpu_s",
             tv_seconds(ru.ru_utime) + tv_seconds(ru.ru_stime));
  sample_add(s, "maxrss_mb", (double)ru.ru_maxrss / 1024.0);
  return 0;
}

static void read_load(double load[3]) {
  FILE *f = fopen("/proc/loadavg", "r");
  load[0] = load[1] = load[2] = -1;
  if (f == NULL)
    return;
  if (fscanf(f, "%lf %lf %lf", &load[0], &load[1], &load[2]) != 3)
    load[0] = load[1] = load[2] = -1;
  fclose(f);
}

static int selected(const char *only, const char *name) {
  size_t len = strlen(name);
  const char *p;
  if (only == NULL)
    return 1;
  for (p = only; (p = strstr(p, name)) != NULL; p += len)
    if ((p == only || p[-1] == ',') && (p[len] == '\0' || p[len] == ','))
      return 1;
  return 0;
}

static void usage(void) {
  int i;
  printf(
      "usage: nodeloop-bench [--quick] [--reps N] [--only a,b] "
      "[--n name=N]\n"
      "                      [--json FILE] [--text FILE]\n"
      "       nodeloop-bench --help | --version\n"
      "\n"
      "nodeloop against libuv, workload by workload, each run in a fresh\n"
      "child process; prints the table and writes it as JSON and text.\n"
      "\n"
      "      --quick       small counts, 1 repetition (unless --reps)\n"
      "      --reps N      repetitions per side, 1 to %d (default 5)\n"
      "      --only a,b    only these workloads\n"
      "      --n name=N    run workload name with count N (N >= 1)\n"
      "      --json FILE   the JSON report (default %s)\n"
      "      --text FILE   the text report (default: FILE.json's name,\n"
      "                    ending in .txt)\n"
      "  -h, --help        print this help\n"
      "      --version     print the version and the build\n"
      "\n"
      "Workloads marked io run nodeloop twice, with NODELOOP_BACKEND=linux\n"
      "and =io_uring; the others once, on the backend NODELOOP_BACKEND\n"
      "names (linux when unset). Each is compared with the same libuv runs.\n"
      "\n"
      "For profiling, one side of one workload in this process:\n"
      "  [NODELOOP_BACKEND=B] nodeloop-bench --child WORKLOAD nodeloop|libuv N "
      "[LIMIT_S]\n"
      "\n"
      "workloads:\n",
      BENCH_MAX_REPS, NDL_BENCH_JSON);
  for (i = 0; i < WORKLOADS; i++)
    printf("  %-13s %s (full %llu, quick %llu%s)\n", workloads[i].name,
           workloads[i].about, (unsigned long long)workloads[i].n_full,
           (unsigned long long)workloads[i].n_quick,
           workloads[i].io == BENCH_IO ? "; io" : "");
}

enum {
  OPT_QUICK = CLI_OPT_FIRST_OWN,
  OPT_REPS,
  OPT_ONLY,
  OPT_N,
  OPT_JSON,
  OPT_TEXT,
};

static const struct option long_options[] = {
    {"quick", no_argument, NULL, OPT_QUICK},
    {"reps", required_argument, NULL, OPT_REPS},
    {"only", required_argument, NULL, OPT_ONLY},
    {"n", required_argument, NULL, OPT_N},
    {"json", required_argument, NULL, OPT_JSON},
    {"text", required_argument, NULL, OPT_TEXT},
    {"help", no_argument, NULL, 'h'},
    {"version", no_argument, NULL, CLI_OPT_VERSION},
    {NULL, 0, NULL, 0},
};

/* Writes the report to path, creating nothing but the file. */
static int write_report(const char *path, const struct bench_info *info,
                        const struct bench_result *results, int count,
                        int json) {
  FILE *f = fopen(path, "w");
  if (f == NULL) {
    fprintf(stderr, "nodeloop-bench: %s: %s\n", path, strerror(errno));
    return -1;
  }
  if (json)
    bench_report_json(f, info, results, count);
  else
    bench_report_text(f, info, results, count);
  return fclose(f) == 0 ? 0 : -1;
}

int main(int argc, char **argv) {
  static struct bench_result results[WORKLOADS];
  uint64_t override[WORKLOADS] = {0};
  const char *only = NULL, *json = NDL_BENCH_JSON, *text = NULL;
  char text_default[4096];
  struct bench_info info;
  const char *backend = getenv("NODELOOP_BACKEND");
  int quick = 0, reps = 0, count = 0, failed = 0, i, opt, rep, k, side;
  double started;

  if (argc > 1 && strcmp(argv[1], "--child") == 0)
    return child_main(argc, argv);
  opterr = 0;
  while ((opt = getopt_long(argc, argv, ":h", long_options, NULL)) != -1) {
    switch (opt) {
    case OPT_QUICK:
      quick = 1;
      break;
    case OPT_REPS: {
      uint64_t v;
      if (cli_option_u64(TOOL, "--reps", optarg, 1, BENCH_MAX_REPS, &v))
        return CLI_USAGE;
      reps = (int)v;
      break;
    }
    case OPT_ONLY:
      only = optarg;
      break;
    case OPT_N: {
      char *eq = strchr(optarg, '=');
      const struct bench_workload *w = NULL;
      if (eq != NULL) {
        *eq = '\0';
        w = find_workload(optarg);
      }
      if (w == NULL ||
          cli_parse_u64(eq + 1, 1, UINT64_MAX, &override[w - workloads]) != 0)
        return cli_usage_error(TOOL, "--n wants WORKLOAD=COUNT");
      break;
    }
    case OPT_JSON:
      json = optarg;
      break;
    case OPT_TEXT:
      text = optarg;
      break;
    default:
      return cli_common_option(TOOL, opt, argv, usage);
    }
  }
  if (cli_no_operands(TOOL, argc, argv) != 0)
    return CLI_USAGE;
  if (reps == 0)
    reps = quick ? 1 : 5;
  if (text == NULL) {
    /* The text next to the JSON: results.json gives results.txt. */
    size_t len = strlen(json);
    if (len > 5 && strcmp(json + len - 5, ".json") == 0)
      len -= 5;
    snprintf(text_default, sizeof(text_default), "%.*s.txt", (int)len, json);
    text = text_default;
  }

  memset(&info, 0, sizeof(info));
  info.mode = quick ? "quick" : "full";
  info.reps = reps;
  info.cpus = sysconf(_SC_NPROCESSORS_ONLN);
  info.libuv_version = uv_version_string();
  info.build_type = NDL_BENCH_BUILD_TYPE;
  info.backend = backend != NULL && backend[0] != '\0' ? backend : "linux";
  read_load(info.load_start);
  started = bench_now();

  for (i = 0; i < WORKLOADS; i++) {
    const struct bench_workload *w = &workloads[i];
    struct bench_result *r;
    if (!selected(only, w->name))
      continue;
    r = &results[count++];
    r->w = w;
    r->n = override[i] != 0 ? override[i] : quick ? w->n_quick : w->n_full;
    for (rep = 0; rep < reps; rep++) {
      int sides[BENCH_SIDES], nsides = 0;
      fprintf(stderr, "%-13s n=%-9llu rep %d/%d:", w->name,
              (unsigned long long)r->n, rep + 1, reps);
      for (side = 0; side < BENCH_SIDES; side++)
        if (bench_side_runs(w, side) && r->unavailable[side][0] == '\0')
          sides[nsides++] = side;
      /* Each repetition starts one side further on, so that every side
       * runs first, second, ... equally often: with two sides, nodeloop
       * first on even repetitions and libuv first on odd ones. */
      for (k = 0; k < nsides; k++) {
        int sd = sides[(k + rep) % nsides];
        struct bench_sample *s = &r->samples[sd][r->runs[sd]];
        double t0 = bench_now();
        int rc = spawn(r, sd, quick ? 60 : 900, s);
        if (rc > 0 && sd == SIDE_IO_URING) {
          fprintf(stderr, " %s unavailable", bench_side_label(w, sd));
        } else if (rc != 0) {
          /* Only io_uring may be missing: a loop that linux or the
           * driver's own backend cannot make is a failure. */
          if (rc > 0)
            fprintf(stderr, " (%s)", r->unavailable[sd]);
          r->unavailable[sd][0] = '\0';
          r->failures[sd]++;
          failed = 1;
          fprintf(stderr, " %s FAILED", bench_side_label(w, sd));
        } else {
          r->runs[sd]++;
          fprintf(stderr, " %s %.2fs", bench_side_label(w, sd),
                  bench_now() - t0);
        }
      }
      fputc('\n', stderr);
    }
  }
  if (count == 0) {
    fprintf(stderr, "nodeloop-bench: --only selected no workload\n");
    return 2;
  }
  info.elapsed_s = bench_now() - started;
  read_load(info.load_end);

  bench_report_text(stdout, &info, results, count);
  if (write_report(json, &info, results, count, 1) != 0 ||
      write_report(text, &info, results, count, 0) != 0)
    failed = 1;
  else
    printf("\nwritten: %s, %s\n", json, text);
  return failed;
}
