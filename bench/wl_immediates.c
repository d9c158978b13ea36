/*
 * Chained immediates: each setImmediate callback schedules the next, so
 * exactly one runs per loop iteration (an immediate queued during the
 * check phase waits for the next one), n in all.
 *
 * libuv has no immediates; Node builds them from a check handle that runs
 * the queue and an idle handle that keeps poll from blocking while the
 * queue is not empty. The libuv side is that: a check handle whose callback
 * counts and stops both handles at n, so it too runs one callback per
 * iteration and polls with a zero timeout in each.
 *
 * immediates-io is the same chain with the read end of an idle pipe watched
 * on both sides. libuv enters epoll_wait() in every iteration either way
 * (its pool's async handle is always in the set); nodeloop skips the call
 * when no fd is watched and no task is out, which is most of its lead in
 * the plain workload. With a watched fd both make the syscall, like for
 * like.
 */
#include <unistd.h>

#include "bench.h"
#include "nodeloop.h"
#include <uv.h>

static uint64_t target, count;
static int failed;
static int pipe_fds[2] = {-1, -1}; /* immediates-io: [0] is watched */

static int open_pipe(int watched) {
  if (!watched)
    return 0;
  if (pipe(pipe_fds) != 0)
    return bench_fail("pipe: failed");
  return 0;
}

static void close_pipe(void) {
  if (pipe_fds[0] >= 0) {
    close(pipe_fds[0]);
    close(pipe_fds[1]);
    pipe_fds[0] = pipe_fds[1] = -1;
  }
}

static void emit(double t0, double t1, double c0, double c1) {
  bench_emit("wall_s", t1 - t0);
  bench_emit("cpu_s", c1 - c0);
  bench_emit("per_s", (double)count / (t1 - t0));
}

/* ---- nodeloop */

static ndl_id watcher; /* immediates-io: the pipe's watcher, or 0 */

static void ndl_on_readable(ndl_loop *loop, const ndl_value *v, void *arg) {
  (void)loop;
  (void)v;
  (void)arg;
  failed = NDL_EINVAL; /* nothing is ever written to the pipe */
}

static void ndl_on_immediate(ndl_loop *loop, const ndl_value *v, void *arg) {
  int err;
  (void)v;
  (void)arg;
  if (++count < target) {
    if ((err = ndl_set_immediate(loop, ndl_on_immediate, NULL, NULL)) != 0)
      failed = err;
  } else if (watcher != 0 && (err = ndl_io_stop(loop, watcher)) != 0) {
    failed = err;
  }
}

static void ndl_immediates_main(ndl_loop *loop, void *arg) {
  int err;
  (void)arg;
  if (pipe_fds[0] >= 0 &&
      (err = ndl_io_start(loop, pipe_fds[0], NDL_READABLE, ndl_on_readable,
                          NULL, &watcher)) != 0) {
    failed = err;
    return;
  }
  if ((err = ndl_set_immediate(loop, ndl_on_immediate, NULL, NULL)) != 0)
    failed = err;
}

static int run_ndl(uint64_t n, int watched) {
  ndl_options opts;
  ndl_loop *loop;
  ndl_stats stats;
  double t0, t1, c0, c1;
  int err;

  target = n;
  if ((err = open_pipe(watched)) != 0)
    return err;
  ndl_options_init(&opts);
  opts.threadpool_size = BENCH_POOL_THREADS;
  if ((err = ndl_loop_new(&opts, &loop)) != 0)
    return bench_fail("ndl_loop_new: %s", ndl_strerror(err));
  t0 = bench_now();
  c0 = bench_cpu();
  err = ndl_run(loop, ndl_immediates_main, NULL);
  t1 = bench_now();
  c1 = bench_cpu();
  ndl_get_stats(loop, &stats);
  ndl_loop_free(loop);
  close_pipe();
  if (err != 0 || failed != 0)
    return bench_fail("ndl_run or ndl_set_immediate: %s",
                      ndl_strerror(err != 0 ? err : failed));
  if (count != n || stats.ticks < n)
    return bench_fail("%llu of %llu immediates ran in %llu iterations",
                      (unsigned long long)count, (unsigned long long)n,
                      (unsigned long long)stats.ticks);
  emit(t0, t1, c0, c1);
  return 0;
}

int bench_immediates_ndl(uint64_t n) {
  return run_ndl(n, 0);
}
int bench_immediates_io_ndl(uint64_t n) {
  return run_ndl(n, 1);
}

/* ---- libuv */

static uv_idle_t idle;
static uv_check_t check;
static uv_poll_t poll_handle; /* immediates-io */
static int polling;

static void uv_on_readable(uv_poll_t *handle, int status, int events) {
  (void)handle;
  (void)status;
  (void)events;
  failed = 1; /* nothing is ever written to the pipe */
}

static void uv_on_idle(uv_idle_t *handle) {
  (void)handle;
}

static void uv_on_check(uv_check_t *handle) {
  (void)handle;
  if (++count == target) {
    uv_check_stop(&check);
    uv_idle_stop(&idle);
    if (polling)
      uv_poll_stop(&poll_handle);
  }
}

static int run_uv(uint64_t n, int watched) {
  static uv_loop_t loop;
  double t0, t1, c0, c1;
  int err;

  target = n;
  if ((err = open_pipe(watched)) != 0)
    return err;
  if ((err = uv_loop_init(&loop)) != 0)
    return bench_fail("uv_loop_init: %s", uv_strerror(err));
  uv_idle_init(&loop, &idle);
  uv_check_init(&loop, &check);
  polling = watched;
  if (watched &&
      ((err = uv_poll_init(&loop, &poll_handle, pipe_fds[0])) != 0 ||
       (err = uv_poll_start(&poll_handle, UV_READABLE, uv_on_readable)) != 0))
    return bench_fail("uv_poll: %s", uv_strerror(err));
  t0 = bench_now();
  c0 = bench_cpu();
  uv_idle_start(&idle, uv_on_idle);
  uv_check_start(&check, uv_on_check);
  err = uv_run(&loop, UV_RUN_DEFAULT);
  t1 = bench_now();
  c1 = bench_cpu();
  if (err != 0 || count != n || failed != 0)
    return bench_fail("%llu of %llu checks ran (uv_run: %d)",
                      (unsigned long long)count, (unsigned long long)n, err);
  uv_close((uv_handle_t *)&idle, NULL);
  uv_close((uv_handle_t *)&check, NULL);
  if (watched)
    uv_close((uv_handle_t *)&poll_handle, NULL);
  uv_run(&loop, UV_RUN_DEFAULT);
  uv_loop_close(&loop);
  close_pipe();
  emit(t0, t1, c0, c1);
  return 0;
}

int bench_immediates_uv(uint64_t n) {
  return run_uv(n, 0);
}
int bench_immediates_io_uv(uint64_t n) {
  return run_uv(n, 1);
}
