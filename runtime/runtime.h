/*
 * What the modules (modules/) need from the loop beyond the public API: the
 * platform that reaches the world, and the hooks that let a module's
 * private state follow a callback's life.
 */
#ifndef NDL_RUNTIME_H
#define NDL_RUNTIME_H

#include "nodeloop.h"
#include "platform/platform.h"

/* Something a module holds for the loop (a TCP handle, an HTTP request)
 * that freeing the loop must reclaim: ndl_loop_free() calls destroy() on
 * each one still tracked, after cancelling every callback and before the
 * platform goes, so destroy() may close its fds through the platform. It
 * runs no user callback. Intrusive, so tracking allocates nothing. */
struct ndl__resource {
  struct ndl__resource *prev, *next;
  void (*destroy)(struct ndl__resource *r);
};

void ndl__loop_track(ndl_loop *loop, struct ndl__resource *r,
                     void (*destroy)(struct ndl__resource *r));
void ndl__loop_untrack(struct ndl__resource *r);

/* The loop's platform: the only way a module reaches sockets and files. */
struct ndl__platform *ndl__loop_platform(ndl_loop *loop);
/* ndl_next_tick() that also gives the callback's id. */
int ndl__next_tick_id(ndl_loop *loop, ndl_cb cb, void *arg, ndl_id *id);
/* ndl_queue_work() for a whole-file read: work runs it on the pool, unless
 * the backend reads files itself (the work record's file_read). */
int ndl__queue_file_read(ndl_loop *loop, const char *kind, int64_t delay_ms,
                         ndl_work_fn work, ndl_cb after, void *arg,
                         struct ndl__file_read *read, ndl_id *id);
/* Frees arg if the callback with this id is cancelled, or the loop freed,
 * before it runs. Errors: NDL_EINVAL, NDL_NOTFOUND. */
int ndl__set_release(ndl_loop *loop, ndl_id id, void (*release)(void *arg));

#endif
