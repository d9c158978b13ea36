/*
 * Node's ordering rules on the core, run on the sim backend: phase order,
 * nextTick and microtask draining, intervals, clearing from inside callbacks,
 * unref, and bad arguments.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "nodeloop.h"

/* Each callback appends its name to one log line. */
static char log_buf[4096];

static void note(const char *s) {
  if (log_buf[0] != '\0')
    strcat(log_buf, " ");
  strcat(log_buf, s);
}

static ndl_loop *loop;

static void setup(void) {
  ndl_options opts;
  ndl_options_init(&opts);
  opts.backend = NDL_BACKEND_SIM;
  log_buf[0] = '\0';
  cr_assert_eq(ndl_loop_new(&opts, &loop), 0);
}

static void teardown(void) {
  ndl_stats st;
  ndl_get_stats(loop, &st);
  cr_expect_eq(st.lost, 0);
  cr_expect_eq(st.duplicated, 0);
  cr_assert_eq(ndl_loop_free(loop), 0);
}

TestSuite(phases, .init = setup, .fini = teardown);

static void say(ndl_loop *l, const ndl_value *v, void *arg) {
  (void)l;
  (void)v;
  note(arg);
}

static void tick_then_micro(ndl_loop *l, const ndl_value *v, void *arg) {
  (void)v;
  note(arg);
  ndl_queue_microtask(l, say, "m1");
  ndl_next_tick(l, say, "t1");
  ndl_queue_microtask(l, say, "m2");
  ndl_next_tick(l, say, "t2");
}

Test(phases, empty_program_returns_at_once) {
  cr_assert_eq(ndl_run(loop, NULL, NULL), 0);
  cr_assert_eq(ndl_now(loop), 0);
  ndl_stats st;
  ndl_get_stats(loop, &st);
  cr_assert_eq(st.ticks, 0);
  cr_assert_eq(st.callbacks, 0);
}

Test(phases, next_ticks_before_microtasks_after_every_callback) {
  ndl_set_timeout(loop, 1, tick_then_micro, "A", NULL);
  ndl_set_timeout(loop, 1, tick_then_micro, "B", NULL);
  cr_assert_eq(ndl_run(loop, NULL, NULL), 0);
  cr_assert_str_eq(log_buf, "A t1 t2 m1 m2 B t1 t2 m1 m2");
}

static void micro_queues_tick(ndl_loop *l, const ndl_value *v, void *arg) {
  (void)v;
  (void)arg;
  note("m1");
  ndl_next_tick(l, say, "t-from-m1");
  ndl_queue_microtask(l, say, "m3");
}

static void main_micro(ndl_loop *l, void *arg) {
  (void)arg;
  ndl_queue_microtask(l, micro_queues_tick, NULL);
  ndl_queue_microtask(l, say, "m2");
  ndl_next_tick(l, say, "t0");
  note("main");
}

/* A nextTick queued from a microtask runs only once the microtask queue is
 * empty, including microtasks queued meanwhile. */
Test(phases, tick_from_microtask_waits_for_microtasks) {
  cr_assert_eq(ndl_run(loop, main_micro, NULL), 0);
  cr_assert_str_eq(log_buf, "main t0 m1 m2 m3 t-from-m1");
}

static void immediate_again(ndl_loop *l, const ndl_value *v, void *arg) {
  (void)v;
  note(arg);
  if (strcmp(arg, "i1") == 0) {
    ndl_set_immediate(l, immediate_again, "i1-next", NULL);
    ndl_sim_advance(l, 5); /* 5 ms of work: the 1 ms timer falls due */
  }
}

static void timer_in_next_iteration(ndl_loop *l, const ndl_value *v,
                                    void *arg) {
  (void)l;
  (void)v;
  note(arg);
}

/* An immediate scheduled from the check phase runs in the next iteration,
 * after that iteration's timers. */
