/*
 * What only the io_uring backend has: choosing it (ndl_options and
 * NODELOOP_BACKEND), its refusal where the kernel says no, named cause and
 * all, and its poll generations, which keep a completion meant for a closed
 * fd from reaching a new watcher of the same fd number. Everything else
 * runs on io_uring as the same suites as on epoll (tests/CMakeLists.txt:
 * the *_io_uring tests).
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "helpers.h"
#include "nodeloop.h"

/* Skips the test where this kernel refuses io_uring, saying why. */
static void need_uring(void) {
  char why[256];
  if (ndl_io_uring_check(why, sizeof(why)) != 0)
    cr_skip_test("this kernel refuses io_uring: %s", why);
}

static void stop(ndl_loop *loop, const ndl_value *v, void *arg) {
  (void)v;
  (void)arg;
  ndl_stop(loop);
}

static ndl_loop *loop_on(ndl_backend backend) {
  ndl_options opts;
  ndl_loop *loop = NULL;
  ndl_options_init(&opts);
  opts.backend = backend;
  cr_assert_eq(ndl_loop_new(&opts, &loop), 0);
  return loop;
}

/* ---- Choosing the backend. */

/* The backend a default loop lands on with NODELOOP_BACKEND set to value
 * (NULL: unset), or NULL if creating it fails with want_err. */
static void expect_env(const char *value, const char *want_name, int want_err) {
  ndl_loop *loop = NULL;
  int err;
  if (value != NULL)
    setenv("NODELOOP_BACKEND", value, 1);
  else
    unsetenv("NODELOOP_BACKEND");
  err = ndl_loop_new(NULL, &loop);
  cr_assert_eq(err, want_err, "NODELOOP_BACKEND=%s: %s", value,
               ndl_strerror(err));
  if (want_name == NULL) {
    cr_assert_null(loop);
    return;
  }
  cr_assert_str_eq(ndl_backend_name(loop), want_name, "NODELOOP_BACKEND=%s",
                   value);
  cr_assert_eq(ndl_loop_free(loop), 0);
}

Test(uring, environment_names_the_backend) {
  need_uring();
  expect_env(NULL, "linux", 0);
  expect_env("", "linux", 0);
  expect_env("linux", "linux", 0);
  expect_env("io_uring", "io_uring", 0);
  expect_env("auto", "io_uring", 0);
  expect_env("sim", "sim", 0);
  expect_env("epoll", NULL, NDL_EINVAL);
  expect_env("IO_URING", NULL, NDL_EINVAL);
}

/* A backend named in the options wins over the environment. */
Test(uring, options_win_over_the_environment) {
  ndl_loop *loop;
  need_uring();
  setenv("NODELOOP_BACKEND", "io_uring", 1);
  loop = loop_on(NDL_BACKEND_LINUX);
  cr_assert_str_eq(ndl_backend_name(loop), "linux");
  cr_assert_eq(ndl_loop_free(loop), 0);
  setenv("NODELOOP_BACKEND", "linux", 1);
  loop = loop_on(NDL_BACKEND_IO_URING);
  cr_assert_str_eq(ndl_backend_name(loop), "io_uring");
  cr_assert_eq(ndl_loop_free(loop), 0);
}

Test(uring, unknown_backend_is_einval) {
  ndl_options opts;
  ndl_loop *loop = NULL;
  ndl_options_init(&opts);
  opts.backend = (ndl_backend)99;
  cr_assert_eq(ndl_loop_new(&opts, &loop), NDL_EINVAL);
  cr_assert_null(loop);
}

/* ---- A kernel that refuses io_uring, simulated by a seccomp filter that
 * fails io_uring_setup() with err, in a child process (a filter cannot be
 * removed). The child exits with the number of the first check that
 * failed. */

static int refuse_uring(int err) {
  struct sock_filter filter[] = {
      BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
      BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_io_uring_setup, 0, 1),
      BPF_STMT(BPF_RET | BPF_K,
               SECCOMP_RET_ERRNO | ((unsigned)err & SECCOMP_RET_DATA)),
      BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
  };
  struct sock_fprog prog = {sizeof(filter) / sizeof(filter[0]), filter};
  if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0)
    return -1;
  return prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog);
}

