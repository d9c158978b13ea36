#include "heap.h"

#include "alloc.h"
#include "idmap.h"
#include "nodeloop.h"

/*@
  // ---- The states inside a sift, for the proofs (docs/proofs.md). ----
  // A sift carries an entry e that is stored nowhere yet, and a hole at
  // index i whose contents are stale.

  // pos[] and v[] agree everywhere but at the hole, and e's slot is in
  // neither: it is the one entry that is waiting for a place.
  predicate hole_entries{L}(struct ndl__heap *h, integer i,
                            struct ndl__heap_entry *e) =
    \forall integer k; 0 <= k < h->len && k != i ==>
       h->v[k].slot < h->pos_cap && h->pos[h->v[k].slot] == k &&
       h->v[k].slot != e->slot;
  predicate hole_slots{L}(struct ndl__heap *h, integer i,
                          struct ndl__heap_entry *e) =
    \forall integer s; 0 <= s < h->pos_cap && s != e->slot &&
       h->pos[s] != NDL__NIL ==>
       h->pos[s] < h->len && h->pos[s] != i && h->v[h->pos[s]].slot == s;

  // Every parent/child pair that does not involve the hole is in order.
  predicate hole_pairs{L}(struct ndl__heap *h, integer i) =
    \forall integer k; 0 < k < h->len && k != i && ndl_parent(k) != i ==>
      !ndl_entry_lt(h, k, ndl_parent(k));

  // Sifting up: e comes no later than the hole's children, and neither does
  // the hole's parent, which may move down into the hole.
  predicate up_children{L}(struct ndl__heap *h, integer i,
                           struct ndl__heap_entry *e) =
    \forall integer k; 0 < k < h->len && ndl_parent(k) == i ==>
      !ndl_key_lt(h->v[k].deadline, h->v[k].seq, e->deadline, e->seq) &&
      (i > 0 ==> !ndl_entry_lt(h, k, ndl_parent(i)));

  // Sifting down: the hole's parent comes no later than e, nor than the
  // hole's children, one of which may move up into the hole.
  predicate down_parent{L}(struct ndl__heap *h, integer i,
                           struct ndl__heap_entry *e) =
    i > 0 ==> !ndl_key_lt(e->deadline, e->seq,
                          h->v[ndl_parent(i)].deadline,
                          h->v[ndl_parent(i)].seq);
  predicate down_children{L}(struct ndl__heap *h, integer i) =
    \forall integer k; 0 < k < h->len && ndl_parent(k) == i && i > 0 ==>
      !ndl_entry_lt(h, k, ndl_parent(i));

  // e sits in the heap with its key.
  predicate placed{L}(struct ndl__heap *h, struct ndl__heap_entry *e) =
    ndl_in_heap(h, e->slot) && h->pos[e->slot] < h->len &&
    h->v[h->pos[e->slot]].deadline == e->deadline &&
    h->v[h->pos[e->slot]].seq == e->seq;
*/

/*@ requires \valid(h);
    assigns *h;
    ensures ndl_heap_ok(h) && h->len == 0;
*/
void ndl__heap_init(struct ndl__heap *h) {
  h->v = NULL;
  h->len = 0;
  h->cap = 0;
  h->pos = NULL;
  h->pos_cap = 0;
}

/*@ requires \valid(h);
    assigns *h;
    ensures ndl_heap_ok(h) && h->len == 0;
*/
void ndl__heap_free(struct ndl__heap *h) {
  ndl__free(h->v);
  ndl__free(h->pos);
  ndl__heap_init(h);
}

/*@ requires \valid_read(a) && \valid_read(b);
    assigns \nothing;
    ensures \result != 0 <==>
      ndl_key_lt(a->deadline, a->seq, b->deadline, b->seq);
*/
static int less(const struct ndl__heap_entry *a,
                const struct ndl__heap_entry *b) {
  if (a->deadline != b->deadline)
    return a->deadline < b->deadline;
  return a->seq < b->seq;
}

/*@ requires ndl_heap_shape(h) && i < h->cap;
    requires \valid_read(e) && e->slot < h->pos_cap;
    requires \separated(e, h, h->v + i, h->pos + (0 .. h->pos_cap - 1));
    assigns h->v[i], h->pos[e->slot];
    ensures h->v[i].deadline == \old(e->deadline) &&
            h->v[i].seq == \old(e->seq) && h->v[i].slot == \old(e->slot);
    ensures h->pos[\old(e->slot)] == i;
    ensures header: h->v == \old(h->v) && h->pos == \old(h->pos) &&
      h->len == \old(h->len) && h->cap == \old(h->cap) &&
      h->pos_cap == \old(h->pos_cap);
    ensures other_entries: \forall integer k; 0 <= k < h->cap && k != i ==>
      h->v[k].deadline == \old(h->v[k].deadline) &&
      h->v[k].seq == \old(h->v[k].seq) && h->v[k].slot == \old(h->v[k].slot);
    ensures other_slots: \forall integer s;
      0 <= s < h->pos_cap && s != \old(e->slot) ==>
      h->pos[s] == \old(h->pos[s]);
*/
static void put(struct ndl__heap *h, uint32_t i,
                const struct ndl__heap_entry *e) {
  h->v[i] = *e;
  h->pos[e->slot] = i;
}

