/*
 * The calls that add callbacks to a loop (timers, immediates, ticks,
 * microtasks, close and pending callbacks, pool work, fd watchers) and the
 * chapter's print(): the core does the work; the loop adds the clock and
 * the platform.
 */
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "core/alloc.h"
#include "loop.h"

int ndl_set_timeout(ndl_loop *loop, int64_t delay_ms, ndl_cb cb, void *arg,
                    ndl_id *id) {
  if (loop == NULL)
    return NDL_EINVAL;
  return ndl__core_add_timer(&loop->core, ndl__loop_clock(loop), delay_ms, 0,
                             cb, arg, id);
}

int ndl_set_interval(ndl_loop *loop, int64_t delay_ms, ndl_cb cb, void *arg,
                     ndl_id *id) {
  if (loop == NULL)
    return NDL_EINVAL;
  return ndl__core_add_timer(&loop->core, ndl__loop_clock(loop), delay_ms, 1,
                             cb, arg, id);
}

int ndl_clear_timeout(ndl_loop *loop, ndl_id id) {
  return loop == NULL ? NDL_EINVAL : ndl__core_clear_timer(&loop->core, id);
}

int ndl_clear_interval(ndl_loop *loop, ndl_id id) {
  return ndl_clear_timeout(loop, id);
}

int ndl_timer_unref(ndl_loop *loop, ndl_id id) {
  return loop == NULL ? NDL_EINVAL : ndl__core_ref_timer(&loop->core, id, 0);
}

int ndl_timer_ref(ndl_loop *loop, ndl_id id) {
  return loop == NULL ? NDL_EINVAL : ndl__core_ref_timer(&loop->core, id, 1);
}

int ndl_timer_has_ref(const ndl_loop *loop, ndl_id id) {
  return loop == NULL ? NDL_EINVAL : ndl__core_timer_has_ref(&loop->core, id);
}

int ndl_io_unref(ndl_loop *loop, ndl_id id) {
  return loop == NULL ? NDL_EINVAL : ndl__core_ref_io(&loop->core, id, 0);
}

int ndl_io_ref(ndl_loop *loop, ndl_id id) {
  return loop == NULL ? NDL_EINVAL : ndl__core_ref_io(&loop->core, id, 1);
}

int ndl_set_immediate(ndl_loop *loop, ndl_cb cb, void *arg, ndl_id *id) {
  return loop == NULL ? NDL_EINVAL
                      : ndl__core_add_immediate(&loop->core, cb, arg, id);
}

int ndl_clear_immediate(ndl_loop *loop, ndl_id id) {
  return loop == NULL ? NDL_EINVAL : ndl__core_clear_immediate(&loop->core, id);
}

int ndl_next_tick(ndl_loop *loop, ndl_cb cb, void *arg) {
  return loop == NULL ? NDL_EINVAL
                      : ndl__core_add_next_tick(&loop->core, cb, arg, NULL);
}

int ndl_queue_microtask(ndl_loop *loop, ndl_cb cb, void *arg) {
  return loop == NULL ? NDL_EINVAL
                      : ndl__core_add_microtask(&loop->core, cb, arg);
}

int ndl_on_close(ndl_loop *loop, ndl_cb cb, void *arg, ndl_id *id) {
  return loop == NULL ? NDL_EINVAL
                      : ndl__core_add_close(&loop->core, cb, arg, id);
}

int ndl_defer(ndl_loop *loop, const ndl_value *value, ndl_cb cb, void *arg,
              ndl_id *id) {
  return loop == NULL ? NDL_EINVAL
                      : ndl__core_add_pending(&loop->core, value, cb, arg, id);
}

int ndl__next_tick_id(ndl_loop *loop, ndl_cb cb, void *arg, ndl_id *id) {
  return loop == NULL ? NDL_EINVAL
                      : ndl__core_add_next_tick(&loop->core, cb, arg, id);
}

int ndl__set_release(ndl_loop *loop, ndl_id id, void (*release)(void *arg)) {
  return loop == NULL ? NDL_EINVAL
                      : ndl__core_set_release(&loop->core, id, release);
}

