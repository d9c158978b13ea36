/*
 * Every libfiu fault point in nodeloop, named once, with what failing it
 * means and the errno it stands for unless the plan says otherwise. A point
 * is compiled in only when FIU_ENABLE is defined (test builds); in a release
 * build every macro below is empty and costs nothing: the fiu-local.h
 * pattern.
 *
 * Names are "<layer>/<call>" and never reused for another site. Only the
 * thin wrappers around syscalls and allocation hold points, as SQLite's
 * os_unix.c syscall table does.
 */
#ifndef NDL_FAULT_POINTS_H
#define NDL_FAULT_POINTS_H

#include <errno.h>

/* X(ID, "name", default errno, "what failing it means") */
#define NDL_FAULT_POINTS(X)                                                    \
  X(CORE_MALLOC, "core/malloc", ENOMEM,                                        \
    "an allocation of the core or the platform returns NULL")                  \
  X(LINUX_EPOLL_CREATE, "linux/epoll_create", EMFILE,                          \
    "creating the loop's epoll instance fails")                                \
  X(LINUX_EVENTFD, "linux/eventfd", EMFILE,                                    \
    "creating the loop's wake-up eventfd fails")                               \
  X(LINUX_EPOLL_WAIT, "linux/epoll_wait", EINTR,                               \
    "the poll returns -1, as when a signal arrives")                           \
  X(LINUX_EPOLL_CTL, "linux/epoll_ctl", ENOMEM,                                \
    "adding, changing or removing a watched fd fails (ENOMEM, ENOSPC)")        \
  X(LINUX_EVENTFD_READ, "linux/eventfd_read", EAGAIN,                          \
    "the loop thread cannot reset the eventfd (EAGAIN, EINTR)")                \
  X(LINUX_EVENTFD_WRITE, "linux/eventfd_write", EAGAIN,                        \
    "a worker or ndl_stop() cannot signal the loop (EAGAIN, EINTR)")           \
  X(LINUX_PTHREAD_CREATE, "linux/pthread_create", EAGAIN,                      \
    "a pool thread cannot be created")                                         \
  X(LINUX_WORKER_START, "linux/worker_start", 0,                               \
    "a pool thread dies as it starts, before it takes any work")               \
  X(LINUX_CLOCK, "linux/clock", EINVAL,                                        \
    "clock_gettime(CLOCK_MONOTONIC) fails; the last reading stands in")        \
  X(LINUX_CLOCK_STEP, "linux/clock_step", 0,                                   \
    "the clock steps by the plan's argument in ms (negative: backwards)")      \
  X(URING_SETUP, "uring/setup", ENOMEM,                                        \
    "io_uring_queue_init() fails as a loop on io_uring is made")               \
  X(URING_ENTER, "uring/enter", EINTR,                                         \
    "io_uring_enter() fails (EINTR, EAGAIN, EBUSY) as the loop waits")         \
  X(URING_CQE, "uring/cqe", ECANCELED,                                         \
    "a completion of the ring carries this error (ECANCELED, EINTR, ENOMEM)")  \
  X(URING_WATCH, "uring/watch", ENOMEM,                                        \
    "io_uring: an fd cannot be watched (ENOMEM; EBADF, EPERM)")                \
  X(FS_OPEN, "fs/open", EMFILE,                                                \
    "ndl_fs_read() cannot open its file (EMFILE, ENOENT)")                     \
  X(FS_READ, "fs/read", EINTR, "one read() of ndl_fs_read() fails")            \
  X(FS_FSTAT, "fs/fstat", EIO, "ndl_fs_read() cannot stat its open file")      \
  X(NET_SOCKET, "net/socket", EMFILE, "creating a socket fails")               \
  X(NET_CONNECT, "net/connect", ECONNREFUSED,                                  \
    "connect() fails at once (ECONNREFUSED, ETIMEDOUT)")                       \
  X(NET_ACCEPT, "net/accept", EMFILE,                                          \
    "accept4() fails (EMFILE, ECONNABORTED)")                                  \
  X(NET_RECV, "net/recv", EINTR, "recv() fails (EINTR, EAGAIN, ECONNRESET)")   \
  X(NET_RECV_SHORT, "net/recv_short", 0,                                       \
    "recv() reads at most one byte: a short transfer")                         \
  X(NET_SEND, "net/send", EINTR, "send() fails (EINTR, EAGAIN, EPIPE)")        \
  X(NET_SEND_SHORT, "net/send_short", 0,                                       \
    "send() writes at most one byte: a short transfer")                        \
  X(NET_LISTEN, "net/listen", EADDRINUSE,                                      \
    "bind() or listen() of a listening socket fails")                          \
  X(NET_SO_ERROR, "net/so_error", ECONNREFUSED,                                \
    "a connect in progress completes with this error (getsockopt SO_ERROR)")   \
  X(NET_SHUTDOWN, "net/shutdown", ENOTCONN, "shutdown(SHUT_WR) fails")         \
  X(NET_SOCKOPT, "net/sockopt", ENOPROTOOPT,                                   \
    "setsockopt() fails (TCP_NODELAY, SO_REUSEADDR: best effort)")             \
  X(NET_SOCKNAME, "net/sockname", ENOBUFS, "getsockname() fails")              \
  X(NET_RESOLVE, "net/resolve", 0, "a name does not resolve (EAI)")            \
  X(SIM_NET_RESET, "sim/net_reset", 0,                                         \
    "sim network: a send is lost and both ends of its connection reset")       \
  X(SIM_NET_LATENCY, "sim/net_latency", 0,                                     \
    "sim network: a segment is late by the argument in ms (up to a day)")      \
  X(SIM_NET_PARTITION, "sim/net_partition", 0,                                 \
    "sim network: nothing arrives for the argument in ms (up to a day)")       \
  X(SIM_PLANT_DROP_BYTE, "sim/plant_drop_byte", 0,                             \
    "a planted bug, not a fault: a segment silently loses a byte")             \
  X(SIM_PLANT_LOST_FIN, "sim/plant_lost_fin", 0,                               \
    "a planted bug, not a fault: a shutdown's FIN never arrives")

