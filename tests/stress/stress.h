/*
 * Shared by the stress drivers in tests/stress/: plain main() programs for
 * valgrind (memcheck, Helgrind, DRD) and the sanitizers. They are not
 * Criterion tests on purpose: Criterion runs each test in a child process,
 * which hides valgrind's exit status from the caller.
 *
 * Every driver takes one optional argument, "quick" or "full" (else the
 * environment variable NDL_STRESS, else "full"). Full runs in a few seconds
 * natively; quick is for the slow tools, which run 20 to 100 times slower.
 * A driver exits 0 when every check held, 1 after printing what failed.
 */
#ifndef NDL_STRESS_H
#define NDL_STRESS_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nodeloop.h"

/* Fails the driver with the location and a message. */
#define STRESS_FAIL(...)                                                       \
  do {                                                                         \
    fprintf(stderr, "%s:%d: ", __FILE__, __LINE__);                            \
    fprintf(stderr, __VA_ARGS__);                                              \
    fputc('\n', stderr);                                                       \
    exit(1);                                                                   \
  } while (0)

/* Checks that a nodeloop call returned 0. */
#define STRESS_OK(call)                                                        \
  do {                                                                         \
    int stress_err_ = (call);                                                  \
    if (stress_err_ != 0)                                                      \
      STRESS_FAIL("%s: %s", #call, ndl_strerror(stress_err_));                 \
  } while (0)

#define STRESS_CHECK(cond, ...)                                                \
  do {                                                                         \
    if (!(cond))                                                               \
      STRESS_FAIL(__VA_ARGS__);                                                \
  } while (0)

/* 1 for full, 0 for quick. Exits with a usage message on anything else. */
static inline int stress_full(int argc, char **argv) {
  const char *mode = argc > 1 ? argv[1] : getenv("NDL_STRESS");
  if (mode == NULL || *mode == '\0' || strcmp(mode, "full") == 0)
    return 1;
  if (strcmp(mode, "quick") == 0)
    return 0;
  fprintf(stderr, "usage: %s [quick|full]\n", argv[0]);
  exit(2);
}

/* The loop's statistics after a run that ended by itself: nothing lost,
 * nothing run twice, nothing left registered. */
static inline void stress_check_stats(ndl_loop *loop, const char *what) {
  ndl_stats st;
  ndl_get_stats(loop, &st);
  STRESS_CHECK(st.lost == 0 && st.duplicated == 0 && st.live == 0,
               "%s: lost=%llu duplicated=%llu live=%llu", what,
               (unsigned long long)st.lost, (unsigned long long)st.duplicated,
               (unsigned long long)st.live);
}

#endif
