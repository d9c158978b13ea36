/*
 * The Linux backend: epoll, one eventfd, a pthread pool and CLOCK_MONOTONIC.
 * Its parts share the state below:
 *   linux.c  creating and destroying the backend, its table of calls;
 *   clock.c  the loop's clock;
 *   pool.c   the worker threads and their two queues;
 *   poll.c   fd watching, waiting in epoll_wait(), and wake-ups;
 *   io.c     sockets and files;
 *   sys.c    every system call, each behind its fault point.
 *
 * The loop thread itself blocks in epoll_wait(). The chapter ran a separate
 * epoll thread that slept with the timeout of the previous iteration, so it
 * slept through timers added meanwhile; here the core computes the timeout
 * right before each wait and nothing else ever blocks on the loop's behalf.
 *
 * Pool threads take tasks from one FIFO queue and hand finished tasks back
 * through a completion queue, then write the eventfd, which sits in the same
 * (level-triggered) epoll set as the user's fds. Both queues are intrusive,
 * through the backend's task record, so handing work around allocates
 * nothing.
 */
#ifndef NDL_PLATFORM_LINUX_H
#define NDL_PLATFORM_LINUX_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <sys/epoll.h>

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
/* How long freeing the loop waits for a task body that is running. */
#define STOP_GRACE_NS (1000u * NS_PER_MS)

/* The backend's work record: the core's, and the link of whichever queue
 * holds it. */
struct task {
  struct ndl__work work; /* first: the loop allocates ops.work_size bytes */
  struct ndl__work *next;
};

struct work_queue {
  struct ndl__work *head, *tail;
};

struct worker {
  struct lx *owner;
  pthread_t tid;
  unsigned index;
  char name[16]; /* "pool1023" fits the kernel's 16-byte comm */
};

/*
 * Who may touch what:
 *   - the loop thread alone touches last_ns, the epoll set, submitted,
 *     drained and watched;
 *   - `clock_lock` guards offset_ns against the pool threads' reads; the
 *     loop thread, its only writer, reads it without the lock;
 *   - `lock` guards queue, stopping, idle, waking, reported, running and
 *     exited; has_work, stopped and reported_cv are its condition
 *     variables;
 *   - `done_lock` guards completion_queue;
 *   - wake_pending is an atomic flag (pool.c: complete_task(), and poll.c:
 *     ndl__lx_wait(), which clears it between the eventfd read and the
 *     drain; model/pool.pml checks that order);
 *   - everything else is set before the pool starts and read-only after.
 */
struct lx {
  struct ndl__platform base;
  int epfd;
  int efd;

  uint64_t last_ns; /* the latest time handed out */
  pthread_mutex_t clock_lock;
  int64_t offset_ns; /* added to CLOCK_MONOTONIC: steps, absorbed */

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
  unsigned exited;   /* threads that returned (or are about to) */

  pthread_mutex_t done_lock;
  struct work_queue completion_queue; /* finished tasks, in finishing order */
  /* 1 from the first completion that rings the eventfd until the loop
   * drains the queue: the rest of a burst finds the bell already rung. */
  atomic_int wake_pending;
  /* Tasks submitted and completions drained. While they are equal no task
   * is out, so no completion can be queued, and wait() need not take
   * done_lock. */
  uint64_t submitted, drained;
  unsigned watched; /* fds in the epoll set besides the eventfd */

  struct worker *workers;
  unsigned created; /* threads pthread_create() started: all are joined */
  unsigned joined;  /* workers[0..joined) are joined */

  int synced; /* the locks above exist: init_sync() succeeded */

  struct epoll_event events[MAX_EVENTS];
};

static inline struct lx *ndl__lx_of(struct ndl__platform *p) {
  return (struct lx *)p;
}

/* linux.c: what both kernel backends build on (the epoll one here, and
 * platform/uring/): the locks, a first clock reading, the worker array and
 * the wake-up eventfd. The caller then opens its poller and starts the
 * pool. ndl__lx_fini() stops the pool and undoes the rest; it is safe on a
 * half-built backend and frees everything but s itself. */
int ndl__lx_init(struct lx *s, const struct ndl__platform_ops *ops,
                 const ndl_options *opts, unsigned threads);
void ndl__lx_fini(struct lx *s);

/* clock.c: the loop thread's clock, and a read of it for other threads. */
uint64_t ndl__lx_now(struct ndl__platform *p);
uint64_t ndl__lx_peek(struct lx *s);

/* pool.c */
int ndl__lx_submit(struct ndl__platform *p, struct ndl__work *w);
/* Starts up to want threads. Errors: NDL_NOTHREADS. */
int ndl__lx_pool_start(struct lx *s, unsigned want);
/* Stops and joins every thread, and frees the tasks they left. Errors:
 * NDL_EBUSY when a task body has not returned within STOP_GRACE_NS. */
int ndl__lx_pool_stop(struct lx *s);
unsigned ndl__lx_pool_size(struct ndl__platform *p);
/* Loop thread: whether a task is out, and finished ones as fired records. */
int ndl__lx_no_task_out(const struct lx *s);
int ndl__lx_completions_pending(struct lx *s);
size_t ndl__lx_drain(struct lx *s, struct ndl__fired *out, size_t cap);
/* Sleeps for delay_ns, or until the pool stops (then returns nonzero). */
int ndl__lx_sleep_for(struct lx *s, uint64_t delay_ns);
/* The calling thread's name: "main", or the pool thread's. */
const char *ndl__lx_thread_name(struct ndl__platform *p);

/* poll.c */
/* Opens the epoll set, with the eventfd in it. */
int ndl__lx_poll_open(struct lx *s);
/* NDL_* events to kernel poll bits, and back for a watcher that asked for
 * want. epoll's and poll()'s bits (EPOLLIN, POLLIN) have the same values,
 * so the io_uring backend's polls use these too. */
unsigned ndl__lx_poll_bits(unsigned events);
unsigned ndl__lx_translate(uint32_t got, unsigned want);
int ndl__lx_io_add(struct ndl__platform *p, int fd, ndl_id id, unsigned events);
int ndl__lx_io_modify(struct ndl__platform *p, int fd, ndl_id id,
                      unsigned events);
int ndl__lx_io_remove(struct ndl__platform *p, int fd);
int ndl__lx_wait(struct ndl__platform *p, int64_t timeout_ns,
                 struct ndl__fired *out, size_t cap, size_t *n);
int ndl__lx_wake(struct ndl__platform *p);

/* io.c */
extern const struct ndl__net_ops ndl__linux_net;
extern const struct ndl__file_ops ndl__linux_files;

#endif
