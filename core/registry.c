#include "registry.h"

#include <string.h>

#include "alloc.h"

int ndl__reg_init(struct ndl__registry *r, unsigned id_bits) {
  int err = ndl__ids_init(&r->ids, id_bits);
  if (err)
    return err;
  r->cbs = NULL;
  r->cap = 0;
  r->top = 0;
  r->free_head = NDL__NIL;
  ndl__idmap_init(&r->map);
  return 0;
}

void ndl__reg_free(struct ndl__registry *r) {
  ndl__free(r->cbs);
  r->cbs = NULL;
  r->cap = 0;
  r->top = 0;
  r->free_head = NDL__NIL;
  ndl__idmap_free(&r->map);
}

/* Doubles the slab. The new slots are neither zeroed nor chained: a slot is
 * first touched when reg_add hands it out, so a slab grown for ten million
 * records costs memory only for those in use. */
static int grow(struct ndl__registry *r) {
  uint32_t cap = r->cap == 0 ? 64 : r->cap * 2;
  struct ndl__cb *cbs;

  if (cap <= r->cap || cap == NDL__NIL)
    return NDL_ENOMEM;
  cbs = ndl__reallocarray(r->cbs, cap, sizeof(*cbs));
  if (cbs == NULL)
    return NDL_ENOMEM;
  r->cbs = cbs;
  r->cap = cap;
  return 0;
}

/* A released slot, most recently released first, else the next untouched
 * one. */
static uint32_t take_slot(struct ndl__registry *r) {
  uint32_t s = r->free_head;
  if (s != NDL__NIL)
    r->free_head = r->cbs[s].next;
  else
    s = r->top++;
  return s;
}

int ndl__reg_add(struct ndl__registry *r, ndl_cb_kind kind, ndl_cb fn,
                 void *arg, uint32_t *slot) {
  uint32_t id, s;
  struct ndl__cb *cb;
  int err;

  if (r->free_head == NDL__NIL && r->top == r->cap && (err = grow(r)) != 0)
    return err;
  if ((err = ndl__idmap_reserve_one(&r->map)) != 0)
    return err;
  if ((err = ndl__ids_next(&r->ids, &r->map, &id)) != 0)
    return err;

  s = take_slot(r);
  cb = &r->cbs[s];
  memset(cb, 0, sizeof(*cb));
  cb->id = id;
  cb->kind = (uint8_t)kind;
  cb->refed = 1;
  cb->fn = fn;
  cb->arg = arg;
  cb->prev = cb->next = NDL__NIL;
  ndl__idmap_insert(&r->map, id, s);
  *slot = s;
  return 0;
}

uint32_t ndl__reg_find(const struct ndl__registry *r, ndl_id id) {
  return ndl__idmap_find(&r->map, id);
}

void ndl__reg_release(struct ndl__registry *r, uint32_t slot) {
  struct ndl__cb *cb = &r->cbs[slot];
  ndl__idmap_remove(&r->map, cb->id);
  cb->id = 0;
  cb->list = NULL;
  cb->next = r->free_head;
  r->free_head = slot;
}

void ndl__list_init(struct ndl__list *l) {
  l->head = l->tail = NDL__NIL;
  l->len = 0;
}

void ndl__list_push(struct ndl__registry *r, struct ndl__list *l,
                    uint32_t slot) {
  struct ndl__cb *cb = &r->cbs[slot];
  cb->list = l;
  cb->next = NDL__NIL;
  cb->prev = l->tail;
  if (l->tail == NDL__NIL)
    l->head = slot;
  else
    r->cbs[l->tail].next = slot;
  l->tail = slot;
  l->len++;
}

void ndl__list_push_front(struct ndl__registry *r, struct ndl__list *l,
                          uint32_t slot) {
  struct ndl__cb *cb = &r->cbs[slot];
  cb->list = l;
  cb->prev = NDL__NIL;
  cb->next = l->head;
  if (l->head == NDL__NIL)
    l->tail = slot;
  else
    r->cbs[l->head].prev = slot;
  l->head = slot;
  l->len++;
}

void ndl__list_unlink(struct ndl__registry *r, uint32_t slot) {
  struct ndl__cb *cb = &r->cbs[slot];
  struct ndl__list *l = cb->list;
  if (l == NULL)
    return;
  if (cb->prev == NDL__NIL)
    l->head = cb->next;
  else
    r->cbs[cb->prev].next = cb->next;
  if (cb->next == NDL__NIL)
    l->tail = cb->prev;
  else
    r->cbs[cb->next].prev = cb->prev;
  cb->prev = cb->next = NDL__NIL;
  cb->list = NULL;
  l->len--;
}

uint32_t ndl__list_shift(struct ndl__registry *r, struct ndl__list *l) {
  uint32_t slot = l->head;
  if (slot != NDL__NIL)
    ndl__list_unlink(r, slot);
  return slot;
}
