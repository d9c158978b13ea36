#include "heap.h"

#include "alloc.h"
#include "idmap.h"
#include "nodeloop.h"

#include "heap_proof.h" /* ACSL only: what only the provers read */

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

/* The three steps of a sift, each a function of its own for its proof (the
 * compiler inlines them); heap_proof.h says why and how. */

/* Moves the entry at c, the lesser child of the hole i, up into the hole:
 * the hole moves down to c. */
/*@ requires ndl_heap_shape(h) && c < h->len;
    requires child: c == 2 * i + 1 || c == 2 * i + 2;
    requires es < h->pos_cap && h->v[c].slot < h->pos_cap;
    requires entries: hole_entries(h, i, es);
    requires pos: hole_pos(h, i, es);
    requires back: hole_back(h, es);
    requires pairs: hole_pairs(h, h->len, i);
    requires parent: down_parent(h, i, ed, eq);
    requires children: down_children(h, h->len, i);
    requires left_lesser: c == 2 * i + 1 && c + 1 < h->len ==>
      !ndl_entry_lt(h, c + 1, c);
    requires right_lesser: c == 2 * i + 2 ==> !ndl_entry_lt(h, c - 1, c);
    requires before_e: ndl_key_lt(h->v[c].deadline, h->v[c].seq, ed, eq);
    assigns h->v[i], h->pos[h->v[c].slot];
    ensures header: h->v == \old(h->v) && h->pos == \old(h->pos) &&
      h->len == \old(h->len) && h->cap == \old(h->cap) &&
      h->pos_cap == \old(h->pos_cap);
    ensures entries: hole_entries(h, c, es);
    ensures pos: hole_pos(h, c, es);
    ensures back: hole_back(h, es);
    ensures pairs: hole_pairs(h, \old(h->len), c);
    ensures parent: down_parent(h, c, ed, eq);
    ensures children: down_children(h, \old(h->len), c);
    ensures keeps_set: ndl_heap_keeps_set{Pre, Post}(h, es);
    ensures keeps_keys: ndl_heap_keeps_keys{Pre, Post}(h, es);
*/
static void hole_down(struct ndl__heap *h, uint32_t i, uint32_t c)
/*@ ghost (uint32_t es, uint64_t ed, uint64_t eq) */ {
  /*@ ghost uint32_t n = h->len; */
  /*@ assert ndl_parent(c) == i; */
  /*@ assert below_c: (2 * c + 1 < n ==> !ndl_entry_lt(h, 2 * c + 1, c)) &&
                      (2 * c + 2 < n ==> !ndl_entry_lt(h, 2 * c + 2, c)); */
  put(h, i, &h->v[c]);
  /* For the proof: the pairs that did not change, then the ones around the
   * moved entry; the hole invariants last. */
  /*@ assert header: h->v == \at(h->v, Pre) && h->pos == \at(h->pos, Pre) &&
        h->len == n && h->cap == \at(h->cap, Pre) &&
        h->pos_cap == \at(h->pos_cap, Pre); */
  /*@ assert same_pairs: \forall integer p; 0 <= p < n && p != i ==>
        (2 * p + 1 < n && 2 * p + 1 != i ==>
          (ndl_entry_lt(h, 2 * p + 1, p) <==>
           \at(ndl_entry_lt(h, 2 * p + 1, p), Pre))) &&
        (2 * p + 2 < n && 2 * p + 2 != i ==>
          (ndl_entry_lt(h, 2 * p + 2, p) <==>
           \at(ndl_entry_lt(h, 2 * p + 2, p), Pre))); */
  /*@ assert same_lt_i: \forall integer a; 0 <= a < n && a != i ==>
        (ndl_entry_lt(h, a, i) <==> \at(ndl_entry_lt(h, a, c), Pre)) &&
        (ndl_entry_lt(h, i, a) <==> \at(ndl_entry_lt(h, c, a), Pre)); */
  /*@ ghost pairs_join(h, n, i, c); */
  /*@ assert entries: hole_entries(h, c, es); */
  /*@ assert pos: hole_pos(h, c, es); */
  /*@ assert back: hole_back(h, es); */
  /*@ assert keeps_set: ndl_heap_keeps_set{Pre, Here}(h, es); */
  /*@ assert keeps_keys: ndl_heap_keeps_keys{Pre, Here}(h, es); */
}

