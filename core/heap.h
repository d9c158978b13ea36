/*
 * The timer heap: a binary min-heap in one array, ordered by (deadline,
 * sequence). The sequence number is the order in which timers were set, so
 * timers due at the same time fire in that order, which the chapter's
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

#include "idmap.h"
#include "nodeloop.h"

struct ndl__heap_entry {
  uint64_t deadline;
  uint64_t seq;
  uint32_t slot;
};

struct ndl__heap {
  struct ndl__heap_entry *v;
  uint32_t len;
  uint32_t cap;
  uint32_t *pos;    /* pos[slot]: index in v, or NDL__NIL */
  uint32_t pos_cap; /* slots that pos covers */
};

/*@
  // ---- ACSL model of the heap, for Frama-C WP (see docs/proofs.md). ----
  // NDL__NIL (UINT32_MAX, from idmap.h) marks a slot that is not in the heap.

  // (d1, s1) comes strictly before (d2, s2): what less() in heap.c decides.
  predicate ndl_key_lt(integer d1, integer s1, integer d2, integer s2) =
    d1 < d2 || (d1 == d2 && s1 < s2);
  // Entry i comes strictly before entry j.
  predicate ndl_entry_lt{L}(struct ndl__heap *h, integer i, integer j) =
    ndl_key_lt(h->v[i].deadline, h->v[i].seq, h->v[j].deadline, h->v[j].seq);
  logic integer ndl_parent(integer i) = (i - 1) / 2;

  // The arrays are there, apart from each other and from the header.
  predicate ndl_heap_shape{L}(struct ndl__heap *h) =
    \valid(h) && h->len <= h->cap &&
    \valid(h->v + (0 .. (integer)h->cap - 1)) &&
    \valid(h->pos + (0 .. (integer)h->pos_cap - 1)) &&
    \separated(h, h->v + (0 .. (integer)h->cap - 1),
               h->pos + (0 .. (integer)h->pos_cap - 1));

  // pos[] and v[] agree: each entry's slot points back at it, and every slot
  // that is not NDL__NIL points at an entry holding that slot.
  predicate ndl_heap_index_entries{L}(struct ndl__heap *h) =
    \forall integer k; 0 <= k < h->len ==>
       h->v[k].slot < h->pos_cap && h->pos[h->v[k].slot] == k;
  predicate ndl_heap_index_slots{L}(struct ndl__heap *h) =
    \forall integer s; 0 <= s < h->pos_cap && h->pos[s] != NDL__NIL ==>
       h->pos[s] < h->len && h->v[h->pos[s]].slot == s;
  predicate ndl_heap_index{L}(struct ndl__heap *h) =
    ndl_heap_index_entries(h) && ndl_heap_index_slots(h);

  // The heap property: no entry comes before its parent. Stated from the
  // parent p, whose children are 2p + 1 and 2p + 2, so that no goal needs to
  // divide (ndl_parent(k) = (k - 1) / 2 is the same relation).
  // The first n entries in heap order; n is a parameter, so that the
  // predicate reads only the keys (and not the memory of len and pos).
  predicate ndl_heap_ordered{L}(struct ndl__heap *h, integer n) =
    \forall integer p; 0 <= p < n ==>
      (2 * p + 1 < n ==> !ndl_entry_lt(h, 2 * p + 1, p)) &&
      (2 * p + 2 < n ==> !ndl_entry_lt(h, 2 * p + 2, p));
  predicate ndl_heap_order{L}(struct ndl__heap *h) =
    ndl_heap_ordered(h, h->len);

  predicate ndl_heap_ok{L}(struct ndl__heap *h) =
    ndl_heap_shape(h) && ndl_heap_index(h) && ndl_heap_order(h);

  predicate ndl_in_heap{L}(struct ndl__heap *h, integer s) =
    0 <= s < h->pos_cap && h->pos[s] != NDL__NIL;

  // Every slot other than `except` is in the heap in state L2 exactly when it
  // was in state L1 (keeps_set), with the same deadline and sequence number
  // (keeps_keys). Two predicates rather than one, so that a loop can carry
  // them as two invariants: each is a smaller goal for the provers.
  predicate ndl_heap_keeps_set{L1, L2}(struct ndl__heap *h, integer except) =
    \at(h->pos_cap, L1) == \at(h->pos_cap, L2) &&
    \forall integer s; 0 <= s < \at(h->pos_cap, L2) && s != except ==>
      (ndl_in_heap{L1}(h, s) <==> ndl_in_heap{L2}(h, s));
  predicate ndl_heap_keeps_keys{L1, L2}(struct ndl__heap *h, integer except) =
    \forall integer s; 0 <= s < \at(h->pos_cap, L1) && s != except &&
      ndl_in_heap{L1}(h, s) ==>
      \at(h->v[h->pos[s]].deadline, L1) == \at(h->v[h->pos[s]].deadline, L2) &&
      \at(h->v[h->pos[s]].seq, L1) == \at(h->v[h->pos[s]].seq, L2);
  predicate ndl_heap_keeps{L1, L2}(struct ndl__heap *h, integer except) =
    ndl_heap_keeps_set{L1, L2}(h, except) &&
    ndl_heap_keeps_keys{L1, L2}(h, except);
*/

