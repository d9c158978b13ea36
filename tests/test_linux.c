/*
 * The Linux backend against the real kernel: timers, the pool, the seed's
 * modules, fds, cross-thread stop, the pool size and the fault points.
 *
 * Machines running these are shared and noisy, so time is only ever
 * checked from below ("no timer fires before its delay"), never from above.
 */
#include <criterion/criterion.h>
#include <dirent.h>
#include <fcntl.h>
#include <grp.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "faults/fault_points.h"
#include "nodeloop.h"

#ifdef FIU_ENABLE
#include <fiu-control.h>
#include <fiu.h>
#endif

#define MS 1000000ull

static uint64_t mono_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static ndl_loop *new_loop(unsigned threads) {
  ndl_options opts;
  ndl_loop *loop = NULL;
  int err;

  ndl_options_init(&opts);
  opts.threadpool_size = threads;
  err = ndl_loop_new(&opts, &loop);
  cr_assert_eq(err, 0, "ndl_loop_new: %s", ndl_strerror(err));
  cr_assert_str_eq(ndl_backend_name(loop), "linux");
  return loop;
}

static void run_and_free(ndl_loop *loop) {
  ndl_stats st;
  int err = ndl_run(loop, NULL, NULL);
  cr_assert_eq(err, 0, "ndl_run: %s", ndl_strerror(err));
  ndl_get_stats(loop, &st);
  cr_assert_eq(st.lost, 0);
  cr_assert_eq(st.duplicated, 0);
  cr_assert_eq(ndl_loop_free(loop), 0);
}

/* ---- Timers. */

struct timer_probe {
  uint64_t set_ns;
  int64_t delay_ms;
  uint64_t fired_ns;
  int fired;
};

static void on_probe(ndl_loop *loop, const ndl_value *v, void *arg) {
  struct timer_probe *t = arg;
  (void)loop;
  (void)v;
  t->fired_ns = mono_ns();
  t->fired++;
}

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

/* The seed's hang: its epoll thread slept with the timeout computed before
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

/* ---- The seed's modules. */

struct fs_result {
  int calls;
  ndl_value_kind kind;
  int code;
  char text[512];
  size_t len;
};

static void on_fs(ndl_loop *loop, const ndl_value *v, void *arg) {
  struct fs_result *r = arg;
  (void)loop;
  r->calls++;
  r->kind = v->kind;
  if (v->kind == NDL_STRING) {
    r->len = v->as.str.len;
    snprintf(r->text, sizeof(r->text), "%s", v->as.str.ptr);
  } else if (v->kind == NDL_ERROR) {
    r->code = v->as.err.code;
    snprintf(r->text, sizeof(r->text), "%s",
             v->as.err.msg != NULL ? v->as.err.msg : "");
  }
}

static struct fs_result read_file(const char *path) {
  struct fs_result r;
  ndl_loop *loop = new_loop(2);
  memset(&r, 0, sizeof(r));
  cr_assert_eq(ndl_fs_read(loop, path, 0, on_fs, &r), 0);
  run_and_free(loop);
  cr_assert_eq(r.calls, 1);
  return r;
}

static char tmpdir[64];

static void make_tmpdir(void) {
  snprintf(tmpdir, sizeof(tmpdir), "/tmp/ndl_linux_XXXXXX");
  cr_assert_not_null(mkdtemp(tmpdir));
}

static void remove_tmpdir(void) {
  char cmd[128];
  snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
  (void)system(cmd);
}

static void write_file(const char *path, const char *data, size_t len,
                       mode_t mode) {
  int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  cr_assert_geq(fd, 0);
  cr_assert_eq(write(fd, data, len), (ssize_t)len);
  cr_assert_eq(fchmod(fd, mode), 0);
  close(fd);
}

TestSuite(fs, .init = make_tmpdir, .fini = remove_tmpdir);

