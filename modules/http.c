/*
 * A small HTTP/1.1 GET client on nodeloop's own TCP: one request per
 * connection ("Connection: close"). The response is parsed each time bytes
 * arrive, so a body sized by Content-Length or chunked is delivered as soon
 * as it is whole; a body with neither ends when the server closes.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "nodeloop_net.h"

#define MAX_RESPONSE (64u << 20) /* 64 MiB: beyond that, an error */

struct http_req {
  ndl_loop *loop;
  ndl_tcp *tcp;
  ndl_cb cb;
  void *arg;
  int done; /* the user's callback has run */
  char *buf;
  size_t len, cap;
  char host[256];
  char request[2048];
};

/* ---- URL: http://host[:port][/path], host may be [v6]. */

static int parse_url(const char *url, char *host, size_t host_cap, int *port,
                     const char **path) {
  const char *p, *host_end, *rest;
  size_t n;

  if (strncmp(url, "http://", 7) != 0)
    return NDL_BADURL;
  p = url + 7;
  if (*p == '[') {
    host_end = strchr(p, ']');
    if (host_end == NULL)
      return NDL_BADURL;
    p++;
    rest = host_end + 1;
  } else {
    host_end = p + strcspn(p, ":/");
    rest = host_end;
  }
  n = (size_t)(host_end - p);
  if (n == 0 || n >= host_cap)
    return NDL_BADURL;
  memcpy(host, p, n);
  host[n] = '\0';
  *port = 80;
  if (*rest == ':') {
    char *end;
    long v = strtol(rest + 1, &end, 10);
    if (end == rest + 1 || v < 1 || v > 65535 || (*end != '/' && *end != '\0'))
      return NDL_BADURL;
    *port = (int)v;
    rest = end;
  }
  if (*rest != '/' && *rest != '\0')
    return NDL_BADURL;
  *path = *rest == '\0' ? "/" : rest;
  for (p = *path; *p != '\0'; p++)
    if ((unsigned char)*p <= ' ' || *p == 0x7f)
      return NDL_BADURL;
  return 0;
}

/* ---- Response parsing. */

enum parse_result { NEED_MORE, COMPLETE, MALFORMED };

struct response {
  int status;
  const char *body;
  size_t body_len;
  char *decoded; /* a chunked body, reassembled (malloc'd) */
  char why[128];
};

/* Finds a header's value (case-insensitive name) in the header block. */
static const char *header(const char *head, size_t head_len, const char *name,
                          size_t *value_len) {
  const char *line = memchr(head, '\n', head_len), *end = head + head_len;
  size_t name_len = strlen(name);
  while (line != NULL && line + 1 < end) {
    const char *start = line + 1, *eol = memchr(start, '\n', (size_t)(end - start));
    if (eol == NULL)
      eol = end;
    if ((size_t)(eol - start) > name_len && strncasecmp(start, name, name_len) == 0 &&
        start[name_len] == ':') {
      const char *v = start + name_len + 1;
      while (v < eol && (*v == ' ' || *v == '\t'))
        v++;
      *value_len = (size_t)(eol - v);
      while (*value_len > 0 && isspace((unsigned char)v[*value_len - 1]))
        (*value_len)--;
      return v;
    }
    line = eol < end ? eol : NULL;
  }
  return NULL;
}

/* Decodes a chunked body: hex size line, data, CRLF, ..., 0-size chunk. */
static enum parse_result dechunk(const char *p, size_t len, struct response *r) {
  const char *end = p + len;
  size_t out = 0;
  char *decoded = ndl__malloc(len + 1);
  if (decoded == NULL) {
    snprintf(r->why, sizeof(r->why), "out of memory");
    return MALFORMED;
  }
  for (;;) {
    const char *eol = memchr(p, '\n', (size_t)(end - p));
    char *hex_end;
    unsigned long size;
    if (eol == NULL)
      break;
    size = strtoul(p, &hex_end, 16);
    if (hex_end == p || (*hex_end != '\r' && *hex_end != ';' && *hex_end != '\n')) {
      snprintf(r->why, sizeof(r->why), "bad chunk size");
      ndl__free(decoded);
      return MALFORMED;
    }
    p = eol + 1;
    if (size == 0) {
      decoded[out] = '\0';
      r->decoded = decoded;
      r->body = decoded;
      r->body_len = out;
      return COMPLETE; /* trailers, if any, are ignored */
    }
    if ((size_t)(end - p) < size + 2)
      break;
    memcpy(decoded + out, p, size);
    out += size;
    p += size;
    if (p[0] == '\r')
      p++;
    if (p[0] != '\n') {
      snprintf(r->why, sizeof(r->why), "chunk not followed by CRLF");
      ndl__free(decoded);
      return MALFORMED;
    }
    p++;
  }
  ndl__free(decoded);
  return NEED_MORE;
}

