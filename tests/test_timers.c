/*
 * Timer delays (core/core.c): what Node does with delays it cannot honour.
 */
#include <criterion/criterion.h>
#include <stdint.h>
#include <string.h>

#include "nodeloop.h"

static void record_time(ndl_loop *loop, const ndl_value *v, void *arg) {
  (void)v;
  *(uint64_t *)arg = ndl_now(loop);
}

static void count_notes(void *ctx, const ndl_trace_event *ev) {
  if (ev->kind == NDL_TRACE_NOTE && ev->text != NULL &&
      strstr(ev->text, "TimeoutOverflowWarning") != NULL)
    (*(int *)ctx)++;
}

/* Node clamps any delay above TIMEOUT_MAX (2^31 - 1 ms) to 1 ms, with a
 * warning; nodeloop honoured delays up to 2^43 ms and refused larger
 * ones. */
Test(timers, delays_above_timeout_max_are_one_ms) {
  static const int64_t delays[] = {(int64_t)1 << 31, ((int64_t)1 << 43) - 1,
                                   (int64_t)1 << 43, ((int64_t)1 << 43) + 1,
                                   INT64_MAX};
  uint64_t at[5], max_at = 0;
  ndl_options opts;
  ndl_loop *loop;
  int notes = 0;
  unsigned i;
  ndl_options_init(&opts);
  opts.backend = NDL_BACKEND_SIM;
  opts.trace = count_notes;
  opts.trace_ctx = &notes;
  cr_assert_eq(ndl_loop_new(&opts, &loop), 0);
  for (i = 0; i < 5; i++)
    cr_assert_eq(ndl_set_timeout(loop, delays[i], record_time, &at[i], NULL), 0,
                 "delay %lld", (long long)delays[i]);
  cr_assert_eq(ndl_set_interval(loop, INT64_MAX, NULL, NULL, NULL),
               NDL_EINVAL); /* NULL cb: refused, and no warning */
  cr_assert_eq(ndl_set_timeout(loop, INT32_MAX, record_time, &max_at, NULL), 0);
  cr_assert_eq(ndl_run(loop, NULL, NULL), 0);
  for (i = 0; i < 5; i++)
    cr_assert_eq(at[i], 1, "delay %lld fired at %llu ms", (long long)delays[i],
                 (unsigned long long)at[i]);
  cr_assert_eq(max_at, (uint64_t)INT32_MAX, "TIMEOUT_MAX fired at %llu",
               (unsigned long long)max_at);
  cr_assert_eq(notes, 5);
  cr_assert_eq(ndl_set_timeout(loop, -1, record_time, &max_at, NULL),
               NDL_EINVAL);
  cr_assert_eq(ndl_loop_free(loop), 0);
}

/* ---- Node's timer order (NDL_TIMER_ORDER_NODE, core/timer_lists.c). The
 * loop is made late by computing (ndl_sim_advance), so that timers of
 * different delays are due in one timers phase. */

struct order {
  char seen[16];
  unsigned n;
  ndl_id interval;
};

/* A callback's arg: the order to append to, and the letter to append. */
struct tag {
  struct order *o;
  char letter;
};

static void mark(ndl_loop *loop, const ndl_value *v, void *arg) {
  struct tag *t = arg;
  (void)loop;
  (void)v;
  t->o->seen[t->o->n++] = t->letter;
}

static ndl_loop *late_loop(ndl_timer_order order) {
  ndl_options opts;
  ndl_loop *loop;
  ndl_options_init(&opts);
  opts.backend = NDL_BACKEND_SIM;
  opts.timer_order = order;
  cr_assert_eq(ndl_loop_new(&opts, &loop), 0);
  return loop;
}

/* Runs main on a sim loop with each order; the letters must come in want
 * (strict deadline order) and want_node (Node's). */
