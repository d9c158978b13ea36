#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <time.h>

#include "bench.h"

void bench_emit(const char *key, double value) {
  printf("%s=%.9g\n", key, value);
  fflush(stdout);
}

double bench_now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double seconds(struct timeval tv) {
  return (double)tv.tv_sec + (double)tv.tv_usec / 1e6;
}

double bench_cpu(void) {
  struct rusage ru;
  if (getrusage(RUSAGE_SELF, &ru) != 0)
    return 0;
  return seconds(ru.ru_utime) + seconds(ru.ru_stime);
}

void bench_clock_start(struct bench_clock *c) {
  c->t0 = bench_now();
  c->c0 = bench_cpu();
}

void bench_clock_stop(struct bench_clock *c) {
  c->t1 = bench_now();
  c->c1 = bench_cpu();
}

void bench_emit_rate(const struct bench_clock *c, const char *rate_key,
                     uint64_t count) {
  bench_emit("wall_s", c->t1 - c->t0);
  bench_emit("cpu_s", c->c1 - c->c0);
  bench_emit(rate_key, (double)count / (c->t1 - c->t0));
}

int bench_fail(const char *fmt, ...) {
  va_list ap;
  fputs("nodeloop-bench: ", stderr);
  va_start(ap, fmt);
  vfprintf(stderr, fmt, ap);
  va_end(ap);
  fputc('\n', stderr);
  return 1;
}

void bench_uv_pool_size(void) {
  char n[16];
  snprintf(n, sizeof(n), "%u", BENCH_POOL_THREADS);
  setenv("UV_THREADPOOL_SIZE", n, 1);
}
