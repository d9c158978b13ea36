/*
 * The Linux backend against the real kernel: timers on its clock and epoll,
 * the pool and its thread names, fds, readiness, cross-thread stop and the
 * pool size. (Its fault points: test_linux_faults.c; the chapter's modules on
 * it: test_fs.c, test_crypto.c.)
 *
 * Machines running these are shared and noisy, so time is only ever
 * checked from below ("no timer fires before its delay"), never from above.
 */
#include <criterion/criterion.h>
#include <dirent.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "helpers.h"
#include "nodeloop.h"

/* ---- Timers. */

Test(linux, timers_never_fire_early) {
  static const int64_t delays[] = {0, 1, 2, 5, 10, 17, 50, 100, 3, 1};
  struct timer_probe probes[sizeof(delays) / sizeof(delays[0])];
  ndl_loop *loop = new_loop(2);
  size_t i;

  for (i = 0; i < sizeof(delays) / sizeof(delays[0]); i++) {
    probes[i].delay_ms = delays[i];
    probes[i].fired = 0;
    probes[i].set_ns = mono_ns(); /* read before the loop reads its clock */
    cr_assert_eq(ndl_set_timeout(loop, delays[i], on_probe, &probes[i], NULL),
                 0);
  }
  run_and_free(loop);
  for (i = 0; i < sizeof(delays) / sizeof(delays[0]); i++) {
    /* A delay of 0 is 1 ms, as in Node. */
    uint64_t min = (uint64_t)(delays[i] == 0 ? 1 : delays[i]) * MS;
    cr_assert_eq(probes[i].fired, 1, "timer %zu fired %d times", i,
                 probes[i].fired);
    cr_assert_geq(probes[i].fired_ns - probes[i].set_ns, min,
                  "timer %zu (%lld ms) fired after %llu ns", i,
                  (long long)delays[i],
                  (unsigned long long)(probes[i].fired_ns - probes[i].set_ns));
  }
}

/* The chapter's hang: its epoll thread slept with the timeout computed before
 * main() added the timer, so a lone timer never woke it. */
struct busy_main {
  uint64_t start_ns;
  struct timer_probe probe;
};

static void busy_then_timer(ndl_loop *loop, void *arg) {
  struct busy_main *b = arg;
  b->start_ns = mono_ns();
  while (mono_ns() - b->start_ns < 50 * MS)
    ;
  cr_assert_eq(ndl_set_timeout(loop, 1000, on_probe, &b->probe, NULL), 0);
}

Test(linux, lone_timer_after_busy_main_fires) {
  struct busy_main b;
  ndl_loop *loop = new_loop(1);

  memset(&b, 0, sizeof(b));
  cr_assert_eq(ndl_run(loop, busy_then_timer, &b), 0);
  cr_assert_eq(b.probe.fired, 1);
  cr_assert_geq(b.probe.fired_ns - b.start_ns, 1050 * MS);
  cr_assert_eq(ndl_loop_free(loop), 0);
}

/* Real signals interrupt epoll_wait() with EINTR whatever SA_RESTART says;
 * the wait resumes for the time left, so the timer fires once, not early. */
static void on_sigusr1(int sig) {
  (void)sig;
}

struct pester {
  pthread_t target;
  atomic_int stop;
  int sent;
};

static void *pester_main(void *arg) {
  struct pester *p = arg;
  while (!atomic_load(&p->stop)) {
    pthread_kill(p->target, SIGUSR1);
    p->sent++;
    usleep(2000);
  }
  return NULL;
}

