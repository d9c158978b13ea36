/*
 * TCP: connecting (with a name lookup on the pool when the host is not a
 * numeric address), listening and accepting. See tcp.h.
 */
#include <stdio.h>
#include <string.h>

#include "core/alloc.h"
#include "tcp.h"

/* ---- Connect. */

static int start_connect(ndl_tcp *tcp, const struct ndl__addr *to) {
  int err = tcp->net->socket(tcp->platform, to->family, &tcp->fd);
  if (err)
    return err;
  tcp->state = CONNECTING;
  if ((err = tcp->net->connect(tcp->platform, tcp->fd, to)) != 0) {
    tcp->state = OPEN;
    return err;
  }
  /* Connected or in progress: writability says which, on the loop. */
  return ndl__tcp_update_interest(tcp);
}

/* Hands the connect callback err. now: from a callback of the loop's, so
 * it may run at once; else (inside ndl_tcp_connect) it is deferred, and
 * the error of deferring it is returned. */
static int fail_connect(ndl_tcp *tcp, int err, int now) {
  ndl_value v;
  char where[300];
  int deferred = 0;
  snprintf(where, sizeof(where), "%s:%d", tcp->host, tcp->port);
  ndl__tcp_set_error(tcp, &v, err, "connect", where);
  tcp->state = OPEN;
  if (now)
    tcp->connect_cb(tcp, &v, tcp->connect_arg);
  else
    deferred = ndl__tcp_defer(tcp, &v, tcp->connect_cb, tcp->connect_arg);
  ndl_value_clear(&v);
  return deferred;
}

struct resolve {
  ndl_tcp *tcp;
  struct ndl__addr addr;
  int err;
};

/* Runs on the pool: a lookup may block. */
static void resolve_work(void *arg, ndl_value *result) {
  struct resolve *r = arg;
  ndl_tcp *tcp = r->tcp;
  (void)result;
  r->err = tcp->net->resolve(tcp->platform, tcp->host, tcp->port, &r->addr);
}

static void resolve_done(ndl_loop *loop, const ndl_value *v, void *arg) {
  struct resolve *r = arg;
  ndl_tcp *tcp = r->tcp;
  int err;
  (void)loop;
  (void)v;
  if (tcp->state == RESOLVING) {
    if (r->err != 0) {
      ndl_value e;
      ndl__tcp_set_error(tcp, &e, NDL_EAI, "getaddrinfo", tcp->host);
      tcp->state = OPEN;
      tcp->connect_cb(tcp, &e, tcp->connect_arg);
      ndl_value_clear(&e);
    } else if ((err = start_connect(tcp, &r->addr)) != 0) {
      fail_connect(tcp, err, 1);
    }
    ndl__tcp_settle(tcp);
  }
  ndl__tcp_release(tcp);
  ndl__free(r);
}

/* The loop was freed during the lookup. */
static void drop_resolve(void *arg) {
  struct resolve *r = arg;
  ndl__tcp_release(r->tcp);
  ndl__free(r);
}

int ndl_tcp_connect(ndl_loop *loop, const char *host, int port,
                    ndl_tcp_cb on_connect, void *arg, ndl_tcp **out) {
  struct ndl__addr addr;
  ndl_tcp *tcp;
  ndl_id id;
  int err;

  if (loop == NULL || host == NULL || on_connect == NULL || out == NULL ||
      port < 0 || port > 65535 || strlen(host) >= sizeof(tcp->host))
    return NDL_EINVAL;
  if ((tcp = ndl__tcp_new(loop, -1, RESOLVING)) == NULL)
    return NDL_ENOMEM;
  tcp->connect_cb = on_connect;
  tcp->connect_arg = arg;
  strcpy(tcp->host, host);
  tcp->port = port;

  if (ndl__addr_parse(host, port, &addr) == 0) {
    err = start_connect(tcp, &addr);
    if (err == NDL_ENOMEM || err == NDL_NOIDS || err == NDL_EMFILE ||
        tcp->fd < 0) {
      if (tcp->fd >= 0)
        tcp->net->close(tcp->platform, tcp->fd);
      ndl__tcp_release(tcp);
      return err;
    }
    /* Refused at once: reported on the loop. With no memory to defer the
     * report, the call fails instead, as it never runs a callback. */
    if (err != 0 && (err = fail_connect(tcp, err, 0)) != 0) {
      tcp->net->close(tcp->platform, tcp->fd);
      ndl__tcp_release(tcp);
      return err;
    }
  } else {
    struct resolve *r = ndl__calloc(1, sizeof(*r));
    if (r == NULL) {
      ndl__tcp_release(tcp);
      return NDL_ENOMEM;
    }
    r->tcp = tcp;
    err =
        ndl_queue_work(loop, "Resolve", 0, resolve_work, resolve_done, r, &id);
    if (err) {
      ndl__free(r);
      ndl__tcp_release(tcp);
      return err;
    }
    tcp->refs++;
    ndl__set_release(loop, id, drop_resolve);
  }
  *out = tcp;
  return 0;
}

