#include "idmap.h"

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "alloc.h"
#include "nodeloop.h"

/* Ids are handed out sequentially, so a run of eight consecutive ids shares
 * one 64-byte line of buckets, and Fibonacci hashing spreads the runs across
 * the table. Registering ten million timers then misses the cache once per
 * eight inserts rather than once per insert, and a block of ids that stays
 * live while the counter laps the table forms probe runs of eight, not one
 * run as long as the block (which plain `id & mask` would). (Split from
 * home() only so that the provers see the mask as a plain value.) */
/*@ assigns \nothing;
    ensures \result == ndl_home(id, mask);
    ensures \result <= mask;
*/
static uint32_t hash_bucket(uint32_t id, uint32_t mask) {
  uint32_t run = (uint32_t)(((uint64_t)(id >> 3) * 2654435769u) >> 7);
  return ((run << 3) | (id & 7u)) & mask;
}

/*@ requires \valid_read(m);
    assigns \nothing;
    ensures \result == ndl_home(id, m->mask);
    ensures \result <= m->mask;
*/
static uint32_t home(const struct ndl__idmap *m, uint32_t id) {
  return hash_bucket(id, m->mask);
}

/* The bucket probed after i. Since the bucket count is a power of two this is
 * (i + 1) & mask; the comparison says the same without bit arithmetic, which
 * keeps the proofs in linear arithmetic, and compiles to a conditional move. */
/*@ requires i <= mask;
    assigns \nothing;
    ensures \result == (i == mask ? 0 : i + 1);
*/
static uint32_t next_bucket(uint32_t mask, uint32_t i) {
  return i == mask ? 0 : i + 1;
}

void ndl__idmap_init(struct ndl__idmap *m) {
  m->b = NULL;
  m->mask = 0;
  m->count = 0;
}

void ndl__idmap_free(struct ndl__idmap *m) {
  ndl__free(m->b);
  ndl__idmap_init(m);
}

/* The bucket that holds id, or -1: probe from id's home bucket until id or
 * an empty bucket. (Every uint32_t is a possible bucket, hence the wider
 * type.) */
/*@ requires ndl_map_ok(m) && m->b != \null && id != 0;
    assigns \nothing;
    ensures absent: \result == -1 <==> !ndl_live(m, id);
    ensures found: \result != -1 ==>
      0 <= \result <= m->mask && m->b[\result].id == id;
*/
static int64_t bucket_of(const struct ndl__idmap *m, uint32_t id) {
  uint32_t i, h = home(m, id);
  /*@ ghost uint32_t d = 0; */
  /*@ assert has_empty: \exists integer j; 0 <= j <= m->mask && m->b[j].id == 0;
   */
  /*@ assert probe_runs: ndl_probe_runs(m); */
  /* d counts the probes: every bucket passed holds another id, and there is
   * an empty bucket, so the probe stops within mask + 1 steps. */
  /*@ loop invariant 0 <= d <= m->mask && i <= m->mask;
      loop invariant \exists integer j; 0 <= j <= m->mask && m->b[j].id == 0;
      loop invariant ndl_dist(h, i, (integer)m->mask + 1) == d;
      loop invariant \forall integer k; 0 <= k <= m->mask &&
        ndl_dist(h, k, (integer)m->mask + 1) < d ==>
        m->b[k].id != 0 && m->b[k].id != id;
      loop assigns i, d;
      loop variant m->mask - d;
  */
  for (i = h;; i = next_bucket(m->mask, i)) {
    if (m->b[i].id == id)
      return i;
    if (m->b[i].id == 0)
      return -1;
    /*@ assert unvisited_empty_bucket_remains: d < m->mask; */
    /*@ ghost d++; */
  }
}

uint32_t ndl__idmap_find(const struct ndl__idmap *m, uint32_t id) {
  int64_t i;
  if (m->b == NULL || id == 0)
    return NDL__NIL;
  i = bucket_of(m, id);
  return i < 0 ? NDL__NIL : m->b[i].slot;
}

