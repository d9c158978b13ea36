/*
 * The io_uring backend's poller: one-shot polls in the ring for the
 * watched fds and for the eventfd, and wait(), which arms what is due,
 * submits and waits in one io_uring_enter(), and turns completions into
 * fired records. uring.h says why polls are one-shot and what their
 * user_data holds.
 */
#include <errno.h>
#include <poll.h>
#include <string.h>

#include "core/alloc.h"
#include "platform/linux/sys.h"
#include "uring.h"

/* A poll's user_data: the kind in the top 2 bits, the generation in the
 * next 30 and the fd in the low 32. */
#define UD_GEN_MASK 0x3fffffffu

static uint64_t ud_poll(int fd, uint32_t gen) {
  return (uint64_t)UD_POLL << 62 | (uint64_t)(gen & UD_GEN_MASK) << 32 |
         (uint32_t)fd;
}

static unsigned ud_kind(uint64_t ud) {
  return (unsigned)(ud >> 62);
}
static uint32_t ud_gen(uint64_t ud) {
  return (uint32_t)(ud >> 32) & UD_GEN_MASK;
}
static int ud_fd(uint64_t ud) {
  return (int)(uint32_t)ud;
}

struct io_uring_sqe *ndl__ur_next_sqe(struct ur *u) {
  struct io_uring_sqe *sqe = io_uring_get_sqe(&u->ring);
  if (sqe == NULL && ndl__ur_sys_enter(&u->ring, 0, NULL) >= 0)
    sqe = io_uring_get_sqe(&u->ring);
  return sqe;
}

/* Takes the poll of fd's watcher out of the ring, if one is there. Its
 * completion, ECANCELED or a late event, carries the old generation and is
 * dropped. Without a free entry the poll stays until it fires, and is
 * dropped then. */
static void disarm(struct ur *u, int fd) {
  struct ur_watch *w = &u->watches[fd];
  struct io_uring_sqe *sqe;
  if (!w->armed)
    return;
  w->armed = 0;
  if ((sqe = ndl__ur_next_sqe(u)) == NULL)
    return;
  io_uring_prep_poll_remove(sqe, ud_poll(fd, w->gen));
  io_uring_sqe_set_data64(sqe, (uint64_t)UD_IGNORE << 62);
}

static void queue_arm(struct ur *u, int fd) {
  struct ur_watch *w = &u->watches[fd];
  if (w->queued)
    return;
  w->queued = 1;
  u->to_arm[u->narm++] = fd;
}

/* Room for fd in the watcher table and the arm list, which grow together
 * so that queue_arm() never needs memory. */
static int make_room(struct ur *u, int fd) {
  size_t want = u->nwatches > 0 ? u->nwatches : 64;
  struct ur_watch *watches;
  int *to_arm;

  if ((size_t)fd < u->nwatches)
    return 0;
  while (want <= (size_t)fd)
    want *= 2;
  if ((to_arm = ndl__reallocarray(u->to_arm, want, sizeof(*to_arm))) == NULL)
    return NDL_ENOMEM;
  u->to_arm = to_arm;
  watches = ndl__reallocarray(u->watches, want, sizeof(*watches));
  if (watches == NULL)
    return NDL_ENOMEM;
  memset(watches + u->nwatches, 0, (want - u->nwatches) * sizeof(*watches));
  u->watches = watches;
  u->nwatches = want;
  return 0;
}

int ndl__ur_io_add(struct ndl__platform *p, int fd, ndl_id id,
                   unsigned events) {
  struct ur *u = ndl__ur_of(p);
  struct ur_watch *w;
  int err;

  if (fd < 0)
    return NDL_EBADF;
  if ((size_t)fd < u->nwatches && u->watches[fd].id != 0)
    return NDL_EEXIST;
  /* epoll_ctl() checks the fd at once; a poll would only fail later. */
  if ((err = ndl__ur_sys_pollable(fd)) != 0)
    return err;
  if ((err = make_room(u, fd)) != 0)
    return err;
  w = &u->watches[fd];
  w->id = id;
  w->events = events;
  w->gen++;
  queue_arm(u, fd);
  u->lx.watched++;
  return 0;
}

