/*
 * Networking on the real platform, over loopback only: a TCP echo with 64
 * concurrent clients and 1 MiB each, IPv4 and IPv6, half-close, refused
 * connections, and the HTTP client against the embedded slow server.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "examples/slow_server.h"
#include "nodeloop_net.h"
#include "value_record.h"

static void free_loop(ndl_loop *loop) {
  ndl_stats st;
  ndl_get_stats(loop, &st);
  cr_assert_eq(st.lost, 0);
  cr_assert_eq(st.duplicated, 0);
  cr_assert_eq(ndl_loop_free(loop), 0);
}

/* ---- Echo: the server writes back what it reads and half-closes at the
 * client's end of stream; the client checks every byte. */

#define CLIENTS 64
#define PER_CLIENT (1u << 20)
#define BLOCK 65536

static unsigned char pattern(size_t i, int client) {
  return (unsigned char)((i * 131u + (size_t)client * 7u) >> 3);
}

struct echo_server {
  ndl_tcp *listener;
  int accepted;
  int closed;
};

static void server_closed(ndl_tcp *tcp, const ndl_value *v, void *arg) {
  struct echo_server *s = arg;
  (void)tcp;
  (void)v;
  s->closed++;
}

static void server_read(ndl_tcp *tcp, const ndl_value *v, void *arg) {
  struct echo_server *s = arg;
  if (v->kind == NDL_STRING) {
    cr_assert_eq(ndl_tcp_write(tcp, v->as.str.ptr, v->as.str.len, NULL, NULL),
                 0);
  } else if (v->kind == NDL_UNDEFINED) {
    cr_assert_eq(ndl_tcp_shutdown(tcp), 0); /* after the queued echoes */
    cr_assert_eq(ndl_tcp_close(tcp, server_closed, s), 0);
  } else {
    cr_assert_fail("server read error: %s", v->as.err.msg);
  }
}

static void on_connection(ndl_tcp *listener, const ndl_value *v, void *arg) {
  struct echo_server *s = arg;
  ndl_tcp *client;
  cr_assert_eq(v->kind, NDL_UNDEFINED);
  cr_assert_eq(ndl_tcp_accept(listener, &client), 0);
  s->accepted++;
  cr_assert_eq(ndl_tcp_read_start(client, server_read, s), 0);
}

struct echo_client {
  int index;
  ndl_tcp *tcp;
  size_t sent, received;
  int connected, ended, closed, writes_done;
  struct echo_server *server;
  int *clients_done;
};

static void client_closed(ndl_tcp *tcp, const ndl_value *v, void *arg) {
  struct echo_client *c = arg;
  (void)tcp;
  (void)v;
  c->closed = 1;
  if (++*c->clients_done == CLIENTS)
    ndl_tcp_close(c->server->listener, NULL, NULL);
}

static void client_read(ndl_tcp *tcp, const ndl_value *v, void *arg) {
  struct echo_client *c = arg;
  size_t i;
  if (v->kind == NDL_STRING) {
    for (i = 0; i < v->as.str.len; i++)
      cr_assert_eq((unsigned char)v->as.str.ptr[i],
                   pattern(c->received + i, c->index), "client %d byte %zu",
                   c->index, c->received + i);
    c->received += v->as.str.len;
    return;
  }
  cr_assert_eq(v->kind, NDL_UNDEFINED, "client %d: %s", c->index,
               v->kind == NDL_ERROR ? v->as.err.msg : "?");
  c->ended = 1;
  cr_assert_eq(ndl_tcp_close(tcp, client_closed, c), 0);
}

static void client_wrote(ndl_tcp *tcp, const ndl_value *v, void *arg) {
  struct echo_client *c = arg;
  (void)tcp;
  cr_assert_eq(v->kind, NDL_UNDEFINED);
  c->writes_done++;
}

static void client_connected(ndl_tcp *tcp, const ndl_value *v, void *arg) {
  struct echo_client *c = arg;
  unsigned char block[BLOCK];
  cr_assert_eq(v->kind, NDL_UNDEFINED, "connect: %s",
               v->kind == NDL_ERROR ? v->as.err.msg : "");
  c->connected = 1;
  cr_assert_eq(ndl_tcp_read_start(tcp, client_read, c), 0);
  while (c->sent < PER_CLIENT) {
    size_t i;
    for (i = 0; i < BLOCK; i++)
      block[i] = pattern(c->sent + i, c->index);
    cr_assert_eq(ndl_tcp_write(tcp, block, BLOCK, client_wrote, c), 0);
    c->sent += BLOCK;
  }
  cr_assert_eq(ndl_tcp_shutdown(tcp), 0);
}

