/*
 * Node's timer order (ndl_options.timer_order = NDL_TIMER_ORDER_NODE).
 *
 * Node keeps one list per duration, each in the order its timers were set,
 * and a priority queue of the lists ordered by (expiry, id). A list's
 * expiry is its first timer's deadline when the list was made, or when a
 * timers phase last found its first timer not yet due; clearing that timer
 * does not move it. A timers phase takes the first list whose expiry has
 * come and runs every timer of it that is due before it looks at another
 * list, so a loop that runs late may fire a later deadline first (a2 at 50
 * before b at 35 in tests/conformance/timers_late_lists.js). An interval
 * re-armed in the phase goes to the end of its list, behind a timer of the
 * same duration that its callback set.
 *
 * The timers stay on the heap as well, which keeps each one's deadline and
 * removes it by slot; the lists decide only which due timer runs next, and
 * when the poll phase must wake. Lists are few (one per duration in use),
 * so they are found by a scan.
 */
#include "timer_lists.h"

#include "alloc.h"

void ndl__tlists_init(struct ndl__tlists *t) {
  t->all = NULL;
  t->next_id = 0;
  t->in_phase = 0;
}

void ndl__tlists_free(struct ndl__tlists *t) {
  while (t->all != NULL) {
    struct ndl__tlist *l = t->all;
    t->all = l->next;
    ndl__free(l);
  }
}

struct ndl__tlist *ndl__tlists_get(struct ndl__tlists *t,
                                   uint64_t duration_ns) {
  struct ndl__tlist *l;
  for (l = t->all; l != NULL; l = l->next)
    if (l->duration_ns == duration_ns)
      return l;
  if ((l = ndl__calloc(1, sizeof(*l))) == NULL)
    return NULL;
  ndl__list_init(&l->timers);
  l->duration_ns = duration_ns;
  l->next = t->all;
  t->all = l;
  return l;
}

void ndl__tlists_append(struct ndl__tlists *t, struct ndl__registry *r,
                        struct ndl__tlist *l, uint32_t slot,
                        uint64_t deadline_ns) {
  ndl__list_push(r, &l->timers, slot);
  if (!l->queued) {
    l->queued = 1;
    l->expiry_ns = deadline_ns;
    l->id = t->next_id++;
  }
}

static void unlink_list(struct ndl__tlists *t, struct ndl__tlist *l) {
  struct ndl__tlist **p = &t->all;
  while (*p != l)
    p = &(*p)->next;
  *p = l->next;
  ndl__free(l);
}

void ndl__tlists_after_remove(struct ndl__tlists *t, struct ndl__tlist *l) {
  if (l->timers.len != 0)
    return;
  l->queued = 0;
  /* The phase may be walking this list: it goes at the phase's end. */
  if (!t->in_phase)
    unlink_list(t, l);
}

struct ndl__tlist *ndl__tlists_first(const struct ndl__tlists *t) {
  struct ndl__tlist *l, *first = NULL;
  for (l = t->all; l != NULL; l = l->next)
    if (l->queued && (first == NULL || l->expiry_ns < first->expiry_ns ||
                      (l->expiry_ns == first->expiry_ns && l->id < first->id)))
      first = l;
  return first;
}

void ndl__tlists_sweep(struct ndl__tlists *t) {
  struct ndl__tlist **p = &t->all;
  while (*p != NULL) {
    struct ndl__tlist *l = *p;
    if (l->queued) {
      p = &l->next;
    } else {
      *p = l->next;
      ndl__free(l);
    }
  }
}
