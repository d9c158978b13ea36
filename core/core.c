/*
 * The core's state machine: registering callbacks, and running each phase.
 *
 * The rules it implements (docs/semantics.md pins each with a scenario):
 *  - after every single callback the nextTick queue drains, then the
 *    microtask queue, and this repeats until both are empty;
 *  - due timers are taken as a batch before any fires, in (deadline, seq)
 *    order, so a timer that re-arms itself cannot starve the tick;
 *  - immediates, pending and close callbacks queued while their own phase
 *    runs wait for the next iteration.
 */
#include "core.h"

#include <stddef.h>
#include <string.h>

#include "alloc.h"

void ndl__core_emit_to_sink(const struct ndl__core *c, ndl_trace_kind kind,
                            ndl_cb_kind cb_kind, ndl_id id, const char *text,
                            const char *label) {
  ndl_trace_event ev;
  memset(&ev, 0, sizeof(ev));
  ev.kind = kind;
  ev.thread = c->thread;
  ev.now_ns = c->now_ns;
  ev.tick = c->tick;
  ev.phase = c->phase;
  ev.cb_kind = cb_kind;
  ev.id = id;
  ev.text = text;
  ev.label = label;
  c->trace(c->trace_ctx, &ev);
}

static void phase_queue_init(struct ndl__phase_queue *q) {
  ndl__list_init(&q->side[0]);
  ndl__list_init(&q->side[1]);
  q->filling = 0;
}

int ndl__core_init(struct ndl__core *c, ndl_loop *loop, unsigned id_bits,
                   ndl_trace_fn trace, void *trace_ctx) {
  int err;
  /* Not the fired records: each is written before it is read, and zeroing
   * 32 KiB per loop is most of what creating a sim loop costs. */
  memset(c, 0, offsetof(struct ndl__core, fired));
  if ((err = ndl__reg_init(&c->reg, id_bits == 0 ? 32 : id_bits)) != 0)
    return err;
  ndl__heap_init(&c->timers);
  ndl__tlists_init(&c->tlists);
  phase_queue_init(&c->immediates);
  ndl__list_init(&c->next_ticks);
  ndl__list_init(&c->microtasks);
  phase_queue_init(&c->pending);
  phase_queue_init(&c->closing);
  c->phase = NDL_PHASE_MAIN;
  c->loop = loop;
  c->thread = "main";
  c->trace = trace;
  c->trace_ctx = trace_ctx;
  return 0;
}

void ndl__core_free(struct ndl__core *c) {
  uint32_t slot;
  for (slot = 0; slot < c->reg.top; slot++) {
    struct ndl__cb *cb = ndl__reg_at(&c->reg, slot);
    if (cb->id == 0)
      continue;
    if (ndl__core_holds_value(cb))
      ndl_value_clear(&cb->u.value);
    if (cb->release != NULL)
      cb->release(cb->arg);
    c->cancelled++;
  }
  ndl__heap_free(&c->timers);
  ndl__tlists_free(&c->tlists);
  ndl__reg_free(&c->reg);
}

/* ---- Registration ------------------------------------------------------- */

/* Takes an id and a slot, and counts the callback as registered and alive;
 * while the exit listeners run, only a microtask may register (NDL_EXITING).
 * The id counter is restored by unregister() so that a failed call leaves
 * the state exactly as it was. */
static int reg(struct ndl__core *c, ndl_cb_kind kind, ndl_cb fn, void *arg,
               uint32_t *slot) {
  int err;
  if (fn == NULL)
    return NDL_EINVAL;
  if (c->exiting && kind != NDL_CB_MICROTASK)
    return NDL_EXITING;
  if ((err = ndl__reg_add(&c->reg, kind, fn, arg, slot)) != 0)
    return err;
  c->registered++;
  c->alive++;
  return 0;
}

static void unregister(struct ndl__core *c, uint32_t slot,
                       uint32_t saved_last) {
  ndl__reg_release(&c->reg, slot);
  c->reg.ids.last = saved_last;
  c->registered--;
  c->alive--;
}

static void announce(struct ndl__core *c, uint32_t slot, ndl_id *id) {
  struct ndl__cb *cb = ndl__reg_at(&c->reg, slot);
  if (id != NULL)
    *id = cb->id;
  ndl__core_emit(c, NDL_TRACE_REGISTER, (ndl_cb_kind)cb->kind, cb->id, NULL,
                 NULL);
}

