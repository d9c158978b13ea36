/*
 * nodeloop-bench: each workload written twice, once on nodeloop and once on
 * libuv, run alternately in fresh child processes so that each run's peak
 * memory is its own.
 *
 * A child runs one workload on one library and reports what it measured on
 * stdout as "key=value" lines (bench_emit). The driver (main.c) adds the
 * child's CPU time and peak RSS from wait4(), takes the median over the
 * repetitions, and writes the table (report.c).
 */
#ifndef NDL_BENCH_H
#define NDL_BENCH_H

#include <stdint.h>

enum bench_impl { BENCH_NODELOOP = 0, BENCH_LIBUV, BENCH_IMPLS };

/* A child's exit code when nodeloop cannot make a loop on the backend that
 * NODELOOP_BACKEND names; it has printed "unavailable=<why>" on stdout. */
#define BENCH_UNAVAILABLE 3

/* Runs a workload of size n in this process and emits its metrics.
 * Returns 0, or 1 after printing why on stderr (a wrong count, an error). */
typedef int (*bench_run_fn)(uint64_t n);

/* ---- Helpers for the child side (util.c). */
/* Writes "key=value" on stdout, which is the pipe to the driver. */
void bench_emit(const char *key, double value);
/* CLOCK_MONOTONIC, in seconds. */
double bench_now(void);
/* User plus system time of the whole process (every thread), in seconds. */
double bench_cpu(void);
/* A timed stretch of a run: wall and CPU time at its start and its end. */
struct bench_clock {
  double t0, c0, t1, c1;
};
void bench_clock_start(struct bench_clock *c);
void bench_clock_stop(struct bench_clock *c);
/* Emits wall_s, cpu_s, and rate_key: count per wall second. */
void bench_emit_rate(const struct bench_clock *c, const char *rate_key,
                     uint64_t count);
/* Prints "nodeloop-bench: <message>" on stderr and returns 1. */
int bench_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* The pool size both libraries get, so neither has more threads. */
#define BENCH_POOL_THREADS 4u
/* Sets UV_THREADPOOL_SIZE before libuv's pool starts. */
void bench_uv_pool_size(void);

/* ---- The workloads: wl_<name>.c, one function per library. */
int bench_timers_ndl(uint64_t n);
int bench_timers_uv(uint64_t n);
int bench_pool_burst_ndl(uint64_t n);
int bench_pool_burst_uv(uint64_t n);
int bench_pool_chain_ndl(uint64_t n);
int bench_pool_chain_uv(uint64_t n);
int bench_immediates_ndl(uint64_t n);
int bench_immediates_uv(uint64_t n);
int bench_immediates_io_ndl(uint64_t n);
int bench_immediates_io_uv(uint64_t n);
int bench_tcp_ndl(uint64_t n);
int bench_tcp_uv(uint64_t n);
int bench_files_ndl(uint64_t n);
int bench_files_uv(uint64_t n);
/* The sim backend: runs nodeloop-sim (nodeloop only). */
int bench_sim_ndl(uint64_t n);

#endif
