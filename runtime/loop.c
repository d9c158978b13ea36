/*
 * The loop's life (new, run, stop, free) and ndl_run(): the deterministic
 * core driven by a platform backend. The phases of one iteration read top
 * to bottom in ndl_run(); the calls that hand callbacks to the core are in
 * register.c.
 */
#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "loop.h"
#include "nodeloop_faults.h"

void ndl_options_init(ndl_options *opts) {
  memset(opts, 0, sizeof(*opts));
  opts->backend = NDL_BACKEND_ENV;
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

/* The backend the options name, NDL_BACKEND_ENV read from
 * NODELOOP_BACKEND. */
static int choose_backend(const ndl_options *opts, ndl_backend *out) {
  static const struct {
    const char *name;
    ndl_backend backend;
  } names[] = {{"linux", NDL_BACKEND_LINUX},
               {"io_uring", NDL_BACKEND_IO_URING},
               {"sim", NDL_BACKEND_SIM},
               {"auto", NDL_BACKEND_AUTO}};
  const char *env;
  size_t i;

  if (opts->backend != NDL_BACKEND_ENV) {
    if (opts->backend < NDL_BACKEND_LINUX || opts->backend > NDL_BACKEND_ENV)
      return NDL_EINVAL;
    *out = opts->backend;
    return 0;
  }
  env = getenv("NODELOOP_BACKEND");
  if (env == NULL || *env == '\0') {
    *out = NDL_BACKEND_LINUX;
    return 0;
  }
  for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
    if (strcmp(env, names[i].name) == 0) {
      *out = names[i].backend;
      return 0;
    }
  }
  fprintf(stderr,
          "nodeloop: NODELOOP_BACKEND=%s is not linux, io_uring, sim or "
          "auto\n",
          env);
  return NDL_EINVAL;
}

/* Makes the platform of a real-time backend. io_uring's refusal is said
 * on stderr, unless the user asked for the fallback (auto). */
static int new_kernel_platform(const ndl_options *opts, ndl_backend backend,
                               unsigned threads, struct ndl__platform **out) {
  char why[256];
  int err;

  if (backend == NDL_BACKEND_LINUX)
    return ndl__linux_new(opts, threads, out);
  err = ndl__uring_new(opts, threads, out, why, sizeof(why));
  if (err == NDL_ENOTSUP && backend == NDL_BACKEND_AUTO)
    return ndl__linux_new(opts, threads, out);
  if (err == NDL_ENOTSUP)
    fprintf(stderr, "nodeloop: the io_uring backend is not available: %s\n",
            why);
  return err;
}

int ndl_io_uring_check(char *why, size_t cap) {
  return ndl__uring_check(why, cap);
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
  ndl_backend backend;
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
  if ((err = choose_backend(opts, &backend)) != 0)
    return err;
  if (opts->id_bits != 0 &&
      (opts->id_bits < NDL__ID_BITS_MIN || opts->id_bits > NDL__ID_BITS_MAX))
    return NDL_EINVAL;
  if (opts->timer_order != NDL_TIMER_ORDER_DEADLINE &&
      opts->timer_order != NDL_TIMER_ORDER_NODE)
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
  loop->core.node_timer_order = opts->timer_order == NDL_TIMER_ORDER_NODE;
  if (backend == NDL_BACKEND_SIM) {
    ndl_options sim = *opts;
    sim.threadpool_size = threads;
    err = ndl__sim_new(&sim, &loop->platform);
  } else {
    err = new_kernel_platform(opts, backend, threads, &loop->platform);
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
                : ndl__core_poll_timeout(&loop->core, ndl__loop_clock(loop));
  err = loop->platform->ops->wait(loop->platform, timeout, loop->core.fired,
                                  NDL__FIRED_CAP, &n);
  ndl__core_update_time(&loop->core, ndl__loop_clock(loop));
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
    ndl__core_tick_begin(core, ndl__loop_clock(loop));
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
  core->now_ns = ndl__loop_clock(loop);

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

struct ndl__platform *ndl__loop_platform(ndl_loop *loop) {
  return loop->platform;
}
