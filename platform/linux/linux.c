/*
 * The Linux backend: epoll, one eventfd, a pthread pool and CLOCK_MONOTONIC.
 *
 * The loop thread itself blocks in epoll_wait(). The seed ran a separate
 * epoll thread that slept with the timeout of the previous iteration, so it
 * slept through timers added meanwhile; here the core computes the timeout
 * right before each wait and nothing else ever blocks on the loop's behalf.
 *
 * Pool threads take tasks from one FIFO queue and hand finished tasks back
 * through a completion queue, then write the eventfd, which sits in the same
 * (level-triggered) epoll set as the user's fds. Both queues are intrusive,
 * through ndl__work.next, so handing work around allocates nothing.
 *
 * Every syscall goes through one of the sys_* wrappers, and only they hold
 * fault points (faults/fault_points.h). A failing point sets errno to its
 * failinfo, or to the error the call most plausibly returns, and returns -1.
 */
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include "core/alloc.h"
#include "faults/fault_points.h"
#include "platform/platform.h"

/* Helgrind cannot see that an eventfd write orders the worker's push before
 * the loop's drain; these annotations tell it. They cost nothing outside
 * valgrind. */
#if defined(__has_include)
#if __has_include(<valgrind/helgrind.h>)
#include <valgrind/helgrind.h>
#define NDL_HAVE_HELGRIND 1
#endif
#endif
#ifndef NDL_HAVE_HELGRIND
#define ANNOTATE_HAPPENS_BEFORE(obj) ((void)(obj))
#define ANNOTATE_HAPPENS_AFTER(obj) ((void)(obj))
#endif

#define NS_PER_SEC 1000000000u
#define NS_PER_MS 1000000u
/* epoll_wait() reports at most this many fds per call; the rest stay ready
 * (level-triggered) for the next call. */
#define MAX_EVENTS 1024
/* epoll_data of the eventfd. Callback ids are never 0, so no fd clashes. */
#define WAKE_TOKEN 0u

struct work_queue {
  struct ndl__work *head, *tail;
};

struct worker {
  struct lx *owner;
  pthread_t tid;
  unsigned index;
  char name[16]; /* "pool1023" fits the kernel's 16-byte comm */
};

struct lx {
  struct ndl__platform base;
  int epfd;
  int efd;
  /* The latest time handed out. Test builds: clock_lock guards it and what
   * is added to the raw clock (steps, and what was absorbed). */
  pthread_mutex_t clock_lock;
  _Atomic uint64_t last_ns;
  int64_t offset_ns;

  /* lock guards queue, stopping, reported and running. */
  pthread_mutex_t lock;
  pthread_cond_t has_work; /* signalled once per submitted task */
  pthread_cond_t stopped;  /* broadcast by destroy(); delays wait on it */
  pthread_cond_t reported_cv;
  struct work_queue queue;
  int stopping;
  unsigned idle;     /* workers waiting on has_work */
  int waking;        /* a worker was signalled and has not yet woken */
  unsigned reported; /* threads that got as far as starting */
  unsigned running;  /* threads that started and take work */

  /* done_lock guards completion_queue: finished tasks, in finishing order. */
  pthread_mutex_t done_lock;
  struct work_queue completion_queue;
  /* 1 from the first completion that rings the eventfd until the loop
   * drains the queue: the rest of a burst finds the bell already rung. */
  atomic_int wake_pending;
  /* The loop thread's own counts, read by no other thread: tasks submitted
   * and completions drained. While they are equal no task is out, so no
   * completion can be queued, and wait() need not take done_lock. */
  uint64_t submitted, drained;
  unsigned watched; /* fds in the epoll set besides the eventfd */

  struct worker *workers;
  unsigned created; /* threads pthread_create() started: all are joined */

  struct epoll_event events[MAX_EVENTS];
};

/* The calling thread's name: a pool thread sets it as it starts. */
static _Thread_local const char *thread_label;

static struct lx *from(struct ndl__platform *p) {
  return (struct lx *)p;
}

/* ---- The syscall wrappers: the only place with fault points. */


static int sys_epoll_create(void) {
  ndl__fault_syscall(LINUX_EPOLL_CREATE);
  return epoll_create1(EPOLL_CLOEXEC);
}