/* Node clamps a delay of 0, and any delay above TIMEOUT_MAX (2^31 - 1 ms,
 * about 24.8 days), to 1 ms, with a TimeoutOverflowWarning; so do we,
 * with a trace note. A negative delay is an error (docs/semantics.md). */
#define TIMEOUT_MAX_MS ((int64_t)INT32_MAX)

/* The deadline saturates at the end of time (UINT64_MAX ns, 584 years of
 * virtual time) rather than wrapping to the past and firing at once. */
void ndl__core_arm(struct ndl__core *c, uint32_t slot, uint64_t start_ns) {
  struct ndl__cb *cb = ndl__reg_at(&c->reg, slot);
  uint64_t deadline = start_ns > UINT64_MAX - cb->u.repeat_ns
                          ? UINT64_MAX
                          : start_ns + cb->u.repeat_ns;
  ndl__heap_insert(&c->timers, deadline, c->timer_seq++, slot);
  if (c->node_timer_order) {
    /* There is one: made when the timer was added, and kept while a
     * timers phase (which re-arms intervals) runs. */
    struct ndl__tlist *l = ndl__tlists_get(&c->tlists, cb->u.repeat_ns);
    if (l != NULL)
      ndl__tlists_append(&c->tlists, &c->reg, l, slot, deadline);
  }
}

int ndl__core_add_timer(struct ndl__core *c, uint64_t now_ns, int64_t delay_ms,
                        int repeat, ndl_cb fn, void *arg, ndl_id *id) {
  uint32_t slot, saved_last = c->reg.ids.last;
  int err, clamped = delay_ms > TIMEOUT_MAX_MS;

  if (delay_ms < 0)
    return NDL_EINVAL;
  if (delay_ms == 0 || clamped)
    delay_ms = 1;
  err = reg(c, repeat ? NDL_CB_INTERVAL : NDL_CB_TIMEOUT, fn, arg, &slot);
  if (err)
    return err;
  err = ndl__heap_reserve(&c->timers, c->timer_count + 1, c->reg.cap);
  if (err == 0 && c->node_timer_order &&
      ndl__tlists_get(&c->tlists, (uint64_t)delay_ms * NS_PER_MS) == NULL)
    err = NDL_ENOMEM;
  if (err) {
    unregister(c, slot, saved_last);
    return err;
  }
  c->timer_count++;
  ndl__reg_at(&c->reg, slot)->u.repeat_ns = (uint64_t)delay_ms * NS_PER_MS;
  ndl__core_arm(c, slot, now_ns);
  announce(c, slot, id);
  if (clamped)
    ndl__core_emit(c, NDL_TRACE_NOTE, NDL_CB_KIND_COUNT, 0,
                   "TimeoutOverflowWarning: the delay does not fit into a "
                   "32-bit signed integer; it was set to 1 ms",
                   NULL);
  return 0;
}

int ndl__core_lookup(const struct ndl__core *c, ndl_id id, ndl_cb_kind k1,
                     ndl_cb_kind k2, uint32_t *slot) {
  uint32_t s = ndl__reg_find(&c->reg, id);
  const struct ndl__cb *cb;
  if (s == NDL__NIL)
    return NDL_NOTFOUND;
  cb = ndl__reg_at(&c->reg, s);
  if (cb->kind != k1 && cb->kind != k2)
    return NDL_BADKIND;
  *slot = s;
  return 0;
}

/* Ends a callback that will never run: off its heap or list, id freed. */
static void cancel(struct ndl__core *c, uint32_t slot) {
  struct ndl__cb *cb = ndl__reg_at(&c->reg, slot);
  ndl_id id = cb->id;
  ndl_cb_kind kind = (ndl_cb_kind)cb->kind;
  void (*release)(void *);
  void *arg;
  struct ndl__list *on = cb->list; /* Node's order: the timer's list */

  if (kind == NDL_CB_TIMEOUT || kind == NDL_CB_INTERVAL) {
    ndl__heap_remove(&c->timers, slot);
    c->timer_count--;
  }
  ndl__list_unlink(&c->reg, slot);
  if (c->node_timer_order && on != NULL &&
      (kind == NDL_CB_TIMEOUT || kind == NDL_CB_INTERVAL))
    ndl__tlists_after_remove(&c->tlists, (struct ndl__tlist *)on);
  if (ndl__core_holds_value(cb))
    ndl_value_clear(&cb->u.value);
  if (cb->refed)
    c->alive--;
  release = cb->release;
  arg = cb->arg;
  ndl__reg_release(&c->reg, slot);
  c->cancelled++;
  ndl__core_emit(c, NDL_TRACE_CANCEL, kind, id, NULL, NULL);
  if (release != NULL)
    release(arg);
}

