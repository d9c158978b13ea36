/*
 * Timer scenarios: deadline and insertion order, 0 as 1 ms, nesting,
 * clearing, intervals, unref, and the places where nodeloop's timers
 * deliberately differ from Node's (timers_late_lists and the two other
 * rules of Node's per-delay lists, which NDL_TIMER_ORDER_NODE follows;
 * interval_rearm_after_slow_callback). Each function is the C form of
 * tests/conformance/<name>.js.
 */
#include "conformance.h"

static void timeout(ndl_loop *loop, int64_t ms, ndl_cb cb, void *arg) {
  CONF_OK(ndl_set_timeout(loop, ms, cb, arg, NULL));
}

static void say_timeout(ndl_loop *loop, int64_t ms, const char *text) {
  timeout(loop, ms, conf_say, (void *)text);
}

static void exit_line(ndl_loop *loop) {
  (void)loop;
  conf_log("exit");
}

/* ---- Order. */

static void deadline_order(ndl_loop *loop, void *arg) {
  (void)arg;
  say_timeout(loop, 60, "A 60ms");
  say_timeout(loop, 20, "B 20ms");
  say_timeout(loop, 40, "C 40ms");
  conf_log("main");
}

static void same_delay_insertion(ndl_loop *loop, void *arg) {
  static const char *const names[] = {"timer 1", "timer 2", "timer 3",
                                      "timer 4", "timer 5"};
  unsigned i;
  (void)arg;
  for (i = 0; i < 5; i++)
    say_timeout(loop, 10, names[i]);
  conf_log("main");
}

static void mixed_delays(ndl_loop *loop, void *arg) {
  (void)arg;
  say_timeout(loop, 40, "A 40ms");
  say_timeout(loop, 20, "B 20ms");
  say_timeout(loop, 40, "C 40ms");
  say_timeout(loop, 20, "D 20ms");
  say_timeout(loop, 60, "E 60ms");
  conf_log("main");
}

static void zero_d(ndl_loop *loop, const ndl_value *v, void *arg) {
  (void)v;
  (void)arg;
  conf_log("D 0ms");
  say_timeout(loop, 0, "E 0ms");
  say_timeout(loop, 1, "F 1ms");
  say_timeout(loop, 0, "G 0ms");
}

static void zero_is_one(ndl_loop *loop, void *arg) {
  (void)arg;
  say_timeout(loop, 1, "A 1ms");
  say_timeout(loop, 0, "B 0ms");
  say_timeout(loop, 1, "C 1ms");
  timeout(loop, 0, zero_d, NULL);
}

/* ---- Nesting. */

static void nested_inner(ndl_loop *loop, const ndl_value *v, void *arg) {
  (void)v;
  (void)arg;
  conf_log("inner");
  say_timeout(loop, 0, "innermost");
  CONF_OK(ndl_set_immediate(loop, conf_say, "immediate from inner", NULL));
}

static void nested_outer(ndl_loop *loop, const ndl_value *v, void *arg) {
  (void)v;
  (void)arg;
  conf_log("outer");
  timeout(loop, 0, nested_inner, NULL);
  CONF_OK(ndl_set_immediate(loop, conf_say, "immediate from outer", NULL));
  CONF_OK(ndl_next_tick(loop, conf_say, "tick from outer"));
}

static void nested(ndl_loop *loop, void *arg) {
  (void)arg;
  timeout(loop, 5, nested_outer, NULL);
}

static void batch_a(ndl_loop *loop, const ndl_value *v, void *arg) {
  (void)v;
  (void)arg;
  conf_log("A 1ms");
  say_timeout(loop, 0, "X 0ms, set by A");
}

static void set_in_due_batch(ndl_loop *loop, void *arg) {
  (void)arg;
  timeout(loop, 1, batch_a, NULL);
  say_timeout(loop, 5, "Y 5ms");
  conf_busy(loop, 20);
}

/* ---- Clearing. */

static void clear_pending(ndl_loop *loop, void *arg) {
  ndl_id t, iv;
  (void)arg;
  CONF_OK(ndl_set_timeout(loop, 10, conf_say, "cleared timeout", &t));
  CONF_OK(ndl_set_interval(loop, 10, conf_say, "cleared interval", &iv));
  say_timeout(loop, 20, "kept 20ms");
  CONF_OK(ndl_clear_timeout(loop, t));
  /* clearTimeout of a cleared timer is a no-op in Node; here it says so. */
  if (ndl_clear_timeout(loop, t) != NDL_NOTFOUND)
    conf_fail("second clear", NDL_EINVAL);
  CONF_OK(ndl_clear_interval(loop, iv));
  conf_log("main");
}

static ndl_id victim;

