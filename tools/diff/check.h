/*
 * Comparison and shrinking: one program through the timing check, Node
 * (several runs, which must agree) and nodeloop's backends, line by line;
 * and a differing program made smaller while it still differs.
 */
#ifndef NDL_TOOLS_DIFF_CHECK_H
#define NDL_TOOLS_DIFF_CHECK_H

#include "interp.h"
#include "program.h"

#define DP_LINUX 1u
#define DP_SIM 2u

struct dp_config {
  const char *node;     /* the command that runs node */
  const char *fixtures; /* the absolute path of the fixture folder */
  const char *script;   /* where the generated script is written */
  unsigned backends;    /* DP_LINUX | DP_SIM */
  enum dp_plant plant;
  ndl_timer_order order; /* the loops' (--timer-order) */
  unsigned node_runs;    /* Node runs per program, all of which must agree */
};

enum dp_verdict {
  DV_AGREED,      /* every backend printed what Node printed */
  DV_DIFFERED,    /* a backend printed something else, or failed */
  DV_TIMING,      /* refused by the timing check (timing.h) */
  DV_UNSTABLE,    /* Node's runs, or nodeloop linux's, disagree */
  DV_NODE_FAILED, /* node exited with an error */
  DV_COUNT
};

/* Why a program is DV_UNSTABLE. */
enum dp_unstable {
  DU_NODE,       /* Node's runs disagreed */
  DU_NODE_AGAIN, /* they agreed, but not with a second look's */
  DU_LINUX,      /* nodeloop linux's reruns agreed with Node */
  DU_COUNT
};

struct dp_result {
  int verdict;
  int timing;        /* DV_TIMING: enum dp_timing */
  int unstable;      /* DV_UNSTABLE: enum dp_unstable */
  unsigned differs;  /* DV_DIFFERED: the backends that differ */
  char *node;        /* Node's lines (its first run) */
  char *nodeloop[2]; /* linux's and sim's lines, when they ran */
  char why[256];     /* DV_UNSTABLE, DV_NODE_FAILED, a nodeloop failure */
};

/* Runs p. Returns 0, or -1 when memory ran out or no process could be
 * started (r is then empty). */
int dp_check(const struct dp_config *c, const struct dp_prog *p,
             uint64_t sim_seed, struct dp_result *r);
void dp_result_free(struct dp_result *r);

/* Shrinks p, which differed on the backends in mask: removes subtrees,
 * then lowers delays, counts and busy-waits, keeping each change after
 * which p is still refused by nothing and still differs on one of them
 * (with two more Node runs than c asks for).
 * Tries at most budget programs; returns how many it tried. */
unsigned dp_shrink(const struct dp_config *c, struct dp_prog *p,
                   uint64_t sim_seed, unsigned mask, unsigned budget);

#endif
