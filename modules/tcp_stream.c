/*
 * TCP: reading what arrives and writing queued data, in order, as the fd
 * allows. See tcp.h.
 */
#include <stdio.h>
#include <string.h>

#include "core/alloc.h"
#include "tcp.h"

/* ---- Reading. */

int ndl_tcp_read_start(ndl_tcp *tcp, ndl_tcp_cb on_read, void *arg) {
  if (tcp == NULL || on_read == NULL || tcp->state == LISTENING ||
      tcp->state == CLOSING)
    return NDL_EINVAL;
  tcp->read_cb = on_read;
  tcp->read_arg = arg;
  tcp->reading = 1;
  return tcp->state == OPEN ? ndl__tcp_update_interest(tcp) : 0;
}

int ndl_tcp_read_stop(ndl_tcp *tcp) {
  if (tcp == NULL || tcp->state == CLOSING)
    return NDL_EINVAL;
  tcp->reading = 0;
  return ndl__tcp_update_interest(tcp);
}

/* Reads what is there, a bounded number of times. Each chunk is handed over
 * straight from the stack buffer, with no copy. */
void ndl__tcp_on_readable(ndl_tcp *tcp) {
  char buf[READ_CHUNK + 1];
  ndl_value v;
  int i;

  for (i = 0; i < READS_PER_EVENT && tcp->reading && tcp->state == OPEN; i++) {
    ssize_t n = tcp->net->recv(tcp->platform, tcp->fd, buf, READ_CHUNK);
    memset(&v, 0, sizeof(v));
    if (n > 0) {
      buf[n] = '\0';
      v.kind = NDL_STRING;
      v.as.str.ptr = buf;
      v.as.str.len = (size_t)n;
      tcp->read_cb(tcp, &v, tcp->read_arg);
      /* A short read emptied the socket: epoll (level-triggered) reports
       * the next bytes, so the recv that would say EAGAIN is saved, as
       * libuv's uv__read does. */
      if ((size_t)n < READ_CHUNK)
        return;
      continue;
    }
    if (n == NDL_EINTR)
      continue;
    if (n == NDL_EAGAIN)
      return;
    /* End of stream, or an error: either way reading is over. */
    tcp->reading = 0;
    tcp->peer_ended = n == 0;
    ndl__tcp_update_interest(tcp);
    if (n < 0)
      ndl__tcp_set_error(tcp, &v, (int)n, "read", NULL);
    tcp->read_cb(tcp, &v, tcp->read_arg);
    ndl_value_clear(&v);
    return;
  }
}

/* ---- Writing. */

static struct write_req *shift_write(ndl_tcp *tcp) {
  struct write_req *req = tcp->wq_head;
  if (req != NULL) {
    tcp->wq_head = req->next;
    if (tcp->wq_head == NULL)
      tcp->wq_tail = NULL;
  }
  return req;
}

/* Hands every queued write its error, in order. */
void ndl__tcp_fail_writes(ndl_tcp *tcp, int err) {
  struct write_req *req;
  while ((req = shift_write(tcp)) != NULL) {
    if (req->cb != NULL) {
      ndl_value v;
      ndl__tcp_set_error(tcp, &v, err, "write", NULL);
      req->cb(tcp, &v, req->arg);
      ndl_value_clear(&v);
    }
    ndl__free(req);
  }
}

/* Sends from the head of the queue until it is empty or the kernel is
 * full. Returns 0, or the error that ended the stream. */
static int send_queued(ndl_tcp *tcp, int complete_now) {
  struct write_req *req;
  while ((req = tcp->wq_head) != NULL) {
    ssize_t n = tcp->net->send(tcp->platform, tcp->fd, req->data + req->off,
                               req->len - req->off);
    if (n < 0) {
      if (n == NDL_EINTR)
        continue;
      return n == NDL_EAGAIN ? 0 : (int)n;
    }
    req->off += (size_t)n;
    if (req->off < req->len)
      continue;
    /* Sent whole. Inside ndl_tcp_write the callback is deferred; with no
     * memory for that, the write stays at the head, sent, and the next
     * writable event on the loop reports it. */
    if (req->cb != NULL && !complete_now &&
        ndl__tcp_defer(tcp, NULL, req->cb, req->arg) != 0)
      return 0;
    shift_write(tcp);
    if (req->cb != NULL && complete_now) {
      ndl_value ok;
      memset(&ok, 0, sizeof(ok));
      req->cb(tcp, &ok, req->arg);
    }
    ndl__free(req);
    if (tcp->state == CLOSING)
      return 0;
  }
  if (tcp->shutdown_pending) {
    tcp->shutdown_pending = 0;
    tcp->fin_sent = tcp->net->shutdown(tcp->platform, tcp->fd) == 0;
  }
  return 0;
}

