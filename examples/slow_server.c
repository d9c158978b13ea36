#include "slow_server.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "demo.h"
#include "nodeloop_net.h"

struct client {
  struct ndl_slow_server *server;
  struct client *prev, *next;
  ndl_tcp *tcp;
  ndl_id timer; /* 0 when no answer is waiting */
  char req[2048];
  size_t len;
  char answer[1100];
  int closing;
};

struct ndl_slow_server {
  ndl_loop *loop;
  ndl_tcp *listener; /* NULL once closed */
  pthread_t thread;  /* only when the server has a loop of its own */
  struct client *clients;
  int closing; /* freed when the listener and every client have closed */
};

static void free_when_closed(struct ndl_slow_server *s) {
  if (s->closing && s->clients == NULL && s->listener == NULL)
    free(s);
}

static void client_closed(ndl_tcp *tcp, const ndl_value *v, void *arg) {
  struct client *c = arg;
  (void)tcp;
  (void)v;
  if (c->prev != NULL)
    c->prev->next = c->next;
  else
    c->server->clients = c->next;
  if (c->next != NULL)
    c->next->prev = c->prev;
  free_when_closed(c->server);
  free(c);
}

static void close_client(struct client *c) {
  if (c->closing)
    return;
  c->closing = 1;
  if (c->timer != 0)
    ndl_clear_timeout(c->server->loop, c->timer);
  c->timer = 0;
  ndl_tcp_close(c->tcp, client_closed, c);
}

static void written(ndl_tcp *tcp, const ndl_value *v, void *arg) {
  (void)tcp;
  (void)v;
  close_client(arg);
}

static void send_answer(struct client *c, const char *status,
                        const char *extra_headers, const char *body) {
  char out[4096];
  int n = snprintf(out, sizeof(out),
                   "HTTP/1.1 %s\r\nContent-Type: text/plain\r\n%s"
                   "Connection: close\r\n\r\n%s",
                   status, extra_headers, body);
  if (n < 0 || (size_t)n >= sizeof(out) ||
      ndl_tcp_write(c->tcp, out, (size_t)n, written, c) != 0)
    close_client(c);
}

static void delayed_answer(ndl_loop *loop, const ndl_value *v, void *arg) {
  struct client *c = arg;
  char headers[64];
  (void)loop;
  (void)v;
  c->timer = 0;
  snprintf(headers, sizeof(headers), "Content-Length: %zu\r\n",
           strlen(c->answer));
  send_answer(c, "200 OK", headers, c->answer);
}

static void chunked_answer(struct client *c, const char *text) {
  char body[1024];
  size_t len = strlen(text), third = len / 3, off = 0;
  int n = 0, i;
  /* Three chunks (some maybe empty-sized are skipped), then the last. */
  for (i = 0; i < 3; i++) {
    size_t size = i < 2 ? third : len - off;
    if (size == 0)
      continue;
    n += snprintf(body + n, sizeof(body) - (size_t)n, "%zx\r\n%.*s\r\n", size,
                  (int)size, text + off);
    off += size;
  }
  snprintf(body + n, sizeof(body) - (size_t)n, "0\r\n\r\n");
  send_answer(c, "200 OK", "Transfer-Encoding: chunked\r\n", body);
}

static void answer(struct client *c) {
  char path[1024];
  int ms;
  char rest[1024];

  if (sscanf(c->req, "GET %1023s HTTP/1.", path) != 1) {
    send_answer(c, "400 Bad Request", "Content-Length: 0\r\n", "");
    return;
  }
  if (sscanf(path, "/delay/%d/url/%1023s", &ms, rest) == 2 && ms >= 0) {
    snprintf(c->answer, sizeof(c->answer), NDL_DEMO_SLOW_BODY_FMT, ms, rest);
    if (ndl_set_timeout(c->server->loop, ms, delayed_answer, c, &c->timer))
      close_client(c);
  } else if (strncmp(path, "/chunked/", 9) == 0) {
    chunked_answer(c, path + 9);
  } else if (strncmp(path, "/close/", 7) == 0) {
    send_answer(c, "200 OK", "", path + 7);
  } else if (sscanf(path, "/status/%d", &ms) == 1) {
    char status[32];
    snprintf(status, sizeof(status), "%d Status", ms);
    send_answer(c, status, "Content-Length: 0\r\n", "");
  } else if (strcmp(path, "/garbage") == 0) {
    if (ndl_tcp_write(c->tcp, "NOT HTTP AT ALL\r\n\r\n", 19, written, c))
      close_client(c);
  } else {
    send_answer(c, "404 Not Found", "Content-Length: 0\r\n", "");
  }
}