static int refused_child(int err, const char *cause) {
  ndl_options opts;
  ndl_loop *loop = NULL;
  char why[256];

  if (refuse_uring(err) != 0)
    return 10;
  if (ndl_io_uring_check(why, sizeof(why)) != NDL_ENOTSUP)
    return 11;
  if (strstr(why, "io_uring_setup() failed") == NULL ||
      strstr(why, strerror(err)) == NULL || strstr(why, cause) == NULL)
    return 12;
  ndl_options_init(&opts);
  opts.backend = NDL_BACKEND_IO_URING;
  if (ndl_loop_new(&opts, &loop) != NDL_ENOTSUP || loop != NULL)
    return 13;
  /* auto is the fallback the user asked for. */
  opts.backend = NDL_BACKEND_AUTO;
  if (ndl_loop_new(&opts, &loop) != 0)
    return 14;
  if (strcmp(ndl_backend_name(loop), "linux") != 0)
    return 15;
  if (ndl_loop_free(loop) != 0)
    return 16;
  return 0;
}

static void expect_refusal(int err, const char *cause) {
  int status;
  pid_t pid;
  need_uring();
  pid = fork();
  cr_assert_geq(pid, 0);
  if (pid == 0) {
    /* The refusal is said on stderr; the test's output needs no copy. */
    if (freopen("/dev/null", "w", stderr) == NULL)
      _exit(9);
    _exit(refused_child(err, cause));
  }
  cr_assert_eq(waitpid(pid, &status, 0), pid);
  cr_assert(WIFEXITED(status), "the child died (status %d)", status);
  cr_assert_eq(WEXITSTATUS(status), 0, "check %d failed in the child",
               WEXITSTATUS(status));
}

Test(uring, refused_by_seccomp_eperm_is_enotsup_with_cause) {
  expect_refusal(EPERM, "seccomp");
}

Test(uring, refused_as_an_old_kernel_is_enotsup_with_cause) {
  expect_refusal(ENOSYS, "a kernel without io_uring");
}

/* ---- Poll generations. */

struct reuse {
  int old_r, old_w, new_r, new_w;
  ndl_id new_watch;
  int new_calls;
};

static void on_new_fd(ndl_loop *loop, const ndl_value *v, void *arg) {
  struct reuse *r = arg;
  (void)loop;
  (void)v;
  r->new_calls++;
}

static void stop_new(ndl_loop *loop, const ndl_value *v, void *arg) {
  struct reuse *r = arg;
  (void)v;
  cr_assert_eq(ndl_io_stop(loop, r->new_watch), 0);
}

/* The old pipe turns readable while its poll is in the ring; the watcher
 * goes and the fd is closed before any wait sees the completion, and a new
 * pipe takes the same fd number. The new watcher must not hear of the old
 * pipe's data. */
static void swap_pipes(ndl_loop *loop, const ndl_value *v, void *arg) {
  struct reuse *r = arg;
  int fds[2];
  (void)v;
  close(r->old_r);
  close(r->old_w);
  cr_assert_eq(pipe2(fds, O_NONBLOCK | O_CLOEXEC), 0);
  r->new_r = fds[0];
  r->new_w = fds[1];
  cr_assert_eq(r->new_r, r->old_r, "the kernel reused another fd number");
  cr_assert_eq(
      ndl_io_start(loop, r->new_r, NDL_READABLE, on_new_fd, r, &r->new_watch),
      0);
  cr_assert_eq(ndl_set_timeout(loop, 30, stop_new, r, NULL), 0);
}

static ndl_id old_watch_id;

static void stop_old_then_swap(ndl_loop *loop, const ndl_value *v, void *arg) {
  struct reuse *r = arg;
  cr_assert_eq(write(r->old_w, "x", 1), 1);
  cr_assert_eq(ndl_io_stop(loop, old_watch_id), 0);
  swap_pipes(loop, v, arg);
}

