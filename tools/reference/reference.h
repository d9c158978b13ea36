/*
 * The reference model of nodeloop's semantics on the sim backend: what a
 * program (program.h) must print, when, and how the run must end.
 *
 * It shares no code with core/ or platform/. It is meant to be read, not to
 * be fast: every callback ever registered is one record in an array, and
 * every question ("which timer is next?", "which immediate was queued
 * first?") is a full scan of that array. See reference.c for the rules.
 */
#ifndef NDL_TOOLS_REFERENCE_H
#define NDL_TOOLS_REFERENCE_H

#include <stdint.h>

#include "program.h"

/* One callback invocation: which instance (the number of the op execution
 * that registered it), of which op, and the virtual clock when it started. */
struct reference_call {
  int inst;
  int op;
  uint64_t now_ns;
};

struct reference_result {
  struct reference_call calls[4 * PROG_MAX_INSTANCES + 64];
  int ncalls;
  int truncated;   /* more calls than fit: the program ran away */
  int deadlock;    /* the loop would have blocked forever (EDEADLK) */
  uint64_t end_ns; /* the clock when the loop ended */
  uint64_t ticks;  /* loop iterations */
  uint64_t registered, cancelled, live_at_end;
  /* Work: when each task instance started on a worker (UINT64_MAX: never). */
  uint64_t work_start_ns[PROG_MAX_INSTANCES];
};

/* Runs p. jitter_ns[inst] is the extra virtual time the sim drew for the
 * task registered by instance inst (the reference does not imitate the sim's
 * random draws; the runner reads them off the trace and checks they lie in
 * [0, spread]); NULL means 0 for every task. */
void reference_run(const struct prog *p, const uint64_t *jitter_ns,
                   struct reference_result *out);

#endif