/* clearTimeout and clearInterval are interchangeable, as in Node. */
int ndl__core_clear_timer(struct ndl__core *c, ndl_id id) {
  uint32_t slot;
  int err = ndl__core_lookup(c, id, NDL_CB_TIMEOUT, NDL_CB_INTERVAL, &slot);
  if (err)
    return err;
  cancel(c, slot);
  return 0;
}

/* Whether a live callback of a kind from lo to hi keeps the loop alive. */
static int set_ref(struct ndl__core *c, ndl_id id, ndl_cb_kind lo,
                   ndl_cb_kind hi, int refed) {
  uint32_t slot;
  struct ndl__cb *cb;
  int err = ndl__core_lookup(c, id, lo, hi, &slot);
  if (err)
    return err;
  cb = ndl__reg_at(&c->reg, slot);
  refed = refed != 0;
  if (cb->refed != refed) {
    cb->refed = (uint8_t)refed;
    if (refed)
      c->alive++;
    else
      c->alive--;
  }
  return 0;
}

int ndl__core_timer_has_ref(const struct ndl__core *c, ndl_id id) {
  uint32_t slot;
  int err = ndl__core_lookup(c, id, NDL_CB_TIMEOUT, NDL_CB_INTERVAL, &slot);
  return err != 0 ? err : ndl__reg_at(&c->reg, slot)->refed;
}

int ndl__core_ref_timer(struct ndl__core *c, ndl_id id, int refed) {
  return set_ref(c, id, NDL_CB_TIMEOUT, NDL_CB_INTERVAL, refed);
}

int ndl__core_ref_io(struct ndl__core *c, ndl_id id, int refed) {
  return set_ref(c, id, NDL_CB_IO, NDL_CB_IO, refed);
}

static int add_queued(struct ndl__core *c, ndl_cb_kind kind,
                      struct ndl__list *list, ndl_cb fn, void *arg,
                      ndl_id *id) {
  uint32_t slot;
  int err = reg(c, kind, fn, arg, &slot);
  if (err)
    return err;
  ndl__list_push(&c->reg, list, slot);
  announce(c, slot, id);
  return 0;
}

int ndl__core_add_immediate(struct ndl__core *c, ndl_cb fn, void *arg,
                            ndl_id *id) {
  return add_queued(c, NDL_CB_IMMEDIATE, ndl__phase_filling(&c->immediates), fn,
                    arg, id);
}

int ndl__core_clear_immediate(struct ndl__core *c, ndl_id id) {
  uint32_t slot;
  int err = ndl__core_lookup(c, id, NDL_CB_IMMEDIATE, NDL_CB_IMMEDIATE, &slot);
  if (err)
    return err;
  cancel(c, slot);
  return 0;
}

int ndl__core_add_next_tick(struct ndl__core *c, ndl_cb fn, void *arg,
                            ndl_id *id) {
  return add_queued(c, NDL_CB_NEXT_TICK, &c->next_ticks, fn, arg, id);
}

int ndl__core_add_microtask(struct ndl__core *c, ndl_cb fn, void *arg) {
  return add_queued(c, NDL_CB_MICROTASK, &c->microtasks, fn, arg, NULL);
}

static int value_copy(ndl_value *dst, const ndl_value *src) {
  int err;
  memset(dst, 0, sizeof(*dst));
  if (src == NULL || src->kind == NDL_UNDEFINED)
    return 0;
  if (src->kind == NDL_INT) {
    ndl_value_set_int(dst, src->as.i);
    return 0;
  }
  if (src->kind == NDL_STRING)
    return ndl_value_set_string(dst, src->as.str.ptr, src->as.str.len);
  if (src->as.err.msg == NULL) {
    dst->kind = NDL_ERROR;
    dst->as.err.code = src->as.err.code;
  } else if ((err = ndl_value_set_error(dst, src->as.err.code, "%s",
                                        src->as.err.msg)) != 0) {
    return err;
  }
  dst->as.err.syscall = src->as.err.syscall;
  return 0;
}

