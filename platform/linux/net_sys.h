/*
 * The socket calls of the networking code, each behind its own fault point
 * (faults/fault_points.h). They behave exactly like the libc calls, except
 * that a failing fault point makes them return -1 with the fault's errno.
 */
#ifndef NDL_PLATFORM_NET_SYS_H
#define NDL_PLATFORM_NET_SYS_H

#include <sys/socket.h>
#include <sys/types.h>

int ndl__net_socket(int domain, int type, int protocol);
int ndl__net_connect(int fd, const struct sockaddr *addr, socklen_t len);
int ndl__net_accept(int fd);
ssize_t ndl__net_recv(int fd, void *buf, size_t len);
/* Never raises SIGPIPE: a closed peer is an EPIPE error. */
ssize_t ndl__net_send(int fd, const void *buf, size_t len);
int ndl__net_bind_listen(int fd, const struct sockaddr *addr, socklen_t len,
                         int backlog);
/* The outcome of a non-blocking connect: 0, or the errno it failed with
 * (SO_ERROR). Returns -1 (errno set) if that cannot be read. */
int ndl__net_so_error(int fd, int *so_error);
int ndl__net_shutdown_write(int fd);
/* Best-effort options; a failure changes nothing but speed. */
int ndl__net_set_option(int fd, int level, int name);
int ndl__net_sockname(int fd, struct sockaddr_storage *ss, socklen_t *len);
/* No fault point: a failed close() leaves nothing to recover, and retrying
 * it could close an fd that another thread just opened. */
void ndl__net_close(int fd);

#endif
