/*
 * The fault layer's allocator, injected into the core: ENOMEM makes the
 * call fail and leaves the state as it was, with no leak, at every
 * allocation of every registration call and of the whole demo.
 *
 * Leaks are counted by the fault layer's allocator (ndl__alloc_live(), in
 * test builds): what was live before a loop existed is live after it is freed.
 * libfiu's own tables would blur a malloc statistic.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "core/alloc.h"
#include "helpers.h"
#include "nodeloop_faults.h"
#include "tools/sim/scenario.h"

TestSuite(alloc_faults, .fini = clear_plan, .timeout = 60);

static void nop(ndl_loop *loop, const ndl_value *v, void *arg) {
  (void)loop;
  (void)v;
  if (arg != NULL)
    (*(int *)arg)++;
}

static void nop_work(void *arg, ndl_value *result) {
  (void)arg;
  ndl_value_set_int(result, 1);
}

/* ---- The allocator the fault layer injects into the core. */

/* Installed before main(): it counts the core's blocks, and core/malloc
 * fails each of the core's allocation calls. */
Test(alloc_faults, the_core_allocates_through_the_fault_layer) {
  long base = in_use();
  void *p, *q;
  cr_assert_geq(base, 0, "no fault allocator installed (live count %ld)", base);
  p = ndl__malloc(8);
  cr_assert_not_null(p);
  cr_assert_eq(in_use(), base + 1);
  q = ndl__reallocarray(p, 4, 8);
  cr_assert_not_null(q);
  cr_assert_eq(in_use(), base + 1, "a moved block is still one block");
  ndl__free(q);
  cr_assert_eq(in_use(), base);

  plan("core/malloc#1,core/malloc#2,core/malloc#3");
  cr_assert_null(ndl__malloc(8));
  cr_assert_null(ndl__calloc(2, 8));
  cr_assert_null(ndl__reallocarray(NULL, 2, 8));
  cr_assert_eq(ndl_faults_injected(), 3);
  cr_assert_eq(in_use(), base);
}

/* ---- ENOMEM: every registration call, at every allocation it makes. */

typedef int (*register_fn)(ndl_loop *loop);

static int reg_timeout(ndl_loop *l) {
  return ndl_set_timeout(l, 5, nop, NULL, NULL);
}
static int reg_interval(ndl_loop *l) {
  ndl_id id;
  int err = ndl_set_interval(l, 5, nop, NULL, &id);
  return err ? err : ndl_clear_interval(l, id);
}
static int reg_immediate(ndl_loop *l) {
  return ndl_set_immediate(l, nop, NULL, NULL);
}
static int reg_tick(ndl_loop *l) {
  return ndl_next_tick(l, nop, NULL);
}
static int reg_micro(ndl_loop *l) {
  return ndl_queue_microtask(l, nop, NULL);
}
static int reg_work(ndl_loop *l) {
  return ndl_queue_work(l, "W", 1, nop_work, nop, NULL, NULL);
}
static int reg_defer(ndl_loop *l) {
  static char text[] = "copied";
  ndl_value v;
  memset(&v, 0, sizeof(v));
  v.kind = NDL_STRING; /* made by hand: the copy is the only allocation */
  v.as.str.ptr = text;
  v.as.str.len = sizeof(text) - 1;
  return ndl_defer(l, &v, nop, NULL, NULL);
}
static int reg_close(ndl_loop *l) {
  return ndl_on_close(l, nop, NULL, NULL);
}
static ndl_id io_watch;

static void stop_watch(ndl_loop *loop, const ndl_value *v, void *arg) {
  (void)v;
  (void)arg;
  ndl_io_stop(loop, io_watch);
}

/* The script first: a script for an unwatched fd waits, and a failed
 * io_start must leave nothing registered. */
static int reg_io(ndl_loop *l) {
  int err = ndl_sim_script_ready(l, 3, NDL_READABLE, 1);
  return err ? err
             : ndl_io_start(l, 3, NDL_READABLE, stop_watch, NULL, &io_watch);
}

/* For N = 1, 2, ...: fail the Nth allocation of the call. Each failing
 * call returns NDL_ENOMEM with nothing registered and nothing leaked; the
 * sweep ends at the first N the call never reaches. */
