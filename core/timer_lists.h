/*
 * Node's timer order, an option (NDL_TIMER_ORDER_NODE): one list of timers
 * per duration, and the lists in the order of their expiry, as Node's
 * lib/internal/timers.js keeps them. See timer_lists.c.
 */
#ifndef NDL_CORE_TIMER_LISTS_H
#define NDL_CORE_TIMER_LISTS_H

#include <stdint.h>

#include "registry.h"

/* Node's TimersList: the timers of one duration, in the order they were
 * set or re-armed. */
struct ndl__tlist {
  struct ndl__list timers; /* first, so a record's list finds its tlist */
  uint64_t duration_ns;
  uint64_t expiry_ns; /* when Node's queue says the list is due */
  uint64_t id;        /* Node's timerListId: breaks ties of expiry */
  int queued;         /* in Node's queue of lists */
  struct ndl__tlist *next;
};

struct ndl__tlists {
  struct ndl__tlist *all; /* queued or not, in no order */
  uint64_t next_id;
  int in_phase; /* a timers phase runs: emptied lists wait for its end */
};

void ndl__tlists_init(struct ndl__tlists *t);
void ndl__tlists_free(struct ndl__tlists *t);
/* The list for duration_ns, made if there is none. NULL: no memory. */
struct ndl__tlist *ndl__tlists_get(struct ndl__tlists *t, uint64_t duration_ns);
/* Appends an armed timer to l. A list that is not queued is queued, due
 * at this timer's deadline, with a new id, as Node makes a new list. */
void ndl__tlists_append(struct ndl__tlists *t, struct ndl__registry *r,
                        struct ndl__tlist *l, uint32_t slot,
                        uint64_t deadline_ns);
/* l lost a timer that was cleared; an empty list leaves the queue. */
void ndl__tlists_after_remove(struct ndl__tlists *t, struct ndl__tlist *l);
/* The queued list that comes first by (expiry, id), or NULL. */
struct ndl__tlist *ndl__tlists_first(const struct ndl__tlists *t);
/* Frees the lists that are not queued (at the end of a timers phase). */
void ndl__tlists_sweep(struct ndl__tlists *t);

#endif