Test(uring, completion_of_a_closed_fd_skips_its_successor) {
  struct reuse r = {0};
  ndl_loop *loop;
  int fds[2];

  need_uring();
  loop = loop_on(NDL_BACKEND_IO_URING);
  cr_assert_eq(pipe2(fds, O_NONBLOCK | O_CLOEXEC), 0);
  r.old_r = fds[0];
  r.old_w = fds[1];
  cr_assert_eq(
      ndl_io_start(loop, r.old_r, NDL_READABLE, on_never, NULL, &old_watch_id),
      0);
  /* A timer, so that one wait arms the old pipe's poll first. */
  cr_assert_eq(ndl_set_timeout(loop, 5, stop_old_then_swap, &r, NULL), 0);
  run_and_free(loop);
  cr_assert_eq(r.new_calls, 0);
  close(r.new_r);
  close(r.new_w);
}

/* ---- ndl_fs_read() in the ring: no pool thread. */

struct read_trace {
  char start_thread[16];
  int starts;
};

static void on_trace(void *ctx, const ndl_trace_event *ev) {
  struct read_trace *t = ctx;
  if (ev->kind != NDL_TRACE_WORK_START)
    return;
  t->starts++;
  snprintf(t->start_thread, sizeof(t->start_thread), "%s", ev->thread);
}

/* The thread a read with this delay starts on: "main" in the ring, a pool
 * thread for the chapter's delayed read, which the pool sleeps. */
static void read_on(int64_t delay_ms, const char *want_thread) {
  struct read_trace t = {{0}, 0};
  struct fs_result r = {0};
  ndl_options opts;
  ndl_loop *loop;

  ndl_options_init(&opts);
  opts.backend = NDL_BACKEND_IO_URING;
  opts.threadpool_size = 1; /* the delayed read's thread is pool0 */
  opts.trace = on_trace;
  opts.trace_ctx = &t;
  cr_assert_eq(ndl_loop_new(&opts, &loop), 0);
  cr_assert_eq(ndl_fs_read(loop, "/proc/self/status", delay_ms, on_fs, &r), 0);
  run_and_free(loop);
  cr_assert_eq(r.calls, 1);
  cr_assert_eq(r.kind, NDL_STRING);
  cr_assert_neq(strstr(r.text, "Name:"), NULL);
  cr_assert_eq(t.starts, 1);
  cr_assert_str_eq(t.start_thread, want_thread);
}

Test(uring, file_read_needs_no_pool_thread) {
  need_uring();
  read_on(0, "main");
  read_on(5, "pool0");
}

static void read_fifo(ndl_loop *loop, void *arg) {
  cr_assert_eq(ndl_fs_read(loop, arg, 0, on_never, NULL), 0);
  cr_assert_eq(ndl_set_timeout(loop, 20, stop, NULL, NULL), 0);
}

/* A read that blocks for good (a FIFO with a writer that never writes) is
 * cancelled in the ring when the loop is freed: nothing is left that could
 * write into freed memory, no fd stays open, and ndl_loop_free() succeeds
 * (on the pool the same read makes it say NDL_EBUSY: test_loop_free). */
Test(uring, freeing_the_loop_cancels_a_blocked_read) {
  char dir[] = "/tmp/ndl-fifo-XXXXXX", path[64];
  ndl_loop *loop;
  int before, writer;

  need_uring();
  cr_assert_not_null(mkdtemp(dir));
  snprintf(path, sizeof(path), "%s/fifo", dir);
  cr_assert_eq(mkfifo(path, 0600), 0);
  /* Read and write: the FIFO has a writer, so a read waits for data. */
  writer = open(path, O_RDWR | O_CLOEXEC);
  cr_assert_geq(writer, 0);
  before = count_fds();
  loop = loop_on(NDL_BACKEND_IO_URING);
  cr_assert_eq(ndl_run(loop, read_fifo, path), 0);
  cr_assert_eq(ndl_loop_free(loop), 0);
  cr_assert_eq(count_fds(), before);
  close(writer);
  unlink(path);
  rmdir(dir);
}
