/*
 * Property tests: random programs (tools/reference/program.h) run on the core
 * and on the reference model (tools/reference/reference.c) must agree, and keep
 * the loop's invariants. Each property gets its own 5000 seeds; a failure
 * prints the program, a shrunk program, and the nodeloop-sim command that
 * replays it. Also: the reference on hand-written programs, regressions the
 * runner found, and the shrinker on a property planted to fail.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "tools/cli/cli.h"
#include "tools/reference/program.h"
#include "tools/reference/reference.h"
#include "tools/reference/runner.h"

#define SEEDS 5000

/* Prints a failing seed the way nodeloop-sim does, shrunk. */
static void report(uint64_t seed, struct prog *p, int prop) {
  struct prop_options o;
  struct prop_outcome out;
  memset(&o, 0, sizeof(o));
  prog_print(p, stderr);
  prop_shrink(p, &o, prop, 3000);
  prop_check(p, &o, &out);
  fprintf(stderr, "shrunk: property=%s: %s\n", prop_name(out.prop), out.msg);
  prog_print(p, stderr);
  fprintf(stderr, "replay: nodeloop-sim --random --seed %llu  # build %s\n",
          (unsigned long long)seed, cli_build_id());
}

/* Runs SEEDS seeds from first; the property must hold on every one. */
static void holds(int prop, uint64_t first) {
  static struct prog p;
  struct prop_outcome out;
  uint64_t seed;
  for (seed = first; seed < first + SEEDS; seed++) {
    prog_generate(seed, &p);
    prop_check(&p, NULL, &out);
    if (out.failed & (1u << prop)) {
      fprintf(stderr, "seed %llu: %s: %s\n", (unsigned long long)seed,
              prop_name(prop), out.why[prop]);
      report(seed, &p, prop);
      cr_assert_fail("seed %llu: %s: %s", (unsigned long long)seed,
                     prop_name(prop), out.why[prop]);
    }
  }
}

Test(properties, order_matches_the_model) {
  holds(PROP_ORDER, 1);
}
Test(properties, callbacks_run_once_unless_cleared) {
  holds(PROP_ONCE, 10001);
}
Test(properties, no_timer_fires_early) {
  holds(PROP_DEADLINE, 20001);
}
Test(properties, loop_ends_when_nothing_is_alive) {
  holds(PROP_END, 30001);
}
Test(properties, stats_stay_consistent) {
  holds(PROP_STATS, 40001);
}
Test(properties, return_codes_and_values) {
  holds(PROP_API, 50001);
}
Test(properties, pool_starts_tasks_in_order) {
  holds(PROP_POOL, 60001);
}

Test(properties, same_seed_same_program_same_outcome) {
  static struct prog a, b;
  struct prop_outcome x, y;
  uint64_t seed;
  for (seed = 1; seed < 200; seed++) {
    prog_generate(seed, &a);
    prog_generate(seed, &b);
    cr_assert(memcmp(&a, &b, sizeof(a)) == 0, "seed %llu",
              (unsigned long long)seed);
    prop_check(&a, NULL, &x);
    prop_check(&b, NULL, &y);
    cr_assert_eq(x.callbacks, y.callbacks);
    cr_assert_eq(x.ticks, y.ticks);
    cr_assert_eq(x.end_ns, y.end_ns);
  }
}

/* Swarm testing only helps if the seeds really draw different worlds. */
Test(properties, seeds_draw_different_worlds) {
  static struct prog p;
  int pools[9] = {0}, narrow = 0, inline_work = 0, spread = 0, kinds[PK_COUNT];
  uint64_t seed;
  int k;
  memset(kinds, 0, sizeof(kinds));
  for (seed = 1; seed <= 500; seed++) {
    prog_generate(seed, &p);
    pools[p.cfg.pool]++;
    narrow += p.cfg.id_bits < 32;
    inline_work += p.cfg.inline_work;
    spread += p.cfg.spread_ns != 0;
    for (k = 0; k < p.n; k++)
      kinds[p.op[k].kind]++;
  }
  for (k = 1; k <= 8; k++)
    cr_expect_gt(pools[k], 0, "no seed has a pool of %d", k);
  cr_expect_gt(narrow, 50);
  cr_expect_gt(inline_work, 20);
  cr_expect_gt(spread, 100);
  for (k = 0; k < PK_COUNT; k++)
    cr_expect_gt(kinds[k], 50, "few %s ops", prog_kind_name(k));
}