static void echo_on(const char *host) {
  ndl_loop *loop = new_loop(0);
  struct echo_server server = {NULL, 0, 0};
  struct echo_client *clients = calloc(CLIENTS, sizeof(*clients));
  int port, i, done = 0;

  cr_assert_eq(ndl_tcp_listen(loop, host, 0, 128, on_connection, &server,
                              &server.listener),
               0);
  cr_assert_eq(ndl_tcp_port(server.listener, &port), 0);
  for (i = 0; i < CLIENTS; i++) {
    clients[i].index = i;
    clients[i].server = &server;
    clients[i].clients_done = &done;
    cr_assert_eq(ndl_tcp_connect(loop, host, port, client_connected,
                                 &clients[i], &clients[i].tcp),
                 0);
  }
  cr_assert_eq(ndl_run(loop, NULL, NULL), 0);
  cr_assert_eq(server.accepted, CLIENTS);
  cr_assert_eq(server.closed, CLIENTS);
  for (i = 0; i < CLIENTS; i++) {
    cr_assert(clients[i].connected && clients[i].ended && clients[i].closed);
    cr_assert_eq(clients[i].received, PER_CLIENT, "client %d got %zu", i,
                 clients[i].received);
    cr_assert_eq(clients[i].writes_done, PER_CLIENT / BLOCK);
  }
  free(clients);
  free_loop(loop);
}

Test(net, echo_64_clients_1mib_each_ipv4, .timeout = 120) {
  echo_on("127.0.0.1");
}

Test(net, echo_64_clients_1mib_each_ipv6, .timeout = 120) {
  ndl_loop *loop = new_loop(0);
  ndl_tcp *probe;
  int err = ndl_tcp_listen(loop, "::1", 0, 1, on_connection, NULL, &probe);
  if (err != 0) {
    cr_assert_eq(ndl_loop_free(loop), 0);
    cr_skip_test("IPv6 loopback is not available here: %s", ndl_strerror(err));
  }
  ndl_tcp_close(probe, NULL, NULL);
  cr_assert_eq(ndl_run(loop, NULL, NULL), 0);
  free_loop(loop);
  echo_on("::1");
}

/* ---- Errors reach callbacks. */

static void expect_error(ndl_tcp *tcp, const ndl_value *v, void *arg) {
  int *code = arg;
  cr_assert_eq(v->kind, NDL_ERROR);
  *code = v->as.err.code;
  ndl_tcp_close(tcp, NULL, NULL);
}

/* A port nobody listens on: bind one, note it, close it. */
static int closed_port(void) {
  ndl_loop *loop = new_loop(0);
  ndl_tcp *l;
  int port;
  cr_assert_eq(ndl_tcp_listen(loop, "127.0.0.1", 0, 1, on_connection, NULL, &l),
               0);
  cr_assert_eq(ndl_tcp_port(l, &port), 0);
  ndl_tcp_close(l, NULL, NULL);
  cr_assert_eq(ndl_run(loop, NULL, NULL), 0);
  free_loop(loop);
  return port;
}

Test(net, refused_connection_is_an_error_value) {
  ndl_loop *loop = new_loop(0);
  ndl_tcp *tcp;
  int code = 0;
  cr_assert_eq(ndl_tcp_connect(loop, "127.0.0.1", closed_port(), expect_error,
                               &code, &tcp),
               0);
  cr_assert_eq(ndl_run(loop, NULL, NULL), 0);
  cr_assert_eq(code, NDL_ECONNREFUSED);
  free_loop(loop);
}

Test(net, bad_arguments) {
  ndl_loop *loop = new_loop(0);
  ndl_tcp *tcp;
  cr_assert_eq(
      ndl_tcp_connect(loop, "127.0.0.1", 70000, expect_error, NULL, &tcp),
      NDL_EINVAL);
  cr_assert_eq(ndl_tcp_connect(loop, NULL, 80, expect_error, NULL, &tcp),
               NDL_EINVAL);
  cr_assert_eq(
      ndl_tcp_listen(loop, "not-an-address", 0, 1, expect_error, NULL, &tcp),
      NDL_EINVAL);
  cr_assert_eq(ndl_http_get(loop, NULL, NULL, NULL), NDL_EINVAL);
  /* A reset needs a connected stream. */
  cr_assert_eq(ndl_tcp_reset(NULL, NULL, NULL), NDL_EINVAL);
  cr_assert_eq(
      ndl_tcp_listen(loop, "127.0.0.1", 0, 1, on_connection, NULL, &tcp), 0);
  cr_assert_eq(ndl_tcp_reset(tcp, NULL, NULL), NDL_EINVAL);
  cr_assert_eq(ndl_tcp_close(tcp, NULL, NULL), 0);
  cr_assert_eq(ndl_tcp_reset(tcp, NULL, NULL), NDL_EINVAL);
  cr_assert_eq(ndl_run(loop, NULL, NULL), 0);
  free_loop(loop);
}

