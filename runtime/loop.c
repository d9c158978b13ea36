/*
 * The loop object and ndl_run(): the deterministic core driven by a platform
 * backend. This file is the only place that joins the two; the phases of one
 * iteration read top to bottom in ndl_run().
 */
#include <limits.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "core/core.h"
#include "nodeloop.h"
#include "nodeloop_faults.h"
#include "platform/platform.h"
#include "runtime.h"

/* The listeners of one of Node's process events (beforeExit, exit). */
struct listeners {
  struct listener {
    ndl_cb fn;
    void *arg;
  } * at;
  size_t n, cap;
};

struct ndl_loop {
  struct ndl__core core;
  struct ndl__platform *platform;
  struct ndl__resource resources; /* the list's head: tracked by modules */
  struct listeners before_exit, exit;
  atomic_int stop_requested;
  int running;
  int finished_naturally;
};

void ndl_options_init(ndl_options *opts) {
  memset(opts, 0, sizeof(*opts));
  opts->backend = NDL_BACKEND_LINUX;
}

/* UV_THREADPOOL_SIZE read as libuv (and so Node) reads it: the leading
 * number, if any (atoi); 0 or no number means 1; above 1024 means 1024; a
 * negative number means 1024 too, since libuv keeps it unsigned. It never
 * fails, as in Node. */
static unsigned libuv_pool_size(const char *env) {
  long long n = strtoll(env, NULL, 10);
  if (n == 0)
    return 1;
  if (n < 0 || n > 1024)
    return 1024;
  return (unsigned)n;
}

/* The pool size: the option, else NODELOOP_THREADPOOL_SIZE (strict: a
 * number from 1 to 1024), else UV_THREADPOOL_SIZE (as libuv reads it), else
 * 4. NODELOOP_THREADPOOL_SIZE wins over UV_THREADPOOL_SIZE when both are
 * set, so that a nodeloop program can differ from the Node processes it
 * runs beside. */
static int pool_size(const ndl_options *opts, unsigned *out) {
  const char *env;
  char *end;
  long n;

  if (opts->threadpool_size != 0) {
    if (opts->threadpool_size > 1024)
      return NDL_EINVAL;
    *out = opts->threadpool_size;
    return 0;
  }
  env = getenv("NODELOOP_THREADPOOL_SIZE");
  if (env == NULL || *env == '\0') {
    env = getenv("UV_THREADPOOL_SIZE");
    *out = env != NULL && *env != '\0' ? libuv_pool_size(env) : 4;
    return 0;
  }
  n = strtol(env, &end, 10);
  if (env[0] < '0' || env[0] > '9' || *end != '\0' || n < 1 || n > 1024) {
    fprintf(stderr,
            "nodeloop: NODELOOP_THREADPOOL_SIZE=%s is not a number from 1 "
            "to 1024\n",
            env);
    return NDL_EINVAL;
  }
  *out = (unsigned)n;
  return 0;
}

/* NODELOOP_FAULTS applies to the whole process, as libfiu does: once, at
 * the first loop. A bad plan is reported, and every loop creation fails
 * with NDL_BADFAULTS, so that a typo never silently runs without faults. */
static pthread_once_t env_faults_once = PTHREAD_ONCE_INIT;
static int env_faults_err;

static void apply_env_faults(void) {
  char why[256];
  env_faults_err = ndl_faults_from_env(why, sizeof(why));
  if (env_faults_err != 0)
    fprintf(stderr, "nodeloop: NODELOOP_FAULTS: %s\n", why);
}

