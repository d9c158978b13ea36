/*
 * A small HTTP/1.1 GET client on nodeloop's own TCP: one request per
 * connection ("Connection: close"). The response is parsed as bytes arrive,
 * resuming where the previous read stopped, so a body sized by
 * Content-Length or chunked is delivered as soon as it is whole; a body with
 * neither ends when the server closes. What it accepts follows Node's
 * llhttp (docs/semantics.md, "HTTP").
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/alloc.h"
#include "http_parse.h"
#include "nodeloop_net.h"
#include "runtime/runtime.h"

struct http_req {
  struct ndl__resource resource; /* first: freed with the loop if open */
  ndl_loop *loop;
  ndl_tcp *tcp;
  ndl_cb cb;
  void *arg;
  int done; /* the user's callback has run */
  char *buf;
  size_t len, cap;
  struct ndl__http_response parser;
  char host[256];
  char request[2048];
};

/* ---- The request's life: connect, write, read, deliver once, close. */

static void free_req(struct http_req *req) {
  ndl__free(req->buf);
  ndl__free(req);
}

static void freed(ndl_tcp *tcp, const ndl_value *v, void *arg) {
  struct http_req *req = arg;
  (void)tcp;
  (void)v;
  ndl__loop_untrack(&req->resource);
  free_req(req);
}

/* The loop is being freed during the request: its handle goes on its own
 * (modules/tcp.c), and no callback runs. */
static void destroy(struct ndl__resource *r) {
  free_req((struct http_req *)r);
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
  struct ndl__http_response *r = &req->parser;
  ndl_value v;
  char status[64];

  switch (ndl__http_response_parse(r, req->buf, req->len, eof)) {
  case NDL__HTTP_NEED_MORE:
    return;
  case NDL__HTTP_MALFORMED:
    deliver_error(req, NDL_BADRESPONSE, "BADRESPONSE: %s", r->why);
    return;
  case NDL__HTTP_COMPLETE:
    break;
  }
  memset(&v, 0, sizeof(v));
  if (r->status < 200 || r->status > 299) {
    snprintf(status, sizeof(status), "HTTP status %d", r->status);
    deliver_error(req, NDL_BADRESPONSE, "BADRESPONSE: %s", status);
  } else {
    /* On ENOMEM the value is an NDL_ENOMEM error, delivered as such. */
    (void)ndl_value_set_string(&v, req->buf + r->body_start, r->body_len);
    deliver(req, &v);
  }
  ndl_value_clear(&v);
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
    if (cap > NDL__HTTP_MAX_RESPONSE ||
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
  char path[sizeof(req->request)];
  int port, err, n;

  if (loop == NULL || url == NULL || cb == NULL)
    return NDL_EINVAL;
  if ((req = ndl__calloc(1, sizeof(*req))) == NULL)
    return NDL_ENOMEM;
  req->loop = loop;
  req->cb = cb;
  req->arg = arg;
  ndl__http_response_init(&req->parser);
  if ((err = ndl__http_parse_url(url, req->host, sizeof(req->host), &port, path,
                                 sizeof(path))) != 0) {
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
  ndl__loop_track(loop, &req->resource, destroy);
  return 0;

fail:
  ndl__free(req);
  return err;
}
