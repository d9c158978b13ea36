/*
 * Regression tests for the hostile-input sweep: each bad input gets a
 * negative error code and a clear message, and the library never aborts,
 * copies out of bounds, overflows or spins.
 *
 * HTTP responses are served by a canned server on loopback, in the same
 * loop as the client, so each test sees what ndl_http_get() makes of exact
 * bytes; the parser is also driven directly (modules/http_parse.h), one
 * byte at a time.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "modules/http_parse.h"
#include "nodeloop_net.h"
#include "value_record.h"

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
  struct value_record v;
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
  value_record(&r->v, v);
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
  cr_assert_eq(r.v.calls, 1);
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
  cr_assert_eq(r.v.kind, NDL_ERROR, "accepted: %s", r.v.text);
  cr_assert_eq(r.v.code, NDL_BADRESPONSE, "%s", r.v.text);
  cr_assert(strstr(r.v.text, why) != NULL, "'%s' does not say '%s'", r.v.text,
            why);
}

static void expect_body(const char *response, const char *body) {
  struct http_result r = serve(response);
  cr_assert_eq(r.v.kind, NDL_STRING, "%s", r.v.text);
  cr_assert_str_eq(r.v.text, body);
}

TestSuite(hostile_http, .timeout = 60);

#define CHUNKED "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"

/* B1: "-1" went through strtoul to ULONG_MAX, "size + 2" wrapped, and
 * memcpy copied 2^64 bytes. */
Test(hostile_http, chunk_size_minus_one_is_malformed) {
  expect_bad(CHUNKED "-1\r\nabc\r\n0\r\n\r\n", "bad chunk size");
}

Test(hostile_http, chunk_size_over_16_hex_digits_is_malformed) {
  expect_bad(CHUNKED "10000000000000001\r\nabc\r\n0\r\n\r\n",
             "chunk size too large");
  expect_bad(CHUNKED "fffffffffffffffe\r\nabc\r\n0\r\n\r\n",
             "chunk size too large");
}

Test(hostile_http, chunked_body_with_extensions_and_trailers) {
  expect_body(CHUNKED "3;x=y\r\nabc\r\n2 \r\nde\r\n0\r\nT: 1\r\n\r\n", "abcde");
}

