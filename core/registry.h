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
  ndl_id id; /* 0: the slot is free */
  uint8_t kind; /* ndl_cb_kind */
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
    uint64_t repeat_ns;      /* timers: 0 for a timeout */
    struct ndl__work *work;  /* pool work in flight */
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
  uint32_t free_head; /* chain through cbs[i].next */
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

/* FIFO lists threaded through the records. */
void ndl__list_init(struct ndl__list *l);
void ndl__list_push(struct ndl__registry *r, struct ndl__list *l,
                    uint32_t slot);
/* Puts the record at the head: the list is then a stack at that end. */
void ndl__list_push_front(struct ndl__registry *r, struct ndl__list *l,
                          uint32_t slot);
/* Unlinks the record from whatever list it is on (a no-op if none). */
void ndl__list_unlink(struct ndl__registry *r, uint32_t slot);
/* The first slot, removed; NDL__NIL when empty. */
uint32_t ndl__list_shift(struct ndl__registry *r, struct ndl__list *l);
/* Moves every record of from onto the end of to, in order. O(n), because
 * each record remembers its list. */
void ndl__list_move_all(struct ndl__registry *r, struct ndl__list *from,
                        struct ndl__list *to);

#endif
