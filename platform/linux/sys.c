/*
 * Every system call of the Linux backend, each behind its own fault point
 * (faults/fault_points.h), as SQLite keeps every OS call in one table. They
 * behave exactly like the libc calls, except that a failing point makes
 * them return -1 with the plan's errno, or the error the call most
 * plausibly returns. Nothing else under platform/ calls the kernel.
 */
#include "sys.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "faults/fault_points.h"

/* ---- The loop: epoll, the wake-up eventfd, threads and the clock. */

int ndl__sys_epoll_create(void) {
  ndl__fault_syscall(LINUX_EPOLL_CREATE);
  return epoll_create1(EPOLL_CLOEXEC);
}

int ndl__sys_eventfd(void) {
  ndl__fault_syscall(LINUX_EVENTFD);
  return eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
}

int ndl__sys_epoll_ctl(int epfd, int op, int fd, struct epoll_event *ev) {
  ndl__fault_syscall(LINUX_EPOLL_CTL);
  return epoll_ctl(epfd, op, fd, ev);
}

int ndl__sys_epoll_wait(int epfd, struct epoll_event *ev, int max,
                        int timeout_ms) {
  ndl__fault_syscall(LINUX_EPOLL_WAIT);
  return epoll_wait(epfd, ev, max, timeout_ms);
}

/* An eventfd moves 8 bytes or fails; a short count never happens. */
static int eventfd_moved(ssize_t r) {
  if (r == (ssize_t)sizeof(uint64_t))
    return 0;
  if (r >= 0)
    errno = EIO;
  return -1;
}

int ndl__sys_eventfd_read(int fd) {
  uint64_t count;
  ndl__fault_syscall(LINUX_EVENTFD_READ);
  return eventfd_moved(read(fd, &count, sizeof(count)));
}

int ndl__sys_eventfd_write(int fd) {
  uint64_t one = 1;
  ndl__fault_syscall(LINUX_EVENTFD_WRITE);
  return eventfd_moved(write(fd, &one, sizeof(one)));
}

int ndl__sys_thread_create(pthread_t *tid, void *(*fn)(void *), void *arg) {
  int err;
  ndl__fault_syscall(LINUX_PTHREAD_CREATE);
  if ((err = pthread_create(tid, NULL, fn, arg)) != 0) {
    errno = err;
    return -1;
  }
  return 0;
}

int ndl__sys_clock(struct timespec *ts) {
  ndl__fault_syscall(LINUX_CLOCK);
  return clock_gettime(CLOCK_MONOTONIC, ts);
}

void ndl__sys_clock_raw(struct timespec *ts) {
  (void)clock_gettime(CLOCK_MONOTONIC, ts);
}

/* No fault point: a failed close() leaves nothing to recover, and retrying
 * it on EINTR could close an fd another thread just opened. */
void ndl__sys_close(int fd) {
  if (fd >= 0)
    (void)close(fd);
}

/* ---- Sockets. */

int ndl__sys_socket(int domain, int type, int protocol) {
  ndl__fault_syscall(NET_SOCKET);
  return socket(domain, type | SOCK_NONBLOCK | SOCK_CLOEXEC, protocol);
}

int ndl__sys_connect(int fd, const struct sockaddr *addr, socklen_t len) {
  ndl__fault_syscall(NET_CONNECT);
  return connect(fd, addr, len);
}

int ndl__sys_accept(int fd) {
  ndl__fault_syscall(NET_ACCEPT);
  return accept4(fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
}

ssize_t ndl__sys_recv(int fd, void *buf, size_t len) {
  ndl__fault_syscall(NET_RECV);
  if (len > 1 && ndl__fault_fail(NDL_FP(NET_RECV_SHORT)))
    len = 1;
  return recv(fd, buf, len, 0);
}

int ndl__sys_bind_listen(int fd, const struct sockaddr *addr, socklen_t len,
                         int backlog) {
  ndl__fault_syscall(NET_LISTEN);
  if (bind(fd, addr, len) != 0)
    return -1;
  return listen(fd, backlog);
}

int ndl__sys_so_error(int fd, int *so_error) {
  socklen_t len = sizeof(*so_error);
  if (ndl__fault_fail(NDL_FP(NET_SO_ERROR))) {
    *so_error = ndl__fault_errno(ECONNREFUSED);
    return 0;
  }
  return getsockopt(fd, SOL_SOCKET, SO_ERROR, so_error, &len);
}

int ndl__sys_shutdown_write(int fd) {
  ndl__fault_syscall(NET_SHUTDOWN);
  return shutdown(fd, SHUT_WR);
}

int ndl__sys_set_option(int fd, int level, int name) {
  int one = 1;
  ndl__fault_syscall(NET_SOCKOPT);
  return setsockopt(fd, level, name, &one, sizeof(one));
}

int ndl__sys_linger_zero(int fd) {
  struct linger now = {1, 0};
  ndl__fault_syscall(NET_SOCKOPT);
  return setsockopt(fd, SOL_SOCKET, SO_LINGER, &now, sizeof(now));
}

int ndl__sys_sockname(int fd, struct sockaddr_storage *ss, socklen_t *len) {
  ndl__fault_syscall(NET_SOCKNAME);
  return getsockname(fd, (struct sockaddr *)ss, len);
}

ssize_t ndl__sys_send(int fd, const void *buf, size_t len) {
  ndl__fault_syscall(NET_SEND);
  if (len > 1 && ndl__fault_fail(NDL_FP(NET_SEND_SHORT)))
    len = 1;
  return send(fd, buf, len, MSG_NOSIGNAL);
}

/* ---- Files, for ndl_fs_read() on the pool. */

int ndl__sys_open(const char *path) {
  int fd;
  ndl__fault_syscall(FS_OPEN);
  do
    fd = open(path, O_RDONLY | O_CLOEXEC);
  while (fd < 0 && errno == EINTR);
  return fd;
}

int ndl__sys_fstat(int fd, struct stat *st) {
  ndl__fault_syscall(FS_FSTAT);
  return fstat(fd, st);
}

ssize_t ndl__sys_read(int fd, void *buf, size_t len) {
  ndl__fault_syscall(FS_READ);
  return read(fd, buf, len);
}

/* ---- Name lookup, on the pool. */

int ndl__sys_getaddrinfo(const char *host, const char *port,
                         const struct addrinfo *hints, struct addrinfo **res) {
  if (ndl__fault_fail(NDL_FP(NET_RESOLVE)))
    return EAI_NONAME;
  return getaddrinfo(host, port, hints, res);
}
