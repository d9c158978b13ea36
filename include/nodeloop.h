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

/**
 * @defgroup errors Errors
 * @{
 * System errors keep their negated errno value, as libuv does, so an error
 * from the kernel needs no translation. nodeloop's own errors sit above the
 * errno range.
 */
/** X(NAME, value, "message"): every error code, once. enum ndl_errno has
 * NDL_NAME = value for each row (NDL_EINVAL, ..., NDL_EXITING); a
 * function may also return another negated errno that the kernel gave it. */
#define NDL_ERRNO_MAP(X)                                                       \
  X(EINVAL, -EINVAL, "invalid argument")                                       \
  X(ENOMEM, -ENOMEM, "out of memory")                                          \
  X(EBUSY, -EBUSY, "loop is already running")                                  \
  X(ENOENT, -ENOENT, "no such file or directory")                              \
  X(EISDIR, -EISDIR, "illegal operation on a directory")                       \
  X(EACCES, -EACCES, "permission denied")                                      \
  X(EFBIG, -EFBIG, "file too large")                                           \
  X(EMFILE, -EMFILE, "too many open files")                                    \
  X(EAGAIN, -EAGAIN, "resource temporarily unavailable")                       \
  X(EINTR, -EINTR, "interrupted system call")                                  \
  X(ERANGE, -ERANGE, "result out of range")                                    \
  X(ECONNREFUSED, -ECONNREFUSED, "connection refused")                         \
  X(ECONNRESET, -ECONNRESET, "connection reset by peer")                       \
  X(ECONNABORTED, -ECONNABORTED, "software caused connection abort")           \
  X(ETIMEDOUT, -ETIMEDOUT, "connection timed out")                             \
  X(EPIPE, -EPIPE, "broken pipe")                                              \
  X(ENOTCONN, -ENOTCONN, "socket is not connected")                            \
  X(EADDRINUSE, -EADDRINUSE, "address already in use")                         \
  X(ENOSPC, -ENOSPC, "no space left on device")                                \
  X(ENOTSUP, -ENOTSUP, "operation not supported")                              \
  X(ECANCELED, -ECANCELED, "operation canceled")                               \
  X(EEXIST, -EEXIST, "file descriptor is already watched")                     \
  X(EIO, -EIO, "input/output error")                                           \
  X(EDEADLK, -EDEADLK, "the loop would block forever (sim)")                   \
  X(EBADF, -EBADF, "bad file descriptor")                                      \
  X(EPERM, -EPERM, "operation not permitted")                                  \
  X(NOIDS, -4001, "every callback id is in use")                               \
  X(NOTFOUND, -4002, "no live callback has this id")                           \
  X(BADKIND, -4003, "id names a callback of another kind")                     \
  X(NOTHREADS, -4004, "no pool thread could be started")                       \
  X(BADURL, -4005, "malformed URL")                                            \
  X(BADRESPONSE, -4006, "malformed HTTP response")                             \
  X(EAI, -4007, "name lookup failed")                                          \
  X(BADFAULTS, -4008, "malformed fault plan")                                  \
  X(EXITING, -4009, "the loop is exiting: only microtasks may be queued")

/** The error codes: NDL_NAME for each row of NDL_ERRNO_MAP. */
enum ndl_errno {
#define NDL_ERRNO_ENUM(name, value, msg) NDL_##name = (value),
  NDL_ERRNO_MAP(NDL_ERRNO_ENUM)
#undef NDL_ERRNO_ENUM
};

/** The message for an error code ("invalid argument"), "success" for 0, or
 * "unknown error" for any other value. Never fails. */
NDL_EXTERN const char *ndl_strerror(int err);
/** The symbolic name of an error code ("ENOENT", "NOIDS"), "OK" for 0, or
 * "UNKNOWN" for any other value. Never fails. */
NDL_EXTERN const char *ndl_err_name(int err);
/** @} */

/**
 * @defgroup values Values
 * @{
 * What a callback receives: the chapter's Js enum plus errors. The library
 * owns the memory; it is valid for the duration of the callback.
 *
 * The setters are for work functions. They replace what the value held. The
 * string setters copy; on ENOMEM the value becomes an NDL_ENOMEM error. A
 * NULL v, s or fmt is NDL_EINVAL from the int setters (the value is left as
 * it was; a NULL s is refused even when len is 0), and makes the void ones
 * (set_undefined, set_int, clear) do nothing.
 */
