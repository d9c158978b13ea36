/*
 * The platform vtable: everything the loop needs from the world, behind one
 * table of function pointers, so that a test swaps the real kernel
 * (platform/linux/linux.c) for a simulated one (platform/sim/sim.c) at run time.
 *
 * wait() only translates what happened into fired records; it never calls
 * user code. Only the core calls callbacks.
 */
#ifndef NDL_PLATFORM_H
#define NDL_PLATFORM_H

#include <stddef.h>
#include <stdint.h>

#include "core/core.h"
#include "nodeloop.h"

enum ndl__fired_kind {
  NDL__FIRED_IO,  /* id: the watcher, events: NDL_READABLE | ... */
  NDL__FIRED_WORK /* work: finished, handed back to the loop */
};

struct ndl__fired {
  enum ndl__fired_kind kind;
  ndl_id id;
  unsigned events;
  struct ndl__work *work;
};

struct ndl__platform;

struct ndl__platform_ops {
  const char *name;
  /* The monotonic clock, in ns. */
  uint64_t (*now)(struct ndl__platform *p);
  /* Watch fd for events (NDL_READABLE | NDL_WRITABLE), reported under id.
   * io_add on a watched fd fails with NDL_EEXIST. */
  int (*io_add)(struct ndl__platform *p, int fd, ndl_id id, unsigned events);
  int (*io_modify)(struct ndl__platform *p, int fd, ndl_id id,
                   unsigned events);
  int (*io_remove)(struct ndl__platform *p, int fd);
  /* Blocks for at most timeout_ns (-1: no limit; rounded up, so a timer
   * never fires early) until an fd is ready, work finishes or wake() is
   * called. Fills out[0..*n) with at most cap records. Returns 0 or a fatal
   * error (sim: NDL_EDEADLK when nothing could ever happen). */
  int (*wait)(struct ndl__platform *p, int64_t timeout_ns,
              struct ndl__fired *out, size_t cap, size_t *n);
  /* Makes a wait() in progress, or the next one, return. Any thread. */
  int (*wake)(struct ndl__platform *p);
  /* Queues work for the pool; ownership passes to the platform until wait()
   * hands it back. Errors: NDL_ENOMEM. */
  int (*submit)(struct ndl__platform *p, struct ndl__work *w);
  /* The name of the calling thread ("main", "pool0"). */
  const char *(*thread_name)(struct ndl__platform *p);
  /* Pool threads that are running. */
  unsigned (*pool_size)(struct ndl__platform *p);
  /* Joins the pool, closes every fd, frees work still held. */
  void (*destroy)(struct ndl__platform *p);
};

struct ndl__platform {
  const struct ndl__platform_ops *ops;
  ndl_trace_fn trace; /* for events on pool threads */
  void *trace_ctx;
};

/* Module use: ndl_next_tick() that also gives the callback's id. */
int ndl__next_tick_id(ndl_loop *loop, ndl_cb cb, void *arg, ndl_id *id);
/* Module use: frees arg if the callback with this id is cancelled, or the
 * loop freed, before it runs. Errors: NDL_EINVAL, NDL_NOTFOUND. */
int ndl__set_release(ndl_loop *loop, ndl_id id, void (*release)(void *arg));

/* Frees a work item and the value it holds. */
void ndl__work_free(struct ndl__work *w);
/* Emits a WORK_START or WORK_DONE event from a pool thread. */
void ndl__platform_trace_work(struct ndl__platform *p, ndl_trace_kind kind,
                              const struct ndl__work *w, const char *thread,
                              uint64_t now_ns);

/* Backends. Errors: NDL_EINVAL, NDL_ENOMEM, NDL_NOTHREADS, system errors. */
int ndl__sim_new(const ndl_options *opts, struct ndl__platform **out);
int ndl__linux_new(const ndl_options *opts, unsigned threads,
                   struct ndl__platform **out);

/* Sim controls, behind ndl_sim_* in the public API. */
int ndl__sim_script_ready(struct ndl__platform *p, int fd, unsigned events,
                          uint64_t at_ns);
int ndl__sim_advance(struct ndl__platform *p, uint64_t ns);

#endif