static int sys_eventfd(void) {
  ndl__fault_syscall(LINUX_EVENTFD);
  return eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
}

static int sys_epoll_ctl(int epfd, int op, int fd, struct epoll_event *ev) {
  ndl__fault_syscall(LINUX_EPOLL_CTL);
  return epoll_ctl(epfd, op, fd, ev);
}

static int sys_epoll_wait(int epfd, struct epoll_event *ev, int max,
                          int timeout_ms) {
  ndl__fault_syscall(LINUX_EPOLL_WAIT);
  return epoll_wait(epfd, ev, max, timeout_ms);
}

static int sys_eventfd_read(int fd) {
  uint64_t count;
  ssize_t r;
  ndl__fault_syscall(LINUX_EVENTFD_READ);
  r = read(fd, &count, sizeof(count));
  if (r == (ssize_t)sizeof(count))
    return 0;
  if (r >= 0)
    errno = EIO; /* an eventfd moves 8 bytes or fails: never happens */
  return -1;
}

static int sys_eventfd_write(int fd) {
  uint64_t one = 1;
  ssize_t r;
  ndl__fault_syscall(LINUX_EVENTFD_WRITE);
  r = write(fd, &one, sizeof(one));
  if (r == (ssize_t)sizeof(one))
    return 0;
  if (r >= 0)
    errno = EIO; /* an eventfd moves 8 bytes or fails: never happens */
  return -1;
}

static int sys_thread_create(pthread_t *tid, void *(*fn)(void *), void *arg) {
  int err;
  ndl__fault_syscall(LINUX_PTHREAD_CREATE);
  if ((err = pthread_create(tid, NULL, fn, arg)) != 0) {
    errno = err;
    return -1;
  }
  return 0;
}

static int sys_clock(struct timespec *ts) {
  ndl__fault_syscall(LINUX_CLOCK);
  return clock_gettime(CLOCK_MONOTONIC, ts);
}

/* No fault point: a failed close() leaves nothing to recover, and retrying
 * it on EINTR could close an fd another thread just opened. */
static void sys_close(int fd) {
  if (fd >= 0)
    (void)close(fd);
}

/* ---- Clock. */

/* CLOCK_MONOTONIC in ns, never decreasing. If the clock fails, the latest
 * reading stands in. */
#ifdef FIU_ENABLE
/* Test builds can step the clock (linux/clock_step). A step backwards is
 * absorbed at once: time goes on from the latest reading at the real rate,
 * so no timer fires early and the loop never waits for the real clock to
 * catch up. A forward step is a jump, as on a real machine. The lock makes
 * the absorption exact; release builds have no steps and take no lock.
 * A plan's step is any number of ms, so the offset saturates at +-2^62 ns
 * (146 years): the step, the sum and the reading cannot overflow. */
#define MAX_OFFSET_NS ((int64_t)1 << 62)
static uint64_t linux_now(struct ndl__platform *p) {
  struct lx *s = from(p);
  struct timespec ts;
  int64_t now, step;
  intptr_t ms;
  uint64_t t;
  int clock_ok = sys_clock(&ts) == 0;

  pthread_mutex_lock(&s->clock_lock);
  if (clock_ok) {
    if (ndl__fault_fail(NDL_FP(LINUX_CLOCK_STEP))) {
      ms = ndl__fault_arg();
      step = ms > MAX_OFFSET_NS / NS_PER_MS    ? MAX_OFFSET_NS
             : ms < -MAX_OFFSET_NS / NS_PER_MS ? -MAX_OFFSET_NS
                                               : (int64_t)ms * NS_PER_MS;
      s->offset_ns = step > 0 && s->offset_ns > MAX_OFFSET_NS - step
                         ? MAX_OFFSET_NS
                     : step < 0 && s->offset_ns < -MAX_OFFSET_NS - step
                         ? -MAX_OFFSET_NS
                         : s->offset_ns + step;
    }
    now = (int64_t)ts.tv_sec * NS_PER_SEC + ts.tv_nsec + s->offset_ns;
    if (now < (int64_t)s->last_ns) {
      s->offset_ns += (int64_t)s->last_ns - now;
      now = (int64_t)s->last_ns;
    }
    s->last_ns = (uint64_t)now;
  }
  t = s->last_ns;
  pthread_mutex_unlock(&s->clock_lock);
  return t;
}
#else
/* The kernel's CLOCK_MONOTONIC never goes back, so the latest reading is
 * kept only for a failing call; a relaxed store suffices for that. */