Test(fs, reads_a_file) {
  char path[128];
  struct fs_result r;
  snprintf(path, sizeof(path), "%s/test.txt", tmpdir);
  write_file(path, "Hello world!\n", 13, 0600);
  r = read_file(path);
  cr_assert_eq(r.kind, NDL_STRING);
  cr_assert_eq(r.len, 13);
  cr_assert_str_eq(r.text, "Hello world!\n");
}

Test(fs, reads_an_empty_file) {
  char path[128];
  struct fs_result r;
  snprintf(path, sizeof(path), "%s/empty", tmpdir);
  write_file(path, "", 0, 0600);
  r = read_file(path);
  cr_assert_eq(r.kind, NDL_STRING);
  cr_assert_eq(r.len, 0);
}

/* /proc files report st_size 0, so only reading to EOF gets their text. */
Test(fs, reads_a_proc_file_to_eof) {
  struct fs_result r = read_file("/proc/self/status");
  cr_assert_eq(r.kind, NDL_STRING);
  cr_assert_gt(r.len, 0);
  cr_assert(strncmp(r.text, "Name:", 5) == 0, "got %.40s", r.text);
}

/* Larger than the first buffer, so the buffer grows; binary-safe. */
static char big_seen_ok;
static void on_big(ndl_loop *loop, const ndl_value *v, void *arg) {
  size_t i, n = *(size_t *)arg;
  (void)loop;
  big_seen_ok =
      v->kind == NDL_STRING && v->as.str.len == n && v->as.str.ptr[n] == '\0';
  for (i = 0; big_seen_ok && i < n; i++)
    big_seen_ok = v->as.str.ptr[i] == (char)(i * 7);
}

Test(fs, reads_a_large_binary_file) {
  static char data[300000];
  char path[128];
  size_t i, n = sizeof(data);
  ndl_loop *loop;

  for (i = 0; i < n; i++)
    data[i] = (char)(i * 7);
  snprintf(path, sizeof(path), "%s/big", tmpdir);
  write_file(path, data, n, 0600);
  loop = new_loop(1);
  cr_assert_eq(ndl_fs_read(loop, path, 0, on_big, &n), 0);
  run_and_free(loop);
  cr_assert(big_seen_ok);
}

Test(fs, missing_file_is_enoent) {
  char path[128], want[256];
  struct fs_result r;
  snprintf(path, sizeof(path), "%s/missing.txt", tmpdir);
  r = read_file(path);
  cr_assert_eq(r.kind, NDL_ERROR);
  cr_assert_eq(r.code, NDL_ENOENT);
  snprintf(want, sizeof(want), "ENOENT: no such file or directory, open '%s'",
           path);
  cr_assert_str_eq(r.text, want);
}

Test(fs, directory_is_eisdir) {
  struct fs_result r = read_file(tmpdir);
  cr_assert_eq(r.kind, NDL_ERROR);
  cr_assert_eq(r.code, NDL_EISDIR);
  cr_assert(strncmp(r.text, "EISDIR: ", 8) == 0, "got %s", r.text);
  cr_assert(strstr(r.text, tmpdir) != NULL, "got %s", r.text);
}

/* Reads path in a child that runs as nobody, because root bypasses file
 * permissions. The child reports through a pipe, not through Criterion. Exit
 * status 77 means the child could not drop privileges. */
