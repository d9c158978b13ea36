/*
 * What must hold under injected faults: EINTR and EAGAIN are retried or
 * re-armed transparently; ENOMEM makes the call fail and leaves the state as
 * it was, with no leak; a failed I/O operation reaches its callback as an
 * error value; a clock that steps backwards never fires a timer early.
 * (Pool start-up and epoll/eventfd faults are in test_linux.c.)
 *
 * Leaks are counted by the fault layer's allocator (ndl__alloc_live(), in
 * test builds): what was live before a loop existed is live after it is freed.
 * libfiu's own tables would blur a malloc statistic.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "core/alloc.h"
#include "faults/fault_points.h"
#include "nodeloop_faults.h"
#include "nodeloop_net.h"
#include "tools/sim/scenario.h"

static void clear_plan(void) { ndl_faults_clear(); }

TestSuite(faults, .fini = clear_plan, .timeout = 60);

static long in_use(void) { return ndl__alloc_live(); }

static void plan(const char *spec) {
  char why[256] = "";
  cr_assert_eq(ndl_faults_plan(spec, 1, why, sizeof(why)), 0, "%s: %s", spec,
               why);
}

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

/* ---- The plan itself. */

Test(faults, bad_plans_are_rejected_with_a_reason) {
  static const char *const bad[] = {"core/malloc",     "no/such=0.1",
                                    "core/malloc=1.5", "core/malloc=x",
                                    "core/malloc#0",   "net/recv:ebogus=0.1"};
  char why[256];
  unsigned i;
  for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
    why[0] = '\0';
    cr_assert_eq(ndl_faults_plan(bad[i], 1, why, sizeof(why)), NDL_BADFAULTS,
                 "%s", bad[i]);
    cr_assert_neq(why[0], '\0', "no reason given for %s", bad[i]);
  }
  cr_assert_str_eq(ndl_fault_point_name(0), "core/malloc");
  cr_assert_not_null(ndl_fault_point_about(0));
}

/* ---- The allocator the fault layer injects into the core. */

/* Installed before main(): it counts the core's blocks, and core/malloc
 * fails each of the core's allocation calls. */
