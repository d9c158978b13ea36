/*
 * Shrinking a failure together with its fault plan: the program (when the
 * world is a program) by runner.h's prog_shrink(), the plan by dropping
 * entries, turning a probability into the one call that triggers the
 * failure (point=P into point#N), lowering probabilities, and moving #N to
 * an earlier call, in turns until neither gets smaller.
 */
#ifndef NDL_TOOLS_REFERENCE_SHRINK_WORLD_H
#define NDL_TOOLS_REFERENCE_SHRINK_WORLD_H

#include <stddef.h>
#include <stdint.h>

#include "program.h"

/* Runs program q (NULL when the world has none) under plan, and says
 * whether it fails the way the original did; *reached is how many times
 * the plan's points were reached in that run (ndl_faults_reached()), which
 * bounds the calls point#N may name (UINT64_MAX: unknown). */
typedef int (*world_fails_fn)(const struct prog *q, const char *plan,
                              uint64_t *reached, void *ctx);

/* Shrinks *p (NULL: only the plan) and plan, a string of plan_cap bytes,
 * while fails() holds. Returns the number of runs made, at most max_runs;
 * when the original does not fail (a flaky failure), after 1 run, with
 * nothing changed. */
int world_shrink(struct prog *p, char *plan, size_t plan_cap,
                 world_fails_fn fails, void *ctx, int max_runs);

/* The number of entries of a plan ("" has none). */
int plan_entries(const char *plan);

#endif
