#include "net_sys.h"

#include <errno.h>
#include <stddef.h>
#include <stdint.h>

#include "faults/fault_points.h"

/* Fails the call with the fault's errno, or with a default one. */
#define FAULT(point, default_errno)                                            \
  do {                                                                         \
    if (ndl__fault_fail(point)) {                                              \
      intptr_t e = (intptr_t)ndl__fault_info();                                \
      errno = e != 0 ? (int)e : (default_errno);                               \
      return -1;                                                               \
    }                                                                          \
  } while (0)

int ndl__net_socket(int domain, int type, int protocol) {
  FAULT(NDL_FP_NET_SOCKET, EMFILE);
  return socket(domain, type | SOCK_NONBLOCK | SOCK_CLOEXEC, protocol);
}

int ndl__net_connect(int fd, const struct sockaddr *addr, socklen_t len) {
  FAULT(NDL_FP_NET_CONNECT, ECONNREFUSED);
  return connect(fd, addr, len);
}

int ndl__net_accept(int fd) {
  FAULT(NDL_FP_NET_ACCEPT, EMFILE);
  return accept4(fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
}

ssize_t ndl__net_recv(int fd, void *buf, size_t len) {
  FAULT(NDL_FP_NET_RECV, EINTR);
  if (len > 1 && ndl__fault_fail(NDL_FP_NET_RECV_SHORT))
    len = 1;
  return recv(fd, buf, len, 0);
}

ssize_t ndl__net_send(int fd, const void *buf, size_t len) {
  FAULT(NDL_FP_NET_SEND, EINTR);
  if (len > 1 && ndl__fault_fail(NDL_FP_NET_SEND_SHORT))
    len = 1;
  return send(fd, buf, len, MSG_NOSIGNAL);
}
