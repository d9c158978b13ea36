/*
 * A TCP handle's life: creating it, references, deferred callbacks, its
 * interest in its fd, what the fd's events mean, and closing. See tcp.h.
 */
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "core/alloc.h"
#include "tcp.h"

void ndl__tcp_set_error(ndl_tcp *tcp, ndl_value *v, int err,
                        const char *syscall, const char *where) {
  tcp->had_error = 1;
  memset(v, 0, sizeof(*v));
  if (ndl_value_set_error(v, err, "%s %s%s%s", syscall, ndl_err_name(err),
                          where != NULL ? " " : "",
                          where != NULL ? where : "") == 0)
    v->as.err.syscall = syscall;
}

void ndl__tcp_release(ndl_tcp *tcp) {
  if (--tcp->refs == 0) {
    ndl__loop_untrack(&tcp->resource);
    ndl__free(tcp);
  }
}

/* The loop is being freed with the handle still open: its callbacks are
 * cancelled already; close its sockets and free what it holds. */
static void destroy(struct ndl__resource *r) {
  ndl_tcp *tcp = (ndl_tcp *)((char *)r - offsetof(ndl_tcp, resource));
  struct write_req *req;
  while ((req = tcp->wq_head) != NULL) {
    tcp->wq_head = req->next;
    ndl__free(req);
  }
  if (tcp->accepted_fd >= 0)
    tcp->net->close(tcp->platform, tcp->accepted_fd);
  if (tcp->fd >= 0)
    tcp->net->close(tcp->platform, tcp->fd);
  ndl__free(tcp);
}

ndl_tcp *ndl__tcp_new(ndl_loop *loop, int fd, enum tcp_state state) {
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
  ndl__loop_track(loop, &tcp->resource, destroy);
  return tcp;
}

ndl_loop *ndl_tcp_loop(const ndl_tcp *tcp) {
  return tcp->loop;
}

static int set_ref(ndl_tcp *tcp, int refed) {
  if (tcp == NULL)
    return NDL_EINVAL;
  tcp->unrefed = !refed;
  if (tcp->watch == 0)
    return 0; /* applied when the handle next watches its fd */
  return refed ? ndl_io_ref(tcp->loop, tcp->watch)
               : ndl_io_unref(tcp->loop, tcp->watch);
}

int ndl_tcp_unref(ndl_tcp *tcp) {
  return set_ref(tcp, 0);
}

int ndl_tcp_ref(ndl_tcp *tcp) {
  return set_ref(tcp, 1);
}

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
  ndl__tcp_settle(d->tcp);
  ndl__tcp_release(d->tcp);
  ndl__free(d);
}

/* The loop was freed before the deferred callback ran. */
static void drop_deferred(void *arg) {
  struct deferred *d = arg;
  ndl__tcp_release(d->tcp);
  ndl__free(d);
}

/* Runs cb(tcp, v) later: v == NULL (success) from a nextTick, as Node
 * reports a write that went out at once; an error value in the next
 * pending phase, as libuv reports an immediate connect error. */