int ndl_loop_new(const ndl_options *opts, ndl_loop **out) {
  ndl_options defaults;
  ndl_loop *loop;
  unsigned threads;
  int err;

  if (out == NULL)
    return NDL_EINVAL;
  *out = NULL;
  pthread_once(&env_faults_once, apply_env_faults);
  if (env_faults_err != 0)
    return env_faults_err;
  if (opts == NULL) {
    ndl_options_init(&defaults);
    opts = &defaults;
  }
  if (opts->backend != NDL_BACKEND_LINUX && opts->backend != NDL_BACKEND_SIM)
    return NDL_EINVAL;
  if (opts->id_bits != 0 &&
      (opts->id_bits < NDL__ID_BITS_MIN || opts->id_bits > NDL__ID_BITS_MAX))
    return NDL_EINVAL;
  if ((err = pool_size(opts, &threads)) != 0)
    return err;

  loop = ndl__calloc(1, sizeof(*loop));
  if (loop == NULL)
    return NDL_ENOMEM;
  err = ndl__core_init(&loop->core, loop, opts->id_bits, opts->trace,
                       opts->trace_ctx);
  if (err)
    goto fail_core;
  if (opts->backend == NDL_BACKEND_SIM) {
    ndl_options sim = *opts;
    sim.threadpool_size = threads;
    err = ndl__sim_new(&sim, &loop->platform);
  } else {
    err = ndl__linux_new(opts, threads, &loop->platform);
  }
  if (err)
    goto fail_platform;
  loop->platform->trace = opts->trace;
  loop->platform->trace_ctx = opts->trace_ctx;
  loop->resources.prev = loop->resources.next = &loop->resources;
  atomic_init(&loop->stop_requested, 0);
  *out = loop;
  return 0;

fail_platform:
  ndl__core_free(&loop->core);
fail_core:
  ndl__free(loop);
  return err;
}

static int stopping(ndl_loop *loop) {
  return atomic_load(&loop->stop_requested) != 0;
}

static uint64_t clock_now(ndl_loop *loop) {
  return loop->platform->ops->now(loop->platform);
}

/* Runs the iteration's poll phase: wait for I/O, finished work or the next
 * timer, then run what fired. The timeout is measured from a fresh clock
 * read, not the cached loop time, so slow callbacks earlier in the tick do
 * not make the loop oversleep its next timer. */
static int poll_phase(ndl_loop *loop) {
  int64_t timeout;
  size_t n = 0;
  int err;

  ndl__core_enter_poll(&loop->core);
  /* Only a wait that may block needs the clock. */
  timeout = stopping(loop) || ndl__core_poll_now(&loop->core)
                ? 0
                : ndl__core_poll_timeout(&loop->core, clock_now(loop));
  err = loop->platform->ops->wait(loop->platform, timeout, loop->core.fired,
                                  NDL__FIRED_CAP, &n);
  ndl__core_update_time(&loop->core, clock_now(loop));
  if (err)
    return err;
  if (n != 0) /* an iteration with nothing fired pays no call */
    ndl__core_dispatch_fired(&loop->core, n);
  return 0;
}

/* One loop iteration after another, each with Node's phases in order,
 * while anything keeps the loop alive and no stop was asked for. */
static int run_iterations(ndl_loop *loop) {
  struct ndl__core *core = &loop->core;
  int err;

  while (ndl__core_alive(core) && !stopping(loop)) {
    ndl__core_tick_begin(core, clock_now(loop));
    ndl__core_run_timers(core);
    ndl__core_run_pending(core);
    ndl__core_run_idle_prepare(core);
    if ((err = poll_phase(loop)) != 0)
      return err;
    ndl__core_run_check(core);
    ndl__core_run_close(core);
  }
  return 0;
}

/* Calls the listeners that were there when the event came, in the order
 * they were added; one added meanwhile waits for the next event, as in
 * Node's emit. The array may move when a listener adds one. */
static void emit(ndl_loop *loop, void *listeners) {
  static const ndl_value undefined = {NDL_UNDEFINED, {{NULL, 0}}};
  struct listeners *l = listeners;
  size_t i, n = l->n;
  for (i = 0; i < n; i++)
    l->at[i].fn(loop, &undefined, l->at[i].arg);
}

