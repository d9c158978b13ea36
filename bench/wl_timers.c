/*
 * Million timers: libuv's test/benchmark-million-timers.c. Timer i gets a
 * timeout of i / 1000 + 1 ms; all are started before the loop runs, the
 * loop runs until every one has fired, and then they are cleaned up.
 *
 * Reported, as that benchmark does: start_s (starting them), run_s (the
 * loop run that fires them), cleanup_s and total_s; and the CPU time of the
 * start and run parts, because the run's wall time is mostly waiting for
 * the last timeout.
 *
 * Cleanup differs by design. libuv's timers are handles the caller owns and
 * must uv_close() (then run the loop for the close callbacks); a fired
 * nodeloop timeout has already released its record, so what is left is
 * ndl_loop_free(), which also returns the memory. libuv's figure does not
 * include free(timers), so nodeloop's is the more expensive of the two.
 */
#include <stdlib.h>

#include "bench.h"
#include "nodeloop.h"
#include <uv.h>

static uint64_t fired, closed;

static void emit_phases(double t0, double t1, double t2, double t3, double c0,
                        double c1, double c2, double c3) {
  bench_emit("start_s", t1 - t0);
  bench_emit("run_s", t2 - t1);
  bench_emit("cleanup_s", t3 - t2);
  bench_emit("total_s", t3 - t0);
  bench_emit("start_cpu_s", c1 - c0);
  bench_emit("run_cpu_s", c2 - c1);
  bench_emit("cpu_s", c3 - c0);
}

/* One callback shared by every timer, as in libuv's benchmark. */
static void ndl_on_timer(ndl_loop *loop, const ndl_value *v, void *arg) {
  (void)loop;
  (void)v;
  (void)arg;
  fired++;
}

int bench_timers_ndl(uint64_t n) {
  ndl_options opts;
  ndl_loop *loop;
  double t0, t1, t2, t3, c0, c1, c2, c3;
  uint64_t i;
  int err;

  ndl_options_init(&opts);
  opts.threadpool_size = BENCH_POOL_THREADS;
  if ((err = ndl_loop_new(&opts, &loop)) != 0)
    return bench_fail("ndl_loop_new: %s", ndl_strerror(err));
  t0 = bench_now();
  c0 = bench_cpu();
  for (i = 0; i < n; i++) {
    err = ndl_set_timeout(loop, (int64_t)(i / 1000) + 1, ndl_on_timer, NULL,
                          NULL);
    if (err != 0)
      return bench_fail("ndl_set_timeout #%llu: %s", (unsigned long long)i,
                        ndl_strerror(err));
  }
  t1 = bench_now();
  c1 = bench_cpu();
  if ((err = ndl_run(loop, NULL, NULL)) != 0)
    return bench_fail("ndl_run: %s", ndl_strerror(err));
  t2 = bench_now();
  c2 = bench_cpu();
  ndl_loop_free(loop);
  t3 = bench_now();
  c3 = bench_cpu();
  if (fired != n)
    return bench_fail("%llu of %llu timers fired", (unsigned long long)fired,
                      (unsigned long long)n);
  emit_phases(t0, t1, t2, t3, c0, c1, c2, c3);
  return 0;
}

static void uv_on_timer(uv_timer_t *handle) {
  (void)handle;
  fired++;
}

static void uv_on_close(uv_handle_t *handle) {
  (void)handle;
  closed++;
}

int bench_timers_uv(uint64_t n) {
  static uv_loop_t loop;
  uv_timer_t *timers;
  double t0, t1, t2, t3, c0, c1, c2, c3;
  uint64_t i, timeout = 0;
  int err;

  if ((timers = malloc(n * sizeof(*timers))) == NULL)
    return bench_fail("out of memory");
  if ((err = uv_loop_init(&loop)) != 0)
    return bench_fail("uv_loop_init: %s", uv_strerror(err));
  t0 = bench_now();
  c0 = bench_cpu();
  for (i = 0; i < n; i++) {
    if (i % 1000 == 0)
      timeout++;
    if ((err = uv_timer_init(&loop, timers + i)) != 0 ||
        (err = uv_timer_start(timers + i, uv_on_timer, timeout, 0)) != 0)
      return bench_fail("uv_timer_start: %s", uv_strerror(err));
  }
  t1 = bench_now();
  c1 = bench_cpu();
  if ((err = uv_run(&loop, UV_RUN_DEFAULT)) != 0)
    return bench_fail("uv_run: %d", err);
  t2 = bench_now();
  c2 = bench_cpu();
  for (i = 0; i < n; i++)
    uv_close((uv_handle_t *)(timers + i), uv_on_close);
  if ((err = uv_run(&loop, UV_RUN_DEFAULT)) != 0)
    return bench_fail("uv_run: %d", err);
  t3 = bench_now();
  c3 = bench_cpu();
  if (fired != n || closed != n)
    return bench_fail("%llu of %llu timers fired, %llu closed",
                      (unsigned long long)fired, (unsigned long long)n,
                      (unsigned long long)closed);
  uv_loop_close(&loop);
  free(timers);
  emit_phases(t0, t1, t2, t3, c0, c1, c2, c3);
  return 0;
}