static enum parse_result parse(const char *buf, size_t len, int eof,
                               struct response *r) {
  const char *head_end, *v, *body;
  size_t head_len, vlen, have;
  int minor;

  memset(r, 0, sizeof(*r));
  head_end = NULL;
  if (len >= 4) {
    const char *p;
    for (p = buf; p + 3 < buf + len; p++)
      if (memcmp(p, "\r\n\r\n", 4) == 0) {
        head_end = p;
        break;
      }
  }
  if (head_end == NULL) {
    if (!eof)
      return NEED_MORE;
    snprintf(r->why, sizeof(r->why), "connection closed inside the headers");
    return MALFORMED;
  }
  head_len = (size_t)(head_end - buf) + 2;
  if (sscanf(buf, "HTTP/1.%d %3d", &minor, &r->status) != 2 ||
      r->status < 100 || r->status > 599) {
    snprintf(r->why, sizeof(r->why), "bad status line");
    return MALFORMED;
  }
  body = head_end + 4;
  have = len - (size_t)(body - buf);

  if ((v = header(buf, head_len, "Transfer-Encoding", &vlen)) != NULL &&
      vlen >= 7 && strncasecmp(v + vlen - 7, "chunked", 7) == 0) {
    enum parse_result pr = dechunk(body, have, r);
    if (pr == NEED_MORE && eof) {
      snprintf(r->why, sizeof(r->why), "connection closed inside a chunk");
      return MALFORMED;
    }
    return pr;
  }
  if ((v = header(buf, head_len, "Content-Length", &vlen)) != NULL) {
    char num[32], *end;
    unsigned long long n;
    if (vlen == 0 || vlen >= sizeof(num)) {
      snprintf(r->why, sizeof(r->why), "bad Content-Length");
      return MALFORMED;
    }
    memcpy(num, v, vlen);
    num[vlen] = '\0';
    n = strtoull(num, &end, 10);
    if (*end != '\0' || num[0] == '-' || n > MAX_RESPONSE) {
      snprintf(r->why, sizeof(r->why), "bad Content-Length");
      return MALFORMED;
    }
    if (have < n) {
      if (!eof)
        return NEED_MORE;
      snprintf(r->why, sizeof(r->why), "body shorter than Content-Length");
      return MALFORMED;
    }
    r->body = body;
    r->body_len = (size_t)n;
    return COMPLETE;
  }
  if (!eof)
    return NEED_MORE; /* delimited by close */
  r->body = body;
  r->body_len = have;
  return COMPLETE;
}

/* ---- The request's life: connect, write, read, deliver once, close. */

static void freed(ndl_tcp *tcp, const ndl_value *v, void *arg) {
  struct http_req *req = arg;
  (void)tcp;
  (void)v;
  ndl__free(req->buf);
  ndl__free(req);
}

static void deliver(struct http_req *req, const ndl_value *v) {
  if (req->done)
    return;
  req->done = 1;
  req->cb(req->loop, v, req->arg);
  ndl_tcp_close(req->tcp, freed, req);
}

static void deliver_error(struct http_req *req, int code, const char *fmt,
                          const char *detail) {
  ndl_value v;
  memset(&v, 0, sizeof(v));
  ndl_value_set_error(&v, code, fmt, detail);
  deliver(req, &v);
  ndl_value_clear(&v);
}