/* Moves the hole's parent p down into the hole i, because e comes before
 * it: the hole moves up to p. */
/*@ requires ndl_heap_shape(h) && i < h->len;
    requires parent: i == 2 * p + 1 || i == 2 * p + 2;
    requires es < h->pos_cap && h->v[p].slot < h->pos_cap;
    requires entries: hole_entries(h, i, es);
    requires pos: hole_pos(h, i, es);
    requires back: hole_back(h, es);
    requires pairs: hole_pairs(h, h->len, i);
    requires children: up_children(h, h->len, i, ed, eq);
    requires after_e: ndl_key_lt(ed, eq, h->v[p].deadline, h->v[p].seq);
    assigns h->v[i], h->pos[h->v[p].slot];
    ensures header: h->v == \old(h->v) && h->pos == \old(h->pos) &&
      h->len == \old(h->len) && h->cap == \old(h->cap) &&
      h->pos_cap == \old(h->pos_cap);
    ensures entries: hole_entries(h, p, es);
    ensures pos: hole_pos(h, p, es);
    ensures back: hole_back(h, es);
    ensures pairs: hole_pairs(h, \old(h->len), p);
    ensures children: up_children(h, \old(h->len), p, ed, eq);
    ensures keeps_set: ndl_heap_keeps_set{Pre, Post}(h, es);
    ensures keeps_keys: ndl_heap_keeps_keys{Pre, Post}(h, es);
*/
static void hole_up(struct ndl__heap *h, uint32_t i, uint32_t p)
/*@ ghost (uint32_t es, uint64_t ed, uint64_t eq) */ {
  /*@ ghost uint32_t n = h->len; */
  /*@ assert ndl_parent(i) == p; */
  /*@ ghost uint32_t pp = p > 0 ? (p - 1) / 2 : 0; */
  /*@ assert pp: p > 0 ==> (p == 2 * pp + 1 || p == 2 * pp + 2) &&
                           pp == ndl_parent(p); */
  /*@ ghost
    if (p > 0)
      pair_in_order(h, n, i, pp, p);
    uint32_t s = i == 2 * p + 1 ? i + 1 : i - 1;
    if (s < n)
      pair_in_order(h, n, i, p, s);
  */
  /*@ assert sibling: s < n ==>
        !ndl_key_lt(h->v[s].deadline, h->v[s].seq, ed, eq) &&
        (p > 0 ==> !ndl_entry_lt(h, s, pp)); */
  put(h, i, &h->v[p]);
  /*@ assert header: h->v == \at(h->v, Pre) && h->pos == \at(h->pos, Pre) &&
        h->len == n && h->cap == \at(h->cap, Pre) &&
        h->pos_cap == \at(h->pos_cap, Pre); */
  /*@ assert same_pairs: \forall integer q; 0 <= q < n && q != i ==>
        (2 * q + 1 < n && 2 * q + 1 != i ==>
          (ndl_entry_lt(h, 2 * q + 1, q) <==>
           \at(ndl_entry_lt(h, 2 * q + 1, q), Pre))) &&
        (2 * q + 2 < n && 2 * q + 2 != i ==>
          (ndl_entry_lt(h, 2 * q + 2, q) <==>
           \at(ndl_entry_lt(h, 2 * q + 2, q), Pre))); */
  /*@ assert at_i: (2 * i + 1 < n ==> !ndl_entry_lt(h, 2 * i + 1, i)) &&
                   (2 * i + 2 < n ==> !ndl_entry_lt(h, 2 * i + 2, i)); */
  /*@ assert child_i: !ndl_key_lt(h->v[i].deadline, h->v[i].seq, ed, eq) &&
        (p > 0 ==> !ndl_entry_lt(h, i, pp)); */
  /*@ assert sibling_kept: s < n ==>
        !ndl_key_lt(h->v[s].deadline, h->v[s].seq, ed, eq) &&
        (p > 0 ==> !ndl_entry_lt(h, s, pp)); */
  /*@ ghost up_join(h, n, i, p, pp, s, ed, eq); */
  /*@ assert entries: hole_entries(h, p, es); */
  /*@ assert pos: hole_pos(h, p, es); */
  /*@ assert back: hole_back(h, es); */
  /*@ assert keeps_set: ndl_heap_keeps_set{Pre, Here}(h, es); */
  /*@ assert keeps_keys: ndl_heap_keeps_keys{Pre, Here}(h, es); */
}