/* ---- The reference on programs whose outcome is known by hand. */

static void set_ops(struct prog *p, const struct prog_op *ops, int n) {
  memset(p, 0, sizeof(*p));
  p->cfg.pool = 4;
  p->cfg.id_bits = 32;
  p->n = n;
  memcpy(p->op, ops, (size_t)n * sizeof(*ops));
}

/* The ops of the reference's calls, as a string ("2 0 1"). */
static const char *model_order(const struct prog *p) {
  static struct reference_result r;
  static char buf[256];
  int i;
  reference_run(p, NULL, &r);
  buf[0] = '\0';
  for (i = 0; i < r.ncalls; i++)
    snprintf(buf + strlen(buf), sizeof(buf) - strlen(buf), "%s%d", i ? " " : "",
             r.calls[i].op);
  return buf;
}

#define OP(kind, parent, target, delay, count, gap)                            \
  { (kind), 0, (parent), (target), (delay), (count), (gap) }

Test(reference, next_ticks_then_microtasks_after_each_callback) {
  static struct prog p;
  const struct prog_op ops[] = {
      OP(PK_TIMEOUT, -1, -1, 1, 0, 0),  /* 0 */
      OP(PK_MICROTASK, 0, -1, 0, 0, 0), /* 1 */
      OP(PK_NEXT_TICK, 0, -1, 0, 0, 0), /* 2 */
      OP(PK_TIMEOUT, -1, -1, 1, 0, 0),  /* 3 */
      OP(PK_NEXT_TICK, 1, -1, 0, 0, 0), /* 4: from a microtask */
      OP(PK_MICROTASK, 1, -1, 0, 0, 0), /* 5 */
  };
  set_ops(&p, ops, 6);
  cr_assert_str_eq(model_order(&p), "0 2 1 5 4 3");
}

/* setImmediate in an I/O callback runs before setTimeout(0); a timeout of
 * 0 is 1 ms; check, then close. */
Test(reference, phase_order) {
  static struct prog p;
  const struct prog_op ops[] = {
      OP(PK_IO, -1, -1, 10, 1, 0),      /* 0 */
      OP(PK_TIMEOUT, 0, -1, 0, 0, 0),   /* 1 */
      OP(PK_IMMEDIATE, 0, -1, 0, 0, 0), /* 2 */
      OP(PK_CLOSE, 0, -1, 0, 0, 0),     /* 3 */
      OP(PK_DEFER, 0, -1, 0, 0, 0),     /* 4 */
  };
  static struct reference_result r;
  set_ops(&p, ops, 5);
  cr_assert_str_eq(model_order(&p), "0 2 3 4 1");
  reference_run(&p, NULL, &r);
  cr_assert_eq(r.end_ns, 11000000u);
}

/* Close callbacks run newest first, as libuv's closing-handle stack does;
 * one queued in the close phase waits for the next iteration. */
Test(reference, close_callbacks_run_newest_first) {
  static struct prog p;
  const struct prog_op ops[] = {
      OP(PK_CLOSE, -1, -1, 0, 0, 0), /* 0 */
      OP(PK_CLOSE, 0, -1, 0, 0, 0),  /* 1: from the close phase */
      OP(PK_CLOSE, -1, -1, 0, 0, 0), /* 2 */
      OP(PK_CLOSE, -1, -1, 0, 0, 0), /* 3 */
  };
  set_ops(&p, ops, 4);
  cr_assert_str_eq(model_order(&p), "3 2 0 1");
}

