/*
 * What only the provers read about the timer heap (core/heap.c): the
 * predicates that describe a sift half done (an entry e carried, a hole
 * whose contents are stale) and the ghost lemma functions that join the
 * cases each sift step proves one by one. ACSL only: a C compiler sees
 * nothing here. heap.c includes it, once; docs/proofs.md says how the proof
 * goes.
 *
 * The text is in the order heap.c had it, which matters: a goal's context
 * depends on what comes before it, and the provers' limits are fixed.
 */
#ifndef NDL_CORE_HEAP_PROOF_H
#define NDL_CORE_HEAP_PROOF_H

/* The three steps of a sift (hole_down, hole_up, fill in heap.c) are each a
 * function of its own so that each of their proofs sees only the facts it
 * needs; each writes through put(). A sift carries an entry e with slot es
 * and key (ed, eq), passed to the steps as ghost arguments. Each step
 * states, after its write, what changed, one case at a time, and a ghost
 * lemma function below joins the cases into the step's order clauses.
 *
 * The typed allocations (realloc_entries, realloc_slots): WP's typed memory
 * model cannot turn the allocator's block of bytes into an array of
 * entries, nor does it know that the block is fresh, so their contracts are
 * trusted: realloc returns NULL or a block for n elements that overlaps
 * nothing else the heap holds. docs/proofs.md tells the whole proof. */

#include "heap.h"

/*@
  // ---- The states inside a sift, for the proofs (docs/proofs.md). ----
  // A sift carries an entry e that is stored nowhere yet, and a hole at
  // index i whose contents are stale.

  // The predicates take e's slot (es) and key (ed, eq) as numbers rather
  // than e itself: the sifts read them in their pre-state, so the provers
  // need no frame reasoning to know that e did not change.

  // pos[] and v[] agree everywhere but at the hole, and e's slot is in
  // neither: it is the one entry that is waiting for a place.
  predicate hole_entries{L}(struct ndl__heap *h, integer i, integer es) =
    \forall integer k; 0 <= k < h->len && k != i ==>
       h->v[k].slot < h->pos_cap && h->pos[h->v[k].slot] == k &&
       h->v[k].slot != es;
  // The other direction, in two halves (each a smaller goal to keep): every
  // slot in the heap but e's points below len and not at the hole ...
  predicate hole_pos{L}(struct ndl__heap *h, integer i, integer es) =
    \forall integer s; 0 <= s < h->pos_cap && s != es &&
       h->pos[s] != NDL__NIL ==> h->pos[s] < h->len && h->pos[s] != i;
  // ... at an entry that holds that slot.
  predicate hole_back{L}(struct ndl__heap *h, integer es) =
    \forall integer s; 0 <= s < h->pos_cap && s != es &&
       h->pos[s] != NDL__NIL ==> h->v[h->pos[s]].slot == s;
  predicate hole_slots{L}(struct ndl__heap *h, integer i, integer es) =
    hole_pos(h, i, es) && hole_back(h, es);

  // The order predicates take the length n as a parameter, so that they
  // read only the keys: a write to pos[] or to a slot cannot concern them.
  // Every parent/child pair among the first n entries that does not involve
  // the hole is in order.
  predicate hole_pairs{L}(struct ndl__heap *h, integer n, integer i) =
    \forall integer p; 0 <= p < n && p != i ==>
      (2 * p + 1 < n && 2 * p + 1 != i ==> !ndl_entry_lt(h, 2 * p + 1, p)) &&
      (2 * p + 2 < n && 2 * p + 2 != i ==> !ndl_entry_lt(h, 2 * p + 2, p));

  // The children of i, stated by index (2i + 1 and 2i + 2) rather than
  // through ndl_parent, so that no goal needs to divide.
  // Sifting up: e comes no later than the hole's children, and neither does
  // the hole's parent, which may move down into the hole.
  predicate up_child{L}(struct ndl__heap *h, integer n, integer i, integer c,
                        integer ed, integer eq) =
    c < n ==>
      !ndl_key_lt(h->v[c].deadline, h->v[c].seq, ed, eq) &&
      (i > 0 ==> !ndl_entry_lt(h, c, ndl_parent(i)));
  predicate up_children{L}(struct ndl__heap *h, integer n, integer i,
                           integer ed, integer eq) =
    up_child(h, n, i, 2 * i + 1, ed, eq) &&
    up_child(h, n, i, 2 * i + 2, ed, eq);

  // Sifting down: the hole's parent comes no later than e, nor than the
  // hole's children, one of which may move up into the hole.
  predicate down_parent{L}(struct ndl__heap *h, integer i,
                           integer ed, integer eq) =
    i > 0 ==> !ndl_key_lt(ed, eq, h->v[ndl_parent(i)].deadline,
                          h->v[ndl_parent(i)].seq);
  predicate down_children{L}(struct ndl__heap *h, integer n, integer i) =
    i > 0 ==>
      (2 * i + 1 < n ==> !ndl_entry_lt(h, 2 * i + 1, ndl_parent(i))) &&
      (2 * i + 2 < n ==> !ndl_entry_lt(h, 2 * i + 2, ndl_parent(i)));
  // e comes no later than the children of i: e may be stored at i.
  predicate fits{L}(struct ndl__heap *h, integer n, integer i,
                    integer ed, integer eq) =
    (2 * i + 1 < n ==>
       !ndl_key_lt(h->v[2 * i + 1].deadline, h->v[2 * i + 1].seq, ed, eq)) &&
    (2 * i + 2 < n ==>
       !ndl_key_lt(h->v[2 * i + 2].deadline, h->v[2 * i + 2].seq, ed, eq));

  // e sits in the heap with its key.
  predicate placed{L}(struct ndl__heap *h, integer es, integer ed,
                      integer eq) =
    ndl_in_heap(h, es) && h->pos[es] < h->len &&
    h->v[h->pos[es]].deadline == ed && h->v[h->pos[es]].seq == eq;
*/

