/* The callback-id generator: uniqueness after wraparound, and exhaustion. */
#include <criterion/criterion.h>

#include "core/idmap.h"
#include "core/ids.h"
#include "core/prng.h"
#include "core/registry.h"
#include "nodeloop.h"

static uint32_t take(struct ndl__ids *g, struct ndl__idmap *live) {
  uint32_t id;
  cr_assert_eq(ndl__idmap_reserve_one(live), 0);
  cr_assert_eq(ndl__ids_next(g, live, &id), 0);
  cr_assert_eq(ndl__idmap_find(live, id), NDL__NIL, "id %u handed out twice",
               id);
  ndl__idmap_insert(live, id, id);
  return id;
}

Test(ids, width_is_validated) {
  struct ndl__ids g;
  cr_assert_eq(ndl__ids_init(&g, 1), NDL_EINVAL);
  cr_assert_eq(ndl__ids_init(&g, 33), NDL_EINVAL);
  cr_assert_eq(ndl__ids_init(&g, 2), 0);
  cr_assert_eq(g.max, 3);
  cr_assert_eq(ndl__ids_init(&g, 32), 0);
  cr_assert_eq(g.max, UINT32_MAX);
}

/* The chapter's bug: after the counter wraps onto a live id, its retry loop
 * kept a colliding id. Ours skips every live id. */
Test(ids, wrap_skips_live_ids) {
  struct ndl__ids g;
  struct ndl__idmap live;
  uint32_t id, i;
  ndl__idmap_init(&live);
  cr_assert_eq(ndl__ids_init(&g, 4), 0); /* ids 1..15 */
  for (i = 1; i <= 15; i++)
    cr_assert_eq(take(&g, &live), i);
  /* Free a few in the middle; the counter wraps past the live ones. */
  ndl__idmap_remove(&live, 7);
  ndl__idmap_remove(&live, 3);
  cr_assert_eq(take(&g, &live), 3);
  cr_assert_eq(take(&g, &live), 7);
  cr_assert_eq(ndl__ids_next(&g, &live, &id), NDL_NOIDS);
  ndl__idmap_free(&live);
}

Test(ids, exhaustion_fails_cleanly_and_recovers) {
  struct ndl__ids g;
  struct ndl__idmap live;
  uint32_t id, i;
  ndl__idmap_init(&live);
  cr_assert_eq(ndl__ids_init(&g, 3), 0);
  for (i = 0; i < 7; i++)
    take(&g, &live);
  cr_assert_eq(ndl__ids_next(&g, &live, &id), NDL_NOIDS);
  ndl__idmap_remove(&live, 5);
  cr_assert_eq(ndl__ids_next(&g, &live, &id), 0);
  cr_assert_eq(id, 5);
  ndl__idmap_free(&live);
}

Test(ids, random_churn_on_narrow_width_never_collides) {
  struct ndl__ids g;
  struct ndl__idmap live;
  struct ndl__prng prng;
  uint32_t held[255];
  uint32_t n = 0, id;
  int step;
  ndl__idmap_init(&live);
  ndl__prng_seed(&prng, 7);
  cr_assert_eq(ndl__ids_init(&g, 8), 0);
  for (step = 0; step < 100000; step++) {
    if (n < 255 && ndl__prng_below(&prng, 3) != 0) {
      held[n++] = take(&g, &live);
    } else if (n > 0) {
      uint32_t k = (uint32_t)ndl__prng_below(&prng, n);
      ndl__idmap_remove(&live, held[k]);
      held[k] = held[--n];
    } else {
      continue;
    }
    cr_assert_eq(live.count, n);
  }
  if (n == 255)
    cr_assert_eq(ndl__ids_next(&g, &live, &id), NDL_NOIDS);
  ndl__idmap_free(&live);
}

static void nop(ndl_loop *loop, const ndl_value *v, void *arg) {
  (void)loop;
  (void)v;
  (void)arg;
}

/* Through the public API: a loop with 3-bit ids has 7, and says so. */
Test(ids, loop_reports_exhaustion_and_state_is_unchanged) {
  ndl_options opts;
  ndl_loop *loop;
  ndl_id ids[7], extra;
  ndl_stats st;
  int i;
  ndl_options_init(&opts);
  opts.backend = NDL_BACKEND_SIM;
  opts.id_bits = 3;
  cr_assert_eq(ndl_loop_new(&opts, &loop), 0);
  for (i = 0; i < 7; i++)
    cr_assert_eq(ndl_set_immediate(loop, nop, NULL, &ids[i]), 0);
  cr_assert_eq(ndl_set_timeout(loop, 5, nop, NULL, &extra), NDL_NOIDS);
  cr_assert_str_eq(ndl_strerror(NDL_NOIDS), "every callback id is in use");
  ndl_get_stats(loop, &st);
  cr_assert_eq(st.registered, 7);
  cr_assert_eq(st.live, 7);
  for (i = 0; i < 7; i++)
    cr_assert_eq(ndl_clear_immediate(loop, ids[i]), 0);
  cr_assert_eq(ndl_loop_free(loop), 0);
}