Test(faults, the_core_allocates_through_the_fault_layer) {
  long base = in_use();
  void *p, *q;
  cr_assert_geq(base, 0, "no fault allocator installed (live count %ld)",
                base);
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
static int reg_tick(ndl_loop *l) { return ndl_next_tick(l, nop, NULL); }
static int reg_micro(ndl_loop *l) { return ndl_queue_microtask(l, nop, NULL); }
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
static int reg_close(ndl_loop *l) { return ndl_on_close(l, nop, NULL, NULL); }
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
  return err ? err : ndl_io_start(l, 3, NDL_READABLE, stop_watch, NULL,
                                  &io_watch);
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

Test(faults, enomem_leaves_state_as_it_was) {
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
Test(faults, demo_survives_every_single_allocation_failure) {
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
      cr_assert_eq(err, NDL_ENOMEM, "allocation %u: %s", n,
                   ndl_strerror(err));
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

/* ---- Network faults on the real platform. */

struct conn_result {
  int calls;
  int code;
};

static void record_connect(ndl_tcp *tcp, const ndl_value *v, void *arg) {
  struct conn_result *r = arg;
  r->calls++;
  r->code = v->kind == NDL_ERROR ? v->as.err.code : 0;
  ndl_tcp_close(tcp, NULL, NULL);
}

static void accept_and_close(ndl_tcp *server, const ndl_value *v, void *arg) {
  struct conn_result *r = arg;
  ndl_tcp *client;
  r->calls++;
  if (v->kind == NDL_ERROR) {
    r->code = v->as.err.code;
    return;
  }
  cr_assert_eq(ndl_tcp_accept(server, &client), 0);
  ndl_tcp_close(client, NULL, NULL);
  ndl_tcp_close(server, NULL, NULL);
}

/* At once (connect fails), or later (the connect in progress completes
 * with an error, read through SO_ERROR): either way, a callback value. */
Test(faults, connect_errors_reach_the_callback) {
  static const char *const plans[] = {"net/connect#1",
                                      "net/connect:etimedout#1",
                                      "net/so_error:etimedout#1"};
  static const int codes[] = {NDL_ECONNREFUSED, NDL_ETIMEDOUT,
                              NDL_ETIMEDOUT};
  unsigned i;
  for (i = 0; i < 3; i++) {
    ndl_loop *loop;
    ndl_tcp *tcp;
    struct conn_result r = {0, 0};
    cr_assert_eq(ndl_loop_new(NULL, &loop), 0);
    plan(plans[i]);
    cr_assert_eq(ndl_tcp_connect(loop, "127.0.0.1", 9, record_connect, &r,
                                 &tcp),
                 0);
    cr_assert_eq(ndl_run(loop, NULL, NULL), 0);
    cr_assert_eq(r.calls, 1);
    cr_assert_eq(r.code, codes[i], "%s: %s", plans[i], ndl_err_name(r.code));
    cr_assert_eq(ndl_loop_free(loop), 0);
  }
}

static void connect_then_close(ndl_tcp *tcp, const ndl_value *v, void *arg) {
  (void)arg;
  cr_assert_eq(v->kind, NDL_UNDEFINED);
  ndl_tcp_close(tcp, NULL, NULL);
}

Test(faults, listen_error_is_returned) {
  ndl_loop *loop;
  ndl_tcp *server;
  long base = in_use();
  cr_assert_eq(ndl_loop_new(NULL, &loop), 0);
  plan("net/listen#1");
  cr_assert_eq(ndl_tcp_listen(loop, "127.0.0.1", 0, 8, accept_and_close,
                              NULL, &server),
               NDL_EADDRINUSE);
  ndl_faults_clear();
  cr_assert_eq(ndl_run(loop, NULL, NULL), 0);
  cr_assert_eq(ndl_loop_free(loop), 0);
  cr_assert_eq(in_use(), base);
}

/* ECONNABORTED is retried silently; EMFILE reaches the listener. */
Test(faults, accept_errors) {
  static const char *const plans[] = {"net/accept:econnaborted#1",
                                      "net/accept#1"};
  unsigned i;
  for (i = 0; i < 2; i++) {
    ndl_loop *loop;
    ndl_tcp *server, *client;
    struct conn_result r = {0, 0};
    int port;
    cr_assert_eq(ndl_loop_new(NULL, &loop), 0);
    cr_assert_eq(ndl_tcp_listen(loop, "127.0.0.1", 0, 8, accept_and_close,
                                &r, &server),
                 0);
    cr_assert_eq(ndl_tcp_port(server, &port), 0);
    plan(plans[i]);
    cr_assert_eq(ndl_tcp_connect(loop, "127.0.0.1", port, connect_then_close,
                                 NULL, &client),
                 0);
    if (i == 1) {
      /* EMFILE: the listener hears of it, then accepts the connection. */
      cr_assert_eq(ndl_run(loop, NULL, NULL), 0);
      cr_assert_eq(r.code, NDL_EMFILE);
      cr_assert_eq(r.calls, 2);
    } else {
      cr_assert_eq(ndl_run(loop, NULL, NULL), 0);
      cr_assert_eq(r.code, 0);
      cr_assert_eq(r.calls, 1);
    }
    cr_assert_eq(ndl_loop_free(loop), 0);
  }
}

/* An echo of 256 KiB through recv and send that fail with EINTR or EAGAIN,
 * or transfer one byte, a third of the time: every byte arrives, in order. */
struct echo {
  ndl_tcp *server;
  size_t got;
  int ended;
  unsigned char expect;
};

static void echo_back(ndl_tcp *tcp, const ndl_value *v, void *arg) {
  (void)arg;
  if (v->kind == NDL_STRING)
    cr_assert_eq(ndl_tcp_write(tcp, v->as.str.ptr, v->as.str.len, NULL, NULL),
                 0);
  else
    ndl_tcp_close(tcp, NULL, NULL);
}

static void echo_accept(ndl_tcp *server, const ndl_value *v, void *arg) {
  ndl_tcp *peer;
  (void)arg;
  if (v->kind == NDL_ERROR)
    return;
  cr_assert_eq(ndl_tcp_accept(server, &peer), 0);
  cr_assert_eq(ndl_tcp_read_start(peer, echo_back, NULL), 0);
  ndl_tcp_close(server, NULL, NULL);
}

static void client_read(ndl_tcp *tcp, const ndl_value *v, void *arg) {
  struct echo *e = arg;
  size_t i;
  if (v->kind == NDL_STRING) {
    for (i = 0; i < v->as.str.len; i++, e->got++)
      cr_assert_eq((unsigned char)v->as.str.ptr[i],
                   (unsigned char)(e->got * 7), "byte %zu", e->got);
    if (e->got == 256 * 1024) {
      e->ended = 1;
      ndl_tcp_close(tcp, NULL, NULL);
    }
    return;
  }
  cr_assert_fail("client stream ended early: %s",
                 v->kind == NDL_ERROR ? v->as.err.msg : "end");
}

static void client_go(ndl_tcp *tcp, const ndl_value *v, void *arg) {
  static unsigned char data[256 * 1024];
  size_t i;
  cr_assert_eq(v->kind, NDL_UNDEFINED, "%s",
               v->kind == NDL_ERROR ? v->as.err.msg : "");
  for (i = 0; i < sizeof(data); i++)
    data[i] = (unsigned char)(i * 7);
  cr_assert_eq(ndl_tcp_read_start(tcp, client_read, arg), 0);
  cr_assert_eq(ndl_tcp_write(tcp, data, sizeof(data), NULL, NULL), 0);
}

Test(faults, eintr_eagain_and_short_transfers_are_transparent) {
  ndl_loop *loop;
  ndl_tcp *client;
  struct echo e;
  int port;
  memset(&e, 0, sizeof(e));
  cr_assert_eq(ndl_loop_new(NULL, &loop), 0);
  cr_assert_eq(ndl_tcp_listen(loop, "127.0.0.1", 0, 8, echo_accept, &e,
                              &e.server),
               0);
  cr_assert_eq(ndl_tcp_port(e.server, &port), 0);
  plan("net/recv:eintr=0.2,net/recv:eagain=0.2,net/recv_short=0.2,"
       "net/send:eintr=0.2,net/send:eagain=0.2,net/send_short=0.2");
  cr_assert_eq(ndl_tcp_connect(loop, "127.0.0.1", port, client_go, &e,
                               &client),
               0);
  cr_assert_eq(ndl_run(loop, NULL, NULL), 0);
  cr_assert_gt(ndl_faults_injected(), 0);
  ndl_faults_clear();
  cr_assert(e.ended);
  cr_assert_eq(e.got, 256 * 1024);
  cr_assert_eq(ndl_loop_free(loop), 0);
}

/* ---- fs and clock. */

static void record_value(ndl_loop *loop, const ndl_value *v, void *arg) {
  struct conn_result *r = arg;
  (void)loop;
  r->calls++;
  r->code = v->kind == NDL_ERROR ? v->as.err.code : 0;
}

Test(faults, fs_open_errors_reach_the_callback) {
  static const char *const plans[] = {"fs/open:enoent#1", "fs/open#1"};
  static const int codes[] = {NDL_ENOENT, NDL_EMFILE};
  unsigned i;
  for (i = 0; i < 2; i++) {
    ndl_loop *loop;
    struct conn_result r = {0, 0};
    cr_assert_eq(ndl_loop_new(NULL, &loop), 0);
    plan(plans[i]);
    cr_assert_eq(ndl_fs_read(loop, "/proc/self/status", 0, record_value, &r),
                 0);
    cr_assert_eq(ndl_run(loop, NULL, NULL), 0);
    cr_assert_eq(r.calls, 1);
    cr_assert_eq(r.code, codes[i]);
    cr_assert_eq(ndl_loop_free(loop), 0);
  }
}

static uint64_t mono_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void stamp(ndl_loop *loop, const ndl_value *v, void *arg) {
  (void)loop;
  (void)v;
  *(uint64_t *)arg = mono_ns();
}

/* The clock steps back 300 ms, then forward, several times: the 100 ms
 * timer still fires no earlier than 100 ms of real time, and the loop ends. */
Test(faults, clock_stepping_backwards_never_fires_early) {
  ndl_loop *loop;
  uint64_t start, fired = 0;
  cr_assert_eq(ndl_loop_new(NULL, &loop), 0);
  plan("linux/clock_step:-300#2,linux/clock_step:-300#5");
  start = mono_ns();
  cr_assert_eq(ndl_set_timeout(loop, 100, stamp, &fired, NULL), 0);
  cr_assert_eq(ndl_run(loop, NULL, NULL), 0);
  cr_assert_neq(fired, 0);
  cr_assert_geq(fired - start, 100000000u, "fired after %llu ns",
                (unsigned long long)(fired - start));
  cr_assert_eq(ndl_loop_free(loop), 0);
}

/* ---- Replay: on the sim, the same plan and seed inject the same faults. */

Test(faults, same_seed_same_faults_on_sim) {
  uint64_t injected[2];
  char *out[2];
  int i;
  for (i = 0; i < 2; i++) {
    struct ndl_scenario_result r;
    size_t len;
    FILE *f = open_memstream(&out[i], &len);
    cr_assert_eq(ndl_faults_plan("core/malloc=0.1", 42, NULL, 0), 0);
    ndl_scenario_run(ndl_scenario_find("demo"), 3, ndl_trace_print_verbose,
                     f, &r);
    injected[i] = ndl_faults_injected();
    ndl_faults_clear();
    fclose(f);
  }
  cr_assert_gt(injected[0], 0);
  cr_assert_eq(injected[0], injected[1]);
  cr_assert_str_eq(out[0], out[1]);
  free(out[0]);
  free(out[1]);
}
