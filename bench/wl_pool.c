/*
 * Thread-pool tasks, in two shapes, with 4 pool threads on both sides.
 *
 * burst: n no-op tasks submitted at once, timed until the last one's
 * after-callback has run.
 *
 * chain: libuv's test/benchmark-queue-work.c ("ping-pong async jobs"): one
 * task in flight, re-queued from its own after-callback, so every task pays
 * the full round trip: submit, wake a worker, run, hand back, wake the
 * loop. Run for a fixed count rather than libuv's fixed 5 s.
 *
 * The libuv side embeds its uv_work_t requests in one array allocated up
 * front, as libuv's own benchmarks do; nodeloop allocates its work records
 * itself.
 */
#include <stdlib.h>

#include "bench.h"
#include "nodeloop.h"
#include <uv.h>

static uint64_t target, done;
static int failed; /* the first error from inside a callback */

static void emit_rate(double t0, double t1, double c0, double c1) {
  bench_emit("wall_s", t1 - t0);
  bench_emit("cpu_s", c1 - c0);
  bench_emit("tasks_per_s", (double)done / (t1 - t0));
}

/* ---- nodeloop */

static void ndl_noop_work(void *arg, ndl_value *result) {
  (void)arg;
  (void)result;
}

static void ndl_after_burst(ndl_loop *loop, const ndl_value *v, void *arg) {
  (void)loop;
  (void)v;
  (void)arg;
  done++;
}

static void ndl_burst_main(ndl_loop *loop, void *arg) {
  uint64_t i;
  int err;
  (void)arg;
  for (i = 0; i < target; i++) {
    err = ndl_queue_work(loop, "Work", 0, ndl_noop_work, ndl_after_burst, NULL,
                         NULL);
    if (err != 0) {
      failed = err;
      return;
    }
  }
}

static void ndl_after_chain(ndl_loop *loop, const ndl_value *v, void *arg);

static void ndl_chain_next(ndl_loop *loop) {
  int err = ndl_queue_work(loop, "Work", 0, ndl_noop_work, ndl_after_chain,
                           NULL, NULL);
  if (err != 0)
    failed = err;
}

static void ndl_after_chain(ndl_loop *loop, const ndl_value *v, void *arg) {
  (void)v;
  (void)arg;
  if (++done < target)
    ndl_chain_next(loop);
}

static void ndl_chain_main(ndl_loop *loop, void *arg) {
  (void)arg;
  ndl_chain_next(loop);
}

static int run_ndl(uint64_t n, ndl_main_fn main_fn) {
  ndl_options opts;
  ndl_loop *loop;
  double t0, t1, c0, c1;
  int err;

  target = n;
  done = 0;
  ndl_options_init(&opts);
  opts.threadpool_size = BENCH_POOL_THREADS;
  if ((err = ndl_loop_new(&opts, &loop)) != 0)
    return bench_fail("ndl_loop_new: %s", ndl_strerror(err));
  t0 = bench_now();
  c0 = bench_cpu();
  err = ndl_run(loop, main_fn, NULL);
  t1 = bench_now();
  c1 = bench_cpu();
  ndl_loop_free(loop);
  if (err != 0 || failed != 0)
    return bench_fail("ndl_run or ndl_queue_work: %s",
                      ndl_strerror(err != 0 ? err : failed));
  if (done != n)
    return bench_fail("%llu of %llu tasks done", (unsigned long long)done,
                      (unsigned long long)n);
  emit_rate(t0, t1, c0, c1);
  return 0;
}

int bench_pool_burst_ndl(uint64_t n) {
  return run_ndl(n, ndl_burst_main);
}

int bench_pool_chain_ndl(uint64_t n) {
  return run_ndl(n, ndl_chain_main);
}

/* ---- libuv */

static void uv_noop_work(uv_work_t *req) {
  (void)req;
}

static void uv_after_burst(uv_work_t *req, int status) {
  (void)req;
  if (status != 0)
    failed = status;
  done++;
}

static void uv_after_chain(uv_work_t *req, int status) {
  int err;
  if (status != 0)
    failed = status;
  if (++done < target &&
      (err = uv_queue_work(req->loop, req, uv_noop_work, uv_after_chain)) != 0)
    failed = err;
}

static int run_uv(uint64_t n, int chain) {
  static uv_loop_t loop;
  uv_work_t *reqs;
  double t0, t1, c0, c1;
  uint64_t i;
  int err;

  target = n;
  done = 0;
  bench_uv_pool_size();
  if ((reqs = calloc(chain ? 1 : n, sizeof(*reqs))) == NULL)
    return bench_fail("out of memory");
  if ((err = uv_loop_init(&loop)) != 0)
    return bench_fail("uv_loop_init: %s", uv_strerror(err));
  t0 = bench_now();
  c0 = bench_cpu();
  for (i = 0; i < (chain ? 1 : n); i++) {
    err = uv_queue_work(&loop, reqs + i, uv_noop_work,
                        chain ? uv_after_chain : uv_after_burst);
    if (err != 0)
      return bench_fail("uv_queue_work: %s", uv_strerror(err));
  }
  err = uv_run(&loop, UV_RUN_DEFAULT);
  t1 = bench_now();
  c1 = bench_cpu();
  if (err != 0 || failed != 0)
    return bench_fail("uv_run or uv_queue_work: %s",
                      uv_strerror(err != 0 ? err : failed));
  if (done != n)
    return bench_fail("%llu of %llu tasks done", (unsigned long long)done,
                      (unsigned long long)n);
  uv_loop_close(&loop);
  free(reqs);
  emit_rate(t0, t1, c0, c1);
  return 0;
}

int bench_pool_burst_uv(uint64_t n) {
  return run_uv(n, 0);
}

int bench_pool_chain_uv(uint64_t n) {
  return run_uv(n, 1);
}
