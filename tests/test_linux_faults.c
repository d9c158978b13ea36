/*
 * The Linux backend's fault points, driven through libfiu's own control API
 * (fiu_enable): threads that fail to start, epoll and eventfd errors, a
 * failing clock, read errors. Only in builds with FIU_ENABLE; elsewhere this
 * program has no tests. (Faults set by a plan: test_fault_plans.c,
 * test_alloc_faults.c, test_syscall_faults.c.)
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "faults/fault_points.h"
#include "helpers.h"
#include "nodeloop.h"

#ifdef FIU_ENABLE
#include <fiu-control.h>
#include <fiu.h>

static void fiu_setup(void) {
  cr_assert_eq(fiu_init(0), 0);
}

TestSuite(linux_faults, .init = fiu_setup);

/* Fails every call after the first two. */
static atomic_int create_calls;
static int fail_after_two(const char *name, int *failnum, void **failinfo,
                          unsigned *flags) {
  (void)name;
  (void)failnum;
  (void)failinfo;
  (void)flags;
  return atomic_fetch_add(&create_calls, 1) >= 2;
}

struct notes {
  int count;
  char last[256];
};

static void note_trace(void *ctx, const ndl_trace_event *ev) {
  struct notes *n = ctx;
  if (ev->kind == NDL_TRACE_NOTE) {
    n->count++;
    snprintf(n->last, sizeof(n->last), "%s", ev->text);
  }
}

Test(linux_faults, some_threads_fail_to_start) {
  struct notes notes = {0};
  /* Not a compound literal inside cr_assert_eq(): that one's lifetime ends
   * with the macro's block, before run_and_free() runs the callback
   * (ASan: stack-use-after-scope). */
  struct fib_case fib = {0, 0, 0, 0, 0};
  ndl_options opts;
  ndl_loop *loop;

  ndl_options_init(&opts);
  opts.threadpool_size = 4;
  opts.trace = note_trace;
  opts.trace_ctx = &notes;
  cr_assert_eq(fiu_enable_external(NDL_FP(LINUX_PTHREAD_CREATE), 1, NULL, 0,
                                   fail_after_two),
               0);
  cr_assert_eq(ndl_loop_new(&opts, &loop), 0);
  fiu_disable(NDL_FP(LINUX_PTHREAD_CREATE));
  cr_assert_eq(ndl_threadpool_size(loop), 2);
  cr_assert_eq(notes.count, 1);
  cr_assert(strstr(notes.last, "2 of 4") != NULL, "note: %s", notes.last);
  cr_assert_eq(ndl_crypto_encrypt(loop, 10, on_fib, &fib), 0);
  run_and_free(loop);
  cr_assert_eq(fib.calls, 1);
  cr_assert_eq(fib.got, 55);
}

Test(linux_faults, no_thread_starts) {
  int before = count_fds();
  ndl_loop *loop = (ndl_loop *)1;
  cr_assert_eq(fiu_enable(NDL_FP(LINUX_PTHREAD_CREATE), 1, NULL, 0), 0);
  cr_assert_eq(ndl_loop_new(NULL, &loop), NDL_NOTHREADS);
  cr_assert_null(loop);
  fiu_disable(NDL_FP(LINUX_PTHREAD_CREATE));
  cr_assert_eq(count_fds(), before);
}

Test(linux_faults, every_worker_dies_at_start) {
  int before = count_fds();
  ndl_loop *loop = NULL;
  cr_assert_eq(fiu_enable(NDL_FP(LINUX_WORKER_START), 1, NULL, 0), 0);
  cr_assert_eq(ndl_loop_new(NULL, &loop), NDL_NOTHREADS);
  fiu_disable(NDL_FP(LINUX_WORKER_START));
  cr_assert_eq(count_fds(), before);
}

Test(linux_faults, one_worker_dies_at_start) {
  ndl_loop *loop = NULL;
  struct fib_case c = {0};
  cr_assert_eq(fiu_enable(NDL_FP(LINUX_WORKER_START), 1, NULL, FIU_ONETIME), 0);
  cr_assert_eq(ndl_loop_new(NULL, &loop), 0);
  fiu_disable(NDL_FP(LINUX_WORKER_START));
  cr_assert_eq(ndl_threadpool_size(loop), 3);
  cr_assert_eq(ndl_crypto_encrypt(loop, 20, on_fib, &c), 0);
  run_and_free(loop);
  cr_assert_eq(c.got, 6765);
}

/* The point that plays epoll_point's part on the backend under test:
 * these tests run on io_uring too (NODELOOP_BACKEND=io_uring). */
static const char *on_backend(const char *epoll_point,
                              const char *uring_point) {
  return strcmp(real_backend(), "io_uring") == 0 ? uring_point : epoll_point;
}

Test(linux_faults, creation_failures_leak_no_fd) {
  const char *points[] = {
      on_backend(NDL_FP(LINUX_EPOLL_CREATE), NDL_FP(URING_SETUP)),
      NDL_FP(LINUX_EVENTFD),
      on_backend(NDL_FP(LINUX_EPOLL_CTL), NDL_FP(URING_SETUP))};
  size_t i;
  for (i = 0; i < sizeof(points) / sizeof(points[0]); i++) {
    int before = count_fds();
    ndl_loop *loop = NULL;
    int err;
    cr_assert_eq(fiu_enable(points[i], 1, NULL, 0), 0);
    err = ndl_loop_new(NULL, &loop);
    fiu_disable(points[i]);
    cr_assert_lt(err, 0, "%s", points[i]);
    cr_assert_null(loop);
    cr_assert_eq(count_fds(), before, "%s", points[i]);
  }
}

