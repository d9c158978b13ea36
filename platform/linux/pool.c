/*
 * The Linux backend's pool: worker threads that take tasks from one FIFO
 * queue, run them, and hand them back through the completion queue, which
 * the loop thread drains in wait() (poll.c). Which lock guards what is
 * listed once, above struct lx in linux.h.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "core/alloc.h"
#include "faults/fault_points.h"
#include "linux.h"
#include "sys.h"

static struct task *task_of(struct ndl__work *w) {
  return (struct task *)w;
}

/* The calling thread's name: a pool thread sets it as it starts. */
static _Thread_local const char *thread_label;

/* ---- The queues. The caller holds the lock that guards q. */

static void queue_push(struct work_queue *q, struct ndl__work *w) {
  task_of(w)->next = NULL;
  if (q->tail == NULL)
    q->head = w;
  else
    task_of(q->tail)->next = w;
  q->tail = w;
}

static struct ndl__work *queue_shift(struct work_queue *q) {
  struct ndl__work *w = q->head;
  if (w != NULL) {
    q->head = task_of(w)->next;
    if (q->head == NULL)
      q->tail = NULL;
    task_of(w)->next = NULL;
  }
  return w;
}

static void queue_free(struct work_queue *q) {
  struct ndl__work *w;
  while ((w = queue_shift(q)) != NULL)
    ndl__work_free(w);
}

/* ---- The pool. */

/* Wakes one idle worker, unless one is already on its way. The caller
 * holds the lock and has just queued a task, or taken one and left more.
 *
 * At most one wake-up is in flight: the worker it wakes takes a task and,
 * if more are queued and another worker sleeps, wakes that one (next_task).
 * So a burst of submissions pays for one futex wake on the loop thread, not
 * one per task while the woken workers are still on their way, and the
 * workers wake each other as the queue warrants. A busy worker looks at the
 * queue before it waits, so it needs no signal. */
static void wake_one(struct lx *s) {
  if (s->idle > 0 && !s->waking) {
    s->waking = 1;
    pthread_cond_signal(&s->has_work);
  }
}

int ndl__lx_submit(struct ndl__platform *p, struct ndl__work *w) {
  struct lx *s = ndl__lx_of(p);
  pthread_mutex_lock(&s->lock);
  queue_push(&s->queue, w);
  wake_one(s);
  pthread_mutex_unlock(&s->lock);
  s->submitted++;
  return 0;
}

/* The absolute time delay_ns from now, for a condition variable's timed
 * wait. Its clock is the raw CLOCK_MONOTONIC, so the deadline comes from it
 * too, not from the loop's (fault-steppable) clock. */
static struct timespec deadline_in(uint64_t delay_ns) {
  struct timespec ts;
  uint64_t ns;
  ndl__sys_clock_raw(&ts);
  ns = (uint64_t)ts.tv_sec * NS_PER_SEC + (uint64_t)ts.tv_nsec + delay_ns;
  ts.tv_sec = (time_t)(ns / NS_PER_SEC);
  ts.tv_nsec = (long)(ns % NS_PER_SEC);
  return ts;
}

/* Sleeps until deadline_ns on CLOCK_MONOTONIC, or until destroy() asks the
 * pool to stop; returns nonzero in the second case. It waits on a condition
 * variable rather than in nanosleep() so that destroy() never waits out a
 * task's delay, which may be as long as INT32_MAX ms. */
int ndl__lx_sleep_for(struct lx *s, uint64_t delay_ns) {
  struct timespec ts = deadline_in(delay_ns);
  int stop;

  pthread_mutex_lock(&s->lock);
  /* 0 is a wake-up (perhaps spurious): look again. ETIMEDOUT, or any
   * error, ends the sleep, so a bad deadline cannot spin here. */
  while (!s->stopping &&
         pthread_cond_timedwait(&s->stopped, &s->lock, &ts) == 0)
    ;
  stop = s->stopping;
  pthread_mutex_unlock(&s->lock);
  return stop;
}

/* Wakes the loop thread. A failed write is retried every millisecond until
 * it succeeds or the pool stops: were it dropped, a loop blocked without a
 * timeout would never see the finished task. EAGAIN from the kernel means
 * the counter is saturated, so the loop is awake already and soon resets
 * it, after which the retry succeeds. */