Test(linux, signals_do_not_make_timers_early) {
  struct sigaction sa;
  struct pester p;
  struct timer_probe probe = {0};
  pthread_t t;
  ndl_loop *loop = new_loop(1);

  memset(&sa, 0, sizeof(sa));
  sa.sa_handler = on_sigusr1;
  cr_assert_eq(sigaction(SIGUSR1, &sa, NULL), 0);
  p.target = pthread_self();
  atomic_init(&p.stop, 0);
  p.sent = 0;
  cr_assert_eq(pthread_create(&t, NULL, pester_main, &p), 0);
  probe.set_ns = mono_ns();
  cr_assert_eq(ndl_set_timeout(loop, 80, on_probe, &probe, NULL), 0);
  cr_assert_eq(ndl_run(loop, NULL, NULL), 0);
  atomic_store(&p.stop, 1);
  pthread_join(t, NULL);
  cr_assert_eq(ndl_loop_free(loop), 0);
  cr_assert_gt(p.sent, 0);
  cr_assert_eq(probe.fired, 1);
  cr_assert_geq(probe.fired_ns - probe.set_ns, 80 * MS);
}

/* ---- The pool. */

#define TASKS 1000

struct pool_count {
  atomic_int worked[TASKS];
  int after[TASKS];
  int good_values;
};

struct task_arg {
  struct pool_count *count;
  int index;
};

static void count_work(void *arg, ndl_value *result) {
  struct task_arg *t = arg;
  atomic_fetch_add(&t->count->worked[t->index], 1);
  ndl_value_set_int(result, t->index * 3);
}

static void count_after(ndl_loop *loop, const ndl_value *v, void *arg) {
  struct task_arg *t = arg;
  (void)loop;
  t->count->after[t->index]++;
  if (v->kind == NDL_INT && v->as.i == t->index * 3)
    t->count->good_values++;
}

Test(linux, thousand_tasks_on_four_threads_each_complete_once) {
  static struct pool_count count;
  static struct task_arg args[TASKS];
  ndl_loop *loop = new_loop(4);
  int i;

  cr_assert_eq(ndl_threadpool_size(loop), 4);
  for (i = 0; i < TASKS; i++) {
    atomic_init(&count.worked[i], 0);
    count.after[i] = 0;
    args[i].count = &count;
    args[i].index = i;
    cr_assert_eq(ndl_queue_work(loop, "Count", 0, count_work, count_after,
                                &args[i], NULL),
                 0);
  }
  run_and_free(loop);
  for (i = 0; i < TASKS; i++) {
    cr_assert_eq(atomic_load(&count.worked[i]), 1, "task %d worked %d times", i,
                 atomic_load(&count.worked[i]));
    cr_assert_eq(count.after[i], 1, "task %d completed %d times", i,
                 count.after[i]);
  }
  cr_assert_eq(count.good_values, TASKS);
}

/* Work with a delay holds its thread for that long, and the loop waits for
 * it rather than spinning or finishing early. */
static void noop_work(void *arg, ndl_value *result) {
  (void)arg;
  ndl_value_set_undefined(result);
}

Test(linux, work_delay_is_honoured) {
  struct timer_probe p = {0};
  ndl_loop *loop = new_loop(2);

  p.set_ns = mono_ns();
  cr_assert_eq(ndl_queue_work(loop, "Sleep", 30, noop_work, on_probe, &p, NULL),
               0);
  run_and_free(loop);
  cr_assert_eq(p.fired, 1);
  cr_assert_geq(p.fired_ns - p.set_ns, 30 * MS);
}

/* Freeing a loop with work still queued or in its delay neither hangs nor
 * leaks (valgrind checks the second part). */
Test(linux, free_with_work_in_flight) {
  ndl_loop *loop = new_loop(1);
  int i;
  for (i = 0; i < 5; i++)
    cr_assert_eq(ndl_queue_work(loop, "Sleep", 60 * 60 * 1000, noop_work,
                                on_probe, NULL, NULL),
                 0);
  usleep(20000); /* let the thread take the first task and start its delay */
  cr_assert_eq(ndl_loop_free(loop), 0);
}

/* ---- Thread names. */

struct names {
  char work_thread[32];
  /* A copy: ev->thread points into the pool, which ndl_loop_free() frees
   * before the test compares it. */
  char trace_start[32];
};

static void name_work(void *arg, ndl_value *result) {
  struct names *n = arg;
  pthread_getname_np(pthread_self(), n->work_thread, sizeof(n->work_thread));
  ndl_value_set_undefined(result);
}

static void name_after(ndl_loop *loop, const ndl_value *v, void *arg) {
  (void)loop;
  (void)v;
  (void)arg;
}