int ndl__ur_io_modify(struct ndl__platform *p, int fd, ndl_id id,
                      unsigned events) {
  struct ur *u = ndl__ur_of(p);
  struct ur_watch *w;

  if (fd < 0 || (size_t)fd >= u->nwatches || u->watches[fd].id == 0)
    return NDL_ENOENT;
  w = &u->watches[fd];
  if (w->id == id && w->events == events)
    return 0;
  disarm(u, fd);
  w->id = id;
  w->events = events;
  w->gen++;
  queue_arm(u, fd);
  return 0;
}

/* As on epoll, the watcher is gone for the core whatever happens here.
 * A poll in the ring holds a reference to its file, so the removal goes to
 * the kernel at once, as epoll_ctl() would: the caller is about to close
 * the fd, and a listening socket that outlived its close() would take a
 * connection that should have been refused. */
int ndl__ur_io_remove(struct ndl__platform *p, int fd) {
  struct ur *u = ndl__ur_of(p);

  if (fd < 0 || (size_t)fd >= u->nwatches || u->watches[fd].id == 0)
    return NDL_ENOENT;
  if (u->watches[fd].armed) {
    disarm(u, fd);
    (void)ndl__ur_sys_enter(&u->ring, 0, NULL);
  }
  u->watches[fd].id = 0;
  u->watches[fd].gen++;
  u->lx.watched--;
  return 0;
}

/* Arms the polls that are due: new watchers, changed ones, and those that
 * reported at the last wait; and the eventfd's. What finds no free entry
 * stays on the list for the next wait. */
static void arm_polls(struct ur *u) {
  struct io_uring_sqe *sqe;
  size_t i, kept = 0;

  for (i = 0; i < u->narm; i++) {
    int fd = u->to_arm[i];
    struct ur_watch *w = &u->watches[fd];
    if (w->id == 0 || w->armed) {
      w->queued = 0;
      continue;
    }
    if ((sqe = ndl__ur_next_sqe(u)) == NULL) {
      u->to_arm[kept++] = fd;
      continue;
    }
    io_uring_prep_poll_add(sqe, fd, ndl__lx_poll_bits(w->events));
    io_uring_sqe_set_data64(sqe, ud_poll(fd, w->gen));
    w->armed = 1;
    w->queued = 0;
  }
  u->narm = kept;
  if (!u->wake_armed && (sqe = ndl__ur_next_sqe(u)) != NULL) {
    io_uring_prep_poll_add(sqe, u->lx.efd, POLLIN);
    io_uring_sqe_set_data64(sqe, (uint64_t)UD_WAKE << 62);
    u->wake_armed = 1;
  }
}

/* Submits and waits, as epoll_wait() does on the other backend: a signal
 * neither ends the wait early nor extends it. Returns 0, or a fatal
 * error. EAGAIN and EBUSY (the kernel is short of memory, or its
 * completion queue is full) end the wait with what is there: the loop
 * comes back at once. */
static int enter(struct ur *u, int64_t timeout_ns) {
  uint64_t deadline = 0;
  int r;

  if (timeout_ns > 0)
    deadline = ndl__lx_now(&u->lx.base) + (uint64_t)timeout_ns;
  for (;;) {
    struct __kernel_timespec ts;
    if (timeout_ns > 0) {
      ts.tv_sec = timeout_ns / (int64_t)NS_PER_SEC;
      ts.tv_nsec = timeout_ns % (int64_t)NS_PER_SEC;
    }
    r = ndl__ur_sys_enter(&u->ring, timeout_ns == 0 ? 0 : 1,
                          timeout_ns > 0 ? &ts : NULL);
    if (r >= 0 || r == -ETIME || r == -EAGAIN || r == -EBUSY)
      return 0;
    if (r != -EINTR)
      return r;
    if (timeout_ns == 0)
      return 0;
    if (timeout_ns > 0) {
      uint64_t now = ndl__lx_now(&u->lx.base);
      if (now >= deadline)
        return 0;
      timeout_ns = (int64_t)(deadline - now);
    }
  }
}