int ndl_run(ndl_loop *loop, ndl_main_fn main, void *arg) {
  struct ndl__core *core;
  int err = 0;

  if (loop == NULL)
    return NDL_EINVAL;
  if (loop->running)
    return NDL_EBUSY;
  core = &loop->core;
  loop->running = 1;
  loop->finished_naturally = 0;
  core->thread = loop->platform->ops->thread_name(loop->platform);
  core->now_ns = clock_now(loop);

  ndl__core_run_main(core, main, arg);
  /* Node's SpinEventLoop: run out of work, emit beforeExit, and go on if
   * its listeners left work that keeps the loop alive. */
  while ((err = run_iterations(loop)) == 0 && !stopping(loop) &&
         loop->before_exit.n != 0) {
    ndl__core_run_before_exit(core, emit, &loop->before_exit);
    if (!ndl__core_alive(core))
      break;
  }
  loop->finished_naturally = err == 0 && !ndl__core_alive(core);
  if (loop->finished_naturally && loop->exit.n != 0)
    ndl__core_run_exit(core, emit, &loop->exit);

  ndl__core_emit(core, NDL_TRACE_FINISHED, NDL_CB_KIND_COUNT, 0, NULL, NULL);
  /* A stop is consumed by the run it ends, as uv_stop's flag is. One that
   * came before this run started ended it right after main. */
  atomic_store(&loop->stop_requested, 0);
  loop->running = 0;
  return err;
}

static int listen(struct listeners *l, ndl_cb fn, void *arg) {
  if (fn == NULL)
    return NDL_EINVAL;
  if (l->n == l->cap) {
    size_t cap = l->cap != 0 ? 2 * l->cap : 4;
    struct listener *at = ndl__reallocarray(l->at, cap, sizeof(*at));
    if (at == NULL)
      return NDL_ENOMEM;
    l->at = at;
    l->cap = cap;
  }
  l->at[l->n].fn = fn;
  l->at[l->n].arg = arg;
  l->n++;
  return 0;
}

int ndl_on_before_exit(ndl_loop *loop, ndl_cb cb, void *arg) {
  return loop != NULL ? listen(&loop->before_exit, cb, arg) : NDL_EINVAL;
}

int ndl_on_exit(ndl_loop *loop, ndl_cb cb, void *arg) {
  return loop != NULL ? listen(&loop->exit, cb, arg) : NDL_EINVAL;
}

int ndl_stop(ndl_loop *loop) {
  if (loop == NULL)
    return NDL_EINVAL;
  atomic_store(&loop->stop_requested, 1);
  return loop->platform->ops->wake(loop->platform);
}

/* In this order: no pool thread may still use a callback's arg when the
 * callback is cancelled (and its arg released); the modules' handles go
 * after their callbacks and before the platform that closes their fds. */
int ndl_loop_free(ndl_loop *loop) {
  int err;
  if (loop == NULL)
    return 0;
  if (loop->running)
    return NDL_EBUSY;
  if ((err = loop->platform->ops->stop_pool(loop->platform)) != 0)
    return err;
  ndl__core_free(&loop->core);
  while (loop->resources.next != &loop->resources) {
    struct ndl__resource *r = loop->resources.next;
    ndl__loop_untrack(r);
    r->destroy(r);
  }
  loop->platform->ops->destroy(loop->platform);
  ndl__free(loop->before_exit.at);
  ndl__free(loop->exit.at);
  ndl__free(loop);
  return 0;
}

void ndl__loop_track(ndl_loop *loop, struct ndl__resource *r,
                     void (*destroy)(struct ndl__resource *r)) {
  r->destroy = destroy;
  r->prev = &loop->resources;
  r->next = loop->resources.next;
  r->next->prev = r;
  loop->resources.next = r;
}

void ndl__loop_untrack(struct ndl__resource *r) {
  r->prev->next = r->next;
  r->next->prev = r->prev;
  r->prev = r->next = r;
}

uint64_t ndl_now_ns(const ndl_loop *loop) {
  return loop->platform->ops->now(loop->platform);
}

uint64_t ndl_now(const ndl_loop *loop) {
  return ndl_now_ns(loop) / 1000000u;
}

const char *ndl_backend_name(const ndl_loop *loop) {
  return loop->platform->ops->name;
}

unsigned ndl_threadpool_size(const ndl_loop *loop) {
  return loop->platform->ops->pool_size(loop->platform);
}

