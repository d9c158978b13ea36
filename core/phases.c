/*
 * The phases of one loop iteration, in Node's order, and the running of
 * callbacks: each callback runs once (an interval and a watcher once per
 * firing), then the nextTicks and microtasks it queued drain before the
 * next one. runtime/loop.c strings the phases together against a platform.
 */
#include <string.h>

#include "alloc.h"
#include "core.h"

static const ndl_value undefined_value = {NDL_UNDEFINED, {{NULL, 0}}};

/* ---- Running callbacks --------------------------------------------------- */

static void call(struct ndl__core *c, ndl_cb_kind kind, ndl_id id, ndl_cb fn,
                 void *arg, const ndl_value *value) {
  ndl__core_emit(c, NDL_TRACE_CB_START, kind, id, NULL, NULL);
  fn(c->loop, value, arg);
  c->callbacks++;
  ndl__core_emit(c, NDL_TRACE_CB_END, kind, id, NULL, NULL);
}

/* Runs a one-shot callback. Its record is released before the call, so the
 * callback may register new ones (the slab may move) and clearing its own id
 * from inside reports NDL_NOTFOUND. A value the record owned is freed after. */
static void run_once(struct ndl__core *c, uint32_t slot,
                     const ndl_value *value) {
  struct ndl__cb *cb = ndl__reg_at(&c->reg, slot);
  ndl_cb_kind kind = (ndl_cb_kind)cb->kind;
  ndl_id id = cb->id;
  ndl_cb fn = cb->fn;
  void *arg = cb->arg;
  ndl_value owned;
  int owns = ndl__core_holds_value(cb);

  if (cb->ran) {
    c->duplicated++;
    return;
  }
  cb->ran = 1;
  if (owns) {
    owned = cb->u.value;
    value = &owned;
  }
  ndl__list_unlink(&c->reg, slot);
  if (cb->refed)
    c->alive--;
  if (kind == NDL_CB_TIMEOUT)
    c->timer_count--;
  ndl__reg_release(&c->reg, slot);
  c->completed++;
  call(c, kind, id, fn, arg, value);
  if (owns)
    ndl_value_clear(&owned);
}

/* Node's processTicksAndRejections: every nextTick (also those queued while
 * draining), then every microtask (likewise), until both are empty. So a
 * nextTick queued by a microtask runs after the microtask queue is empty. */
static void drain_ticks(struct ndl__core *c) {
  uint32_t slot;
  if (c->next_ticks.len == 0 && c->microtasks.len == 0)
    return; /* the usual case, after every callback */
  do {
    while ((slot = ndl__list_shift(&c->reg, &c->next_ticks)) != NDL__NIL)
      run_once(c, slot, &undefined_value);
    while ((slot = ndl__list_shift(&c->reg, &c->microtasks)) != NDL__NIL)
      run_once(c, slot, &undefined_value);
  } while (c->next_ticks.len != 0);
}

/* An interval keeps its record across the call; it is re-armed afterwards
 * from the cached loop time unless the callback cleared it. The id and the
 * slot alone cannot tell: a callback that clears its interval and then
 * registers again can get the same slot back (the free list is LIFO) and,
 * with a narrow id width, the same id. So `ran` marks the record for the
 * length of the call; a record that reuses the slot starts zeroed. */
static void run_interval(struct ndl__core *c, uint32_t slot) {
  struct ndl__cb *cb = ndl__reg_at(&c->reg, slot);
  ndl_id id = cb->id;
  cb->ran = 1;
  call(c, NDL_CB_INTERVAL, id, cb->fn, cb->arg, &undefined_value);
  cb = ndl__reg_at(&c->reg, slot);
  if (ndl__reg_find(&c->reg, id) == slot && cb->ran) {
    cb->ran = 0;
    ndl__core_arm(c, slot, c->now_ns);
  }
}

static void enter(struct ndl__core *c, ndl_phase phase) {
  c->phase = phase;
  ndl__core_emit(c, NDL_TRACE_PHASE, NDL_CB_KIND_COUNT, 0, NULL, NULL);
}

/* Runs every callback queued before the phase began; what they queue goes
 * to the other side and waits for the next iteration. A callback may clear
 * a later one in the batch: that unlinks it from `batch`. */
