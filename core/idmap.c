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

uint32_t ndl__idmap_find(const struct ndl__idmap *m, uint32_t id) {
  uint32_t i, h;
  /*@ ghost uint32_t d = 0; */
  if (m->b == NULL || id == 0)
    return NDL__NIL;
  h = home(m, id);
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
      return m->b[i].slot;
    if (m->b[i].id == 0)
      return NDL__NIL;
    /*@ assert unvisited_empty_bucket_remains: d < m->mask; */
    /*@ ghost d++; */
  }
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

void ndl__idmap_remove(struct ndl__idmap *m, uint32_t id) {
  uint32_t i, j, h;
  if (m->b == NULL || id == 0)
    return;
  for (i = home(m, id); m->b[i].id != id; i = next_bucket(m->mask, i))
    if (m->b[i].id == 0)
      return;
  /* Backward shift: pull later entries of the same probe run into the hole,
   * unless that would move one before its home bucket. */
  for (j = next_bucket(m->mask, i); m->b[j].id != 0;
       j = next_bucket(m->mask, j)) {
    h = home(m, m->b[j].id);
    if (((j - h) & m->mask) >= ((j - i) & m->mask)) {
      m->b[i] = m->b[j];
      i = j;
    }
  }
  m->b[i].id = 0;
  m->b[i].slot = 0;
  m->count--;
}
