/*
 * The timer heap: a binary min-heap in one array, ordered by (deadline,
 * sequence). The sequence number is the order in which timers were set, so
 * timers due at the same time fire in that order, which the seed's
 * BTreeMap<Instant, _> could not do (equal instants overwrote each other).
 *
 * Keys live inside the array, so sifting compares neighbouring memory rather
 * than chasing pointers; pos[slot] remembers where each timer sits, so a
 * timer is removed by its slot in O(log n).
 */
#ifndef NDL_CORE_HEAP_H
#define NDL_CORE_HEAP_H

#include <stddef.h>
#include <stdint.h>

struct ndl__heap_entry {
  uint64_t deadline;
  uint64_t seq;
  uint32_t slot;
};

struct ndl__heap {
  struct ndl__heap_entry *v;
  uint32_t len;
  uint32_t cap;
  uint32_t *pos;     /* pos[slot]: index in v, or NDL__NIL */
  uint32_t pos_cap;  /* slots that pos covers */
};

void ndl__heap_init(struct ndl__heap *h);
void ndl__heap_free(struct ndl__heap *h);
/* Makes room for `entries` entries and for slots below slot_limit, so that
 * inserts up to that many cannot fail. Capacity never shrinks, so a timer
 * that leaves the heap to fire keeps its seat for re-arming.
 * Errors: NDL_ENOMEM. */
int ndl__heap_reserve(struct ndl__heap *h, uint32_t entries,
                      uint32_t slot_limit);
/* Inserts a slot that is not in the heap, after ndl__heap_reserve(). */
void ndl__heap_insert(struct ndl__heap *h, uint64_t deadline, uint64_t seq,
                      uint32_t slot);
/* Removes slot if it is in the heap; returns 1 if it was. */
int ndl__heap_remove(struct ndl__heap *h, uint32_t slot);
/* The least entry, or NULL when empty. */
const struct ndl__heap_entry *ndl__heap_min(const struct ndl__heap *h);
/* Removes the least entry into *out; returns 0 when empty. */
int ndl__heap_pop(struct ndl__heap *h, struct ndl__heap_entry *out);
int ndl__heap_contains(const struct ndl__heap *h, uint32_t slot);

#endif
