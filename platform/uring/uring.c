/*
 * The io_uring backend's life: the check that the kernel allows io_uring,
 * creating the backend (the Linux backend's shared parts, then the ring,
 * then the pool), destroying it, and its table of calls. The parts are
 * listed in uring.h.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "core/alloc.h"
#include "uring.h"

/* ---- Whether the kernel allows io_uring. */

/* Words why io_uring_setup() failed with err, into why. Returns the code
 * the caller gets: NDL_ENOTSUP when the kernel refuses io_uring, else err
 * (ENOMEM, EMFILE: this ring failed, a later one may not). */
static int refusal(int err, char *why, size_t cap) {
  int disabled;

  if (err != -EPERM && err != -ENOSYS && err != -EACCES) {
    snprintf(why, cap, "io_uring_setup() failed: %s", strerror(-err));
    return err;
  }
  disabled = ndl__ur_sys_disabled_sysctl();
  if (err != -ENOSYS && disabled > 0)
    snprintf(why, cap,
             "io_uring_setup() failed: %s (kernel.io_uring_disabled is %d)",
             strerror(-err), disabled);
  else if (err == -ENOSYS)
    snprintf(why, cap,
             "io_uring_setup() failed: %s (a kernel without io_uring, or a "
             "seccomp filter)",
             strerror(-err));
  else
    snprintf(why, cap,
             "io_uring_setup() failed: %s (a seccomp filter or the "
             "container's policy)",
             strerror(-err));
  return NDL_ENOTSUP;
}

/* Opens a ring with the features this backend needs. why says what went
 * wrong; see refusal() for the codes. */
static int open_ring(struct io_uring *ring, unsigned entries, char *why,
                     size_t cap) {
  struct io_uring_params params;
  int err;

  /* Completions are posted when the loop enters the kernel anyway; being
   * interrupted to post them sooner buys nothing (5.19 and later). Not
   * under valgrind, whose wait is a poll() that they must wake (sys.c). */
  memset(&params, 0, sizeof(params));
  if (!ndl__ur_sys_under_valgrind())
    params.flags = IORING_SETUP_COOP_TASKRUN | IORING_SETUP_TASKRUN_FLAG;
  err = ndl__ur_sys_setup(entries, ring, &params);
  if (err == -EINVAL && params.flags != 0) {
    memset(&params, 0, sizeof(params));
    err = ndl__ur_sys_setup(entries, ring, &params);
  }
  if (err != 0)
    return refusal(err, why, cap);
  /* A wait with a deadline in the same io_uring_enter() (5.11). */
  if (!(params.features & IORING_FEAT_EXT_ARG)) {
    io_uring_queue_exit(ring);
    snprintf(why, cap,
             "the kernel's io_uring lacks IORING_FEAT_EXT_ARG (Linux 5.11)");
    return NDL_ENOTSUP;
  }
  return 0;
}

int ndl__uring_check(char *why, size_t cap) {
  struct io_uring ring;
  char scratch[1];
  int err;

  if (why == NULL || cap == 0) {
    why = scratch;
    cap = sizeof(scratch);
  }
  why[0] = '\0';
  if ((err = open_ring(&ring, 4, why, cap)) != 0)
    return err;
  io_uring_queue_exit(&ring);
  return 0;
}

/* ---- Lifetime. */

/* Reads in the ring stop first: they need no thread, only the kernel. */
static int uring_stop_pool(struct ndl__platform *p) {
  struct ur *u = ndl__ur_of(p);
  if (u->ring_open)
    ndl__ur_reads_stop(u);
  return ndl__lx_pool_stop(&u->lx);
}

/* A whole-file read goes to the ring, unless it has a delay (the chapter's
 * simulated slow read, which the pool sleeps) or cannot start there. */
static int uring_submit(struct ndl__platform *p, struct ndl__work *w) {
  if (w->file_read != NULL && w->delay_ns == 0 &&
      ndl__ur_read_start(ndl__ur_of(p), w) == 0)
    return 0;
  return ndl__lx_submit(p, w);
}

/* Safe on a half-built backend. The ring goes before the eventfd, which
 * one of its polls holds; the pool, which rings that eventfd, stops in
 * ndl__lx_fini() before it is closed. */
static void uring_destroy(struct ndl__platform *p) {
  struct ur *u = ndl__ur_of(p);
  if (u->ring_open) {
    ndl__ur_reads_stop(u); /* creation failed before the pool stopped */
    io_uring_queue_exit(&u->ring);
  }
  ndl__lx_fini(&u->lx);
  ndl__free(u->to_arm);
  ndl__free(u->watches);
  ndl__free(u);
}

static const struct ndl__platform_ops uring_ops = {
    .name = "io_uring",
    .work_size = sizeof(struct task),
    .now = ndl__lx_now,
    .io_add = ndl__ur_io_add,
    .io_modify = ndl__ur_io_modify,
    .io_remove = ndl__ur_io_remove,
    .wait = ndl__ur_wait,
    .wake = ndl__lx_wake,
    .submit = uring_submit,
    .thread_name = ndl__lx_thread_name,
    .pool_size = ndl__lx_pool_size,
    .stop_pool = uring_stop_pool,
    .destroy = uring_destroy,
};

int ndl__uring_new(const ndl_options *opts, unsigned threads,
                   struct ndl__platform **out, char *why, size_t cap) {
  struct ur *u;
  int err;

  if (out == NULL || why == NULL || cap == 0)
    return NDL_EINVAL;
  *out = NULL;
  why[0] = '\0';
  if (opts == NULL || threads < 1 || threads > 1024)
    return NDL_EINVAL;
  if ((u = ndl__calloc(1, sizeof(*u))) == NULL)
    return NDL_ENOMEM;
  if ((err = ndl__lx_init(&u->lx, &uring_ops, opts, threads)) != 0)
    goto fail;
  if ((err = open_ring(&u->ring, UR_ENTRIES, why, cap)) != 0)
    goto fail;
  u->ring_open = 1;
  if ((err = ndl__lx_pool_start(&u->lx, threads)) != 0)
    goto fail;
  *out = &u->lx.base;
  return 0;

fail:
  uring_destroy(&u->lx.base);
  return err;
}
