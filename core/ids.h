/*
 * The callback-id generator: a counter that wraps within a configurable
 * width and skips every id that is still live.
 *
 * The seed's version kept the colliding id when its retry loop found one
 * taken (it tested `contains` where it meant `!contains`). Here the loop
 * keeps going until it finds a free id, and it gives up only after looking
 * at every id once, so it always terminates.
 */
#ifndef NDL_CORE_IDS_H
#define NDL_CORE_IDS_H

#include <stdint.h>

#include "idmap.h"

#define NDL__ID_BITS_MIN 2
#define NDL__ID_BITS_MAX 32

struct ndl__ids {
  uint32_t last; /* the id handed out last, or 0 */
  uint32_t max;  /* the largest id: 2^bits - 1. Ids run from 1 to max. */
};

/* Errors: NDL_EINVAL for bits outside [2, 32]. */
int ndl__ids_init(struct ndl__ids *g, unsigned bits);
/* The next id after g->last, wrapping from max to 1, that is not live in
 * `live`. Errors: NDL_NOIDS when all max ids are live. O(live run length)
 * when ids cluster, O(1) otherwise. */
int ndl__ids_next(struct ndl__ids *g, const struct ndl__idmap *live,
                  uint32_t *out);
/* Moves the counter, so that a fuzzer can jump straight to the wrap. */
void ndl__ids_jump(struct ndl__ids *g, uint32_t last);

#endif