static void sweep(register_fn fn, const char *name) {
  unsigned n;
  for (n = 1; n < 50; n++) {
    ndl_options opts;
    ndl_loop *loop;
    ndl_stats before, after;
    char spec[64];
    long base;
    int err;

    ndl_options_init(&opts);
    opts.backend = NDL_BACKEND_SIM;
    base = in_use();
    cr_assert_eq(ndl_loop_new(&opts, &loop), 0);
    ndl_get_stats(loop, &before);
    snprintf(spec, sizeof(spec), "core/malloc#%u", n);
    plan(spec);
    err = fn(loop);
    if (ndl_faults_injected() == 0 && err == 0) {
      ndl_faults_clear();
      cr_assert_eq(ndl_run(loop, NULL, NULL), 0, "%s", name);
      cr_assert_eq(ndl_loop_free(loop), 0);
      cr_assert_gt(n, 1, "%s allocated nothing", name);
      return;
    }
    cr_assert_eq(err, NDL_ENOMEM, "%s, allocation %u: %s", name, n,
                 ndl_strerror(err));
    ndl_get_stats(loop, &after);
    cr_assert_eq(after.registered, before.registered, "%s", name);
    cr_assert_eq(after.live, before.live, "%s", name);
    /* The loop still works after the failure. */
    ndl_faults_clear();
    cr_assert_eq(fn(loop), 0, "%s after ENOMEM", name);
    cr_assert_eq(ndl_run(loop, NULL, NULL), 0);
    ndl_get_stats(loop, &after);
    cr_assert_eq(after.lost, 0);
    cr_assert_eq(ndl_loop_free(loop), 0);
    cr_assert_eq(in_use(), base, "%s, allocation %u: %ld allocations leaked",
                 name, n, in_use() - base);
  }
  cr_assert_fail("%s: the sweep did not end", name);
}

Test(alloc_faults, enomem_leaves_state_as_it_was) {
  sweep(reg_timeout, "set_timeout");
  sweep(reg_interval, "set_interval");
  sweep(reg_immediate, "set_immediate");
  sweep(reg_tick, "next_tick");
  sweep(reg_micro, "queue_microtask");
  sweep(reg_work, "queue_work");
  sweep(reg_defer, "defer");
  sweep(reg_close, "on_close");
  sweep(reg_io, "io_start");
}

/* The fail-at-N sweep over the whole demo scenario on the sim: building the
 * loop and running the program, failing allocation N. Every run either
 * succeeds or fails cleanly with the no-memory error, and leaks nothing. */
Test(alloc_faults, demo_survives_every_single_allocation_failure) {
  const struct ndl_scenario *demo = ndl_scenario_find("demo");
  unsigned n, failed_cleanly = 0;
  for (n = 1; n < 5000; n++) {
    struct ndl_scenario_result r;
    char spec[64];
    long base;
    int err;

    snprintf(spec, sizeof(spec), "core/malloc#%u", n);
    plan(spec);
    base = in_use();
    err = ndl_scenario_run(demo, 1, NULL, NULL, &r);
    cr_assert_eq(in_use(), base, "allocation %u: %ld allocations leaked", n,
                 in_use() - base);
    if (ndl_faults_injected() == 0) {
      ndl_faults_clear();
      cr_assert_eq(err, 0);
      cr_assert_str_empty(r.failure, "%s", r.failure);
      cr_assert_gt(failed_cleanly, 10, "only %u runs hit a fault",
                   failed_cleanly);
      return;
    }
    ndl_faults_clear();
    if (err != 0) {
      cr_assert_eq(err, NDL_ENOMEM, "allocation %u: %s", n, ndl_strerror(err));
    } else {
      cr_assert_eq(r.stats.lost, 0, "allocation %u", n);
      cr_assert_eq(r.stats.duplicated, 0, "allocation %u", n);
      cr_assert_eq(r.run_err, 0, "allocation %u: %s", n,
                   ndl_strerror(r.run_err));
    }
    failed_cleanly++;
  }
  cr_assert_fail("the demo made more than 5000 allocations");
}
