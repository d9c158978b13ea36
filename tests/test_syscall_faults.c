/*
 * Faults a plan injects at the real platform's syscall wrappers: EINTR and
 * EAGAIN are retried or re-armed transparently; a failed network or fs
 * operation reaches its caller or callback as an error; a clock that steps
 * backwards never fires a timer early, and a huge step saturates. (Pool
 * start-up and epoll/eventfd faults, set through libfiu directly:
 * test_linux_faults.c.)
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "helpers.h"
#include "nodeloop_faults.h"
#include "nodeloop_net.h"

TestSuite(syscall_faults, .fini = clear_plan, .timeout = 60);

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
Test(syscall_faults, connect_errors_reach_the_callback) {
  static const char *const plans[] = {
      "net/connect#1", "net/connect:etimedout#1", "net/so_error:etimedout#1"};
  static const int codes[] = {NDL_ECONNREFUSED, NDL_ETIMEDOUT, NDL_ETIMEDOUT};
  unsigned i;
  for (i = 0; i < 3; i++) {
    ndl_loop *loop;
    ndl_tcp *tcp;
    struct conn_result r = {0, 0};
    cr_assert_eq(ndl_loop_new(NULL, &loop), 0);
    plan(plans[i]);
    cr_assert_eq(
        ndl_tcp_connect(loop, "127.0.0.1", 9, record_connect, &r, &tcp), 0);
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

Test(syscall_faults, listen_error_is_returned) {
  ndl_loop *loop;
  ndl_tcp *server;
  long base = in_use();
  cr_assert_eq(ndl_loop_new(NULL, &loop), 0);
  plan("net/listen#1");
  cr_assert_eq(
      ndl_tcp_listen(loop, "127.0.0.1", 0, 8, accept_and_close, NULL, &server),
      NDL_EADDRINUSE);
  ndl_faults_clear();
  cr_assert_eq(ndl_run(loop, NULL, NULL), 0);
  cr_assert_eq(ndl_loop_free(loop), 0);
  cr_assert_eq(in_use(), base);
}

/* ---- A reset whose SO_LINGER fails leaves the connection as it was: the
 * server closes it in order after all, and the client reads an end. */

struct reset_case {
  ndl_tcp *listener;
  int reset_err;
  int client_saw; /* 1: end of stream, or the error code */
};

static void reset_client_read(ndl_tcp *tcp, const ndl_value *v, void *arg) {
  struct reset_case *c = arg;
  if (v->kind == NDL_STRING)
    return;
  c->client_saw = v->kind == NDL_ERROR ? v->as.err.code : 1;
  ndl_tcp_close(tcp, NULL, NULL);
}

static void reset_client_connected(ndl_tcp *tcp, const ndl_value *v,
                                   void *arg) {
  cr_assert_eq(v->kind, NDL_UNDEFINED);
  cr_assert_eq(ndl_tcp_read_start(tcp, reset_client_read, arg), 0);
}

static void accept_then_reset(ndl_tcp *server, const ndl_value *v, void *arg) {
  struct reset_case *c = arg;
  ndl_tcp *conn;
  cr_assert_eq(v->kind, NDL_UNDEFINED);
  cr_assert_eq(ndl_tcp_accept(server, &conn), 0);
  plan("net/sockopt#1");
  c->reset_err = ndl_tcp_reset(conn, NULL, NULL);
  ndl_faults_clear();
  cr_assert_eq(ndl_tcp_close(conn, NULL, NULL), 0, "the handle stayed open");
  ndl_tcp_close(server, NULL, NULL);
}

Test(syscall_faults, failed_reset_leaves_the_connection_open) {
  static const ndl_backend backends[] = {NDL_BACKEND_LINUX, NDL_BACKEND_SIM};
  unsigned i;
  for (i = 0; i < 2; i++) {
    struct reset_case c = {NULL, 0, 0};
    ndl_options opts;
    ndl_loop *loop;
    ndl_tcp *client;
    int port;
    ndl_options_init(&opts);
    opts.backend = backends[i];
    cr_assert_eq(ndl_loop_new(&opts, &loop), 0);
    cr_assert_eq(ndl_tcp_listen(loop, "127.0.0.1", 0, 8, accept_then_reset, &c,
                                &c.listener),
                 0);
    cr_assert_eq(ndl_tcp_port(c.listener, &port), 0);
    cr_assert_eq(ndl_tcp_connect(loop, "127.0.0.1", port,
                                 reset_client_connected, &c, &client),
                 0);
    cr_assert_eq(ndl_run(loop, NULL, NULL), 0);
    cr_assert_eq(c.reset_err, -ENOPROTOOPT, "%s: %s", ndl_backend_name(loop),
                 ndl_err_name(c.reset_err));
    cr_assert_eq(c.client_saw, 1, "%s: the client read %d, not an end",
                 ndl_backend_name(loop), c.client_saw);
    cr_assert_eq(ndl_loop_free(loop), 0);
  }
}

/* ---- Closing when the close phase's step cannot be registered (no id
 * left here; no memory under a plan): a close with nothing to report later
 * still happens, so a listener cannot keep the loop alive for ever
 * (nodeloop-faults --seed 149 --plan core/malloc=0.3 hung on it). */

static void never_connected(ndl_tcp *tcp, const ndl_value *v, void *arg) {
  (void)tcp;
  (void)v;
  (void)arg;
  cr_assert_fail("no connection was made");
}

