#include "heap.h"

#include "alloc.h"
#include "idmap.h"
#include "nodeloop.h"

void ndl__heap_init(struct ndl__heap *h) {
  h->v = NULL;
  h->len = 0;
  h->cap = 0;
  h->pos = NULL;
  h->pos_cap = 0;
}

void ndl__heap_free(struct ndl__heap *h) {
  ndl__free(h->v);
  ndl__free(h->pos);
  ndl__heap_init(h);
}

static int less(const struct ndl__heap_entry *a,
                const struct ndl__heap_entry *b) {
  if (a->deadline != b->deadline)
    return a->deadline < b->deadline;
  return a->seq < b->seq;
}

static void put(struct ndl__heap *h, uint32_t i,
                const struct ndl__heap_entry *e) {
  h->v[i] = *e;
  h->pos[e->slot] = i;
}

/* Moves the hole at i up until e fits, then stores e there. */
static void sift_up(struct ndl__heap *h, uint32_t i,
                    const struct ndl__heap_entry *e) {
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
static void sift_down(struct ndl__heap *h, uint32_t i,
                      const struct ndl__heap_entry *e) {
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

int ndl__heap_reserve(struct ndl__heap *h, uint32_t entries,
                      uint32_t slot_limit) {
  if (entries > h->cap) {
    uint32_t cap = h->cap == 0 ? 64 : h->cap;
    struct ndl__heap_entry *v;
    while (cap < entries && cap <= UINT32_MAX / 2)
      cap *= 2;
    if (cap < entries)
      cap = entries;
    v = ndl__reallocarray(h->v, cap, sizeof(*v));
    if (v == NULL)
      return NDL_ENOMEM;
    h->v = v;
    h->cap = cap;
  }
  if (slot_limit > h->pos_cap) {
    uint32_t cap = h->pos_cap == 0 ? 64 : h->pos_cap;
    uint32_t *pos, i;
    while (cap < slot_limit && cap <= UINT32_MAX / 2)
      cap *= 2;
    if (cap < slot_limit)
      cap = slot_limit;
    pos = ndl__reallocarray(h->pos, cap, sizeof(*pos));
    if (pos == NULL)
      return NDL_ENOMEM;
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

const struct ndl__heap_entry *ndl__heap_min(const struct ndl__heap *h) {
  return h->len == 0 ? NULL : &h->v[0];
}

int ndl__heap_pop(struct ndl__heap *h, struct ndl__heap_entry *out) {
  if (h->len == 0)
    return 0;
  *out = h->v[0];
  ndl__heap_remove(h, out->slot);
  return 1;
}
