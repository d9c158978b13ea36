/*
 * The io_uring backend: the Linux backend's pool, clock, eventfd and socket
 * calls (platform/linux/), with an io_uring in place of the epoll set. Its
 * parts:
 *   uring.c  creating and destroying it, its table of calls, and the check
 *            that says whether the kernel allows io_uring at all;
 *   ring.c   fd watching, waiting in io_uring_enter(), and wake-ups;
 *   sys.c    the ring's calls to the kernel, each behind its fault point.
 *
 * Watching an fd is a one-shot poll in the ring, armed again at the next
 * wait after each report, so that an fd stays reported for as long as it
 * is ready: the epoll backend's level-triggered rule, which the modules
 * rely on. The polls of a wait, the removals since the last one and the
 * wait itself (with its deadline) go to the kernel in one
 * io_uring_enter(). The eventfd that the pool and ndl_stop() ring is one
 * more poll.
 *
 * A poll's user_data holds its kind, the fd and the watcher's generation,
 * which every io_add, io_modify and io_remove bumps: a completion of an
 * older poll (cancelled, or for an fd number since closed and reused) is
 * recognised and dropped.
 *
 * ndl_fs_read() needs no pool thread here: files.c chains a whole-file
 * read's open, statx, reads and close through the ring.
 */
#ifndef NDL_PLATFORM_URING_H
#define NDL_PLATFORM_URING_H

#include <liburing.h>

#include "platform/linux/linux.h"

/* Submission queue entries; the completion queue is twice as big, and the
 * kernel keeps what overflows it (IORING_FEAT_NODROP). */
#define UR_ENTRIES 256u

/* The kind of a completion, in the top two bits of its user_data. A file
 * read's user_data is its record's address, kind 0. */
enum { UD_FILE = 0, UD_POLL = 1, UD_WAKE = 2, UD_IGNORE = 3 };

/* A file read's stages (files.c), which also pick its fault point. */
enum { STAGE_OPEN, STAGE_STAT, STAGE_READ };

struct ur_read;

struct ur_watch {
  ndl_id id; /* 0: not watched */
  unsigned events;
  uint32_t gen;
  unsigned char armed;  /* a poll of this generation is in the ring */
  unsigned char queued; /* on the list of polls to arm */
};

/* Only the loop thread touches the fields after lx. */
struct ur {
  struct lx lx; /* first: the pool, the clock and the eventfd */
  struct io_uring ring;
  int ring_open;
  struct ur_watch *watches; /* by fd, nwatches of them */
  size_t nwatches;
  int *to_arm; /* fds whose poll the next wait arms, each at most once */
  size_t narm;
  int wake_armed;
  struct ur_read *reads; /* file reads in the ring */
};

static inline struct ur *ndl__ur_of(struct ndl__platform *p) {
  return (struct ur *)p;
}

/* ring.c */
int ndl__ur_io_add(struct ndl__platform *p, int fd, ndl_id id, unsigned events);
int ndl__ur_io_modify(struct ndl__platform *p, int fd, ndl_id id,
                      unsigned events);
int ndl__ur_io_remove(struct ndl__platform *p, int fd);
int ndl__ur_wait(struct ndl__platform *p, int64_t timeout_ns,
                 struct ndl__fired *out, size_t cap, size_t *n);

/* A free submission entry; when the queue is full, what it holds goes to
 * the kernel first. NULL if even that fails. */
struct io_uring_sqe *ndl__ur_next_sqe(struct ur *u);

/* files.c: ndl_fs_read() in the ring. read_start() fails (NDL_ENOMEM) when
 * the read cannot start here; the work then goes to the pool. read_step()
 * takes a read's completion and returns its work when the read is over.
 * reads_stop() cancels every read and waits for the kernel to let go of
 * their buffers, freeing their work. */
int ndl__ur_read_start(struct ur *u, struct ndl__work *w);
struct ndl__work *ndl__ur_read_step(struct ur *u, uint64_t ud,
                                    const struct io_uring_cqe *cqe);
void ndl__ur_reads_stop(struct ur *u);

/* sys.c: liburing's calls, which return a negative errno, never -1. */
int ndl__ur_sys_setup(unsigned entries, struct io_uring *ring,
                      struct io_uring_params *params);
/* Submits what is queued and waits for at least wait_nr completions, for
 * at most *ts (NULL: no limit). -ETIME when the time ran out. */
int ndl__ur_sys_enter(struct io_uring *ring, unsigned wait_nr,
                      struct __kernel_timespec *ts);
/* A completion's result, or the errno a uring/cqe fault stands for. */
int ndl__ur_sys_result(const struct io_uring_cqe *cqe);
/* A file read's completion at stage (STAGE_*), or the errno its fault
 * point (fs/open, fs/fstat, fs/read) stands for; an fd that a failed
 * fs/open point leaves open is closed. */
int ndl__ur_sys_file_result(const struct io_uring_cqe *cqe, int stage);
/* Whether fd may be polled, as epoll_ctl() would say: 0, -EBADF (not
 * open) or -EPERM (a regular file or a directory, always ready). */
int ndl__ur_sys_pollable(int fd);
/* Whether the process runs under valgrind, which changes how the ring
 * waits (sys.c says why). */
int ndl__ur_sys_under_valgrind(void);
/* kernel.io_uring_disabled (0, 1 or 2), or -1 if it cannot be read. */
int ndl__ur_sys_disabled_sysctl(void);

#endif
