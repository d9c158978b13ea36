/*
 * Shrinking a bad run of the fault campaign: its plan, and its program when
 * the world is a random program (tools/reference/shrink_world.h). Each
 * candidate runs in a child process, as the campaign's runs do, so that a
 * candidate that crashes or hangs is counted, not fatal.
 */
#ifndef NDL_TOOLS_FAULTS_SHRINK_PLAN_H
#define NDL_TOOLS_FAULTS_SHRINK_PLAN_H

#include <stddef.h>
#include <stdint.h>

#include "campaign.h"
#include "tools/reference/program.h"

/* How the bad run went bad. */
enum campaign_bad_kind {
  BAD_COUNTS, /* it lost or duplicated callbacks */
  BAD_CRASH,  /* it died of a signal or exited non-zero */
  BAD_HANG    /* it ran past the time limit */
};

struct campaign_bad {
  const struct campaign_world *w;
  uint64_t seed;      /* the run's seed: the plan's, and the world's */
  int kind;           /* enum campaign_bad_kind */
  unsigned timeout_s; /* a candidate that takes longer hangs (0: no limit) */
};

/* Shrinks plan (plan_cap bytes) and, when p is not NULL, the program *p
 * (which must be the world's), while a run fails as the bad one did.
 * Returns the number of runs made, at most max_runs. */
int campaign_shrink(const struct campaign_bad *bad, struct prog *p, char *plan,
                    size_t plan_cap, int max_runs);

#endif
