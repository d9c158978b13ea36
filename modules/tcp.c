/*
 * Non-blocking TCP on the loop's poller, as libuv's stream.c and tcp.c do
 * it, in one small state machine per handle.
 *
 * The handle watches its fd for exactly what it waits for: writable while
 * connecting or while writes are queued, readable while reading or
 * listening. EAGAIN re-arms that interest instead of blocking. No user
 * callback runs inside the call that registered it: results that are known
 * at once (a write that went out whole, an immediate connect error) are
 * handed over through the pending phase (ndl_defer), as libuv's
 * uv__io_feed does.
 *
 * A handle stays allocated while anything may still call back into it: its
 * reference count covers the open socket and every deferred callback, and
 * it is freed when the last one is gone.
 *
 * Every socket call goes through the platform's net table, so the same code
 * runs on the kernel's sockets and on the sim's simulated network.
 */
#include <stdio.h>
#include <string.h>

#include "core/alloc.h"
#include "nodeloop_net.h"
#include "runtime/runtime.h"

#define READ_CHUNK 65536
#define READS_PER_EVENT 16 /* fairness: other fds get a turn */

enum tcp_state { RESOLVING, CONNECTING, OPEN, LISTENING, CLOSING };

struct write_req {
  struct write_req *next;
  size_t len, off;
  ndl_tcp_cb cb;
  void *arg;
  char data[];
};

struct ndl_tcp {
  ndl_loop *loop;
  struct ndl__platform *platform;
  const struct ndl__net_ops *net;
  enum tcp_state state;
  int fd;
  int refs;
  ndl_id watch; /* 0 when the fd is not watched */
  unsigned events;
  int unrefed; /* the watcher does not keep the loop alive */

  ndl_tcp_cb connect_cb; /* also the listener's connection callback */
  void *connect_arg;
  ndl_tcp_cb read_cb;
  void *read_arg;
  int reading;
  int accepted_fd; /* a connection taken but not yet accepted, or -1 */

  struct write_req *wq_head, *wq_tail;
  int shutdown_pending;

  ndl_tcp_cb close_cb;
  void *close_arg;

  char host[256]; /* while resolving */
  int port;
};

static void set_error(ndl_value *v, int err, const char *what) {
  memset(v, 0, sizeof(*v));
  ndl_value_set_error(v, err, "%s: %s, %s", ndl_err_name(err),
                      ndl_strerror(err), what);
}

static void release(ndl_tcp *tcp) {
  if (--tcp->refs == 0)
    ndl__free(tcp);
}

static ndl_tcp *tcp_new(ndl_loop *loop, int fd, enum tcp_state state) {
  ndl_tcp *tcp = ndl__calloc(1, sizeof(*tcp));
  if (tcp == NULL)
    return NULL;
  tcp->loop = loop;
  tcp->platform = ndl__loop_platform(loop);
  tcp->net = tcp->platform->net;
  tcp->fd = fd;
  tcp->state = state;
  tcp->refs = 1;
  tcp->accepted_fd = -1;
  return tcp;
}

ndl_loop *ndl_tcp_loop(const ndl_tcp *tcp) { return tcp->loop; }

static int set_ref(ndl_tcp *tcp, int refed) {
  if (tcp == NULL)
    return NDL_EINVAL;
  tcp->unrefed = !refed;
  if (tcp->watch == 0)
    return 0; /* applied when the handle next watches its fd */
  return refed ? ndl_io_ref(tcp->loop, tcp->watch)
               : ndl_io_unref(tcp->loop, tcp->watch);
}

int ndl_tcp_unref(ndl_tcp *tcp) { return set_ref(tcp, 0); }

int ndl_tcp_ref(ndl_tcp *tcp) { return set_ref(tcp, 1); }

/* ---- Deferred callbacks: a user callback with a value, run in the next
 * pending phase, holding a reference on the handle. */

struct deferred {
  ndl_tcp *tcp;
  ndl_tcp_cb cb;
  void *arg;
};

static void run_deferred(ndl_loop *loop, const ndl_value *v, void *arg) {
  struct deferred *d = arg;
  (void)loop;
  d->cb(d->tcp, v, d->arg);
  release(d->tcp);
  ndl__free(d);
}