/** Which member of ndl_value::as holds the value. */
typedef enum ndl_value_kind {
  NDL_UNDEFINED = 0, /**< nothing: success without a result */
  NDL_STRING,        /**< as.str */
  NDL_INT,           /**< as.i */
  NDL_ERROR          /**< as.err */
} ndl_value_kind;

/** A tagged value: undefined, a string, an int or an error. */
typedef struct ndl_value {
  ndl_value_kind kind; /**< which member of as is set */
  /** The value, as kind says. */
  union {
    /** NDL_STRING: the bytes, which may contain NULs. */
    struct {
      char *ptr;  /**< NUL-terminated, and len excludes the NUL */
      size_t len; /**< the length in bytes */
    } str;
    int64_t i; /**< NDL_INT */
    /** NDL_ERROR: a code, a message, and the system call that failed. */
    struct {
      int code;  /**< a negative ndl_errno */
      char *msg; /**< Node's text ("ENOENT: ...", "connect ECONNREFUSED
                    127.0.0.1:80"), or NULL */
      /** Node's err.syscall: the system call that failed ("open", "read",
       * "connect", "write", "getaddrinfo"), a static string, or NULL
       * (ndl_value_set_error() sets NULL; set it after). */
      const char *syscall;
    } err;
  } as;
} ndl_value;

/** Makes v undefined, freeing what it owned. A NULL v does nothing. */
NDL_EXTERN void ndl_value_set_undefined(ndl_value *v);
/** Makes v the NDL_INT i, freeing what it owned. A NULL v does
 * nothing. */
NDL_EXTERN void ndl_value_set_int(ndl_value *v, int64_t i);
/** Makes v an NDL_STRING holding a NUL-terminated copy of the len bytes at
 * s. @return 0, NDL_EINVAL (NULL v or s; v unchanged) or NDL_ENOMEM (v
 * becomes an NDL_ENOMEM error). */
NDL_EXTERN int ndl_value_set_string(ndl_value *v, const char *s, size_t len);
/** Makes v an NDL_ERROR with code (a non-negative code becomes NDL_EINVAL)
 * and a printf-formatted message, cut at 511 bytes. @return 0, NDL_EINVAL
 * (NULL v or fmt; v unchanged) or NDL_ENOMEM (v becomes an NDL_ENOMEM error
 * without a message). */
NDL_EXTERN int ndl_value_set_error(ndl_value *v, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/** Frees what the value owns and makes it undefined. A NULL v does
 * nothing. */
NDL_EXTERN void ndl_value_clear(ndl_value *v);
/** @} */

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
  NDL_BACKEND_SIM        /**< virtual clock, scripted poller, seeded workers */
} ndl_backend;
/** @} */

/**
 * @defgroup trace Trace
 * @{
 * Every step of the loop, for printing, counting and export. Events from pool
 * threads arrive on those threads, so a sink must be thread-safe.
 *
 * Each kind, phase and trace event below is named once, in its X-macro:
 * the enum and every name table (ndl_phase_name(), ndl_cb_kind_name(), the
 * trace writers) are generated from it, so a name cannot drift from its
 * value or be spelled two ways. The order is the enums' values (public
 * API): append, never reorder.
 */

/** X(NAME, "text"): the events, NDL_TRACE_NAME in enum ndl_trace_kind;
 * ndl_trace_print_verbose() shows the text. */
#define NDL_TRACE_KIND_MAP(X)                                                  \
  X(REGISTER, "register")     /* a callback was registered: id, cb_kind */     \
  X(CANCEL, "cancel")         /* a callback was cleared before it ran */       \
  X(TICK, "tick")             /* an iteration starts: tick */                  \
  X(PHASE, "phase")           /* a phase starts: phase */                      \
  X(CB_START, "cb_start")     /* a callback starts: id, cb_kind */             \
  X(CB_END, "cb_end")         /* a callback returned: id, cb_kind */           \
  X(WORK_START, "work_start") /* a pool thread took a task: id, text (kind) */ \
  X(WORK_DONE, "work_done")   /* a pool thread finished it: id, text (kind) */ \
  X(PRINT, "print")           /* ndl_print(): text */                          \
  X(CONTENT, "content")       /* ndl_print_content(): text, label */           \
  X(NOTE, "note")             /* the library says something: text */           \
  X(FINISHED, "finished")     /* ndl_run() is returning */