void ndl_get_stats(const ndl_loop *loop, ndl_stats *out) {
  const struct ndl__core *c = &loop->core;
  memset(out, 0, sizeof(*out));
  out->registered = c->registered;
  out->callbacks = c->callbacks;
  out->cancelled = c->cancelled;
  out->duplicated = c->duplicated;
  out->ticks = c->tick;
  out->live = c->reg.map.count;
  out->lost = loop->finished_naturally ? ndl__core_lost(c) : 0;
}

/* ---- Registration: the core does the work; the loop adds the clock and the
 * platform. */

int ndl_set_timeout(ndl_loop *loop, int64_t delay_ms, ndl_cb cb, void *arg,
                    ndl_id *id) {
  if (loop == NULL)
    return NDL_EINVAL;
  return ndl__core_add_timer(&loop->core, clock_now(loop), delay_ms, 0, cb, arg,
                             id);
}

int ndl_set_interval(ndl_loop *loop, int64_t delay_ms, ndl_cb cb, void *arg,
                     ndl_id *id) {
  if (loop == NULL)
    return NDL_EINVAL;
  return ndl__core_add_timer(&loop->core, clock_now(loop), delay_ms, 1, cb, arg,
                             id);
}

int ndl_clear_timeout(ndl_loop *loop, ndl_id id) {
  return loop == NULL ? NDL_EINVAL : ndl__core_clear_timer(&loop->core, id);
}

int ndl_clear_interval(ndl_loop *loop, ndl_id id) {
  return ndl_clear_timeout(loop, id);
}

int ndl_timer_unref(ndl_loop *loop, ndl_id id) {
  return loop == NULL ? NDL_EINVAL : ndl__core_ref_timer(&loop->core, id, 0);
}

int ndl_timer_ref(ndl_loop *loop, ndl_id id) {
  return loop == NULL ? NDL_EINVAL : ndl__core_ref_timer(&loop->core, id, 1);
}

int ndl_timer_has_ref(const ndl_loop *loop, ndl_id id) {
  return loop == NULL ? NDL_EINVAL : ndl__core_timer_has_ref(&loop->core, id);
}

int ndl_io_unref(ndl_loop *loop, ndl_id id) {
  return loop == NULL ? NDL_EINVAL : ndl__core_ref_io(&loop->core, id, 0);
}

int ndl_io_ref(ndl_loop *loop, ndl_id id) {
  return loop == NULL ? NDL_EINVAL : ndl__core_ref_io(&loop->core, id, 1);
}

int ndl_set_immediate(ndl_loop *loop, ndl_cb cb, void *arg, ndl_id *id) {
  return loop == NULL ? NDL_EINVAL
                      : ndl__core_add_immediate(&loop->core, cb, arg, id);
}

int ndl_clear_immediate(ndl_loop *loop, ndl_id id) {
  return loop == NULL ? NDL_EINVAL : ndl__core_clear_immediate(&loop->core, id);
}

int ndl_next_tick(ndl_loop *loop, ndl_cb cb, void *arg) {
  return loop == NULL ? NDL_EINVAL
                      : ndl__core_add_next_tick(&loop->core, cb, arg, NULL);
}

int ndl_queue_microtask(ndl_loop *loop, ndl_cb cb, void *arg) {
  return loop == NULL ? NDL_EINVAL
                      : ndl__core_add_microtask(&loop->core, cb, arg);
}

int ndl_on_close(ndl_loop *loop, ndl_cb cb, void *arg, ndl_id *id) {
  return loop == NULL ? NDL_EINVAL
                      : ndl__core_add_close(&loop->core, cb, arg, id);
}

int ndl_defer(ndl_loop *loop, const ndl_value *value, ndl_cb cb, void *arg,
              ndl_id *id) {
  return loop == NULL ? NDL_EINVAL
                      : ndl__core_add_pending(&loop->core, value, cb, arg, id);
}

int ndl__next_tick_id(ndl_loop *loop, ndl_cb cb, void *arg, ndl_id *id) {
  return loop == NULL ? NDL_EINVAL
                      : ndl__core_add_next_tick(&loop->core, cb, arg, id);
}

int ndl__set_release(ndl_loop *loop, ndl_id id, void (*release)(void *arg)) {
  return loop == NULL ? NDL_EINVAL
                      : ndl__core_set_release(&loop->core, id, release);
}

