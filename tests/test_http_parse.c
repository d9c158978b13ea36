/*
 * The HTTP client's parser (modules/http_parse.c) against hostile and
 * unusual responses: each bad response is an NDL_BADRESPONSE with a clear
 * message, never an abort, an out-of-bounds copy, an overflow or a spin.
 *
 * Responses are served by a canned server on loopback, in the same loop as
 * the client, so each test sees what ndl_http_get() makes of exact bytes;
 * the parser is also driven directly, one byte at a time. (The client
 * against a well-behaved server: test_net.c.)
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "helpers.h"
#include "modules/http_parse.h"
#include "nodeloop_net.h"

/* ---- A canned HTTP server: answers every connection with the same bytes,
 * then half-closes; records the first request it reads. */

struct canned {
  ndl_tcp *listener;
  const char *response;
  size_t response_len;
  char request[1024];
  size_t request_len;
};

struct http_result {
  ndl_value_kind kind;
  int code;
  char text[512];
  size_t len;
  int calls;
  struct canned *server;
};

static void canned_read(ndl_tcp *tcp, const ndl_value *v, void *arg) {
  struct canned *s = arg;
  if (v->kind == NDL_STRING) {
    size_t room = sizeof(s->request) - 1 - s->request_len;
    size_t n = v->as.str.len < room ? v->as.str.len : room;
    memcpy(s->request + s->request_len, v->as.str.ptr, n);
    s->request_len += n;
    s->request[s->request_len] = '\0';
    return;
  }
  ndl_tcp_close(tcp, NULL, NULL);
}

static void canned_connection(ndl_tcp *listener, const ndl_value *v,
                              void *arg) {
  struct canned *s = arg;
  ndl_tcp *client;
  cr_assert_eq(v->kind, NDL_UNDEFINED);
  cr_assert_eq(ndl_tcp_accept(listener, &client), 0);
  cr_assert_eq(ndl_tcp_read_start(client, canned_read, s), 0);
  cr_assert_eq(ndl_tcp_write(client, s->response, s->response_len, NULL, NULL),
               0);
  cr_assert_eq(ndl_tcp_shutdown(client), 0);
}

static void got(ndl_loop *loop, const ndl_value *v, void *arg) {
  struct http_result *r = arg;
  (void)loop;
  r->calls++;
  copy_value(v, &r->kind, &r->code, r->text, sizeof(r->text), &r->len);
  ndl_tcp_close(r->server->listener, NULL, NULL);
}

/* GETs url_path from a server that answers `len` bytes of response. */
static struct http_result serve_len(const char *response, size_t len,
                                    const char *url_path,
                                    struct canned *server) {
  struct http_result r;
  ndl_loop *loop;
  ndl_stats st;
  char url[256];
  int port;

  memset(&r, 0, sizeof(r));
  memset(server, 0, sizeof(*server));
  server->response = response;
  server->response_len = len;
  r.server = server;
  cr_assert_eq(ndl_loop_new(NULL, &loop), 0);
  cr_assert_eq(ndl_tcp_listen(loop, "127.0.0.1", 0, 8, canned_connection,
                              server, &server->listener),
               0);
  cr_assert_eq(ndl_tcp_port(server->listener, &port), 0);
  snprintf(url, sizeof(url), "http://127.0.0.1:%d%s", port, url_path);
  cr_assert_eq(ndl_http_get(loop, url, got, &r), 0);
  cr_assert_eq(ndl_run(loop, NULL, NULL), 0);
  cr_assert_eq(r.calls, 1);
  ndl_get_stats(loop, &st);
  cr_assert_eq(st.lost, 0);
  cr_assert_eq(ndl_loop_free(loop), 0);
  return r;
}

static struct http_result serve(const char *response) {
  static struct canned server;
  return serve_len(response, strlen(response), "/", &server);
}

static void expect_bad(const char *response, const char *why) {
  struct http_result r = serve(response);
  cr_assert_eq(r.kind, NDL_ERROR, "accepted: %s", r.text);
  cr_assert_eq(r.code, NDL_BADRESPONSE, "%s", r.text);
  cr_assert(strstr(r.text, why) != NULL, "'%s' does not say '%s'", r.text, why);
}

static void expect_body(const char *response, const char *body) {
  struct http_result r = serve(response);
  cr_assert_eq(r.kind, NDL_STRING, "%s", r.text);
  cr_assert_str_eq(r.text, body);
}

TestSuite(http_parse, .timeout = 60);

#define CHUNKED "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"

/* B1: "-1" went through strtoul to ULONG_MAX, "size + 2" wrapped, and
 * memcpy copied 2^64 bytes. */