Test(reference, interval_rearms_from_the_cached_time_and_clears_itself) {
  static struct prog p;
  static struct reference_result r;
  const struct prog_op ops[] = {
      OP(PK_INTERVAL, -1, -1, 100, 3, 0), /* 0 */
      OP(PK_ADVANCE, 0, -1, 30, 0, 0),    /* 1: each call computes 30 ms */
  };
  set_ops(&p, ops, 2);
  reference_run(&p, NULL, &r);
  cr_assert_eq(r.ncalls, 3);
  /* 100, then 100 + 30 + ... no: re-armed from the time cached for the
   * tick (100), so due at 200 even though the call ended at 130. */
  cr_assert_eq(r.calls[0].now_ns, 100000000u);
  cr_assert_eq(r.calls[1].now_ns, 200000000u);
  cr_assert_eq(r.calls[2].now_ns, 300000000u);
  cr_assert_eq(r.end_ns, 330000000u);
  cr_assert_eq(r.cancelled, 1);
}

Test(reference, pool_of_one_runs_tasks_one_after_another) {
  static struct prog p;
  static struct reference_result r;
  const struct prog_op ops[] = {
      OP(PK_WORK, -1, -1, 10, 0, 0),
      OP(PK_WORK, -1, -1, 5, 0, 0),
      OP(PK_WORK, -1, -1, 1, 0, 0),
  };
  set_ops(&p, ops, 3);
  p.cfg.pool = 1;
  reference_run(&p, NULL, &r);
  cr_assert_eq(r.ncalls, 3);
  cr_assert_eq(r.calls[0].now_ns, 10000000u);
  cr_assert_eq(r.calls[1].now_ns, 15000000u);
  cr_assert_eq(r.calls[2].now_ns, 16000000u);
  p.cfg.pool = 4;
  cr_assert_str_eq(model_order(&p), "2 1 0");
}

Test(reference, a_cleared_timer_in_the_due_batch_does_not_run) {
  static struct prog p;
  const struct prog_op ops[] = {
      OP(PK_TIMEOUT, -1, -1, 50, 0, 0), /* 0 */
      OP(PK_CLEAR, 0, 2, 0, 0, 0),      /* 1: clears 2 */
      OP(PK_TIMEOUT, -1, -1, 50, 0, 0), /* 2 */
      OP(PK_TIMEOUT, -1, -1, 50, 0, 0), /* 3 */
  };
  set_ops(&p, ops, 4);
  cr_assert_str_eq(model_order(&p), "0 3");
}

Test(reference, unrefed_timer_does_not_keep_the_loop_alive) {
  static struct prog p;
  static struct reference_result r;
  struct prog_op ops[] = {
      OP(PK_TIMEOUT, -1, -1, 1000, 0, 0),
      OP(PK_TIMEOUT, -1, -1, 10, 0, 0),
  };
  ops[0].unref = 1;
  set_ops(&p, ops, 2);
  reference_run(&p, NULL, &r);
  cr_assert_eq(r.ncalls, 1);
  cr_assert_eq(r.end_ns, 10000000u);
  cr_assert_eq(r.live_at_end, 1);
}

/* ---- Regressions found by the runner. */

/* Found by nodeloop-sim --random --seed 95395: an interval that cleared
 * itself and then registered a callback that got its slot back and, with
 * 3-bit ids, its id, was re-armed: the new record sat on the close list
 * and in the timer heap at once, and the loop spun forever. */
Test(regressions, interval_slot_and_id_reused_inside_its_callback,
     .timeout = 20) {
  static struct prog p;
  struct prop_outcome out;
  const struct prog_op ops[] = {
      OP(PK_INTERVAL, -1, -1, 1, 3, 0),  /* 0: id 1, slot 0 */
      OP(PK_CLEAR, 0, 0, 0, 0, 0),       /* 1: frees id 1 and slot 0 */
      OP(PK_CLOSE, 0, -1, 0, 0, 0),      /* 2: gets slot 0, and id 1 */
      OP(PK_NEXT_TICK, -1, -1, 0, 0, 0), /* 3-8: move the id counter */
      OP(PK_NEXT_TICK, -1, -1, 0, 0, 0), OP(PK_NEXT_TICK, -1, -1, 0, 0, 0),
      OP(PK_NEXT_TICK, -1, -1, 0, 0, 0), OP(PK_NEXT_TICK, -1, -1, 0, 0, 0),
      OP(PK_NEXT_TICK, -1, -1, 0, 0, 0),
  };
  set_ops(&p, ops, 9);
  p.cfg.id_bits = 3;
  cr_assert_eq(prop_check(&p, NULL, &out), PROP_OK, "%s: %s",
               prop_name(out.prop), out.msg);
  prog_generate(95395, &p);
  cr_assert_eq(prop_check(&p, NULL, &out), PROP_OK, "%s: %s",
               prop_name(out.prop), out.msg);
}