static void run_batch(struct ndl__core *c, struct ndl__phase_queue *q) {
  struct ndl__list *batch = ndl__phase_filling(q);
  uint32_t slot;
  if (batch->len == 0)
    return; /* most phases of most iterations */
  q->filling ^= 1u;
  while ((slot = ndl__list_shift(&c->reg, batch)) != NDL__NIL) {
    run_once(c, slot, &undefined_value);
    drain_ticks(c);
  }
}

/* ---- The phases ------------------------------------------------------------
 */

/* Runs fn outside the loop's iterations, then what it queued on the
 * nextTick and microtask queues, as Node runs its main module and the
 * listeners of a process event. */
static void run_outside(struct ndl__core *c, ndl_phase phase, ndl_main_fn fn,
                        void *arg) {
  enter(c, phase);
  if (fn != NULL)
    fn(c->loop, arg);
  drain_ticks(c);
}

void ndl__core_run_main(struct ndl__core *c, ndl_main_fn main, void *arg) {
  run_outside(c, NDL_PHASE_MAIN, main, arg);
}

void ndl__core_run_before_exit(struct ndl__core *c, ndl_main_fn listeners,
                               void *arg) {
  run_outside(c, NDL_PHASE_BEFORE_EXIT, listeners, arg);
}

/* Only microtasks may be queued while the exit listeners run (reg()), so
 * the drain runs only those, as Node runs its microtask queue after 'exit'
 * but never its nextTicks. */
void ndl__core_run_exit(struct ndl__core *c, ndl_main_fn listeners, void *arg) {
  c->exiting = 1;
  run_outside(c, NDL_PHASE_EXIT, listeners, arg);
  c->exiting = 0;
}

void ndl__core_tick_begin(struct ndl__core *c, uint64_t now_ns) {
  c->now_ns = now_ns;
  c->tick++;
  ndl__core_emit(c, NDL_TRACE_TICK, NDL_CB_KIND_COUNT, 0, NULL, NULL);
}

/* Runs a due timer taken off the heap (and off its list). */
static void run_timer(struct ndl__core *c, uint32_t slot) {
  if (ndl__reg_at(&c->reg, slot)->kind == NDL_CB_INTERVAL)
    run_interval(c, slot);
  else
    run_once(c, slot, &undefined_value);
  drain_ticks(c);
}

/* Node's order (timer_lists.c): the first list whose expiry has come runs
 * every due timer it holds; at its first timer not yet due it is
 * rescheduled, at max(that deadline, now + 1 ms) with a new id, as
 * listOnTimeout() does, and the next list is looked at. */
static void run_timers_node_order(struct ndl__core *c) {
  struct ndl__tlist *l;
  c->tlists.in_phase = 1;
  while ((l = ndl__tlists_first(&c->tlists)) != NULL &&
         l->expiry_ns <= c->now_ns) {
    for (;;) {
      uint32_t slot = l->timers.head;
      uint64_t due;
      if (slot == NDL__NIL) {
        l->queued = 0;
        break;
      }
      due = c->timers.v[c->timers.pos[slot]].deadline;
      if (due > c->now_ns) {
        l->expiry_ns =
            due > c->now_ns + NS_PER_MS ? due : c->now_ns + NS_PER_MS;
        l->id = c->tlists.next_id++;
        break;
      }
      ndl__list_unlink(&c->reg, slot);
      ndl__heap_remove(&c->timers, slot);
      run_timer(c, slot);
    }
  }
  c->tlists.in_phase = 0;
  ndl__tlists_sweep(&c->tlists);
}

void ndl__core_run_timers(struct ndl__core *c) {
  struct ndl__list due;
  const struct ndl__heap_entry *min;
  uint32_t slot;

  enter(c, NDL_PHASE_TIMERS);
  if (c->node_timer_order) {
    run_timers_node_order(c);
    return;
  }
  ndl__list_init(&due);
  while ((min = ndl__heap_min(&c->timers)) != NULL &&
         min->deadline <= c->now_ns)
    ndl__list_push(&c->reg, &due, ndl__heap_pop(&c->timers).slot);
  while ((slot = ndl__list_shift(&c->reg, &due)) != NDL__NIL)
    run_timer(c, slot);
}

void ndl__core_run_pending(struct ndl__core *c) {
  enter(c, NDL_PHASE_PENDING);
  run_batch(c, &c->pending);
}

/* Node uses idle and prepare handles internally; nodeloop has none to run,
 * but the phase is entered so that a trace shows every step of a tick. */
void ndl__core_run_idle_prepare(struct ndl__core *c) {
  enter(c, NDL_PHASE_IDLE_PREPARE);
}

