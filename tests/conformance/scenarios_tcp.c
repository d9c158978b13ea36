/*
 * TCP scenarios on 127.0.0.1: the kernel's loopback on the linux backend,
 * the simulated network on sim. Node's net.Socket maps to
 * an ndl_tcp handle: 'connect' is the connect callback, 'data' and 'end' the
 * read callback's string and end of stream, socket.end() is
 * ndl_tcp_shutdown(), destroy() is ndl_tcp_close(), and 'close' is the
 * close callback. Node emits 'listening' from a nextTick, so the C programs
 * start their clients from one too.
 */
#include <stdio.h>
#include <string.h>

#include "conformance.h"
#include "nodeloop_net.h"

#define HOST "127.0.0.1"

static ndl_tcp *listener;
static int port;

/* server.listen(0, HOST, listening): 'listening' from a nextTick. */
static void listen_then(ndl_loop *loop, ndl_tcp_cb on_connection,
                        ndl_tcp_cb listening) {
  CONF_OK(ndl_tcp_listen(loop, HOST, 0, 16, on_connection, NULL, &listener));
  CONF_OK(ndl_tcp_port(listener, &port));
  CONF_OK(ndl_tcp_on_listening(listener, listening, NULL));
}

/* ---- A quiet echo server: echoes, ends when the client ends, and closes
 * the listener once `open` connections have closed. */

static int open_conns;

static void echo_closed(ndl_tcp *tcp, const ndl_value *v, void *arg) {
  (void)tcp;
  (void)v;
  (void)arg;
  if (--open_conns == 0)
    CONF_OK(ndl_tcp_close(listener, NULL, NULL));
}

static void echo_read(ndl_tcp *tcp, const ndl_value *v, void *arg) {
  (void)arg;
  if (v->kind == NDL_STRING) {
    CONF_OK(ndl_tcp_write(tcp, v->as.str.ptr, v->as.str.len, NULL, NULL));
    return;
  }
  /* End of stream or an error (the peer reset): end and close. */
  if (v->kind == NDL_UNDEFINED)
    (void)ndl_tcp_shutdown(tcp);
  CONF_OK(ndl_tcp_close(tcp, echo_closed, NULL));
}

static void echo_connection(ndl_tcp *server, const ndl_value *v, void *arg) {
  ndl_tcp *conn;
  (void)arg;
  if (v->kind != NDL_UNDEFINED)
    conf_fail("listen", v->as.err.code);
  CONF_OK(ndl_tcp_accept(server, &conn));
  CONF_OK(ndl_tcp_read_start(conn, echo_read, NULL));
}

static ndl_tcp *connect_to(ndl_loop *loop, ndl_tcp_cb on_connect) {
  ndl_tcp *c;
  CONF_OK(ndl_tcp_connect(loop, HOST, port, on_connect, NULL, &c));
  return c;
}

static void expect_connected(const ndl_value *v) {
  if (v->kind != NDL_UNDEFINED)
    conf_fail("connect", v->as.err.code);
}

/* ---- tcp_echo_events: each endpoint's events, printed at exit. */

struct events {
  char line[8][32];
  int n;
};
static struct events server_ev, client_ev;

static void note(struct events *e, const char *fmt, const char *s) {
  if (e->n < 8)
    snprintf(e->line[e->n++], sizeof(e->line[0]), fmt, s);
}

static void logged_server_closed(ndl_tcp *tcp, const ndl_value *v, void *arg) {
  (void)tcp;
  (void)v;
  (void)arg;
  note(&server_ev, "%s", "close");
  CONF_OK(ndl_tcp_close(listener, NULL, NULL));
}

static void logged_server_read(ndl_tcp *tcp, const ndl_value *v, void *arg) {
  (void)arg;
  if (v->kind == NDL_STRING) {
    note(&server_ev, "data %s", v->as.str.ptr);
    CONF_OK(ndl_tcp_write(tcp, v->as.str.ptr, v->as.str.len, NULL, NULL));
    return;
  }
  if (v->kind == NDL_ERROR)
    conf_fail("server read", v->as.err.code);
  note(&server_ev, "%s", "end");
  CONF_OK(ndl_tcp_shutdown(tcp)); /* allowHalfOpen is false */
  CONF_OK(ndl_tcp_close(tcp, logged_server_closed, NULL));
}

