/*
 * The chapter's id generator, kept only to show that the tests catch it: a full
 * alternative to ids.c, compiled in its place by `ci/prove --chapter-bug` and
 * by the fuzz build that plants the bug (fuzz/planted_bug.cmake); the library
 * never compiles it. Everything but the retry loop in ndl__ids_next() is as
 * in ids.c, with the same contracts (ids.h) and ghost lemma (ids_proof.h),
 * so that the prover and the fuzzer fail on the chapter's defect alone: on a
 * collision, the loop stops at the next id that is taken, where it meant
 * the next one that is free, and hands out an id that is live.
 */
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

  /*@ ghost nlive_bound(live, g->max); */
  if (live->count >= g->max) {
    /*@ assert every_id_live: \forall integer id; 1 <= id <= g->max ==>
          ndl_live(live, id);
    */
    return NDL_NOIDS;
  }
  candidate = after(g, candidate);
  if (ndl__idmap_find(live, candidate) != NDL__NIL) {
    /* The chapter's defect: the loop goes on while the id is free
     * (== NDL__NIL), where it meant while the id is taken (!=). */
    /*@ loop invariant 1 <= candidate <= g->max;
        loop assigns candidate;
    */
    do
      candidate = after(g, candidate);
    while (ndl__idmap_find(live, candidate) == NDL__NIL);
  }
  g->last = candidate;
  *out = candidate;
  return 0;
}
