/*
 * stress_pool: thousands of pool tasks on several pool sizes, handed out
 * from the loop thread through every kind of callback (directly, from an
 * immediate, a timer, a nextTick, a microtask), mixed with ndl_fs_read()
 * and ndl_crypto_encrypt(). Checks that every task's work ran once, on a
 * pool thread, and its callback once, on the loop thread, with the right
 * result; that every timer and immediate ran once; and that the trace saw
 * one WORK_START and one WORK_DONE per task.
 *
 * Each task's work function writes the task's own record on a pool thread,
 * and its callback reads the record on the loop thread: the hand-off the
 * race detectors check is the completion queue between the two.
 *
 * Built as stress_pool_bugs (tests/stress/CMakeLists.txt), with
 * -DNDL_DELIBERATE_RACE the work functions also bump one global counter
 * with no synchronisation at all, and the callbacks read it: a real data
 * race, which the self-tests of ci/valgrind (Helgrind, DRD) and ci/sanitize
 * (TSan) require the tools to report. With -DNDL_DELIBERATE_LEAK it loses
 * one allocation, which memcheck and LeakSanitizer must report.
 *
 *   stress_pool [quick|full]
 */
#include <stdatomic.h>
#include <stdint.h>
#include <unistd.h>

#include "stress.h"

enum task_kind { TASK_WORK, TASK_FS, TASK_CRYPTO };

/* How a finished task's callback hands out the next task. */
enum via {
  VIA_DIRECT,
  VIA_IMMEDIATE,
  VIA_TIMER,
  VIA_NEXT_TICK,
  VIA_MICROTASK,
  VIA_COUNT
};

struct run;

struct task {
  struct run *run;
  unsigned index;
  enum task_kind kind;
  int64_t input;
  /* Written by the work function on a pool thread. */
  int worked;
  int64_t work_out;
  /* Written by the callbacks on the loop thread. */
  int submitted;
  int done;
  int spawner_runs; /* the immediate/timer/tick that submitted it */
};

struct run {
  ndl_loop *loop;
  struct task *tasks;
  unsigned ntasks;
  unsigned next;     /* tasks submitted so far */
  unsigned finished; /* callbacks run */
  const char *path;
  const char *content;
};

#ifdef NDL_DELIBERATE_RACE
/* DELIBERATE DATA RACE, for the race detectors' self-test only: written by
 * every pool thread and read by the loop thread, with no lock, no atomic and
 * no happens-before edge that orders all of them. Never in a normal build. */
static long deliberate_race_counter;
#endif

#ifdef NDL_DELIBERATE_LEAK
/* DELIBERATE LEAK, for the leak checkers' self-test only: the only pointer
 * to 64 bytes is overwritten. volatile, so the compiler keeps the malloc. */
static void *volatile deliberate_leak_ptr;
static void deliberate_leak(void) {
  deliberate_leak_ptr = malloc(64);
  deliberate_leak_ptr = NULL;
}
#endif

static atomic_uint work_started, work_done;

static void count_trace(void *ctx, const ndl_trace_event *ev) {
  (void)ctx;
  if (ev->kind == NDL_TRACE_WORK_START)
    atomic_fetch_add_explicit(&work_started, 1, memory_order_relaxed);
  else if (ev->kind == NDL_TRACE_WORK_DONE)
    atomic_fetch_add_explicit(&work_done, 1, memory_order_relaxed);
}

static int64_t fib(int64_t n) {
  return n < 2 ? n : fib(n - 1) + fib(n - 2);
}

/* Pool thread: a little arithmetic, so that threads overlap. */
static void work_fn(void *arg, ndl_value *result) {
  struct task *t = arg;
  uint64_t acc = (uint64_t)t->input;
  int i;
  for (i = 0; i < 200; i++)
    acc = acc * 6364136223846793005u + 1442695040888963407u;
  t->worked++;
  t->work_out = (int64_t)(acc >> 1);
#ifdef NDL_DELIBERATE_RACE
  deliberate_race_counter++;
#endif
  ndl_value_set_int(result, t->work_out);
}

static void submit_next(struct run *r);

/* Loop thread: the callback of every kind of task. */
static void task_done(ndl_loop *loop, const ndl_value *v, void *arg) {
  struct task *t = arg;
  struct run *r = t->run;
  (void)loop;
  STRESS_CHECK(t->submitted == 1, "task %u: callback before submission",
               t->index);
  STRESS_CHECK(t->done == 0, "task %u: callback ran twice", t->index);
  t->done++;
  r->finished++;
#ifdef NDL_DELIBERATE_RACE
  if (deliberate_race_counter < 0)
    STRESS_FAIL("the counter went negative");
#endif
  switch (t->kind) {
  case TASK_WORK:
    STRESS_CHECK(t->worked == 1, "task %u: work ran %d times", t->index,
                 t->worked);
    STRESS_CHECK(v->kind == NDL_INT && v->as.i == t->work_out,
                 "task %u: wrong result", t->index);
    break;
  case TASK_FS:
    STRESS_CHECK(v->kind == NDL_STRING &&
                     strcmp(v->as.str.ptr, r->content) == 0,
                 "task %u: ndl_fs_read gave kind %d", t->index, (int)v->kind);
    break;
  case TASK_CRYPTO:
    STRESS_CHECK(v->kind == NDL_INT && v->as.i == fib(t->input),
                 "task %u: wrong fib(%lld)", t->index, (long long)t->input);
    break;
  }
  submit_next(r);
}