static void clear_victim(ndl_loop *loop, const ndl_value *v, void *arg) {
  (void)v;
  conf_log("%s", (const char *)arg);
  CONF_OK(ndl_clear_timeout(loop, victim));
}

static void clear_later_same_deadline(ndl_loop *loop, void *arg) {
  (void)arg;
  timeout(loop, 50, clear_victim, "A");
  CONF_OK(ndl_set_timeout(loop, 50, conf_say, "B", &victim));
  say_timeout(loop, 50, "C");
}

static void clear_due_other_list(ndl_loop *loop, void *arg) {
  (void)arg;
  timeout(loop, 5, clear_victim, "A 5ms");
  CONF_OK(ndl_set_timeout(loop, 8, conf_say, "B 8ms", &victim));
  say_timeout(loop, 40, "C 40ms");
  conf_busy(loop, 20);
}

/* ---- Intervals. */

static ndl_id interval_id;
static int runs;

static void clear_after_n_run(ndl_loop *loop, const ndl_value *v, void *arg) {
  (void)v;
  (void)arg;
  runs++;
  if (runs == 1)
    say_timeout(loop, 30, "timeout 30ms, set by run 1");
  conf_log("interval %d", runs);
  if (runs == 2)
    conf_busy(loop, 50);
  if (runs == 3) {
    CONF_OK(ndl_clear_interval(loop, interval_id));
    conf_log("cleared");
  }
}

static void clear_after_n(ndl_loop *loop, void *arg) {
  (void)arg;
  CONF_OK(ndl_set_interval(loop, 20, clear_after_n_run, NULL, &interval_id));
}

static void count_run(ndl_loop *loop, const ndl_value *v, void *arg) {
  (void)loop;
  (void)v;
  (void)arg;
  conf_log("interval %d", ++runs);
}

static void clears_interval(ndl_loop *loop, const ndl_value *v, void *arg) {
  (void)v;
  (void)arg;
  conf_log("timeout clears the interval");
  CONF_OK(ndl_clear_interval(loop, interval_id));
}

static void cleared_by_timer(ndl_loop *loop, void *arg) {
  (void)arg;
  CONF_OK(ndl_set_interval(loop, 10, count_run, NULL, &interval_id));
  timeout(loop, 10, clears_interval, NULL);
  conf_busy(loop, 15);
}

static void twice_run(ndl_loop *loop, const ndl_value *v, void *arg) {
  (void)v;
  (void)arg;
  conf_log("interval %d", ++runs);
  if (runs == 2)
    CONF_OK(ndl_clear_interval(loop, interval_id));
}

static void interval_and_timeout(ndl_loop *loop, void *arg) {
  (void)arg;
  CONF_OK(ndl_set_interval(loop, 10, twice_run, NULL, &interval_id));
  say_timeout(loop, 10, "timeout");
  conf_busy(loop, 25);
}

/* ---- unref. */

static void unref_not_alive(ndl_loop *loop, void *arg) {
  ndl_id id;
  (void)arg;
  CONF_OK(ndl_set_timeout(loop, 1000, conf_say, "unref fired", &id));
  CONF_OK(ndl_timer_unref(loop, id));
  say_timeout(loop, 10, "ref fired");
}

static void unref_fires_while_alive(ndl_loop *loop, void *arg) {
  ndl_id id;
  (void)arg;
  CONF_OK(ndl_set_timeout(loop, 10, conf_say, "unref 10ms", &id));
  CONF_OK(ndl_timer_unref(loop, id));
  say_timeout(loop, 30, "ref 30ms");
  CONF_OK(ndl_set_timeout(loop, 50, conf_say, "unref then ref 50ms", &id));
  CONF_OK(ndl_timer_unref(loop, id));
  CONF_OK(ndl_timer_ref(loop, id));
}

/* ---- Deliberate differences: the .differs files pin both orders. */

static void late_lists(ndl_loop *loop, void *arg) {
  (void)arg;
  say_timeout(loop, 20, "a1 20ms, set at 0");
  conf_busy(loop, 30);
  say_timeout(loop, 20, "a2 20ms, set at 30");
  say_timeout(loop, 5, "b 5ms, set at 30");
  conf_busy(loop, 60);
}

static void late_list_cleared_head(ndl_loop *loop, void *arg) {
  ndl_id a1;
  (void)arg;
  CONF_OK(ndl_set_timeout(loop, 40, conf_say, "a1 40ms, set at 0", &a1));
  say_timeout(loop, 48, "c 48ms, set at 0");
  conf_busy(loop, 20);
  say_timeout(loop, 40, "a2 40ms, set at 20");
  CONF_OK(ndl_clear_timeout(loop, a1));
  conf_busy(loop, 60);
}