/* ---- HTTP against the embedded server. */

static struct value_record fetch(const char *fmt, int port) {
  struct value_record r;
  char url[256];
  ndl_loop *loop = new_loop(0);
  memset(&r, 0, sizeof(r));
  snprintf(url, sizeof(url), fmt, port);
  cr_assert_eq(ndl_http_get(loop, url, value_record_cb, &r), 0);
  cr_assert_eq(ndl_run(loop, NULL, NULL), 0);
  cr_assert_eq(r.calls, 1, "callback ran %d times for %s", r.calls, url);
  free_loop(loop);
  return r;
}

static struct ndl_slow_server *server;
static int server_port;

static void start_server(void) {
  cr_assert_eq(ndl_slow_server_start(&server, &server_port), 0);
}

static void stop_server(void) {
  ndl_slow_server_stop(server);
}

TestSuite(http, .init = start_server, .fini = stop_server, .timeout = 30);

Test(http, content_length_body) {
  struct value_record r =
      fetch("http://127.0.0.1:%d/delay/20/url/example", server_port);
  cr_assert_eq(r.kind, NDL_STRING, "%s", r.text);
  cr_assert_str_eq(r.text, "Delayed 20 ms: example");
}

Test(http, name_resolved_on_the_pool) {
  struct value_record r =
      fetch("http://localhost:%d/delay/1/url/by-name", server_port);
  cr_assert_eq(r.kind, NDL_STRING, "%s", r.text);
  cr_assert_str_eq(r.text, "Delayed 1 ms: by-name");
}

Test(http, chunked_body) {
  struct value_record r =
      fetch("http://127.0.0.1:%d/chunked/abcdefghij", server_port);
  cr_assert_eq(r.kind, NDL_STRING, "%s", r.text);
  cr_assert_str_eq(r.text, "abcdefghij");
}

Test(http, close_delimited_body) {
  struct value_record r =
      fetch("http://127.0.0.1:%d/close/until-the-end", server_port);
  cr_assert_eq(r.kind, NDL_STRING, "%s", r.text);
  cr_assert_str_eq(r.text, "until-the-end");
}

Test(http, non_2xx_status_is_an_error) {
  struct value_record r = fetch("http://127.0.0.1:%d/status/503", server_port);
  cr_assert_eq(r.kind, NDL_ERROR);
  cr_assert_eq(r.code, NDL_BADRESPONSE);
  cr_assert(strstr(r.text, "503") != NULL, "%s", r.text);
}

Test(http, malformed_response_is_an_error) {
  struct value_record r = fetch("http://127.0.0.1:%d/garbage", server_port);
  cr_assert_eq(r.kind, NDL_ERROR);
  cr_assert_eq(r.code, NDL_BADRESPONSE, "%s", r.text);
}

Test(http, refused_connection_is_an_error) {
  struct value_record r = fetch("http://127.0.0.1:%d/x", closed_port());
  cr_assert_eq(r.kind, NDL_ERROR);
  cr_assert_eq(r.code, NDL_ECONNREFUSED, "%s", r.text);
}

Test(http, bad_url_is_an_error) {
  struct value_record r = fetch("ftp://127.0.0.1:%d/x", server_port);
  cr_assert_eq(r.kind, NDL_ERROR);
  cr_assert_eq(r.code, NDL_BADURL);
  r = fetch("http://127.0.0.1:%d999999/x", server_port);
  cr_assert_eq(r.code, NDL_BADURL);
}

Test(http, failed_name_lookup_is_an_error) {
  /* An empty label makes the name invalid, so the resolver rejects it
   * without asking any server; .invalid (RFC 2606) never resolves anyway. */
  struct value_record r = fetch("http://nodeloop..invalid:%d/x", 80);
  cr_assert_eq(r.kind, NDL_ERROR);
  cr_assert_eq(r.code, NDL_EAI, "%s", r.text);
}
