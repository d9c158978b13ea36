/*
 * The worlds of the fault campaign: every named sim scenario, random
 * programs from the property tests' generator (tools/reference/), and a mixed
 * program (timers, an interval, immediates, pool work, file reads, and a
 * TCP echo) on the real platform over loopback, or on the sim's network
 * and disk.
 */
#ifndef NDL_TOOLS_FAULTS_CAMPAIGN_H
#define NDL_TOOLS_FAULTS_CAMPAIGN_H

#include "core/prng.h"
#include "nodeloop.h"

struct campaign_world {
  const char *name;
  int linux_backend;
  int mix;              /* the mixed program */
  const void *scenario; /* a struct ndl_scenario, or NULL: a random program */
};

/* Picks a world for this backend from the PRNG. */
void campaign_pick(struct ndl__prng *p, int linux_backend,
                   struct campaign_world *w);
/* Runs it, filling *st with the loop's own counts. Returns what creating
 * or running the loop returned. */
int campaign_run(const struct campaign_world *w, uint64_t seed, ndl_stats *st);

/* campaign_run(), writing the run's Chrome trace to chrome (NULL: none). */
int campaign_run_traced(const struct campaign_world *w, uint64_t seed,
                        ndl_stats *st, ndl_chrome_trace *chrome);

struct prog;
/* Whether the world is a random program (prog_generate() of its seed). */
int campaign_is_program(const struct campaign_world *w);
/* Runs a random program (the world's, or a shrunk one) as campaign_run()
 * does. */
int campaign_run_program(const struct prog *prog, ndl_stats *st);

#endif