static void on_request_bytes(ndl_tcp *tcp, const ndl_value *v, void *arg) {
  struct client *c = arg;
  (void)tcp;
  if (v->kind != NDL_STRING) {
    close_client(c);
    return;
  }
  if (c->len + v->as.str.len >= sizeof(c->req)) {
    close_client(c);
    return;
  }
  memcpy(c->req + c->len, v->as.str.ptr, v->as.str.len);
  c->len += v->as.str.len;
  c->req[c->len] = '\0';
  if (strstr(c->req, "\r\n\r\n") != NULL) {
    ndl_tcp_read_stop(c->tcp);
    answer(c);
  }
}

static void on_connection(ndl_tcp *listener, const ndl_value *v, void *arg) {
  struct ndl_slow_server *s = arg;
  struct client *c;
  ndl_tcp *tcp;
  if (v->kind == NDL_ERROR || ndl_tcp_accept(listener, &tcp) != 0)
    return;
  if ((c = calloc(1, sizeof(*c))) == NULL) {
    ndl_tcp_close(tcp, NULL, NULL);
    return;
  }
  c->server = s;
  c->tcp = tcp;
  c->next = s->clients;
  if (s->clients != NULL)
    s->clients->prev = c;
  s->clients = c;
  if (ndl_tcp_read_start(tcp, on_request_bytes, c) != 0)
    close_client(c);
}

static void listener_closed(ndl_tcp *tcp, const ndl_value *v, void *arg) {
  struct ndl_slow_server *s = arg;
  (void)tcp;
  (void)v;
  s->listener = NULL;
  free_when_closed(s);
}

void ndl_slow_server_close(struct ndl_slow_server *s) {
  struct client *c, *next;
  if (s == NULL || s->closing)
    return;
  s->closing = 1;
  for (c = s->clients; c != NULL; c = next) {
    next = c->next;
    close_client(c);
  }
  if (ndl_tcp_close(s->listener, listener_closed, s) != 0)
    s->listener = NULL; /* already closing: nothing more will call back */
  free_when_closed(s);
}

static int listen_on(struct ndl_slow_server *s, ndl_loop *loop, int *port) {
  int err;
  s->loop = loop;
  if ((err = ndl_tcp_listen(loop, "127.0.0.1", 0, 128, on_connection, s,
                            &s->listener)) != 0)
    return err;
  if ((err = ndl_tcp_port(s->listener, port)) != 0) {
    ndl_tcp_close(s->listener, NULL, NULL);
    s->listener = NULL;
  }
  return err;
}

int ndl_slow_server_open(ndl_loop *loop, struct ndl_slow_server **out,
                         int *port) {
  struct ndl_slow_server *s = calloc(1, sizeof(*s));
  int err;
  if (s == NULL)
    return NDL_ENOMEM;
  if ((err = listen_on(s, loop, port)) != 0 ||
      (err = ndl_tcp_unref(s->listener)) != 0) {
    if (s->listener != NULL)
      ndl_tcp_close(s->listener, NULL, NULL);
    free(s);
    return err;
  }
  *out = s;
  return 0;
}

/* The thread of a server with a loop of its own. */
static void *serve(void *arg) {
  struct ndl_slow_server *s = arg;
  ndl_loop *loop = s->loop;
  ndl_run(loop, NULL, NULL);
  /* Stopped: close everything, then let the loop run the close callbacks,
   * the last of which frees s. */
  ndl_slow_server_close(s);
  ndl_run(loop, NULL, NULL);
  return NULL; /* the loop is freed by ndl_slow_server_stop(), after join */
}

int ndl_slow_server_start(struct ndl_slow_server **out, int *port) {
  struct ndl_slow_server *s = calloc(1, sizeof(*s));
  ndl_loop *loop;
  ndl_options opts;
  int err;

  if (s == NULL)
    return NDL_ENOMEM;
  ndl_options_init(&opts);
  opts.threadpool_size = 1; /* it never uses the pool */
  if ((err = ndl_loop_new(&opts, &loop)) != 0)
    goto fail;
  if ((err = listen_on(s, loop, port)) != 0)
    goto fail_loop;
  /* The loop is handed to the thread before it runs; pthread_create orders
   * everything above before the thread's first step. */
  if ((err = pthread_create(&s->thread, NULL, serve, s)) != 0) {
    err = -err;
    goto fail_loop;
  }
  *out = s;
  return 0;

fail_loop:
  if (s->listener != NULL) {
    ndl_tcp_close(s->listener, NULL, NULL);
    ndl_run(loop, NULL, NULL);
  }
  ndl_loop_free(loop);
fail:
  free(s);
  return err;
}

/* The loop is freed here, after the join, not by the thread: ndl_stop()
 * may still be writing to the loop's wake-up fd when the thread, woken by
 * the stop flag it set first, would otherwise have freed the loop (TSan:
 * the thread's close of the eventfd raced with this thread's write). */
void ndl_slow_server_stop(struct ndl_slow_server *s) {
  pthread_t thread;
  ndl_loop *loop;
  if (s == NULL)
    return;
  thread = s->thread;
  loop = s->loop;
  ndl_stop(loop);
  pthread_join(thread, NULL); /* the thread frees s */
  ndl_loop_free(loop);
}
