/*
 * The deterministic core of the loop: timers, the callback registry, the
 * queues, and the pending count. It reads no clock and makes no syscall.
 * Time goes in as an argument (now_ns), fired I/O and finished work go in
 * through ndl__core_dispatch_fired, and callbacks come out. The loop driver in
 * runtime/loop.c strings the phases together against a platform backend.
 */
#ifndef NDL_CORE_CORE_H
#define NDL_CORE_CORE_H

#include <stdint.h>

#include "heap.h"
#include "nodeloop.h"
#include "registry.h"
#include "timer_lists.h"

#define NS_PER_MS 1000000u

/* Pool work in flight. The loop allocates it (as large as the backend's
 * own record, which begins with this one), the platform owns it from submit
 * until it hands it back in a fired record, and the core runs its
 * after-callback and frees it. */
struct ndl__work {
  ndl_id id;
  char kind[32]; /* "File read", "Encrypt": a copy, cut to fit */
  uint64_t delay_ns;
  ndl_work_fn fn;
  void *arg;
  ndl_value result;
  /* A whole-file read that a backend may do on its own event source
   * instead of running fn on the pool (platform.h: struct
   * ndl__file_read), or NULL. */
  void *file_read;
};

/* Frees a work record and the value it holds. */
void ndl__work_free(struct ndl__work *w);

/* What the platform's wait() reports: an fd that is ready, or finished
 * work handed back to the loop. */
enum ndl__fired_kind {
  NDL__FIRED_IO,  /* id: the watcher, events: NDL_READABLE | ... */
  NDL__FIRED_WORK /* work: finished */
};

struct ndl__fired {
  enum ndl__fired_kind kind;
  ndl_id id;
  unsigned events;
  struct ndl__work *work;
};

/* Records one wait() may report; the rest wait for the next iteration. */
#define NDL__FIRED_CAP 1024

/* The queue of a phase that runs only what was queued before it began
 * (immediates, pending and close callbacks). It has two lists: callbacks
 * are queued on the filling one, and the phase swaps them, then drains the
 * one that was filling while new callbacks go to the other. A record knows
 * its list, so clearing one that waits in the draining list still works,
 * and no record is moved when the phase starts. */
struct ndl__phase_queue {
  struct ndl__list side[2];
  unsigned filling; /* 0 or 1 */
};

struct ndl__core {
  struct ndl__registry reg;
  struct ndl__heap timers;
  uint32_t timer_count; /* live timers, armed or in the due batch */
  uint64_t timer_seq;
  /* NDL_TIMER_ORDER_NODE: the due timers run in Node's order, which the
   * per-duration lists decide (timer_lists.c). */
  int node_timer_order;
  struct ndl__tlists tlists;
  struct ndl__phase_queue immediates;
  struct ndl__list next_ticks;
  struct ndl__list microtasks;
  struct ndl__phase_queue pending;
  struct ndl__phase_queue closing;

  uint64_t now_ns; /* cached at the start of each iteration and after poll */
  uint64_t tick;
  ndl_phase phase;
  uint64_t alive; /* live, ref'd callbacks: the loop runs while nonzero */
  int exiting;    /* the exit listeners run: only microtasks may be queued */

  ndl_loop *loop;     /* what callbacks receive */
  const char *thread; /* the loop thread's name in the trace */
  ndl_trace_fn trace;
  void *trace_ctx;

  uint64_t registered, completed, cancelled, callbacks, duplicated;

  /* The poll phase's records: fired[next_fired..nfired) are reported but
   * not yet dispatched. */
  size_t next_fired, nfired;
  struct ndl__fired fired[NDL__FIRED_CAP];
};

int ndl__core_init(struct ndl__core *c, ndl_loop *loop, unsigned id_bits,
                   ndl_trace_fn trace, void *trace_ctx);
/* Cancels every live callback and frees what the core holds. */
void ndl__core_free(struct ndl__core *c);

/* ---- Registration. now_ns is the clock at the moment of the call. */
int ndl__core_add_timer(struct ndl__core *c, uint64_t now_ns, int64_t delay_ms,
                        int repeat, ndl_cb fn, void *arg, ndl_id *id);
int ndl__core_clear_timer(struct ndl__core *c, ndl_id id);
int ndl__core_ref_timer(struct ndl__core *c, ndl_id id, int refed);
/* 1 if the timer is ref'd, 0 if not, or NDL_NOTFOUND or NDL_BADKIND. */
int ndl__core_timer_has_ref(const struct ndl__core *c, ndl_id id);
int ndl__core_ref_io(struct ndl__core *c, ndl_id id, int refed);
int ndl__core_add_immediate(struct ndl__core *c, ndl_cb fn, void *arg,
                            ndl_id *id);
int ndl__core_clear_immediate(struct ndl__core *c, ndl_id id);
int ndl__core_add_next_tick(struct ndl__core *c, ndl_cb fn, void *arg,
                            ndl_id *id);