static void submit(struct run *r, struct task *t) {
  t->submitted++;
  switch (t->kind) {
  case TASK_WORK:
    /* One task in 16 waits 1 ms first, so tasks finish out of order. */
    STRESS_OK(ndl_queue_work(r->loop, "Stress", t->index % 16 == 0 ? 1 : 0,
                             work_fn, task_done, t, NULL));
    break;
  case TASK_FS:
    STRESS_OK(ndl_fs_read(r->loop, r->path, 0, task_done, t));
    break;
  case TASK_CRYPTO:
    STRESS_OK(ndl_crypto_encrypt(r->loop, t->input, task_done, t));
    break;
  }
}

/* The immediate, timer, nextTick or microtask that submits one task. */
static void spawner(ndl_loop *loop, const ndl_value *v, void *arg) {
  struct task *t = arg;
  (void)loop;
  (void)v;
  t->spawner_runs++;
  submit(t->run, t);
}

static void submit_next(struct run *r) {
  struct task *t;
  if (r->next == r->ntasks)
    return;
  t = &r->tasks[r->next++];
  switch ((enum via)(t->index % VIA_COUNT)) {
  case VIA_DIRECT:
    t->spawner_runs = 1; /* nothing in between */
    submit(r, t);
    break;
  case VIA_IMMEDIATE:
    STRESS_OK(ndl_set_immediate(r->loop, spawner, t, NULL));
    break;
  case VIA_TIMER:
    STRESS_OK(
        ndl_set_timeout(r->loop, t->index % 3 == 0 ? 1 : 0, spawner, t, NULL));
    break;
  case VIA_NEXT_TICK:
    STRESS_OK(ndl_next_tick(r->loop, spawner, t));
    break;
  case VIA_MICROTASK:
    STRESS_OK(ndl_queue_microtask(r->loop, spawner, t));
    break;
  case VIA_COUNT:
    break;
  }
}

/* Starts `burst` chains; each finished task hands out the next one. */
static void start(ndl_loop *loop, void *arg) {
  struct run *r = arg;
  unsigned burst = r->ntasks < 64 ? r->ntasks : 64, i;
  (void)loop;
  for (i = 0; i < burst; i++)
    submit_next(r);
}

static void one_run(unsigned threads, unsigned ntasks, const char *path,
                    const char *content) {
  struct run r;
  ndl_options opts;
  unsigned i;

  memset(&r, 0, sizeof(r));
  r.ntasks = ntasks;
  r.path = path;
  r.content = content;
  r.tasks = calloc(ntasks, sizeof(*r.tasks));
  STRESS_CHECK(r.tasks != NULL, "out of memory");
  for (i = 0; i < ntasks; i++) {
    struct task *t = &r.tasks[i];
    t->run = &r;
    t->index = i;
    /* Every seventh an fs read, every eleventh a fib: the rest plain work. */
    t->kind = i % 7 == 3 ? TASK_FS : i % 11 == 5 ? TASK_CRYPTO : TASK_WORK;
    t->input = t->kind == TASK_CRYPTO ? (int64_t)(5 + i % 15) : (int64_t)i;
  }
  atomic_store(&work_started, 0);
  atomic_store(&work_done, 0);

  ndl_options_init(&opts);
  opts.threadpool_size = threads;
  opts.trace = count_trace;
  STRESS_OK(ndl_loop_new(&opts, &r.loop));
  STRESS_CHECK(ndl_threadpool_size(r.loop) == threads, "pool of %u, not %u",
               ndl_threadpool_size(r.loop), threads);
  STRESS_OK(ndl_run(r.loop, start, &r));
  STRESS_CHECK(r.next == ntasks && r.finished == ntasks,
               "%u threads: %u of %u tasks submitted, %u finished", threads,
               r.next, ntasks, r.finished);
  for (i = 0; i < ntasks; i++) {
    const struct task *t = &r.tasks[i];
    STRESS_CHECK(t->submitted == 1 && t->done == 1 && t->spawner_runs == 1,
                 "task %u: submitted %d, done %d, spawner ran %d", i,
                 t->submitted, t->done, t->spawner_runs);
  }
  STRESS_CHECK(atomic_load(&work_started) == ntasks &&
                   atomic_load(&work_done) == ntasks,
               "trace: %u starts, %u dones for %u tasks",
               atomic_load(&work_started), atomic_load(&work_done), ntasks);
  stress_check_stats(r.loop, "stress_pool");
  STRESS_OK(ndl_loop_free(r.loop));
  free(r.tasks);
}

int main(int argc, char **argv) {
  static const unsigned full_sizes[] = {1, 2, 4, 8};
  static const unsigned quick_sizes[] = {1, 3};
  const char content[] = "stress_pool: the file every fs task reads\n";
  char path[] = "/tmp/ndl-stress-pool-XXXXXX";
  int full = stress_full(argc, argv);
  const unsigned *sizes = full ? full_sizes : quick_sizes;
  unsigned nsizes = full ? 4 : 2, ntasks = full ? 3000 : 300, i;
  int fd;

  fd = mkstemp(path);
  STRESS_CHECK(fd >= 0, "mkstemp failed");
  STRESS_CHECK(write(fd, content, sizeof(content) - 1) ==
                   (ssize_t)(sizeof(content) - 1),
               "write failed");
  close(fd);
  for (i = 0; i < nsizes; i++)
    one_run(sizes[i], ntasks, path, content);
#ifdef NDL_DELIBERATE_LEAK
  deliberate_leak();
#endif
  unlink(path);
  printf("stress_pool: %u pool sizes x %u tasks: ok\n", nsizes, ntasks);
  return 0;
}