static void both_orders(ndl_main_fn main, struct tag *tags, unsigned ntags,
                        const char *want, const char *want_node) {
  static const ndl_timer_order orders[] = {NDL_TIMER_ORDER_DEADLINE,
                                           NDL_TIMER_ORDER_NODE};
  unsigned i, k;
  for (i = 0; i < 2; i++) {
    struct order o;
    ndl_loop *loop = late_loop(orders[i]);
    memset(&o, 0, sizeof(o));
    for (k = 0; k < ntags; k++)
      tags[k].o = &o;
    cr_assert_eq(ndl_run(loop, main, tags), 0);
    cr_assert_str_eq(o.seen, i == 0 ? want : want_node, "timer order %d",
                     orders[i]);
    cr_assert_eq(ndl_loop_free(loop), 0);
  }
}

/* A list's expiry is its first timer's deadline when the list was made; a
 * clear of that timer does not move it. a1 (10 ms, set at 0) makes the
 * 10 ms list, due at 10; c (12 ms) the 12 ms list, due at 12; a2 (10 ms,
 * set at 5, due at 15) joins the 10 ms list; a1 is cleared. At 20 ms Node
 * runs the 10 ms list first: a2 before c. */
static void cleared_head_main(ndl_loop *loop, void *arg) {
  struct tag *t = arg;
  ndl_id a1;
  cr_assert_eq(ndl_set_timeout(loop, 10, mark, &t[0], &a1), 0);
  cr_assert_eq(ndl_set_timeout(loop, 12, mark, &t[1], NULL), 0);
  cr_assert_eq(ndl_sim_advance(loop, 5), 0);
  cr_assert_eq(ndl_set_timeout(loop, 10, mark, &t[2], NULL), 0);
  cr_assert_eq(ndl_clear_timeout(loop, a1), 0);
  cr_assert_eq(ndl_sim_advance(loop, 15), 0);
}

Test(timers, node_order_keeps_a_list_due_when_its_first_timer_is_cleared) {
  struct tag t[3] = {{NULL, 'x'}, {NULL, 'c'}, {NULL, 'a'}};
  both_orders(cleared_head_main, t, 3, "ca", "ac");
}

/* An interval re-armed in a phase goes to the end of its list, behind a
 * timer of its delay that its callback set. The interval (10 ms) first
 * runs at 10, computes 1 ms, sets t (10 ms: due at 21) and an immediate
 * that computes 15 ms; it is re-armed due at 20 (from the loop time). At
 * 26 both are due: by deadline the interval, then t; Node runs its 10 ms
 * list in order, t first. */
static void busy_15(ndl_loop *loop, const ndl_value *v, void *arg) {
  (void)v;
  (void)arg;
  cr_assert_eq(ndl_sim_advance(loop, 15), 0);
}

static void interval_cb(ndl_loop *loop, const ndl_value *v, void *arg) {
  struct tag *t = arg;
  mark(loop, v, arg);
  if (t->o->n == 1) {
    cr_assert_eq(ndl_sim_advance(loop, 1), 0);
    cr_assert_eq(ndl_set_timeout(loop, 10, mark, t + 1, NULL), 0);
    cr_assert_eq(ndl_set_immediate(loop, busy_15, NULL, NULL), 0);
  } else {
    cr_assert_eq(ndl_clear_interval(loop, t->o->interval), 0);
  }
}

static void interval_main(ndl_loop *loop, void *arg) {
  struct tag *t = arg;
  cr_assert_eq(ndl_set_interval(loop, 10, interval_cb, t, &t->o->interval), 0);
}

Test(timers, node_order_rearms_an_interval_behind_its_lists_timers) {
  struct tag t[2] = {{NULL, 'v'}, {NULL, 't'}};
  both_orders(interval_main, t, 2, "vvt", "vtv");
}

Test(timers, timer_order_is_checked) {
  ndl_options opts;
  ndl_loop *loop;
  ndl_options_init(&opts);
  opts.timer_order = (ndl_timer_order)2;
  cr_assert_eq(ndl_loop_new(&opts, &loop), NDL_EINVAL);
}
