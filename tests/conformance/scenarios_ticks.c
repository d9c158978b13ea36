/*
 * nextTick and microtask scenarios: the nextTick queue drains before the
 * microtask queue, both drain after every single callback, and what each
 * queues while draining. Promise reactions and queueMicrotask share V8's one
 * microtask queue, so both are ndl_queue_microtask() here.
 */
#include <stdint.h>

#include "conformance.h"

static void micro(ndl_loop *loop, const char *text) {
  CONF_OK(ndl_queue_microtask(loop, conf_say, (void *)text));
}

static void tick(ndl_loop *loop, const char *text) {
  CONF_OK(ndl_next_tick(loop, conf_say, (void *)text));
}

static void ticks_before_microtasks(ndl_loop *loop, void *arg) {
  (void)arg;
  micro(loop, "promise 1");
  micro(loop, "microtask 1");
  tick(loop, "tick 1");
  micro(loop, "promise 2");
  tick(loop, "tick 2");
  conf_log("main");
}

/* A callback that logs its name and queues a microtask and a nextTick. */
struct named {
  const char *name, *micro, *tick;
};

static void log_and_queue(ndl_loop *loop, const ndl_value *v, void *arg) {
  const struct named *n = arg;
  (void)v;
  conf_log("%s", n->name);
  micro(loop, n->micro);
  tick(loop, n->tick);
}

static void drain_between_timers(ndl_loop *loop, void *arg) {
  static const struct named t[] = {{"A", "microtask A", "tick A"},
                                   {"B", "microtask B", "tick B"},
                                   {"C", "microtask C", "tick C"}};
  (void)arg;
  CONF_OK(ndl_set_timeout(loop, 1, log_and_queue, (void *)&t[0], NULL));
  CONF_OK(ndl_set_timeout(loop, 1, log_and_queue, (void *)&t[1], NULL));
  CONF_OK(ndl_set_timeout(loop, 5, log_and_queue, (void *)&t[2], NULL));
  conf_busy(loop, 10);
}

static void drain_between_immediates(ndl_loop *loop, void *arg) {
  static const struct named im[] = {{"I1", "microtask I1", "tick I1"},
                                    {"I2", "microtask I2", "tick I2"},
                                    {"I3", "microtask I3", "tick I3"}};
  unsigned i;
  (void)arg;
  for (i = 0; i < 3; i++)
    CONF_OK(ndl_set_immediate(loop, log_and_queue, (void *)&im[i], NULL));
  tick(loop, "tick main");
}

static void m1(ndl_loop *loop, const ndl_value *v, void *arg) {
  (void)v;
  (void)arg;
  conf_log("m1");
  tick(loop, "tick from m1");
  micro(loop, "m3 from m1");
}

static void tick_from_microtask(ndl_loop *loop, void *arg) {
  (void)arg;
  CONF_OK(ndl_queue_microtask(loop, m1, NULL));
  micro(loop, "m2");
  tick(loop, "t0");
  conf_log("main");
}

static void t1(ndl_loop *loop, const ndl_value *v, void *arg) {
  (void)v;
  (void)arg;
  conf_log("t1");
  micro(loop, "microtask from t1");
  tick(loop, "t3 from t1");
}

static void microtask_from_tick(ndl_loop *loop, void *arg) {
  (void)arg;
  CONF_OK(ndl_next_tick(loop, t1, NULL));
  tick(loop, "t2");
  micro(loop, "m0");
  conf_log("main");
}

/* A promise chain: each reaction is queued when the one before it ran. */
static void then_step(ndl_loop *loop, const ndl_value *v, void *arg) {
  intptr_t n = (intptr_t)arg;
  (void)v;
  conf_log("then %d", (int)n);
  if (n < 3)
    CONF_OK(ndl_queue_microtask(loop, then_step, (void *)(n + 1)));
}