/* As libuv's uv_backend_timeout: a loop that is no longer alive, or has
 * callbacks queued for this iteration, only polls. */
int ndl__core_poll_now(const struct ndl__core *c) {
  return c->alive == 0 || ndl__phase_queued(&c->immediates) != 0 ||
         ndl__phase_queued(&c->pending) != 0 ||
         ndl__phase_queued(&c->closing) != 0;
}

/* When the next timers phase is due: the earliest deadline, or in Node's
 * order the first list's expiry, which may come before any of its timers
 * is due (its first timer was cleared): Node wakes then too. */
static int next_expiry(const struct ndl__core *c, uint64_t *at) {
  const struct ndl__heap_entry *min;
  const struct ndl__tlist *l;
  if (c->node_timer_order) {
    if ((l = ndl__tlists_first(&c->tlists)) == NULL)
      return 0;
    *at = l->expiry_ns;
    return 1;
  }
  if ((min = ndl__heap_min(&c->timers)) == NULL)
    return 0;
  *at = min->deadline;
  return 1;
}

int64_t ndl__core_poll_timeout(const struct ndl__core *c, uint64_t now_ns) {
  uint64_t at;
  if (ndl__core_poll_now(c))
    return 0;
  if (!next_expiry(c, &at))
    return -1;
  if (at <= now_ns)
    return 0;
  return (int64_t)(at - now_ns);
}

void ndl__core_enter_poll(struct ndl__core *c) {
  enter(c, NDL_PHASE_POLL);
}

void ndl__core_update_time(struct ndl__core *c, uint64_t now_ns) {
  if (now_ns > c->now_ns)
    c->now_ns = now_ns;
}

static void dispatch_io(struct ndl__core *c, ndl_id id, unsigned events) {
  uint32_t slot;
  struct ndl__cb *cb;
  ndl_value value = {NDL_UNDEFINED, {{NULL, 0}}};

  /* A watcher stopped earlier in this poll phase may still have an event in
   * the fired array; the kernel reported it, the user no longer wants it. */
  if (ndl__core_lookup(c, id, NDL_CB_IO, NDL_CB_IO, &slot) != 0)
    return;
  cb = ndl__reg_at(&c->reg, slot);
  ndl_value_set_int(&value, (int64_t)events);
  call(c, NDL_CB_IO, id, cb->fn, cb->arg, &value);
  drain_ticks(c);
}

static void dispatch_work(struct ndl__core *c, struct ndl__work *w) {
  uint32_t slot = ndl__reg_find(&c->reg, w->id);
  if (slot == NDL__NIL || ndl__reg_at(&c->reg, slot)->kind != NDL_CB_WORK ||
      ndl__reg_at(&c->reg, slot)->u.work != w) {
    c->duplicated++;
    return;
  }
  run_once(c, slot, &w->result);
  drain_ticks(c);
}

void ndl__core_dispatch_fired(struct ndl__core *c, size_t n) {
  c->nfired = n;
  for (c->next_fired = 0; c->next_fired < n;) {
    struct ndl__fired *f = &c->fired[c->next_fired++];
    if (f->kind == NDL__FIRED_IO) {
      dispatch_io(c, f->id, f->events);
    } else {
      dispatch_work(c, f->work);
      ndl__work_free(f->work);
    }
  }
  c->next_fired = c->nfired = 0;
}

void ndl__work_free(struct ndl__work *w) {
  if (w == NULL)
    return;
  ndl_value_clear(&w->result);
  ndl__free(w);
}

void ndl__core_run_check(struct ndl__core *c) {
  enter(c, NDL_PHASE_CHECK);
  run_batch(c, &c->immediates);
}

void ndl__core_run_close(struct ndl__core *c) {
  enter(c, NDL_PHASE_CLOSE);
  run_batch(c, &c->closing);
}

int ndl__core_alive(const struct ndl__core *c) {
  return c->alive != 0;
}

uint64_t ndl__core_lost(const struct ndl__core *c) {
  uint64_t unrefed = 0, accounted;
  uint32_t slot;
  for (slot = 0; slot < c->reg.top; slot++) {
    const struct ndl__cb *cb = ndl__reg_at(&c->reg, slot);
    if (cb->id != 0 && !cb->refed)
      unrefed++;
  }
  accounted = c->completed + c->cancelled + unrefed;
  return c->registered > accounted ? c->registered - accounted : 0;
}