void ndl__tcp_finish_connect(ndl_tcp *tcp) {
  int err = tcp->net->connect_result(tcp->platform, tcp->fd);
  ndl_value v;
  tcp->state = OPEN;
  ndl__tcp_update_interest(tcp);
  if (err != 0) {
    char where[300];
    snprintf(where, sizeof(where), "%s:%d", tcp->host, tcp->port);
    ndl__tcp_set_error(tcp, &v, err, "connect", where);
    tcp->connect_cb(tcp, &v, tcp->connect_arg);
    ndl_value_clear(&v);
  } else {
    memset(&v, 0, sizeof(v));
    tcp->connect_cb(tcp, &v, tcp->connect_arg);
  }
}

/* ---- Listen and accept. */

int ndl_tcp_listen(ndl_loop *loop, const char *host, int port, int backlog,
                   ndl_tcp_cb on_connection, void *arg, ndl_tcp **out) {
  struct ndl__addr addr;
  ndl_tcp *tcp;
  int err;

  if (loop == NULL || host == NULL || on_connection == NULL || out == NULL ||
      backlog < 0)
    return NDL_EINVAL;
  if ((err = ndl__addr_parse(host, port, &addr)) != 0)
    return err == NDL_EAI ? NDL_EINVAL : err;
  if ((tcp = ndl__tcp_new(loop, -1, LISTENING)) == NULL)
    return NDL_ENOMEM;
  if ((err = tcp->net->socket(tcp->platform, addr.family, &tcp->fd)) != 0) {
    ndl__tcp_release(tcp);
    return err;
  }
  tcp->connect_cb = on_connection;
  tcp->connect_arg = arg;
  tcp->listener = 1;
  if ((err = tcp->net->listen(tcp->platform, tcp->fd, &addr,
                              backlog == 0 ? 511 : backlog)) != 0 ||
      (err = ndl__tcp_update_interest(tcp)) != 0) {
    tcp->net->close(tcp->platform, tcp->fd);
    ndl__tcp_release(tcp);
    return err;
  }
  *out = tcp;
  return 0;
}

/* Takes one connection off the backlog and offers it to the user. Until it
 * is accepted the listener stops watching, as libuv's does, so that a
 * level-triggered fd does not spin. */
void ndl__tcp_on_connectable(ndl_tcp *tcp) {
  ndl_value v;
  int fd = -1;
  int err = tcp->net->accept(tcp->platform, tcp->fd, &fd);
  memset(&v, 0, sizeof(v));
  if (err != 0) {
    if (err == NDL_EAGAIN || err == NDL_EINTR || err == NDL_ECONNABORTED)
      return; /* nothing to take now; the peer gave up; try again later */
    ndl__tcp_set_error(tcp, &v, err, "accept", NULL);
    tcp->connect_cb(tcp, &v, tcp->connect_arg);
    ndl_value_clear(&v);
    return;
  }
  tcp->accepted_fd = fd;
  ndl__tcp_update_interest(tcp);
  tcp->connect_cb(tcp, &v, tcp->connect_arg);
}

/* The second hop of 'listening': the lookup's callback listens, and
 * emits 'listening' from a nextTick (no memory for it: at once). */
static void listening_looked_up(ndl_tcp *server, const ndl_value *v,
                                void *arg) {
  ndl_tcp_cb cb = server->listening_cb;
  (void)arg;
  server->listening_cb = NULL;
  if (server->state != LISTENING)
    return; /* closed before this hop: cb is cancelled, as documented */
  if (ndl__tcp_defer(server, NULL, cb, server->listening_arg) != 0)
    cb(server, v, server->listening_arg);
}

int ndl_tcp_on_listening(ndl_tcp *server, ndl_tcp_cb cb, void *arg) {
  int err;
  if (server == NULL || cb == NULL || server->state != LISTENING)
    return NDL_EINVAL;
  if (server->listening_cb != NULL)
    return NDL_EBUSY;
  if ((err = ndl__tcp_defer(server, NULL, listening_looked_up, NULL)) != 0)
    return err;
  server->listening_cb = cb;
  server->listening_arg = arg;
  return 0;
}

int ndl_tcp_accept(ndl_tcp *server, ndl_tcp **client) {
  ndl_tcp *tcp;
  if (server == NULL || client == NULL || server->state != LISTENING)
    return NDL_EINVAL;
  if (server->accepted_fd < 0)
    return NDL_EAGAIN;
  if ((tcp = ndl__tcp_new(server->loop, server->accepted_fd, OPEN)) == NULL) {
    /* Dropped rather than left waiting: the peer sees the connection end,
     * and the listener takes the next one. */
    server->net->close(server->platform, server->accepted_fd);
    server->accepted_fd = -1;
    ndl__tcp_update_interest(server);
    return NDL_ENOMEM;
  }
  server->accepted_fd = -1;
  ndl__tcp_update_interest(server);
  tcp->server = server;
  server->conns++;
  server->refs++;
  *client = tcp;
  return 0;
}

int ndl_tcp_port(const ndl_tcp *tcp, int *port) {
  struct ndl__addr addr;
  int err;
  if (tcp == NULL || port == NULL || tcp->fd < 0)
    return NDL_EINVAL;
  if ((err = tcp->net->local_addr(tcp->platform, tcp->fd, &addr)) != 0)
    return err;
  *port = addr.port;
  return 0;
}