static void microtask_chain(ndl_loop *loop, void *arg) {
  (void)arg;
  CONF_OK(ndl_queue_microtask(loop, then_step, (void *)(intptr_t)1));
  micro(loop, "microtask a");
  micro(loop, "microtask b");
}

static void recursive_tick(ndl_loop *loop, const ndl_value *v, void *arg) {
  static const char *const micros[] = {"", "microtask 1", "microtask 2",
                                       "microtask 3", "microtask 4"};
  intptr_t n = (intptr_t)arg;
  (void)v;
  conf_log("tick %d", (int)n);
  micro(loop, micros[n]);
  if (n < 4)
    CONF_OK(ndl_next_tick(loop, recursive_tick, (void *)(n + 1)));
}

static void recursion_before_phases(ndl_loop *loop, void *arg) {
  (void)arg;
  CONF_OK(ndl_set_immediate(loop, conf_say, "immediate", NULL));
  CONF_OK(ndl_next_tick(loop, recursive_tick, (void *)(intptr_t)1));
}

/* ---- beforeExit and exit. */

static void from_before_exit(ndl_loop *loop, const ndl_value *v, void *arg) {
  static const char *const texts[][4] = {
      {"", "", "", ""},
      {"timer from beforeExit 1", "immediate from beforeExit 1",
       "tick from beforeExit 1", "microtask from beforeExit 1"},
      {"timer from beforeExit 2", "immediate from beforeExit 2",
       "tick from beforeExit 2", "microtask from beforeExit 2"}};
  int *n = arg;
  (void)v;
  conf_log("beforeExit %d", *n);
  if ((*n)++ < 2) {
    CONF_OK(ndl_set_timeout(loop, 50, conf_say, (void *)texts[*n][0], NULL));
    CONF_OK(ndl_set_immediate(loop, conf_say, (void *)texts[*n][1], NULL));
    CONF_OK(ndl_next_tick(loop, conf_say, (void *)texts[*n][2]));
    CONF_OK(ndl_queue_microtask(loop, conf_say, (void *)texts[*n][3]));
  }
}

/* What Node silently never runs is refused here, so nothing is lost. */
static void exit_listener(ndl_loop *loop, const ndl_value *v, void *arg) {
  int err;
  (void)v;
  (void)arg;
  conf_log("exit");
  err = ndl_set_timeout(loop, 0, conf_say, "timer from exit", NULL);
  if (err != NDL_EXITING)
    conf_fail("an exit listener's timer was not refused (NDL_EXITING)", err);
  err = ndl_next_tick(loop, conf_say, "tick from exit");
  if (err != NDL_EXITING)
    conf_fail("an exit listener's nextTick was not refused (NDL_EXITING)", err);
  CONF_OK(ndl_queue_microtask(loop, conf_say, "microtask from exit"));
}

static void process_exit_events(ndl_loop *loop, void *arg) {
  static int n;
  (void)arg;
  CONF_OK(ndl_on_before_exit(loop, from_before_exit, &n));
  CONF_OK(ndl_on_before_exit(loop, conf_say, "second beforeExit listener"));
  CONF_OK(ndl_on_exit(loop, exit_listener, NULL));
  CONF_OK(ndl_on_exit(loop, conf_say, "second exit listener"));
  CONF_OK(ndl_set_timeout(loop, 5, conf_say, "main timer", NULL));
  conf_log("main");
}

const struct conf_scenario conf_tick_scenarios[] = {
    {"nexttick_before_microtasks", ticks_before_microtasks, NULL},
    {"ticks_drain_between_timers", drain_between_timers, NULL},
    {"ticks_drain_between_immediates", drain_between_immediates, NULL},
    {"tick_from_microtask_waits", tick_from_microtask, NULL},
    {"microtask_from_tick", microtask_from_tick, NULL},
    {"microtask_chain", microtask_chain, NULL},
    {"nexttick_recursion_before_phases", recursion_before_phases, NULL},
    {"process_exit_events", process_exit_events, NULL},
    {NULL, NULL, NULL}};