static void name_trace(void *ctx, const ndl_trace_event *ev) {
  struct names *n = ctx;
  if (ev->kind == NDL_TRACE_WORK_START)
    snprintf(n->trace_start, sizeof(n->trace_start), "%s", ev->thread);
}

Test(linux, pool_threads_are_named) {
  struct names n;
  ndl_options opts;
  ndl_loop *loop;

  memset(&n, 0, sizeof(n));
  ndl_options_init(&opts);
  opts.threadpool_size = 1;
  opts.trace = name_trace;
  opts.trace_ctx = &n;
  cr_assert_eq(ndl_loop_new(&opts, &loop), 0);
  cr_assert_eq(ndl_queue_work(loop, "Name", 0, name_work, name_after, &n, NULL),
               0);
  run_and_free(loop);
  cr_assert_str_eq(n.work_thread, "pool0");
  cr_assert_str_eq(n.trace_start, "pool0");
}

/* ---- Fds. */

Test(linux, loop_free_closes_every_fd) {
  int before = count_fds();
  ndl_loop *loop = new_loop(4);
  struct fs_result r;

  memset(&r, 0, sizeof(r));
  cr_assert_eq(ndl_fs_read(loop, "/proc/self/status", 0, on_fs, &r), 0);
  cr_assert_eq(ndl_run(loop, NULL, NULL), 0);
  cr_assert_eq(ndl_loop_free(loop), 0);
  cr_assert_eq(count_fds(), before);
}

Test(linux, fds_are_cloexec) {
  ndl_loop *loop = new_loop(1);
  DIR *d = opendir("/proc/self/fd");
  struct dirent *e;
  int checked = 0;

  cr_assert_not_null(d);
  while ((e = readdir(d)) != NULL) {
    char link[256], target[256];
    ssize_t n;
    int fd = atoi(e->d_name);
    if (e->d_name[0] == '.' || fd == dirfd(d))
      continue;
    snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
    n = readlink(link, target, sizeof(target) - 1);
    if (n < 0)
      continue;
    target[n] = '\0';
    if (strstr(target, "eventpoll") == NULL &&
        strstr(target, "eventfd") == NULL)
      continue;
    cr_assert(fcntl(fd, F_GETFD) & FD_CLOEXEC, "fd %d (%s) lacks CLOEXEC", fd,
              target);
    checked++;
  }
  closedir(d);
  cr_assert_geq(checked, 2);
  cr_assert_eq(ndl_loop_free(loop), 0);
}

/* ---- I/O readiness and stop. */

static void *stop_later(void *arg) {
  usleep(50000);
  cr_assert_eq(ndl_stop(arg), 0);
  return NULL;
}

Test(linux, stop_from_another_thread_wakes_an_infinite_wait) {
  ndl_loop *loop = new_loop(1);
  pthread_t t;
  ndl_id id;
  int fds[2];
  uint64_t start;

  cr_assert_eq(pipe2(fds, O_NONBLOCK | O_CLOEXEC), 0);
  cr_assert_eq(ndl_io_start(loop, fds[0], NDL_READABLE, on_never, NULL, &id),
               0);
  start = mono_ns();
  cr_assert_eq(pthread_create(&t, NULL, stop_later, loop), 0);
  cr_assert_eq(ndl_run(loop, NULL, NULL), 0);
  cr_assert_geq(mono_ns() - start, 50 * MS);
  pthread_join(t, NULL);
  cr_assert_eq(ndl_io_stop(loop, id), 0);
  cr_assert_eq(ndl_loop_free(loop), 0);
  close(fds[0]);
  close(fds[1]);
}

struct io_seen {
  unsigned events;
  int calls;
  ndl_id id;
};

static void on_io_once(ndl_loop *loop, const ndl_value *v, void *arg) {
  struct io_seen *s = arg;
  s->calls++;
  s->events = v->kind == NDL_INT ? (unsigned)v->as.i : 0;
  cr_assert_eq(ndl_io_stop(loop, s->id), 0);
}

