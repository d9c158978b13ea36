/*
 * stress_faultstart: pools that start short. Fault plans make
 * pthread_create() fail ("linux/pthread_create") or make new pool threads
 * die before they take work ("linux/worker_start"), with many seeds, so
 * that ndl_loop_new() starts fewer threads than asked. Each loop that
 * starts must report its real pool size, say so in the trace, and then run
 * every task once on the threads it has; each loop that gets no thread at
 * all must fail with NDL_NOTHREADS and leave nothing behind (the threads
 * that did start are joined). Then the all-fail cases, with probability 1.
 *
 *   stress_faultstart [quick|full]
 */
#include <stdatomic.h>

#include "nodeloop_faults.h"
#include "stress.h"

#define TASKS 64

struct task {
  int worked; /* pool thread */
  int done;   /* loop thread */
};

struct start {
  atomic_int short_note; /* the trace said the pool is short */
  struct task tasks[TASKS];
};

static void note_trace(void *ctx, const ndl_trace_event *ev) {
  struct start *s = ctx;
  if (ev->kind == NDL_TRACE_NOTE && ev->text != NULL &&
      strstr(ev->text, "pool threads started") != NULL)
    atomic_store(&s->short_note, 1);
}

static void work(void *arg, ndl_value *result) {
  struct task *t = arg;
  t->worked++;
  ndl_value_set_undefined(result);
}

static void after(ndl_loop *loop, const ndl_value *v, void *arg) {
  struct task *t = arg;
  (void)loop;
  (void)v;
  STRESS_CHECK(t->worked == 1, "callback: work ran %d times", t->worked);
  t->done++;
}

static void plan(const char *spec, uint64_t seed) {
  char why[256] = "";
  int err = ndl_faults_plan(spec, seed, why, sizeof(why));
  STRESS_CHECK(err == 0, "plan '%s': %s (%s)", spec, ndl_strerror(err), why);
}

/* One loop of `want` threads under the current plan: returns the pool size
 * it started with, after running TASKS tasks on it, or 0 for
 * NDL_NOTHREADS. */
static unsigned one_start(unsigned want) {
  struct start s;
  ndl_options opts;
  ndl_loop *loop = (ndl_loop *)&s; /* must become NULL on failure */
  unsigned i, got;
  int err;

  memset(&s, 0, sizeof(s));
  atomic_init(&s.short_note, 0);
  ndl_options_init(&opts);
  opts.threadpool_size = want;
  opts.trace = note_trace;
  opts.trace_ctx = &s;
  err = ndl_loop_new(&opts, &loop);
  if (err == NDL_NOTHREADS) {
    STRESS_CHECK(loop == NULL, "NDL_NOTHREADS, but *out is not NULL");
    return 0;
  }
  STRESS_CHECK(err == 0, "ndl_loop_new(%u threads): %s", want,
               ndl_strerror(err));
  got = ndl_threadpool_size(loop);
  STRESS_CHECK(got >= 1 && got <= want, "pool of %u for %u asked", got, want);
  STRESS_CHECK((got < want) == atomic_load(&s.short_note),
               "pool of %u for %u asked, but the trace %s", got, want,
               atomic_load(&s.short_note) ? "says it is short"
                                          : "says nothing");
  for (i = 0; i < TASKS; i++) {
    STRESS_OK(
        ndl_queue_work(loop, "Short pool", 0, work, after, &s.tasks[i], NULL));
  }
  STRESS_OK(ndl_run(loop, NULL, NULL));
  for (i = 0; i < TASKS; i++)
    STRESS_CHECK(s.tasks[i].worked == 1 && s.tasks[i].done == 1,
                 "task %u: work ran %d times, callback %d (pool %u of %u)", i,
                 s.tasks[i].worked, s.tasks[i].done, got, want);
  stress_check_stats(loop, "stress_faultstart");
  STRESS_OK(ndl_loop_free(loop));
  return got;
}

/* Many seeds of one plan, asking for 1 to 8 threads: some loops must start
 * short. */
static void sweep(const char *spec, unsigned seeds) {
  unsigned seed, whole = 0, short_ = 0, none = 0;
  for (seed = 1; seed <= seeds; seed++) {
    unsigned want = 1 + seed % 8, got;
    plan(spec, seed);
    got = one_start(want);
    STRESS_CHECK(ndl_faults_reached() > 0,
                 "plan '%s' seed %u: no fault point was reached", spec, seed);
    if (got == 0)
      none++;
    else if (got < want)
      short_++;
    else
      whole++;
  }
  ndl_faults_clear();
  STRESS_CHECK(short_ > 0, "plan '%s': no loop started short in %u seeds", spec,
               seeds);
  printf("stress_faultstart: '%s': %u seeds: %u whole, %u short, "
         "%u NDL_NOTHREADS\n",
         spec, seeds, whole, short_, none);
}

/* Every thread fails: NDL_NOTHREADS, whatever the size asked. */
static void all_fail(const char *spec) {
  unsigned want;
  for (want = 1; want <= 8; want *= 2) {
    plan(spec, want);
    STRESS_CHECK(one_start(want) == 0, "'%s': a loop of %u started", spec,
                 want);
    STRESS_CHECK(ndl_faults_injected() == want,
                 "'%s': %llu faults injected for %u threads", spec,
                 (unsigned long long)ndl_faults_injected(), want);
  }
  ndl_faults_clear();
  printf("stress_faultstart: '%s': NDL_NOTHREADS for 1 to 8 threads\n", spec);
}

int main(int argc, char **argv) {
  int full = stress_full(argc, argv);
  unsigned seeds = full ? 200 : 24;
  sweep("linux/pthread_create=0.5", seeds);
  sweep("linux/worker_start=0.3", seeds);
  sweep("linux/pthread_create=0.3,linux/worker_start=0.3", seeds);
  all_fail("linux/pthread_create=1");
  all_fail("linux/worker_start=1");
  /* And with no plan, a loop starts whole. */
  STRESS_CHECK(one_start(4) == 4, "no plan: the pool is not whole");
  printf("stress_faultstart: ok\n");
  return 0;
}
