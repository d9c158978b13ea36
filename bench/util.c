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