Test(phases, immediate_from_immediate_runs_next_iteration) {
  ndl_set_immediate(loop, immediate_again, "i1", NULL);
  ndl_set_immediate(loop, immediate_again, "i2", NULL);
  ndl_set_timeout(loop, 0, timer_in_next_iteration, "timer", NULL);
  cr_assert_eq(ndl_run(loop, NULL, NULL), 0);
  /* Tick 1 at t=0: the 1 ms timer is not due; check runs i1 (which works
   * for 5 ms) and i2. i1-next waits for tick 2, whose timers phase runs the
   * timer first. */
  cr_assert_str_eq(log_buf, "i1 i2 timer i1-next");
}

static void io_then_both(ndl_loop *l, const ndl_value *v, void *arg) {
  ndl_id *watch = arg;
  (void)v;
  note("io");
  ndl_io_stop(l, *watch);
  ndl_set_timeout(l, 0, say, "timeout0", NULL);
  ndl_set_immediate(l, say, "immediate", NULL);
}

/* setImmediate inside an I/O callback always runs before setTimeout(0). */
Test(phases, immediate_in_io_callback_beats_timeout_zero) {
  static ndl_id watch;
  cr_assert_eq(
      ndl_io_start(loop, 5, NDL_READABLE, io_then_both, &watch, &watch), 0);
  cr_assert_eq(ndl_sim_script_ready(loop, 5, NDL_READABLE, 10), 0);
  cr_assert_eq(ndl_run(loop, NULL, NULL), 0);
  cr_assert_str_eq(log_buf, "io immediate timeout0");
}

struct interval_state {
  ndl_id id;
  int runs;
};

static void interval_cb(ndl_loop *l, const ndl_value *v, void *arg) {
  struct interval_state *st = arg;
  char buf[32];
  (void)v;
  snprintf(buf, sizeof(buf), "iv%d@%llu", ++st->runs,
           (unsigned long long)ndl_now(l));
  note(buf);
  if (st->runs == 3)
    cr_assert_eq(ndl_clear_interval(l, st->id), 0);
}

Test(phases, interval_cleared_inside_its_callback_after_three_runs) {
  struct interval_state st = {0, 0};
  cr_assert_eq(ndl_set_interval(loop, 100, interval_cb, &st, &st.id), 0);
  cr_assert_eq(ndl_run(loop, NULL, NULL), 0);
  cr_assert_str_eq(log_buf, "iv1@100 iv2@200 iv3@300");
  cr_assert_eq(ndl_clear_interval(loop, st.id), NDL_NOTFOUND);
}

static ndl_id later_id;

static void clear_later(ndl_loop *l, const ndl_value *v, void *arg) {
  (void)v;
  (void)arg;
  note("first");
  cr_assert_eq(ndl_clear_timeout(l, later_id), 0);
}

/* Clearing a later timer from an earlier one due at the same time: the
 * later one is already in the due batch and must not run. */
Test(phases, clear_later_timer_due_at_same_time) {
  ndl_set_timeout(loop, 50, clear_later, NULL, NULL);
  ndl_set_timeout(loop, 50, say, "later", &later_id);
  ndl_set_timeout(loop, 50, say, "third", NULL);
  cr_assert_eq(ndl_run(loop, NULL, NULL), 0);
  cr_assert_str_eq(log_buf, "first third");
  ndl_stats st;
  ndl_get_stats(loop, &st);
  cr_assert_eq(st.cancelled, 1);
}

Test(phases, unrefed_timer_does_not_keep_loop_alive) {
  ndl_id id;
  cr_assert_eq(ndl_set_timeout(loop, 1000, say, "unref", &id), 0);
  cr_assert_eq(ndl_timer_unref(loop, id), 0);
  ndl_set_timeout(loop, 10, say, "ref", NULL);
  cr_assert_eq(ndl_run(loop, NULL, NULL), 0);
  cr_assert_str_eq(log_buf, "ref");
  cr_assert_eq(ndl_now(loop), 10);
  cr_assert_eq(ndl_clear_timeout(loop, id), 0);
}

Test(phases, unrefed_timer_still_fires_while_loop_is_alive) {
  ndl_id id;
  cr_assert_eq(ndl_set_timeout(loop, 10, say, "unref", &id), 0);
  cr_assert_eq(ndl_timer_unref(loop, id), 0);
  ndl_set_timeout(loop, 20, say, "ref", NULL);
  cr_assert_eq(ndl_run(loop, NULL, NULL), 0);
  cr_assert_str_eq(log_buf, "unref ref");
}