static int queue_work(ndl_loop *loop, const char *kind, int64_t delay_ms,
                      ndl_work_fn work, ndl_cb after, void *arg,
                      struct ndl__file_read *read, ndl_id *id) {
  struct ndl__work *w;
  size_t kind_len;
  int err;

  if (loop == NULL || work == NULL || after == NULL || delay_ms < 0 ||
      delay_ms > INT32_MAX)
    return NDL_EINVAL;
  w = ndl__calloc(1, loop->platform->ops->work_size);
  if (w == NULL)
    return NDL_ENOMEM;
  /* A copy, cut to fit: the caller's string may be gone before a pool
   * thread names the task in a trace. Not snprintf, which costs more than
   * the rest of the submission (ci/bench pool-burst: +565 instructions). */
  kind = kind != NULL ? kind : "Work";
  kind_len = strnlen(kind, sizeof(w->kind) - 1);
  memcpy(w->kind, kind, kind_len);
  w->kind[kind_len] = '\0';
  w->delay_ns = (uint64_t)delay_ms * 1000000u;
  w->fn = work;
  w->arg = arg;
  w->file_read = read;
  if ((err = ndl__core_add_work(&loop->core, w, after, arg)) != 0) {
    ndl__free(w);
    return err;
  }
  if (id != NULL)
    *id = w->id;
  if ((err = loop->platform->ops->submit(loop->platform, w)) != 0) {
    ndl__core_unregister(&loop->core, w->id);
    ndl__free(w);
    return err;
  }
  return 0;
}

int ndl_queue_work(ndl_loop *loop, const char *kind, int64_t delay_ms,
                   ndl_work_fn work, ndl_cb after, void *arg, ndl_id *id) {
  return queue_work(loop, kind, delay_ms, work, after, arg, NULL, id);
}

int ndl__queue_file_read(ndl_loop *loop, const char *kind, int64_t delay_ms,
                         ndl_work_fn work, ndl_cb after, void *arg,
                         struct ndl__file_read *read, ndl_id *id) {
  return queue_work(loop, kind, delay_ms, work, after, arg, read, id);
}

int ndl_io_start(ndl_loop *loop, int fd, unsigned events, ndl_cb cb, void *arg,
                 ndl_id *id) {
  ndl_id got;
  int err;

  if (loop == NULL || fd < 0 || cb == NULL ||
      (events & ~(NDL_READABLE | NDL_WRITABLE)) != 0)
    return NDL_EINVAL;
  if ((err = ndl__core_add_io(&loop->core, fd, events, cb, arg, &got)) != 0)
    return err;
  err = loop->platform->ops->io_add(loop->platform, fd, got, events);
  if (err) {
    ndl__core_unregister(&loop->core, got);
    return err;
  }
  if (id != NULL)
    *id = got;
  return 0;
}

int ndl_io_modify(ndl_loop *loop, ndl_id id, unsigned events) {
  struct ndl__cb *cb;
  int err;

  if (loop == NULL || (events & ~(NDL_READABLE | NDL_WRITABLE)) != 0)
    return NDL_EINVAL;
  if ((err = ndl__core_find_io(&loop->core, id, &cb)) != 0)
    return err;
  err = loop->platform->ops->io_modify(loop->platform, cb->u.io.fd, id, events);
  if (err == 0)
    cb->u.io.events = events;
  return err;
}

int ndl_io_stop(ndl_loop *loop, ndl_id id) {
  struct ndl__cb *cb;
  int err;
  if (loop == NULL)
    return NDL_EINVAL;
  if ((err = ndl__core_find_io(&loop->core, id, &cb)) != 0)
    return err;
  /* The fd may already be closed by the user; the watcher ends either way. */
  (void)loop->platform->ops->io_remove(loop->platform, cb->u.io.fd);
  return ndl__core_remove_io(&loop->core, id);
}

/* ---- Printing: the chapter's print() and print_content(). */

void ndl_print(ndl_loop *loop, const char *fmt, ...) {
  char buf[1024];
  va_list ap;
  if (loop == NULL || fmt == NULL)
    return;
  va_start(ap, fmt);
  vsnprintf(buf, sizeof(buf), fmt, ap);
  va_end(ap);
  ndl__core_emit(&loop->core, NDL_TRACE_PRINT, NDL_CB_KIND_COUNT, 0, buf, NULL);
}

void ndl_print_content(ndl_loop *loop, const char *label, const char *text) {
  if (loop == NULL || text == NULL)
    return;
  ndl__core_emit(&loop->core, NDL_TRACE_CONTENT, NDL_CB_KIND_COUNT, 0, text,
                 label != NULL ? label : "");
}
