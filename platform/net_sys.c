#include "net_sys.h"

#include <errno.h>
#include <stddef.h>
#include <stdint.h>

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

ssize_t ndl__net_send(int fd, const void *buf, size_t len) {
  ndl__fault_syscall(NET_SEND);
  if (len > 1 && ndl__fault_fail(NDL_FP(NET_SEND_SHORT)))
    len = 1;
  return send(fd, buf, len, MSG_NOSIGNAL);
}
