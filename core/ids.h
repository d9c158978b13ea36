/*
 * The callback-id generator: a counter that wraps within a configurable
 * width and skips every id that is still live.
 *
 * The chapter's version kept the colliding id when its retry loop found one
 * taken (it tested `contains` where it meant `!contains`). Here the loop
 * keeps going until it finds a free id, and it gives up only after looking
 * at every id once, so it always terminates.
 */
#ifndef NDL_CORE_IDS_H
#define NDL_CORE_IDS_H

#include <stdint.h>

#include "idmap.h"
#include "nodeloop.h"

#define NDL__ID_BITS_MIN 2
#define NDL__ID_BITS_MAX 32

struct ndl__ids {
  uint32_t last; /* the id handed out last, or 0 */
  uint32_t max;  /* the largest id: 2^bits - 1. Ids run from 1 to max. */
};

/*@
  // The id k steps after last, counting 1, 2, ..., max, 1, ... (1 <= k <= max,
  // last <= max): the k-th candidate that ndl__ids_next() tries. An id is
  // tried before another when its ndl_id_dist from last is smaller.
  logic integer ndl_id_step(integer last, integer k, integer max) =
    last + k <= max ? last + k : last + k - max;
  // How many steps it takes from last to id (1 <= id <= max): the inverse.
  logic integer ndl_id_dist(integer last, integer id, integer max) =
    id > last ? id - last : id - last + max;

  predicate ndl_ids_ok{L}(struct ndl__ids *g) =
    \valid(g) && 1 <= g->max && g->last <= g->max;
*/

/* Errors: NDL_EINVAL for bits outside [2, 32]. */
/*@ requires \valid(g);
    assigns g->last, g->max;
    behavior bad_width:
      assumes bits < NDL__ID_BITS_MIN || bits > NDL__ID_BITS_MAX;
      assigns \nothing;
      ensures \result == NDL_EINVAL;
    behavior ok:
      assumes NDL__ID_BITS_MIN <= bits <= NDL__ID_BITS_MAX;
      ensures \result == 0 && ndl_ids_ok(g) && g->last == 0;
      ensures g->max == (1 << bits) - 1;
    complete behaviors;
    disjoint behaviors;
*/
int ndl__ids_init(struct ndl__ids *g, unsigned bits);

/* The next id after g->last, wrapping from max to 1, that is not live in
 * `live`. Errors: NDL_NOIDS when all max ids are live. O(live run length)
 * when ids cluster, O(1) otherwise.
 *
 * Proven (docs/proofs.md): the id is in [1, max], was not live, and is the
 * first id after g->last that is not; NDL_NOIDS exactly when every id in
 * [1, max] is live; the loop terminates. The one assumption is that
 * live->count is no more than the number of live ids in [1, max], which holds
 * when, as in the registry, the map holds only ids this generator made. */
/*@ requires ids: ndl_ids_ok(g);
    requires map: ndl_map_ok(live);
    requires out: \valid(out);
    requires sep: \separated(g, out, live) &&
      (live->b == \null ||
       \separated(g, out, live->b + (0 .. live->mask)));
    requires count: live->count <= ndl_nlive(live, g->max);
    assigns g->last, *out;
    behavior exhausted:
      assumes \forall integer id; 1 <= id <= g->max ==> ndl_live(live, id);
      assigns \nothing;
      ensures noids: \result == NDL_NOIDS;
    behavior available:
      assumes \exists integer id; 1 <= id <= g->max && !ndl_live(live, id);
      assigns g->last, *out;
      ensures found: \result == 0;
      ensures in_range: 1 <= *out <= g->max;
      ensures not_live: !ndl_live(live, *out);
      ensures first_free: \forall integer id; 1 <= id <= g->max &&
        ndl_id_dist(\old(g->last), id, g->max) <
          ndl_id_dist(\old(g->last), *out, g->max) ==> ndl_live(live, id);
      ensures remembered: g->last == *out && ndl_ids_ok(g);
    complete behaviors;
    disjoint behaviors;
*/
int ndl__ids_next(struct ndl__ids *g, const struct ndl__idmap *live,
                  uint32_t *out);
/* Moves the counter, so that a fuzzer can jump straight to the wrap. */
/*@ requires ndl_ids_ok(g);
    assigns g->last;
    ensures ndl_ids_ok(g);
    ensures g->last == (last > g->max ? g->max : last);
*/
void ndl__ids_jump(struct ndl__ids *g, uint32_t last);

#endif
