/*
 * The Linux backend's poller: the loop thread's fds in one level-triggered
 * epoll set, with the eventfd that pool threads and ndl_stop() ring, and
 * wait(), which blocks in epoll_wait() and turns what happened into fired
 * records.
 */
#include <errno.h>
#include <limits.h>
#include <string.h>
#include <time.h>

#include "linux.h"
#include "sys.h"

/* epoll_data of the eventfd. Callback ids are never 0, so no fd clashes. */
#define WAKE_TOKEN 0u

unsigned ndl__lx_poll_bits(unsigned events) {
  return ((events & NDL_READABLE) ? EPOLLIN : 0u) |
         ((events & NDL_WRITABLE) ? EPOLLOUT : 0u);
}

static int ctl(struct lx *s, int op, int fd, ndl_id id, unsigned events) {
  struct epoll_event ev;
  memset(&ev, 0, sizeof(ev));
  ev.events = ndl__lx_poll_bits(events);
  /* The id in the low half, the interest in the high half: wait() needs the
   * interest to report an error as the events the user asked for, and this
   * spares a side table keyed by fd. */
  ev.data.u64 = (uint64_t)id | ((uint64_t)events << 32);
  if (ndl__sys_epoll_ctl(s->epfd, op, fd, &ev) != 0)
    return -errno; /* EEXIST is NDL_EEXIST, ENOENT NDL_ENOENT */
  return 0;
}

int ndl__lx_io_add(struct ndl__platform *p, int fd, ndl_id id,
                   unsigned events) {
  struct lx *s = ndl__lx_of(p);
  int err = ctl(s, EPOLL_CTL_ADD, fd, id, events);
  if (err == 0)
    s->watched++;
  return err;
}

int ndl__lx_io_modify(struct ndl__platform *p, int fd, ndl_id id,
                      unsigned events) {
  return ctl(ndl__lx_of(p), EPOLL_CTL_MOD, fd, id, events);
}

/* The watcher is gone for the core even when the kernel refuses the
 * removal (a closed fd has left the set already), so it is not counted. */
int ndl__lx_io_remove(struct ndl__platform *p, int fd) {
  struct lx *s = ndl__lx_of(p);
  if (s->watched > 0)
    s->watched--;
  return ctl(s, EPOLL_CTL_DEL, fd, 0, 0);
}

/* Kernel events to NDL_* bits. An error or hangup is reported as every
 * event the watcher asked for, plus NDL_HANGUP, so that the user's next
 * read() or write() meets the error instead of waiting for a readiness
 * that will never come. */
unsigned ndl__lx_translate(uint32_t got, unsigned want) {
  unsigned events = 0;
  if (got & EPOLLIN)
    events |= NDL_READABLE;
  if (got & EPOLLOUT)
    events |= NDL_WRITABLE;
  if (got & (EPOLLERR | EPOLLHUP))
    events |= NDL_HANGUP | want;
  return events & (want | NDL_HANGUP);
}

/* The timeout for epoll_wait(), in ms, rounded up so that a timer never
 * fires early. */
static int timeout_ms(int64_t timeout_ns) {
  uint64_t ms;
  if (timeout_ns < 0)
    return -1;
  ms = ((uint64_t)timeout_ns + NS_PER_MS - 1) / NS_PER_MS;
  return ms > INT_MAX ? INT_MAX : (int)ms;
}

int ndl__lx_wait(struct ndl__platform *p, int64_t timeout_ns,
                 struct ndl__fired *out, size_t cap, size_t *n) {
  struct lx *s = ndl__lx_of(p);
  uint64_t deadline = 0;
  int got, i, max;

  *n = 0;
  if (cap == 0)
    return NDL_EINVAL;
  /* Nothing to wait for and nothing that could be reported: no watched fd
   * and no task out. Skip the syscall, as a loop that only runs immediates
   * would otherwise make one per iteration. A stop is seen through its flag
   * at the top of the iteration, and an eventfd left readable is read by
   * the next wait that does block. */
  if (timeout_ns == 0 && s->watched == 0 && ndl__lx_no_task_out(s))
    return 0;
  /* Tasks left over from a full out[], or whose eventfd write is still
   * being retried, must not wait behind a long timeout. */
  if (timeout_ns != 0 && ndl__lx_completions_pending(s))
    timeout_ns = 0;
  if (timeout_ns > 0)
    deadline = ndl__lx_now(p) + (uint64_t)timeout_ns;
  max = cap < MAX_EVENTS ? (int)cap : MAX_EVENTS;

  /* On EINTR, wait again for what is left of the timeout, measured on the
   * monotonic clock, so a signal neither ends the wait early nor extends
   * it. */
  while ((got = ndl__sys_epoll_wait(s->epfd, s->events, max,
                                    timeout_ms(timeout_ns))) < 0) {
    uint64_t now;
    if (errno != EINTR)
      return -errno;
    if (timeout_ns == 0) {
      got = 0;
      break;
    }
    if (timeout_ns > 0) {
      if ((now = ndl__lx_now(p)) >= deadline) {
        got = 0;
        break;
      }
      timeout_ns = (int64_t)(deadline - now);
    }
  }

  for (i = 0; i < got; i++) {
    const struct epoll_event *ev = &s->events[i];
    if (ev->data.u64 == WAKE_TOKEN) {
      /* Reset the eventfd before draining, so that a task finishing after
       * the drain rings it anew. The eventfd is only a doorbell:
       * completions are drained below whether or not the read succeeds,
       * and a read that fails (EINTR, or whatever an injected fault makes
       * up) leaves it readable, which costs one spare wake-up, never a
       * lost one. */
      (void)ndl__sys_eventfd_read(s->efd);
      continue;
    }
    out[*n].kind = NDL__FIRED_IO;
    out[*n].id = (ndl_id)(ev->data.u64 & 0xffffffffu);
    out[*n].events =
        ndl__lx_translate(ev->events, (unsigned)(ev->data.u64 >> 32));
    out[*n].work = NULL;
    (*n)++;
  }
  /* Always drain, not only when the eventfd fired: it costs one
   * uncontended lock, and it picks up tasks whose wake-up is still being
   * retried. The bell is re-armed after the eventfd read above and before
   * the drain, so that a task pushed after this drain rings it again. */
  atomic_store(&s->wake_pending, 0);
  *n += ndl__lx_drain(s, out + *n, cap - *n);
  return 0;
}

/* Any thread. A stop that never reaches the loop would leave ndl_run()
 * blocked for good, so a failed write (EAGAIN: the counter is saturated;
 * or an injected fault) is tried again, every millisecond for up to a
 * second, before the error goes back to the caller, ndl_stop(). */
int ndl__lx_wake(struct ndl__platform *p) {
  struct lx *s = ndl__lx_of(p);
  const struct timespec ms = {0, (long)NS_PER_MS};
  int tries;
  for (tries = 0; ndl__sys_eventfd_write(s->efd) != 0; tries++) {
    if (errno == EINTR)
      continue;
    if (tries == 1000)
      return -errno;
    nanosleep(&ms, NULL);
  }
  return 0;
}

int ndl__lx_poll_open(struct lx *s) {
  struct epoll_event ev;

  if ((s->epfd = ndl__sys_epoll_create()) < 0)
    return -errno;
  memset(&ev, 0, sizeof(ev));
  ev.events = EPOLLIN;
  ev.data.u64 = WAKE_TOKEN;
  if (ndl__sys_epoll_ctl(s->epfd, EPOLL_CTL_ADD, s->efd, &ev) != 0)
    return -errno;
  return 0;
}