/* Stores e in the hole at i, where it fits between the parent and the
 * children: the heap is whole again. */
/*@ requires ndl_heap_shape(h) && i < h->len;
    requires \valid_read(e) &&
      \separated(e, h, h->v + (0 .. h->cap - 1),
                 h->pos + (0 .. h->pos_cap - 1));
    requires e->slot < h->pos_cap;
    requires entries: hole_entries(h, i, e->slot);
    requires pos: hole_pos(h, i, e->slot);
    requires back: hole_back(h, e->slot);
    requires pairs: hole_pairs(h, h->len, i);
    requires parent: down_parent(h, i, e->deadline, e->seq);
    requires fits: fits(h, h->len, i, e->deadline, e->seq);
    assigns h->v[i], h->pos[e->slot];
    ensures index_entries: ndl_heap_index_entries(h);
    ensures index_slots: ndl_heap_index_slots(h);
    ensures order: ndl_heap_order(h);
    ensures placed: placed(h, \old(e->slot), \old(e->deadline), \old(e->seq));
    ensures keeps_set: ndl_heap_keeps_set{Pre, Post}(h, \old(e->slot));
    ensures keeps_keys: ndl_heap_keeps_keys{Pre, Post}(h, \old(e->slot));
*/
static void fill(struct ndl__heap *h, uint32_t i,
                 const struct ndl__heap_entry *e) {
  /*@ ghost uint32_t n = h->len; */
  /*@ assert parent_index: i > 0 ==> i == 2 * ndl_parent(i) + 1 ||
                                      i == 2 * ndl_parent(i) + 2; */
  put(h, i, e);
  /*@ assert header: h->len == n; */
  /*@ assert same_pairs: \forall integer q; 0 <= q < n && q != i ==>
        (2 * q + 1 < n && 2 * q + 1 != i ==>
          (ndl_entry_lt(h, 2 * q + 1, q) <==>
           \at(ndl_entry_lt(h, 2 * q + 1, q), Pre))) &&
        (2 * q + 2 < n && 2 * q + 2 != i ==>
          (ndl_entry_lt(h, 2 * q + 2, q) <==>
           \at(ndl_entry_lt(h, 2 * q + 2, q), Pre))); */
  /*@ assert at_i: (2 * i + 1 < n ==> !ndl_entry_lt(h, 2 * i + 1, i)) &&
                   (2 * i + 2 < n ==> !ndl_entry_lt(h, 2 * i + 2, i)); */
  /*@ assert above_i: i > 0 ==> !ndl_entry_lt(h, i, ndl_parent(i)); */
  /*@ ghost fill_join(h, n, i); */
}