Test(phases, timeout_zero_is_one_ms) {
  ndl_set_timeout(loop, 1, say, "one", NULL);
  ndl_set_timeout(loop, 0, say, "zero", NULL);
  cr_assert_eq(ndl_run(loop, NULL, NULL), 0);
  cr_assert_str_eq(log_buf, "one zero");
  cr_assert_eq(ndl_now(loop), 1);
}

static void close_then_timer(ndl_loop *l, const ndl_value *v, void *arg) {
  (void)v;
  (void)arg;
  note("close");
  ndl_set_timeout(l, 5, say, "timer-from-close", NULL);
}

static void immediate_queues_close(ndl_loop *l, const ndl_value *v, void *arg) {
  (void)v;
  (void)arg;
  note("check");
  ndl_on_close(l, close_then_timer, NULL, NULL);
  ndl_defer(l, NULL, say, "pending", NULL);
}

/* check, then close in the same iteration; a deferred callback waits for
 * the next iteration's pending phase, which comes before that timer. */
Test(phases, check_close_pending_order) {
  ndl_set_immediate(loop, immediate_queues_close, NULL, NULL);
  cr_assert_eq(ndl_run(loop, NULL, NULL), 0);
  cr_assert_str_eq(log_buf, "check close pending timer-from-close");
}

static void reenter(ndl_loop *l, const ndl_value *v, void *arg) {
  (void)v;
  (void)arg;
  cr_assert_eq(ndl_run(l, NULL, NULL), NDL_EBUSY);
  cr_assert_eq(ndl_loop_free(l), NDL_EBUSY);
  note("ok");
}

Test(phases, bad_arguments_get_clear_errors) {
  ndl_id id;
  cr_assert_eq(ndl_set_timeout(loop, 10, NULL, NULL, &id), NDL_EINVAL);
  cr_assert_eq(ndl_set_timeout(loop, -1, say, NULL, &id), NDL_EINVAL);
  cr_assert_eq(ndl_set_timeout(NULL, 1, say, NULL, &id), NDL_EINVAL);
  cr_assert_eq(ndl_clear_timeout(loop, 12345), NDL_NOTFOUND);
  cr_assert_eq(ndl_clear_timeout(loop, 0), NDL_NOTFOUND);
  cr_assert_eq(ndl_set_immediate(loop, say, "imm", &id), 0);
  cr_assert_eq(ndl_clear_timeout(loop, id), NDL_BADKIND);
  cr_assert_eq(ndl_queue_work(loop, "x", -5, NULL, say, NULL, NULL),
               NDL_EINVAL);
  cr_assert_eq(ndl_io_start(loop, -1, NDL_READABLE, say, NULL, NULL),
               NDL_EINVAL);
  cr_assert_str_eq(ndl_strerror(NDL_EBUSY), "loop is already running");
  cr_assert_str_eq(ndl_err_name(NDL_NOTFOUND), "NOTFOUND");
  cr_assert_str_eq(ndl_strerror(12345), "unknown error");
  ndl_set_timeout(loop, 1, reenter, NULL, NULL);
  cr_assert_eq(ndl_run(loop, NULL, NULL), 0);
  cr_assert_str_eq(log_buf, "imm ok");
}

Test(phases, watcher_with_no_event_is_a_sim_deadlock) {
  cr_assert_eq(ndl_io_start(loop, 9, NDL_READABLE, say, "never", NULL), 0);
  cr_assert_eq(ndl_run(loop, NULL, NULL), NDL_EDEADLK);
}

Test(phases, several_loops_are_independent) {
  ndl_loop *other;
  ndl_options opts;
  ndl_options_init(&opts);
  opts.backend = NDL_BACKEND_SIM;
  cr_assert_eq(ndl_loop_new(&opts, &other), 0);
  ndl_set_timeout(other, 500, say, "other", NULL);
  ndl_set_timeout(loop, 5, say, "mine", NULL);
  cr_assert_eq(ndl_run(loop, NULL, NULL), 0);
  cr_assert_str_eq(log_buf, "mine");
  cr_assert_eq(ndl_run(other, NULL, NULL), 0);
  cr_assert_str_eq(log_buf, "mine other");
  cr_assert_eq(ndl_now(other), 500);
  cr_assert_eq(ndl_loop_free(other), 0);
}