static void logged_connection(ndl_tcp *server, const ndl_value *v, void *arg) {
  ndl_tcp *conn;
  (void)arg;
  if (v->kind != NDL_UNDEFINED)
    conf_fail("listen", v->as.err.code);
  note(&server_ev, "%s", "connection");
  CONF_OK(ndl_tcp_accept(server, &conn));
  CONF_OK(ndl_tcp_read_start(conn, logged_server_read, NULL));
}

static void client_closed(ndl_tcp *tcp, const ndl_value *v, void *arg) {
  (void)tcp;
  (void)v;
  (void)arg;
  note(&client_ev, "%s", "close");
}

static void client_read(ndl_tcp *tcp, const ndl_value *v, void *arg) {
  (void)arg;
  if (v->kind == NDL_STRING) {
    note(&client_ev, "data %s", v->as.str.ptr);
    CONF_OK(ndl_tcp_shutdown(tcp));
    return;
  }
  if (v->kind == NDL_ERROR)
    conf_fail("client read", v->as.err.code);
  note(&client_ev, "%s", "end");
  CONF_OK(ndl_tcp_close(tcp, client_closed, NULL));
}

static void client_connected(ndl_tcp *tcp, const ndl_value *v, void *arg) {
  (void)arg;
  expect_connected(v);
  note(&client_ev, "%s", "connect");
  CONF_OK(ndl_tcp_read_start(tcp, client_read, NULL));
  CONF_OK(ndl_tcp_write(tcp, "ping", 4, NULL, NULL));
}

static void echo_listening(ndl_tcp *server, const ndl_value *v, void *arg) {
  ndl_loop *loop = ndl_tcp_loop(server);
  (void)v;
  (void)arg;
  connect_to(loop, client_connected);
}

static void echo_events(ndl_loop *loop, void *arg) {
  (void)arg;
  listen_then(loop, logged_connection, echo_listening);
}

static void echo_events_exit(ndl_loop *loop) {
  int i;
  (void)loop;
  for (i = 0; i < server_ev.n; i++)
    conf_log("server: %s", server_ev.line[i]);
  for (i = 0; i < client_ev.n; i++)
    conf_log("client: %s", client_ev.line[i]);
}

/* ---- tcp_close_phase_then_timer. */

static void closed_sets_timer(ndl_tcp *tcp, const ndl_value *v, void *arg) {
  ndl_loop *loop = ndl_tcp_loop(tcp);
  (void)v;
  (void)arg;
  conf_log("close");
  CONF_OK(ndl_set_timeout(loop, 0, conf_say, "timeout from close", NULL));
  CONF_OK(ndl_set_immediate(loop, conf_say, "immediate from close", NULL));
  conf_busy(loop, 5);
}

static void read_then_close(ndl_tcp *tcp, const ndl_value *v, void *arg) {
  ndl_loop *loop = ndl_tcp_loop(tcp);
  (void)arg;
  if (v->kind != NDL_STRING)
    conf_fail("client read", v->kind == NDL_ERROR ? v->as.err.code : 0);
  conf_log("data %s", v->as.str.ptr);
  CONF_OK(ndl_tcp_close(tcp, closed_sets_timer, NULL));
  CONF_OK(ndl_next_tick(loop, conf_say, "tick"));
  CONF_OK(ndl_set_immediate(loop, conf_say, "immediate", NULL));
}

static void ping_connected(ndl_tcp *tcp, const ndl_value *v, void *arg) {
  (void)arg;
  expect_connected(v);
  CONF_OK(ndl_tcp_read_start(tcp, read_then_close, NULL));
  CONF_OK(ndl_tcp_write(tcp, "ping", 4, NULL, NULL));
}

static void ping_listening(ndl_tcp *server, const ndl_value *v, void *arg) {
  ndl_loop *loop = ndl_tcp_loop(server);
  (void)v;
  (void)arg;
  connect_to(loop, ping_connected);
}

static void close_phase_then_timer(ndl_loop *loop, void *arg) {
  (void)arg;
  open_conns = 1;
  listen_then(loop, echo_connection, ping_listening);
}

/* ---- Two clients, a and b, closed from one callback or one after the
 * other's close callback. */

static ndl_tcp *client_a, *client_b;
static int connected;
static int close_b_from_a; /* else both close together */