/*@ requires \valid(h);
    assigns *h;
    ensures ndl_heap_ok(h) && h->len == 0;
*/
void ndl__heap_init(struct ndl__heap *h);
void ndl__heap_free(struct ndl__heap *h);
/* Makes room for `entries` entries and for slots below slot_limit, so that
 * inserts up to that many cannot fail. Capacity never shrinks, so a timer
 * that leaves the heap to fire keeps its seat for re-arming.
 * Errors: NDL_ENOMEM. */
/*@ requires ndl_heap_shape(h);
    assigns h->v, h->cap, h->pos, h->pos_cap,
            h->pos[h->pos_cap .. 0xfffffffe];
    ensures ndl_heap_shape(h) && h->len == \old(h->len);
    ensures \result == 0 || \result == NDL_ENOMEM;
    ensures \result == 0 ==> h->cap >= entries && h->pos_cap >= slot_limit;
    ensures new_slots_free: \forall integer s;
      \old(h->pos_cap) <= s < h->pos_cap ==> h->pos[s] == NDL__NIL;
*/
int ndl__heap_reserve(struct ndl__heap *h, uint32_t entries,
                      uint32_t slot_limit);
/* Inserts a slot that is not in the heap, after ndl__heap_reserve(). */
/*@ requires ndl_heap_ok(h);
    requires h->len < h->cap && slot < h->pos_cap && !ndl_in_heap(h, slot);
    assigns h->len, h->v[0 .. h->cap - 1], h->pos[0 .. h->pos_cap - 1];
    ensures ndl_heap_ok(h) && h->len == \old(h->len) + 1;
    ensures ndl_in_heap(h, slot) && h->v[h->pos[slot]].deadline == deadline &&
            h->v[h->pos[slot]].seq == seq;
    ensures ndl_heap_keeps{Pre, Post}(h, slot);
*/
void ndl__heap_insert(struct ndl__heap *h, uint64_t deadline, uint64_t seq,
                      uint32_t slot);
/* Removes slot if it is in the heap; returns 1 if it was. */
/*@ requires ndl_heap_ok(h);
    assigns h->len, h->v[0 .. h->cap - 1], h->pos[0 .. h->pos_cap - 1];
    ensures ndl_heap_ok(h);
    behavior absent:
      assumes !ndl_in_heap(h, slot);
      assigns \nothing;
      ensures \result == 0;
    behavior present:
      assumes ndl_in_heap(h, slot);
      ensures \result == 1 && h->len == \old(h->len) - 1;
      ensures gone: !ndl_in_heap(h, slot);
      ensures keeps_set: ndl_heap_keeps_set{Pre, Post}(h, slot);
      ensures keeps_keys: ndl_heap_keeps_keys{Pre, Post}(h, slot);
    complete behaviors;
    disjoint behaviors;
*/
int ndl__heap_remove(struct ndl__heap *h, uint32_t slot);
/* The least entry, or NULL when empty. */
/*@ requires ndl_heap_ok(h);
    assigns \nothing;
    ensures h->len == 0 ==> \result == \null;
    ensures h->len > 0 ==> \result == h->v + 0;
    ensures least: \forall integer k; 0 <= k < h->len ==>
      !ndl_entry_lt(h, k, 0);
*/
const struct ndl__heap_entry *ndl__heap_min(const struct ndl__heap *h);
/* Removes and returns the least entry; when the heap is empty, returns an
 * entry whose slot is NDL__NIL. The entry comes back by value, so popping
 * writes nothing outside the heap. */
/*@ requires ndl_heap_ok(h);
    assigns h->len, h->v[0 .. h->cap - 1], h->pos[0 .. h->pos_cap - 1];
    ensures ndl_heap_ok(h);
    behavior empty:
      assumes h->len == 0;
      assigns \nothing;
      ensures \result.slot == NDL__NIL;
    behavior nonempty:
      assumes h->len > 0;
      ensures h->len == \old(h->len) - 1;
      ensures first: \result.deadline == \old(h->v[0].deadline) &&
                     \result.seq == \old(h->v[0].seq) &&
                     \result.slot == \old(h->v[0].slot);
      ensures least: \forall integer k; 0 <= k < \old(h->len) ==>
        !ndl_key_lt(\old(h->v[k].deadline), \old(h->v[k].seq),
                    \result.deadline, \result.seq);
      ensures gone: !ndl_in_heap(h, \result.slot);
      ensures keeps_set: ndl_heap_keeps_set{Pre, Post}(h, \result.slot);
      ensures keeps_keys: ndl_heap_keeps_keys{Pre, Post}(h, \result.slot);
    complete behaviors;
    disjoint behaviors;
*/
struct ndl__heap_entry ndl__heap_pop(struct ndl__heap *h);
/*@ requires ndl_heap_ok(h);
    assigns \nothing;
    ensures \result != 0 <==> ndl_in_heap(h, slot);
*/
int ndl__heap_contains(const struct ndl__heap *h, uint32_t slot);

#endif