/* Found by nodeloop-sim --random --seed 1048280 (also 503392, 642429), and
 * fixed by ndl_io_stop voiding the stopped watcher's pending events: poll
 * collects an event for watcher B; a callback earlier in
 * the same poll phase stops B and starts a watcher that, with 3-bit ids,
 * gets B's id; B's event then runs the new watcher's callback. libuv avoids
 * this by scrubbing the events array when a watcher stops
 * (uv__platform_invalidate_fd). */
Test(regressions, stale_io_event_reaches_a_watcher_that_reused_the_id) {
  static struct prog p;
  struct prop_outcome out;
  const struct prog_op ops[] = {
      OP(PK_CLOSE, -1, -1, 0, 0, 0), /* 0-1, 7: move the id counter */
      OP(PK_CLOSE, -1, -1, 0, 0, 0),
      OP(PK_IO, -1, -1, 0, 2, 0),        /* 2: A, ready twice at 0 */
      OP(PK_IO, 2, -1, 0, 1, 0),         /* 3: a new watcher, per call */
      OP(PK_CLEAR, 2, 5, 0, 0, 0),       /* 4: stops B */
      OP(PK_IO, -1, -1, 0, 1, 0),        /* 5: B, ready at 0 */
      OP(PK_IO, -1, -1, 0, 1, 0),        /* 6 */
      OP(PK_IMMEDIATE, -1, -1, 0, 0, 0), /* 7 */
  };
  set_ops(&p, ops, 8);
  p.cfg.pool = 1;
  p.cfg.id_bits = 3;
  cr_assert_eq(prop_check(&p, NULL, &out), PROP_OK, "%s: %s",
               prop_name(out.prop), out.msg);
}

/* ---- The shrinker, on a property planted to fail. */

Test(shrinker, shrinks_a_planted_failure_to_a_minimal_program) {
  static struct prog p, q;
  struct prop_options o;
  struct prop_outcome out;
  uint64_t seed;
  int i;

  memset(&o, 0, sizeof(o));
  o.planted_max_timers = 3;
  /* A seed with a big program that fails only the planted property. */
  for (seed = 1;; seed++) {
    prog_generate(seed, &p);
    if (p.n >= 30 && prop_check(&p, &o, &out) == PROP_PLANTED)
      break;
  }
  cr_assert_gt(p.n, 4);
  prop_shrink(&p, &o, PROP_PLANTED, 5000);
  cr_assert_eq(prop_check(&p, &o, &out), PROP_PLANTED);
  /* Minimal: four timeouts of 0 ms in main, in the plainest world. */
  cr_assert_eq(p.n, 4, "shrunk to %d ops", p.n);
  for (i = 0; i < p.n; i++) {
    cr_assert_eq(p.op[i].kind, PK_TIMEOUT);
    cr_assert_eq(p.op[i].parent, -1);
    cr_assert_eq(p.op[i].delay_ms, 0);
    cr_assert_eq(p.op[i].unref, 0);
  }
  cr_assert_eq(p.cfg.pool, 1);
  cr_assert_eq(p.cfg.spread_ns, 0);
  cr_assert_eq(p.cfg.inline_work, 0);
  cr_assert_eq(p.cfg.id_bits, 32);
  /* And 1-minimal: without any one op it passes. */
  for (i = 0; i < p.n; i++) {
    q = p;
    prog_remove(&q, i);
    cr_assert_eq(prop_check(&q, &o, &out), PROP_OK);
  }
}

Test(shrinker, keeps_a_passing_program_as_it_is) {
  static struct prog p, q;
  struct prop_options o;
  memset(&o, 0, sizeof(o));
  prog_generate(7, &p);
  q = p;
  prop_shrink(&q, &o, PROP_ORDER, 100);
  cr_assert(memcmp(&p, &q, sizeof(p)) == 0);
}