static void try_complete(struct http_req *req, int eof) {
  struct response r;
  ndl_value v;
  char status[64];

  switch (parse(req->buf, req->len, eof, &r)) {
  case NEED_MORE:
    return;
  case MALFORMED:
    deliver_error(req, NDL_BADRESPONSE, "BADRESPONSE: %s", r.why);
    return;
  case COMPLETE:
    break;
  }
  memset(&v, 0, sizeof(v));
  if (r.status < 200 || r.status > 299) {
    snprintf(status, sizeof(status), "HTTP status %d", r.status);
    deliver_error(req, NDL_BADRESPONSE, "BADRESPONSE: %s", status);
  } else if (ndl_value_set_string(&v, r.body, r.body_len) != 0) {
    deliver(req, &v); /* the value is now an ENOMEM error */
  } else {
    deliver(req, &v);
  }
  ndl_value_clear(&v);
  ndl__free(r.decoded);
}

static void on_read(ndl_tcp *tcp, const ndl_value *v, void *arg) {
  struct http_req *req = arg;
  (void)tcp;
  if (req->done)
    return;
  if (v->kind == NDL_ERROR) {
    deliver(req, v);
    return;
  }
  if (v->kind == NDL_UNDEFINED) {
    try_complete(req, 1);
    return;
  }
  if (req->len + v->as.str.len + 1 > req->cap) {
    size_t cap = req->cap == 0 ? 4096 : req->cap;
    char *grown;
    while (cap < req->len + v->as.str.len + 1)
      cap *= 2;
    if (cap > MAX_RESPONSE ||
        (grown = ndl__reallocarray(req->buf, cap, 1)) == NULL) {
      deliver_error(req, NDL_BADRESPONSE, "BADRESPONSE: %s",
                    "response too large");
      return;
    }
    req->buf = grown;
    req->cap = cap;
  }
  memcpy(req->buf + req->len, v->as.str.ptr, v->as.str.len);
  req->len += v->as.str.len;
  req->buf[req->len] = '\0';
  try_complete(req, 0);
}

static void on_connect(ndl_tcp *tcp, const ndl_value *v, void *arg) {
  struct http_req *req = arg;
  int err;
  if (v->kind == NDL_ERROR) {
    deliver(req, v);
    return;
  }
  err = ndl_tcp_read_start(tcp, on_read, req);
  if (err == 0)
    err = ndl_tcp_write(tcp, req->request, strlen(req->request), NULL, NULL);
  if (err)
    deliver_error(req, err, "%s", ndl_strerror(err));
}

int ndl_http_get(ndl_loop *loop, const char *url, ndl_cb cb, void *arg) {
  struct http_req *req;
  const char *path;
  int port, err, n;

  if (loop == NULL || url == NULL || cb == NULL)
    return NDL_EINVAL;
  if ((req = ndl__calloc(1, sizeof(*req))) == NULL)
    return NDL_ENOMEM;
  req->loop = loop;
  req->cb = cb;
  req->arg = arg;
  if ((err = parse_url(url, req->host, sizeof(req->host), &port, &path)) != 0) {
    /* A bad URL is an answer, not a misuse: it reaches the callback. */
    ndl_value v;
    memset(&v, 0, sizeof(v));
    ndl_value_set_error(&v, NDL_BADURL, "BADURL: malformed URL '%s'", url);
    err = ndl_defer(loop, &v, cb, arg, NULL);
    ndl_value_clear(&v);
    ndl__free(req);
    return err;
  }
  n = snprintf(req->request, sizeof(req->request),
               "GET %s HTTP/1.1\r\nHost: %s\r\nConnection: close\r\n"
               "User-Agent: nodeloop\r\n\r\n",
               path, req->host);
  if (n < 0 || (size_t)n >= sizeof(req->request)) {
    err = NDL_BADURL;
    goto fail;
  }
  if ((err = ndl_tcp_connect(loop, req->host, port, on_connect, req,
                             &req->tcp)) != 0)
    goto fail;
  return 0;

fail:
  ndl__free(req);
  return err;
}