/* A failed send ends the stream for the reader too, as Node destroys a
 * socket whose write failed: otherwise a reader whose request never left
 * would wait for an answer forever. now: whether callbacks may run at once
 * (on the loop) or must be deferred (inside ndl_tcp_write). */
static void end_reading(ndl_tcp *tcp, const ndl_value *err, int now) {
  if (!tcp->reading)
    return;
  if (now) {
    tcp->reading = 0;
    tcp->read_cb(tcp, err, tcp->read_arg);
  } else if (ndl__tcp_defer(tcp, err, tcp->read_cb, tcp->read_arg) == 0) {
    tcp->reading = 0;
  }
  /* else no memory to defer it: reading goes on, and a broken socket
   * reports its error to the reader on the loop. */
}

void ndl__tcp_on_writable(ndl_tcp *tcp) {
  int err = send_queued(tcp, 1);
  if (err != 0 && tcp->state == OPEN) {
    ndl_value v;
    ndl__tcp_fail_writes(tcp, err);
    ndl__tcp_set_error(tcp, &v, err, "write", NULL);
    if (tcp->state == OPEN)
      end_reading(tcp, &v, 1);
    ndl_value_clear(&v);
  }
  if (tcp->state == OPEN)
    ndl__tcp_update_interest(tcp);
}

int ndl_tcp_write(ndl_tcp *tcp, const void *data, size_t len, ndl_tcp_cb cb,
                  void *arg) {
  struct write_req *req;
  int was_empty, err;

  if (tcp == NULL || (data == NULL && len != 0) || tcp->state == LISTENING ||
      tcp->state == CLOSING || tcp->shutdown_pending)
    return NDL_EINVAL;
  if (len > SIZE_MAX - sizeof(*req))
    return NDL_ENOMEM;
  if ((req = ndl__malloc(sizeof(*req) + len)) == NULL)
    return NDL_ENOMEM;
  if (len > 0) /* data may be NULL for an empty write */
    memcpy(req->data, data, len);
  req->len = len;
  req->off = 0;
  req->cb = cb;
  req->arg = arg;
  req->next = NULL;
  was_empty = tcp->wq_head == NULL;
  if (was_empty)
    tcp->wq_head = req;
  else
    tcp->wq_tail->next = req;
  tcp->wq_tail = req;
  if (tcp->state != OPEN || !was_empty)
    return 0;
  /* Try at once, as uv_write does: most writes fit in the socket buffer,
   * which saves a trip through epoll. Completions still wait for the
   * pending phase. An error ends the stream on the loop, not here. */
  err = send_queued(tcp, 0);
  if (err != 0) {
    /* The queue held only this write (it was empty). Its callback gets the
     * error on the loop; with no memory for that, this call fails instead,
     * as it never runs a callback. */
    ndl_value v;
    int deferred = 0;
    ndl__tcp_set_error(tcp, &v, err, "write", NULL);
    req = shift_write(tcp);
    if (req->cb != NULL)
      deferred = ndl__tcp_defer(tcp, &v, req->cb, req->arg);
    ndl__free(req);
    end_reading(tcp, &v, 0);
    ndl_value_clear(&v);
    if (deferred != 0)
      return deferred;
  }
  return ndl__tcp_update_interest(tcp);
}

int ndl_tcp_shutdown(ndl_tcp *tcp) {
  int err = 0;
  if (tcp == NULL || tcp->state != OPEN)
    return NDL_EINVAL;
  tcp->ending = 1;
  if (tcp->wq_head != NULL)
    tcp->shutdown_pending = 1;
  else if ((err = tcp->net->shutdown(tcp->platform, tcp->fd)) == 0)
    tcp->fin_sent = 1;
  ndl__tcp_settle(tcp); /* both sides may have ended now */
  return err;
}