static void place(struct ndl__idmap_bucket *b, uint32_t mask,
                  const struct ndl__idmap *shape, uint32_t id, uint32_t slot) {
  uint32_t i;
  for (i = home(shape, id); b[i].id != 0; i = next_bucket(mask, i))
    ;
  b[i].id = id;
  b[i].slot = slot;
}

/* Keeps the load at or under 1/2, so probes stay short. Growing costs O(n)
 * once per doubling. */
int ndl__idmap_reserve_one(struct ndl__idmap *m) {
  struct ndl__idmap grown;
  size_t buckets, i;

  buckets = m->b == NULL ? 0 : (size_t)m->mask + 1;
  if ((size_t)m->count + 1 <= buckets / 2)
    return 0;
  buckets = buckets == 0 ? 16 : buckets * 2;
  if (buckets > ((size_t)1 << 32) || buckets > SIZE_MAX / sizeof(*grown.b))
    return NDL_ENOMEM;
  /* Zeroed by a write, not by calloc: calloc's fresh pages are the kernel's
   * shared zero page until written, and a probe reads a bucket before the
   * insert writes it, so every page would fault twice. */
  grown.b = ndl__malloc(buckets * sizeof(*grown.b));
  if (grown.b == NULL)
    return NDL_ENOMEM;
  memset(grown.b, 0, buckets * sizeof(*grown.b));
  grown.mask = (uint32_t)(buckets - 1);
  grown.count = m->count;
  if (m->b != NULL) {
    for (i = 0; i <= m->mask; i++)
      if (m->b[i].id != 0)
        place(grown.b, grown.mask, &grown, m->b[i].id, m->b[i].slot);
  }
  ndl__free(m->b);
  *m = grown;
  return 0;
}

void ndl__idmap_insert(struct ndl__idmap *m, uint32_t id, uint32_t slot) {
  place(m->b, m->mask, m, id, slot);
  m->count++;
}

/* Copies bucket from into bucket to (its frame stated for the proofs). */
/*@ requires \valid(b + (0 .. mask)) && to <= mask && from <= mask &&
      to != from;
    assigns b[to];
    ensures b[to].id == \old(b[from].id) && b[to].slot == \old(b[from].slot);
    ensures others: \forall integer k; 0 <= k <= mask && k != to ==>
      b[k].id == \old(b[k].id) && b[k].slot == \old(b[k].slot);
*/
static void move_bucket(struct ndl__idmap_bucket *b, uint32_t to,
                        uint32_t from) /*@ ghost (uint32_t mask) */ {
  b[to] = b[from];
}

/* Empties bucket i. */
/*@ requires \valid(b + (0 .. mask)) && i <= mask;
    assigns b[i];
    ensures b[i].id == 0 && b[i].slot == 0;
    ensures others: \forall integer k; 0 <= k <= mask && k != i ==>
      b[k].id == \old(b[k].id) && b[k].slot == \old(b[k].slot);
*/
static void clear_bucket(struct ndl__idmap_bucket *b, uint32_t i)
/*@ ghost (uint32_t mask) */ {
  b[i].id = 0;
  b[i].slot = 0;
}

/* Empties the hole i that a removal leaves, and counts one id fewer. */
/*@ requires \valid(m) && m->b != \null;
    requires \valid(m->b + (0 .. m->mask)) &&
      \separated(m, m->b + (0 .. m->mask));
    requires i <= m->mask && id != 0;
    requires only_hole: \forall integer k; 0 <= k <= m->mask && k != i ==>
      m->b[k].id != id;
    assigns m->b[i], m->count;
    ensures gone: !ndl_live(m, id);
    ensures live_but_hole: \forall integer x; x != 0 ==>
      (ndl_live(m, x) <==> \exists integer k; 0 <= k <= m->mask && k != i &&
         \at(m->b[k].id, Pre) == x);
*/
static void drop_hole(struct ndl__idmap *m, uint32_t i)
/*@ ghost (uint32_t id) */ {
  clear_bucket(m->b, i) /*@ ghost (m->mask) */;
  m->count--;
}

