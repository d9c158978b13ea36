#include "net_sys.h"

#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <unistd.h>

#include "faults/fault_points.h"

int ndl__net_socket(int domain, int type, int protocol) {
  ndl__fault_syscall(NET_SOCKET);
  return socket(domain, type | SOCK_NONBLOCK | SOCK_CLOEXEC, protocol);
}

int ndl__net_connect(int fd, const struct sockaddr *addr, socklen_t len) {
  ndl__fault_syscall(NET_CONNECT);
  return connect(fd, addr, len);
}

int ndl__net_accept(int fd) {
  ndl__fault_syscall(NET_ACCEPT);
  return accept4(fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
}

ssize_t ndl__net_recv(int fd, void *buf, size_t len) {
  ndl__fault_syscall(NET_RECV);
  if (len > 1 && ndl__fault_fail(NDL_FP(NET_RECV_SHORT)))
    len = 1;
  return recv(fd, buf, len, 0);
}

int ndl__net_bind_listen(int fd, const struct sockaddr *addr, socklen_t len,
                         int backlog) {
  ndl__fault_syscall(NET_LISTEN);
  if (bind(fd, addr, len) != 0)
    return -1;
  return listen(fd, backlog);
}

int ndl__net_so_error(int fd, int *so_error) {
  socklen_t len = sizeof(*so_error);
  if (ndl__fault_fail(NDL_FP(NET_SO_ERROR))) {
    *so_error = ndl__fault_errno(ECONNREFUSED);
    return 0;
  }
  return getsockopt(fd, SOL_SOCKET, SO_ERROR, so_error, &len);
}

int ndl__net_shutdown_write(int fd) {
  ndl__fault_syscall(NET_SHUTDOWN);
  return shutdown(fd, SHUT_WR);
}

int ndl__net_set_option(int fd, int level, int name) {
  int one = 1;
  ndl__fault_syscall(NET_SOCKOPT);
  return setsockopt(fd, level, name, &one, sizeof(one));
}

int ndl__net_sockname(int fd, struct sockaddr_storage *ss, socklen_t *len) {
  ndl__fault_syscall(NET_SOCKNAME);
  return getsockname(fd, (struct sockaddr *)ss, len);
}

void ndl__net_close(int fd) {
  if (fd >= 0)
    (void)close(fd);
}

ssize_t ndl__net_send(int fd, const void *buf, size_t len) {
  ndl__fault_syscall(NET_SEND);
  if (len > 1 && ndl__fault_fail(NDL_FP(NET_SEND_SHORT)))
    len = 1;
  return send(fd, buf, len, MSG_NOSIGNAL);
}