/* The loop was freed before the deferred callback ran. */
static void drop_deferred(void *arg) {
  struct deferred *d = arg;
  release(d->tcp);
  ndl__free(d);
}

/* Runs cb(tcp, v) later: v == NULL (success) from a nextTick, as Node
 * reports a write that went out at once; an error value in the next
 * pending phase, as libuv reports an immediate connect error. */
static int defer(ndl_tcp *tcp, const ndl_value *v, ndl_tcp_cb cb, void *arg) {
  struct deferred *d = ndl__malloc(sizeof(*d));
  ndl_id id;
  int err;
  if (d == NULL)
    return NDL_ENOMEM;
  d->tcp = tcp;
  d->cb = cb;
  d->arg = arg;
  err = v == NULL ? ndl__next_tick_id(tcp->loop, run_deferred, d, &id)
                  : ndl_defer(tcp->loop, v, run_deferred, d, &id);
  if (err != 0) {
    ndl__free(d);
    return err;
  }
  tcp->refs++;
  ndl__set_release(tcp->loop, id, drop_deferred);
  return 0;
}

/* ---- Interest: watch the fd for exactly what the handle waits for. */

static void on_io(ndl_loop *loop, const ndl_value *events, void *arg);

static unsigned wanted(const ndl_tcp *tcp) {
  switch (tcp->state) {
  case CONNECTING:
    return NDL_WRITABLE;
  case LISTENING:
    return tcp->accepted_fd < 0 ? NDL_READABLE : 0;
  case OPEN:
    return (tcp->reading ? NDL_READABLE : 0) |
           (tcp->wq_head != NULL ? NDL_WRITABLE : 0);
  default:
    return 0;
  }
}

static int update_interest(ndl_tcp *tcp) {
  unsigned want = wanted(tcp);
  int err = 0;
  if (want == tcp->events && (want == 0) == (tcp->watch == 0))
    return 0;
  if (want == 0) {
    ndl_io_stop(tcp->loop, tcp->watch);
    tcp->watch = 0;
  } else if (tcp->watch == 0) {
    err = ndl_io_start(tcp->loop, tcp->fd, want, on_io, tcp, &tcp->watch);
    if (err)
      tcp->watch = 0;
    else if (tcp->unrefed)
      ndl_io_unref(tcp->loop, tcp->watch);
  } else {
    err = ndl_io_modify(tcp->loop, tcp->watch, want);
  }
  if (err == 0)
    tcp->events = want;
  return err;
}

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
  return update_interest(tcp);
}

static void fail_connect(ndl_tcp *tcp, int err) {
  ndl_value v;
  char what[300];
  snprintf(what, sizeof(what), "connect %s:%d", tcp->host, tcp->port);
  set_error(&v, err, what);
  tcp->state = OPEN;
  if (defer(tcp, &v, tcp->connect_cb, tcp->connect_arg) != 0)
    tcp->connect_cb(tcp, &v, tcp->connect_arg); /* out of memory: now */
  ndl_value_clear(&v);
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
      memset(&e, 0, sizeof(e));
      ndl_value_set_error(&e, NDL_EAI, "EAI: %s, getaddrinfo %s",
                          ndl_strerror(NDL_EAI), tcp->host);
      tcp->state = OPEN;
      tcp->connect_cb(tcp, &e, tcp->connect_arg);
      ndl_value_clear(&e);
    } else if ((err = start_connect(tcp, &r->addr)) != 0) {
      fail_connect(tcp, err);
    }
  }
  release(tcp);
  ndl__free(r);
}

