/*
 * Freeing a loop with things still in flight: every TCP handle, HTTP
 * request and name lookup is reclaimed and its socket closed, with no
 * callback run; a pool task blocked for good makes ndl_loop_free() answer
 * NDL_EBUSY instead of hanging; and ndl_tcp_connect() never runs its
 * callback inside the call, even out of memory.
 */
#include <criterion/criterion.h>
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "faults/fault_points.h"
#include "nodeloop.h"
#include "nodeloop_faults.h"
#include "nodeloop_net.h"

TestSuite(loop_free, .timeout = 30);

static int open_fds(void) {
  DIR *d = opendir("/proc/self/fd");
  int n = 0;
  cr_assert_not_null(d);
  while (readdir(d) != NULL)
    n++;
  closedir(d);
  return n;
}

static ndl_loop *new_loop(ndl_backend backend) {
  ndl_options opts;
  ndl_loop *loop;
  ndl_options_init(&opts);
  opts.backend = backend;
  opts.threadpool_size = 2;
  cr_assert_eq(ndl_loop_new(&opts, &loop), 0);
  return loop;
}

static int callbacks_run;

static void must_not_run(ndl_tcp *tcp, const ndl_value *v, void *arg) {
  (void)tcp;
  (void)v;
  (void)arg;
  callbacks_run++;
}

static void must_not_run_cb(ndl_loop *loop, const ndl_value *v, void *arg) {
  (void)loop;
  (void)v;
  (void)arg;
  callbacks_run++;
}

/* The listener takes every connection and never answers. */
static void take(ndl_tcp *server, const ndl_value *v, void *arg) {
  ndl_tcp *client;
  (void)v;
  (void)arg;
  if (ndl_tcp_accept(server, &client) == 0)
    cr_assert_eq(ndl_tcp_read_start(client, must_not_run, NULL), 0);
}

static void stop(ndl_loop *loop, const ndl_value *v, void *arg) {
  (void)v;
  (void)arg;
  ndl_stop(loop);
}

struct world {
  int port;
};

static void open_everything(ndl_loop *loop, void *arg) {
  struct world *w = arg;
  ndl_tcp *listener, *client, *resolving;
  char url[128];

  cr_assert_eq(ndl_tcp_listen(loop, "127.0.0.1", 0, 0, take, NULL, &listener),
               0);
  cr_assert_eq(ndl_tcp_port(listener, &w->port), 0);
  cr_assert_eq(
      ndl_tcp_connect(loop, "127.0.0.1", w->port, must_not_run, NULL, &client),
      0);
  cr_assert_eq(ndl_tcp_write(client, "x", 1, must_not_run, NULL), 0);
  snprintf(url, sizeof(url), "http://127.0.0.1:%d/never", w->port);
  cr_assert_eq(ndl_http_get(loop, url, must_not_run_cb, NULL), 0);
  /* A name: resolved on the pool; the loop may be freed before or after. */
  cr_assert_eq(ndl_tcp_connect(loop, "localhost", w->port, must_not_run, NULL,
                               &resolving),
               0);
  cr_assert_eq(ndl_set_timeout(loop, 200, stop, NULL, NULL), 0);
}

static void free_with_everything_open(ndl_backend backend) {
  struct world w = {0};
  long allocations = ndl__alloc_live();
  int fds = open_fds();
  ndl_loop *loop = new_loop(backend);

  callbacks_run = 0;
  cr_assert_eq(ndl_run(loop, open_everything, &w), 0);
  cr_assert_eq(ndl_loop_free(loop), 0);
  /* The connects complete and the listener accepts, but the stop comes
   * before any answer or end: the user's callbacks that remain are only
   * the ones that never fire. */
  cr_assert_eq(ndl__alloc_live(), allocations,
               "%ld allocations left after ndl_loop_free",
               ndl__alloc_live() - allocations);
  cr_assert_eq(open_fds(), fds, "%d fds left open", open_fds() - fds);
}

Test(loop_free, reclaims_handles_requests_and_lookups_linux) {
  free_with_everything_open(NDL_BACKEND_LINUX);
}

Test(loop_free, reclaims_handles_requests_and_lookups_sim) {
  free_with_everything_open(NDL_BACKEND_SIM);
}

/* ---- A pool task that blocks for good: open() of a FIFO nobody opens
 * for writing. Before, ndl_loop_free() joined it forever. */

static void read_done(ndl_loop *loop, const ndl_value *v, void *arg) {
  (void)loop;
  (void)v;
  (void)arg;
}

static void read_fifo(ndl_loop *loop, void *arg) {
  cr_assert_eq(ndl_fs_read(loop, arg, 0, read_done, NULL), 0);
  cr_assert_eq(ndl_set_timeout(loop, 50, stop, NULL, NULL), 0);
}

Test(loop_free, busy_while_a_task_is_blocked_then_frees) {
  char dir[] = "/tmp/ndl-fifo-XXXXXX", path[64];
  ndl_loop *loop = new_loop(NDL_BACKEND_LINUX);
  int fd, err, tries;

  cr_assert_not_null(mkdtemp(dir));
  snprintf(path, sizeof(path), "%s/fifo", dir);
  cr_assert_eq(mkfifo(path, 0600), 0);
  cr_assert_eq(ndl_run(loop, read_fifo, path), 0);
  cr_assert_eq(ndl_loop_free(loop), NDL_EBUSY);
  /* Open the writing end: the worker's open() returns, its read sees the
   * end at once, and the task ends. Then the loop can be freed. */
  fd = open(path, O_WRONLY | O_NONBLOCK);
  cr_assert_geq(fd, 0);
  close(fd);
  for (tries = 0; (err = ndl_loop_free(loop)) == NDL_EBUSY && tries < 10;
       tries++)
    ;
  cr_assert_eq(err, 0);
  unlink(path);
  rmdir(dir);
}

/* ---- Out of memory inside ndl_tcp_connect: a refused port is reported on
 * the loop, and when there is no memory to defer the report, the call
 * fails instead of running the callback inside itself. */

Test(loop_free, connect_never_calls_back_inside_the_call) {
  unsigned n, failed_calls = 0;
#ifndef FIU_ENABLE
  cr_skip_test("this build has no fault points (NDL_FAULTS=OFF)");
#endif
  for (n = 1; n < 40; n++) {
    char spec[32], why[128];
    ndl_loop *loop = new_loop(NDL_BACKEND_SIM);
    ndl_tcp *tcp;
    int err;

    callbacks_run = 0;
    snprintf(spec, sizeof(spec), "core/malloc#%u", n);
    cr_assert_eq(ndl_faults_plan(spec, 1, why, sizeof(why)), 0, "%s", why);
    err = ndl_tcp_connect(loop, "127.0.0.1", 9, must_not_run, NULL, &tcp);
    ndl_faults_clear();
    cr_assert_eq(callbacks_run, 0,
                 "allocation %u: a callback ran inside "
                 "ndl_tcp_connect",
                 n);
    if (err != 0) {
      cr_assert_eq(err, NDL_ENOMEM, "allocation %u: %s", n, ndl_strerror(err));
      failed_calls++;
    } else {
      cr_assert_eq(ndl_run(loop, NULL, NULL), 0);
      cr_assert_eq(callbacks_run, 1, "allocation %u", n);
      ndl_tcp_close(tcp, NULL, NULL);
      cr_assert_eq(ndl_run(loop, NULL, NULL), 0);
    }
    cr_assert_eq(ndl_loop_free(loop), 0);
  }
  cr_assert_gt(failed_calls, 0, "no allocation of the call failed");
}