/*@ ghost
  // One pair of a heap: the child c of q is in order with q.
  /@ requires ndl_heap_ordered(h, n);
     requires 0 <= q < n && c < n && (c == 2 * q + 1 || c == 2 * q + 2);
     assigns \nothing;
     ensures !ndl_entry_lt(h, c, q);
  @/
  void ordered_pair(struct ndl__heap *h, uint32_t n, uint32_t q, uint32_t c) {}
*/

/*@ ghost
  // One pair of hole_pairs: the child c of q is in order with q when
  // neither is the hole.
  /@ requires hole_pairs(h, n, hole);
     requires 0 <= q < n && q != hole && c < n && c != hole;
     requires c == 2 * q + 1 || c == 2 * q + 2;
     assigns \nothing;
     ensures !ndl_entry_lt(h, c, q);
  @/
  void pair_in_order(struct ndl__heap *h, uint32_t n, uint32_t hole,
                     uint32_t q, uint32_t c) {}
*/

/*@ ghost
  // The pairs around a hole that moved from i down to its child c, whose
  // cases were proven one by one: they make hole_pairs at c.
  /@ requires 0 <= i && (c == 2 * i + 1 || c == 2 * i + 2);
     requires at_i: (2 * i + 1 < n && 2 * i + 1 != c ==>
                       !ndl_entry_lt(h, 2 * i + 1, i)) &&
                    (2 * i + 2 < n && 2 * i + 2 != c ==>
                       !ndl_entry_lt(h, 2 * i + 2, i));
     requires above_i: \forall integer p; 0 <= p < n &&
       (2 * p + 1 == i || 2 * p + 2 == i) ==> !ndl_entry_lt(h, i, p);
     requires rest_left: \forall integer p; 0 <= p < n && p != i && p != c &&
       2 * p + 1 < n && 2 * p + 1 != c && 2 * p + 1 != i ==>
       !ndl_entry_lt(h, 2 * p + 1, p);
     requires rest_right: \forall integer p; 0 <= p < n && p != i && p != c &&
       2 * p + 2 < n && 2 * p + 2 != c && 2 * p + 2 != i ==>
       !ndl_entry_lt(h, 2 * p + 2, p);
     requires below_c: (2 * c + 1 < n ==> !ndl_entry_lt(h, 2 * c + 1, i)) &&
                       (2 * c + 2 < n ==> !ndl_entry_lt(h, 2 * c + 2, i));
     assigns \nothing;
     ensures pairs: hole_pairs(h, n, c);
     ensures children: down_children(h, n, c);
  @/
  void pairs_join(struct ndl__heap *h, uint32_t n, uint32_t i, uint32_t c) {}
*/

