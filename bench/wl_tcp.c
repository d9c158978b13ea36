/*
 * TCP ping-pong over loopback: a client and an echo server in one loop.
 * The client sends 64 bytes, waits for all 64 to come back, and sends
 * again, n round trips in all; timed from the connect callback to the last
 * reply. TCP_NODELAY is on at both ends on both sides (nodeloop sets it
 * itself).
 *
 * Each write copies its bytes and asks for a completion callback on both
 * sides, which is what Node's socket.write() does: nodeloop copies inside
 * ndl_tcp_write(); the libuv side copies into a malloc'd request, the usual
 * way to echo from a read buffer that libuv reuses.
 */
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"
#include "nodeloop_net.h"
#include <uv.h>

#define MSG_LEN 64
#define HOST "127.0.0.1"

/* 63 characters and the NUL: one 64-byte message. */
static const char msg[MSG_LEN] = "ping-pong ping-pong ping-pong ping-pong "
                                 "ping-pong ping-pong pin";
static uint64_t target, trips, writes_done;
static size_t got; /* bytes of the current reply received so far */
static struct bench_clock timing;
static int failed; /* the first error, as the library's own code */

static int check(void) {
  if (failed != 0)
    return bench_fail("error %d", failed);
  if (trips != target || writes_done != 2 * target)
    return bench_fail("%llu of %llu round trips, %llu writes completed",
                      (unsigned long long)trips, (unsigned long long)target,
                      (unsigned long long)writes_done);
  bench_emit_rate(&timing, "round_trips_per_s", trips);
  return 0;
}

/* Counts the bytes of a reply; returns 1 when the next ping should go. At
 * the last reply it stops the clock and returns 0. */
static int client_got(size_t len) {
  got += len;
  if (got < MSG_LEN)
    return 0;
  got -= MSG_LEN;
  if (++trips < target)
    return 1;
  bench_clock_stop(&timing);
  return 0;
}

/* ---- nodeloop */

static void ndl_on_written(ndl_tcp *tcp, const ndl_value *v, void *arg) {
  (void)tcp;
  (void)arg;
  if (v->kind == NDL_ERROR)
    failed = v->as.err.code;
  else
    writes_done++;
}

static void ndl_write(ndl_tcp *tcp, const void *data, size_t len) {
  int err = ndl_tcp_write(tcp, data, len, ndl_on_written, NULL);
  if (err != 0)
    failed = err;
}

/* The echo: whatever arrives goes back; end of stream closes. */
static void ndl_server_read(ndl_tcp *tcp, const ndl_value *v, void *arg) {
  (void)arg;
  if (v->kind == NDL_STRING) {
    ndl_write(tcp, v->as.str.ptr, v->as.str.len);
    return;
  }
  if (v->kind == NDL_ERROR)
    failed = v->as.err.code;
  ndl_tcp_close(tcp, NULL, NULL);
}

static void ndl_on_connection(ndl_tcp *server, const ndl_value *v, void *arg) {
  ndl_tcp *conn;
  int err;
  (void)arg;
  if (v->kind == NDL_ERROR) {
    failed = v->as.err.code;
  } else if ((err = ndl_tcp_accept(server, &conn)) != 0 ||
             (err = ndl_tcp_read_start(conn, ndl_server_read, NULL)) != 0) {
    failed = err;
  }
  ndl_tcp_close(server, NULL, NULL); /* one connection is all it takes */
}

static void ndl_client_read(ndl_tcp *tcp, const ndl_value *v, void *arg) {
  (void)arg;
  if (v->kind == NDL_STRING) {
    if (client_got(v->as.str.len))
      ndl_write(tcp, msg, MSG_LEN);
    else if (trips == target)
      ndl_tcp_close(tcp, NULL, NULL);
    return;
  }
  failed = v->kind == NDL_ERROR ? v->as.err.code : NDL_ECONNRESET;
  ndl_tcp_close(tcp, NULL, NULL);
}

static void ndl_on_connect(ndl_tcp *tcp, const ndl_value *v, void *arg) {
  int err;
  (void)arg;
  if (v->kind == NDL_ERROR) {
    failed = v->as.err.code;
    ndl_tcp_close(tcp, NULL, NULL);
    return;
  }
  bench_clock_start(&timing);
  if ((err = ndl_tcp_read_start(tcp, ndl_client_read, NULL)) != 0)
    failed = err;
  ndl_write(tcp, msg, MSG_LEN);
}

static void ndl_tcp_main(ndl_loop *loop, void *arg) {
  ndl_tcp *server, *client;
  int err, port;
  (void)arg;
  if ((err = ndl_tcp_listen(loop, HOST, 0, 16, ndl_on_connection, NULL,
                            &server)) != 0 ||
      (err = ndl_tcp_port(server, &port)) != 0 ||
      (err = ndl_tcp_connect(loop, HOST, port, ndl_on_connect, NULL,
                             &client)) != 0)
    failed = err;
}

