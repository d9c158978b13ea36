/*
 * Named scenarios on the sim backend. Each one is a program plus what must
 * hold when it ends; nodeloop-sim runs them by name and the Criterion tests
 * run the same code, so a failing test replays from the command line.
 */
#ifndef NDL_TOOLS_SIM_SCENARIO_H
#define NDL_TOOLS_SIM_SCENARIO_H

#include <stdint.h>
#include <stdio.h>

#include "nodeloop.h"

struct ndl_scenario_result {
  int run_err;     /* what ndl_run returned */
  uint64_t end_ms; /* the virtual clock when ndl_run returned */
  ndl_stats stats;
  char failure[256]; /* empty when the scenario's checks hold */
};

struct ndl_scenario {
  const char *name;
  const char *about;
  /* Adjusts the options for this scenario (pool size, id width...). */
  void (*configure)(ndl_options *opts, uint64_t seed);
  /* Runs the program on a fresh loop and checks its outcome. */
  void (*run)(ndl_loop *loop, uint64_t seed, struct ndl_scenario_result *r);
};

const struct ndl_scenario *ndl_scenario_find(const char *name);
/* NULL-terminated. */
extern const struct ndl_scenario *const ndl_scenarios[];

/* Creates a sim loop for the scenario, runs it with the trace going to
 * trace_fn/ctx, and fills r. Returns 0, or the error from ndl_loop_new. */
int ndl_scenario_run(const struct ndl_scenario *s, uint64_t seed,
                     ndl_trace_fn trace_fn, void *trace_ctx,
                     struct ndl_scenario_result *r);

/* Records a failed check (the first one wins). */
void ndl_scenario_fail(struct ndl_scenario_result *r, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

#endif