struct ndl__platform *ndl__loop_platform(ndl_loop *loop) {
  return loop->platform;
}

int ndl_queue_work(ndl_loop *loop, const char *kind, int64_t delay_ms,
                   ndl_work_fn work, ndl_cb after, void *arg, ndl_id *id) {
  struct ndl__work *w;
  size_t kind_len;
  int err;

  if (loop == NULL || work == NULL || after == NULL || delay_ms < 0 ||
      delay_ms > INT32_MAX)
    return NDL_EINVAL;
  w = ndl__calloc(1, loop->platform->ops->work_size);
  if (w == NULL)
    return NDL_ENOMEM;
  /* A copy, cut to fit: the caller's string may be gone before a pool
   * thread names the task in a trace. Not snprintf, which costs more than
   * the rest of the submission (ci/bench pool-burst: +565 instructions). */
  kind = kind != NULL ? kind : "Work";
  kind_len = strnlen(kind, sizeof(w->kind) - 1);
  memcpy(w->kind, kind, kind_len);
  w->kind[kind_len] = '\0';
  w->delay_ns = (uint64_t)delay_ms * 1000000u;
  w->fn = work;
  w->arg = arg;
  if ((err = ndl__core_add_work(&loop->core, w, after, arg)) != 0) {
    ndl__free(w);
    return err;
  }
  if (id != NULL)
    *id = w->id;
  if ((err = loop->platform->ops->submit(loop->platform, w)) != 0) {
    ndl__core_unregister(&loop->core, w->id);
    ndl__free(w);
    return err;
  }
  return 0;
}

int ndl_io_start(ndl_loop *loop, int fd, unsigned events, ndl_cb cb, void *arg,
                 ndl_id *id) {
  ndl_id got;
  int err;

  if (loop == NULL || fd < 0 || cb == NULL ||
      (events & ~(NDL_READABLE | NDL_WRITABLE)) != 0)
    return NDL_EINVAL;
  if ((err = ndl__core_add_io(&loop->core, fd, events, cb, arg, &got)) != 0)
    return err;
  err = loop->platform->ops->io_add(loop->platform, fd, got, events);
  if (err) {
    ndl__core_unregister(&loop->core, got);
    return err;
  }
  if (id != NULL)
    *id = got;
  return 0;
}

int ndl_io_modify(ndl_loop *loop, ndl_id id, unsigned events) {
  struct ndl__cb *cb;
  int err;

  if (loop == NULL || (events & ~(NDL_READABLE | NDL_WRITABLE)) != 0)
    return NDL_EINVAL;
  if ((err = ndl__core_find_io(&loop->core, id, &cb)) != 0)
    return err;
  err = loop->platform->ops->io_modify(loop->platform, cb->u.io.fd, id, events);
  if (err == 0)
    cb->u.io.events = events;
  return err;
}

int ndl_io_stop(ndl_loop *loop, ndl_id id) {
  struct ndl__cb *cb;
  int err;
  if (loop == NULL)
    return NDL_EINVAL;
  if ((err = ndl__core_find_io(&loop->core, id, &cb)) != 0)
    return err;
  /* The fd may already be closed by the user; the watcher ends either way. */
  (void)loop->platform->ops->io_remove(loop->platform, cb->u.io.fd);
  return ndl__core_remove_io(&loop->core, id);
}

/* ---- Printing: the chapter's print() and print_content(). */

void ndl_print(ndl_loop *loop, const char *fmt, ...) {
  char buf[1024];
  va_list ap;
  if (loop == NULL || fmt == NULL)
    return;
  va_start(ap, fmt);
  vsnprintf(buf, sizeof(buf), fmt, ap);
  va_end(ap);
  ndl__core_emit(&loop->core, NDL_TRACE_PRINT, NDL_CB_KIND_COUNT, 0, buf, NULL);
}

void ndl_print_content(ndl_loop *loop, const char *label, const char *text) {
  if (loop == NULL || text == NULL)
    return;
  ndl__core_emit(&loop->core, NDL_TRACE_CONTENT, NDL_CB_KIND_COUNT, 0, text,
                 label != NULL ? label : "");
}