int bench_tcp_ndl(uint64_t n) {
  ndl_options opts;
  ndl_loop *loop;
  int err;

  target = n;
  ndl_options_init(&opts);
  opts.threadpool_size = BENCH_POOL_THREADS;
  if ((err = ndl_loop_new(&opts, &loop)) != 0)
    return bench_fail("ndl_loop_new: %s", ndl_strerror(err));
  if ((err = ndl_run(loop, ndl_tcp_main, NULL)) != 0)
    failed = err;
  ndl_loop_free(loop);
  return check();
}

/* ---- libuv */

struct uv_wreq {
  uv_write_t req;
  char data[];
};

static uv_tcp_t uv_listener, uv_conn, uv_client;
static uv_connect_t uv_connect_req;
static char read_buf[65536];

static void uv_alloc(uv_handle_t *handle, size_t suggested, uv_buf_t *buf) {
  (void)handle;
  (void)suggested;
  *buf = uv_buf_init(read_buf, sizeof(read_buf));
}

static void uv_on_written(uv_write_t *req, int status) {
  if (status != 0)
    failed = status;
  else
    writes_done++;
  free(req);
}

static void uv_send(uv_tcp_t *tcp, const char *data, size_t len) {
  struct uv_wreq *w = malloc(sizeof(*w) + len);
  uv_buf_t buf;
  int err;
  if (w == NULL) {
    failed = UV_ENOMEM;
    return;
  }
  memcpy(w->data, data, len);
  buf = uv_buf_init(w->data, (unsigned)len);
  if ((err = uv_write(&w->req, (uv_stream_t *)tcp, &buf, 1, uv_on_written)) !=
      0) {
    failed = err;
    free(w);
  }
}

static void uv_server_read(uv_stream_t *stream, ssize_t nread,
                           const uv_buf_t *buf) {
  if (nread > 0) {
    uv_send((uv_tcp_t *)stream, buf->base, (size_t)nread);
    return;
  }
  if (nread == 0)
    return; /* EAGAIN */
  if (nread != UV_EOF)
    failed = (int)nread;
  uv_close((uv_handle_t *)stream, NULL);
}

static void uv_on_connection(uv_stream_t *server, int status) {
  int err;
  if (status != 0) {
    failed = status;
  } else if ((err = uv_tcp_init(server->loop, &uv_conn)) != 0 ||
             (err = uv_accept(server, (uv_stream_t *)&uv_conn)) != 0 ||
             (err = uv_tcp_nodelay(&uv_conn, 1)) != 0 ||
             (err = uv_read_start((uv_stream_t *)&uv_conn, uv_alloc,
                                  uv_server_read)) != 0) {
    failed = err;
  }
  uv_close((uv_handle_t *)server, NULL);
}

static void uv_client_read(uv_stream_t *stream, ssize_t nread,
                           const uv_buf_t *buf) {
  (void)buf;
  if (nread > 0) {
    if (client_got((size_t)nread))
      uv_send(&uv_client, msg, MSG_LEN);
    else if (trips == target)
      uv_close((uv_handle_t *)stream, NULL);
    return;
  }
  if (nread == 0)
    return;
  failed = nread == UV_EOF ? UV_ECONNRESET : (int)nread;
  uv_close((uv_handle_t *)stream, NULL);
}

static void uv_on_connect(uv_connect_t *req, int status) {
  int err;
  if (status != 0) {
    failed = status;
    uv_close((uv_handle_t *)req->handle, NULL);
    return;
  }
  bench_clock_start(&timing);
  if ((err = uv_tcp_nodelay(&uv_client, 1)) != 0 ||
      (err = uv_read_start((uv_stream_t *)&uv_client, uv_alloc,
                           uv_client_read)) != 0)
    failed = err;
  uv_send(&uv_client, msg, MSG_LEN);
}

int bench_tcp_uv(uint64_t n) {
  static uv_loop_t loop;
  struct sockaddr_in addr;
  struct sockaddr_storage bound;
  int err, len = sizeof(bound);

  target = n;
  if ((err = uv_loop_init(&loop)) != 0)
    return bench_fail("uv_loop_init: %s", uv_strerror(err));
  if ((err = uv_ip4_addr(HOST, 0, &addr)) != 0 ||
      (err = uv_tcp_init(&loop, &uv_listener)) != 0 ||
      (err = uv_tcp_bind(&uv_listener, (const struct sockaddr *)&addr, 0)) !=
          0 ||
      (err = uv_listen((uv_stream_t *)&uv_listener, 16, uv_on_connection)) !=
          0 ||
      (err = uv_tcp_getsockname(&uv_listener, (struct sockaddr *)&bound,
                                &len)) != 0)
    return bench_fail("listen: %s", uv_strerror(err));
  addr.sin_port = ((struct sockaddr_in *)&bound)->sin_port;
  if ((err = uv_tcp_init(&loop, &uv_client)) != 0 ||
      (err = uv_tcp_connect(&uv_connect_req, &uv_client,
                            (const struct sockaddr *)&addr, uv_on_connect)) !=
          0)
    return bench_fail("connect: %s", uv_strerror(err));
  if ((err = uv_run(&loop, UV_RUN_DEFAULT)) != 0)
    failed = err;
  uv_loop_close(&loop);
  return check();
}