/* Moves the hole at i up until e fits, then stores e there. */
/*@ requires ndl_heap_shape(h) && i < h->len;
    requires \valid_read(e) &&
      \separated(e, h, h->v + (0 .. h->cap - 1),
                 h->pos + (0 .. h->pos_cap - 1));
    requires e->slot < h->pos_cap;
    requires hole_entries(h, i, e);
    requires hole_slots(h, i, e);
    requires hole_pairs(h, i);
    requires up_children(h, i, e);
    assigns h->v[0 .. h->len - 1], h->pos[0 .. h->pos_cap - 1];
    ensures ndl_heap_shape(h);
    ensures ndl_heap_index(h);
    ensures ndl_heap_order(h);
    ensures placed(h, e);
    ensures ndl_heap_keeps{Pre, Post}(h, e->slot);
*/
static void sift_up(struct ndl__heap *h, uint32_t i,
                    const struct ndl__heap_entry *e) {
  /*@ loop invariant header: h->v == \at(h->v, Pre) &&
        h->pos == \at(h->pos, Pre) && h->len == \at(h->len, Pre) &&
        h->cap == \at(h->cap, Pre) && h->pos_cap == \at(h->pos_cap, Pre);
      loop invariant ndl_heap_shape(h) && i < h->len;
      loop invariant hole_entries(h, i, e);
      loop invariant hole_slots(h, i, e);
      loop invariant hole_pairs(h, i);
      loop invariant up_children(h, i, e);
      loop invariant ndl_heap_keeps{Pre, Here}(h, e->slot);
      loop assigns i, h->v[0 .. \at(h->len, Pre) - 1],
                   h->pos[0 .. \at(h->pos_cap, Pre) - 1];
      loop variant i;
  */
  while (i > 0) {
    uint32_t parent = (i - 1) / 2;
    if (!less(e, &h->v[parent]))
      break;
    put(h, i, &h->v[parent]);
    i = parent;
  }
  put(h, i, e);
}

/* Moves the hole at i down until e fits, then stores e there. */
/*@ requires ndl_heap_shape(h) && i < h->len;
    requires \valid_read(e) &&
      \separated(e, h, h->v + (0 .. h->cap - 1),
                 h->pos + (0 .. h->pos_cap - 1));
    requires e->slot < h->pos_cap;
    requires hole_entries(h, i, e);
    requires hole_slots(h, i, e);
    requires hole_pairs(h, i);
    requires down_parent(h, i, e);
    requires down_children(h, i);
    assigns h->v[0 .. h->len - 1], h->pos[0 .. h->pos_cap - 1];
    ensures ndl_heap_shape(h);
    ensures ndl_heap_index(h);
    ensures ndl_heap_order(h);
    ensures placed(h, e);
    ensures ndl_heap_keeps{Pre, Post}(h, e->slot);
*/
static void sift_down(struct ndl__heap *h, uint32_t i,
                      const struct ndl__heap_entry *e) {
  /*@ loop invariant header: h->v == \at(h->v, Pre) &&
        h->pos == \at(h->pos, Pre) && h->len == \at(h->len, Pre) &&
        h->cap == \at(h->cap, Pre) && h->pos_cap == \at(h->pos_cap, Pre);
      loop invariant ndl_heap_shape(h) && i < h->len;
      loop invariant hole_entries(h, i, e);
      loop invariant hole_slots(h, i, e);
      loop invariant hole_pairs(h, i);
      loop invariant down_parent(h, i, e);
      loop invariant down_children(h, i);
      loop invariant ndl_heap_keeps{Pre, Here}(h, e->slot);
      loop assigns i, h->v[0 .. \at(h->len, Pre) - 1],
                   h->pos[0 .. \at(h->pos_cap, Pre) - 1];
      loop variant h->len - i;
  */
  for (;;) {
    uint32_t child = 2 * i + 1;
    if (child >= h->len || child < i)
      break;
    if (child + 1 < h->len && less(&h->v[child + 1], &h->v[child]))
      child++;
    if (!less(&h->v[child], e))
      break;
    put(h, i, &h->v[child]);
    i = child;
  }
  put(h, i, e);
}

/* The allocations, typed. WP's typed memory model cannot turn the
 * allocator's block of bytes into an array of entries, nor does it know that
 * the block is fresh, so these two contracts are trusted (a known gap in
 * docs/proofs.md): realloc returns NULL or a block for n elements that
 * overlaps nothing else the heap holds. */
