/*
 * The driver's side of nodeloop-bench: the workload table, the samples the
 * children report, and the report writers.
 */
#ifndef NDL_BENCH_DRIVER_H
#define NDL_BENCH_DRIVER_H

#include <stdint.h>
#include <stdio.h>

#include "bench.h"

#define BENCH_MAX_METRICS 16
#define BENCH_MAX_REPS 25

/* What a goal compares: the nodeloop/libuv ratio of the medians (for an
 * I/O workload, on each backend), or nodeloop's median itself (for the sim,
 * which has no libuv side). */
enum bench_goal {
  GOAL_NONE = 0,
  GOAL_RATIO_MAX, /* ratio <= value */
  GOAL_RATIO_MIN, /* ratio >= value */
  GOAL_ABS_MIN    /* nodeloop >= value */
};

struct bench_metric {
  const char *key; /* as the child emits it */
  const char *label;
  const char *unit; /* "s", "MB", "/s", "x", "ms" */
  enum bench_goal goal;
  double goal_value;
};

/* Whether a workload's nodeloop side waits on I/O, so that the backend
 * matters: those run on each real backend, the others once, on the one
 * NODELOOP_BACKEND names (linux when it is unset). */
enum bench_io { BENCH_NO_IO = 0, BENCH_IO };

/* The sides of a result. A child learns its backend from NODELOOP_BACKEND,
 * which the driver sets in its environment: for an I/O workload, "linux"
 * on SIDE_NODELOOP and "io_uring" on SIDE_IO_URING; for the others
 * SIDE_NODELOOP inherits the driver's and SIDE_IO_URING does not run. Both
 * nodeloop sides are compared with the same libuv runs. */
enum bench_side { SIDE_NODELOOP = 0, SIDE_LIBUV, SIDE_IO_URING, BENCH_SIDES };

struct bench_workload {
  const char *name;
  const char *about;
  uint64_t n_full, n_quick;
  enum bench_io io;
  bench_run_fn run[BENCH_IMPLS];                  /* NULL: no such side */
  struct bench_metric metrics[BENCH_MAX_METRICS]; /* until key == NULL */
};

/* The metrics of one child run. Besides what the child emitted, the driver
 * adds proc_cpu_s (user + system time of the whole child, from wait4) and
 * maxrss_mb (its peak resident set). */
struct bench_sample {
  int count;
  char key[BENCH_MAX_METRICS + 2][32];
  double value[BENCH_MAX_METRICS + 2];
};

struct bench_result {
  const struct bench_workload *w;
  uint64_t n;
  int runs[BENCH_SIDES];     /* successful runs */
  int failures[BENCH_SIDES]; /* runs that failed or were killed */
  /* Why a side's backend could not make a loop ("" when it could); such a
   * side is tried once and is neither a run nor a failure. */
  char unavailable[BENCH_SIDES][256];
  struct bench_sample samples[BENCH_SIDES][BENCH_MAX_REPS];
};

struct bench_info {
  const char *mode; /* "full" or "quick" */
  int reps;
  long cpus;
  double load_start[3], load_end[3];
  double elapsed_s;
  const char *libuv_version;
  const char *build_type;
  const char *backend; /* NODELOOP_BACKEND of the driver, else "linux" */
};

extern const char *const bench_impl_names[BENCH_IMPLS];

/* Which library a side runs. */
static inline enum bench_impl bench_side_impl(int side) {
  return side == SIDE_LIBUV ? BENCH_LIBUV : BENCH_NODELOOP;
}
/* Whether workload w runs on side: the io_uring side only for I/O
 * workloads, the libuv side only where there is one. */
int bench_side_runs(const struct bench_workload *w, int side);
/* A side's name in the text and on stderr: "nodeloop-epoll" and
 * "nodeloop-io_uring" on an I/O workload, else "nodeloop"; "libuv". */
const char *bench_side_label(const struct bench_workload *w, int side);

/* The median of one metric over the runs of one side; 0 and *ok = 0 when
 * no run reported it. */
double bench_median(const struct bench_result *r, int side, const char *key,
                    int *ok);
void bench_report_text(FILE *f, const struct bench_info *info,
                       const struct bench_result *results, int count);
void bench_report_json(FILE *f, const struct bench_info *info,
                       const struct bench_result *results, int count);

#endif
