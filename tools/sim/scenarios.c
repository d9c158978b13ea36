/*
 * The scenarios: the chapter's demo, and one for each of the chapter's defects.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "examples/demo.h"
#include "scenario.h"

void ndl_scenario_fail(struct ndl_scenario_result *r, const char *fmt, ...) {
  va_list ap;
  if (r->failure[0] != '\0')
    return;
  va_start(ap, fmt);
  vsnprintf(r->failure, sizeof(r->failure), fmt, ap);
  va_end(ap);
}

/* A log of which callbacks ran, in order, as small integers. */
struct order_log {
  int seen[1024];
  int n;
};

/* ---- demo: the chapter's javascript(), ending at virtual 3500 ms. */

static void demo_configure(ndl_options *opts, uint64_t seed) {
  /* Each seed draws its own worker jitter, 0 to 50 ms, so seeds differ in
   * completion order while the program's fixed orderings must hold. */
  opts->sim_work_spread_ns = (seed % 51) * 1000000u;
}

static void demo_run(ndl_loop *loop, uint64_t seed,
                     struct ndl_scenario_result *r) {
  struct ndl_demo_env env;
  int err;
  (void)seed;
  if ((err = ndl_demo_sim_env(loop, &env)) != 0) {
    ndl_scenario_fail(r, "demo set-up: %s", ndl_strerror(err));
    return;
  }
  r->run_err = ndl_run(loop, ndl_demo_javascript, &env);
  r->end_ms = ndl_now(loop);
  if (env.server != NULL) { /* the web call never completed */
    struct ndl_slow_server *server = env.server;
    /* The web call may still complete in the run below (the first run
     * ended on an error): its callback then finds no server to close, as
     * this one is freed once its connections have closed. */
    env.server = NULL;
    ndl_slow_server_close(server);
    ndl_run(loop, NULL, NULL);
  }
  if (env.errors != 0)
    ndl_scenario_fail(r, "%d module calls failed", env.errors);
  if (r->end_ms != 3500)
    ndl_scenario_fail(r, "demo ended at %llu ms, not 3500",
                      (unsigned long long)r->end_ms);
}

static const struct ndl_scenario demo = {
    "demo", "the chapter's javascript() program", demo_configure, demo_run};

/* ---- same_instant: two timers due at the same instant both fire, in the
 * order they were set. The chapter's BTreeMap<Instant, _> kept only one. */

struct tagged {
  struct order_log *log;
  int tag;
};

static void tag_cb(ndl_loop *loop, const ndl_value *v, void *arg) {
  struct tagged *t = arg;
  (void)loop;
  (void)v;
  if (t->log->n < 1024)
    t->log->seen[t->log->n++] = t->tag;
}

static void check_sequence(struct ndl_scenario_result *r,
                           const struct order_log *log, int n) {
  int i;
  if (log->n != n) {
    ndl_scenario_fail(r, "%d callbacks ran, expected %d", log->n, n);
    return;
  }
  for (i = 0; i < n; i++)
    if (log->seen[i] != i) {
      ndl_scenario_fail(r, "callback %d ran at position %d", log->seen[i], i);
      return;
    }
}

static void same_instant_run(ndl_loop *loop, uint64_t seed,
                             struct ndl_scenario_result *r) {
  struct order_log log = {{0}, 0};
  struct tagged tags[8];
  int i;
  (void)seed;
  for (i = 0; i < 8; i++) {
    tags[i].log = &log;
    tags[i].tag = i;
    ndl_set_timeout(loop, 100, tag_cb, &tags[i], NULL);
  }
  r->run_err = ndl_run(loop, NULL, NULL);
  r->end_ms = ndl_now(loop);
  check_sequence(r, &log, 8);
}

static const struct ndl_scenario same_instant = {
    "same_instant", "eight timers due at the same instant fire in order", NULL,
    same_instant_run};

/* ---- lone_timer: a program with only one 1000 ms timer ends at t=1000;
 * after 50 ms of work in main, at t=1050. The chapter's epoll thread had read
 * "infinite" before the loop set the timeout, and hung. */

static void nop_cb(ndl_loop *loop, const ndl_value *v, void *arg) {
  (void)loop;
  (void)v;
  (void)arg;
}

static void lone_main(ndl_loop *loop, void *arg) {
  uint64_t work_ms = *(uint64_t *)arg;
  ndl_sim_advance(loop, work_ms);
  ndl_set_timeout(loop, 1000, nop_cb, NULL, NULL);
}