/*@ requires ndl_heap_shape(h) && n > 0;
    assigns \nothing;
    ensures \result == \null ||
      (\valid(\result + (0 .. n - 1)) &&
       \separated(\result + (0 .. n - 1), h,
                  h->pos + (0 .. (integer)h->pos_cap - 1)));
*/
static struct ndl__heap_entry *realloc_entries(const struct ndl__heap *h,
                                               uint32_t n) {
  return ndl__reallocarray(h->v, n, sizeof(*h->v));
}

/*@ requires ndl_heap_shape(h) && n > 0;
    assigns \nothing;
    ensures \result == \null ||
      (\valid(\result + (0 .. n - 1)) &&
       \separated(\result + (0 .. n - 1), h,
                  h->v + (0 .. (integer)h->cap - 1)));
*/
static uint32_t *realloc_slots(const struct ndl__heap *h, uint32_t n) {
  return ndl__reallocarray(h->pos, n, sizeof(*h->pos));
}

int ndl__heap_reserve(struct ndl__heap *h, uint32_t entries,
                      uint32_t slot_limit) {
  if (entries > h->cap) {
    uint32_t cap = h->cap == 0 ? 64 : h->cap;
    struct ndl__heap_entry *v;
    /*@ loop invariant 0 < cap;
        loop assigns cap;
        loop variant entries - cap;
    */
    while (cap < entries && cap <= UINT32_MAX / 2)
      cap *= 2;
    if (cap < entries)
      cap = entries;
    v = realloc_entries(h, cap);
    if (v == NULL)
      return NDL_ENOMEM;
    h->v = v;
    h->cap = cap;
  }
  if (slot_limit > h->pos_cap) {
    uint32_t cap = h->pos_cap == 0 ? 64 : h->pos_cap;
    uint32_t *pos, i;
    /*@ loop invariant 0 < cap;
        loop assigns cap;
        loop variant slot_limit - cap;
    */
    while (cap < slot_limit && cap <= UINT32_MAX / 2)
      cap *= 2;
    if (cap < slot_limit)
      cap = slot_limit;
    pos = realloc_slots(h, cap);
    if (pos == NULL)
      return NDL_ENOMEM;
    /*@ loop invariant h->pos_cap <= i <= cap;
        loop invariant \forall integer k; h->pos_cap <= k < i ==>
          pos[k] == NDL__NIL;
        loop assigns i, pos[h->pos_cap .. cap - 1];
        loop variant cap - i;
    */
    for (i = h->pos_cap; i < cap; i++)
      pos[i] = NDL__NIL;
    h->pos = pos;
    h->pos_cap = cap;
  }
  return 0;
}

void ndl__heap_insert(struct ndl__heap *h, uint64_t deadline, uint64_t seq,
                      uint32_t slot) {
  struct ndl__heap_entry e;
  e.deadline = deadline;
  e.seq = seq;
  e.slot = slot;
  h->len++;
  sift_up(h, h->len - 1, &e);
}

int ndl__heap_contains(const struct ndl__heap *h, uint32_t slot) {
  return slot < h->pos_cap && h->pos[slot] != NDL__NIL;
}

int ndl__heap_remove(struct ndl__heap *h, uint32_t slot) {
  uint32_t i;
  struct ndl__heap_entry last;

  if (!ndl__heap_contains(h, slot))
    return 0;
  i = h->pos[slot];
  h->pos[slot] = NDL__NIL;
  h->len--;
  if (i == h->len)
    return 1;
  /* The last entry fills the hole; it may belong above or below it. */
  last = h->v[h->len];
  if (i > 0 && less(&last, &h->v[(i - 1) / 2]))
    sift_up(h, i, &last);
  else
    sift_down(h, i, &last);
  return 1;
}

/*@ ghost
  // The heap property makes the root the least entry: by induction along
  // the indices, since every parent sits at a smaller index.
  /@ requires ndl_heap_shape(h) && ndl_heap_order(h);
     assigns \nothing;
     ensures \forall integer k; 0 <= k < h->len ==> !ndl_entry_lt(h, k, 0);
  @/
  void root_is_least(struct ndl__heap *h) {
    uint32_t j = 0;
    /@ loop invariant 0 <= j <= h->len;
       loop invariant \forall integer k; 0 <= k < j ==> !ndl_entry_lt(h, k, 0);
       loop assigns j;
       loop variant h->len - j;
    @/
    while (j < h->len) {
      /@ assert j > 0 ==> !ndl_entry_lt(h, j, ndl_parent(j)); @/
      /@ assert j > 0 ==> !ndl_entry_lt(h, ndl_parent(j), 0); @/
      j++;
    }
  }
*/

const struct ndl__heap_entry *ndl__heap_min(const struct ndl__heap *h) {
  /*@ ghost root_is_least((struct ndl__heap *)h); */
  return h->len == 0 ? NULL : &h->v[0];
}

int ndl__heap_pop(struct ndl__heap *h, struct ndl__heap_entry *out) {
  if (h->len == 0)
    return 0;
  /*@ ghost root_is_least(h); */
  *out = h->v[0];
  ndl__heap_remove(h, out->slot);
  return 1;
}