static uint64_t linux_now(struct ndl__platform *p) {
  struct lx *s = from(p);
  struct timespec ts;
  uint64_t t;
  if (sys_clock(&ts) != 0)
    return atomic_load_explicit(&s->last_ns, memory_order_relaxed);
  t = (uint64_t)ts.tv_sec * NS_PER_SEC + (uint64_t)ts.tv_nsec;
  atomic_store_explicit(&s->last_ns, t, memory_order_relaxed);
  return t;
}
#endif

/* ---- The queues. The caller holds the lock that guards q. */

static void queue_push(struct work_queue *q, struct ndl__work *w) {
  w->next = NULL;
  if (q->tail == NULL)
    q->head = w;
  else
    q->tail->next = w;
  q->tail = w;
}

static struct ndl__work *queue_shift(struct work_queue *q) {
  struct ndl__work *w = q->head;
  if (w != NULL) {
    q->head = w->next;
    if (q->head == NULL)
      q->tail = NULL;
    w->next = NULL;
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

static int linux_submit(struct ndl__platform *p, struct ndl__work *w) {
  struct lx *s = from(p);
  pthread_mutex_lock(&s->lock);
  queue_push(&s->queue, w);
  wake_one(s);
  pthread_mutex_unlock(&s->lock);
  s->submitted++;
  return 0;
}

/* Sleeps until deadline_ns on CLOCK_MONOTONIC, or until destroy() asks the
 * pool to stop; returns nonzero in the second case. It waits on a condition
 * variable rather than in nanosleep() so that destroy() never waits out a
 * task's delay, which may be as long as INT32_MAX ms. */
static int sleep_for(struct lx *s, uint64_t delay_ns) {
  struct timespec ts;
  uint64_t deadline_ns;
  int stop;

  /* The condition variable runs on the raw CLOCK_MONOTONIC, so the
   * deadline comes from it too, not from the loop's (fault-steppable)
   * clock. */
  clock_gettime(CLOCK_MONOTONIC, &ts);
  deadline_ns = (uint64_t)ts.tv_sec * NS_PER_SEC + (uint64_t)ts.tv_nsec +
                delay_ns;
  ts.tv_sec = (time_t)(deadline_ns / NS_PER_SEC);
  ts.tv_nsec = (long)(deadline_ns % NS_PER_SEC);
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
  while (sys_eventfd_write(s->efd) != 0) {
    if (errno == EINTR)
      continue;
    if (sleep_for(s, NS_PER_MS))
      break;
  }
}

/* Runs one task: its delay (the seed's simulated slow read), its body, and
 * the hand-back. A task whose delay is cut short by destroy() never runs and
 * is freed here, as destroy() frees every task that never ran. */
static void run_task(struct lx *s, struct worker *me, struct ndl__work *w) {
  int traced = s->base.trace != NULL; /* else no clock reads */
  ndl__platform_trace_work(&s->base, NDL_TRACE_WORK_START, w, me->name,
                           traced ? linux_now(&s->base) : 0);
  if (w->delay_ns > 0 &&
      sleep_for(s, w->delay_ns) != 0) {
    ndl__work_free(w);
    return;
  }
  w->fn(w->arg, &w->result);
  w->worker = me->index;
  ndl__platform_trace_work(&s->base, NDL_TRACE_WORK_DONE, w, me->name,
                           traced ? linux_now(&s->base) : 0);
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
  if (!ok)
    return NULL;
  while ((w = next_task(s)) != NULL)
    run_task(s, me, w);
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
  ev.now_ns = linux_now(&s->base);
  ev.phase = NDL_PHASE_MAIN;
  ev.cb_kind = NDL_CB_KIND_COUNT;
  ev.text = text;
  s->base.trace(s->base.trace_ctx, &ev);
}

/* Starts up to want threads, then waits until each has reported whether it
 * runs, so that pool_size() is exact and a pool whose every thread died at
 * start is an error now rather than a hang later. Threads are named by
 * creation order, so a failed pthread_create() leaves no gap. */
static int start_pool(struct lx *s, unsigned want) {
  int create_err = 0;
  unsigned i;

  for (i = 0; i < want; i++) {
    struct worker *wk = &s->workers[s->created];
    wk->owner = s;
    wk->index = s->created;
    snprintf(wk->name, sizeof(wk->name), "pool%u", wk->index);
    if (sys_thread_create(&wk->tid, worker_main, wk) != 0) {
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

static unsigned linux_pool_size(struct ndl__platform *p) {
  return from(p)->running;
}

static const char *linux_thread_name(struct ndl__platform *p) {
  (void)p;
  return thread_label != NULL ? thread_label : "main";
}

/* ---- The poller. */

static int ctl(struct lx *s, int op, int fd, ndl_id id, unsigned events) {
  struct epoll_event ev;
  memset(&ev, 0, sizeof(ev));
  ev.events = ((events & NDL_READABLE) ? EPOLLIN : 0u) |
              ((events & NDL_WRITABLE) ? EPOLLOUT : 0u);
  /* The id in the low half, the interest in the high half: wait() needs the
   * interest to report an error as the events the user asked for, and this
   * spares a side table keyed by fd. */
  ev.data.u64 = (uint64_t)id | ((uint64_t)events << 32);
  if (sys_epoll_ctl(s->epfd, op, fd, &ev) != 0)
    return -errno; /* EEXIST is NDL_EEXIST, ENOENT NDL_ENOENT */
  return 0;
}

static int linux_io_add(struct ndl__platform *p, int fd, ndl_id id,
                        unsigned events) {
  struct lx *s = from(p);
  int err = ctl(s, EPOLL_CTL_ADD, fd, id, events);
  if (err == 0)
    s->watched++;
  return err;
}

static int linux_io_modify(struct ndl__platform *p, int fd, ndl_id id,
                           unsigned events) {
  return ctl(from(p), EPOLL_CTL_MOD, fd, id, events);
}

/* The watcher is gone for the core even when the kernel refuses the
 * removal (a closed fd has left the set already), so it is not counted. */
static int linux_io_remove(struct ndl__platform *p, int fd) {
  struct lx *s = from(p);
  if (s->watched > 0)
    s->watched--;
  return ctl(s, EPOLL_CTL_DEL, fd, 0, 0);
}

/* Kernel events to NDL_* bits. An error or hangup is reported as every
 * event the watcher asked for, plus NDL_HANGUP, so that the user's next
 * read() or write() meets the error instead of waiting for a readiness
 * that will never come. */
static unsigned translate(uint32_t got, unsigned want) {
  unsigned events = 0;
  if (got & EPOLLIN)
    events |= NDL_READABLE;
  if (got & EPOLLOUT)
    events |= NDL_WRITABLE;
  if (got & (EPOLLERR | EPOLLHUP))
    events |= NDL_HANGUP | want;
  return events & (want | NDL_HANGUP);
}

/* The timeout for epoll_wait(), in ms, rounded up so that a timer never
 * fires early. */
static int timeout_ms(int64_t timeout_ns) {
  uint64_t ms;
  if (timeout_ns < 0)
    return -1;
  ms = ((uint64_t)timeout_ns + NS_PER_MS - 1) / NS_PER_MS;
  return ms > INT_MAX ? INT_MAX : (int)ms;
}

/* No task is out: none can have finished, so the completion queue is empty
 * and nothing can ring the eventfd but a stop. Loop thread only. */
static int no_task_out(const struct lx *s) {
  return s->submitted == s->drained;
}

static int completions_pending(struct lx *s) {
  int pending;
  if (no_task_out(s))
    return 0;
  pthread_mutex_lock(&s->done_lock);
  pending = s->completion_queue.head != NULL;
  pthread_mutex_unlock(&s->done_lock);
  return pending;
}

/* Moves up to cap finished tasks into fired records, in finishing order.
 * The rest stay queued; the next wait() sees them and does not block. */
static size_t drain_completions(struct lx *s, struct ndl__fired *out,
                                size_t cap) {
  struct ndl__work *w;
  size_t n = 0;

  if (no_task_out(s))
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

static int linux_wait(struct ndl__platform *p, int64_t timeout_ns,
                      struct ndl__fired *out, size_t cap, size_t *n) {
  struct lx *s = from(p);
  uint64_t deadline = 0;
  int got, i, max;

  *n = 0;
  if (cap == 0)
    return NDL_EINVAL;
  /* Nothing to wait for and nothing that could be reported: no watched fd
   * and no task out. Skip the syscall, as a loop that only runs immediates
   * would otherwise make one per iteration. A stop is seen through its flag
   * at the top of the iteration, and an eventfd left readable is read by
   * the next wait that does block. */
  if (timeout_ns == 0 && s->watched == 0 && no_task_out(s))
    return 0;
  /* Tasks left over from a full out[], or whose eventfd write is still
   * being retried, must not wait behind a long timeout. */
  if (timeout_ns != 0 && completions_pending(s))
    timeout_ns = 0;
  if (timeout_ns > 0)
    deadline = linux_now(p) + (uint64_t)timeout_ns;
  max = cap < MAX_EVENTS ? (int)cap : MAX_EVENTS;

  /* On EINTR, wait again for what is left of the timeout, measured on the
   * monotonic clock, so a signal neither ends the wait early nor extends
   * it. */
  while ((got = sys_epoll_wait(s->epfd, s->events, max,
                               timeout_ms(timeout_ns))) < 0) {
    uint64_t now;
    if (errno != EINTR)
      return -errno;
    if (timeout_ns == 0) {
      got = 0;
      break;
    }
    if (timeout_ns > 0) {
      if ((now = linux_now(p)) >= deadline) {
        got = 0;
        break;
      }
      timeout_ns = (int64_t)(deadline - now);
    }
  }

  for (i = 0; i < got; i++) {
    const struct epoll_event *ev = &s->events[i];
    if (ev->data.u64 == WAKE_TOKEN) {
      /* Reset the eventfd before draining, so that a task finishing after
       * the drain signals it anew. EAGAIN: someone already reset it. */
      /* The eventfd is only a doorbell: completions are drained below
       * whether or not it was reset. A read that fails (EAGAIN, EINTR, or
       * anything an injected fault makes up) leaves it readable, which
       * costs one spare wake-up, never a lost one. */
      (void)sys_eventfd_read(s->efd);
      continue;
    }
    out[*n].kind = NDL__FIRED_IO;
    out[*n].id = (ndl_id)(ev->data.u64 & 0xffffffffu);
    out[*n].events = translate(ev->events, (unsigned)(ev->data.u64 >> 32));
    out[*n].work = NULL;
    (*n)++;
  }
  /* Always drain, not only when the eventfd fired: it costs one
   * uncontended lock, and it picks up tasks whose wake-up is still being
   * retried. The bell is re-armed after the eventfd read above and before
   * the drain, so that a task pushed after this drain rings it again. */
  atomic_store(&s->wake_pending, 0);
  *n += drain_completions(s, out + *n, cap - *n);
  return 0;
}

/* Any thread. EAGAIN means the counter is saturated; it is still returned,
 * because the caller (ndl_stop) can retry and a fault plan may mean it. */
/* A stop that never reaches the loop would leave ndl_run() blocked for
 * good, so a failed write is tried again, every millisecond for up to a
 * second, before the error goes back to the caller. */
static int linux_wake(struct ndl__platform *p) {
  struct lx *s = from(p);
  const struct timespec ms = {0, (long)NS_PER_MS};
  int tries;
  for (tries = 0; sys_eventfd_write(s->efd) != 0; tries++) {
    if (errno == EINTR)
      continue;
    if (tries == 1000)
      return -errno;
    nanosleep(&ms, NULL);
  }
  return 0;
}

/* ---- Lifetime. */

/* Safe on a half-built platform: ndl__linux_new() cleans up through here. */
static void linux_destroy(struct ndl__platform *p) {
  struct lx *s = from(p);
  unsigned i;

  pthread_mutex_lock(&s->lock);
  s->stopping = 1;
  pthread_cond_broadcast(&s->has_work);
  pthread_cond_broadcast(&s->stopped);
  pthread_mutex_unlock(&s->lock);
  for (i = 0; i < s->created; i++)
    pthread_join(s->workers[i].tid, NULL);
  /* Every thread has exited, so the queues need no lock. */
  queue_free(&s->queue);
  queue_free(&s->completion_queue);
  sys_close(s->efd);
  sys_close(s->epfd);
  pthread_cond_destroy(&s->reported_cv);
  pthread_cond_destroy(&s->stopped);
  pthread_cond_destroy(&s->has_work);
  pthread_mutex_destroy(&s->done_lock);
  pthread_mutex_destroy(&s->lock);
  pthread_mutex_destroy(&s->clock_lock);
  ndl__free(s->workers);
  ndl__free(s);
}

/* The locks and condition variables. Delays wait on "stopped" with
 * absolute CLOCK_MONOTONIC deadlines, so it must use that clock. */
static int init_sync(struct lx *s) {
  pthread_condattr_t attr;
  int err, stage = 0;

  if ((err = pthread_mutex_init(&s->lock, NULL)) != 0)
    goto fail;
  stage = 1;
  if ((err = pthread_mutex_init(&s->done_lock, NULL)) != 0)
    goto fail;
  stage = 2;
  if ((err = pthread_cond_init(&s->has_work, NULL)) != 0)
    goto fail;
  stage = 3;
  if ((err = pthread_cond_init(&s->reported_cv, NULL)) != 0)
    goto fail;
  stage = 4;
  if ((err = pthread_condattr_init(&attr)) != 0)
    goto fail;
  err = pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
  if (err == 0)
    err = pthread_cond_init(&s->stopped, &attr);
  pthread_condattr_destroy(&attr);
  if (err != 0)
    goto fail;
  stage = 5;
  if ((err = pthread_mutex_init(&s->clock_lock, NULL)) != 0)
    goto fail;
  return 0;

fail:
  if (stage >= 5)
    pthread_cond_destroy(&s->stopped);
  if (stage >= 4)
    pthread_cond_destroy(&s->reported_cv);
  if (stage >= 3)
    pthread_cond_destroy(&s->has_work);
  if (stage >= 2)
    pthread_mutex_destroy(&s->done_lock);
  if (stage >= 1)
    pthread_mutex_destroy(&s->lock);
  return -err;
}

static int open_fds(struct lx *s) {
  struct epoll_event ev;

  if ((s->epfd = sys_epoll_create()) < 0)
    return -errno;
  if ((s->efd = sys_eventfd()) < 0)
    return -errno;
  memset(&ev, 0, sizeof(ev));
  ev.events = EPOLLIN;
  ev.data.u64 = WAKE_TOKEN;
  if (sys_epoll_ctl(s->epfd, EPOLL_CTL_ADD, s->efd, &ev) != 0)
    return -errno;
  return 0;
}

static const struct ndl__platform_ops linux_ops = {
    .name = "linux",
    .now = linux_now,
    .io_add = linux_io_add,
    .io_modify = linux_io_modify,
    .io_remove = linux_io_remove,
    .wait = linux_wait,
    .wake = linux_wake,
    .submit = linux_submit,
    .thread_name = linux_thread_name,
    .pool_size = linux_pool_size,
    .destroy = linux_destroy,
};

int ndl__linux_new(const ndl_options *opts, unsigned threads,
                   struct ndl__platform **out) {
  struct lx *s;
  int err;

  if (out == NULL)
    return NDL_EINVAL;
  *out = NULL;
  if (opts == NULL || threads < 1 || threads > 1024)
    return NDL_EINVAL;
  if ((s = ndl__calloc(1, sizeof(*s))) == NULL)
    return NDL_ENOMEM;
  s->base.ops = &linux_ops;
  /* loop.c sets these after we return, but the pool-size note below is
   * emitted before that. */
  s->base.trace = opts->trace;
  s->base.trace_ctx = opts->trace_ctx;
  s->epfd = -1;
  atomic_init(&s->wake_pending, 0);
  s->efd = -1;
  if ((err = init_sync(s)) != 0) {
    ndl__free(s);
    return err;
  }
  (void)linux_now(&s->base); /* a first reading, should the clock fail */
  if ((s->workers = ndl__calloc(threads, sizeof(*s->workers))) == NULL) {
    err = NDL_ENOMEM;
    goto fail;
  }
  if ((err = open_fds(s)) != 0)
    goto fail;
  if ((err = start_pool(s, threads)) != 0)
    goto fail;
  *out = &s->base;
  return 0;

fail:
  linux_destroy(&s->base);
  return err;
}