/** The kind of a trace event: NDL_TRACE_NAME for each row of
 * NDL_TRACE_KIND_MAP. */
typedef enum ndl_trace_kind {
#define NDL_TRACE_KIND_ENUM(name, text) NDL_TRACE_##name,
  NDL_TRACE_KIND_MAP(NDL_TRACE_KIND_ENUM)
#undef NDL_TRACE_KIND_ENUM
} ndl_trace_kind;

/** X(NAME, "text"): the callback kinds, NDL_CB_NAME in enum ndl_cb_kind,
 * named as Node names them. */
#define NDL_CB_KIND_MAP(X)                                                     \
  X(TIMEOUT, "timeout")                                                        \
  X(INTERVAL, "interval")                                                      \
  X(IMMEDIATE, "immediate")                                                    \
  X(NEXT_TICK, "nextTick")                                                     \
  X(MICROTASK, "microtask")                                                    \
  X(WORK, "work")                                                              \
  X(IO, "io")                                                                  \
  X(PENDING, "pending")                                                        \
  X(CLOSE, "close")
/** The kind of a callback: NDL_CB_NAME for each row of NDL_CB_KIND_MAP. */
typedef enum ndl_cb_kind {
#define NDL_CB_KIND_ENUM(name, text) NDL_CB_##name,
  /* The expansion ends in a comma, which clang-format cannot see. */
  /* clang-format off */
  NDL_CB_KIND_MAP(NDL_CB_KIND_ENUM)
#undef NDL_CB_KIND_ENUM
  NDL_CB_KIND_COUNT /**< also the cb_kind of an event about no callback */
  /* clang-format on */
} ndl_cb_kind;

/** X(NAME, "text"): the phases of one iteration, NDL_PHASE_NAME in enum
 * ndl_phase, in the order they run (docs/semantics.md), named as Node's
 * event loop guide names them. MAIN is ndl_run()'s main function, before
 * the first iteration; BEFORE_EXIT and EXIT are the listeners of
 * ndl_on_before_exit() and ndl_on_exit(), after the last iteration. */
#define NDL_PHASE_MAP(X)                                                       \
  X(MAIN, "main")                                                              \
  X(TIMERS, "timers")                                                          \
  X(PENDING, "pending")                                                        \
  X(IDLE_PREPARE, "idle/prepare")                                              \
  X(POLL, "poll")                                                              \
  X(CHECK, "check")                                                            \
  X(CLOSE, "close")                                                            \
  X(BEFORE_EXIT, "beforeExit")                                                 \
  X(EXIT, "exit")
/** A phase: NDL_PHASE_NAME for each row of NDL_PHASE_MAP. */
typedef enum ndl_phase {
#define NDL_PHASE_ENUM(name, text) NDL_PHASE_##name,
  /* The expansion ends in a comma, which clang-format cannot see. */
  /* clang-format off */
  NDL_PHASE_MAP(NDL_PHASE_ENUM)
#undef NDL_PHASE_ENUM
  NDL_PHASE_COUNT /**< the number of phases, not a phase */
  /* clang-format on */
} ndl_phase;

/** The phase's name ("idle/prepare"), or "?" for a value outside the enum. */
NDL_EXTERN const char *ndl_phase_name(ndl_phase phase);
/** The callback kind's name ("nextTick"); "-" for NDL_CB_KIND_COUNT (an
 * event about no callback), "?" for a value outside the enum. */
NDL_EXTERN const char *ndl_cb_kind_name(ndl_cb_kind kind);

/** One step of the loop, as a trace function receives it. Its strings are
 * valid only during the call. */