Test(http_parse, chunk_size_minus_one_is_malformed) {
  expect_bad(CHUNKED "-1\r\nabc\r\n0\r\n\r\n", "bad chunk size");
}

Test(http_parse, chunk_size_over_16_hex_digits_is_malformed) {
  expect_bad(CHUNKED "10000000000000001\r\nabc\r\n0\r\n\r\n",
             "chunk size too large");
  expect_bad(CHUNKED "fffffffffffffffe\r\nabc\r\n0\r\n\r\n",
             "chunk size too large");
}

Test(http_parse, chunked_body_with_extensions_and_trailers) {
  expect_body(CHUNKED "3;x=y\r\nabc\r\n2 \r\nde\r\n0\r\nT: 1\r\n\r\n", "abcde");
}

/* B2: a head over 16 KiB is refused, as Node refuses it. */
Test(http_parse, head_over_16_kib_is_malformed) {
  static const char start[] = "HTTP/1.1 200 OK\r\nX: ";
  size_t n = 20000;
  char *resp = malloc(sizeof(start) + n + 64);
  cr_assert_not_null(resp);
  memcpy(resp, start, sizeof(start) - 1);
  memset(resp + sizeof(start) - 1, 'a', n);
  strcpy(resp + sizeof(start) - 1 + n, "\r\nContent-Length: 2\r\n\r\nok");
  expect_bad(resp, "larger than 16 KiB");
  free(resp);
}

/* B2: the parse resumes where the previous read stopped. Rescanning the
 * whole buffer per read made 48 MB of small chunks block the loop for 18 s.
 * Linear time is asserted without a clock: after every read that leaves
 * the response incomplete, the point where the next search resumes is at
 * most 3 bytes (a head's terminator straddling two reads) behind the end
 * of the data, so no byte is searched more than a bounded number of times
 * however the response is split. */
Test(http_parse, every_read_resumes_where_the_last_one_stopped) {
  const size_t chunks = 2000;
  size_t cap = NDL__HTTP_MAX_HEAD + chunks * 32 + 256, len = 0, i;
  char *resp = malloc(cap), *buf = malloc(cap);
  struct ndl__http_response r;
  enum ndl__http_result res = NDL__HTTP_NEED_MORE;

  cr_assert_not_null(resp);
  cr_assert_not_null(buf);
  /* A head near the limit, then many small chunks and a trailer. */
  len += (size_t)sprintf(resp, "%s", "HTTP/1.1 200 OK\r\n");
  for (i = 0; i < 150; i++)
    len += (size_t)sprintf(resp + len, "X-Filler-%03zu: %080zu\r\n", i, i);
  len += (size_t)sprintf(resp + len, "Transfer-Encoding: chunked\r\n\r\n");
  for (i = 0; i < chunks; i++)
    len += (size_t)sprintf(resp + len, "%zx\r\n%0*zu\r\n", i % 17 + 1,
                           (int)(i % 17 + 1), (size_t)0);
  len += (size_t)sprintf(resp + len, "0\r\nX-Trailer: t\r\n\r\n");
  cr_assert_lt(len, cap);

  ndl__http_response_init(&r);
  for (i = 1; i <= len && res == NDL__HTTP_NEED_MORE; i++) {
    buf[i - 1] = resp[i - 1];
    res = ndl__http_response_parse(&r, buf, i, 0);
    if (res == NDL__HTTP_NEED_MORE) {
      size_t resume = r.scan > r.pos ? r.scan : r.pos;
      cr_assert_geq(resume + 3, i,
                    "after %zu bytes the next read resumes at %zu", i, resume);
    }
  }
  cr_assert_eq(res, NDL__HTTP_COMPLETE, "%s", r.why);
  cr_assert_eq(i - 1, len);
  free(resp);
  free(buf);
}

/* The end-to-end case of B2: 16 MiB of 16-byte chunks through a socket
 * arrive whole and in order (this took seconds with the rescan). */
Test(http_parse, large_chunked_body_is_decoded) {
  static struct canned server;
  const size_t chunks = 1u << 20, per = 16;
  size_t head = strlen(CHUNKED), i, len;
  char *resp = malloc(head + chunks * (per + 6) + 16), *p;
  struct http_result r;
  cr_assert_not_null(resp);
  memcpy(resp, CHUNKED, head);
  p = resp + head;
  for (i = 0; i < chunks; i++) {
    memcpy(p, "10\r\n", 4);
    memset(p + 4, 'a' + (int)(i % 26), per);
    memcpy(p + 4 + per, "\r\n", 2);
    p += per + 6;
  }
  memcpy(p, "0\r\n\r\n", 5);
  len = (size_t)(p + 5 - resp);
  r = serve_len(resp, len, "/", &server);
  free(resp);
  cr_assert_eq(r.kind, NDL_STRING, "%s", r.text);
  cr_assert_eq(r.len, chunks * per);
}