static void a_closed(ndl_tcp *tcp, const ndl_value *v, void *arg) {
  (void)v;
  (void)arg;
  conf_log("a close");
  if (close_b_from_a) {
    CONF_OK(ndl_tcp_close(client_b, conf_tcp_say, "b close"));
    CONF_OK(ndl_set_immediate(ndl_tcp_loop(tcp), conf_say,
                              "immediate from a close", NULL));
  }
}

static void pair_connected(ndl_tcp *tcp, const ndl_value *v, void *arg) {
  (void)tcp;
  (void)arg;
  expect_connected(v);
  if (++connected < 2)
    return;
  conf_log("both connected");
  CONF_OK(ndl_tcp_close(client_a, a_closed, NULL));
  if (!close_b_from_a)
    CONF_OK(ndl_tcp_close(client_b, conf_tcp_say, "b close"));
}

static void pair_listening(ndl_tcp *server, const ndl_value *v, void *arg) {
  ndl_loop *loop = ndl_tcp_loop(server);
  (void)v;
  (void)arg;
  client_a = connect_to(loop, pair_connected);
  client_b = connect_to(loop, pair_connected);
}

static void close_from_close(ndl_loop *loop, void *arg) {
  (void)arg;
  open_conns = 2;
  close_b_from_a = 1;
  listen_then(loop, echo_connection, pair_listening);
}

static void close_order(ndl_loop *loop, void *arg) {
  (void)arg;
  open_conns = 2;
  close_b_from_a = 0;
  listen_then(loop, echo_connection, pair_listening);
}

/* ---- tcp_connect_refused: a port that was just closed. */

/* Node's 'close' (hadError): the close callback's int. */
static const char *had_error(const ndl_value *v) {
  return v->kind != NDL_INT ? "?" : v->as.i ? "true" : "false";
}

static void refused_closed(ndl_tcp *tcp, const ndl_value *v, void *arg) {
  (void)tcp;
  (void)arg;
  conf_log("close, hadError %s", had_error(v));
}

static void refused(ndl_tcp *tcp, const ndl_value *v, void *arg) {
  (void)arg;
  if (v->kind != NDL_ERROR) {
    conf_log("connected: no error");
  } else {
    const char *msg = v->as.err.msg != NULL ? v->as.err.msg : "";
    const char *colon = strrchr(msg, ':');
    conf_log("error %s", ndl_err_name(v->as.err.code));
    conf_log("syscall %s", v->as.err.syscall != NULL ? v->as.err.syscall : "");
    conf_log("message %.*s:PORT", (int)(colon != NULL ? colon - msg : 0), msg);
    CONF_OK(ndl_set_immediate(ndl_tcp_loop(tcp), conf_say, "immediate", NULL));
  }
  CONF_OK(ndl_tcp_close(tcp, refused_closed, NULL));
}

static void probe_closed(ndl_tcp *tcp, const ndl_value *v, void *arg) {
  (void)v;
  (void)arg;
  connect_to(ndl_tcp_loop(tcp), refused);
}

static void probe_listening(ndl_tcp *server, const ndl_value *v, void *arg) {
  (void)server;
  (void)v;
  (void)arg;
  CONF_OK(ndl_tcp_close(listener, probe_closed, NULL));
}

static void connect_refused(ndl_loop *loop, void *arg) {
  (void)arg;
  listen_then(loop, echo_connection, probe_listening);
}

/* ---- tcp_server_close_cb (deliberate difference). */

static void close_listening(ndl_tcp *server, const ndl_value *v, void *arg) {
  ndl_loop *loop = ndl_tcp_loop(server);
  (void)v;
  (void)arg;
  conf_log("listening");
  CONF_OK(ndl_tcp_close(listener, conf_tcp_say, "server close"));
  CONF_OK(ndl_next_tick(loop, conf_say, "tick"));
  CONF_OK(ndl_set_immediate(loop, conf_say, "immediate", NULL));
}

static void server_close_cb(ndl_loop *loop, void *arg) {
  (void)arg;
  listen_then(loop, echo_connection, close_listening);
}

/* ---- tcp_write_cb (open divergence). */

static ndl_tcp *writer;

static void writer_read(ndl_tcp *tcp, const ndl_value *v, void *arg) {
  (void)arg;
  if (v->kind == NDL_STRING)
    return;
  if (v->kind == NDL_ERROR)
    conf_fail("client read", v->as.err.code);
  conf_log("end");
  CONF_OK(ndl_tcp_close(tcp, conf_tcp_say, "close"));
}

