/*
 * The network op of random programs (PK_ECHO): a connection to an echo
 * server in the program's own loop, on the sim's simulated network. The
 * client sends n bytes in seeded writes, half-closes, reads until the end,
 * and closes; its done callback then reports whether every byte came back,
 * in order, once. The server answers each read with a write of the same
 * bytes, half-closes after its last echo is out, and closes. The same
 * client against the resetting server (PK_RESET) sends without
 * half-closing and reads until the reset.
 */
#include "echo.h"

#include <stdlib.h>
#include <string.h>

#include "nodeloop_net.h"

struct echo {
  struct echo *prev, *next; /* the connections not yet done */
  ndl_loop *loop;
  ndl_tcp *tcp;
  size_t len, got, bad_at;
  int ended, error;
  int no_end; /* sends without half-closing (the resetting server) */
  uint64_t seed;
  echo_done_fn done;
  void *arg;
};

/* The byte at offset i of connection `seed`: what a dropped, doubled or
 * reordered byte cannot imitate. */
static char byte_at(uint64_t seed, size_t i) {
  uint64_t x = (seed + i) * 0x9e3779b97f4a7c15u;
  return (char)(x >> 56);
}

/* ---- The server. */

static void server_closed(ndl_tcp *tcp, const ndl_value *v, void *arg) {
  (void)tcp;
  (void)v;
  (void)arg;
}

static void server_flushed(ndl_tcp *tcp, const ndl_value *v, void *arg) {
  (void)v;
  (void)arg;
  ndl_tcp_close(tcp, server_closed, NULL);
}

static void server_read(ndl_tcp *tcp, const ndl_value *v, void *arg) {
  (void)arg;
  if (v->kind == NDL_STRING) {
    if (ndl_tcp_write(tcp, v->as.str.ptr, v->as.str.len, NULL, NULL) != 0)
      ndl_tcp_close(tcp, server_closed, NULL);
    return;
  }
  /* The client's end: ours follows the last echo. An error: close. */
  if (v->kind == NDL_UNDEFINED &&
      ndl_tcp_write(tcp, NULL, 0, server_flushed, NULL) == 0 &&
      ndl_tcp_shutdown(tcp) == 0)
    return;
  ndl_tcp_close(tcp, server_closed, NULL);
}

int echo_serve(ndl_tcp *conn) {
  int err = ndl_tcp_read_start(conn, server_read, NULL);
  if (err != 0)
    ndl_tcp_close(conn, server_closed, NULL);
  return err;
}

static void server_accept(ndl_tcp *listener, const ndl_value *v, void *arg) {
  ndl_tcp *tcp;
  (void)arg;
  if (v->kind == NDL_ERROR || ndl_tcp_accept(listener, &tcp) != 0)
    return;
  echo_serve(tcp);
}

static void reset_accept(ndl_tcp *listener, const ndl_value *v, void *arg) {
  ndl_tcp *tcp;
  (void)arg;
  if (v->kind == NDL_ERROR || ndl_tcp_accept(listener, &tcp) != 0)
    return;
  if (ndl_tcp_reset(tcp, server_closed, NULL) != 0)
    ndl_tcp_close(tcp, server_closed, NULL);
}

static int listen_unrefd(ndl_loop *loop, int port, ndl_tcp_cb on_connection,
                         ndl_tcp **listener) {
  int err =
      ndl_tcp_listen(loop, "127.0.0.1", port, 0, on_connection, NULL, listener);
  if (err == 0 && (err = ndl_tcp_unref(*listener)) != 0)
    ndl_tcp_close(*listener, NULL, NULL);
  return err;
}

int echo_server(ndl_loop *loop, ndl_tcp **echo, ndl_tcp **resetting) {
  int err = listen_unrefd(loop, ECHO_PORT, server_accept, echo);
  if (err == 0 &&
      (err = listen_unrefd(loop, RESETTING_PORT, reset_accept, resetting)) != 0)
    ndl_tcp_close(*echo, NULL, NULL);
  return err;
}

/* ---- The client. */