enum ndl__fault_point {
#define NDL_FP_ENUM(id, name, err, what) NDL__FP_##id,
  /* The expansion ends in a comma, which clang-format cannot see. */
  /* clang-format off */
  NDL_FAULT_POINTS(NDL_FP_ENUM)
#undef NDL_FP_ENUM
  NDL__FP_COUNT
  /* clang-format on */
};

struct ndl__fault_info {
  const char *name;
  int default_errno;
  const char *what;
};
/* Indexed by enum ndl__fault_point (faults/fault_points.c). */
extern const struct ndl__fault_info ndl__fault_points[NDL__FP_COUNT];

/* The libfiu name of a point: NDL_FP(CORE_MALLOC) is "core/malloc". */
#define NDL_FP(id) (ndl__fault_points[NDL__FP_##id].name)

/* Blocks the core's allocator has handed out and not yet freed, counted by
 * the fault layer's allocator (faults/alloc.c) in a test build; -1 in a
 * release build, which installs none. */
long ndl__alloc_live(void);

#ifdef FIU_ENABLE
#include <fiu.h>
#include <stdint.h>
/* Installs the fault layer's allocator, which core/malloc fails, into the
 * core (faults/fault_points.c does, as the program starts). */
void ndl__fault_alloc_install(void);
/* Nonzero when the point fails this time (faults/plan.c). */
int ndl__fault_check(const char *name);
/* The failinfo of the calling thread's latest failure: the fault plan's,
 * kept per thread, or else libfiu's (fiu_enable() in tests). */
intptr_t ndl__fault_failinfo(void);
#define ndl__fault_fail(name) ndl__fault_check(name)
/* The errno a failed point stands for: the plan's, else the default. */
#define ndl__fault_errno(default_errno)                                        \
  (ndl__fault_failinfo() != 0 ? (int)ndl__fault_failinfo() : (default_errno))
/* The plan's argument to a failed point (clock_step: ms), or 0. */
#define ndl__fault_arg() ndl__fault_failinfo()
#else
#define ndl__fault_fail(name) 0
#define ndl__fault_errno(default_errno) (default_errno)
#define ndl__fault_arg() ((intptr_t)0)
/* For calls that return negative codes (the vtable): the negated errno of
 * point `id` when it fails this time, else 0. */
#define ndl__fault_code(id)                                                    \
  (ndl__fault_fail(NDL_FP(id))                                                 \
       ? -ndl__fault_errno(ndl__fault_points[NDL__FP_##id].default_errno)      \
       : 0)

#endif

/* Returns ret from the calling function when point `id` fails. */
#define ndl__fault_return_on(id, ret)                                          \
  do {                                                                         \
    if (ndl__fault_fail(NDL_FP(id)))                                           \
      return ret;                                                              \
  } while (0)

/* For syscall wrappers: when point `id` fails, sets errno (the plan's, or
 * the point's default) and returns -1, exactly as the failing call would. */
#define ndl__fault_syscall(id)                                                 \
  do {                                                                         \
    if (ndl__fault_fail(NDL_FP(id))) {                                         \
      errno = ndl__fault_errno(ndl__fault_points[NDL__FP_##id].default_errno); \
      return -1;                                                               \
    }                                                                          \
  } while (0)

/* For calls that return negative codes (the vtable): the negated errno of
 * point `id` when it fails this time, else 0. */
#define ndl__fault_code(id)                                                    \
  (ndl__fault_fail(NDL_FP(id))                                                 \
       ? -ndl__fault_errno(ndl__fault_points[NDL__FP_##id].default_errno)      \
       : 0)

#endif