/* What a poll's completion means for its watcher: the events to report,
 * or 0. A poll that was cancelled or interrupted reports nothing; an
 * error (EBADF: the fd was closed while watched) is reported as every
 * event the watcher asked for, with NDL_HANGUP, as epoll reports EPOLLERR,
 * so that the user's next call meets it. Either way the poll is armed
 * again at the next wait. */
static unsigned poll_events(struct ur *u, int fd, int res) {
  struct ur_watch *w = &u->watches[fd];
  w->armed = 0;
  queue_arm(u, fd);
  if (res == -ECANCELED || res == -EINTR || res == -EAGAIN || res == -ENOMEM)
    return 0;
  if (res < 0)
    return NDL_HANGUP | w->events;
  return ndl__lx_translate((uint32_t)res, w->events);
}

/* Turns completions into fired records, up to cap of them; the rest stay
 * in the ring for the next wait. */
static size_t reap(struct ur *u, struct ndl__fired *out, size_t cap) {
  struct io_uring_cqe *cqe;
  size_t n = 0;

  while (n < cap && io_uring_peek_cqe(&u->ring, &cqe) == 0 && cqe != NULL) {
    uint64_t ud = io_uring_cqe_get_data64(cqe);
    int res, fd = ud_fd(ud);
    unsigned events;

    if (ud_kind(ud) == UD_FILE) { /* its result is read in files.c */
      struct ndl__work *w = ndl__ur_read_step(u, ud, cqe);
      io_uring_cqe_seen(&u->ring, cqe);
      if (w != NULL) {
        out[n].kind = NDL__FIRED_WORK;
        out[n].id = w->id;
        out[n].events = 0;
        out[n].work = w;
        n++;
      }
      continue;
    }
    res = ndl__ur_sys_result(cqe);
    io_uring_cqe_seen(&u->ring, cqe);
    if (ud_kind(ud) == UD_WAKE) {
      /* Reset the eventfd before the drain: the epoll backend's order
       * (poll.c), so that a task finishing after the drain rings anew. */
      u->wake_armed = 0;
      if (res > 0)
        (void)ndl__sys_eventfd_read(u->lx.efd);
      continue;
    }
    if (ud_kind(ud) != UD_POLL || (size_t)fd >= u->nwatches ||
        u->watches[fd].id == 0 ||
        (u->watches[fd].gen & UD_GEN_MASK) != ud_gen(ud))
      continue; /* a removal's own completion, or a stale poll */
    if ((events = poll_events(u, fd, res)) == 0)
      continue;
    out[n].kind = NDL__FIRED_IO;
    out[n].id = u->watches[fd].id;
    out[n].events = events;
    out[n].work = NULL;
    n++;
  }
  return n;
}

int ndl__ur_wait(struct ndl__platform *p, int64_t timeout_ns,
                 struct ndl__fired *out, size_t cap, size_t *n) {
  struct ur *u = ndl__ur_of(p);
  int err;

  *n = 0;
  if (cap == 0)
    return NDL_EINVAL;
  /* Nothing to wait for and nothing to report: skip the system call, as
   * the epoll backend does. */
  if (timeout_ns == 0 && u->lx.watched == 0 && ndl__lx_no_task_out(&u->lx) &&
      u->reads == NULL && io_uring_sq_ready(&u->ring) == 0)
    return 0;
  if (timeout_ns != 0 && ndl__lx_completions_pending(&u->lx))
    timeout_ns = 0;
  arm_polls(u);
  /* Completions left from a full out[] must not wait behind a timeout. */
  if (timeout_ns != 0 && io_uring_cq_ready(&u->ring) > 0)
    timeout_ns = 0;
  if ((err = enter(u, timeout_ns)) != 0)
    return err;
  *n = reap(u, out, cap);
  /* The bell is re-armed after the eventfd read in reap() and before the
   * drain: the order model/pool.pml checks. */
  atomic_store(&u->lx.wake_pending, 0);
  *n += ndl__lx_drain(&u->lx, out + *n, cap - *n);
  return 0;
}
