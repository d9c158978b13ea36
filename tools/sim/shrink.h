/*
 * nodeloop-sim's failures: the verdict under a fault plan, shrinking a
 * failing program together with its plan, and the Chrome trace of one
 * replayed run.
 */
#ifndef NDL_TOOLS_SIM_SHRINK_H
#define NDL_TOOLS_SIM_SHRINK_H

#include <stddef.h>
#include <stdio.h>

#include "tools/reference/program.h"
#include "tools/reference/runner.h"

/* How a run is checked. */
struct sim_checks {
  int planted_max_timers; /* prop_options.planted_max_timers */
  /* A plan of faults (not only planted bugs): only the loop's own counts
   * must hold; a run fails only if it loses a callback or runs one twice. */
  int faults;
};

/* Under c->faults, rewrites out so that only lost and duplicated callbacks
 * fail it (as PROP_END); otherwise leaves it. */
void sim_verdict(const struct sim_checks *c, struct prop_outcome *out);

/* Runs p under plan (NULL or "": none), its decisions drawn from p's
 * sim_seed, checked as c says; trace and chrome may be NULL. Returns
 * out->prop. */
int sim_run(const struct prog *p, const char *plan, const struct sim_checks *c,
            FILE *trace, ndl_chrome_trace *chrome, struct prop_outcome *out);

/* Shrinks the program *p and its plan (plan_cap bytes; "" for none)
 * together while they fail with property prop, in at most max_runs runs,
 * then prints "shrunk in N runs: property=P: why" and the shrunk world in
 * the text of program_text.h to out. */
void sim_shrink(struct prog *p, char *plan, size_t plan_cap,
                const struct sim_checks *c, int prop, int max_runs, FILE *out);

/* Writes the Chrome trace of one run of p under plan to path. Returns 0,
 * or -1 after saying why on stderr. */
int sim_chrome_trace(const char *path, const struct prog *p, const char *plan,
                     const struct sim_checks *c);

#endif