Test(linux_faults, epoll_ctl_error_reaches_io_start) {
  ndl_loop *loop = new_loop(1);
  int fds[2];
  cr_assert_eq(pipe2(fds, O_NONBLOCK | O_CLOEXEC), 0);
  const char *point = on_backend(NDL_FP(LINUX_EPOLL_CTL), NDL_FP(URING_WATCH));
  cr_assert_eq(pipe2(fds, O_NONBLOCK | O_CLOEXEC), 0);
  cr_assert_eq(fiu_enable(point, 1, (void *)(intptr_t)ENOSPC, 0), 0);
  cr_assert_eq(ndl_io_start(loop, fds[0], NDL_READABLE, on_never, NULL, NULL),
               NDL_ENOSPC);
  fiu_disable(point);
  run_and_free(loop); /* nothing registered: returns at once */
  close(fds[0]);
  close(fds[1]);
}

/* Signals during the wait: the timer still fires, and not early. */
Test(linux_faults, eintr_in_epoll_wait_keeps_timers_on_time) {
  struct timer_probe p = {0};
  ndl_loop *loop = new_loop(1);
  const char *point = on_backend(NDL_FP(LINUX_EPOLL_WAIT), NDL_FP(URING_ENTER));
  cr_assert_eq(fiu_enable_random(point, 1, NULL, 0, 0.5), 0);
  p.set_ns = mono_ns();
  cr_assert_eq(ndl_set_timeout(loop, 30, on_probe, &p, NULL), 0);
  run_and_free(loop);
  fiu_disable(point);
  cr_assert_eq(p.fired, 1);
  cr_assert_geq(p.fired_ns - p.set_ns, 30 * MS);
}

Test(linux_faults, fatal_epoll_wait_error_ends_run) {
  struct timer_probe p = {0}; /* outlives cr_assert_eq()'s block */
  ndl_loop *loop = new_loop(1);
  /* Far enough away that the first wait blocks (and so calls epoll_wait)
   * however slowly the test runs, under valgrind on a busy machine. */
  const char *point = on_backend(NDL_FP(LINUX_EPOLL_WAIT), NDL_FP(URING_ENTER));
  cr_assert_eq(ndl_set_timeout(loop, 60000, on_probe, &p, NULL), 0);
  cr_assert_eq(fiu_enable(point, 1, (void *)(intptr_t)EBADF, 0), 0);
  cr_assert_eq(ndl_run(loop, NULL, NULL), -EBADF);
  fiu_disable(point);
  cr_assert_eq(ndl_loop_free(loop), 0);
}

/* A lost eventfd write must not strand a finished task. */
Test(linux_faults, eventfd_write_failure_does_not_strand_work) {
  struct fib_case c = {0};
  ndl_loop *loop = new_loop(1);
  cr_assert_eq(fiu_enable(NDL_FP(LINUX_EVENTFD_WRITE), 1, NULL, FIU_ONETIME),
               0);
  cr_assert_eq(ndl_crypto_encrypt(loop, 15, on_fib, &c), 0);
  run_and_free(loop);
  fiu_disable(NDL_FP(LINUX_EVENTFD_WRITE));
  cr_assert_eq(c.calls, 1);
  cr_assert_eq(c.got, 610);
}

Test(linux_faults, eventfd_read_eagain_is_harmless) {
  struct fib_case c = {0};
  ndl_loop *loop = new_loop(1);
  cr_assert_eq(fiu_enable(NDL_FP(LINUX_EVENTFD_READ), 1, NULL, FIU_ONETIME), 0);
  cr_assert_eq(ndl_crypto_encrypt(loop, 15, on_fib, &c), 0);
  run_and_free(loop);
  fiu_disable(NDL_FP(LINUX_EVENTFD_READ));
  cr_assert_eq(c.got, 610);
}

/* A failing clock holds time still; it never runs backwards. */
Test(linux_faults, failing_clock_never_goes_backwards) {
  ndl_loop *loop = new_loop(1);
  uint64_t a = ndl_now_ns(loop), b, c;
  cr_assert_eq(fiu_enable(NDL_FP(LINUX_CLOCK), 1, NULL, 0), 0);
  b = ndl_now_ns(loop);
  fiu_disable(NDL_FP(LINUX_CLOCK));
  c = ndl_now_ns(loop);
  cr_assert_geq(b, a);
  cr_assert_geq(c, b);
  cr_assert_eq(ndl_loop_free(loop), 0);
}

Test(linux_faults, read_eintr_is_retried) {
  struct fs_result r;
  ndl_loop *loop = new_loop(1);
  memset(&r, 0, sizeof(r));
  cr_assert_eq(fiu_enable(NDL_FP(FS_READ), 1, NULL, FIU_ONETIME), 0);
  cr_assert_eq(ndl_fs_read(loop, "/proc/self/status", 0, on_fs, &r), 0);
  run_and_free(loop);
  fiu_disable(NDL_FP(FS_READ));
  cr_assert_eq(r.kind, NDL_STRING);
  cr_assert_gt(r.len, 0);
}

Test(linux_faults, read_error_reaches_callback) {
  struct fs_result r;
  ndl_loop *loop = new_loop(1);
  memset(&r, 0, sizeof(r));
  cr_assert_eq(fiu_enable(NDL_FP(FS_READ), 1, (void *)(intptr_t)EIO, 0), 0);
  cr_assert_eq(ndl_fs_read(loop, "/proc/self/status", 0, on_fs, &r), 0);
  run_and_free(loop);
  fiu_disable(NDL_FP(FS_READ));
  cr_assert_eq(r.kind, NDL_ERROR);
  cr_assert_eq(r.code, -EIO);
  cr_assert(strncmp(r.text, "EIO: ", 5) == 0, "got %s", r.text);
}

#endif /* FIU_ENABLE */
