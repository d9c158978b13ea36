/*
 * The callback registry: every registered callback is one record in a slab,
 * found by its id through the id map. Records are addressed by slot index,
 * never by pointer, because the slab moves when it grows; a slot is valid
 * across a user callback only if ndl__reg_find() still maps its id to it.
 *
 * A record sits in at most one FIFO list at a time (immediates, nextTicks,
 * microtasks, due timers, pending, closing); the links are slot indices
 * inside the record, so queueing allocates nothing and clearing is O(1).
 */
#ifndef NDL_CORE_REGISTRY_H
#define NDL_CORE_REGISTRY_H

#include <stdint.h>

#include "idmap.h"
#include "ids.h"
#include "nodeloop.h"

struct ndl__work;

struct ndl__list {
  uint32_t head;
  uint32_t tail;
  uint32_t len;
};

struct ndl__cb {
  ndl_id id;     /* 0: the slot is free */
  uint8_t kind;  /* ndl_cb_kind */
  uint8_t refed; /* 1: keeps the loop alive */
  uint8_t ran;   /* a one-shot callback that has been started, or an
                    interval inside its call */
  ndl_cb fn;
  void *arg;
  /* Frees arg if the callback is cancelled instead of run (module use). */
  void (*release)(void *arg);
  uint32_t prev, next;    /* list links, or the free-slot chain in next */
  struct ndl__list *list; /* the list the record is on, or NULL */
  union {
    uint64_t repeat_ns;     /* timers: 0 for a timeout */
    struct ndl__work *work; /* pool work in flight */
    struct {
      int fd;
      unsigned events;
    } io;
    ndl_value value; /* pending and close callbacks: what they receive */
  } u;
};

struct ndl__registry {
  struct ndl__cb *cbs;
  uint32_t cap;
  uint32_t top;       /* slots below have been handed out; the rest are
                         untouched memory, never read */
  uint32_t free_head; /* released slots, chained through cbs[i].next */
  struct ndl__idmap map;
  struct ndl__ids ids;
};

int ndl__reg_init(struct ndl__registry *r, unsigned id_bits);
void ndl__reg_free(struct ndl__registry *r);
/* Takes a fresh id and a zeroed slot. Errors: NDL_ENOMEM, NDL_NOIDS; on
 * error nothing changed. */
int ndl__reg_add(struct ndl__registry *r, ndl_cb_kind kind, ndl_cb fn,
                 void *arg, uint32_t *slot);
/* The slot of a live id, or NDL__NIL. */
uint32_t ndl__reg_find(const struct ndl__registry *r, ndl_id id);
/* Frees the id and the slot; the record must be off every list. */
void ndl__reg_release(struct ndl__registry *r, uint32_t slot);
static inline struct ndl__cb *ndl__reg_at(const struct ndl__registry *r,
                                          uint32_t slot) {
  return &r->cbs[slot];
}

/*@
  // ---- ACSL model of the queues, for Frama-C WP (see docs/proofs.md). ----
  predicate ndl_link(integer x, integer cap) = x == NDL__NIL || 0 <= x < cap;

  // A list header that may be written while the slab is read: valid, apart
  // from the slab and the registry, with both ends NDL__NIL or a slot.
  predicate ndl_list_hdr{L}(struct ndl__registry *r, struct ndl__list *l) =
    \valid(l) &&
    \separated(l, r, r->cbs + (0 .. (integer)r->cap - 1)) &&
    ndl_link(l->head, r->cap) && ndl_link(l->tail, r->cap);

  // The header l is apart from every other header that a record names, so
  // that writing l's fields changes no other list.
  predicate ndl_list_apart{L}(struct ndl__registry *r, struct ndl__list *l) =
    \forall integer i; 0 <= i < r->cap && r->cbs[i].list != \null &&
      r->cbs[i].list != l ==> \separated(l, r->cbs[i].list);

  // Memory safety of every queue: the slab is there, each queued record
  // names a good list header and links only to slots (or NDL__NIL), and
  // distinct headers do not overlap.
  predicate ndl_queues_ok{L}(struct ndl__registry *r) =
    \valid(r) && r->cap < NDL__NIL &&
    \valid(r->cbs + (0 .. (integer)r->cap - 1)) &&
    \separated(r, r->cbs + (0 .. (integer)r->cap - 1)) &&
    (\forall integer i; 0 <= i < r->cap && r->cbs[i].list != \null ==>
      ndl_list_hdr(r, r->cbs[i].list) &&
      ndl_link(r->cbs[i].prev, r->cap) && ndl_link(r->cbs[i].next, r->cap)) &&
    (\forall integer i; 0 <= i < r->cap && r->cbs[i].list != \null ==>
      ndl_list_apart(r, r->cbs[i].list));
*/

/* FIFO lists threaded through the records. */
/*@ requires \valid(l);
    assigns *l;
    ensures l->head == NDL__NIL && l->tail == NDL__NIL && l->len == 0;
*/
void ndl__list_init(struct ndl__list *l);
/* Proven: the record becomes the tail, after the old tail (or as the head of
 * an empty list), and every queue stays memory-safe. */