/*@ ghost
  // The pairs around a hole that moved from i up to its parent p, and the
  // children of p, from the cases proven one by one.
  /@ requires 0 <= p && (i == 2 * p + 1 || i == 2 * p + 2);
     requires at_i: (2 * i + 1 < n ==> !ndl_entry_lt(h, 2 * i + 1, i)) &&
                    (2 * i + 2 < n ==> !ndl_entry_lt(h, 2 * i + 2, i));
     requires rest: \forall integer q; 0 <= q < n && q != i && q != p ==>
       (2 * q + 1 < n && 2 * q + 1 != p && 2 * q + 1 != i ==>
          !ndl_entry_lt(h, 2 * q + 1, q)) &&
       (2 * q + 2 < n && 2 * q + 2 != p && 2 * q + 2 != i ==>
          !ndl_entry_lt(h, 2 * q + 2, q));
     requires pp: p > 0 ==> pp == ndl_parent(p);
     requires child_i: !ndl_key_lt(h->v[i].deadline, h->v[i].seq, ed, eq) &&
       (p > 0 ==> !ndl_entry_lt(h, i, pp));
     requires sibling: (s == 2 * p + 1 || s == 2 * p + 2) && s != i;
     requires sibling_order: s < n ==>
       !ndl_key_lt(h->v[s].deadline, h->v[s].seq, ed, eq) &&
       (p > 0 ==> !ndl_entry_lt(h, s, pp));
     assigns \nothing;
     ensures pairs: hole_pairs(h, n, p);
     ensures children: up_children(h, n, p, ed, eq);
  @/
  void up_join(struct ndl__heap *h, uint32_t n, uint32_t i, uint32_t p,
               uint32_t pp, uint32_t s, uint64_t ed, uint64_t eq) {}

  // The hole at i filled in order with its parent and its children: the
  // first n entries are a heap.
  /@ requires 0 <= i;
     requires parent_index: i > 0 ==> i == 2 * ndl_parent(i) + 1 ||
                                      i == 2 * ndl_parent(i) + 2;
     requires at_i: (2 * i + 1 < n ==> !ndl_entry_lt(h, 2 * i + 1, i)) &&
                    (2 * i + 2 < n ==> !ndl_entry_lt(h, 2 * i + 2, i));
     requires above_i: i > 0 ==> !ndl_entry_lt(h, i, ndl_parent(i));
     requires rest: \forall integer q; 0 <= q < n && q != i ==>
       (2 * q + 1 < n && 2 * q + 1 != i ==> !ndl_entry_lt(h, 2 * q + 1, q)) &&
       (2 * q + 2 < n && 2 * q + 2 != i ==> !ndl_entry_lt(h, 2 * q + 2, q));
     assigns \nothing;
     ensures order: ndl_heap_ordered(h, n);
  @/
  void fill_join(struct ndl__heap *h, uint32_t n, uint32_t i) {}
*/

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
      /@ assert j > 0 ==> j == 2 * ndl_parent(j) + 1 ||
                          j == 2 * ndl_parent(j) + 2; @/
      /@ assert j > 0 ==> !ndl_entry_lt(h, j, ndl_parent(j)); @/
      /@ assert j > 0 ==> !ndl_entry_lt(h, ndl_parent(j), 0); @/
      j++;
    }
  }
*/

#endif