static void complete_task(struct lx *s, struct ndl__work *w) {
  pthread_mutex_lock(&s->done_lock);
  queue_push(&s->completion_queue, w);
  pthread_mutex_unlock(&s->done_lock);
  /* w belongs to the loop thread from here on: do not touch it. */
  ANNOTATE_HAPPENS_BEFORE(&s->completion_queue);
  /* Only the first completion since the loop's last drain rings. The push
   * comes before the exchange, and the loop reads the eventfd before it
   * clears the flag (and drains after), so a task is either drained by a
   * drain that follows the clear or rings a bell that no earlier read ate
   * (model/pool.pml checks this; CLEAR_BEFORE_READ shows the hang). */
  if (atomic_exchange(&s->wake_pending, 1) != 0)
    return;
  while (ndl__sys_eventfd_write(s->efd) != 0) {
    if (errno == EINTR)
      continue;
    if (ndl__lx_sleep_for(s, NS_PER_MS))
      break;
  }
}

/* Runs one task: its delay (the chapter's simulated slow read), its body, and
 * the hand-back. A task whose delay is cut short by destroy() never runs and
 * is freed here, as destroy() frees every task that never ran. */
static void run_task(struct lx *s, struct worker *me, struct ndl__work *w) {
  int traced = s->base.trace != NULL; /* else no clock reads */
  ndl__platform_trace_work(&s->base, NDL_TRACE_WORK_START, w, me->name,
                           traced ? ndl__lx_peek(s) : 0);
  if (w->delay_ns > 0 && ndl__lx_sleep_for(s, w->delay_ns) != 0) {
    ndl__work_free(w);
    return;
  }
  w->fn(w->arg, &w->result);
  ndl__platform_trace_work(&s->base, NDL_TRACE_WORK_DONE, w, me->name,
                           traced ? ndl__lx_peek(s) : 0);
  complete_task(s, w);
}

/* The next task, or NULL when the pool is stopping. */
static struct ndl__work *next_task(struct lx *s) {
  struct ndl__work *w = NULL;
  pthread_mutex_lock(&s->lock);
  while (!s->stopping && s->queue.head == NULL) {
    s->idle++;
    pthread_cond_wait(&s->has_work, &s->lock);
    s->idle--;
    /* Signalled or not (a spurious wake-up), a worker is awake now: the
     * next submission may wake another. */
    s->waking = 0;
  }
  if (!s->stopping) {
    w = queue_shift(&s->queue);
    if (s->queue.head != NULL)
      wake_one(s);
  }
  pthread_mutex_unlock(&s->lock);
  return w;
}

static void *worker_main(void *arg) {
  struct worker *me = arg;
  struct lx *s = me->owner;
  struct ndl__work *w;
  int ok;

  thread_label = me->name;
  (void)pthread_setname_np(pthread_self(), me->name);
  ok = !ndl__fault_fail(NDL_FP(LINUX_WORKER_START));
  pthread_mutex_lock(&s->lock);
  s->reported++;
  s->running += (unsigned)ok;
  pthread_cond_signal(&s->reported_cv);
  pthread_mutex_unlock(&s->lock);
  if (ok)
    while ((w = next_task(s)) != NULL)
      run_task(s, me, w);
  pthread_mutex_lock(&s->lock);
  s->exited++;
  pthread_cond_broadcast(&s->reported_cv);
  pthread_mutex_unlock(&s->lock);
  return NULL;
}

/* Tells the trace sink, if any, that the pool is smaller than asked. */
static void note_short_pool(struct lx *s, unsigned want, int create_err) {
  char text[160];
  ndl_trace_event ev;

  if (s->base.trace == NULL)
    return;
  snprintf(text, sizeof(text),
           "only %u of %u pool threads started (pthread_create: %s); "
           "running with %u",
           s->running, want, create_err != 0 ? strerror(create_err) : "ok",
           s->running);
  memset(&ev, 0, sizeof(ev));
  ev.kind = NDL_TRACE_NOTE;
  ev.thread = "main";
  ev.now_ns = ndl__lx_now(&s->base);
  ev.phase = NDL_PHASE_MAIN;
  ev.cb_kind = NDL_CB_KIND_COUNT;
  ev.text = text;
  s->base.trace(s->base.trace_ctx, &ev);
}