static int read_as_nobody(const char *path, struct fs_result *r) {
  int fds[2], status;
  pid_t pid;

  cr_assert_eq(pipe2(fds, O_CLOEXEC), 0);
  pid = fork();
  cr_assert_geq(pid, 0);
  if (pid == 0) {
    ndl_loop *loop;
    struct fs_result got;
    memset(&got, 0, sizeof(got));
    if (setgroups(0, NULL) != 0 || setgid(65534) != 0 || setuid(65534) != 0)
      _exit(77);
    if (ndl_loop_new(NULL, &loop) != 0 ||
        ndl_fs_read(loop, path, 0, on_fs, &got) != 0 ||
        ndl_run(loop, NULL, NULL) != 0 || ndl_loop_free(loop) != 0)
      _exit(1);
    _exit(write(fds[1], &got, sizeof(got)) == (ssize_t)sizeof(got) ? 0 : 1);
  }
  close(fds[1]);
  memset(r, 0, sizeof(*r));
  cr_assert_eq(waitpid(pid, &status, 0), pid);
  if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
    cr_assert_eq(read(fds[0], r, sizeof(*r)), (ssize_t)sizeof(*r));
  close(fds[0]);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

Test(fs, unreadable_file_is_eacces) {
  char path[128], want[256];
  struct fs_result r;

  snprintf(path, sizeof(path), "%s/secret", tmpdir);
  write_file(path, "x", 1, 0000);
  if (geteuid() == 0) {
    int rc;
    /* nobody must reach the file, so that only the file's mode refuses. */
    cr_assert_eq(chmod(tmpdir, 0755), 0);
    rc = read_as_nobody(path, &r);
    if (rc == 77)
      cr_skip("running as root and cannot switch to uid 65534, and root "
              "bypasses file permissions");
    cr_assert_eq(rc, 0, "child failed: %d", rc);
  } else {
    r = read_file(path);
  }
  cr_assert_eq(r.calls, 1);
  cr_assert_eq(r.kind, NDL_ERROR);
  cr_assert_eq(r.code, NDL_EACCES);
  snprintf(want, sizeof(want), "EACCES: permission denied, open '%s'", path);
  cr_assert_str_eq(r.text, want);
}

/* An errno outside NDL_ERRNO_MAP still gets a name and a message. */
Test(fs, path_through_a_file_is_enotdir) {
  char file[128], path[160];
  struct fs_result r;
  snprintf(file, sizeof(file), "%s/plain", tmpdir);
  write_file(file, "x", 1, 0600);
  snprintf(path, sizeof(path), "%s/below", file);
  r = read_file(path);
  cr_assert_eq(r.kind, NDL_ERROR);
  cr_assert_eq(r.code, -ENOTDIR);
  cr_assert(strncmp(r.text, "ENOTDIR: ", 9) == 0, "got %s", r.text);
}

/* The path is copied: the caller's buffer may change right after the call. */
Test(fs, path_is_copied_at_call_time) {
  char path[128];
  struct fs_result r;
  ndl_loop *loop = new_loop(1);

  snprintf(path, sizeof(path), "%s/copied", tmpdir);
  write_file(path, "copy", 4, 0600);
  memset(&r, 0, sizeof(r));
  cr_assert_eq(ndl_fs_read(loop, path, 5, on_fs, &r), 0);
  memset(path, 'z', sizeof(path) - 1);
  run_and_free(loop);
  cr_assert_eq(r.kind, NDL_STRING);
  cr_assert_str_eq(r.text, "copy");
}

Test(fs, bad_arguments) {
  ndl_loop *loop = new_loop(1);
  struct fs_result r;
  cr_assert_eq(ndl_fs_read(NULL, "/x", 0, on_fs, &r), NDL_EINVAL);
  cr_assert_eq(ndl_fs_read(loop, NULL, 0, on_fs, &r), NDL_EINVAL);
  cr_assert_eq(ndl_fs_read(loop, "/x", 0, NULL, &r), NDL_EINVAL);
  cr_assert_eq(ndl_fs_read(loop, "/x", -1, on_fs, &r), NDL_EINVAL);
  cr_assert_eq(ndl_loop_free(loop), 0);
}

struct fib_case {
  int64_t n, want, got;
  int calls;
  ndl_value_kind kind;
};

static void on_fib(ndl_loop *loop, const ndl_value *v, void *arg) {
  struct fib_case *c = arg;
  (void)loop;
  c->calls++;
  c->kind = v->kind;
  c->got = v->kind == NDL_INT ? v->as.i : -1;
}

Test(crypto, fibonacci_values) {
  struct fib_case cases[] = {{0, 0, 0, 0, 0},     {1, 1, 0, 0, 0},
                             {2, 1, 0, 0, 0},     {10, 55, 0, 0, 0},
                             {20, 6765, 0, 0, 0}, {30, 832040, 0, 0, 0}};
  size_t i, n = sizeof(cases) / sizeof(cases[0]);
  ndl_loop *loop = new_loop(4);

  for (i = 0; i < n; i++)
    cr_assert_eq(ndl_crypto_encrypt(loop, cases[i].n, on_fib, &cases[i]), 0);
  run_and_free(loop);
  for (i = 0; i < n; i++) {
    cr_assert_eq(cases[i].calls, 1);
    cr_assert_eq(cases[i].kind, NDL_INT);
    cr_assert_eq(cases[i].got, cases[i].want, "fib(%lld) = %lld",
                 (long long)cases[i].n, (long long)cases[i].got);
  }
}

Test(crypto, out_of_range_is_einval) {
  ndl_loop *loop = new_loop(1);
  struct fib_case c;
  cr_assert_eq(ndl_crypto_encrypt(loop, -1, on_fib, &c), NDL_EINVAL);
  cr_assert_eq(ndl_crypto_encrypt(loop, 46, on_fib, &c), NDL_EINVAL);
  cr_assert_eq(ndl_crypto_encrypt(loop, 50, on_fib, &c), NDL_EINVAL);
  cr_assert_eq(ndl_crypto_encrypt(loop, INT64_MAX, on_fib, &c), NDL_EINVAL);
  cr_assert_eq(ndl_crypto_encrypt(loop, 10, NULL, &c), NDL_EINVAL);
  cr_assert_eq(ndl_crypto_encrypt(NULL, 10, on_fib, &c), NDL_EINVAL);
  cr_assert_eq(ndl_loop_free(loop), 0);
}

/* ---- Fds. */

static int count_fds(void) {
  DIR *d = opendir("/proc/self/fd");
  struct dirent *e;
  int n = 0;
  cr_assert_not_null(d);
  while ((e = readdir(d)) != NULL)
    if (e->d_name[0] != '.')
      n++;
  closedir(d);
  return n; /* includes the fd of d itself, the same both times */
}

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

static void on_never(ndl_loop *loop, const ndl_value *v, void *arg) {
  (void)loop;
  (void)v;
  (void)arg;
  cr_assert_fail("a pipe nobody writes became ready");
}

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

/* ---- Fault points: only in builds with FIU_ENABLE. */

#ifdef FIU_ENABLE

static void fiu_setup(void) {
  cr_assert_eq(fiu_init(0), 0);
}

TestSuite(faults, .init = fiu_setup);

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

Test(faults, some_threads_fail_to_start) {
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

Test(faults, no_thread_starts) {
  int before = count_fds();
  ndl_loop *loop = (ndl_loop *)1;
  cr_assert_eq(fiu_enable(NDL_FP(LINUX_PTHREAD_CREATE), 1, NULL, 0), 0);
  cr_assert_eq(ndl_loop_new(NULL, &loop), NDL_NOTHREADS);
  cr_assert_null(loop);
  fiu_disable(NDL_FP(LINUX_PTHREAD_CREATE));
  cr_assert_eq(count_fds(), before);
}

Test(faults, every_worker_dies_at_start) {
  int before = count_fds();
  ndl_loop *loop = NULL;
  cr_assert_eq(fiu_enable(NDL_FP(LINUX_WORKER_START), 1, NULL, 0), 0);
  cr_assert_eq(ndl_loop_new(NULL, &loop), NDL_NOTHREADS);
  fiu_disable(NDL_FP(LINUX_WORKER_START));
  cr_assert_eq(count_fds(), before);
}

Test(faults, one_worker_dies_at_start) {
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

Test(faults, creation_failures_leak_no_fd) {
  const char *points[] = {NDL_FP(LINUX_EPOLL_CREATE),
                                 NDL_FP(LINUX_EVENTFD), NDL_FP(LINUX_EPOLL_CTL)};
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

Test(faults, epoll_ctl_error_reaches_io_start) {
  ndl_loop *loop = new_loop(1);
  int fds[2];
  cr_assert_eq(pipe2(fds, O_NONBLOCK | O_CLOEXEC), 0);
  cr_assert_eq(
      fiu_enable(NDL_FP(LINUX_EPOLL_CTL), 1, (void *)(intptr_t)ENOSPC, 0), 0);
  cr_assert_eq(ndl_io_start(loop, fds[0], NDL_READABLE, on_never, NULL, NULL),
               NDL_ENOSPC);
  fiu_disable(NDL_FP(LINUX_EPOLL_CTL));
  run_and_free(loop); /* nothing registered: returns at once */
  close(fds[0]);
  close(fds[1]);
}

/* Signals during the wait: the timer still fires, and not early. */
Test(faults, eintr_in_epoll_wait_keeps_timers_on_time) {
  struct timer_probe p = {0};
  ndl_loop *loop = new_loop(1);
  cr_assert_eq(fiu_enable_random(NDL_FP(LINUX_EPOLL_WAIT), 1, NULL, 0, 0.5), 0);
  p.set_ns = mono_ns();
  cr_assert_eq(ndl_set_timeout(loop, 30, on_probe, &p, NULL), 0);
  run_and_free(loop);
  fiu_disable(NDL_FP(LINUX_EPOLL_WAIT));
  cr_assert_eq(p.fired, 1);
  cr_assert_geq(p.fired_ns - p.set_ns, 30 * MS);
}

Test(faults, fatal_epoll_wait_error_ends_run) {
  struct timer_probe p = {0}; /* outlives cr_assert_eq()'s block */
  ndl_loop *loop = new_loop(1);
  /* Far enough away that the first wait blocks (and so calls epoll_wait)
   * however slowly the test runs, under valgrind on a busy machine. */
  cr_assert_eq(ndl_set_timeout(loop, 60000, on_probe, &p, NULL), 0);
  cr_assert_eq(
      fiu_enable(NDL_FP(LINUX_EPOLL_WAIT), 1, (void *)(intptr_t)EBADF, 0), 0);
  cr_assert_eq(ndl_run(loop, NULL, NULL), -EBADF);
  fiu_disable(NDL_FP(LINUX_EPOLL_WAIT));
  cr_assert_eq(ndl_loop_free(loop), 0);
}

/* A lost eventfd write must not strand a finished task. */
Test(faults, eventfd_write_failure_does_not_strand_work) {
  struct fib_case c = {0};
  ndl_loop *loop = new_loop(1);
  cr_assert_eq(fiu_enable(NDL_FP(LINUX_EVENTFD_WRITE), 1, NULL, FIU_ONETIME), 0);
  cr_assert_eq(ndl_crypto_encrypt(loop, 15, on_fib, &c), 0);
  run_and_free(loop);
  fiu_disable(NDL_FP(LINUX_EVENTFD_WRITE));
  cr_assert_eq(c.calls, 1);
  cr_assert_eq(c.got, 610);
}

Test(faults, eventfd_read_eagain_is_harmless) {
  struct fib_case c = {0};
  ndl_loop *loop = new_loop(1);
  cr_assert_eq(fiu_enable(NDL_FP(LINUX_EVENTFD_READ), 1, NULL, FIU_ONETIME), 0);
  cr_assert_eq(ndl_crypto_encrypt(loop, 15, on_fib, &c), 0);
  run_and_free(loop);
  fiu_disable(NDL_FP(LINUX_EVENTFD_READ));
  cr_assert_eq(c.got, 610);
}

/* A failing clock holds time still; it never runs backwards. */
Test(faults, failing_clock_never_goes_backwards) {
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

Test(faults, read_eintr_is_retried) {
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

Test(faults, read_error_reaches_callback) {
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
