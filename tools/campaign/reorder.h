/*
 * Results that arrived before a lower seed's: a min-heap by seed index,
 * O(log n) a result, so a slow seed holding back thousands costs little.
 */
#ifndef NDL_TOOLS_CAMPAIGN_REORDER_H
#define NDL_TOOLS_CAMPAIGN_REORDER_H

#include <stddef.h>
#include <stdint.h>

#include "runner.h"

/* One seed's result, as it crosses from a worker to the runner. */
struct result {
  uint64_t k; /* the seed's index in the campaign */
  int failed, write_failed;
  uint64_t counts[CAMPAIGN_MAX_COUNTS];
  char *report, *json; /* malloc'd, or NULL */
  size_t report_len, json_len;
  char *program; /* campaign_seed.program: malloc'd, or NULL */
};

struct reorder {
  struct result *items;
  size_t n, cap;
};

/* Takes r (and its buffers). Returns 0, or -1 out of memory. */
int reorder_push(struct reorder *q, const struct result *r);
/* Pops the result with index k into *out, if it is the lowest held.
 * Returns 1 when it did, 0 when not. */
int reorder_pop(struct reorder *q, uint64_t k, struct result *out);
/* Frees every result still held; returns how many there were. */
size_t reorder_clear(struct reorder *q);

#endif
