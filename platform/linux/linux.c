/*
 * The Linux backend's life: creating it (locks, the epoll set, the pool),
 * destroying it, and its table of calls. The parts are listed in linux.h.
 */
#include <errno.h>
#include <pthread.h>
#include <string.h>
#include <time.h>

#include "core/alloc.h"
#include "linux.h"
#include "sys.h"

/* ---- Lifetime. */

static int linux_stop_pool(struct ndl__platform *p) {
  return ndl__lx_pool_stop(ndl__lx_of(p));
}

/* Safe on a half-built backend: creation cleans up through here. The pool
 * is stopped already, unless creation failed, when it has no task that
 * could block. */
void ndl__lx_fini(struct lx *s) {
  if (s->synced) /* else init_sync() failed and undid itself */
    (void)ndl__lx_pool_stop(s);
  ndl__sys_close(s->efd);
  ndl__sys_close(s->epfd);
  if (s->synced) {
    pthread_cond_destroy(&s->reported_cv);
    pthread_cond_destroy(&s->stopped);
    pthread_cond_destroy(&s->has_work);
    pthread_mutex_destroy(&s->done_lock);
    pthread_mutex_destroy(&s->lock);
    pthread_mutex_destroy(&s->clock_lock);
  }
  ndl__free(s->workers);
}

static void linux_destroy(struct ndl__platform *p) {
  ndl__lx_fini(ndl__lx_of(p));
  ndl__free(p);
}

/* The locks and condition variables. Delays wait on "stopped", and
 * freeing the loop on "reported_cv", with absolute CLOCK_MONOTONIC
 * deadlines, so they use that clock. */
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
  if ((err = pthread_condattr_init(&attr)) != 0)
    goto fail;
  err = pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
  if (err == 0)
    err = pthread_cond_init(&s->reported_cv, &attr);
  if (err != 0) {
    pthread_condattr_destroy(&attr);
    goto fail;
  }
  stage = 4;
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

static const struct ndl__platform_ops linux_ops = {
    .name = "linux",
    .work_size = sizeof(struct task),
    .now = ndl__lx_now,
    .io_add = ndl__lx_io_add,
    .io_modify = ndl__lx_io_modify,
    .io_remove = ndl__lx_io_remove,
    .wait = ndl__lx_wait,
    .wake = ndl__lx_wake,
    .submit = ndl__lx_submit,
    .thread_name = ndl__lx_thread_name,
    .pool_size = ndl__lx_pool_size,
    .stop_pool = linux_stop_pool,
    .destroy = linux_destroy,
};

int ndl__lx_init(struct lx *s, const struct ndl__platform_ops *ops,
                 const ndl_options *opts, unsigned threads) {
  int err;

  s->base.ops = ops;
  s->base.net = &ndl__linux_net;
  s->base.files = &ndl__linux_files;
  /* loop.c sets these after we return, but the pool-size note is emitted
   * before that. */
  s->base.trace = opts->trace;
  s->base.trace_ctx = opts->trace_ctx;
  s->epfd = -1;
  s->efd = -1;
  atomic_init(&s->wake_pending, 0);
  if ((err = init_sync(s)) != 0)
    return err;
  s->synced = 1;
  (void)ndl__lx_now(&s->base); /* a first reading, should the clock fail */
  if ((s->workers = ndl__calloc(threads, sizeof(*s->workers))) == NULL)
    return NDL_ENOMEM;
  if ((s->efd = ndl__sys_eventfd()) < 0)
    return -errno;
  return 0;
}

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
  if ((err = ndl__lx_init(s, &linux_ops, opts, threads)) != 0)
    goto fail;
  if ((err = ndl__lx_poll_open(s)) != 0)
    goto fail;
  if ((err = ndl__lx_pool_start(s, threads)) != 0)
    goto fail;
  *out = &s->base;
  return 0;

fail:
  linux_destroy(&s->base);
  return err;
}
