/*
 * stress_stop: ndl_stop() from threads other than the loop's, the one
 * nodeloop function any thread may call.
 *
 *  1. Many times over: a loop kept alive by a watcher on a pipe that never
 *     becomes readable (so without a stop it would block forever), with
 *     pool work and timers in flight; one or several threads call
 *     ndl_stop() after a short, varying pause; ndl_run() must return 0;
 *     then the loop is freed with work perhaps still queued.
 *  2. A pool thread's work function stops its own loop.
 *  3. A stop from another thread before ndl_run(): the run calls main and
 *     returns without a tick, leaving callbacks registered, and the stop is
 *     consumed, so the next run needs a stop of its own.
 *
 *   stress_stop [quick|full]
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <time.h>
#include <unistd.h>

#include "stress.h"

#define MAX_STOPPERS 3

struct round {
  ndl_loop *loop;
  int pipe_fd[2];
  ndl_id watcher;
  unsigned pause_us; /* how long each stopper waits first */
  int main_ran;
  unsigned ticks_seen;
};

static void sleep_us(unsigned us) {
  struct timespec ts = {(time_t)(us / 1000000u), (long)(us % 1000000u) * 1000};
  while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
    ;
}

static void never(ndl_loop *loop, const ndl_value *v, void *arg) {
  (void)loop;
  (void)v;
  (void)arg;
  STRESS_FAIL("the pipe that is never written became readable");
}

static void nop_work(void *arg, ndl_value *result) {
  (void)arg;
  ndl_value_set_int(result, 1);
}

static void nop_cb(ndl_loop *loop, const ndl_value *v, void *arg) {
  (void)loop;
  (void)v;
  (void)arg;
}

/* A timer that re-arms itself, so ticks go on while the stop arrives. */
static void keep_ticking(ndl_loop *loop, const ndl_value *v, void *arg) {
  struct round *r = arg;
  (void)v;
  r->ticks_seen++;
  STRESS_OK(ndl_set_timeout(loop, 0, keep_ticking, r, NULL));
}

static void round_main(ndl_loop *loop, void *arg) {
  struct round *r = arg;
  unsigned i;
  r->main_ran++;
  STRESS_OK(
      ndl_io_start(loop, r->pipe_fd[0], NDL_READABLE, never, r, &r->watcher));
  for (i = 0; i < 8; i++)
    STRESS_OK(
        ndl_queue_work(loop, "Stop", i % 2, nop_work, nop_cb, NULL, NULL));
  if (r->pause_us % 2 == 0)
    STRESS_OK(ndl_set_timeout(loop, 0, keep_ticking, r, NULL));
}

static void *stopper(void *arg) {
  struct round *r = arg;
  sleep_us(r->pause_us);
  STRESS_OK(ndl_stop(r->loop));
  return NULL;
}

static void new_round(struct round *r, unsigned threads) {
  ndl_options opts;
  memset(r, 0, sizeof(*r));
  STRESS_CHECK(pipe2(r->pipe_fd, O_NONBLOCK | O_CLOEXEC) == 0, "pipe2");
  ndl_options_init(&opts);
  opts.threadpool_size = threads;
  STRESS_OK(ndl_loop_new(&opts, &r->loop));
}

static void end_round(struct round *r) {
  STRESS_OK(ndl_loop_free(r->loop));
  close(r->pipe_fd[0]);
  close(r->pipe_fd[1]);
}

/* 1: stops from 1 to MAX_STOPPERS threads while the loop runs. */
static void stop_while_running(unsigned rounds) {
  unsigned i, k;
  for (i = 0; i < rounds; i++) {
    struct round r;
    pthread_t tids[MAX_STOPPERS];
    unsigned nstop = 1 + i % MAX_STOPPERS;

    new_round(&r, 1 + i % 4);
    r.pause_us = (i * 7919u) % 3000u; /* 0 to 3 ms, spread */
    for (k = 0; k < nstop; k++)
      STRESS_CHECK(pthread_create(&tids[k], NULL, stopper, &r) == 0,
                   "pthread_create");
    STRESS_OK(ndl_run(r.loop, round_main, &r));
    STRESS_CHECK(r.main_ran == 1, "round %u: main ran %d times", i, r.main_ran);
    for (k = 0; k < nstop; k++)
      pthread_join(tids[k], NULL);
    /* With several stoppers, a stop may land after the run returned; it
     * stays pending. Every other round, stop once more and run: the run
     * returns at once. Then free the loop with the watcher, and perhaps
     * work, still registered. */
    if (i % 2 == 0) {
      STRESS_OK(ndl_stop(r.loop));
      STRESS_OK(ndl_run(r.loop, NULL, NULL));
    }
    end_round(&r);
  }
}

/* 2: a work function stops the loop it runs for. */
static void stop_work(void *arg, ndl_value *result) {
  STRESS_OK(ndl_stop(arg));
  ndl_value_set_undefined(result);
}

static void stop_from_pool(unsigned rounds) {
  unsigned i;
  for (i = 0; i < rounds; i++) {
    struct round r;
    new_round(&r, 2);
    r.pause_us = 1; /* odd: no ticking timer */
    STRESS_OK(
        ndl_queue_work(r.loop, "Stopper", 0, stop_work, nop_cb, r.loop, NULL));
    STRESS_OK(ndl_run(r.loop, round_main, &r));
    STRESS_CHECK(r.main_ran == 1, "pool stop: main ran %d times", r.main_ran);
    end_round(&r);
  }
}

/* 3: a stop before the run ends it right after main; the stop is used up. */
static void stop_before_run(unsigned rounds) {
  unsigned i;
  for (i = 0; i < rounds; i++) {
    struct round r;
    pthread_t tid;
    ndl_stats st;

    new_round(&r, 1);
    r.pause_us = 1;
    STRESS_CHECK(pthread_create(&tid, NULL, stopper, &r) == 0,
                 "pthread_create");
    pthread_join(tid, NULL);
    STRESS_OK(ndl_run(r.loop, round_main, &r));
    STRESS_CHECK(r.main_ran == 1, "early stop: main ran %d times", r.main_ran);
    ndl_get_stats(r.loop, &st);
    STRESS_CHECK(st.ticks == 0, "early stop: %llu ticks ran",
                 (unsigned long long)st.ticks);
    STRESS_CHECK(st.live > 0, "early stop: nothing left registered");
    /* The stop was used up: without the watcher, the next run ticks until
     * the work that main queued has run, and ends by itself. */
    STRESS_OK(ndl_io_stop(r.loop, r.watcher));
    STRESS_OK(ndl_run(r.loop, NULL, NULL));
    ndl_get_stats(r.loop, &st);
    STRESS_CHECK(st.ticks > 0 && st.live == 0 && st.lost == 0,
                 "after an early stop: %llu ticks, %llu live, %llu lost",
                 (unsigned long long)st.ticks, (unsigned long long)st.live,
                 (unsigned long long)st.lost);
    end_round(&r);
  }
}

int main(int argc, char **argv) {
  int full = stress_full(argc, argv);
  unsigned rounds = full ? 300 : 30;
  stop_while_running(rounds);
  stop_from_pool(rounds / 3);
  stop_before_run(rounds / 3);
  printf("stress_stop: %u rounds: ok\n", rounds);
  return 0;
}
