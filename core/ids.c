#include "ids.h"

#include "nodeloop.h"

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

static uint32_t after(const struct ndl__ids *g, uint32_t id) {
  return id >= g->max ? 1 : id + 1;
}

int ndl__ids_next(struct ndl__ids *g, const struct ndl__idmap *live,
                  uint32_t *out) {
  uint32_t candidate = g->last;
  uint32_t tried;

  if (live->count >= g->max)
    return NDL_NOIDS;
#ifdef NDL_SEED_ID_BUG
  /* The seed's generator, restored only for the tests that show the fuzzer
   * and the prover catch it: on a collision its retry loop stops at the next
   * id that is taken, where it meant the next one that is free. */
  candidate = after(g, candidate);
  if (ndl__idmap_find(live, candidate) != NDL__NIL) {
    do
      candidate = after(g, candidate);
    while (ndl__idmap_find(live, candidate) == NDL__NIL);
  }
  g->last = candidate;
  *out = candidate;
  (void)tried;
  return 0;
#else
  for (tried = 0; tried < g->max; tried++) {
    candidate = after(g, candidate);
    if (ndl__idmap_find(live, candidate) == NDL__NIL) {
      g->last = candidate;
      *out = candidate;
      return 0;
    }
  }
  return NDL_NOIDS;
#endif
}