static void written(ndl_tcp *tcp, const ndl_value *v, void *arg) {
  (void)tcp;
  (void)arg;
  if (v->kind == NDL_ERROR)
    conf_fail("write", v->as.err.code);
  conf_log("write callback");
}

static void writer_ends(ndl_loop *loop, const ndl_value *v, void *arg) {
  (void)loop;
  (void)v;
  (void)arg;
  conf_log("immediate");
  CONF_OK(ndl_tcp_shutdown(writer));
}

static void writer_connected(ndl_tcp *tcp, const ndl_value *v, void *arg) {
  ndl_loop *loop = ndl_tcp_loop(tcp);
  (void)arg;
  expect_connected(v);
  conf_log("connect");
  CONF_OK(ndl_tcp_read_start(tcp, writer_read, NULL));
  CONF_OK(ndl_tcp_write(tcp, "x", 1, written, NULL));
  CONF_OK(ndl_next_tick(loop, conf_say, "tick"));
  CONF_OK(ndl_set_immediate(loop, writer_ends, NULL, NULL));
}

static void writer_listening(ndl_tcp *server, const ndl_value *v, void *arg) {
  ndl_loop *loop = ndl_tcp_loop(server);
  (void)v;
  (void)arg;
  writer = connect_to(loop, writer_connected);
}

static void write_cb(ndl_loop *loop, void *arg) {
  (void)arg;
  open_conns = 1;
  listen_then(loop, echo_connection, writer_listening);
}

/* ---- tcp_reset: the server resets when the client's bytes arrive. */

static void reset_socket_closed(ndl_tcp *tcp, const ndl_value *v, void *arg) {
  (void)tcp;
  (void)arg;
  conf_log("server: socket closed, hadError %s", had_error(v));
}

static void reset_server_read(ndl_tcp *tcp, const ndl_value *v, void *arg) {
  (void)arg;
  if (v->kind != NDL_STRING)
    conf_fail("server read", v->kind == NDL_ERROR ? v->as.err.code : 0);
  conf_log("server: data %.*s", (int)v->as.str.len, v->as.str.ptr);
  CONF_OK(ndl_tcp_reset(tcp, reset_socket_closed, NULL));
}

static void reset_connection(ndl_tcp *server, const ndl_value *v, void *arg) {
  ndl_tcp *conn;
  (void)arg;
  if (v->kind != NDL_UNDEFINED)
    conf_fail("listen", v->as.err.code);
  CONF_OK(ndl_tcp_accept(server, &conn));
  CONF_OK(ndl_tcp_read_start(conn, reset_server_read, NULL));
}

static void reset_client_closed(ndl_tcp *tcp, const ndl_value *v, void *arg) {
  (void)tcp;
  (void)arg;
  conf_log("client: closed, hadError %s", had_error(v));
  CONF_OK(ndl_tcp_close(listener, conf_tcp_say, "server: closed"));
}

static void reset_client_read(ndl_tcp *tcp, const ndl_value *v, void *arg) {
  (void)arg;
  if (v->kind == NDL_STRING) {
    conf_log("client: data %.*s", (int)v->as.str.len, v->as.str.ptr);
    return;
  }
  if (v->kind == NDL_UNDEFINED) {
    conf_log("client: end");
  } else {
    conf_log("client: error %s", ndl_err_name(v->as.err.code));
    conf_log("client: syscall %s",
             v->as.err.syscall != NULL ? v->as.err.syscall : "");
    conf_log("client: message %s", v->as.err.msg != NULL ? v->as.err.msg : "");
  }
  CONF_OK(ndl_tcp_close(tcp, reset_client_closed, NULL));
}

static void reset_client_connected(ndl_tcp *tcp, const ndl_value *v,
                                   void *arg) {
  (void)arg;
  expect_connected(v);
  CONF_OK(ndl_tcp_read_start(tcp, reset_client_read, NULL));
  CONF_OK(ndl_tcp_write(tcp, "ping", 4, NULL, NULL));
}

static void reset_listening(ndl_tcp *server, const ndl_value *v, void *arg) {
  ndl_loop *loop = ndl_tcp_loop(server);
  (void)v;
  (void)arg;
  connect_to(loop, reset_client_connected);
}

static void reset(ndl_loop *loop, void *arg) {
  (void)arg;
  listen_then(loop, reset_connection, reset_listening);
}