Test(linux, readable_pipe_fires) {
  ndl_loop *loop = new_loop(1);
  struct io_seen s = {0};
  int fds[2];

  cr_assert_eq(pipe2(fds, O_NONBLOCK | O_CLOEXEC), 0);
  cr_assert_eq(write(fds[1], "x", 1), 1);
  cr_assert_eq(ndl_io_start(loop, fds[0], NDL_READABLE, on_io_once, &s, &s.id),
               0);
  cr_assert_eq(ndl_io_start(loop, fds[0], NDL_READABLE, on_io_once, &s, NULL),
               NDL_EEXIST);
  run_and_free(loop);
  cr_assert_eq(s.calls, 1);
  cr_assert_eq(s.events, NDL_READABLE);
  close(fds[0]);
  close(fds[1]);
}

/* A closed peer is reported as readable plus hangup, so read() sees EOF. */
Test(linux, hangup_is_readable) {
  ndl_loop *loop = new_loop(1);
  struct io_seen s = {0};
  int fds[2];

  cr_assert_eq(pipe2(fds, O_NONBLOCK | O_CLOEXEC), 0);
  close(fds[1]);
  cr_assert_eq(ndl_io_start(loop, fds[0], NDL_READABLE, on_io_once, &s, &s.id),
               0);
  run_and_free(loop);
  cr_assert_eq(s.calls, 1);
  cr_assert(s.events & NDL_READABLE);
  cr_assert(s.events & NDL_HANGUP);
  close(fds[0]);
}

/* A pipe whose reader is gone is an error for a writer: writable too. */
Test(linux, error_is_writable) {
  ndl_loop *loop = new_loop(1);
  struct io_seen s = {0};
  int fds[2];

  cr_assert_eq(pipe2(fds, O_NONBLOCK | O_CLOEXEC), 0);
  close(fds[0]);
  cr_assert_eq(ndl_io_start(loop, fds[1], NDL_WRITABLE, on_io_once, &s, &s.id),
               0);
  run_and_free(loop);
  cr_assert_eq(s.calls, 1);
  cr_assert(s.events & NDL_WRITABLE);
  cr_assert(s.events & NDL_HANGUP);
  cr_assert_eq(s.events & NDL_READABLE, 0);
  close(fds[1]);
}

/* ---- Pool size. */

static int loop_with_env(const char *value, ndl_loop **loop) {
  ndl_options opts;
  ndl_options_init(&opts);
  cr_assert_eq(setenv("NODELOOP_THREADPOOL_SIZE", value, 1), 0);
  return ndl_loop_new(&opts, loop);
}

Test(linux, threadpool_size_from_environment) {
  static const char *bad[] = {"0", "1025", "abc", "-1", "2x"};
  ndl_loop *loop = NULL;
  size_t i;

  for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
    cr_assert_eq(loop_with_env(bad[i], &loop), NDL_EINVAL, "value '%s'",
                 bad[i]);
    cr_assert_null(loop);
  }
  cr_assert_eq(loop_with_env("2", &loop), 0);
  cr_assert_eq(ndl_threadpool_size(loop), 2);
  cr_assert_eq(ndl_loop_free(loop), 0);
  cr_assert_eq(unsetenv("NODELOOP_THREADPOOL_SIZE"), 0);
  loop = new_loop(0);
  cr_assert_eq(ndl_threadpool_size(loop), 4);
  cr_assert_eq(ndl_loop_free(loop), 0);
}

/* Node's variable, read as libuv reads it; NODELOOP_THREADPOOL_SIZE wins
 * when both are set. On the sim backend, which reads the same variables
 * and starts no thread, so that 1024 costs nothing (valgrind allows 500
 * threads). */