int ndl__core_add_pending(struct ndl__core *c, const ndl_value *value,
                          ndl_cb fn, void *arg, ndl_id *id) {
  ndl_value copy;
  uint32_t slot;
  int err;

  if (fn == NULL)
    return NDL_EINVAL;
  if ((err = value_copy(&copy, value)) != 0) {
    ndl_value_clear(&copy);
    return err;
  }
  if ((err = reg(c, NDL_CB_PENDING, fn, arg, &slot)) != 0) {
    ndl_value_clear(&copy);
    return err;
  }
  ndl__reg_at(&c->reg, slot)->u.value = copy;
  ndl__list_push(&c->reg, ndl__phase_filling(&c->pending), slot);
  announce(c, slot, id);
  return 0;
}

/* Close callbacks run newest first, as libuv's closing-handle stack does
 * (uv__make_close_pending pushes, uv__run_closing_handles pops), so that
 * Node's order of 'close' events is kept. */
int ndl__core_add_close(struct ndl__core *c, ndl_cb fn, void *arg, ndl_id *id) {
  uint32_t slot;
  int err = reg(c, NDL_CB_CLOSE, fn, arg, &slot);
  if (err)
    return err;
  ndl__list_push_front(&c->reg, ndl__phase_filling(&c->closing), slot);
  announce(c, slot, id);
  return 0;
}

int ndl__core_add_work(struct ndl__core *c, struct ndl__work *w, ndl_cb fn,
                       void *arg) {
  uint32_t slot;
  int err = reg(c, NDL_CB_WORK, fn, arg, &slot);
  if (err)
    return err;
  ndl__reg_at(&c->reg, slot)->u.work = w;
  w->id = ndl__reg_at(&c->reg, slot)->id;
  announce(c, slot, NULL);
  return 0;
}

void ndl__core_unregister(struct ndl__core *c, ndl_id id) {
  uint32_t slot = ndl__reg_find(&c->reg, id);
  if (slot == NDL__NIL)
    return;
  ndl__reg_release(&c->reg, slot);
  c->registered--;
  c->alive--;
}

int ndl__core_add_io(struct ndl__core *c, int fd, unsigned events, ndl_cb fn,
                     void *arg, ndl_id *id) {
  uint32_t slot;
  struct ndl__cb *cb;
  int err = reg(c, NDL_CB_IO, fn, arg, &slot);
  if (err)
    return err;
  cb = ndl__reg_at(&c->reg, slot);
  cb->u.io.fd = fd;
  cb->u.io.events = events;
  announce(c, slot, id);
  return 0;
}

int ndl__core_find_io(struct ndl__core *c, ndl_id id, struct ndl__cb **out) {
  uint32_t slot;
  int err = ndl__core_lookup(c, id, NDL_CB_IO, NDL_CB_IO, &slot);
  if (err == 0)
    *out = ndl__reg_at(&c->reg, slot);
  return err;
}

int ndl__core_set_release(struct ndl__core *c, ndl_id id,
                          void (*release)(void *arg)) {
  uint32_t slot = ndl__reg_find(&c->reg, id);
  if (slot == NDL__NIL)
    return NDL_NOTFOUND;
  ndl__reg_at(&c->reg, slot)->release = release;
  return 0;
}

/* A watcher stopped during the poll phase may still have an event in the
 * part of fired[] not yet dispatched. Its id is free from now on and may
 * go to a new watcher at once, so the event is voided here, as libuv's
 * uv__platform_invalidate_fd does, rather than looked up later by id. */
static void forget_fired(struct ndl__core *c, ndl_id id) {
  size_t i;
  for (i = c->next_fired; i < c->nfired; i++)
    if (c->fired[i].kind == NDL__FIRED_IO && c->fired[i].id == id)
      c->fired[i].id = 0; /* no callback ever has id 0 */
}

int ndl__core_remove_io(struct ndl__core *c, ndl_id id) {
  uint32_t slot;
  int err = ndl__core_lookup(c, id, NDL_CB_IO, NDL_CB_IO, &slot);
  if (err)
    return err;
  forget_fired(c, id);
  cancel(c, slot);
  return 0;
}
