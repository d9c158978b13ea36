/*
 * The fault-plan parser (faults/plan.c), without enabling anything: exposed
 * for fuzz/fuzz_http.c and the tests. It exists in every build, fault
 * points or not.
 */
#ifndef NDL_FAULTS_PLAN_H
#define NDL_FAULTS_PLAN_H

#include <stddef.h>
#include <stdint.h>

#define NDL__FAULT_MAX_ENTRIES 64

struct ndl__fault_entry {
  unsigned point;     /* enum ndl__fault_point */
  uint64_t threshold; /* fail when the draw is below it (probability mode) */
  uint64_t nth;       /* fail exactly the nth call, or 0 */
  intptr_t info;      /* the errno or argument the failure carries, or 0 */
};

/* Parses spec (include/nodeloop_faults.h) into out[0, *count). "" is the
 * empty plan. Errors: NDL_EINVAL (NULL spec), NDL_BADFAULTS with why. */
int ndl__faults_parse(const char *spec,
                      struct ndl__fault_entry out[NDL__FAULT_MAX_ENTRIES],
                      unsigned *count, char *why, size_t cap);

#endif