int ndl__tcp_defer(ndl_tcp *tcp, const ndl_value *v, ndl_tcp_cb cb, void *arg) {
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

int ndl__tcp_update_interest(ndl_tcp *tcp) {
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

/* ---- Events and closing. */

static void on_io(ndl_loop *loop, const ndl_value *events, void *arg) {
  ndl_tcp *tcp = arg;
  unsigned ev = (unsigned)events->as.i;
  (void)loop;

  switch (tcp->state) {
  case CONNECTING:
    tcp->refs++; /* the connect callback may close the handle */
    ndl__tcp_finish_connect(tcp);
    ndl__tcp_settle(tcp);
    ndl__tcp_release(tcp);
    break;
  case LISTENING:
    ndl__tcp_on_connectable(tcp);
    break;
  case OPEN:
    tcp->refs++; /* a callback below may close the handle */
    if ((ev & (NDL_WRITABLE | NDL_HANGUP)) && tcp->wq_head != NULL)
      ndl__tcp_on_writable(tcp);
    if ((ev & (NDL_READABLE | NDL_HANGUP)) && tcp->reading &&
        tcp->state == OPEN)
      ndl__tcp_on_readable(tcp);
    ndl__tcp_settle(tcp);
    ndl__tcp_release(tcp);
    break;
  default:
    break;
  }
}

/* A closed listener's callback, once its last connection is closed: from
 * a nextTick queued then, as Node's server emits 'close' when the last
 * socket is destroyed (before that socket's own 'close'); the listener is
 * freed after it. */
static void run_server_closed(ndl_loop *loop, const ndl_value *v, void *arg) {
  ndl_tcp *server = arg;
  (void)loop;
  if (server->close_cb != NULL)
    server->close_cb(server, v, server->close_arg);
  ndl__tcp_release(server);
}

/* The loop was freed first. */
static void drop_server_closed(void *arg) {
  ndl__tcp_release(arg);
}

static void listener_drained(ndl_tcp *server) {
  static const ndl_value undefined = {NDL_UNDEFINED, {{NULL, 0}}};
  ndl_id id;
  server->close_waits = 0;
  if (ndl__next_tick_id(server->loop, run_server_closed, server, &id) == 0)
    ndl__set_release(server->loop, id, drop_server_closed);
  else
    run_server_closed(server->loop, &undefined, server); /* no memory: now */
}

/* A connection's close callback gets Node's hadError as an int; a
 * listener's, as a server's 'close', gets undefined, and waits for the
 * connections it accepted (listener_drained). */
static void run_close(ndl_loop *loop, const ndl_value *v, void *arg) {
  ndl_tcp *tcp = arg;
  ndl_value had_error;
  (void)loop;
  if (tcp->listener && tcp->conns > 0) {
    tcp->close_waits = 1; /* keeps its reference until then */
    return;
  }
  ndl__tcp_fail_writes(tcp, NDL_ECANCELED);
  if (!tcp->listener) {
    memset(&had_error, 0, sizeof(had_error));
    ndl_value_set_int(&had_error, tcp->had_error);
    v = &had_error;
  }
  if (tcp->close_cb != NULL)
    tcp->close_cb(tcp, v, tcp->close_arg);
  ndl__tcp_release(tcp);
}

/* Closes the handle at once; on_close runs in the close phase. A close
 * with nothing to report later (no on_close, no queued write) happens even
 * when the close phase's step cannot be registered (no memory, no id):
 * the sockets close now, and the handle, still tracked, is freed by
 * ndl_loop_free(). Otherwise a listener the user meant to close would keep
 * the loop alive for ever. */
static int close_now(ndl_tcp *tcp, ndl_tcp_cb on_close, void *arg) {
  int err = ndl_on_close(tcp->loop, run_close, tcp, NULL);
  if (err != 0 && (on_close != NULL || tcp->wq_head != NULL))
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
  if (tcp->server != NULL) {
    ndl_tcp *server = tcp->server;
    tcp->server = NULL;
    if (--server->conns == 0 && server->close_waits)
      listener_drained(server);
    ndl__tcp_release(server);
  }
  return 0;
}

void ndl__tcp_settle(ndl_tcp *tcp) {
  if (!tcp->auto_close || tcp->state != OPEN)
    return;
  if (tcp->peer_ended && !tcp->allow_half_open && !tcp->ending &&
      !tcp->had_error)
    (void)ndl_tcp_shutdown(tcp); /* settles again once its FIN is out */
  else if (tcp->had_error || (tcp->peer_ended && tcp->fin_sent))
    (void)close_now(tcp, tcp->auto_cb, tcp->auto_arg);
}

int ndl_tcp_auto_close(ndl_tcp *tcp, int allow_half_open, ndl_tcp_cb on_close,
                       void *arg) {
  if (tcp == NULL || tcp->listener || tcp->state == CLOSING)
    return NDL_EINVAL;
  if (tcp->auto_close)
    return NDL_EBUSY;
  tcp->auto_close = 1;
  tcp->allow_half_open = allow_half_open != 0;
  tcp->auto_cb = on_close;
  tcp->auto_arg = arg;
  ndl__tcp_settle(tcp);
  return 0;
}

int ndl_tcp_close(ndl_tcp *tcp, ndl_tcp_cb on_close, void *arg) {
  if (tcp == NULL || tcp->state == CLOSING)
    return NDL_EINVAL;
  return close_now(tcp, on_close, arg);
}

/* As libuv's uv_tcp_close_reset(): the linger option first, so that a
 * failure leaves the handle as it was. */
int ndl_tcp_reset(ndl_tcp *tcp, ndl_tcp_cb on_close, void *arg) {
  int err;
  if (tcp == NULL || tcp->state != OPEN)
    return NDL_EINVAL;
  if ((err = tcp->net->reset_on_close(tcp->platform, tcp->fd)) != 0)
    return err;
  return close_now(tcp, on_close, arg);
}
