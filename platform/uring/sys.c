/*
 * The io_uring backend's calls to the kernel, each behind its own fault
 * point, as platform/linux/sys.c does for the epoll backend (whose socket,
 * eventfd, thread and clock calls this backend uses as they are). liburing
 * returns a negative errno instead of setting errno, and so do these.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#if defined(__has_include)
#if __has_include(<valgrind/valgrind.h>)
#include <valgrind/valgrind.h>
#endif
#endif
#ifndef RUNNING_ON_VALGRIND
#define RUNNING_ON_VALGRIND 0
#endif

#include "faults/fault_points.h"
#include "uring.h"

/* Returns the negated errno of point `id` when it fails this time. */
#define UR_FAULT_RETURN(id)                                                    \
  do {                                                                         \
    int fault_ = ndl__fault_code(id);                                          \
    if (fault_ != 0)                                                           \
      return fault_;                                                           \
  } while (0)

int ndl__ur_sys_setup(unsigned entries, struct io_uring *ring,
                      struct io_uring_params *params) {
  UR_FAULT_RETURN(URING_SETUP);
  return io_uring_queue_init_params(entries, ring, params);
}

int ndl__ur_sys_under_valgrind(void) {
  return RUNNING_ON_VALGRIND != 0;
}

/* Valgrind 3.19 (Debian 12's) does not know that io_uring_enter() may
 * block, so it keeps its one-thread-at-a-time lock through the wait, and a
 * pool thread can never ring the eventfd that would end it
 * (bugs.kde.org 463859). Under valgrind the wait is a poll() of the ring's
 * fd instead, which valgrind lets block; the submission before it does not
 * block. The ring is then made without COOP_TASKRUN (uring.c), so that
 * completions wake a poll(). */
static int wait_in_poll(struct io_uring *ring, struct __kernel_timespec *ts) {
  struct pollfd pfd;
  int r, ms = -1;

  if ((r = io_uring_submit(ring)) < 0 || io_uring_cq_ready(ring) > 0)
    return r;
  if (ts != NULL) {
    long long total = (long long)ts->tv_sec * 1000 +
                      (ts->tv_nsec + 999999) / 1000000; /* rounded up */
    ms = total > INT_MAX ? INT_MAX : (int)total;
  }
  pfd.fd = ring->ring_fd;
  pfd.events = POLLIN;
  pfd.revents = 0;
  r = poll(&pfd, 1, ms);
  if (r < 0)
    return -errno;
  return r == 0 ? -ETIME : 0;
}

int ndl__ur_sys_enter(struct io_uring *ring, unsigned wait_nr,
                      struct __kernel_timespec *ts) {
  struct io_uring_cqe *cqe;
  UR_FAULT_RETURN(URING_ENTER);
  if (wait_nr == 0)
    return io_uring_submit(ring);
  if (RUNNING_ON_VALGRIND)
    return wait_in_poll(ring, ts);
  if (ts == NULL)
    return io_uring_submit_and_wait(ring, wait_nr);
  return io_uring_submit_and_wait_timeout(ring, &cqe, wait_nr, ts, NULL);
}

int ndl__ur_sys_result(const struct io_uring_cqe *cqe) {
  UR_FAULT_RETURN(URING_CQE);
  return cqe->res;
}

int ndl__ur_sys_file_result(const struct io_uring_cqe *cqe, int stage) {
  int fault = stage == STAGE_OPEN   ? ndl__fault_code(FS_OPEN)
              : stage == STAGE_STAT ? ndl__fault_code(FS_FSTAT)
                                    : ndl__fault_code(FS_READ);
  if (fault == 0)
    return cqe->res;
  if (stage == STAGE_OPEN && cqe->res >= 0)
    close(cqe->res);
  return fault;
}

int ndl__ur_sys_pollable(int fd) {
  struct stat st;
  UR_FAULT_RETURN(URING_WATCH);
  if (fstat(fd, &st) != 0)
    return -errno;
  return S_ISREG(st.st_mode) || S_ISDIR(st.st_mode) ? -EPERM : 0;
}

/* No fault point: it only words the message of a refusal. */
int ndl__ur_sys_disabled_sysctl(void) {
  FILE *f = fopen("/proc/sys/kernel/io_uring_disabled", "re");
  int value = -1;
  if (f == NULL)
    return -1;
  if (fscanf(f, "%d", &value) != 1)
    value = -1;
  fclose(f);
  return value;
}
