/**
 * @file nodeloop.h
 * @brief nodeloop: Node.js's event loop in C11.
 *
 * One loop object runs a "main" function, then ticks through Node's phases
 * (timers, pending callbacks, idle/prepare, poll, check, close) until nothing
 * that keeps it alive remains. Blocking work runs on a thread pool and its
 * result comes back to the loop thread as a tagged value.
 *
 * Every exported name starts with ndl_ (NDL_ for macros). Every function that
 * can fail returns 0 or a negative error code from NDL_ERRNO_MAP, and
 * ndl_strerror() names it. The library never aborts.
 *
 * Threading: every function is for the loop's own thread, except
 * ndl_stop(), which any thread may call.
 *
 * When callbacks run: after main, each iteration caches the clock, then runs
 * the timers phase (due timers), the pending phase (ndl_defer()), the
 * idle/prepare phase (nothing of nodeloop's own), the poll phase (fd
 * watchers, finished pool work, TCP events), the check phase (immediates)
 * and the close phase (ndl_on_close(), TCP close callbacks). After every
 * single callback, and after main, the nextTick queue drains, then the
 * microtask queue, until both are empty. docs/semantics.md states each rule
 * with the conformance scenario that pins it.
 *
 * While the exit listeners run (ndl_on_exit()), every function that
 * registers a callback, other than ndl_queue_microtask(), returns
 * NDL_EXITING; the error lists below leave that out.
 */
#ifndef NODELOOP_H
#define NODELOOP_H