/*@ requires ndl_queues_ok(r) && ndl_list_hdr(r, l);
    requires ndl_list_apart(r, l);
    requires slot < r->cap && r->cbs[slot].list == \null;
    assigns r->cbs[slot].list, r->cbs[slot].next, r->cbs[slot].prev,
            r->cbs[l->tail].next, l->head, l->tail, l->len;
    ensures ndl_queues_ok(r) && ndl_list_hdr(r, l);
    ensures tail: l->tail == slot && r->cbs[slot].list == l &&
      r->cbs[slot].prev == \old(l->tail);
    ensures last: \old(l->tail) != slot ==> r->cbs[slot].next == NDL__NIL;
    ensures after_old_tail: \old(l->tail) == NDL__NIL ?
      l->head == slot : (l->head == \old(l->head) &&
                         r->cbs[\old(l->tail)].next == slot);
*/
void ndl__list_push(struct ndl__registry *r, struct ndl__list *l,
                    uint32_t slot);
/* Puts the record at the head: the list is then a stack at that end. */
/*@ requires ndl_queues_ok(r) && ndl_list_hdr(r, l);
    requires ndl_list_apart(r, l);
    requires slot < r->cap && r->cbs[slot].list == \null;
    assigns r->cbs[slot].list, r->cbs[slot].next, r->cbs[slot].prev,
            r->cbs[l->head].prev, l->head, l->tail, l->len;
    ensures ndl_queues_ok(r) && ndl_list_hdr(r, l);
    ensures head: l->head == slot && r->cbs[slot].list == l &&
      r->cbs[slot].next == \old(l->head);
    ensures first: \old(l->head) != slot ==> r->cbs[slot].prev == NDL__NIL;
    ensures before_old_head: \old(l->head) == NDL__NIL ?
      l->tail == slot : (l->tail == \old(l->tail) &&
                         r->cbs[\old(l->head)].prev == slot);
*/
void ndl__list_push_front(struct ndl__registry *r, struct ndl__list *l,
                          uint32_t slot);
/* Unlinks the record from whatever list it is on (a no-op if none). */
/*@ requires ndl_queues_ok(r) && slot < r->cap;
    assigns r->cbs[0 .. r->cap - 1].next, r->cbs[0 .. r->cap - 1].prev,
            r->cbs[slot].list, r->cbs[slot].list->head,
            r->cbs[slot].list->tail, r->cbs[slot].list->len;
    ensures ndl_queues_ok(r);
    ensures off: r->cbs[slot].list == \null;
    behavior on_a_list:
      assumes r->cbs[slot].list != \null;
      ensures hdr_kept: ndl_list_hdr(r, \old(r->cbs[slot].list));
      ensures bypassed:
        \old(r->cbs[slot].prev) != slot && \old(r->cbs[slot].next) != slot ==>
        (\old(r->cbs[slot].prev) == NDL__NIL ?
           \old(r->cbs[slot].list)->head == \old(r->cbs[slot].next) :
           r->cbs[\old(r->cbs[slot].prev)].next == \old(r->cbs[slot].next)) &&
        (\old(r->cbs[slot].next) == NDL__NIL ?
           \old(r->cbs[slot].list)->tail == \old(r->cbs[slot].prev) :
           r->cbs[\old(r->cbs[slot].next)].prev == \old(r->cbs[slot].prev));
      ensures detached: r->cbs[slot].prev == NDL__NIL &&
                        r->cbs[slot].next == NDL__NIL;
    behavior off_lists:
      assumes r->cbs[slot].list == \null;
      assigns \nothing;
    complete behaviors;
    disjoint behaviors;
*/
void ndl__list_unlink(struct ndl__registry *r, uint32_t slot);
/* The first slot, removed; NDL__NIL when empty.
 * Proven: shift returns the head; when the head record is on this list with
 * no predecessor (as push leaves it), its successor becomes the new head. */
/*@ requires ndl_queues_ok(r) && ndl_list_hdr(r, l);
    assigns r->cbs[0 .. r->cap - 1].next, r->cbs[0 .. r->cap - 1].prev,
            r->cbs[l->head].list, r->cbs[l->head].list->head,
            r->cbs[l->head].list->tail, r->cbs[l->head].list->len;
    ensures ndl_queues_ok(r);
    behavior empty:
      assumes l->head == NDL__NIL;
      assigns \nothing;
      ensures \result == NDL__NIL;
    behavior nonempty:
      assumes l->head != NDL__NIL;
      ensures first: \result == \old(l->head);
      ensures off: r->cbs[\result].list == \null;
      ensures hdr_kept: \old(r->cbs[l->head].list) != \null ==>
        ndl_list_hdr(r, \old(r->cbs[l->head].list));
      ensures successor:
        \old(r->cbs[l->head].list) == l &&
        \old(r->cbs[l->head].prev) == NDL__NIL &&
        \old(r->cbs[l->head].next != l->head) ==>
        l->head == \old(r->cbs[l->head].next);
    complete behaviors;
    disjoint behaviors;
*/
uint32_t ndl__list_shift(struct ndl__registry *r, struct ndl__list *l);

#endif