/* B2: a head over 16 KiB is refused, as Node refuses it. */
Test(hostile_http, head_over_16_kib_is_malformed) {
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

static double seconds(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* B2: the parse resumes where the previous read stopped. Rescanning the
 * whole buffer per read made 16 MB of small chunks take seconds (48 MB:
 * 18 s); linear, it takes tens of ms. */
Test(hostile_http, large_chunked_body_is_parsed_in_linear_time) {
  static struct canned server;
  const size_t chunks = 1u << 20, per = 16;
  size_t head = strlen(CHUNKED), i, len;
  char *resp = malloc(head + chunks * (per + 6) + 16), *p;
  struct http_result r;
  double t0;
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
  t0 = seconds();
  r = serve_len(resp, len, "/", &server);
  t0 = seconds() - t0;
  free(resp);
  cr_assert_eq(r.v.kind, NDL_STRING, "%s", r.v.text);
  cr_assert_eq(r.v.len, chunks * per);
  cr_assert_lt(t0, 3.0, "16 MiB of chunks took %.2f s", t0);
}

/* Lenient HTTP, decided as Node's llhttp does (docs/semantics.md). */
Test(hostile_http, four_digit_status_is_malformed) {
  expect_bad("HTTP/1.1 2000 OK\r\nContent-Length: 2\r\n\r\nok",
             "bad status line");
}

Test(hostile_http, content_length_must_be_digits) {
  expect_bad("HTTP/1.1 200 OK\r\nContent-Length: +2\r\n\r\nok",
             "bad Content-Length");
  expect_bad("HTTP/1.1 200 OK\r\nContent-Length: 2 2\r\n\r\nok",
             "bad Content-Length");
}

Test(hostile_http, differing_duplicate_content_length_is_malformed) {
  expect_bad("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 3\r\n"
             "\r\nokk",
             "differing Content-Length");
  expect_body("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 2\r\n"
              "\r\nok",
              "ok");
}

Test(hostile_http, content_length_with_chunked_is_malformed) {
  expect_bad("HTTP/1.1 200 OK\r\nContent-Length: 3\r\n"
             "Transfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n",
             "both Content-Length and chunked");
}

Test(hostile_http, interim_1xx_responses_are_skipped) {
  expect_body("HTTP/1.1 100 Continue\r\n\r\n"
              "HTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\n"
              "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok",
              "ok");
}

/* B14: the fragment stays with the client. */
Test(hostile_http, url_fragment_is_not_sent) {
  static struct canned server;
  const char *resp = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";
  struct http_result r = serve_len(resp, strlen(resp), "/x?y=1#frag", &server);
  cr_assert_eq(r.v.kind, NDL_STRING, "%s", r.v.text);
  cr_assert(strncmp(server.request, "GET /x?y=1 HTTP/1.1\r\n", 21) == 0,
            "request: %s", server.request);
}

Test(hostile_http, url_parser_edges) {
  char host[64], path[64];
  int port;
  cr_assert_eq(ndl__http_parse_url("http://h#f", host, sizeof(host), &port,
                                   path, sizeof(path)),
               0);
  cr_assert_str_eq(host, "h");
  cr_assert_str_eq(path, "/");
  cr_assert_eq(ndl__http_parse_url("http://h:81?q#f", host, sizeof(host),
                                   &port, path, sizeof(path)),
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
  cr_assert_eq(ndl__http_parse_url("http://h:65536/", host, sizeof(host),
                                   &port, path, sizeof(path)),
               NDL_BADURL);
  cr_assert_eq(ndl__http_parse_url("http://h\r\nX: y/", host, sizeof(host),
                                   &port, path, sizeof(path)),
               NDL_BADURL);
}

/* The parser fed one byte at a time gives what it gives on the whole. */
Test(hostile_http, byte_at_a_time_equals_whole) {
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

/* ---- Fault plans (faults/plan.c). */

#include "nodeloop_faults.h"

static void clear_plan(void) { ndl_faults_clear(); }

TestSuite(hostile_faults, .fini = clear_plan, .timeout = 30);

static void expect_bad_plan(const char *spec, const char *why_part) {
  char why[256] = "";
  cr_assert_eq(ndl_faults_plan(spec, 1, why, sizeof(why)), NDL_BADFAULTS,
               "accepted: '%s'", spec);
  cr_assert(strstr(why, why_part) != NULL, "'%s': '%s' does not say '%s'",
            spec, why, why_part);
}

static void expect_good_plan(const char *spec) {
  char why[256] = "";
  cr_assert_eq(ndl_faults_plan(spec, 1, why, sizeof(why)), 0, "'%s': %s",
               spec, why);
}

/* B5: an errno outside 1..4095 made wrappers return positive codes. */
Test(hostile_faults, errno_out_of_range_is_rejected) {
  expect_bad_plan("net/socket:-5#1", "from 1 to 4095");
  expect_bad_plan("net/socket:0=0.5", "from 1 to 4095");
  expect_bad_plan("net/socket:4096=0.5", "from 1 to 4095");
  expect_bad_plan("net/socket:99999999999999999999=0.5", "from 1 to 4095");
  expect_bad_plan("net/socket: 5=0.5", "unknown errno name");
  expect_bad_plan("net/socket:econnrefused5=0.5", "unknown errno name");
  expect_bad_plan("net/socket:=0.5", "after ':'");
  expect_good_plan("net/socket:24=0.5");
  expect_good_plan("net/socket:EMFILE=0.5");
  /* linux/clock_step takes ms, any integer that fits. */
  expect_good_plan("linux/clock_step:-9223372036854775808#1");
  expect_bad_plan("linux/clock_step:9223372036854775808#1", "integer");
}

Test(hostile_faults, empty_entries_and_names_are_rejected) {
  expect_good_plan(""); /* the empty plan: no faults */
  cr_assert_eq(ndl_faults_plan(NULL, 1, NULL, 0), NDL_EINVAL);
  expect_bad_plan(",", "empty entry");
  expect_bad_plan("core/malloc=0.1,", "empty entry");
  expect_bad_plan(",core/malloc=0.1", "empty entry");
  expect_bad_plan("core/malloc=0.1,,core/malloc#3", "empty entry");
  expect_bad_plan("=0.5", "name is empty");
  expect_bad_plan(":eintr=0.5", "name is empty");
  expect_bad_plan("#3", "name is empty");
}

Test(hostile_faults, call_numbers_and_probabilities_are_checked) {
  expect_bad_plan("core/malloc#1180591620717411303424", "#N"); /* 2^70 */
  expect_bad_plan("core/malloc#18446744073709551616", "#N");   /* 2^64 */
  expect_bad_plan("core/malloc#-1", "#N");
  expect_bad_plan("core/malloc#+1", "#N");
  expect_good_plan("core/malloc#18446744073709551615");
  expect_bad_plan("core/malloc=nan", "from 0 to 1");
  expect_bad_plan("core/malloc= 0.5", "from 0 to 1");
  expect_bad_plan("core/malloc=-0", "from 0 to 1");
  expect_bad_plan("core/malloc=0.6,core/malloc=0.6", "add up to more than 1");
  expect_good_plan("core/malloc=0.1,core/malloc=0.2,core/malloc=0.7");
  expect_good_plan("core/malloc=0.6,linux/clock=0.6");
}

/* Points whose caller retries the error until it succeeds would spin
 * forever at probability 1. */
Test(hostile_faults, always_failing_a_retried_point_is_rejected) {
  expect_bad_plan("fs/read=1", "spin forever");
  expect_bad_plan("fs/read:eintr=1", "spin forever");
  expect_bad_plan("linux/epoll_wait=1", "spin forever");
  expect_bad_plan("net/recv:eagain=0.5,net/recv:eintr=0.5", "spin forever");
  expect_bad_plan("linux/eventfd_write:eio=1", "spin forever");
  expect_good_plan("fs/read:eio=1");     /* not retried: the read fails */
  expect_good_plan("fs/read=0.99");      /* ends, almost surely */
  expect_good_plan("linux/epoll_wait#1"); /* one call */
  expect_good_plan("core/malloc=1");
}

Test(hostile_faults, bad_seed_in_the_environment_is_rejected) {
  char why[256] = "";
  setenv("NODELOOP_FAULTS", "core/malloc#1", 1);
  setenv("NODELOOP_FAULTS_SEED", "-3", 1);
  cr_assert_eq(ndl_faults_from_env(why, sizeof(why)), NDL_BADFAULTS);
  cr_assert(strstr(why, "NODELOOP_FAULTS_SEED") != NULL, "%s", why);
  setenv("NODELOOP_FAULTS_SEED", "3", 1);
  cr_assert_eq(ndl_faults_from_env(why, sizeof(why)), 0, "%s", why);
}
/* B4: a huge linux/clock_step overflowed int64 (UBSan); it saturates now,
 * so the clock jumps a century forward instead of wrapping. */
static void count_call(ndl_loop *loop, const ndl_value *v, void *arg) {
  (void)loop;
  (void)v;
  (*(int *)arg)++;
}

Test(hostile_faults, huge_clock_step_saturates) {
  ndl_loop *loop;
  uint64_t before, after;
  int fired = 0;
  const uint64_t century_ns = 100ull * 365 * 24 * 3600 * 1000000000ull;
  cr_assert_eq(ndl_loop_new(NULL, &loop), 0);
  before = ndl_now_ns(loop);
  expect_good_plan("linux/clock_step:9223372036854775807#1,"
                   "linux/clock_step:9223372036854775807#2");
  after = ndl_now_ns(loop);
  after = ndl_now_ns(loop);
  cr_assert_geq(after - before, century_ns, "stepped by %llu ns",
                (unsigned long long)(after - before));
  /* Backwards, as far as it goes: absorbed, the clock never goes back. */
  expect_good_plan("linux/clock_step:-9223372036854775807#1");
  before = ndl_now_ns(loop);
  cr_assert_geq(ndl_now_ns(loop), before);
  cr_assert_eq(ndl_set_timeout(loop, 10, count_call, &fired, NULL), 0);
  cr_assert_eq(ndl_run(loop, NULL, NULL), 0);
  cr_assert_eq(fired, 1);
  cr_assert_eq(ndl_loop_free(loop), 0);
}

/* ---- Values (core/value.c). */

static void never(ndl_loop *loop, const ndl_value *v, void *arg) {
  (void)loop;
  (void)v;
  (void)arg;
  cr_assert_fail("a refused callback ran");
}

/* B6: a NULL string was memcpy'd from (UBSan abort). */
Test(hostile_values, null_arguments_are_einval) {
  ndl_value v;
  ndl_loop *loop;
  memset(&v, 0, sizeof(v));
  cr_assert_eq(ndl_value_set_string(&v, NULL, 0), NDL_EINVAL);
  cr_assert_eq(ndl_value_set_string(&v, NULL, 5), NDL_EINVAL);
  cr_assert_eq(v.kind, NDL_UNDEFINED);
  cr_assert_eq(ndl_value_set_string(NULL, "x", 1), NDL_EINVAL);
  cr_assert_eq(ndl_value_set_error(NULL, NDL_EIO, "x"), NDL_EINVAL);
  cr_assert_eq(ndl_value_set_error(&v, NDL_EIO, NULL), NDL_EINVAL);
  cr_assert_eq(ndl_value_set_string(&v, "", 0), 0);
  cr_assert_eq(v.kind, NDL_STRING);
  cr_assert_str_eq(v.as.str.ptr, "");
  ndl_value_clear(&v);
  ndl_value_set_int(NULL, 1); /* no-ops */
  ndl_value_set_undefined(NULL);
  ndl_value_clear(NULL);

  /* A hand-built string value with no bytes: ndl_defer copies it. */
  cr_assert_eq(ndl_loop_new(NULL, &loop), 0);
  v.kind = NDL_STRING;
  v.as.str.ptr = NULL;
  v.as.str.len = 0;
  cr_assert_eq(ndl_defer(loop, &v, never, NULL, NULL), NDL_EINVAL);
  cr_assert_eq(ndl_run(loop, NULL, NULL), 0);
  cr_assert_eq(ndl_loop_free(loop), 0);
}

/* Found by fuzz_http: a stream that ends before its first byte left the
 * buffer NULL, and the head search did pointer arithmetic on it. */
Test(hostile_http, empty_response_is_malformed) {
  expect_bad("", "connection closed inside the headers");
}

/* ---- The Chrome trace (runtime/trace_chrome.c). */

/* Nothing the writer emits may be a control byte (but the newlines
 * between events) or a broken UTF-8 sequence. Returns the offset of the
 * first bad byte, or -1. */
static long first_bad_byte(const unsigned char *s, size_t n) {
  size_t i = 0;
  while (i < n) {
    size_t len = s[i] < 0x80 ? 1 : s[i] >= 0xc2 && s[i] <= 0xdf ? 2
                                 : s[i] >= 0xe0 && s[i] <= 0xef ? 3
                                 : s[i] >= 0xf0 && s[i] <= 0xf4 ? 4
                                                                : 0;
    size_t k;
    if (len == 0 || i + len > n || (s[i] < 0x20 && s[i] != '\n'))
      return (long)i;
    for (k = 1; k < len; k++)
      if ((s[i + k] & 0xc0) != 0x80)
        return (long)i;
    i += len;
  }
  return -1;
}

static int work_done;

static void hostile_work(void *arg, ndl_value *result) {
  (void)arg;
  ndl_value_set_int(result, 1);
}

static void print_hostile(ndl_loop *loop, void *arg) {
  const char *kind = arg;
  char long_text[300];
  size_t i;
  /* 100 three-byte characters: any cut at 64 bytes of a byte-wise
   * truncation would split one. */
  for (i = 0; i < 99; i++)
    memcpy(long_text + 3 * i, "\xe2\x82\xac", 3); /* the euro sign */
  long_text[297] = '\0';
  ndl_print(loop, "quote \" backslash \\ tab \t newline \n bell \a end");
  ndl_print(loop, "bad utf-8: \xff \xc3 \xed\xa0\x80 ok: \xc3\xa9");
  ndl_print(loop, "%s", long_text);
  ndl_print_content(loop, "label \"x\"\x01", "content \\ \"y\"");
  cr_assert_eq(
      ndl_queue_work(loop, kind, 0, hostile_work, count_call, &work_done, NULL),
      0);
}

/* B8: names and prints went into the JSON unescaped, were cut mid
 * character, and prints were missing. */
Test(hostile_trace, text_is_escaped_cut_between_characters_and_printed) {
  char path[] = "/tmp/ndl_hostile_traceXXXXXX";
  static char kind[200];
  ndl_chrome_trace *t;
  ndl_options opts;
  ndl_loop *loop;
  unsigned char *data;
  char cmd[1024];
  FILE *f;
  long n, bad;
  size_t i;
  int fd = mkstemp(path);

  cr_assert_geq(fd, 0);
  close(fd);
  /* A task kind with a quote, a control byte and 60 two-byte characters. */
  strcpy(kind, "kind \"k\"\x02 ");
  for (i = 0; i < 60; i++)
    strcat(kind, "\xc3\xa9");
  cr_assert_eq(ndl_chrome_trace_open(path, &t), 0);
  ndl_options_init(&opts);
  opts.backend = NDL_BACKEND_SIM;
  opts.trace = ndl_chrome_trace_event;
  opts.trace_ctx = t;
  cr_assert_eq(ndl_loop_new(&opts, &loop), 0);
  ndl_chrome_trace_attach(t, loop);
  cr_assert_eq(ndl_run(loop, print_hostile, kind), 0);
  cr_assert_eq(ndl_loop_free(loop), 0);
  cr_assert_eq(ndl_chrome_trace_close(t), 0);

  f = fopen(path, "rb");
  cr_assert_not_null(f);
  fseek(f, 0, SEEK_END);
  n = ftell(f);
  fseek(f, 0, SEEK_SET);
  data = malloc((size_t)n + 1);
  cr_assert_eq(fread(data, 1, (size_t)n, f), (size_t)n);
  data[n] = '\0';
  fclose(f);
  bad = first_bad_byte(data, (size_t)n);
  cr_assert_eq(bad, -1, "bad byte at %ld: ...%.40s", bad,
               data + (bad > 20 ? bad - 20 : 0));
  cr_assert_not_null(strstr((char *)data,
                            "quote \\\" backslash \\\\ tab \\u0009 newline "
                            "\\u000a bell \\u0007 end"),
                     "print missing or not escaped");
  cr_assert_not_null(strstr((char *)data, "bad utf-8: \\ufffd \\ufffd "
                                          "\\ufffd\\ufffd\\ufffd ok: \xc3\xa9"));
  /* The euros cut at 64 bytes: 21 whole characters, nothing after them. */
  memcpy(cmd, "\"name\":\"", 8);
  for (i = 0; i < 21; i++)
    memcpy(cmd + 8 + 3 * i, "\xe2\x82\xac", 3);
  strcpy(cmd + 8 + 63, "\",");
  cr_assert_not_null(strstr((char *)data, cmd), "the name is not cut at 63");
  cr_assert_not_null(strstr((char *)data, "\"label\":\"label \\\"x\\\"\\u0001\""));
  cr_assert_not_null(strstr((char *)data, "\"name\":\"kind \\\"k\\\"\\u0002 "));
  free(data);
  /* And node, if it is here, parses it as trace_check.js does. */
  snprintf(cmd, sizeof(cmd),
           "command -v node >/dev/null || exit 0; node %s/tests/trace_check.js "
           "%s --prints >/dev/null",
           NDL_SOURCE_DIR, path);
  cr_assert_eq(system(cmd), 0, "trace_check.js rejects %s", path);
  unlink(path);
}

/* ---- Timer delays (core/core.c). */

static void record_time(ndl_loop *loop, const ndl_value *v, void *arg) {
  (void)v;
  *(uint64_t *)arg = ndl_now(loop);
}

static void count_notes(void *ctx, const ndl_trace_event *ev) {
  if (ev->kind == NDL_TRACE_NOTE && ev->text != NULL &&
      strstr(ev->text, "TimeoutOverflowWarning") != NULL)
    (*(int *)ctx)++;
}

/* Node clamps any delay above TIMEOUT_MAX (2^31 - 1 ms) to 1 ms, with a
 * warning; nodeloop honoured delays up to 2^43 ms and refused larger
 * ones. */
Test(hostile_timers, delays_above_timeout_max_are_one_ms) {
  static const int64_t delays[] = {
      (int64_t)1 << 31, ((int64_t)1 << 43) - 1, (int64_t)1 << 43,
      ((int64_t)1 << 43) + 1, INT64_MAX};
  uint64_t at[5], max_at = 0;
  ndl_options opts;
  ndl_loop *loop;
  int notes = 0;
  unsigned i;
  ndl_options_init(&opts);
  opts.backend = NDL_BACKEND_SIM;
  opts.trace = count_notes;
  opts.trace_ctx = &notes;
  cr_assert_eq(ndl_loop_new(&opts, &loop), 0);
  for (i = 0; i < 5; i++)
    cr_assert_eq(ndl_set_timeout(loop, delays[i], record_time, &at[i], NULL),
                 0, "delay %lld", (long long)delays[i]);
  cr_assert_eq(ndl_set_interval(loop, INT64_MAX, NULL, NULL, NULL),
               NDL_EINVAL); /* NULL cb: refused, and no warning */
  cr_assert_eq(ndl_set_timeout(loop, INT32_MAX, record_time, &max_at, NULL),
               0);
  cr_assert_eq(ndl_run(loop, NULL, NULL), 0);
  for (i = 0; i < 5; i++)
    cr_assert_eq(at[i], 1, "delay %lld fired at %llu ms",
                 (long long)delays[i], (unsigned long long)at[i]);
  cr_assert_eq(max_at, (uint64_t)INT32_MAX, "TIMEOUT_MAX fired at %llu",
               (unsigned long long)max_at);
  cr_assert_eq(notes, 5);
  cr_assert_eq(ndl_set_timeout(loop, -1, record_time, &max_at, NULL),
               NDL_EINVAL);
  cr_assert_eq(ndl_loop_free(loop), 0);
}

/* ---- The tools (tools/sim/nodeloop_sim.c, examples/nodeloop_demo.c). */

#include <sys/wait.h>

/* Runs a shell command under timeout(1), so that a regression that makes
 * it run forever (as --runs " -5" did) fails the test with status 124
 * instead of leaving an orphan behind Criterion's own timeout; returns its
 * exit status, its stderr in err. */
static int run(const char *cmd, char *err, size_t cap) {
  char full[1024], path[] = "/tmp/ndl_hostile_errXXXXXX";
  int fd = mkstemp(path), status;
  FILE *f;
  size_t n;
  cr_assert_geq(fd, 0);
  close(fd);
  snprintf(full, sizeof(full), "timeout 30 %s >/dev/null 2>%s", cmd, path);
  status = system(full);
  f = fopen(path, "r");
  cr_assert_not_null(f);
  n = fread(err, 1, cap - 1, f);
  err[n] = '\0';
  fclose(f);
  unlink(path);
  cr_assert(WIFEXITED(status), "%s: killed", cmd);
  return WEXITSTATUS(status);
}

static void expect_exit(const char *cmd, int want, const char *why) {
  char err[1024];
  int rc = run(cmd, err, sizeof(err));
  cr_assert_eq(rc, want, "%s: exit %d, not %d (%s)", cmd, rc, want, err);
  cr_assert(strstr(err, why) != NULL, "%s: '%s' does not say '%s'", cmd, err,
            why);
}

TestSuite(hostile_tools, .timeout = 60);

/* B11: " -5" went through strtoull to 2^64 - 5 runs. */
Test(hostile_tools, sim_numbers_are_strict) {
  expect_exit(NDL_SIM_BIN " --scenario demo --runs ' -5'", 2,
              "--runs wants a number from 1");
  expect_exit(NDL_SIM_BIN " --scenario demo --runs 99999999999999999999", 2,
              "--runs wants a number from 1");
  expect_exit(NDL_SIM_BIN " --scenario demo --runs +3", 2,
              "--runs wants a number from 1");
  expect_exit(NDL_SIM_BIN " --scenario demo --runs 0", 2,
              "--runs wants a number from 1");
  expect_exit(NDL_SIM_BIN " --scenario demo --seed ' 7'", 2,
              "--seed wants a number");
  expect_exit(NDL_SIM_BIN " --random --seed 18446744073709551615 --runs 2", 2,
              "passes 2^64-1");
  expect_exit(NDL_SIM_BIN " --random --plant-max-timers 1000", 2,
              "--plant-max-timers wants 1 to 999");
  expect_exit(NDL_SIM_BIN " --scenario demo --seed 3 --runs 2", 0, "");
}

/* B12: a trace that could not be written was a success. */
Test(hostile_tools, sim_fails_when_its_trace_cannot_be_written) {
  expect_exit(NDL_SIM_BIN " --scenario demo --trace /dev/full", 2,
              "the trace could not be written");
}

/* B13: every ndl_loop_new failed, nothing was checked, and the run said
 * failures=0. */
Test(hostile_tools, sim_random_with_no_loop_is_an_error) {
  expect_exit(NDL_SIM_BIN " --random --runs 3 --faults core/malloc=1", 1,
              "no program could run");
}

/* B13: the demo printed its failed reads and exited 0. */
Test(hostile_tools, demo_exits_nonzero_after_a_failed_read) {
  expect_exit(NDL_DEMO_BIN " /nonexistent/test.txt", 1,
              "callback(s) received an error");
}

/* B13: a usage error after --trace abandoned the trace, unfinished. */
Test(hostile_tools, demo_finishes_its_trace_on_error_paths) {
  char path[] = "/tmp/ndl_hostile_demoXXXXXX", cmd[256], buf[256];
  int fd = mkstemp(path);
  FILE *f;
  size_t n;
  cr_assert_geq(fd, 0);
  close(fd);
  snprintf(cmd, sizeof(cmd), NDL_DEMO_BIN " --trace %s --bogus", path);
  expect_exit(cmd, 2, "usage");
  f = fopen(path, "r");
  cr_assert_not_null(f);
  n = fread(buf, 1, sizeof(buf) - 1, f);
  buf[n] = '\0';
  fclose(f);
  unlink(path);
  cr_assert(strstr(buf, "]}") != NULL, "trace left unfinished: '%s'", buf);
  snprintf(cmd, sizeof(cmd), NDL_DEMO_BIN " --trace %s --trace %s", path,
           path);
  expect_exit(cmd, 2, "usage");
  unlink(path);
}