/* Connections whose done callback has not run: a run that ends without it
 * (a planted lost FIN, a stopped loop) leaves them to echo_forget_all(). */
static struct echo *open_echoes;

static void forget(struct echo *e) {
  if (e->prev != NULL)
    e->prev->next = e->next;
  else
    open_echoes = e->next;
  if (e->next != NULL)
    e->next->prev = e->prev;
  free(e);
}

void echo_forget_all(void) {
  while (open_echoes != NULL)
    forget(open_echoes);
}

static void client_closed(ndl_tcp *tcp, const ndl_value *v, void *arg) {
  struct echo *e = arg;
  struct echo_outcome o;
  (void)tcp;
  (void)v;
  o.sent = e->len;
  o.got = e->got;
  o.bad_at = e->bad_at;
  o.ended = e->ended;
  o.error = e->error;
  e->done(e->loop, &o, e->arg);
  forget(e);
}

static void client_read(ndl_tcp *tcp, const ndl_value *v, void *arg) {
  struct echo *e = arg;
  size_t i;
  if (v->kind == NDL_STRING) {
    for (i = 0; i < v->as.str.len; i++)
      if (e->bad_at == SIZE_MAX &&
          (e->got + i >= e->len ||
           v->as.str.ptr[i] != byte_at(e->seed, e->got + i)))
        e->bad_at = e->got + i;
    e->got += v->as.str.len;
    return;
  }
  if (v->kind == NDL_UNDEFINED)
    e->ended = 1;
  else
    e->error = v->as.err.code;
  ndl_tcp_close(tcp, client_closed, e);
}

static void client_connected(ndl_tcp *tcp, const ndl_value *v, void *arg) {
  struct echo *e = arg;
  char buf[4096];
  size_t off = 0, n, i;
  if (v->kind == NDL_ERROR) {
    e->error = v->as.err.code;
    ndl_tcp_close(tcp, client_closed, e);
    return;
  }
  if (ndl_tcp_read_start(tcp, client_read, e) != 0) {
    e->error = NDL_ENOMEM;
    ndl_tcp_close(tcp, client_closed, e);
    return;
  }
  /* Writes of up to 4 KiB, their sizes from the connection's seed. */
  while (off < e->len) {
    n = 1 + (size_t)((e->seed + off) % sizeof(buf));
    if (n > e->len - off)
      n = e->len - off;
    for (i = 0; i < n; i++)
      buf[i] = byte_at(e->seed, off + i);
    if (ndl_tcp_write(tcp, buf, n, NULL, NULL) != 0)
      break;
    off += n;
  }
  if (!e->no_end)
    ndl_tcp_shutdown(tcp);
}

static int connect_to(ndl_loop *loop, int port, size_t len, uint64_t seed,
                      echo_done_fn done, void *arg) {
  struct echo *e = calloc(1, sizeof(*e));
  int err;
  if (e == NULL)
    return NDL_ENOMEM;
  e->loop = loop;
  e->len = len;
  e->seed = seed;
  e->bad_at = SIZE_MAX;
  e->done = done;
  e->arg = arg;
  e->no_end = port == RESETTING_PORT;
  if ((err = ndl_tcp_connect(loop, "127.0.0.1", port, client_connected, e,
                             &e->tcp)) != 0) {
    free(e);
    return err;
  }
  e->next = open_echoes;
  if (open_echoes != NULL)
    open_echoes->prev = e;
  open_echoes = e;
  return 0;
}

int echo_start(ndl_loop *loop, size_t len, uint64_t seed, echo_done_fn done,
               void *arg) {
  return connect_to(loop, ECHO_PORT, len, seed, done, arg);
}

int echo_refused(ndl_loop *loop, echo_done_fn done, void *arg) {
  return connect_to(loop, REFUSING_PORT, 0, 0, done, arg);
}

int echo_reset(ndl_loop *loop, size_t len, uint64_t seed, echo_done_fn done,
               void *arg) {
  return connect_to(loop, RESETTING_PORT, len, seed, done, arg);
}