typedef struct ndl_trace_event {
  ndl_trace_kind kind; /**< what happened */
  const char *thread;  /**< "main", "pool0", ... */
  uint64_t now_ns;     /**< loop thread: the loop time cached for the
                        iteration (updated after the poll wait); a pool
                        thread: the clock it read */
  uint64_t tick;       /**< the iteration, from 1; 0 during main, and in a
                          pool thread's events */
  ndl_phase phase;     /**< the phase the loop thread is in; POLL in a pool
                          thread's events */
  ndl_cb_kind cb_kind; /**< the callback's kind, or NDL_CB_KIND_COUNT */
  ndl_id id;           /**< the callback's id, or 0 */
  const char *text;    /**< PRINT, CONTENT, NOTE, WORK_*: else NULL */
  const char *label;   /**< CONTENT: else NULL */
} ndl_trace_event;

/** A trace sink: ndl_options::trace, called with ndl_options::trace_ctx for
 * every event, on the thread where it happened. */
typedef void (*ndl_trace_fn)(void *ctx, const ndl_trace_event *ev);

/** The chapter's output style ("Thread: main\t msg", "===== TICK n =====",
 * content blocks, "FINISHED") written to the FILE* given as ctx (NULL:
 * stdout). It prints PRINT, CONTENT, TICK, WORK_START, WORK_DONE, NOTE and
 * FINISHED events, and REGISTER events of timers and fd watchers. */
NDL_EXTERN void ndl_trace_print_chapter_style(void *file,
                                              const ndl_trace_event *ev);
/** Every event, one line each, with virtual or real time, to the FILE*
 * given as ctx (NULL: stdout): for debugging. Columns: time in ms, thread,
 * tick, phase, event, callback kind, id, text. */
NDL_EXTERN void ndl_trace_print_verbose(void *file, const ndl_trace_event *ev);

/** A Chrome trace writer; opaque.
 *
 * The trace as Chrome Trace Event Format (JSON), for Perfetto's UI and
 * chrome://tracing: ticks, phases and callbacks as slices on the loop
 * thread's track, pool tasks on their workers' tracks, timers set and
 * prints (ndl_print, ndl_print_content; text in args, up to 4 KiB) as
 * instant events, and flow arrows from registrations to callbacks. Text
 * is escaped for JSON, invalid UTF-8 becomes U+FFFD, and names are cut
 * (at 64 bytes) between characters.
 *
 *     ndl_chrome_trace *t;
 *     ndl_chrome_trace_open("trace.json", &t);
 *     opts.trace = ndl_chrome_trace_event; opts.trace_ctx = t;
 *     ndl_loop_new(&opts, &loop);
 *     ndl_chrome_trace_attach(t, loop);   (timestamps from the loop's clock)
 *     ndl_run(...); ndl_loop_free(loop);
 *     ndl_chrome_trace_close(t);
 */
typedef struct ndl_chrome_trace ndl_chrome_trace;
/** Creates (or truncates) the file at path and starts the JSON.
 * @return 0, NDL_EINVAL (NULL path or out), NDL_ENOMEM, or the system
 * error from fopen (NDL_ENOENT, NDL_EACCES, ...). */
NDL_EXTERN int ndl_chrome_trace_open(const char *path, ndl_chrome_trace **out);
/** The trace function (an ndl_trace_fn) to set as ndl_options::trace, with
 * the ndl_chrome_trace as ndl_options::trace_ctx. Thread-safe. A write that
 * fails is remembered and reported by ndl_chrome_trace_close(). */
NDL_EXTERN void ndl_chrome_trace_event(void *chrome_trace,
                                       const ndl_trace_event *ev);
/** Stamps the loop thread's events with a fresh reading of loop's clock
 * rather than their now_ns (the time cached for the iteration, which would
 * make every slice empty); pool threads' events keep theirs. A NULL t does
 * nothing. */
NDL_EXTERN void ndl_chrome_trace_attach(ndl_chrome_trace *t,
                                        const struct ndl_loop *loop);
/** Also hands every event to next (e.g. ndl_trace_print_chapter_style), with
 * next_ctx. A NULL t does nothing. */
NDL_EXTERN void ndl_chrome_trace_chain(ndl_chrome_trace *t, ndl_trace_fn next,
                                       void *next_ctx);
/** Ends the JSON, closes the file and frees t (NULL: does nothing, returns
 * 0). Call it after ndl_loop_free(). @return 0, or NDL_EIO if anything
 * could not be written. */