static unsigned sim_pool_size_with_env(const char *nodeloop, const char *uv) {
  ndl_options opts;
  ndl_loop *loop = NULL;
  unsigned size;

  cr_assert_eq(nodeloop != NULL
                   ? setenv("NODELOOP_THREADPOOL_SIZE", nodeloop, 1)
                   : unsetenv("NODELOOP_THREADPOOL_SIZE"),
               0);
  cr_assert_eq(setenv("UV_THREADPOOL_SIZE", uv, 1), 0);
  ndl_options_init(&opts);
  opts.backend = NDL_BACKEND_SIM;
  cr_assert_eq(ndl_loop_new(&opts, &loop), 0);
  size = ndl_threadpool_size(loop);
  cr_assert_eq(ndl_loop_free(loop), 0);
  cr_assert_eq(unsetenv("NODELOOP_THREADPOOL_SIZE"), 0);
  cr_assert_eq(unsetenv("UV_THREADPOOL_SIZE"), 0);
  return size;
}

Test(linux, threadpool_size_from_uv_threadpool_size) {
  static const struct {
    const char *value;
    unsigned size;
  } cases[] = {{"8", 8},       {"1", 1},     {"0", 1},
               {"abc", 1},     {"2x", 2},    {" 3", 3},
               {"2000", 1024}, {"-1", 1024}, {"1024", 1024}};
  size_t i;

  for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
    cr_assert_eq(sim_pool_size_with_env(NULL, cases[i].value), cases[i].size,
                 "UV_THREADPOOL_SIZE='%s'", cases[i].value);
  cr_assert_eq(sim_pool_size_with_env("3", "8"), 3);
}

/* ---- The task's kind is copied (B7): a caller may pass a string that is
 * gone before a pool thread names the task in the trace. */

struct kind_seen {
  char text[64];
};

static void kind_trace(void *ctx, const ndl_trace_event *ev) {
  struct kind_seen *k = ctx;
  if (ev->kind == NDL_TRACE_WORK_START && ev->text != NULL)
    snprintf(k->text, sizeof(k->text), "%s", ev->text);
}

static void slow_work(void *arg, ndl_value *result) {
  (void)arg;
  (void)result;
}

static void kind_after(ndl_loop *loop, const ndl_value *v, void *arg) {
  (void)loop;
  (void)v;
  (void)arg;
}

Test(linux, task_kind_is_copied) {
  struct kind_seen seen = {{0}};
  ndl_options opts;
  ndl_loop *loop;
  char kind[32];

  ndl_options_init(&opts);
  opts.threadpool_size = 1;
  opts.trace = kind_trace;
  opts.trace_ctx = &seen;
  cr_assert_eq(ndl_loop_new(&opts, &loop), 0);
  snprintf(kind, sizeof(kind), "Caller's kind");
  /* A delay, so that the task starts after the buffer is overwritten. */
  cr_assert_eq(
      ndl_queue_work(loop, kind, 20, slow_work, kind_after, NULL, NULL), 0);
  memset(kind, 'x', sizeof(kind) - 1);
  cr_assert_eq(ndl_run(loop, NULL, NULL), 0);
  cr_assert_str_eq(seen.text, "Caller's kind");
  cr_assert_eq(ndl_loop_free(loop), 0);
}

/* ---- ndl_io_start's errors are in NDL_ERRNO_MAP (B9): epoll refuses a
 * regular file (EPERM) and a closed fd (EBADF). */

static void never(ndl_loop *loop, const ndl_value *v, void *arg) {
  (void)loop;
  (void)v;
  (void)arg;
}

Test(linux, io_start_errors_have_names) {
  ndl_loop *loop = new_loop(1);
  int file = open("/proc/self/status", O_RDONLY | O_CLOEXEC), closed;
  cr_assert_geq(file, 0);
  cr_assert_eq(ndl_io_start(loop, file, NDL_READABLE, never, NULL, NULL),
               NDL_EPERM);
  cr_assert_str_eq(ndl_err_name(NDL_EPERM), "EPERM");
  close(file);
  closed = dup(0);
  cr_assert_geq(closed, 0);
  close(closed);
  cr_assert_eq(ndl_io_start(loop, closed, NDL_READABLE, never, NULL, NULL),
               NDL_EBADF);
  cr_assert_str_eq(ndl_err_name(NDL_EBADF), "EBADF");
  cr_assert_str_neq(ndl_strerror(NDL_EBADF), ndl_strerror(-99999));
  cr_assert_eq(ndl_loop_free(loop), 0);
}
