#include "ids.h"

#include "nodeloop.h"

/* ACSL only: the counting lemma behind the early NDL_NOIDS. */
#include "ids_proof.h"

int ndl__ids_init(struct ndl__ids *g, unsigned bits) {
  if (bits < NDL__ID_BITS_MIN || bits > NDL__ID_BITS_MAX)
    return NDL_EINVAL;
  g->last = 0;
  g->max = bits == 32 ? UINT32_MAX : (uint32_t)((1u << bits) - 1u);
  return 0;
}

void ndl__ids_jump(struct ndl__ids *g, uint32_t last) {
  g->last = last > g->max ? g->max : last;
}

/*@ requires \valid_read(g) && 1 <= g->max;
    assigns \nothing;
    ensures id < g->max ==> \result == id + 1;
    ensures id >= g->max ==> \result == 1;
*/
static uint32_t after(const struct ndl__ids *g, uint32_t id) {
  return id >= g->max ? 1 : id + 1;
}

int ndl__ids_next(struct ndl__ids *g, const struct ndl__idmap *live,
                  uint32_t *out) {
  uint32_t candidate = g->last;
  uint32_t tried;

  /*@ ghost nlive_bound(live, g->max); */
  if (live->count >= g->max) {
    /*@ assert every_id_live: \forall integer id; 1 <= id <= g->max ==>
          ndl_live(live, id);
    */
    return NDL_NOIDS;
  }
  /* Every id in [1, max] is one of the first max steps after g->last, so
   * after max misses every id is live. */
  /*@ loop invariant 0 <= tried <= g->max;
      loop invariant tried == 0 ? candidate == g->last
                   : candidate == ndl_id_step(g->last, tried, g->max);
      loop invariant \forall integer id; 1 <= id <= g->max &&
        ndl_id_dist(g->last, id, g->max) <= tried ==> ndl_live(live, id);
      loop assigns tried, candidate;
      loop variant g->max - tried;
  */
  for (tried = 0; tried < g->max; tried++) {
    candidate = after(g, candidate);
    if (ndl__idmap_find(live, candidate) == NDL__NIL) {
      g->last = candidate;
      *out = candidate;
      return 0;
    }
  }
  /*@ assert every_id_live: \forall integer id; 1 <= id <= g->max ==>
        ndl_live(live, id);
  */
  return NDL_NOIDS;
}
