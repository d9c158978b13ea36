/*
 * The loop object, shared by the two files that make it: loop.c (its life,
 * and ndl_run() driving the core against a platform) and register.c (the
 * calls that hand callbacks to the core). Private to runtime/.
 */
#ifndef NDL_RUNTIME_LOOP_H
#define NDL_RUNTIME_LOOP_H

#include <stdatomic.h>
#include <stddef.h>

#include "core/core.h"
#include "nodeloop.h"
#include "platform/platform.h"
#include "runtime.h"

/* The listeners of one of Node's process events (beforeExit, exit). */
struct listeners {
  struct listener {
    ndl_cb fn;
    void *arg;
  } * at;
  size_t n, cap;
};

struct ndl_loop {
  struct ndl__core core;
  struct ndl__platform *platform;
  struct ndl__resource resources; /* the list's head: tracked by modules */
  struct listeners before_exit, exit;
  atomic_int stop_requested;
  int running;
  int finished_naturally;
};

/* The platform's clock, read fresh: a timer starts when it is set, as
 * Node's setTimeout does. */
static inline uint64_t ndl__loop_clock(ndl_loop *loop) {
  return loop->platform->ops->now(loop->platform);
}

#endif
