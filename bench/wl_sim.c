/*
 * The sim backend, through the nodeloop-sim tool (there is no libuv
 * counterpart). Three runs of it:
 *   --scenario demo --runs n      seeds per second on the chapter's demo;
 *   --scenario demo --seed 1      one traced run, for its virtual_ms;
 *   --random --runs n             seeds per second on random programs, when
 *                                 this nodeloop-sim has --random.
 * The speed-up is virtual time per wall time on the demo:
 * virtual_ms * seeds_per_s / 1000.
 *
 * The tool is NDL_BENCH_SIM from the environment, or the one built next to
 * this binary (NDL_SIM_BIN).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench.h"

#ifndef NDL_SIM_BIN
#define NDL_SIM_BIN "nodeloop-sim"
#endif

#define TOOL_LIMIT_S 120

struct capture {
  char *out; /* everything the tool wrote on stdout, NUL-terminated */
  size_t len;
  int status; /* its exit code, or -1 if it did not exit normally */
};

/* Runs argv with stdout into a pipe and stderr to /dev/null, and collects
 * all it prints. Returns 0, or -1 if it could not be started. A tool killed
 * by its time limit has status -1. */
static int run_tool(char *const argv[], struct capture *c) {
  size_t cap = 65536;
  int fds[2], status;
  pid_t pid;
  ssize_t r;

  memset(c, 0, sizeof(*c));
  if ((c->out = malloc(cap)) == NULL || pipe(fds) != 0)
    return -1;
  if ((pid = fork()) < 0)
    return -1;
  if (pid == 0) {
    int null = open("/dev/null", O_WRONLY);
    /* A seed that never ends must not outlive the benchmark: the alarm
     * survives exec and kills the tool. */
    alarm(TOOL_LIMIT_S);
    dup2(fds[1], STDOUT_FILENO);
    if (null >= 0)
      dup2(null, STDERR_FILENO);
    close(fds[0]);
    close(fds[1]);
    execv(argv[0], argv);
    _exit(127);
  }
  close(fds[1]);
  for (;;) {
    if (c->len + 1 == cap) {
      char *grown = realloc(c->out, cap * 2);
      if (grown == NULL)
        break;
      c->out = grown;
      cap *= 2;
    }
    r = read(fds[0], c->out + c->len, cap - c->len - 1);
    if (r < 0 && errno == EINTR)
      continue;
    if (r <= 0)
      break;
    c->len += (size_t)r;
  }
  c->out[c->len] = '\0';
  close(fds[0]);
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
    ;
  c->status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return 0;
}

/* The number after the last "key=" in s, or -1. */
static double find_value(const char *s, const char *key) {
  const char *p, *last = NULL;
  size_t klen = strlen(key);
  for (p = s; (p = strstr(p, key)) != NULL; p += klen)
    if (p[klen] == '=')
      last = p + klen + 1;
  return last != NULL ? strtod(last, NULL) : -1;
}

static const char *sim_path(void) {
  const char *env = getenv("NDL_BENCH_SIM");
  return env != NULL && *env != '\0' ? env : NDL_SIM_BIN;
}

/* Seeds per second from a multi-run invocation, or -1. */
static double seeds_per_s(char **argv, double *wall) {
  struct capture c;
  double t0 = bench_now(), rate;
  if (run_tool(argv, &c) != 0) {
    free(c.out);
    return -1;
  }
  *wall = bench_now() - t0;
  /* 1 means some seed failed its checks: the rate still stands. */
  rate = c.status == 0 || c.status == 1 ? find_value(c.out, "seeds_per_s") : -1;
  if (c.status == -1)
    bench_fail("%s did not finish within %d s", argv[0], TOOL_LIMIT_S);
  if (c.status == 1)
    bench_fail("%s reported failing seeds:\n%.2000s", argv[0], c.out);
  free(c.out);
  return rate;
}

int bench_sim_ndl(uint64_t n) {
  char runs[32], *bin = (char *)sim_path();
  char *demo_runs[] = {bin, "--scenario", "demo", "--seed",
                       "1", "--runs",     runs,   NULL};
  char *demo_one[] = {bin, "--scenario", "demo", "--seed", "1", NULL};
  char *random_runs[] = {bin, "--random", "--seed", "1", "--runs", runs, NULL};
  struct capture one;
  double rate, virtual_ms, wall, random_wall, random_rate;

  snprintf(runs, sizeof(runs), "%llu", (unsigned long long)(n < 2 ? 2 : n));
  if ((rate = seeds_per_s(demo_runs, &wall)) <= 0)
    return bench_fail("%s --scenario demo --runs %s printed no seeds_per_s",
                      bin, runs);
  if (run_tool(demo_one, &one) != 0 || one.status != 0 ||
      (virtual_ms = find_value(one.out, "virtual_ms")) <= 0) {
    free(one.out);
    return bench_fail("%s --scenario demo printed no virtual_ms", bin);
  }
  free(one.out);
  bench_emit("demo_wall_s", wall);
  bench_emit("demo_seeds_per_s", rate);
  bench_emit("demo_virtual_ms", virtual_ms);
  bench_emit("speedup_x", virtual_ms * rate / 1000.0);
  /* --random is newer than this benchmark; without it, only the demo. */
  if ((random_rate = seeds_per_s(random_runs, &random_wall)) > 0) {
    bench_emit("random_wall_s", random_wall);
    bench_emit("random_seeds_per_s", random_rate);
  }
  return 0;
}
