/* The timer heap against a sorted reference, and its (deadline, seq) order. */
#include <criterion/criterion.h>
#include <stdlib.h>

#include "core/heap.h"
#include "core/idmap.h"
#include "core/prng.h"

static void check_heap_property(const struct ndl__heap *h) {
  uint32_t i;
  for (i = 1; i < h->len; i++) {
    const struct ndl__heap_entry *p = &h->v[(i - 1) / 2], *c = &h->v[i];
    cr_assert(p->deadline < c->deadline ||
                  (p->deadline == c->deadline && p->seq < c->seq),
              "entry %u is above its parent", i);
  }
  for (i = 0; i < h->len; i++)
    cr_assert_eq(h->pos[h->v[i].slot], i, "pos of slot %u is stale",
                 h->v[i].slot);
}

Test(heap, equal_deadlines_pop_in_insertion_order) {
  struct ndl__heap h;
  struct ndl__heap_entry e;
  uint32_t i;
  ndl__heap_init(&h);
  cr_assert_eq(ndl__heap_reserve(&h, 100, 100), 0);
  for (i = 0; i < 100; i++)
    ndl__heap_insert(&h, 5, i, 99 - i);
  for (i = 0; i < 100; i++) {
    e = ndl__heap_pop(&h);
    cr_assert_eq(e.seq, i);
    cr_assert_eq(e.slot, 99 - i);
  }
  cr_assert_eq(ndl__heap_pop(&h).slot, NDL__NIL);
  ndl__heap_free(&h);
}

Test(heap, random_insert_remove_pop_matches_reference) {
  struct ndl__heap h;
  struct ndl__prng prng;
  uint64_t deadline[512];
  int present[512] = {0};
  uint64_t seq = 0;
  int step;

  ndl__prng_seed(&prng, 42);
  ndl__heap_init(&h);
  cr_assert_eq(ndl__heap_reserve(&h, 512, 512), 0);
  for (step = 0; step < 20000; step++) {
    uint32_t slot = (uint32_t)ndl__prng_below(&prng, 512);
    int op = (int)ndl__prng_below(&prng, 3);
    if (op == 0 && !present[slot]) {
      deadline[slot] = ndl__prng_below(&prng, 50);
      ndl__heap_insert(&h, deadline[slot], seq++, slot);
      present[slot] = 1;
    } else if (op == 1) {
      cr_assert_eq(ndl__heap_remove(&h, slot), present[slot]);
      present[slot] = 0;
    } else if (h.len > 0) {
      struct ndl__heap_entry e = ndl__heap_pop(&h);
      uint32_t s;
      cr_assert_neq(e.slot, NDL__NIL);
      for (s = 0; s < 512; s++)
        cr_assert(!present[s] || deadline[s] >= e.deadline,
                  "popped %llu but %llu was present",
                  (unsigned long long)e.deadline,
                  (unsigned long long)deadline[s]);
      cr_assert(present[e.slot]);
      present[e.slot] = 0;
    }
    if (step % 97 == 0)
      check_heap_property(&h);
  }
  ndl__heap_free(&h);
}

Test(heap, remove_absent_slot_is_a_noop) {
  struct ndl__heap h;
  ndl__heap_init(&h);
  cr_assert_eq(ndl__heap_remove(&h, 3), 0);
  cr_assert_eq(ndl__heap_reserve(&h, 1, 8), 0);
  cr_assert_eq(ndl__heap_remove(&h, 3), 0);
  cr_assert_null(ndl__heap_min(&h));
  ndl__heap_free(&h);
}
