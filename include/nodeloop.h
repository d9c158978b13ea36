/*
 * nodeloop: Node.js's event loop in C11.
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
 */
#ifndef NODELOOP_H
#define NODELOOP_H

#include <errno.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- Version and linkage ------------------------------------------------
 * The version of these headers; ndl_version() gives the library's, which
 * differs when a program runs against another build of the shared library.
 * CMakeLists.txt reads the project's version from these three lines. */
#define NDL_VERSION_MAJOR 0
#define NDL_VERSION_MINOR 1
#define NDL_VERSION_PATCH 0
/* (major << 16) | (minor << 8) | patch, comparable with <, as libuv's. */
#define NDL_VERSION_HEX                                                        \
  ((NDL_VERSION_MAJOR << 16) | (NDL_VERSION_MINOR << 8) | NDL_VERSION_PATCH)

/* Marks the public functions: the shared library is built with hidden
 * visibility, so these are the only symbols it exports. */
#if defined(__GNUC__) || defined(__clang__)
#define NDL_EXTERN __attribute__((visibility("default")))
#else
#define NDL_EXTERN
#endif

/* The library's version as NDL_VERSION_HEX computes it, and as text
 * ("0.1.0"). */
NDL_EXTERN unsigned ndl_version(void);
NDL_EXTERN const char *ndl_version_string(void);

/* ---- Errors -------------------------------------------------------------
 * System errors keep their negated errno value, as libuv does, so an error
 * from the kernel needs no translation. nodeloop's own errors sit above the
 * errno range. */
#define NDL_ERRNO_MAP(X)                                                       \
  X(EINVAL, -EINVAL, "invalid argument")                                       \
  X(ENOMEM, -ENOMEM, "out of memory")                                          \
  X(EBUSY, -EBUSY, "loop is already running")                                  \
  X(ENOENT, -ENOENT, "no such file or directory")                              \
  X(EISDIR, -EISDIR, "is a directory")                                         \
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

enum ndl_errno {
#define NDL_ERRNO_ENUM(name, value, msg) NDL_##name = (value),
  NDL_ERRNO_MAP(NDL_ERRNO_ENUM)
#undef NDL_ERRNO_ENUM
};

/* The message for an error code, or "unknown error" for any other value. */
NDL_EXTERN const char *ndl_strerror(int err);
/* The symbolic name ("ENOENT", "NOIDS") of an error code. */
NDL_EXTERN const char *ndl_err_name(int err);

/* ---- Values ----------------------------------------------------------------
 * What a callback receives: the chapter's Js enum plus errors. The library owns
 * the memory; it is valid for the duration of the callback. */
typedef enum ndl_value_kind {
  NDL_UNDEFINED = 0,
  NDL_STRING,
  NDL_INT,
  NDL_ERROR
} ndl_value_kind;

typedef struct ndl_value {
  ndl_value_kind kind;
  union {
    struct {
      char *ptr; /* NUL-terminated, and len excludes the NUL */
      size_t len;
    } str;
    int64_t i;
    struct {
      int code; /* a negative ndl_errno */
      char *msg;
    } err;
  } as;
} ndl_value;

/* Setters for work functions. They replace what the value held. The string
 * setters copy; on ENOMEM the value becomes an NDL_ENOMEM error. A NULL v,
 * s or fmt is NDL_EINVAL from the int setters (the value is left as it
 * was; a NULL s is refused even when len is 0), and makes the void ones
 * (set_undefined, set_int, clear) do nothing. Errors: NDL_EINVAL,
 * NDL_ENOMEM. */