static void count_close(ndl_tcp *tcp, const ndl_value *v, void *arg) {
  (void)tcp;
  (void)v;
  ++*(int *)arg;
}

Test(syscall_faults, closing_with_no_id_left) {
  static const ndl_backend backends[] = {NDL_BACKEND_LINUX, NDL_BACKEND_SIM};
  unsigned i, k;
  for (i = 0; i < 2; i++) {
    ndl_options opts;
    ndl_loop *loop;
    ndl_tcp *l[3];
    int closed = 0;
    ndl_options_init(&opts);
    opts.backend = backends[i];
    opts.id_bits = 2; /* ids 1 to 3: one per listener's watcher */
    cr_assert_eq(ndl_loop_new(&opts, &loop), 0);
    for (k = 0; k < 3; k++)
      cr_assert_eq(
          ndl_tcp_listen(loop, "127.0.0.1", 0, 8, never_connected, NULL, &l[k]),
          0);
    /* With a callback to run later, nothing is closed. */
    cr_assert_eq(ndl_tcp_close(l[0], count_close, &closed), NDL_NOIDS);
    /* With none, the socket closes now, and its watcher's id is free. */
    cr_assert_eq(ndl_tcp_close(l[1], NULL, NULL), 0);
    cr_assert_eq(ndl_tcp_close(l[1], NULL, NULL), NDL_EINVAL, "closing");
    cr_assert_eq(ndl_tcp_close(l[0], count_close, &closed), 0);
    cr_assert_eq(ndl_tcp_close(l[2], NULL, NULL), 0);
    /* Ends, with l[0]'s callback run once; freeing reclaims l[1]. */
    cr_assert_eq(ndl_run(loop, NULL, NULL), 0, "%s", ndl_backend_name(loop));
    cr_assert_eq(closed, 1);
    cr_assert_eq(ndl_loop_free(loop), 0);
  }
}

/* ECONNABORTED is retried silently; EMFILE reaches the listener. */
Test(syscall_faults, accept_errors) {
  static const char *const plans[] = {"net/accept:econnaborted#1",
                                      "net/accept#1"};
  unsigned i;
  for (i = 0; i < 2; i++) {
    ndl_loop *loop;
    ndl_tcp *server, *client;
    struct conn_result r = {0, 0};
    int port;
    cr_assert_eq(ndl_loop_new(NULL, &loop), 0);
    cr_assert_eq(
        ndl_tcp_listen(loop, "127.0.0.1", 0, 8, accept_and_close, &r, &server),
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
      cr_assert_eq((unsigned char)v->as.str.ptr[i], (unsigned char)(e->got * 7),
                   "byte %zu", e->got);
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

Test(syscall_faults, eintr_eagain_and_short_transfers_are_transparent) {
  ndl_loop *loop;
  ndl_tcp *client;
  struct echo e;
  int port;
  memset(&e, 0, sizeof(e));
  cr_assert_eq(ndl_loop_new(NULL, &loop), 0);
  cr_assert_eq(
      ndl_tcp_listen(loop, "127.0.0.1", 0, 8, echo_accept, &e, &e.server), 0);
  cr_assert_eq(ndl_tcp_port(e.server, &port), 0);
  plan("net/recv:eintr=0.2,net/recv:eagain=0.2,net/recv_short=0.2,"
       "net/send:eintr=0.2,net/send:eagain=0.2,net/send_short=0.2");
  cr_assert_eq(ndl_tcp_connect(loop, "127.0.0.1", port, client_go, &e, &client),
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

Test(syscall_faults, fs_open_errors_reach_the_callback) {
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

static void stamp(ndl_loop *loop, const ndl_value *v, void *arg) {
  (void)loop;
  (void)v;
  *(uint64_t *)arg = mono_ns();
}

/* The clock steps back 300 ms, then forward, several times: the 100 ms
 * timer still fires no earlier than 100 ms of real time, and the loop ends. */
Test(syscall_faults, clock_stepping_backwards_never_fires_early) {
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

/* B4: a huge linux/clock_step overflowed int64 (UBSan); it saturates now,
 * so the clock jumps a century forward instead of wrapping. */
Test(syscall_faults, huge_clock_step_saturates) {
  ndl_loop *loop;
  uint64_t before, after;
  int fired = 0;
  const uint64_t century_ns = 100ull * 365 * 24 * 3600 * 1000000000ull;
  cr_assert_eq(ndl_loop_new(NULL, &loop), 0);
  before = ndl_now_ns(loop);
  expect_good_plan("linux/clock_step:9223372036854775807#1,"
                   "linux/clock_step:9223372036854775807#2");
  after = ndl_now_ns(loop);
  after = ndl_now_ns(loop);
  cr_assert_geq(after - before, century_ns, "stepped by %llu ns",
                (unsigned long long)(after - before));
  /* Backwards, as far as it goes: absorbed, the clock never goes back. */
  expect_good_plan("linux/clock_step:-9223372036854775807#1");
  before = ndl_now_ns(loop);
  cr_assert_geq(ndl_now_ns(loop), before);
  cr_assert_eq(ndl_set_timeout(loop, 10, count_call, &fired, NULL), 0);
  cr_assert_eq(ndl_run(loop, NULL, NULL), 0);
  cr_assert_eq(fired, 1);
  cr_assert_eq(ndl_loop_free(loop), 0);
}