/* Moves the hole at i up until e fits, then stores e there. */
/*@ requires ndl_heap_shape(h) && i < h->len;
    requires \valid_read(e) &&
      \separated(e, h, h->v + (0 .. h->cap - 1),
                 h->pos + (0 .. h->pos_cap - 1));
    requires e->slot < h->pos_cap;
    requires hole_entries(h, i, e->slot);
    requires hole_slots(h, i, e->slot);
    requires hole_pairs(h, h->len, i);
    requires up_children(h, h->len, i, e->deadline, e->seq);
    assigns h->v[0 .. h->len - 1], h->pos[0 .. h->pos_cap - 1];
    ensures shape: ndl_heap_shape(h);
    ensures index_entries: ndl_heap_index_entries(h);
    ensures index_slots: ndl_heap_index_slots(h);
    ensures order: ndl_heap_order(h);
    ensures placed: placed(h, \old(e->slot), \old(e->deadline), \old(e->seq));
    ensures keeps_set: ndl_heap_keeps_set{Pre, Post}(h, \old(e->slot));
    ensures keeps_keys: ndl_heap_keeps_keys{Pre, Post}(h, \old(e->slot));
*/
static void sift_up(struct ndl__heap *h, uint32_t i,
                    const struct ndl__heap_entry *e) {
  /*@ ghost uint32_t es = e->slot; */
  /*@ ghost uint64_t ed = e->deadline; */
  /*@ ghost uint64_t eq = e->seq; */
  /*@ loop invariant header: h->v == \at(h->v, Pre) &&
        h->pos == \at(h->pos, Pre) && h->len == \at(h->len, Pre) &&
        h->cap == \at(h->cap, Pre) && h->pos_cap == \at(h->pos_cap, Pre);
      loop invariant shape: ndl_heap_shape(h) && i < h->len;
      loop invariant e_kept: e->slot == es && e->deadline == ed &&
                             e->seq == eq;
      loop invariant entries: hole_entries(h, i, es);
      loop invariant pos: hole_pos(h, i, es);
      loop invariant back: hole_back(h, es);
      loop invariant pairs: hole_pairs(h, h->len, i);
      loop invariant children: up_children(h, h->len, i, ed, eq);
      loop invariant keeps_set: ndl_heap_keeps_set{Pre, Here}(h, es);
      loop invariant keeps_keys: ndl_heap_keeps_keys{Pre, Here}(h, es);
      loop assigns i, h->v[0 .. \at(h->len, Pre) - 1],
                   h->pos[0 .. \at(h->pos_cap, Pre) - 1];
      loop variant i;
  */
  while (i > 0) {
    uint32_t parent = (i - 1) / 2;
    if (!less(e, &h->v[parent]))
      break;
    hole_up(h, i, parent) /*@ ghost (es, ed, eq) */;
    i = parent;
  }
  fill(h, i, e);
}

/* Moves the hole at i down until e fits, then stores e there. */
/*@ requires ndl_heap_shape(h) && i < h->len;
    requires \valid_read(e) &&
      \separated(e, h, h->v + (0 .. h->cap - 1),
                 h->pos + (0 .. h->pos_cap - 1));
    requires e->slot < h->pos_cap;
    requires hole_entries(h, i, e->slot);
    requires hole_slots(h, i, e->slot);
    requires hole_pairs(h, h->len, i);
    requires down_parent(h, i, e->deadline, e->seq);
    requires down_children(h, h->len, i);
    assigns h->v[0 .. h->len - 1], h->pos[0 .. h->pos_cap - 1];
    ensures shape: ndl_heap_shape(h);
    ensures index_entries: ndl_heap_index_entries(h);
    ensures index_slots: ndl_heap_index_slots(h);
    ensures order: ndl_heap_order(h);
    ensures placed: placed(h, \old(e->slot), \old(e->deadline), \old(e->seq));
    ensures keeps_set: ndl_heap_keeps_set{Pre, Post}(h, \old(e->slot));
    ensures keeps_keys: ndl_heap_keeps_keys{Pre, Post}(h, \old(e->slot));
*/
static void sift_down(struct ndl__heap *h, uint32_t i,
                      const struct ndl__heap_entry *e) {
  /* An entry has a child exactly when its index is below half (2i + 1 <
   * len); comparing i with half, rather than 2i + 1 with len, cannot wrap. */
  uint32_t half = h->len / 2;
  /*@ ghost uint32_t es = e->slot; */
  /*@ ghost uint64_t ed = e->deadline; */
  /*@ ghost uint64_t eq = e->seq; */
  /*@ loop invariant header: h->v == \at(h->v, Pre) &&
        h->pos == \at(h->pos, Pre) && h->len == \at(h->len, Pre) &&
        h->cap == \at(h->cap, Pre) && h->pos_cap == \at(h->pos_cap, Pre);
      loop invariant shape: ndl_heap_shape(h) && i < h->len;
      loop invariant e_kept: e->slot == es && e->deadline == ed &&
                             e->seq == eq;
      loop invariant entries: hole_entries(h, i, es);
      loop invariant pos: hole_pos(h, i, es);
      loop invariant back: hole_back(h, es);
      loop invariant pairs: hole_pairs(h, h->len, i);
      loop invariant parent: down_parent(h, i, ed, eq);
      loop invariant children: down_children(h, h->len, i);
      loop invariant keeps_set: ndl_heap_keeps_set{Pre, Here}(h, es);
      loop invariant keeps_keys: ndl_heap_keeps_keys{Pre, Here}(h, es);
      loop assigns i, h->v[0 .. \at(h->len, Pre) - 1],
                   h->pos[0 .. \at(h->pos_cap, Pre) - 1];
      loop variant h->len - i;
  */
  while (i < half) {
    uint32_t child = 2 * i + 1;
    if (child + 1 < h->len && less(&h->v[child + 1], &h->v[child]))
      child++;
    if (!less(&h->v[child], e))
      break;
    hole_down(h, i, child) /*@ ghost (es, ed, eq) */;
    i = child;
  }
  /*@ assert fits: fits(h, h->len, i, ed, eq); */
  fill(h, i, e);
}