int ndl__core_add_microtask(struct ndl__core *c, ndl_cb fn, void *arg);
/* value may be NULL (undefined); it is copied. */
int ndl__core_add_pending(struct ndl__core *c, const ndl_value *value,
                          ndl_cb fn, void *arg, ndl_id *id);
int ndl__core_add_close(struct ndl__core *c, ndl_cb fn, void *arg, ndl_id *id);
/* Registers the after-callback of work; the caller then submits it. */
int ndl__core_add_work(struct ndl__core *c, struct ndl__work *w, ndl_cb fn,
                       void *arg);
/* Undoes a registration whose platform half failed (submit, io_add). */
void ndl__core_unregister(struct ndl__core *c, ndl_id id);
int ndl__core_add_io(struct ndl__core *c, int fd, unsigned events, ndl_cb fn,
                     void *arg, ndl_id *id);
/* The record of a live I/O watcher, or NULL. */
/* The record of a live I/O watcher. Errors: NDL_NOTFOUND, NDL_BADKIND. */
int ndl__core_find_io(struct ndl__core *c, ndl_id id, struct ndl__cb **out);
/* Gives a live callback a function that frees its arg if it is cancelled
 * (by the user, or by freeing the loop) instead of run. Errors:
 * NDL_NOTFOUND. */
int ndl__core_set_release(struct ndl__core *c, ndl_id id,
                          void (*release)(void *arg));
/* Stops a watcher. An event for it that the poll phase has not dispatched
 * yet is voided: its id may go to a new watcher at once. */
int ndl__core_remove_io(struct ndl__core *c, ndl_id id);

/* ---- The phases, in Node's order. */
void ndl__core_run_main(struct ndl__core *c, ndl_main_fn main, void *arg);
/* The listeners of Node's process events, which run outside the loop's
 * iterations once it has run out of work: beforeExit, then exit. */
void ndl__core_run_before_exit(struct ndl__core *c, ndl_main_fn listeners,
                               void *arg);
void ndl__core_run_exit(struct ndl__core *c, ndl_main_fn listeners, void *arg);
void ndl__core_tick_begin(struct ndl__core *c, uint64_t now_ns);
void ndl__core_run_timers(struct ndl__core *c);
void ndl__core_run_pending(struct ndl__core *c);
void ndl__core_run_idle_prepare(struct ndl__core *c);
/* Whether poll must not block: the loop is no longer alive, or callbacks
 * are queued for this iteration. */
int ndl__core_poll_now(const struct ndl__core *c);
/* How long poll may block, in ns: 0 when ndl__core_poll_now(), -1 when no
 * timer exists, else the time to the next deadline. */
int64_t ndl__core_poll_timeout(const struct ndl__core *c, uint64_t now_ns);
void ndl__core_enter_poll(struct ndl__core *c);
void ndl__core_update_time(struct ndl__core *c, uint64_t now_ns);
/* Runs the callbacks of c->fired[0..n), which the platform's wait() just
 * filled, in that order, and frees the finished work records. */
void ndl__core_dispatch_fired(struct ndl__core *c, size_t n);
void ndl__core_run_check(struct ndl__core *c);
void ndl__core_run_close(struct ndl__core *c);
int ndl__core_alive(const struct ndl__core *c);

/* Callbacks registered and neither run nor cancelled nor unref'd: nonzero
 * after a natural end means a callback was lost. */
uint64_t ndl__core_lost(const struct ndl__core *c);

/* ---- Shared by core.c (registration) and phases.c (running). */

/* Puts a timer on the heap, due repeat_ns after start_ns. */
void ndl__core_arm(struct ndl__core *c, uint32_t slot, uint64_t start_ns);
/* Finds a live callback of kind k1 or k2. Errors: NDL_NOTFOUND,
 * NDL_BADKIND. */
int ndl__core_lookup(const struct ndl__core *c, ndl_id id, ndl_cb_kind k1,
                     ndl_cb_kind k2, uint32_t *slot);

static inline int ndl__core_holds_value(const struct ndl__cb *cb) {
  return cb->kind == NDL_CB_PENDING || cb->kind == NDL_CB_CLOSE;
}

static inline struct ndl__list *ndl__phase_filling(struct ndl__phase_queue *q) {
  return &q->side[q->filling];
}

/* Outside its phase only the filling side can hold records. */
static inline uint32_t ndl__phase_queued(const struct ndl__phase_queue *q) {
  return q->side[q->filling].len;
}

/* ---- Trace. Inline, so that a loop without a trace sink pays one test per
 * event, not a call: the loop emits several events in every iteration. */
void ndl__core_emit_to_sink(const struct ndl__core *c, ndl_trace_kind kind,
                            ndl_cb_kind cb_kind, ndl_id id, const char *text,
                            const char *label);

static inline void ndl__core_emit(const struct ndl__core *c,
                                  ndl_trace_kind kind, ndl_cb_kind cb_kind,
                                  ndl_id id, const char *text,
                                  const char *label) {
  if (c->trace != NULL)
    ndl__core_emit_to_sink(c, kind, cb_kind, id, text, label);
}

#endif