/* ---- tcp_server_close_waits: the listener closed with a connection open
 * calls back once that connection is closed. */

static void waits_tick(ndl_loop *loop, const ndl_value *v, void *arg) {
  (void)loop;
  (void)v;
  (void)arg;
  conf_log("server: tick after socket close");
}

static void waits_socket_closed(ndl_tcp *tcp, const ndl_value *v, void *arg) {
  (void)v;
  (void)arg;
  conf_log("server: socket closed");
  CONF_OK(ndl_next_tick(ndl_tcp_loop(tcp), waits_tick, NULL));
}

/* s.on('data', (d) => s.end(d)), and destroyed at the client's end. */
static void waits_read(ndl_tcp *tcp, const ndl_value *v, void *arg) {
  (void)arg;
  if (v->kind == NDL_STRING) {
    conf_log("server: data %.*s", (int)v->as.str.len, v->as.str.ptr);
    CONF_OK(ndl_tcp_write(tcp, v->as.str.ptr, v->as.str.len, NULL, NULL));
    CONF_OK(ndl_tcp_shutdown(tcp));
    return;
  }
  CONF_OK(ndl_tcp_close(tcp, waits_socket_closed, NULL));
}

static void waits_connection(ndl_tcp *server, const ndl_value *v, void *arg) {
  ndl_tcp *conn;
  int unused;
  (void)arg;
  if (v->kind != NDL_UNDEFINED)
    conf_fail("listen", v->as.err.code);
  conf_log("server: connection");
  CONF_OK(ndl_tcp_accept(server, &conn));
  CONF_OK(ndl_tcp_close(server, conf_tcp_say, "server: closed"));
  /* server.listening: the listener no longer has a socket. */
  conf_log("server: listening %s",
           ndl_tcp_port(server, &unused) == NDL_EINVAL ? "false" : "true");
  CONF_OK(ndl_tcp_read_start(conn, waits_read, NULL));
}

static char waits_got[64];

static void waits_exit(ndl_loop *loop) {
  (void)loop;
  conf_log("client: got %s", waits_got);
}

static void waits_client_read(ndl_tcp *tcp, const ndl_value *v, void *arg) {
  (void)arg;
  if (v->kind == NDL_STRING) {
    strncat(waits_got, v->as.str.ptr,
            v->as.str.len < sizeof(waits_got) - strlen(waits_got) - 1
                ? v->as.str.len
                : sizeof(waits_got) - strlen(waits_got) - 1);
    return;
  }
  CONF_OK(ndl_tcp_close(tcp, NULL, NULL));
}

static void waits_client_connected(ndl_tcp *tcp, const ndl_value *v,
                                   void *arg) {
  (void)arg;
  expect_connected(v);
  CONF_OK(ndl_tcp_read_start(tcp, waits_client_read, NULL));
  CONF_OK(ndl_tcp_write(tcp, "ping", 4, NULL, NULL));
  CONF_OK(ndl_tcp_shutdown(tcp));
}

static void waits_listening(ndl_tcp *server, const ndl_value *v, void *arg) {
  ndl_loop *loop = ndl_tcp_loop(server);
  (void)v;
  (void)arg;
  connect_to(loop, waits_client_connected);
}

static void server_close_waits(ndl_loop *loop, void *arg) {
  (void)arg;
  waits_got[0] = '\0';
  listen_then(loop, waits_connection, waits_listening);
}

/* ---- tcp_listening: when 'listening' comes, among nextTicks. */

static void listening_now(ndl_tcp *server, const ndl_value *v, void *arg) {
  (void)v;
  (void)arg;
  conf_log("listening");
  CONF_OK(ndl_tcp_close(server, NULL, NULL));
}

static void listening_order(ndl_loop *loop, void *arg) {
  ndl_tcp *server;
  (void)arg;
  CONF_OK(ndl_next_tick(loop, conf_say, "tick before listen"));
  CONF_OK(ndl_tcp_listen(loop, HOST, 0, 16, echo_connection, NULL, &server));
  CONF_OK(ndl_tcp_on_listening(server, listening_now, NULL));
  CONF_OK(ndl_next_tick(loop, conf_say, "tick after listen"));
  CONF_OK(ndl_queue_microtask(loop, conf_say, "microtask"));
  CONF_OK(ndl_set_immediate(loop, conf_say, "immediate", NULL));
  conf_log("main");
}

