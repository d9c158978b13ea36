/*
 * Sockets and files on the kernel: the vtable's net and files tables for
 * the Linux backend. Each call is a wrapper of sys.c plus the translation
 * of -1/errno into a negative NDL_* code; the non-blocking socket calls
 * follow libuv's unix/tcp.c.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <string.h>

#include "linux.h"
#include "sys.h"

/* ---- Addresses: ours to the kernel's and back. */

static socklen_t to_sockaddr(const struct ndl__addr *a,
                             struct sockaddr_storage *ss) {
  memset(ss, 0, sizeof(*ss));
  if (a->family == 6) {
    struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)ss;
    in6->sin6_family = AF_INET6;
    in6->sin6_port = htons(a->port);
    memcpy(&in6->sin6_addr, a->ip, 16);
    return sizeof(*in6);
  } else {
    struct sockaddr_in *in4 = (struct sockaddr_in *)ss;
    in4->sin_family = AF_INET;
    in4->sin_port = htons(a->port);
    memcpy(&in4->sin_addr, a->ip, 4);
    return sizeof(*in4);
  }
}

static int from_sockaddr(const struct sockaddr *sa, struct ndl__addr *a) {
  memset(a, 0, sizeof(*a));
  if (sa->sa_family == AF_INET6) {
    const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)sa;
    a->family = 6;
    a->port = ntohs(in6->sin6_port);
    memcpy(a->ip, &in6->sin6_addr, 16);
    return 0;
  }
  if (sa->sa_family == AF_INET) {
    const struct sockaddr_in *in4 = (const struct sockaddr_in *)sa;
    a->family = 4;
    a->port = ntohs(in4->sin_port);
    memcpy(a->ip, &in4->sin_addr, 4);
    return 0;
  }
  return NDL_EAI;
}

/* ---- Sockets. */

static int lx_resolve(struct ndl__platform *p, const char *host, int port,
                      struct ndl__addr *out) {
  struct addrinfo hints, *res = NULL;
  char service[16];
  int err;
  (void)p;
  memset(&hints, 0, sizeof(hints));
  hints.ai_socktype = SOCK_STREAM;
  snprintf(service, sizeof(service), "%d", port);
  if (ndl__sys_getaddrinfo(host, service, &hints, &res) != 0)
    return NDL_EAI;
  err = from_sockaddr(res->ai_addr, out);
  freeaddrinfo(res);
  return err;
}

static int lx_socket(struct ndl__platform *p, int family, int *fd) {
  (void)p;
  *fd = ndl__sys_socket(family == 6 ? AF_INET6 : AF_INET, SOCK_STREAM, 0);
  return *fd < 0 ? -errno : 0;
}

static int lx_connect(struct ndl__platform *p, int fd,
                      const struct ndl__addr *to) {
  struct sockaddr_storage ss;
  socklen_t len = to_sockaddr(to, &ss);
  (void)p;
  if (ndl__sys_connect(fd, (struct sockaddr *)&ss, len) != 0 &&
      errno != EINPROGRESS)
    return -errno;
  return 0;
}

static int lx_connect_result(struct ndl__platform *p, int fd) {
  int so_error = 0;
  (void)p;
  if (ndl__sys_so_error(fd, &so_error) != 0)
    return -errno;
  if (so_error == 0)
    ndl__sys_set_option(fd, IPPROTO_TCP, TCP_NODELAY);
  return -so_error;
}

static int lx_listen(struct ndl__platform *p, int fd,
                     const struct ndl__addr *at, int backlog) {
  struct sockaddr_storage ss;
  socklen_t len = to_sockaddr(at, &ss);
  (void)p;
  ndl__sys_set_option(fd, SOL_SOCKET, SO_REUSEADDR);
  return ndl__sys_bind_listen(fd, (struct sockaddr *)&ss, len, backlog) != 0
             ? -errno
             : 0;
}

static int lx_accept(struct ndl__platform *p, int fd, int *client) {
  (void)p;
  if ((*client = ndl__sys_accept(fd)) < 0)
    return errno == EWOULDBLOCK ? NDL_EAGAIN : -errno;
  ndl__sys_set_option(*client, IPPROTO_TCP, TCP_NODELAY);
  return 0;
}

static int lx_local_addr(struct ndl__platform *p, int fd,
                         struct ndl__addr *out) {
  struct sockaddr_storage ss;
  socklen_t len = sizeof(ss);
  (void)p;
  if (ndl__sys_sockname(fd, &ss, &len) != 0)
    return -errno;
  return from_sockaddr((struct sockaddr *)&ss, out);
}

static ssize_t lx_recv(struct ndl__platform *p, int fd, void *buf, size_t len) {
  ssize_t n;
  (void)p;
  n = ndl__sys_recv(fd, buf, len);
  if (n < 0)
    return errno == EWOULDBLOCK ? NDL_EAGAIN : -errno;
  return n;
}

static ssize_t lx_send(struct ndl__platform *p, int fd, const void *buf,
                       size_t len) {
  ssize_t n;
  (void)p;
  n = ndl__sys_send(fd, buf, len);
  if (n < 0)
    return errno == EWOULDBLOCK ? NDL_EAGAIN : -errno;
  return n;
}

static int lx_shutdown(struct ndl__platform *p, int fd) {
  (void)p;
  return ndl__sys_shutdown_write(fd) != 0 ? -errno : 0;
}

static void lx_close(struct ndl__platform *p, int fd) {
  (void)p;
  ndl__sys_close(fd);
}

static int lx_reset_on_close(struct ndl__platform *p, int fd) {
  (void)p;
  return ndl__sys_linger_zero(fd) != 0 ? -errno : 0;
}

const struct ndl__net_ops ndl__linux_net = {
    lx_resolve, lx_socket,   lx_connect,    lx_connect_result,
    lx_listen,  lx_accept,   lx_local_addr, lx_recv,
    lx_send,    lx_shutdown, lx_close,      lx_reset_on_close};

/* ---- Files. */

static int lx_open(struct ndl__platform *p, const char *path, int *fd) {
  (void)p;
  *fd = ndl__sys_open(path);
  return *fd < 0 ? -errno : 0;
}

static int lx_stat(struct ndl__platform *p, int fd, struct ndl__file_stat *st) {
  struct stat kst;
  (void)p;
  if (ndl__sys_fstat(fd, &kst) != 0)
    return -errno;
  st->size = kst.st_size > 0 ? (uint64_t)kst.st_size : 0;
  st->is_dir = S_ISDIR(kst.st_mode);
  return 0;
}

static ssize_t lx_read(struct ndl__platform *p, int fd, void *buf, size_t len) {
  ssize_t n;
  (void)p;
  n = ndl__sys_read(fd, buf, len);
  return n < 0 ? -errno : n;
}

const struct ndl__file_ops ndl__linux_files = {lx_open, lx_stat, lx_read,
                                               lx_close};