#include <errno.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/**
 * @defgroup version Version and linkage
 * @{
 * The version of these headers; ndl_version() gives the library's, which
 * differs when a program runs against another build of the shared library.
 * CMakeLists.txt reads the project's version from these three lines.
 */
/** The major version of these headers. */
#define NDL_VERSION_MAJOR 0
/** The minor version of these headers. */
#define NDL_VERSION_MINOR 1
/** The patch version of these headers. */
#define NDL_VERSION_PATCH 0
/** (major << 16) | (minor << 8) | patch, comparable with <, as libuv's. */
#define NDL_VERSION_HEX                                                        \
  ((NDL_VERSION_MAJOR << 16) | (NDL_VERSION_MINOR << 8) | NDL_VERSION_PATCH)

/** Marks the public functions: the shared library is built with hidden
 * visibility, so these are the only symbols it exports. */
#if defined(__GNUC__) || defined(__clang__)
#define NDL_EXTERN __attribute__((visibility("default")))
#else
#define NDL_EXTERN
#endif

/** The library's version as NDL_VERSION_HEX computes it. Never fails. */
NDL_EXTERN unsigned ndl_version(void);
/** The library's version as text ("0.1.0"), a static string. Never fails. */
NDL_EXTERN const char *ndl_version_string(void);
/** @} */

#include "nodeloop_value.h" /* errors, and the values callbacks receive */

/**
 * @defgroup loop The loop
 * @{
 * Creating, running, stopping and freeing a loop, and what it counted. The
 * getters (ndl_now() to ndl_get_stats()) never fail and do not check their
 * arguments: loop (and out) must be valid.
 */
/** A loop: one per thread that runs one; opaque. */
typedef struct ndl_loop ndl_loop;

/** A callback id, unique among live callbacks. 0 is never a valid id. */
typedef uint32_t ndl_id;

/** A callback: runs on the loop thread with the value its event produced
 * (valid only during the call) and the arg given when it was registered. */
typedef void (*ndl_cb)(ndl_loop *loop, const ndl_value *value, void *arg);
/** The main function ndl_run() runs first, before any phase. */
typedef void (*ndl_main_fn)(ndl_loop *loop, void *arg);
/** Runs on a pool thread. It must not call into the loop. It sets *result
 * (an undefined value when it starts) with the ndl_value_set_* functions. */
typedef void (*ndl_work_fn)(void *arg, ndl_value *result);

/** Where a loop's clock, poller and pool come from. */
typedef enum ndl_backend {
  NDL_BACKEND_LINUX = 0, /**< epoll, eventfd, pthreads, CLOCK_MONOTONIC */
  NDL_BACKEND_SIM,       /**< virtual clock, scripted poller, seeded workers */
  /** io_uring for polling, waiting and wake-ups, the same pool and clock as
   * linux. Where the kernel refuses io_uring (seccomp, the
   * kernel.io_uring_disabled sysctl, a kernel before 5.11, a build without
   * liburing) ndl_loop_new() fails with NDL_ENOTSUP and says why on stderr;
   * ndl_io_uring_check() asks without creating a loop. */
  NDL_BACKEND_IO_URING,
  /** io_uring where the kernel allows it, else linux: the one choice that
   * falls back. */
  NDL_BACKEND_AUTO,
  /** What the NODELOOP_BACKEND environment variable names: "linux",
   * "io_uring", "sim" or "auto"; linux when it is unset or empty. Any other
   * value fails ndl_loop_new() with NDL_EINVAL. The default of
   * ndl_options_init(). */
  NDL_BACKEND_ENV
} ndl_backend;
/** @} */

#include "nodeloop_trace.h" /* the trace types ndl_options names */

/**
 * @addtogroup loop
 * @{
 */
/** In which order one timers phase runs the timers that are due. The two
 * differ only when the loop runs late, so that timers of different delays
 * are due at once. */
typedef enum ndl_timer_order {
  /** By deadline, then by the order the timers were set: the order a
   * program can work out from its own calls (the default). */
  NDL_TIMER_ORDER_DEADLINE = 0,
  /** Node's: one list per delay, each in the order its timers were set
   * or re-armed, the lists by the deadline their first timer had when the
   * list was made or last found not due; a phase runs every due timer of
   * a list before it looks at the next list (lib/internal/timers.js). A
   * late loop may then run a later deadline first. docs/semantics.md. */
  NDL_TIMER_ORDER_NODE
} ndl_timer_order;

/** What ndl_loop_new() takes; ndl_options_init() fills in the defaults. */
typedef struct ndl_options {
  ndl_backend backend; /**< where the loop runs (default: NDL_BACKEND_ENV) */
  /** Pool threads, 1 to 1024. 0 means NODELOOP_THREADPOOL_SIZE from the
   * environment (strict: a number from 1 to 1024), else Node's
   * UV_THREADPOOL_SIZE read as libuv reads it (the leading number; none or
   * 0 is 1, negative or above 1024 is 1024), else 4. NODELOOP_ wins when
   * both are set. */
  unsigned threadpool_size;
  ndl_trace_fn trace; /**< called for every event (NULL: no trace) */
  void *trace_ctx;    /**< trace's first argument */
  /** Bits in a callback id, 2 to 32. 0 means 32. Narrow widths let tests wrap
   * the id counter in a few hundred operations. */
  unsigned id_bits;
  /** Sim backend only: the PRNG seed of the simulated world. */
  uint64_t sim_seed;
  /** Sim: each task's virtual duration is its own delay plus a uniform draw
   * in [0, sim_work_spread_ns]. */
  uint64_t sim_work_spread_ns;
  /** Sim: run work on the loop thread as soon as it is submitted, and
   * complete it at the next poll, in submission order. For unit tests. */
  int sim_inline_work;
  /** Sim network: the one-way latency of a segment is this plus a uniform
   * draw in [0, sim_net_latency_ns]. 0 means 100 us, a loopback's order of
   * magnitude. */
  uint64_t sim_net_latency_ns;
  /** The order of the timers due in one timers phase (see
   * ndl_timer_order). */
  ndl_timer_order timer_order;
} ndl_options;

/** Fills *opts with the defaults: the backend NODELOOP_BACKEND names (else
 * linux), 4 threads, no trace. */
NDL_EXTERN void ndl_options_init(ndl_options *opts);

/** Creates a loop (opts NULL: the defaults). The first call in a process
 * also applies NODELOOP_FAULTS (ndl_faults_from_env()); a bad plan there
 * makes every creation fail. *out is NULL on failure.
 * @return 0, NDL_EINVAL (NULL out, bad option, bad
 * NODELOOP_THREADPOOL_SIZE or NODELOOP_BACKEND), NDL_ENOMEM, NDL_NOTHREADS,
 * NDL_BADFAULTS (a bad NODELOOP_FAULTS or NODELOOP_FAULTS_SEED),
 * NDL_ENOTSUP (io_uring asked for where the kernel refuses it; the cause is
 * said on stderr), or a system error from the platform (NDL_EMFILE from
 * epoll_create or eventfd, ...). */
NDL_EXTERN int ndl_loop_new(const ndl_options *opts, ndl_loop **out);

/** Runs main(loop, arg) (NULL is allowed) and the nextTicks and microtasks
 * it queued, then ticks until nothing keeps the loop alive or ndl_stop() is
 * called. Each iteration caches the clock, then runs the timers, pending,
 * idle/prepare, poll, check and close phases. A loop may be run again after
 * this returns.
 * @return 0, NDL_EINVAL (NULL loop), NDL_EBUSY (already running: called
 * from a callback), or a fatal error of the platform's wait, which ends the
 * run at once (on sim, NDL_EDEADLK: the loop waits for nothing that can
 * ever happen). */
NDL_EXTERN int ndl_run(ndl_loop *loop, ndl_main_fn main, void *arg);

/** Makes ndl_run() return at the end of the current iteration: the phases
 * left in it still run (a poll phase not yet entered does not block), and
 * no new iteration starts. Called from main, or before ndl_run(), the run
 * returns right after main. Any thread may call it; it wakes a blocked poll.
 * From another thread, the loop must outlive the call: the loop thread may
 * see the stop, and return, before ndl_stop() has written its wake-up, so
 * free the loop only once ndl_stop() has returned (join the loop thread
 * after it, then free the loop). The stop is consumed by the run it ends.
 * Callbacks that were not run stay registered, for a later ndl_run().
 * @return 0, NDL_EINVAL (NULL loop), or the error of waking the loop
 * (linux: the eventfd write, after retrying for a second). */
NDL_EXTERN int ndl_stop(ndl_loop *loop);

/** Frees the loop, its threads and its fds, and every TCP handle and HTTP
 * request still open on it (their sockets closed, no callback run).
 * Callbacks that never ran are cancelled (counted in ndl_stats.cancelled);
 * queued pool tasks never run. A NULL loop is a no-op.
 * @return 0, or NDL_EBUSY when called from inside ndl_run(), or when a pool
 * task's body has not returned within a second (a read of a FIFO that no
 * one opens, say): nothing is freed then, the loop can no longer run, and
 * ndl_loop_free() may be called again. */
NDL_EXTERN int ndl_loop_free(ndl_loop *loop);

/** The loop's clock in ms, read now (not the time cached for the
 * iteration). On sim, virtual time since creation. */
NDL_EXTERN uint64_t ndl_now(const ndl_loop *loop);
/** The loop's clock in ns, as ndl_now(). */
NDL_EXTERN uint64_t ndl_now_ns(const ndl_loop *loop);
/** The backend's name: "linux", "io_uring" or "sim". */
NDL_EXTERN const char *ndl_backend_name(const ndl_loop *loop);
/** Whether this process may use the io_uring backend: 0, or NDL_ENOTSUP
 * with the cause in why (cut to cap bytes; why may be NULL), such as
 * "io_uring_setup() failed: Operation not permitted
 * (kernel.io_uring_disabled is 2)". Creates and closes a small ring. */
NDL_EXTERN int ndl_io_uring_check(char *why, size_t cap);
/** The number of pool threads that are running. */
NDL_EXTERN unsigned ndl_threadpool_size(const ndl_loop *loop);

/** Counted by the loop. "lost" is what was registered and neither ran nor was
 * cancelled when ndl_run() returned with nothing left alive; "duplicated"
 * counts runs of a callback that had already run. Both must be 0. */
typedef struct ndl_stats {
  uint64_t registered; /**< callbacks registered since the loop was made */
  uint64_t callbacks;  /**< callback invocations */
  uint64_t cancelled;  /**< cleared, stopped, or cancelled by ndl_loop_free */
  uint64_t lost;       /**< registered, never run nor cancelled (must be 0) */
  uint64_t duplicated; /**< runs of a callback that had run (must be 0) */
  uint64_t ticks;      /**< iterations so far */
  uint64_t live;       /**< registered callbacks that are still live */
} ndl_stats;
/** Fills *out with the loop's counts so far. */
NDL_EXTERN void ndl_get_stats(const ndl_loop *loop, ndl_stats *out);
/** @} */

/**
 * @defgroup timers Timers
 * @{
 * A timer starts at the loop's clock read at the moment it is set, not at the
 * time cached for the iteration. A delay of 0 is 1 ms, as in Node, and so is
 * a delay above 2^31 - 1 ms (Node's TIMEOUT_MAX), for which the trace gets an
 * NDL_TRACE_NOTE ("TimeoutOverflowWarning", as Node warns). Timers due at
 * the same time fire in the order they were set.
 *
 * A timer's callback runs in the timers phase of the first iteration whose
 * cached loop time is at or past its deadline. The due timers are taken as
 * a batch before any fires, so one set or re-armed by a callback of the
 * batch waits for a later timers phase.
 */

/** Runs cb(loop, undefined, arg) once, delay_ms after now, in the timers
 * phase. *id may be NULL.
 * @return 0, NDL_EINVAL (NULL cb or loop, delay < 0), NDL_ENOMEM,
 * NDL_NOIDS. */
NDL_EXTERN int ndl_set_timeout(ndl_loop *loop, int64_t delay_ms, ndl_cb cb,
                               void *arg, ndl_id *id);
/** Runs cb every delay_ms, in the timers phase, until cleared. After each
 * run the interval re-arms from the loop time cached for the iteration,
 * unless its callback cleared it. Errors as ndl_set_timeout(). */
NDL_EXTERN int ndl_set_interval(ndl_loop *loop, int64_t delay_ms, ndl_cb cb,
                                void *arg, ndl_id *id);
/** Clears a timeout or an interval (the two are interchangeable, as in
 * Node): its callback never runs, and the arg is not touched.
 * @return 0, NDL_EINVAL (NULL loop), NDL_NOTFOUND (not live: it ran, was
 * cleared, or never existed), NDL_BADKIND (id names a callback that is not
 * a timer). */
NDL_EXTERN int ndl_clear_timeout(ndl_loop *loop, ndl_id id);
/** The same as ndl_clear_timeout(). */
NDL_EXTERN int ndl_clear_interval(ndl_loop *loop, ndl_id id);
/** An unref'd timer does not keep the loop alive; it still fires while
 * something else does. Errors as ndl_clear_timeout(). */
NDL_EXTERN int ndl_timer_unref(ndl_loop *loop, ndl_id id);
/** Undoes ndl_timer_unref(). Errors as ndl_clear_timeout(). */
NDL_EXTERN int ndl_timer_ref(ndl_loop *loop, ndl_id id);
/** Node's timeout.hasRef(): 1 if the live timer or interval keeps the loop
 * alive, 0 if it was unref'd. A timeout that has fired or been cleared is no
 * longer live (Node's object still answers; here its id is gone).
 * @return 1, 0, NDL_EINVAL (NULL loop), NDL_NOTFOUND, NDL_BADKIND. */
NDL_EXTERN int ndl_timer_has_ref(const ndl_loop *loop, ndl_id id);
/** @} */

/**
 * @defgroup queues Immediates, nextTick, microtasks
 * @{
 * After every single callback, the nextTick queue drains, then the microtask
 * queue, repeatedly until both are empty. Errors: NDL_EINVAL, NDL_ENOMEM,
 * NDL_NOIDS.
 */
/** Runs cb in the check phase (setImmediate). One queued while the check
 * phase runs waits for the next iteration's.
 * @return 0, NDL_EINVAL (NULL loop or cb), NDL_ENOMEM, NDL_NOIDS. */
NDL_EXTERN int ndl_set_immediate(ndl_loop *loop, ndl_cb cb, void *arg,
                                 ndl_id *id);
/** Clears an immediate that has not run, also one later in the running
 * batch. @return 0, NDL_EINVAL (NULL loop), NDL_NOTFOUND (not live),
 * NDL_BADKIND (id is not an immediate's). */
NDL_EXTERN int ndl_clear_immediate(ndl_loop *loop, ndl_id id);
/** Runs cb right after the current callback (or main), before any
 * microtask: process.nextTick. One queued while the queue drains runs in
 * the same drain.
 * @return 0, NDL_EINVAL (NULL loop or cb), NDL_ENOMEM, NDL_NOIDS. */
NDL_EXTERN int ndl_next_tick(ndl_loop *loop, ndl_cb cb, void *arg);
/** Runs cb once the nextTick queue is empty, after the current callback:
 * queueMicrotask, and a promise reaction. A nextTick queued by a microtask
 * waits until the microtask queue is empty.
 * @return 0, NDL_EINVAL (NULL loop or cb), NDL_ENOMEM, NDL_NOIDS. */
NDL_EXTERN int ndl_queue_microtask(ndl_loop *loop, ndl_cb cb, void *arg);
/** @} */

/**
 * @defgroup work Thread-pool work
 * @{
 * work(arg, result) runs on a pool thread; after(loop, result, arg) then runs
 * on the loop thread in the poll phase. Tasks queue without limit and start in
 * submission order. delay_ms is time the task spends before work runs (the
 * chapter's simulated slow read); on sim it is virtual time. kind names the
 * task in the trace ("File read").
 */
/** Queues a task; see the group's description. kind NULL is "Work", and a
 * longer kind is cut to fit. *id may be NULL.
 * @return 0, NDL_EINVAL (NULL loop, work or after; delay_ms < 0 or above
 * INT32_MAX), NDL_ENOMEM, NDL_NOIDS. */
NDL_EXTERN int ndl_queue_work(ndl_loop *loop, const char *kind,
                              int64_t delay_ms, ndl_work_fn work, ndl_cb after,
                              void *arg, ndl_id *id);
/** @} */

/**
 * @defgroup io File-descriptor readiness
 * @{
 * cb runs in the poll phase with an NDL_INT value holding the NDL_READABLE /
 * NDL_WRITABLE bits that fired, every time the fd is ready, until
 * ndl_io_stop(). The fd must be non-blocking. An error or hang-up on the fd
 * is reported as every event the watcher asked for plus NDL_HANGUP.
 */
/** The fd can be read (or is at end of file). */
#define NDL_READABLE 1u
/** The fd can be written. */
#define NDL_WRITABLE 2u
/** The fd had an error or a hang-up; only ever reported, never asked for. */
#define NDL_HANGUP 4u
/** Starts watching fd for events (NDL_READABLE and NDL_WRITABLE only).
 * *id may be NULL.
 * @return 0, NDL_EINVAL (NULL loop or cb, fd < 0, other bits in events),
 * NDL_ENOMEM, NDL_NOIDS, NDL_EEXIST (fd already watched), or the
 * platform's error (linux: epoll_ctl's, e.g. NDL_EBADF, NDL_EPERM for a
 * regular file, NDL_ENOSPC). */
NDL_EXTERN int ndl_io_start(ndl_loop *loop, int fd, unsigned events, ndl_cb cb,
                            void *arg, ndl_id *id);
/** Changes the events an fd is watched for. 0 keeps the watcher (and the
 * loop alive) without events.
 * @return 0, NDL_EINVAL (NULL loop, other bits in events), NDL_NOTFOUND (no
 * live watcher has this id), NDL_BADKIND (id is not a watcher's), or the
 * platform's error (linux: epoll_ctl's, e.g. NDL_ENOENT or NDL_EBADF when
 * the fd was closed; sim: NDL_ENOENT); the events are unchanged then. */
NDL_EXTERN int ndl_io_modify(ndl_loop *loop, ndl_id id, unsigned events);
/** Stops watching; the callback is cancelled, and an event already fired in
 * this poll phase is dropped. The fd may have been closed already.
 * @return 0, NDL_EINVAL (NULL loop), NDL_NOTFOUND (no live watcher has this
 * id), NDL_BADKIND (id is not a watcher's). */
NDL_EXTERN int ndl_io_stop(ndl_loop *loop, ndl_id id);
/** An unref'd watcher does not keep the loop alive, as Node's
 * server.unref().
 * @return 0, NDL_EINVAL (NULL loop), NDL_NOTFOUND, NDL_BADKIND. */
NDL_EXTERN int ndl_io_unref(ndl_loop *loop, ndl_id id);
/** Undoes ndl_io_unref(). Errors as ndl_io_unref(). */
NDL_EXTERN int ndl_io_ref(ndl_loop *loop, ndl_id id);
/** @} */

/**
 * @defgroup deferred Close and pending callbacks
 * @{
 * The two libuv-level queues: callbacks for the close phase, and callbacks
 * deferred to the next pending phase. Neither can be cleared.
 */
/** Queues cb(loop, undefined, arg) for the close phase of this iteration;
 * one queued during the close phase runs in the next iteration's. Within
 * one close phase the callbacks run newest first, as libuv's closing-handle
 * stack does. *id may be NULL.
 * @return 0, NDL_EINVAL (NULL loop or cb), NDL_ENOMEM, NDL_NOIDS. */
NDL_EXTERN int ndl_on_close(ndl_loop *loop, ndl_cb cb, void *arg, ndl_id *id);
/** Queues cb, with a copy of *value (NULL: undefined), for the next pending
 * callbacks phase, where libuv runs I/O callbacks deferred by one iteration:
 * the next iteration's, or this one's when called before its pending phase
 * (from main, or a timer). Callbacks run in the order they were queued.
 * *id may be NULL.
 * @return 0, NDL_EINVAL (NULL loop or cb, a string value whose ptr is
 * NULL), NDL_ENOMEM, NDL_NOIDS. */
NDL_EXTERN int ndl_defer(ndl_loop *loop, const ndl_value *value, ndl_cb cb,
                         void *arg, ndl_id *id);
/** @} */

/**
 * @defgroup process_events beforeExit and exit
 * @{
 * Node's process.on('beforeExit') and process.on('exit'). Listeners stay
 * for the loop's life, run in the order they were added (one added while
 * its event is emitted waits for the next one), and never keep the loop
 * alive; each gets an undefined value.
 *
 * When ndl_run() has run out of work (not when ndl_stop() ended it), every
 * beforeExit listener runs, in the NDL_PHASE_BEFORE_EXIT phase, then the
 * nextTicks and microtasks they queued. If they left work that keeps the
 * loop alive, the loop goes on, and they run again when it next runs out.
 * Then every exit listener runs, in NDL_PHASE_EXIT, then the microtasks
 * they queued; while they run, registering anything but a microtask fails
 * with NDL_EXITING (in Node such work is silently never run). ndl_run()
 * returns after that; running it again is allowed, and the listeners run
 * again at its end.
 */
/** Adds a beforeExit listener: cb(loop, undefined, arg).
 * @return 0, NDL_EINVAL (NULL loop or cb), NDL_ENOMEM. */
NDL_EXTERN int ndl_on_before_exit(ndl_loop *loop, ndl_cb cb, void *arg);
/** Adds an exit listener: cb(loop, undefined, arg).
 * @return 0, NDL_EINVAL (NULL loop or cb), NDL_ENOMEM. */
NDL_EXTERN int ndl_on_exit(ndl_loop *loop, ndl_cb cb, void *arg);
/** @} */

/**
 * @defgroup printing Printing, as the chapter's print() and print_content()
 * @{
 * Both go to the trace as events (NDL_TRACE_PRINT, NDL_TRACE_CONTENT), so
 * ndl_trace_print_chapter_style() prints them; without a trace they do
 * nothing.
 */
/** Emits a printf-formatted line (cut at 1023 bytes) as an NDL_TRACE_PRINT
 * event. A NULL loop or fmt does nothing. */
NDL_EXTERN void ndl_print(ndl_loop *loop, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/** Emits text under label (NULL: "") as an NDL_TRACE_CONTENT event. A NULL
 * loop or text does nothing. */
NDL_EXTERN void ndl_print_content(ndl_loop *loop, const char *label,
                                  const char *text);
/** @} */

/**
 * @defgroup modules The chapter's modules
 * @{
 * Pool tasks from the chapter, built on ndl_queue_work(): their callbacks
 * run in the poll phase. Each call copies what it needs, so its arguments
 * may be freed as soon as it returns. As with any work, a callback that has
 * not run when the loop is freed is cancelled.
 */

/** Reads the whole file at path on a pool thread (task kind "File read"),
 * after spending delay_ms there first (the chapter's simulated slow disk), and
 * passes cb an NDL_STRING holding its bytes. A failure reaches cb as an
 * NDL_ERROR whose code is -errno and whose message is Node's,
 * "ENOENT: no such file or directory, open 'path'": NDL_ENOENT, NDL_EISDIR,
 * NDL_EACCES, NDL_EFBIG (above 1 GiB), NDL_ENOMEM, or another system error.
 * @return 0, NDL_EINVAL (NULL loop, path or cb; delay_ms < 0 or above
 * INT32_MAX), NDL_ENOMEM, NDL_NOIDS. */
NDL_EXTERN int ndl_fs_read(ndl_loop *loop, const char *path, int64_t delay_ms,
                           ndl_cb cb, void *arg);

/** Computes Fibonacci number n with the chapter's naive recursion on a pool
 * thread (task kind "Encrypt") and passes cb an NDL_INT. n must be 0 to 45:
 * fib(50) would fit in int64_t, but the recursion makes about 2 * fib(n)
 * calls, so n = 45 takes seconds and n = 50 over a minute.
 * @return 0, NDL_EINVAL (NULL loop or cb, n out of range), NDL_ENOMEM,
 * NDL_NOIDS. */
NDL_EXTERN int ndl_crypto_encrypt(ndl_loop *loop, int64_t n, ndl_cb cb,
                                  void *arg);
/** @} */

#include "nodeloop_sim.h"

#ifdef __cplusplus
}
#endif
#endif /* NODELOOP_H */
