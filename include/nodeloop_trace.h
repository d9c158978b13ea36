/**
 * @file nodeloop_trace.h
 * @brief nodeloop's trace: every step of a loop as an event, the names of
 * its phases and callback kinds, and the writers (the chapter's print
 * style, and Chrome's trace format).
 *
 * Part of nodeloop.h, which includes it where the loop's options need its
 * types: include nodeloop.h.
 */
#ifndef NODELOOP_TRACE_H
#define NODELOOP_TRACE_H

#ifndef NODELOOP_H
#error "nodeloop_trace.h is part of nodeloop.h: include nodeloop.h"
#endif

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

#endif /* NODELOOP_TRACE_H */