static void lone_timer_run(ndl_loop *loop, uint64_t seed,
                           struct ndl_scenario_result *r) {
  uint64_t work_ms = seed % 2 == 0 ? 0 : 50;
  r->run_err = ndl_run(loop, lone_main, &work_ms);
  r->end_ms = ndl_now(loop);
  if (r->end_ms != 1000 + work_ms)
    ndl_scenario_fail(r, "ended at %llu ms, expected %llu",
                      (unsigned long long)r->end_ms,
                      (unsigned long long)(1000 + work_ms));
}

static const struct ndl_scenario lone_timer = {
    "lone_timer",
    "one 1000 ms timer, set after 0 ms (even seeds) or 50 ms of work", NULL,
    lone_timer_run};

/* ---- many_tasks: 500 concurrent tasks on a pool of 4 all queue and
 * complete (the chapter panicked with "Out of threads" at the 5th), and their
 * callbacks run in completion order (the chapter's Vec::pop ran them LIFO). */

struct task_log {
  struct order_log log;
  struct tagged tags[500];
};

static void set_tag(void *arg, ndl_value *result) {
  ndl_value_set_int(result, ((struct tagged *)arg)->tag);
}

static void many_tasks_configure(ndl_options *opts, uint64_t seed) {
  (void)seed;
  opts->threadpool_size = 4;
}

static void many_tasks_run(ndl_loop *loop, uint64_t seed,
                           struct ndl_scenario_result *r) {
  struct task_log *t = calloc(1, sizeof(*t));
  int i, err;
  (void)seed;
  if (t == NULL) {
    ndl_scenario_fail(r, "out of memory");
    return;
  }
  /* Every task takes the same virtual 10 ms, so four at a time finish
   * together and the completion order is the submission order. */
  for (i = 0; i < 500; i++) {
    t->tags[i].log = &t->log;
    t->tags[i].tag = i;
    err = ndl_queue_work(loop, "Task", 10, set_tag, tag_cb, &t->tags[i], NULL);
    if (err) {
      ndl_scenario_fail(r, "task %d: %s", i, ndl_strerror(err));
      break;
    }
  }
  r->run_err = ndl_run(loop, NULL, NULL);
  r->end_ms = ndl_now(loop);
  check_sequence(r, &t->log, 500);
  if (r->end_ms != 500 / 4 * 10)
    ndl_scenario_fail(r, "ended at %llu ms, expected 1250",
                      (unsigned long long)r->end_ms);
  free(t);
}

static const struct ndl_scenario many_tasks = {
    "many_tasks", "500 tasks on 4 threads queue and complete in order",
    many_tasks_configure, many_tasks_run};

const struct ndl_scenario *const ndl_scenarios[] = {
    &demo, &same_instant, &lone_timer, &many_tasks, NULL};

const struct ndl_scenario *ndl_scenario_find(const char *name) {
  int i;
  for (i = 0; ndl_scenarios[i] != NULL; i++)
    if (strcmp(ndl_scenarios[i]->name, name) == 0)
      return ndl_scenarios[i];
  return NULL;
}

int ndl_scenario_run(const struct ndl_scenario *s, uint64_t seed,
                     ndl_trace_fn trace_fn, void *trace_ctx,
                     struct ndl_scenario_result *r) {
  ndl_options opts;
  ndl_loop *loop;
  int err;

  memset(r, 0, sizeof(*r));
  ndl_options_init(&opts);
  opts.backend = NDL_BACKEND_SIM;
  opts.sim_seed = seed;
  opts.threadpool_size = 4;
  opts.trace = trace_fn;
  opts.trace_ctx = trace_ctx;
  if (s->configure != NULL)
    s->configure(&opts, seed);
  if ((err = ndl_loop_new(&opts, &loop)) != 0)
    return err;
  /* A Chrome trace stamps events with the loop's clock read afresh. */
  if (trace_fn == ndl_chrome_trace_event)
    ndl_chrome_trace_attach(trace_ctx, loop);
  s->run(loop, seed, r);
  ndl_get_stats(loop, &r->stats);
  if (r->run_err != 0)
    ndl_scenario_fail(r, "ndl_run: %s", ndl_strerror(r->run_err));
  if (r->stats.lost != 0 || r->stats.duplicated != 0)
    ndl_scenario_fail(r, "lost=%llu duplicated=%llu",
                      (unsigned long long)r->stats.lost,
                      (unsigned long long)r->stats.duplicated);
  ndl_loop_free(loop);
  return 0;
}
