/*
 * One regression test for each defect of the chapter's runtime, on the core and
 * the sim backend. Each scenario also runs as
 * `nodeloop-sim --scenario NAME --seed N`.
 */
#include <criterion/criterion.h>

#include "core/idmap.h"
#include "core/ids.h"
#include "nodeloop.h"
#include "tools/sim/scenario.h"

static void run_ok(const char *name, uint64_t seed) {
  struct ndl_scenario_result r;
  const struct ndl_scenario *s = ndl_scenario_find(name);
  cr_assert_not_null(s, "no scenario %s", name);
  cr_assert_eq(ndl_scenario_run(s, seed, NULL, NULL, &r), 0);
  cr_assert_str_empty(r.failure, "%s seed %llu: %s", name,
                      (unsigned long long)seed, r.failure);
}

/* The chapter: timers in a BTreeMap<Instant, id>; equal instants overwrote. */
Test(chapter_defects, same_instant_timers_both_fire_in_order) {
  run_ok("same_instant", 1);
}

/* The chapter: generate_cb_identity's retry loop broke on a *taken* id. */
Test(chapter_defects, no_id_collision_after_wrap) {
  struct ndl__ids g;
  struct ndl__idmap live;
  uint32_t id, round, i;
  ndl__idmap_init(&live);
  cr_assert_eq(ndl__ids_init(&g, 4), 0);
  /* Keep ids 1..5 live forever, churn the rest through many wraps. */
  for (round = 0; round < 50; round++) {
    for (i = 0; i < 6; i++) {
      cr_assert_eq(ndl__idmap_reserve_one(&live), 0);
      cr_assert_eq(ndl__ids_next(&g, &live, &id), 0);
      cr_assert_eq(ndl__idmap_find(&live, id), NDL__NIL,
                   "round %u: id %u was live", round, id);
      ndl__idmap_insert(&live, id, 0);
      if (round > 0 || id > 5)
        ndl__idmap_remove(&live, id);
    }
  }
  ndl__idmap_free(&live);
}

/* The chapter: a 5th concurrent task panicked with "Out of threads". */
Test(chapter_defects, fifth_and_500th_tasks_queue) {
  run_ok("many_tasks", 1);
}

/* The chapter: run_callbacks used Vec::pop, so completions ran LIFO. With
 * jitter the completion order differs from the submission order, and the
 * callbacks must follow the completion order that the pool reported. */
struct task {
  int tag;
  int *ran;
  int *n;
};

static void return_tag(void *arg, ndl_value *result) {
  ndl_value_set_int(result, ((struct task *)arg)->tag);
}

static void record_tag(ndl_loop *loop, const ndl_value *v, void *arg) {
  struct task *t = arg;
  (void)loop;
  cr_assert_eq(v->as.i, t->tag);
  t->ran[(*t->n)++] = t->tag;
}

struct done_log {
  ndl_id ids[64];
  int n;
};

static void capture_done(void *ctx, const ndl_trace_event *ev) {
  struct done_log *d = ctx;
  if (ev->kind == NDL_TRACE_WORK_DONE && d->n < 64)
    d->ids[d->n++] = ev->id;
}

Test(chapter_defects, completions_run_in_completion_order) {
  ndl_options opts;
  ndl_loop *loop;
  struct task tasks[64];
  struct done_log done = {{0}, 0};
  ndl_id ids[64];
  int ran[64], n = 0, i, k, reordered = 0;

  ndl_options_init(&opts);
  opts.backend = NDL_BACKEND_SIM;
  opts.sim_seed = 99;
  opts.sim_work_spread_ns = 40000000u;
  opts.trace = capture_done;
  opts.trace_ctx = &done;
  cr_assert_eq(ndl_loop_new(&opts, &loop), 0);
  for (i = 0; i < 64; i++) {
    tasks[i].tag = i;
    tasks[i].ran = ran;
    tasks[i].n = &n;
    cr_assert_eq(ndl_queue_work(loop, "T", 5, return_tag, record_tag, &tasks[i],
                                &ids[i]),
                 0);
  }
  cr_assert_eq(ndl_run(loop, NULL, NULL), 0);
  cr_assert_eq(n, 64);
  cr_assert_eq(done.n, 64);
  for (i = 0; i < 64; i++) {
    for (k = 0; k < 64 && ids[k] != done.ids[i]; k++)
      ;
    cr_assert_eq(ran[i], k,
                 "callback %d ran for task %d, but task %d "
                 "finished %dth",
                 i, ran[i], k, i);
    reordered += ran[i] != i;
  }
  cr_assert_gt(reordered, 0, "jitter should reorder completions");
  cr_assert_eq(ndl_loop_free(loop), 0);
}

/* The chapter: the epoll thread read "infinite" before the loop set the
 * timeout. Even seeds: the timer alone; odd seeds: after 50 ms of work in main.
 */
Test(chapter_defects, lone_timer_ends_at_its_deadline) {
  run_ok("lone_timer", 0);
  run_ok("lone_timer", 1);
}