static void inline_work(void *arg, ndl_value *result) {
  note(arg); /* runs on the loop thread, at submission */
  ndl_value_set_string(result, arg, strlen(arg));
}

static void inline_after(ndl_loop *l, const ndl_value *v, void *arg) {
  char buf[32];
  (void)l;
  (void)arg;
  snprintf(buf, sizeof(buf), "after-%s", v->as.str.ptr);
  note(buf);
}

static void submit_two(ndl_loop *l, void *arg) {
  (void)arg;
  ndl_queue_work(l, "W", 0, inline_work, inline_after, "w1", NULL);
  note("between");
  ndl_queue_work(l, "W", 0, inline_work, inline_after, "w2", NULL);
}

/* The sim's inline mode runs work on the loop thread as it is submitted,
 * and completes it at the next poll, in submission order. */
Test(inline_mode, work_runs_at_submit_and_completes_in_order) {
  ndl_options opts;
  ndl_loop *l;
  ndl_stats st;
  ndl_options_init(&opts);
  opts.backend = NDL_BACKEND_SIM;
  opts.sim_inline_work = 1;
  log_buf[0] = '\0';
  cr_assert_eq(ndl_loop_new(&opts, &l), 0);
  cr_assert_eq(ndl_run(l, submit_two, NULL), 0);
  cr_assert_str_eq(log_buf, "w1 between w2 after-w1 after-w2");
  cr_assert_eq(ndl_now(l), 0);
  ndl_get_stats(l, &st);
  cr_assert_eq(st.ticks, 1);
  cr_assert_eq(ndl_loop_free(l), 0);
}

/* ---- beforeExit and exit listeners (Node's process events). */

static void before_exit_once(ndl_loop *l, const ndl_value *v, void *arg) {
  int *calls = arg;
  cr_assert_eq(v->kind, NDL_UNDEFINED);
  note((*calls)++ == 0 ? "beforeExit" : "beforeExit again");
  if (*calls == 1) {
    cr_assert_eq(ndl_set_immediate(l, say, "immediate", NULL), 0);
    cr_assert_eq(ndl_next_tick(l, say, "tick"), 0);
  }
}

static void no_work(void *arg, ndl_value *result) {
  (void)arg;
  (void)result;
}

static void exit_refuses(ndl_loop *l, const ndl_value *v, void *arg) {
  static const ndl_value value = {NDL_UNDEFINED, {{NULL, 0}}};
  (void)v;
  (void)arg;
  note("exit");
  cr_assert_eq(ndl_set_timeout(l, 0, say, "never", NULL), NDL_EXITING);
  cr_assert_eq(ndl_set_interval(l, 1, say, "never", NULL), NDL_EXITING);
  cr_assert_eq(ndl_set_immediate(l, say, "never", NULL), NDL_EXITING);
  cr_assert_eq(ndl_next_tick(l, say, "never"), NDL_EXITING);
  cr_assert_eq(ndl_on_close(l, say, "never", NULL), NDL_EXITING);
  cr_assert_eq(ndl_defer(l, &value, say, "never", NULL), NDL_EXITING);
  cr_assert_eq(ndl_queue_work(l, "work", 0, no_work, say, "never", NULL),
               NDL_EXITING);
  cr_assert_eq(ndl_queue_microtask(l, say, "exit microtask"), 0);
}

Test(phases, before_exit_reruns_the_loop_then_exit_ends_it) {
  int calls = 0;
  ndl_stats st;
  cr_assert_eq(ndl_on_before_exit(loop, before_exit_once, &calls), 0);
  cr_assert_eq(ndl_on_exit(loop, exit_refuses, NULL), 0);
  cr_assert_eq(ndl_on_exit(loop, say, "second exit"), 0);
  cr_assert_eq(ndl_run(loop, NULL, NULL), 0);
  cr_assert_str_eq(log_buf, "beforeExit tick immediate beforeExit again exit "
                            "second exit exit microtask");
  ndl_get_stats(loop, &st);
  cr_assert_eq(st.lost, 0);
  cr_assert_eq(st.live, 0);

  /* Running again is allowed, and the listeners run again. */
  log_buf[0] = '\0';
  calls = 1;
  cr_assert_eq(ndl_run(loop, NULL, NULL), 0);
  cr_assert_str_eq(log_buf, "beforeExit again exit second exit exit microtask");
}