/* ---- tcp_auto_close: Node's default socket life (ndl_tcp_auto_close). */

static char auto_got[64];

static void auto_refused_closed(ndl_tcp *tcp, const ndl_value *v, void *arg) {
  (void)tcp;
  (void)arg;
  conf_log("refused: close, hadError %s", had_error(v));
}

static void auto_refused(ndl_tcp *tcp, const ndl_value *v, void *arg) {
  (void)tcp;
  (void)arg;
  if (v->kind == NDL_ERROR)
    conf_log("refused: error %s", ndl_err_name(v->as.err.code));
}

static void auto_server_closed(ndl_tcp *tcp, const ndl_value *v, void *arg) {
  ndl_tcp *r;
  (void)arg;
  conf_log("server: close, hadError %s", had_error(v));
  CONF_OK(ndl_tcp_close(listener, NULL, NULL));
  CONF_OK(
      ndl_tcp_connect(ndl_tcp_loop(tcp), HOST, port, auto_refused, NULL, &r));
  CONF_OK(ndl_tcp_auto_close(r, 0, auto_refused_closed, NULL));
}

static void auto_server_read(ndl_tcp *tcp, const ndl_value *v, void *arg) {
  (void)arg;
  if (v->kind == NDL_STRING) {
    conf_log("server: data %.*s", (int)v->as.str.len, v->as.str.ptr);
    CONF_OK(ndl_tcp_write(tcp, v->as.str.ptr, v->as.str.len, NULL, NULL));
  } else if (v->kind == NDL_UNDEFINED) {
    conf_log("server: end");
  }
}

static void auto_connection(ndl_tcp *server, const ndl_value *v, void *arg) {
  ndl_tcp *conn;
  (void)arg;
  if (v->kind != NDL_UNDEFINED)
    conf_fail("listen", v->as.err.code);
  CONF_OK(ndl_tcp_accept(server, &conn));
  CONF_OK(ndl_tcp_auto_close(conn, 0, auto_server_closed, NULL));
  CONF_OK(ndl_tcp_read_start(conn, auto_server_read, NULL));
}

static void auto_client_read(ndl_tcp *tcp, const ndl_value *v, void *arg) {
  size_t room = sizeof(auto_got) - strlen(auto_got) - 1;
  (void)tcp;
  (void)arg;
  if (v->kind == NDL_STRING)
    strncat(auto_got, v->as.str.ptr,
            v->as.str.len < room ? v->as.str.len : room);
}

static void auto_client_connected(ndl_tcp *tcp, const ndl_value *v, void *arg) {
  (void)arg;
  expect_connected(v);
  CONF_OK(ndl_tcp_read_start(tcp, auto_client_read, NULL));
  CONF_OK(ndl_tcp_write(tcp, "ping", 4, NULL, NULL));
  CONF_OK(ndl_tcp_shutdown(tcp));
}

static void auto_listening(ndl_tcp *server, const ndl_value *v, void *arg) {
  ndl_tcp *c;
  (void)v;
  (void)arg;
  CONF_OK(ndl_tcp_connect(ndl_tcp_loop(server), HOST, port,
                          auto_client_connected, NULL, &c));
  CONF_OK(ndl_tcp_auto_close(c, 0, NULL, NULL));
}

static void auto_exit(ndl_loop *loop) {
  (void)loop;
  conf_log("client: got %s", auto_got);
}

static void auto_close(ndl_loop *loop, void *arg) {
  (void)arg;
  auto_got[0] = '\0';
  listen_then(loop, auto_connection, auto_listening);
}

const struct conf_scenario conf_tcp_scenarios[] = {
    {"tcp_echo_events", echo_events, echo_events_exit},
    {"tcp_close_phase_then_timer", close_phase_then_timer, NULL},
    {"tcp_close_from_close_next_iteration", close_from_close, NULL},
    {"tcp_close_order_lifo", close_order, NULL},
    {"tcp_connect_refused", connect_refused, NULL},
    {"tcp_server_close_cb", server_close_cb, NULL},
    {"tcp_write_cb", write_cb, NULL},
    {"tcp_reset", reset, NULL},
    {"tcp_server_close_waits", server_close_waits, waits_exit},
    {"tcp_listening", listening_order, NULL},
    {"tcp_auto_close", auto_close, auto_exit},
    {NULL, NULL, NULL}};