/* Lenient HTTP, decided as Node's llhttp does (docs/semantics.md). */
Test(http_parse, four_digit_status_is_malformed) {
  expect_bad("HTTP/1.1 2000 OK\r\nContent-Length: 2\r\n\r\nok",
             "bad status line");
}

Test(http_parse, content_length_must_be_digits) {
  expect_bad("HTTP/1.1 200 OK\r\nContent-Length: +2\r\n\r\nok",
             "bad Content-Length");
  expect_bad("HTTP/1.1 200 OK\r\nContent-Length: 2 2\r\n\r\nok",
             "bad Content-Length");
}

Test(http_parse, differing_duplicate_content_length_is_malformed) {
  expect_bad("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 3\r\n"
             "\r\nokk",
             "differing Content-Length");
  expect_body("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 2\r\n"
              "\r\nok",
              "ok");
}

Test(http_parse, content_length_with_chunked_is_malformed) {
  expect_bad("HTTP/1.1 200 OK\r\nContent-Length: 3\r\n"
             "Transfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n",
             "both Content-Length and chunked");
}

Test(http_parse, interim_1xx_responses_are_skipped) {
  expect_body("HTTP/1.1 100 Continue\r\n\r\n"
              "HTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\n"
              "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok",
              "ok");
}

/* B14: the fragment stays with the client. */
Test(http_parse, url_fragment_is_not_sent) {
  static struct canned server;
  const char *resp = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";
  struct http_result r = serve_len(resp, strlen(resp), "/x?y=1#frag", &server);
  cr_assert_eq(r.kind, NDL_STRING, "%s", r.text);
  cr_assert(strncmp(server.request, "GET /x?y=1 HTTP/1.1\r\n", 21) == 0,
            "request: %s", server.request);
}

Test(http_parse, url_parser_edges) {
  char host[64], path[64];
  int port;
  cr_assert_eq(ndl__http_parse_url("http://h#f", host, sizeof(host), &port,
                                   path, sizeof(path)),
               0);
  cr_assert_str_eq(host, "h");
  cr_assert_str_eq(path, "/");
  cr_assert_eq(ndl__http_parse_url("http://h:81?q#f", host, sizeof(host), &port,
                                   path, sizeof(path)),
               0);
  cr_assert_eq(port, 81);
  cr_assert_str_eq(path, "/?q");
  cr_assert_eq(ndl__http_parse_url("http://[::1]:8080/a", host, sizeof(host),
                                   &port, path, sizeof(path)),
               0);
  cr_assert_str_eq(host, "::1");
  cr_assert_str_eq(path, "/a");
  cr_assert_eq(ndl__http_parse_url("http://h:+80/", host, sizeof(host), &port,
                                   path, sizeof(path)),
               NDL_BADURL);
  cr_assert_eq(ndl__http_parse_url("http://h:65536/", host, sizeof(host), &port,
                                   path, sizeof(path)),
               NDL_BADURL);
  cr_assert_eq(ndl__http_parse_url("http://h\r\nX: y/", host, sizeof(host),
                                   &port, path, sizeof(path)),
               NDL_BADURL);
}

/* The parser fed one byte at a time gives what it gives on the whole. */
Test(http_parse, byte_at_a_time_equals_whole) {
  static const char resp[] = "HTTP/1.1 100 Continue\r\n\r\n" CHUNKED
                             "5\r\nhello\r\n1\r\n \r\n5\r\nworld\r\n0\r\n\r\n";
  char buf[sizeof(resp)];
  struct ndl__http_response r;
  size_t i;
  enum ndl__http_result res = NDL__HTTP_NEED_MORE;
  ndl__http_response_init(&r);
  for (i = 1; i < sizeof(resp) && res == NDL__HTTP_NEED_MORE; i++) {
    buf[i - 1] = resp[i - 1];
    res = ndl__http_response_parse(&r, buf, i, 0);
  }
  cr_assert_eq(res, NDL__HTTP_COMPLETE, "%s", r.why);
  cr_assert_eq(i, sizeof(resp));
  cr_assert_eq(r.status, 200);
  cr_assert_eq(r.body_len, 11);
  cr_assert(memcmp(buf + r.body_start, "hello world", 11) == 0);
}

/* Found by fuzz_http: a stream that ends before its first byte left the
 * buffer NULL, and the head search did pointer arithmetic on it. */
Test(http_parse, empty_response_is_malformed) {
  expect_bad("", "connection closed inside the headers");
}
