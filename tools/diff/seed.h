/*
 * One seed of nodeloop-diff's campaign, run in a worker (tools/campaign/):
 * its program checked (check.h), counted by its outcome, and a difference
 * reported with its replay line, shrunk, and written to --out.
 */
#ifndef NDL_TOOLS_DIFF_SEED_H
#define NDL_TOOLS_DIFF_SEED_H

#include <limits.h>
#include <stdint.h>

#include "check.h"
#include "runner.h"
#include "timing.h"

/* The counts of campaign_seed, in this order: the outcomes, one for each
 * reason a program is refused (enum dp_timing, but DT_OK) or unstable
 * (enum dp_unstable). diff_count_names() names them. */
enum {
  DC_AGREED,
  DC_DIFFERED,
  DC_DIFFERED_LINUX, /* of the differences, those on linux */
  DC_DIFFERED_SIM,
  DC_REFUSED,                              /* + enum dp_timing - 1 */
  DC_UNSTABLE = DC_REFUSED + DT_COUNT - 1, /* + enum dp_unstable */
  DC_NODE_FAILED = DC_UNSTABLE + DU_COUNT, /* node exited with an error */
  DC_CRASHES,                              /* the worker died on the seed */
  DC_COUNT
};
_Static_assert(DC_COUNT <= CAMPAIGN_MAX_COUNTS,
               "nodeloop-diff counts more outcomes than a campaign holds");

/* The JSON names of the counts ("agreed", "refused_near_phase", ...),
 * NULL-terminated. */
const char *const *diff_count_names(void);

/* Why a program was unstable, for the summary. */
const char *diff_unstable_reason(int u);

/* What every seed's run shares, set before the workers start. */
struct diff_run {
  struct dp_config cfg; /* cfg.script is set in each worker */
  const struct campaign *c;
  const char *out;     /* --out DIR, or NULL */
  const char *tmpdir;  /* where each worker writes its script */
  uint64_t shrink_max; /* differences shrunk, in seed order */
  int print;           /* --print */
  char script[PATH_MAX];
};

/* campaign.run: checks seed's program. A difference fails the seed.
 * Exits the worker with status 2 when memory ran out or no process could
 * be started, which diff_died() then reports. */
void diff_seed(void *ctx, uint64_t seed, struct campaign_seed *r);

/* campaign.died: the worker died on the seed, which fails. */
void diff_died(void *ctx, uint64_t seed, int status, struct campaign_seed *r);

#endif
