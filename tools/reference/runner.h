/*
 * Property checks: runs a program (program.h) on a sim loop through the
 * public API, runs the same program on the reference model (reference.h), and
 * checks that they agree and that the run kept its invariants. A failing
 * program can be shrunk to a smaller one that fails the same way.
 */
#ifndef NDL_TOOLS_REFERENCE_RUNNER_H
#define NDL_TOOLS_REFERENCE_RUNNER_H

#include <stdint.h>
#include <stdio.h>

#include "nodeloop.h"
#include "program.h"

enum prop_id {
  PROP_OK = 0,
  PROP_ORDER,    /* callbacks, and the clock at each, equal the reference's */
  PROP_ONCE,     /* each runs once (intervals, watchers: count times)
                    unless cleared; a cleared one never runs */
  PROP_DEADLINE, /* no timer runs before set time + max(delay, 1) ms */
  PROP_END,      /* ndl_run returns 0 when the reference says nothing is left,
                    at the reference's time, after as many ticks; lost = 0 */
  PROP_STATS,    /* ndl_stats inside every callback and at the end agree
                    with what the program did, and with the trace */
  PROP_API,      /* return codes: 0, NDL_NOTFOUND, NDL_NOIDS as expected;
                    callbacks receive the right value */
  PROP_POOL,    /* tasks start when the reference says; jitter in [0, spread] */
  PROP_NET,     /* every echo gets back each byte it sent, in order, then
                   the end of stream, with no error */
  PROP_PLANTED, /* a fake property, to test the shrinker */
  PROP_COUNT
};

struct prop_options {
  /* PROP_PLANTED fails when the program has more timer ops than this; 0
   * turns the fake property off. */
  int planted_max_timers;
  /* Where to write the core's verbose trace; NULL for none. */
  FILE *trace;
  /* Where to write the run's Chrome trace (ndl_chrome_trace_open), or
   * NULL; the caller closes it after prop_check() returns. */
  ndl_chrome_trace *chrome;
  /* Called before each run, the shrinker's included, with ctx: re-applies
   * a fault plan, so that every run of a program meets the same faults.
   * NULL for none. */
  void (*before_run)(void *ctx);
  void *ctx;
};

struct prop_outcome {
  int prop;                  /* PROP_OK, or the first property that failed */
  char msg[512];             /* why it failed */
  unsigned failed;           /* every property that failed: bit 1 << prop */
  char why[PROP_COUNT][256]; /* the first message of each */
  uint64_t callbacks, ticks, end_ns;
  /* The loop's own counts, and what creating or running it returned: all
   * that must still hold when faults make the reference's other checks moot. */
  uint64_t registered, lost, duplicated;
  int run_err;
};

/* The property's short name ("order"). */
const char *prop_name(int prop);

/* Runs the checks; returns out->prop. */
int prop_check(const struct prog *p, const struct prop_options *o,
               struct prop_outcome *out);

/* Shrinks *p in place while it keeps failing with property `prop`: drops
 * subtrees, hoists ops out of callbacks, turns intervals into timeouts,
 * lowers delays and counts, and simplifies the config. Returns the number
 * of runs it made (at most max_runs). */
int prop_shrink(struct prog *p, const struct prop_options *o, int prop,
                int max_runs);
/* The same passes with any test of "still fails": fails(q, ctx) runs q
 * (in this process or another) and says whether it fails the way *p did. */
int prog_shrink(struct prog *p, int (*fails)(const struct prog *q, void *ctx),
                void *ctx, int max_runs);

#endif