/* Backward shift: pulls the later entries of the probe run that starts
 * after the hole i into the hole, unless that would move one before its
 * home bucket, and returns where the hole ends. The hole always holds a
 * stale copy (of the id being removed, or of the entry moved out of it), so
 * no empty bucket is ever written and the scan ends at the first one. */
/*@ requires \valid(b + (0 .. mask)) && i <= mask && 1 <= mask;
    requires \valid_read(m) && m->mask == mask;
    requires \separated(m, b + (0 .. mask));
    requires has_empty: \exists integer e; 0 <= e <= mask && b[e].id == 0;
    requires hole: b[i].id == id && id != 0;
    requires distinct: \forall integer k; 0 <= k <= mask && k != i ==>
      b[k].id != id;
    assigns b[0 .. mask];
    ensures \result <= mask;
    ensures only_hole: \forall integer k; 0 <= k <= mask && k != \result ==>
      b[k].id != id;
    ensures kept: \forall integer k0; 0 <= k0 <= mask && k0 != i &&
      \old(b[k0].id) != 0 ==> \exists integer k; 0 <= k <= mask &&
        k != \result && b[k].id == \old(b[k0].id);
    ensures from_before: \forall integer k; 0 <= k <= mask &&
      k != \result && b[k].id != 0 ==> \exists integer k0; 0 <= k0 <= mask &&
        k0 != i && \old(b[k0].id) == b[k].id;
*/
static uint32_t shift_back(const struct ndl__idmap *m,
                           struct ndl__idmap_bucket *b, uint32_t mask,
                           uint32_t i) /*@ ghost (uint32_t id) */ {
  uint32_t j, h;
  /*@ ghost uint32_t i0 = i; */
  /*@ ghost uint32_t d = 0; */
  /*@ loop invariant bounds: i <= mask && j <= mask && d < mask;
      loop invariant scan: ndl_dist(i0, j, (integer)mask + 1) == d + 1;
      loop invariant hole_behind: ndl_dist(i0, i, (integer)mask + 1) <= d;
      loop invariant passed: \forall integer k; 0 <= k <= mask &&
        1 <= ndl_dist(i0, k, (integer)mask + 1) <= d ==> b[k].id != 0;
      loop invariant empties: \forall integer k; 0 <= k <= mask ==>
        (b[k].id == 0 <==> \at(b[k].id, Pre) == 0);
      loop invariant hole_full: b[i].id != 0;
      loop invariant only_hole: \forall integer k; 0 <= k <= mask &&
        k != i ==> b[k].id != id;
      loop invariant kept: \forall integer k0; 0 <= k0 <= mask &&
        k0 != i0 && \at(b[k0].id, Pre) != 0 ==>
        \exists integer k; 0 <= k <= mask && k != i &&
          b[k].id == \at(b[k0].id, Pre);
      loop invariant from_before: \forall integer k; 0 <= k <= mask &&
        k != i && b[k].id != 0 ==>
        \exists integer k0; 0 <= k0 <= mask && k0 != i0 &&
          \at(b[k0].id, Pre) == b[k].id;
      loop assigns i, j, h, d, b[0 .. mask];
      loop variant mask - d;
  */
  for (j = next_bucket(mask, i); b[j].id != 0; j = next_bucket(mask, j)) {
    h = home(m, b[j].id);
    if (((j - h) & mask) >= ((j - i) & mask)) {
      move_bucket(b, i, j) /*@ ghost (mask) */;
      i = j;
    }
    /*@ assert not_last: d + 1 < mask; */
    /*@ ghost d++; */
  }
  return i;
}

void ndl__idmap_remove(struct ndl__idmap *m, uint32_t id) {
  int64_t found;

  if (m->b == NULL || id == 0)
    return;
  found = bucket_of(m, id);
  if (found < 0)
    return;
  /*@ assert has_empty: \exists integer e; 0 <= e <= m->mask &&
        m->b[e].id == 0; */
  /*@ assert some_full: m->mask >= 1; */
  drop_hole(m, shift_back(m, m->b, m->mask, (uint32_t)found) /*@ ghost (id) */)
      /*@ ghost (id) */;
}