static void stop_now(ndl_loop *l, const ndl_value *v, void *arg) {
  (void)v;
  (void)arg;
  cr_assert_eq(ndl_stop(l), 0);
}

/* A run that ndl_stop() ends has not run out of work: no listener runs. */
Test(phases, a_stopped_run_emits_neither_event) {
  ndl_id id;
  cr_assert_eq(ndl_on_before_exit(loop, say, "beforeExit"), 0);
  cr_assert_eq(ndl_on_exit(loop, say, "exit"), 0);
  cr_assert_eq(ndl_set_timeout(loop, 1, stop_now, NULL, NULL), 0);
  cr_assert_eq(ndl_set_timeout(loop, 50, say, "late", &id), 0);
  cr_assert_eq(ndl_run(loop, NULL, NULL), 0);
  cr_assert_str_eq(log_buf, "");
  cr_assert_eq(ndl_run(loop, NULL, NULL), 0);
  cr_assert_str_eq(log_buf, "late beforeExit exit");
}

static void adds_listener(ndl_loop *l, const ndl_value *v, void *arg) {
  (void)v;
  (void)arg;
  note("first");
  /* Waits for the next emit, as a listener added in Node's emit does. */
  cr_assert_eq(ndl_on_before_exit(l, say, "added"), 0);
}

Test(phases, a_listener_added_while_emitting_waits_for_the_next_event) {
  cr_assert_eq(ndl_on_before_exit(loop, adds_listener, NULL), 0);
  cr_assert_eq(ndl_run(loop, NULL, NULL), 0);
  cr_assert_str_eq(log_buf, "first");
  cr_assert_eq(ndl_run(loop, NULL, NULL), 0);
  cr_assert_str_eq(log_buf, "first first added");
}

Test(phases, process_event_listeners_need_a_loop_and_a_callback) {
  cr_assert_eq(ndl_on_before_exit(NULL, say, NULL), NDL_EINVAL);
  cr_assert_eq(ndl_on_before_exit(loop, NULL, NULL), NDL_EINVAL);
  cr_assert_eq(ndl_on_exit(NULL, say, NULL), NDL_EINVAL);
  cr_assert_eq(ndl_on_exit(loop, NULL, NULL), NDL_EINVAL);
  cr_assert_str_eq(ndl_err_name(NDL_EXITING), "EXITING");
}

/* ---- hasRef. */

static void check_gone(ndl_loop *l, const ndl_value *v, void *arg) {
  (void)v;
  /* A fired timeout's id is gone, even inside its own callback. */
  cr_assert_eq(ndl_timer_has_ref(l, *(ndl_id *)arg), NDL_NOTFOUND);
  note("fired");
}

Test(phases, timer_has_ref_follows_ref_and_unref) {
  ndl_id t, imm;
  cr_assert_eq(ndl_set_timeout(loop, 5, check_gone, &t, &t), 0);
  cr_assert_eq(ndl_timer_has_ref(loop, t), 1);
  cr_assert_eq(ndl_timer_unref(loop, t), 0);
  cr_assert_eq(ndl_timer_has_ref(loop, t), 0);
  cr_assert_eq(ndl_timer_ref(loop, t), 0);
  cr_assert_eq(ndl_timer_has_ref(loop, t), 1);
  cr_assert_eq(ndl_set_immediate(loop, say, "immediate", &imm), 0);
  cr_assert_eq(ndl_timer_has_ref(loop, imm), NDL_BADKIND);
  cr_assert_eq(ndl_timer_has_ref(NULL, t), NDL_EINVAL);
  cr_assert_eq(ndl_run(loop, NULL, NULL), 0);
  cr_assert_str_eq(log_buf, "immediate fired");
  cr_assert_eq(ndl_timer_has_ref(loop, t), NDL_NOTFOUND);
}
