/*
 * The HTTP client's parsers, without a socket (modules/http.c): the URL
 * parser and an incremental response parser. They are internal (ndl__), and
 * exposed here so that fuzz/fuzz_http.c and the tests can drive them with
 * any bytes.
 */
#ifndef NDL_MODULES_HTTP_PARSE_H
#define NDL_MODULES_HTTP_PARSE_H

#include <stddef.h>
#include <stdint.h>

/* A head (status line and headers) larger than this is an error, as in
 * Node (--max-http-header-size, 16 KiB). Trailers share the limit. */
#define NDL__HTTP_MAX_HEAD 16384u
/* A response larger than this is an error. */
#define NDL__HTTP_MAX_RESPONSE (64u << 20)

/* Splits http://host[:port][/path][?query][#fragment] (host may be [v6]).
 * path receives the request target: the path and query, "/" when empty,
 * without the fragment, which is never sent. Errors: NDL_BADURL. */
int ndl__http_parse_url(const char *url, char *host, size_t host_cap, int *port,
                        char *path, size_t path_cap);

enum ndl__http_result {
  NDL__HTTP_NEED_MORE,
  NDL__HTTP_COMPLETE,
  NDL__HTTP_MALFORMED
};

/* The state a response's parse keeps between reads, so that each byte is
 * looked at a bounded number of times however the response is split: O(n)
 * over the whole response, where a parse from the start on every read was
 * O(n^2). Zero it (or call ndl__http_response_init) before the first
 * call. */
struct ndl__http_response {
  int state;         /* file-local enum in http.c */
  size_t pos;        /* bytes of the buffer consumed */
  size_t head_start; /* where the head being read starts */
  size_t scan;       /* where the search for a line's end resumes */
  int status;        /* the final response's status */
  int chunked;
  uint64_t content_length; /* with has_length */
  int has_length;
  uint64_t chunk_left; /* bytes of the current chunk still to come */
  size_t trailer_bytes;
  size_t body_start; /* the body is buf[body_start, + body_len) */
  size_t body_len;
  char why[128]; /* for NDL__HTTP_MALFORMED */
};

void ndl__http_response_init(struct ndl__http_response *r);

/* Parses buf[0, len) from where the previous call stopped; buf holds what
 * the previous calls saw, unchanged, followed by the new bytes, and eof
 * says the peer closed. A chunked body is decoded in place, so buf is
 * written to (only below r->pos). On NDL__HTTP_COMPLETE the body is
 * buf[body_start, + body_len) and status the final status (interim 1xx
 * responses are skipped); on NDL__HTTP_MALFORMED why says what is wrong. */
enum ndl__http_result ndl__http_response_parse(struct ndl__http_response *r,
                                               char *buf, size_t len, int eof);

#endif