static ndl_id rearm_interval;
static int rearm_calls;

static void busy_60(ndl_loop *loop, const ndl_value *v, void *arg) {
  (void)v;
  (void)arg;
  conf_busy(loop, 60);
}

static void rearm_cb(ndl_loop *loop, const ndl_value *v, void *arg) {
  (void)v;
  (void)arg;
  conf_log("interval 40ms, call %d", ++rearm_calls);
  if (rearm_calls == 1) {
    conf_busy(loop, 4);
    say_timeout(loop, 40, "t 40ms, set in call 1");
    CONF_OK(ndl_set_immediate(loop, busy_60, NULL, NULL));
  } else {
    CONF_OK(ndl_clear_interval(loop, rearm_interval));
  }
}

static void late_list_interval_rearm(ndl_loop *loop, void *arg) {
  (void)arg;
  rearm_calls = 0;
  CONF_OK(ndl_set_interval(loop, 40, rearm_cb, NULL, &rearm_interval));
}

static void slow_a(ndl_loop *loop, const ndl_value *v, void *arg) {
  (void)v;
  (void)arg;
  conf_log("A 10ms");
  conf_busy(loop, 160);
}

static void b_run(ndl_loop *loop, const ndl_value *v, void *arg) {
  (void)v;
  (void)arg;
  conf_log("B interval %d", ++runs);
  if (runs == 2)
    CONF_OK(ndl_clear_interval(loop, interval_id));
}

static void rearm_after_slow(ndl_loop *loop, void *arg) {
  (void)arg;
  timeout(loop, 10, slow_a, NULL);
  CONF_OK(ndl_set_interval(loop, 12, b_run, NULL, &interval_id));
  say_timeout(loop, 162, "C 162ms");
  conf_busy(loop, 20);
}

/* Not fixed in Node either: timeout_vs_immediate_main.allowed. */
static void timeout_vs_immediate(ndl_loop *loop, void *arg) {
  (void)arg;
  say_timeout(loop, 0, "timeout");
  CONF_OK(ndl_set_immediate(loop, conf_say, "immediate", NULL));
}

/* ---- hasRef. */

static const char *yes_no(int has_ref) {
  if (has_ref < 0)
    conf_fail("ndl_timer_has_ref", has_ref);
  return has_ref ? "true" : "false";
}

static void timer_has_ref(ndl_loop *loop, void *arg) {
  ndl_id t, i;
  (void)arg;
  CONF_OK(ndl_set_timeout(loop, 10, conf_say, "timer fired", &t));
  conf_log("hasRef %s", yes_no(ndl_timer_has_ref(loop, t)));
  CONF_OK(ndl_timer_unref(loop, t));
  conf_log("after unref %s", yes_no(ndl_timer_has_ref(loop, t)));
  CONF_OK(ndl_timer_ref(loop, t));
  conf_log("after ref %s", yes_no(ndl_timer_has_ref(loop, t)));
  CONF_OK(
      ndl_set_interval(loop, 1000, conf_say, "interval: never, unref'd", &i));
  CONF_OK(ndl_timer_unref(loop, i));
  conf_log("interval after unref %s", yes_no(ndl_timer_has_ref(loop, i)));
}

const struct conf_scenario conf_timer_scenarios[] = {
    {"timers_deadline_order", deadline_order, NULL},
    {"timers_same_delay_insertion", same_delay_insertion, NULL},
    {"timers_mixed_delays", mixed_delays, NULL},
    {"timeout_zero_is_one", zero_is_one, NULL},
    {"timers_nested", nested, NULL},
    {"timer_set_in_due_batch_waits", set_in_due_batch, NULL},
    {"clear_pending_timer", clear_pending, NULL},
    {"clear_later_same_deadline", clear_later_same_deadline, NULL},
    {"clear_due_timer_other_list", clear_due_other_list, NULL},
    {"interval_clear_after_n", clear_after_n, NULL},
    {"interval_cleared_by_timer", cleared_by_timer, exit_line},
    {"interval_and_timeout_same_delay", interval_and_timeout, NULL},
    {"unref_timer_not_alive", unref_not_alive, exit_line},
    {"unref_timer_fires_while_alive", unref_fires_while_alive, exit_line},
    {"timer_has_ref", timer_has_ref, NULL},
    {"timers_late_lists", late_lists, NULL},
    {"timers_late_list_cleared_head", late_list_cleared_head, NULL},
    {"timers_late_list_interval_rearm", late_list_interval_rearm, NULL},
    {"interval_rearm_after_slow_callback", rearm_after_slow, NULL},
    {"timeout_vs_immediate_main", timeout_vs_immediate, NULL},
    {NULL, NULL, NULL}};