/* Starts up to want threads, then waits until each has reported whether it
 * runs, so that pool_size() is exact and a pool whose every thread died at
 * start is an error now rather than a hang later. Threads are named by
 * creation order, so a failed pthread_create() leaves no gap. */
int ndl__lx_pool_start(struct lx *s, unsigned want) {
  int create_err = 0;
  unsigned i;

  for (i = 0; i < want; i++) {
    struct worker *wk = &s->workers[s->created];
    wk->owner = s;
    wk->index = s->created;
    snprintf(wk->name, sizeof(wk->name), "pool%u", wk->index);
    if (ndl__sys_thread_create(&wk->tid, worker_main, wk) != 0) {
      create_err = errno;
      continue;
    }
    s->created++;
  }
  pthread_mutex_lock(&s->lock);
  while (s->reported < s->created)
    pthread_cond_wait(&s->reported_cv, &s->lock);
  pthread_mutex_unlock(&s->lock);
  if (s->running == 0)
    return NDL_NOTHREADS;
  if (s->running < want)
    note_short_pool(s, want, create_err);
  return 0;
}

unsigned ndl__lx_pool_size(struct ndl__platform *p) {
  return ndl__lx_of(p)->running;
}

const char *ndl__lx_thread_name(struct ndl__platform *p) {
  (void)p;
  return thread_label != NULL ? thread_label : "main";
}

/* No task is out: none can have finished, so the completion queue is empty
 * and nothing can ring the eventfd but a stop. Loop thread only. */
int ndl__lx_no_task_out(const struct lx *s) {
  return s->submitted == s->drained;
}

int ndl__lx_completions_pending(struct lx *s) {
  int pending;
  if (ndl__lx_no_task_out(s))
    return 0;
  pthread_mutex_lock(&s->done_lock);
  pending = s->completion_queue.head != NULL;
  pthread_mutex_unlock(&s->done_lock);
  return pending;
}

/* Moves up to cap finished tasks into fired records, in finishing order.
 * The rest stay queued; the next wait() sees them and does not block. */
size_t ndl__lx_drain(struct lx *s, struct ndl__fired *out, size_t cap) {
  struct ndl__work *w;
  size_t n = 0;

  if (ndl__lx_no_task_out(s))
    return 0;
  pthread_mutex_lock(&s->done_lock);
  while (n < cap && (w = queue_shift(&s->completion_queue)) != NULL) {
    out[n].kind = NDL__FIRED_WORK;
    out[n].id = w->id;
    out[n].events = 0;
    out[n].work = w;
    n++;
  }
  pthread_mutex_unlock(&s->done_lock);
  ANNOTATE_HAPPENS_AFTER(&s->completion_queue);
  s->drained += n;
  return n;
}

/* Safe on a half-started pool, and again after NDL_EBUSY. Queued tasks
 * never run and delays are cut short, so a worker exits as soon as the body
 * it runs, if any, returns. A body can block for good (an open() of a FIFO
 * nobody writes), and joining it would hang the caller, so the workers get
 * STOP_GRACE_NS to exit; then the pool is NDL_EBUSY, as libuv's
 * uv_loop_close() is with requests in flight, and the caller may try again.
 * Every thread has exited when the queues are freed, so they need no lock. */
int ndl__lx_pool_stop(struct lx *s) {
  struct timespec deadline = deadline_in(STOP_GRACE_NS);
  int busy;

  pthread_mutex_lock(&s->lock);
  s->stopping = 1;
  pthread_cond_broadcast(&s->has_work);
  pthread_cond_broadcast(&s->stopped);
  while (s->exited < s->created &&
         pthread_cond_timedwait(&s->reported_cv, &s->lock, &deadline) == 0)
    ;
  busy = s->exited < s->created;
  pthread_mutex_unlock(&s->lock);
  if (busy)
    return NDL_EBUSY;
  for (; s->joined < s->created; s->joined++)
    pthread_join(s->workers[s->joined].tid, NULL);
  queue_free(&s->queue);
  queue_free(&s->completion_queue);
  return 0;
}
