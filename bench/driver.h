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

/* What a goal compares: the nodeloop/libuv ratio of the medians, or
 * nodeloop's median itself (for the sim, which has no libuv side). */
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

struct bench_workload {
  const char *name;
  const char *about;
  uint64_t n_full, n_quick;
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
  int runs[BENCH_IMPLS];     /* successful runs */
  int failures[BENCH_IMPLS]; /* runs that failed or were killed */
  struct bench_sample samples[BENCH_IMPLS][BENCH_MAX_REPS];
};

struct bench_info {
  const char *mode; /* "full" or "quick" */
  int reps;
  long cpus;
  double load_start[3], load_end[3];
  double elapsed_s;
  const char *libuv_version;
  const char *build_type;
};

extern const char *const bench_impl_names[BENCH_IMPLS];

/* The median of one metric over the runs of one side; 0 and *ok = 0 when
 * no run reported it. */
double bench_median(const struct bench_result *r, int impl, const char *key,
                    int *ok);
void bench_report_text(FILE *f, const struct bench_info *info,
                       const struct bench_result *results, int count);
void bench_report_json(FILE *f, const struct bench_info *info,
                       const struct bench_result *results, int count);

#endif