/* The allocations, typed: trusted contracts (heap_proof.h, and a known gap
 * in docs/proofs.md). */
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

/* Fills the hole at i, left by a removed entry, with the last entry (at
 * len, just past the heap), which may belong above or below the hole: the
 * removed entry, still in the hole and in order there, says which way. */
/*@ requires ndl_heap_shape(h) && i < h->len && h->len < h->cap;
    requires h->v[h->len].slot < h->pos_cap;
    requires last: h->pos[h->v[h->len].slot] == h->len;
    requires entries: hole_entries(h, i, h->v[h->len].slot);
    requires pos: hole_pos(h, i, h->v[h->len].slot);
    requires back: hole_back(h, h->v[h->len].slot);
    requires pairs: hole_pairs(h, h->len, i);
    requires above: i > 0 ==> !ndl_entry_lt(h, i, ndl_parent(i));
    requires below: (2 * i + 1 < h->len ==> !ndl_entry_lt(h, 2 * i + 1, i)) &&
                    (2 * i + 2 < h->len ==> !ndl_entry_lt(h, 2 * i + 2, i));
    assigns h->v[0 .. h->len - 1], h->pos[0 .. h->pos_cap - 1];
    ensures shape: ndl_heap_shape(h) && h->len == \old(h->len);
    ensures index: ndl_heap_index(h);
    ensures order: ndl_heap_order(h);
    ensures keeps_set: ndl_heap_keeps_set{Pre, Post}(h, -1);
    ensures keeps_keys: ndl_heap_keeps_keys{Pre, Post}(h, -1);
*/
static void refill(struct ndl__heap *h, uint32_t i) {
  struct ndl__heap_entry last = h->v[h->len];

  /*@ assert parent_index: i > 0 ==> i == 2 * ndl_parent(i) + 1 ||
                                      i == 2 * ndl_parent(i) + 2; */
  if (i > 0 && less(&last, &h->v[(i - 1) / 2]))
    sift_up(h, i, &last);
  else
    sift_down(h, i, &last);
  /*@ assert shape: ndl_heap_shape(h) && h->len == \at(h->len, Pre); */
  /*@ assert last_kept: placed(h, \at(h->v[h->len].slot, Pre),
        \at(h->v[h->len].deadline, Pre), \at(h->v[h->len].seq, Pre)); */
  /*@ assert others_in: ndl_heap_keeps_set{Pre, Here}(h,
        \at(h->v[h->len].slot, Pre)); */
  /*@ assert set_kept: ndl_heap_keeps_set{Pre, Here}(h, -1); */
  /*@ assert others_kept:
        ndl_heap_keeps_keys{Pre, Here}(h, \at(h->v[h->len].slot, Pre)); */
}

int ndl__heap_remove(struct ndl__heap *h, uint32_t slot) {
  uint32_t i;

  if (!ndl__heap_contains(h, slot))
    return 0;
  i = h->pos[slot];
  /*@ ghost
    if (i > 0)
      ordered_pair(h, h->len, (i - 1) / 2, i);
  */
  h->pos[slot] = NDL__NIL;
  h->len--;
  if (i != h->len)
    refill(h, i);
  return 1;
}

const struct ndl__heap_entry *ndl__heap_min(const struct ndl__heap *h) {
  /*@ ghost root_is_least((struct ndl__heap *)h); */
  return h->len == 0 ? NULL : &h->v[0];
}

struct ndl__heap_entry ndl__heap_pop(struct ndl__heap *h) {
  struct ndl__heap_entry first = {0, 0, NDL__NIL};

  if (h->len > 0) {
    /*@ ghost root_is_least(h); */
    first = h->v[0];
    ndl__heap_remove(h, first.slot);
  }
  return first;
}