NDL_EXTERN int ndl_chrome_trace_close(ndl_chrome_trace *t);
/** @} */

/**
 * @addtogroup loop
 * @{
 */
/** What ndl_loop_new() takes; ndl_options_init() fills in the defaults. */
typedef struct ndl_options {
  ndl_backend backend; /**< NDL_BACKEND_LINUX (default) or NDL_BACKEND_SIM */
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
} ndl_options;

/** Fills *opts with the defaults: linux backend, 4 threads, no trace. */
NDL_EXTERN void ndl_options_init(ndl_options *opts);

/** Creates a loop (opts NULL: the defaults). The first call in a process
 * also applies NODELOOP_FAULTS (ndl_faults_from_env()); a bad plan there
 * makes every creation fail. *out is NULL on failure.
 * @return 0, NDL_EINVAL (NULL out, bad option, bad
 * NODELOOP_THREADPOOL_SIZE), NDL_ENOMEM, NDL_NOTHREADS, NDL_BADFAULTS (a bad
 * NODELOOP_FAULTS or NODELOOP_FAULTS_SEED), or a system error from the
 * platform (NDL_EMFILE from epoll_create or eventfd, ...). */
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
/** The backend's name: "linux" or "sim". */
NDL_EXTERN const char *ndl_backend_name(const ndl_loop *loop);
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

/**
 * @defgroup sim Sim backend controls
 * @{
 * Each checks its arguments first (NDL_EINVAL), then answers NDL_ENOTSUP on
 * another backend; a declaration that needs memory may fail with
 * NDL_ENOMEM.
 */
/** fd becomes ready for events at virtual time at_ms: its watcher's
 * callback runs in the first poll phase at or after it. A script for an fd
 * that nobody watches for those events waits until someone does.
 * @return 0, NDL_EINVAL (NULL loop, fd < 0, events 0, at_ms too large to
 * count in ns), NDL_ENOTSUP, NDL_ENOMEM. */
NDL_EXTERN int ndl_sim_script_ready(ndl_loop *loop, int fd, unsigned events,
                                    uint64_t at_ms);
/** Moves the virtual clock forward, as if the caller computed for ms; pool
 * tasks due meanwhile finish (their callbacks run in the next poll phase).
 * @return 0, NDL_EINVAL (NULL loop, ms too large to count in ns),
 * NDL_ENOTSUP. */
NDL_EXTERN int ndl_sim_advance(ndl_loop *loop, uint64_t ms);

/** The simulated disk: what ndl_fs_read() finds at path, a copy of len bytes
 * at data. A path declared twice keeps the latest declaration; a path never
 * declared is NDL_ENOENT. Nothing touches the real disk.
 * @return 0, NDL_EINVAL (NULL loop or path, NULL data with len > 0),
 * NDL_ENOTSUP, NDL_ENOMEM. */
NDL_EXTERN int ndl_sim_file(ndl_loop *loop, const char *path, const void *data,
                            size_t len);
/** path is a directory: reading it fails with NDL_EISDIR.
 * @return 0, NDL_EINVAL (NULL loop or path), NDL_ENOTSUP, NDL_ENOMEM. */
NDL_EXTERN int ndl_sim_dir(ndl_loop *loop, const char *path);
/** Opening path fails with err (negative: NDL_EACCES, NDL_EIO, ...).
 * @return 0, NDL_EINVAL (NULL loop or path, err >= 0), NDL_ENOTSUP,
 * NDL_ENOMEM. */
NDL_EXTERN int ndl_sim_file_error(ndl_loop *loop, const char *path, int err);
/** The simulated network resolves name to the numeric address ip;
 * "localhost" is 127.0.0.1 without being declared. Connections go to
 * listeners on the same loop; a port nobody listens on refuses.
 * @return 0, NDL_EINVAL (NULL loop, name or ip; ip not a numeric IPv4 or
 * IPv6 address), NDL_ENOTSUP, NDL_ENOMEM. */
NDL_EXTERN int ndl_sim_host(ndl_loop *loop, const char *name, const char *ip);
/** @} */

#ifdef __cplusplus
}
#endif
#endif /* NODELOOP_H */
