/*
 * Every libfiu fault point in nodeloop, named once and listed here with what
 * failing it means. A point is compiled in only when FIU_ENABLE is defined
 * (test builds); in a release build each macro is empty and costs nothing,
 * which is the fiu-local.h pattern.
 *
 * Names are "<layer>/<call>" and are never reused for another site.
 */
#ifndef NDL_FAULT_POINTS_H
#define NDL_FAULT_POINTS_H

/* core/malloc: any allocation made by the core or the platform returns NULL. */
#define NDL_FP_CORE_MALLOC "core/malloc"

/* linux/epoll_create: creating the loop's epoll instance fails (EMFILE). */
#define NDL_FP_LINUX_EPOLL_CREATE "linux/epoll_create"
/* linux/eventfd: creating the loop's wake-up eventfd fails (EMFILE). */
#define NDL_FP_LINUX_EVENTFD "linux/eventfd"
/* linux/epoll_wait: the poll returns -1 (EINTR by default), as a signal does. */
#define NDL_FP_LINUX_EPOLL_WAIT "linux/epoll_wait"
/* linux/epoll_ctl: adding, changing or removing a watched fd fails (ENOMEM). */
#define NDL_FP_LINUX_EPOLL_CTL "linux/epoll_ctl"
/* linux/eventfd_read: the loop thread cannot reset the eventfd (EAGAIN). */
#define NDL_FP_LINUX_EVENTFD_READ "linux/eventfd_read"
/* linux/eventfd_write: a worker or ndl_stop() cannot signal the loop (EAGAIN). */
#define NDL_FP_LINUX_EVENTFD_WRITE "linux/eventfd_write"
/* linux/pthread_create: a pool thread cannot be created (EAGAIN). */
#define NDL_FP_LINUX_PTHREAD_CREATE "linux/pthread_create"
/* linux/worker_start: a pool thread dies as it starts, before taking work. */
#define NDL_FP_LINUX_WORKER_START "linux/worker_start"
/* linux/clock: clock_gettime(CLOCK_MONOTONIC) fails (EINVAL). */
#define NDL_FP_LINUX_CLOCK "linux/clock"
/* fs/open: ndl_fs_read() cannot open its file (EMFILE). */
#define NDL_FP_FS_OPEN "fs/open"
/* fs/read: one read() of ndl_fs_read() fails (EINTR by default). */
#define NDL_FP_FS_READ "fs/read"

/* net/socket: creating a socket fails (EMFILE). */
#define NDL_FP_NET_SOCKET "net/socket"
/* net/connect: connect() fails at once (ECONNREFUSED by default; ETIMEDOUT
 * through the fault's argument). */
#define NDL_FP_NET_CONNECT "net/connect"
/* net/accept: accept4() fails (EMFILE by default; ECONNABORTED). */
#define NDL_FP_NET_ACCEPT "net/accept"
/* net/recv: recv() fails (EINTR by default; EAGAIN, ECONNRESET). */
#define NDL_FP_NET_RECV "net/recv"
/* net/recv_short: recv() reads at most one byte: a short transfer. */
#define NDL_FP_NET_RECV_SHORT "net/recv_short"
/* net/send: send() fails (EINTR by default; EAGAIN, EPIPE). */
#define NDL_FP_NET_SEND "net/send"
/* net/send_short: send() writes at most one byte: a short transfer. */
#define NDL_FP_NET_SEND_SHORT "net/send_short"

#ifdef FIU_ENABLE
#include <fiu.h>
/* Returns ret from the calling function when the point fails. */
#define ndl__fault_return_on(name, ret) fiu_return_on(name, ret)
/* Nonzero when the point fails; ndl__fault_info() then holds its argument. */
#define ndl__fault_fail(name) fiu_fail(name)
#define ndl__fault_info() fiu_failinfo()
#else
#define ndl__fault_return_on(name, ret)                                        \
  do {                                                                         \
  } while (0)
#define ndl__fault_fail(name) 0
#define ndl__fault_info() ((void *)0)
#endif

#endif
