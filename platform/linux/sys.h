/*
 * The Linux backend's system calls (sys.c), each behind its own fault
 * point. Each behaves like the libc call it wraps: -1 and errno on failure.
 */
#ifndef NDL_PLATFORM_LINUX_SYS_H
#define NDL_PLATFORM_LINUX_SYS_H

#include <netdb.h>
#include <pthread.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <time.h>

struct epoll_event;

int ndl__sys_epoll_create(void);
int ndl__sys_eventfd(void);
int ndl__sys_epoll_ctl(int epfd, int op, int fd, struct epoll_event *ev);
int ndl__sys_epoll_wait(int epfd, struct epoll_event *ev, int max,
                        int timeout_ms);
/* Reset and ring the eventfd: one 8-byte read or write. */
int ndl__sys_eventfd_read(int fd);
int ndl__sys_eventfd_write(int fd);
int ndl__sys_thread_create(pthread_t *tid, void *(*fn)(void *), void *arg);
/* CLOCK_MONOTONIC. */
int ndl__sys_clock(struct timespec *ts);
/* CLOCK_MONOTONIC with no fault point: the deadline of a condition
 * variable's wait, which must be on the kernel's clock, not the loop's. */
void ndl__sys_clock_raw(struct timespec *ts);
/* No fault point: a failed close() leaves nothing to recover, and retrying
 * it on EINTR could close an fd another thread just opened. */
void ndl__sys_close(int fd);

/* Non-blocking, close-on-exec sockets. */
int ndl__sys_socket(int domain, int type, int protocol);
int ndl__sys_connect(int fd, const struct sockaddr *addr, socklen_t len);
int ndl__sys_accept(int fd);
ssize_t ndl__sys_recv(int fd, void *buf, size_t len);
/* Never raises SIGPIPE: a closed peer is an EPIPE error. */
ssize_t ndl__sys_send(int fd, const void *buf, size_t len);
int ndl__sys_bind_listen(int fd, const struct sockaddr *addr, socklen_t len,
                         int backlog);
/* The outcome of a non-blocking connect: 0, or the errno it failed with
 * (SO_ERROR). Returns -1 (errno set) if that cannot be read. */
int ndl__sys_so_error(int fd, int *so_error);
int ndl__sys_shutdown_write(int fd);
/* Best-effort options; a failure changes nothing but speed. */
int ndl__sys_set_option(int fd, int level, int name);
/* SO_LINGER with a zero timeout: the next close() sends a reset. */
int ndl__sys_linger_zero(int fd);
int ndl__sys_sockname(int fd, struct sockaddr_storage *ss, socklen_t *len);
/* getaddrinfo(): 0 or an EAI_* code. */
int ndl__sys_getaddrinfo(const char *host, const char *port,
                         const struct addrinfo *hints, struct addrinfo **res);

/* Files: open() retries EINTR itself. */
int ndl__sys_open(const char *path);
int ndl__sys_fstat(int fd, struct stat *st);
ssize_t ndl__sys_read(int fd, void *buf, size_t len);

#endif