NDL_EXTERN void ndl_value_set_undefined(ndl_value *v);
NDL_EXTERN void ndl_value_set_int(ndl_value *v, int64_t i);
NDL_EXTERN int ndl_value_set_string(ndl_value *v, const char *s, size_t len);
NDL_EXTERN int ndl_value_set_error(ndl_value *v, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Frees what the value owns and makes it undefined. */
NDL_EXTERN void ndl_value_clear(ndl_value *v);

/* ---- The loop ------------------------------------------------------------ */
typedef struct ndl_loop ndl_loop;

/* A callback id, unique among live callbacks. 0 is never a valid id. */
typedef uint32_t ndl_id;

typedef void (*ndl_cb)(ndl_loop *loop, const ndl_value *value, void *arg);
typedef void (*ndl_main_fn)(ndl_loop *loop, void *arg);
/* Runs on a pool thread. It must not call into the loop. */
typedef void (*ndl_work_fn)(void *arg, ndl_value *result);

typedef enum ndl_backend {
  NDL_BACKEND_LINUX = 0, /* epoll, eventfd, pthreads, CLOCK_MONOTONIC */
  NDL_BACKEND_SIM        /* virtual clock, scripted poller, seeded workers */
} ndl_backend;

/* ---- Trace ----------------------------------------------------------------
 * Every step of the loop, for printing, counting and export. Events from pool
 * threads arrive on those threads, so a sink must be thread-safe. */
/* Each kind, phase and trace event below is named once, in its X-macro:
 * the enum and every name table (ndl_phase_name(), ndl_cb_kind_name(), the
 * trace writers) are generated from it, so a name cannot drift from its
 * value or be spelled two ways. The order is the enums' values (public
 * API): append, never reorder. */

/* X(NAME, "text"): the events; ndl_trace_print_verbose() shows the text. */
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

typedef enum ndl_trace_kind {
#define NDL_TRACE_KIND_ENUM(name, text) NDL_TRACE_##name,
  NDL_TRACE_KIND_MAP(NDL_TRACE_KIND_ENUM)
#undef NDL_TRACE_KIND_ENUM
} ndl_trace_kind;

/* X(NAME, "text"): the callback kinds, named as Node names them. */
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

typedef enum ndl_cb_kind {
#define NDL_CB_KIND_ENUM(name, text) NDL_CB_##name,
  /* The expansion ends in a comma, which clang-format cannot see. */
  /* clang-format off */
  NDL_CB_KIND_MAP(NDL_CB_KIND_ENUM)
#undef NDL_CB_KIND_ENUM
  NDL_CB_KIND_COUNT /* also the cb_kind of an event about no callback */
  /* clang-format on */
} ndl_cb_kind;

/* X(NAME, "text"): the phases of one iteration, in the order they run
 * (docs/semantics.md), named as Node's event loop guide names them. */
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

typedef enum ndl_phase {
#define NDL_PHASE_ENUM(name, text) NDL_PHASE_##name,
  /* The expansion ends in a comma, which clang-format cannot see. */
  /* clang-format off */
  NDL_PHASE_MAP(NDL_PHASE_ENUM)
#undef NDL_PHASE_ENUM
  NDL_PHASE_COUNT
  /* clang-format on */
} ndl_phase;

/* The phase's name ("idle/prepare"), or "?" for a value outside the enum. */
NDL_EXTERN const char *ndl_phase_name(ndl_phase phase);
/* The callback kind's name ("nextTick"); "-" for NDL_CB_KIND_COUNT (an
 * event about no callback), "?" for a value outside the enum. */
NDL_EXTERN const char *ndl_cb_kind_name(ndl_cb_kind kind);

typedef struct ndl_trace_event {
  ndl_trace_kind kind;
  const char *thread; /* "main", "pool0", ... */
  uint64_t now_ns;    /* the loop's clock when the event happened */
  uint64_t tick;
  ndl_phase phase;
  ndl_cb_kind cb_kind;
  ndl_id id;
  const char *text;  /* PRINT, CONTENT, NOTE, WORK_*: else NULL */
  const char *label; /* CONTENT: else NULL */
} ndl_trace_event;

typedef void (*ndl_trace_fn)(void *ctx, const ndl_trace_event *ev);

/* The chapter's output style ("Thread: main\t msg", "===== TICK n =====",
 * content blocks, "FINISHED") written to the FILE* given as ctx. It prints
 * PRINT, CONTENT, TICK, WORK_START, WORK_DONE, NOTE and FINISHED events. */
NDL_EXTERN void ndl_trace_print_chapter_style(void *file,
                                              const ndl_trace_event *ev);
/* Every event, one line each, with virtual or real time: for debugging. */
NDL_EXTERN void ndl_trace_print_verbose(void *file, const ndl_trace_event *ev);

/* The trace as Chrome Trace Event Format (JSON), for Perfetto's UI and
 * chrome://tracing: ticks, phases and callbacks as slices on the loop
 * thread's track, pool tasks on their workers' tracks, timers set and
 * prints (ndl_print, ndl_print_content; text in args, up to 4 KiB) as
 * instant events, and flow arrows from registrations to callbacks. Text
 * is escaped for JSON, invalid UTF-8 becomes U+FFFD, and names are cut
 * (at 64 bytes) between characters.
 *
 *   ndl_chrome_trace *t;
 *   ndl_chrome_trace_open("trace.json", &t);
 *   opts.trace = ndl_chrome_trace_event; opts.trace_ctx = t;
 *   ndl_loop_new(&opts, &loop);
 *   ndl_chrome_trace_attach(t, loop);   (timestamps from the loop's clock)
 *   ndl_run(...); ndl_loop_free(loop);
 *   ndl_chrome_trace_close(t);
 *
 * Errors: NDL_EINVAL, NDL_ENOMEM, a system error from fopen; close returns
 * NDL_EIO if anything could not be written. */
typedef struct ndl_chrome_trace ndl_chrome_trace;
NDL_EXTERN int ndl_chrome_trace_open(const char *path, ndl_chrome_trace **out);
NDL_EXTERN void ndl_chrome_trace_event(void *chrome_trace,
                                       const ndl_trace_event *ev);
NDL_EXTERN void ndl_chrome_trace_attach(ndl_chrome_trace *t,
                                        const struct ndl_loop *loop);
/* Also hands every event to next (e.g. ndl_trace_print_chapter_style). */
NDL_EXTERN void ndl_chrome_trace_chain(ndl_chrome_trace *t, ndl_trace_fn next,
                                       void *next_ctx);
NDL_EXTERN int ndl_chrome_trace_close(ndl_chrome_trace *t);

typedef struct ndl_options {
  ndl_backend backend;
  /* Pool threads. 0 means NODELOOP_THREADPOOL_SIZE from the environment, or
   * 4. Valid: 1 to 1024. */
  unsigned threadpool_size;
  ndl_trace_fn trace;
  void *trace_ctx;
  /* Bits in a callback id, 2 to 32. 0 means 32. Narrow widths let tests wrap
   * the id counter in a few hundred operations. */
  unsigned id_bits;
  /* Sim backend only. */
  uint64_t sim_seed;
  /* Sim: each task's virtual duration is its own delay plus a uniform draw
   * in [0, sim_work_spread_ns]. */
  uint64_t sim_work_spread_ns;
  /* Sim: run work on the loop thread as soon as it is submitted, and
   * complete it at the next poll, in submission order. For unit tests. */
  int sim_inline_work;
  /* Sim network: the one-way latency of a segment is this plus a uniform
   * draw in [0, sim_net_latency_ns]. 0 means 100 us, a loopback's order of
   * magnitude. */
  uint64_t sim_net_latency_ns;
} ndl_options;

/* Fills *opts with the defaults: linux backend, 4 threads, no trace. */
NDL_EXTERN void ndl_options_init(ndl_options *opts);

/* Creates a loop. Errors: NDL_EINVAL (bad option, bad
 * NODELOOP_THREADPOOL_SIZE), NDL_ENOMEM, NDL_NOTHREADS, or a system error
 * from the platform. *out is NULL on failure. */
NDL_EXTERN int ndl_loop_new(const ndl_options *opts, ndl_loop **out);

/* Runs main(loop, arg) (NULL is allowed), then ticks until nothing keeps the
 * loop alive or ndl_stop() is called. Errors: NDL_EINVAL, NDL_EBUSY (already
 * running), or a fatal platform error. */
NDL_EXTERN int ndl_run(ndl_loop *loop, ndl_main_fn main, void *arg);

/* Makes ndl_run() return after the current phase. Any thread may call it.
 * Callbacks that were not run stay registered. Errors: NDL_EINVAL. */
NDL_EXTERN int ndl_stop(ndl_loop *loop);

/* Frees the loop, its threads and its fds, and every TCP handle and HTTP
 * request still open on it (their sockets closed, no callback run).
 * Callbacks that never ran are cancelled (counted in ndl_stats.cancelled);
 * queued pool tasks never run. Errors: NDL_EBUSY when called from inside
 * ndl_run(), or when a pool task's body has not returned within a second
 * (a read of a FIFO that no one opens, say): nothing is freed then, the
 * loop can no longer run, and ndl_loop_free() may be called again. A NULL
 * loop is a no-op. */
NDL_EXTERN int ndl_loop_free(ndl_loop *loop);

/* The loop's clock in ms, and in ns. On sim, virtual time since creation. */
NDL_EXTERN uint64_t ndl_now(const ndl_loop *loop);
NDL_EXTERN uint64_t ndl_now_ns(const ndl_loop *loop);
/* The backend's name: "linux" or "sim". */
NDL_EXTERN const char *ndl_backend_name(const ndl_loop *loop);
/* The number of pool threads that are running. */
NDL_EXTERN unsigned ndl_threadpool_size(const ndl_loop *loop);

/* Counted by the loop. "lost" is what was registered and neither ran nor was
 * cancelled when ndl_run() returned with nothing left alive; "duplicated"
 * counts runs of a callback that had already run. Both must be 0. */
typedef struct ndl_stats {
  uint64_t registered;
  uint64_t callbacks; /* callback invocations */
  uint64_t cancelled;
  uint64_t lost;
  uint64_t duplicated;
  uint64_t ticks;
  uint64_t live; /* registered callbacks that are still live */
} ndl_stats;
NDL_EXTERN void ndl_get_stats(const ndl_loop *loop, ndl_stats *out);

/* ---- Timers -----------------------------------------------------------------
 * A timer starts at the loop's clock read at the moment it is set, not at the
 * time cached for the iteration. A delay of 0 is 1 ms, as in Node, and so is
 * a delay above 2^31 - 1 ms (Node's TIMEOUT_MAX), for which the trace gets an
 * NDL_TRACE_NOTE ("TimeoutOverflowWarning", as Node warns). Timers due at
 * the same time fire in the order they were set. */

/* Errors: NDL_EINVAL (NULL cb or loop, delay < 0), NDL_ENOMEM, NDL_NOIDS.
 * *id may be NULL. */
NDL_EXTERN int ndl_set_timeout(ndl_loop *loop, int64_t delay_ms, ndl_cb cb,
                               void *arg, ndl_id *id);
NDL_EXTERN int ndl_set_interval(ndl_loop *loop, int64_t delay_ms, ndl_cb cb,
                                void *arg, ndl_id *id);
/* Clear a timeout or an interval. Errors: NDL_EINVAL, NDL_NOTFOUND (not
 * live: it ran, was cleared, or never existed), NDL_BADKIND. */
NDL_EXTERN int ndl_clear_timeout(ndl_loop *loop, ndl_id id);
NDL_EXTERN int ndl_clear_interval(ndl_loop *loop, ndl_id id);
/* An unref'd timer does not keep the loop alive. Errors as
 * ndl_clear_timeout. */
NDL_EXTERN int ndl_timer_unref(ndl_loop *loop, ndl_id id);
NDL_EXTERN int ndl_timer_ref(ndl_loop *loop, ndl_id id);

/* ---- Immediates, nextTick, microtasks ---------------------------------------
 * After every single callback, the nextTick queue drains, then the microtask
 * queue, repeatedly until both are empty. Errors: NDL_EINVAL, NDL_ENOMEM,
 * NDL_NOIDS. */
NDL_EXTERN int ndl_set_immediate(ndl_loop *loop, ndl_cb cb, void *arg,
                                 ndl_id *id);
NDL_EXTERN int ndl_clear_immediate(ndl_loop *loop, ndl_id id);
NDL_EXTERN int ndl_next_tick(ndl_loop *loop, ndl_cb cb, void *arg);
NDL_EXTERN int ndl_queue_microtask(ndl_loop *loop, ndl_cb cb, void *arg);

/* ---- Thread-pool work -------------------------------------------------------
 * work(arg, result) runs on a pool thread; after(loop, result, arg) then runs
 * on the loop thread in the poll phase. Tasks queue without limit and start in
 * submission order. delay_ms is time the task spends before work runs (the
 * chapter's simulated slow read); on sim it is virtual time. kind names the
 * task in the trace ("File read"). Errors: NDL_EINVAL, NDL_ENOMEM, NDL_NOIDS.
 */
NDL_EXTERN int ndl_queue_work(ndl_loop *loop, const char *kind,
                              int64_t delay_ms, ndl_work_fn work, ndl_cb after,
                              void *arg, ndl_id *id);

/* ---- File-descriptor readiness ----------------------------------------------
 * cb runs in the poll phase with an NDL_INT value holding the NDL_READABLE /
 * NDL_WRITABLE bits that fired, every time the fd is ready, until
 * ndl_io_stop(). The fd must be non-blocking. Errors: NDL_EINVAL, NDL_ENOMEM,
 * NDL_NOIDS, NDL_EEXIST (fd already watched), or the platform's error. */
#define NDL_READABLE 1u
#define NDL_WRITABLE 2u
#define NDL_HANGUP 4u
NDL_EXTERN int ndl_io_start(ndl_loop *loop, int fd, unsigned events, ndl_cb cb,
                            void *arg, ndl_id *id);
/* Changes the events an fd is watched for. */
NDL_EXTERN int ndl_io_modify(ndl_loop *loop, ndl_id id, unsigned events);
/* Stops watching; the callback is cancelled. */
NDL_EXTERN int ndl_io_stop(ndl_loop *loop, ndl_id id);
/* An unref'd watcher does not keep the loop alive, as Node's
 * server.unref(). Errors: NDL_EINVAL, NDL_NOTFOUND, NDL_BADKIND. */
NDL_EXTERN int ndl_io_unref(ndl_loop *loop, ndl_id id);
NDL_EXTERN int ndl_io_ref(ndl_loop *loop, ndl_id id);

/* Queues cb to run in the close phase of this iteration. */
NDL_EXTERN int ndl_on_close(ndl_loop *loop, ndl_cb cb, void *arg, ndl_id *id);
/* Node's process.on('beforeExit') and process.on('exit'). Listeners stay
 * for the loop's life, run in the order they were added, and never keep the
 * loop alive; each gets an undefined value.
 *
 * When ndl_run() has run out of work (not when ndl_stop() ended it), every
 * beforeExit listener runs, then the nextTicks and microtasks they queued.
 * If they left work that keeps the loop alive, the loop goes on, and the
 * listeners run again when it next runs out. Then every exit listener runs,
 * then the microtasks they queued; while they run, registering anything but
 * a microtask fails with NDL_EXITING (in Node such work is silently never
 * run). ndl_run() returns after that; running it again is allowed, and the
 * listeners run again at its end.
 * Errors: NDL_EINVAL (NULL loop or cb), NDL_ENOMEM. */
NDL_EXTERN int ndl_on_before_exit(ndl_loop *loop, ndl_cb cb, void *arg);
NDL_EXTERN int ndl_on_exit(ndl_loop *loop, ndl_cb cb, void *arg);

/* Queues cb, with a copy of *value (NULL: undefined), for the next pending
 * callbacks phase, where libuv runs I/O callbacks deferred by one iteration.
 * Errors: NDL_EINVAL (NULL loop or cb, a string value whose ptr is NULL),
 * NDL_ENOMEM, NDL_NOIDS. */
NDL_EXTERN int ndl_defer(ndl_loop *loop, const ndl_value *value, ndl_cb cb,
                         void *arg, ndl_id *id);

/* ---- Printing, as the chapter's print() and print_content() -----------------
 */
NDL_EXTERN void ndl_print(ndl_loop *loop, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
NDL_EXTERN void ndl_print_content(ndl_loop *loop, const char *label,
                                  const char *text);

/* ---- The chapter's modules
 * ---------------------------------------------------- Pool tasks from the
 * chapter, built on ndl_queue_work(). Each call copies what it needs, so its
 * arguments may be freed as soon as it returns. As with any work, a callback
 * that has not run when the loop is freed is cancelled. */

/* Reads the whole file at path on a pool thread (task kind "File read"),
 * after spending delay_ms there first (the chapter's simulated slow disk), and
 * passes cb an NDL_STRING holding its bytes. A failure reaches cb as an
 * NDL_ERROR whose code is -errno and whose message is Node's,
 * "ENOENT: no such file or directory, open 'path'": NDL_ENOENT, NDL_EISDIR,
 * NDL_EACCES, NDL_EFBIG (above 1 GiB), NDL_ENOMEM, or another system error.
 * Errors returned: NDL_EINVAL (NULL loop, path or cb; delay_ms < 0 or above
 * INT32_MAX), NDL_ENOMEM, NDL_NOIDS. */
NDL_EXTERN int ndl_fs_read(ndl_loop *loop, const char *path, int64_t delay_ms,
                           ndl_cb cb, void *arg);

/* Computes Fibonacci number n with the chapter's naive recursion on a pool
 * thread (task kind "Encrypt") and passes cb an NDL_INT. n must be 0 to 45:
 * fib(50) would fit in int64_t, but the recursion makes about 2 * fib(n)
 * calls, so n = 45 takes seconds and n = 50 over a minute. Errors:
 * NDL_EINVAL (NULL loop or cb, n out of range), NDL_ENOMEM, NDL_NOIDS. */
NDL_EXTERN int ndl_crypto_encrypt(ndl_loop *loop, int64_t n, ndl_cb cb,
                                  void *arg);

/* ---- Sim backend controls ---------------------------------------------------
 * Errors: NDL_EINVAL, NDL_ENOTSUP on another backend, NDL_ENOMEM. */
/* fd becomes ready for events at virtual time at_ms. */
NDL_EXTERN int ndl_sim_script_ready(ndl_loop *loop, int fd, unsigned events,
                                    uint64_t at_ms);
/* Moves the virtual clock forward, as if the caller computed for ms. */
NDL_EXTERN int ndl_sim_advance(ndl_loop *loop, uint64_t ms);

/* The simulated disk: what ndl_fs_read() finds at path. A path declared
 * twice keeps the latest declaration; a path never declared is NDL_ENOENT.
 * Nothing touches the real disk. */
NDL_EXTERN int ndl_sim_file(ndl_loop *loop, const char *path, const void *data,
                            size_t len);
/* path is a directory: reading it fails with NDL_EISDIR. */
NDL_EXTERN int ndl_sim_dir(ndl_loop *loop, const char *path);
/* Opening path fails with err (negative: NDL_EACCES, NDL_EIO, ...). */
NDL_EXTERN int ndl_sim_file_error(ndl_loop *loop, const char *path, int err);
/* The simulated network resolves name to the numeric address ip;
 * "localhost" is 127.0.0.1 without being declared. Connections go to
 * listeners on the same loop; a port nobody listens on refuses. */
NDL_EXTERN int ndl_sim_host(ndl_loop *loop, const char *name, const char *ip);

#ifdef __cplusplus
}
#endif
#endif /* NODELOOP_H */