int ndl_tcp_connect(ndl_loop *loop, const char *host, int port,
                    ndl_tcp_cb on_connect, void *arg, ndl_tcp **out) {
  struct ndl__addr addr;
  ndl_tcp *tcp;
  int err;

  if (loop == NULL || host == NULL || on_connect == NULL || out == NULL ||
      port < 0 || port > 65535 || strlen(host) >= sizeof(tcp->host))
    return NDL_EINVAL;
  if ((tcp = tcp_new(loop, -1, RESOLVING)) == NULL)
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
      ndl__free(tcp);
      return err;
    }
    if (err)
      fail_connect(tcp, err); /* refused at once: reported on the loop */
  } else {
    struct resolve *r = ndl__calloc(1, sizeof(*r));
    if (r == NULL) {
      ndl__free(tcp);
      return NDL_ENOMEM;
    }
    r->tcp = tcp;
    err = ndl_queue_work(loop, "Resolve", 0, resolve_work, resolve_done, r,
                         NULL);
    if (err) {
      ndl__free(r);
      ndl__free(tcp);
      return err;
    }
    tcp->refs++;
  }
  *out = tcp;
  return 0;
}

static void finish_connect(ndl_tcp *tcp) {
  int err = tcp->net->connect_result(tcp->platform, tcp->fd);
  ndl_value v;
  tcp->state = OPEN;
  update_interest(tcp);
  if (err != 0) {
    char what[300];
    snprintf(what, sizeof(what), "connect %s:%d", tcp->host, tcp->port);
    set_error(&v, err, what);
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
  if ((tcp = tcp_new(loop, -1, LISTENING)) == NULL)
    return NDL_ENOMEM;
  if ((err = tcp->net->socket(tcp->platform, addr.family, &tcp->fd)) != 0) {
    ndl__free(tcp);
    return err;
  }
  tcp->connect_cb = on_connection;
  tcp->connect_arg = arg;
  if ((err = tcp->net->listen(tcp->platform, tcp->fd, &addr,
                              backlog == 0 ? 511 : backlog)) != 0 ||
      (err = update_interest(tcp)) != 0) {
    tcp->net->close(tcp->platform, tcp->fd);
    ndl__free(tcp);
    return err;
  }
  *out = tcp;
  return 0;
}

/* Takes one connection off the backlog and offers it to the user. Until it
 * is accepted the listener stops watching, as libuv's does, so that a
 * level-triggered fd does not spin. */
static void on_connectable(ndl_tcp *tcp) {
  ndl_value v;
  int fd = -1;
  int err = tcp->net->accept(tcp->platform, tcp->fd, &fd);
  memset(&v, 0, sizeof(v));
  if (err != 0) {
    if (err == NDL_EAGAIN || err == NDL_EINTR || err == NDL_ECONNABORTED)
      return; /* nothing to take now; the peer gave up; try again later */
    set_error(&v, err, "accept");
    tcp->connect_cb(tcp, &v, tcp->connect_arg);
    ndl_value_clear(&v);
    return;
  }
  tcp->accepted_fd = fd;
  update_interest(tcp);
  tcp->connect_cb(tcp, &v, tcp->connect_arg);
}

int ndl_tcp_accept(ndl_tcp *server, ndl_tcp **client) {
  ndl_tcp *tcp;
  if (server == NULL || client == NULL || server->state != LISTENING)
    return NDL_EINVAL;
  if (server->accepted_fd < 0)
    return NDL_EAGAIN;
  if ((tcp = tcp_new(server->loop, server->accepted_fd, OPEN)) == NULL) {
    /* Dropped rather than left waiting: the peer sees the connection end,
     * and the listener takes the next one. */
    server->net->close(server->platform, server->accepted_fd);
    server->accepted_fd = -1;
    update_interest(server);
    return NDL_ENOMEM;
  }
  server->accepted_fd = -1;
  update_interest(server);
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

/* ---- Reading. */

int ndl_tcp_read_start(ndl_tcp *tcp, ndl_tcp_cb on_read, void *arg) {
  if (tcp == NULL || on_read == NULL || tcp->state == LISTENING ||
      tcp->state == CLOSING)
    return NDL_EINVAL;
  tcp->read_cb = on_read;
  tcp->read_arg = arg;
  tcp->reading = 1;
  return tcp->state == OPEN ? update_interest(tcp) : 0;
}

int ndl_tcp_read_stop(ndl_tcp *tcp) {
  if (tcp == NULL || tcp->state == CLOSING)
    return NDL_EINVAL;
  tcp->reading = 0;
  return update_interest(tcp);
}

/* Reads what is there, a bounded number of times. Each chunk is handed over
 * straight from the stack buffer, with no copy. */
static void on_readable(ndl_tcp *tcp) {
  char buf[READ_CHUNK + 1];
  ndl_value v;
  int i;

  for (i = 0; i < READS_PER_EVENT && tcp->reading && tcp->state == OPEN; i++) {
    ssize_t n = tcp->net->recv(tcp->platform, tcp->fd, buf, READ_CHUNK);
    memset(&v, 0, sizeof(v));
    if (n > 0) {
      buf[n] = '\0';
      v.kind = NDL_STRING;
      v.as.str.ptr = buf;
      v.as.str.len = (size_t)n;
      tcp->read_cb(tcp, &v, tcp->read_arg);
      /* A short read emptied the socket: epoll (level-triggered) reports
       * the next bytes, so the recv that would say EAGAIN is saved, as
       * libuv's uv__read does. */
      if ((size_t)n < READ_CHUNK)
        return;
      continue;
    }
    if (n == NDL_EINTR)
      continue;
    if (n == NDL_EAGAIN)
      return;
    /* End of stream, or an error: either way reading is over. */
    tcp->reading = 0;
    update_interest(tcp);
    if (n < 0)
      set_error(&v, (int)n, "read");
    tcp->read_cb(tcp, &v, tcp->read_arg);
    ndl_value_clear(&v);
    return;
  }
}

/* ---- Writing. */

static struct write_req *shift_write(ndl_tcp *tcp) {
  struct write_req *req = tcp->wq_head;
  if (req != NULL) {
    tcp->wq_head = req->next;
    if (tcp->wq_head == NULL)
      tcp->wq_tail = NULL;
  }
  return req;
}

/* Hands every queued write its error, in order. */
static void fail_writes(ndl_tcp *tcp, int err) {
  struct write_req *req;
  while ((req = shift_write(tcp)) != NULL) {
    if (req->cb != NULL) {
      ndl_value v;
      set_error(&v, err, "write");
      req->cb(tcp, &v, req->arg);
      ndl_value_clear(&v);
    }
    ndl__free(req);
  }
}

/* Sends from the head of the queue until it is empty or the kernel is
 * full. Returns 0, or the error that ended the stream. */
static int send_queued(ndl_tcp *tcp, int complete_now) {
  struct write_req *req;
  while ((req = tcp->wq_head) != NULL) {
    ssize_t n = tcp->net->send(tcp->platform, tcp->fd, req->data + req->off,
                               req->len - req->off);
    if (n < 0) {
      if (n == NDL_EINTR)
        continue;
      return n == NDL_EAGAIN ? 0 : (int)n;
    }
    req->off += (size_t)n;
    if (req->off < req->len)
      continue;
    shift_write(tcp);
    if (req->cb != NULL) {
      ndl_value ok;
      memset(&ok, 0, sizeof(ok));
      if (complete_now || defer(tcp, NULL, req->cb, req->arg) != 0)
        req->cb(tcp, &ok, req->arg);
    }
    ndl__free(req);
    if (tcp->state == CLOSING)
      return 0;
  }
  if (tcp->shutdown_pending) {
    tcp->shutdown_pending = 0;
    tcp->net->shutdown(tcp->platform, tcp->fd);
  }
  return 0;
}

/* A failed send ends the stream for the reader too, as Node destroys a
 * socket whose write failed: otherwise a reader whose request never left
 * would wait for an answer forever. now: whether callbacks may run at once
 * (on the loop) or must be deferred (inside ndl_tcp_write). */
static void end_reading(ndl_tcp *tcp, const ndl_value *err, int now) {
  if (!tcp->reading)
    return;
  tcp->reading = 0;
  if (now || defer(tcp, err, tcp->read_cb, tcp->read_arg) != 0)
    tcp->read_cb(tcp, err, tcp->read_arg);
}

static void on_writable(ndl_tcp *tcp) {
  int err = send_queued(tcp, 1);
  if (err != 0 && tcp->state == OPEN) {
    ndl_value v;
    fail_writes(tcp, err);
    set_error(&v, err, "write");
    if (tcp->state == OPEN)
      end_reading(tcp, &v, 1);
    ndl_value_clear(&v);
  }
  if (tcp->state == OPEN)
    update_interest(tcp);
}

int ndl_tcp_write(ndl_tcp *tcp, const void *data, size_t len, ndl_tcp_cb cb,
                  void *arg) {
  struct write_req *req;
  int was_empty, err;

  if (tcp == NULL || (data == NULL && len != 0) || tcp->state == LISTENING ||
      tcp->state == CLOSING || tcp->shutdown_pending)
    return NDL_EINVAL;
  if (len > SIZE_MAX - sizeof(*req))
    return NDL_ENOMEM;
  if ((req = ndl__malloc(sizeof(*req) + len)) == NULL)
    return NDL_ENOMEM;
  memcpy(req->data, data, len);
  req->len = len;
  req->off = 0;
  req->cb = cb;
  req->arg = arg;
  req->next = NULL;
  was_empty = tcp->wq_head == NULL;
  if (was_empty)
    tcp->wq_head = req;
  else
    tcp->wq_tail->next = req;
  tcp->wq_tail = req;
  if (tcp->state != OPEN || !was_empty)
    return 0;
  /* Try at once, as uv_write does: most writes fit in the socket buffer,
   * which saves a trip through epoll. Completions still wait for the
   * pending phase. An error ends the stream on the loop, not here. */
  err = send_queued(tcp, 0);
  if (err != 0) {
    ndl_value v;
    set_error(&v, err, "write");
    while ((req = shift_write(tcp)) != NULL) {
      if (req->cb != NULL && defer(tcp, &v, req->cb, req->arg) != 0)
        req->cb(tcp, &v, req->arg);
      ndl__free(req);
    }
    end_reading(tcp, &v, 0);
    ndl_value_clear(&v);
  }
  return update_interest(tcp);
}

int ndl_tcp_shutdown(ndl_tcp *tcp) {
  if (tcp == NULL || tcp->state != OPEN)
    return NDL_EINVAL;
  if (tcp->wq_head == NULL)
    return tcp->net->shutdown(tcp->platform, tcp->fd);
  tcp->shutdown_pending = 1;
  return 0;
}

/* ---- Events and closing. */

static void on_io(ndl_loop *loop, const ndl_value *events, void *arg) {
  ndl_tcp *tcp = arg;
  unsigned ev = (unsigned)events->as.i;
  (void)loop;

  switch (tcp->state) {
  case CONNECTING:
    finish_connect(tcp);
    break;
  case LISTENING:
    on_connectable(tcp);
    break;
  case OPEN:
    tcp->refs++; /* a callback below may close the handle */
    if ((ev & (NDL_WRITABLE | NDL_HANGUP)) && tcp->wq_head != NULL)
      on_writable(tcp);
    if ((ev & (NDL_READABLE | NDL_HANGUP)) && tcp->reading &&
        tcp->state == OPEN)
      on_readable(tcp);
    release(tcp);
    break;
  default:
    break;
  }
}

static void run_close(ndl_loop *loop, const ndl_value *v, void *arg) {
  ndl_tcp *tcp = arg;
  (void)loop;
  fail_writes(tcp, NDL_ECANCELED);
  if (tcp->close_cb != NULL)
    tcp->close_cb(tcp, v, tcp->close_arg);
  release(tcp);
}

int ndl_tcp_close(ndl_tcp *tcp, ndl_tcp_cb on_close, void *arg) {
  int err;
  if (tcp == NULL || tcp->state == CLOSING)
    return NDL_EINVAL;
  if ((err = ndl_on_close(tcp->loop, run_close, tcp, NULL)) != 0)
    return err;
  tcp->close_cb = on_close;
  tcp->close_arg = arg;
  tcp->state = CLOSING;
  tcp->reading = 0;
  if (tcp->watch != 0) {
    ndl_io_stop(tcp->loop, tcp->watch);
    tcp->watch = 0;
  }
  if (tcp->accepted_fd >= 0)
    tcp->net->close(tcp->platform, tcp->accepted_fd);
  if (tcp->fd >= 0)
    tcp->net->close(tcp->platform, tcp->fd);
  tcp->fd = -1;
  return 0;
}
