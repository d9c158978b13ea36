/*
 * The simulated wire: when what one socket sends arrives at the other, and
 * the calls that move bytes (recv, send, shutdown). See net.c for the
 * rules.
 */
#include <string.h>

#include "core/alloc.h"
#include "net.h"

/* ---- Time on the wire. */

static uint64_t later(uint64_t a, uint64_t b) {
  return a > b ? a : b;
}

/* A plan's argument in ms, as ns: negative is 0, and at most a day, so
 * that no sum below can overflow. */
static uint64_t plan_ns(void) {
  intptr_t ms = ndl__fault_arg();
  return ms <= 0 ? 0 : (uint64_t)(ms < 86400000 ? ms : 86400000) * 1000000u;
}

/* When something sent now arrives at k: a seeded latency, a spike or a
 * partition if a plan says so, and never before what was sent ahead. */
uint64_t ndl__sim_arrival(struct sim *s, struct sim_sock *k) {
  uint64_t base = s->net.latency_ns, t;
  t = s->now_ns + base + ndl__prng_below(&s->net.prng, base + 1);
  if (ndl__fault_fail(NDL_FP(SIM_NET_LATENCY)))
    t += plan_ns();
  if (ndl__fault_fail(NDL_FP(SIM_NET_PARTITION)))
    s->net.partition_until = s->now_ns + plan_ns();
  t = later(t, later(k->last_at, s->net.partition_until));
  k->last_at = t;
  return t;
}

void ndl__sim_send_fin(struct sim *s, struct sim_sock *to) {
  if (ndl__fault_fail(NDL_FP(SIM_PLANT_LOST_FIN)))
    return; /* planted: the harness must notice the stream never ends */
  if (to->eof_at == NEVER)
    to->eof_at = ndl__sim_arrival(s, to);
}

void ndl__sim_send_reset(struct sim *s, struct sim_sock *to) {
  if (to->reset_at == NEVER)
    to->reset_at = ndl__sim_arrival(s, to);
}

/* Whether a stream can move bytes now: 0, or what recv and send answer
 * instead (a connect not done or failed, a reset that arrived). */
static int stream_state(struct sim *s, struct sim_sock *k) {
  if (k == NULL || k->kind != SOCK_STREAM)
    return NDL_EBADF;
  if (!ndl__sim_arrived(s, k->open_at))
    return NDL_EAGAIN;
  if (k->connect_err != 0)
    return k->connect_err;
  if (ndl__sim_arrived(s, k->reset_at))
    return NDL_ECONNRESET;
  return 0;
}

ssize_t ndl__sim_recv(struct ndl__platform *p, int fd, void *buf, size_t len) {
  struct sim *s = ndl__sim_of(p);
  struct sim_sock *k = ndl__sim_sock_at(s, fd);
  size_t got = 0;
  int err;
  FAULT_RETURN(NET_RECV);
  if ((err = stream_state(s, k)) != 0) {
    if (err == NDL_ECONNRESET)
      ndl__sim_drop_segments(k); /* a reset discards what was not read */
    return err;
  }
  if (len > 1 && ndl__fault_fail(NDL_FP(NET_RECV_SHORT)))
    len = 1;
  while (got < len && k->rx_head != NULL &&
         ndl__sim_arrived(s, k->rx_head->at)) {
    struct sim_seg *g = k->rx_head;
    size_t take = g->len - g->off < len - got ? g->len - g->off : len - got;
    memcpy((char *)buf + got, g->data + g->off, take);
    g->off += take;
    got += take;
    k->rx_bytes -= take;
    if (g->off == g->len) {
      k->rx_head = g->next;
      if (k->rx_head == NULL)
        k->rx_tail = NULL;
      ndl__free(g);
    }
  }
  if (got > 0)
    return (ssize_t)got;
  if (k->rx_head == NULL && ndl__sim_arrived(s, k->eof_at))
    return 0;
  return NDL_EAGAIN;
}

/* Queues len bytes towards `to`, cut at seeded boundaries. Returns the
 * bytes queued: fewer when memory runs out, NDL_ENOMEM if none. */
static ssize_t transmit(struct sim *s, struct sim_sock *to, const char *data,
                        size_t len) {
  size_t sent = 0;
  while (sent < len) {
    size_t cut = len - sent;
    struct sim_seg *g;
    if (cut > 1 && ndl__prng_chance(&s->net.prng, 1, 4))
      cut = 1 + (size_t)ndl__prng_below(&s->net.prng, cut - 1);
    if ((g = ndl__malloc(sizeof(*g) + cut)) == NULL)
      return sent > 0 ? (ssize_t)sent : NDL_ENOMEM;
    memcpy(g->data, data + sent, cut);
    g->len = cut;
    if (cut > 1 && ndl__fault_fail(NDL_FP(SIM_PLANT_DROP_BYTE)))
      g->len--; /* planted: the harness must notice the missing byte */
    g->off = 0;
    g->next = NULL;
    g->at = ndl__sim_arrival(s, to);
    if (to->rx_tail == NULL)
      to->rx_head = g;
    else
      to->rx_tail->next = g;
    to->rx_tail = g;
    to->rx_bytes += g->len;
    sent += cut;
  }
  return (ssize_t)sent;
}

ssize_t ndl__sim_send(struct ndl__platform *p, int fd, const void *buf,
                      size_t len) {
  struct sim *s = ndl__sim_of(p);
  struct sim_sock *k = ndl__sim_sock_at(s, fd), *to;
  size_t room;
  int err;
  FAULT_RETURN(NET_SEND);
  if ((err = stream_state(s, k)) != 0)
    return err;
  if (k->shut_wr)
    return NDL_EPIPE;
  if (len > 1 && ndl__fault_fail(NDL_FP(NET_SEND_SHORT)))
    len = 1;
  if (k->peer < 0) {
    /* The peer is gone: its kernel answers the bytes with a reset. */
    ndl__sim_send_reset(s, k);
    return (ssize_t)len;
  }
  to = &s->net.socks[k->peer];
  room = WINDOW - to->rx_bytes;
  if (room == 0)
    return NDL_EAGAIN;
  if (len > room)
    len = room;
  if (ndl__fault_fail(NDL_FP(SIM_NET_RESET))) {
    /* Reset mid-transfer: these bytes are lost, and both ends see it. */
    ndl__sim_send_reset(s, to);
    to->peer = -1;
    k->peer = -1;
    ndl__sim_send_reset(s, k);
    return (ssize_t)len;
  }
  return transmit(s, to, buf, len);
}

int ndl__sim_shutdown(struct ndl__platform *p, int fd) {
  struct sim *s = ndl__sim_of(p);
  struct sim_sock *k = ndl__sim_sock_at(s, fd);
  FAULT_RETURN(NET_SHUTDOWN);
  if (k == NULL || k->kind != SOCK_STREAM || !ndl__sim_arrived(s, k->open_at) ||
      k->connect_err != 0)
    return NDL_ENOTCONN;
  if (!k->shut_wr && k->peer >= 0)
    ndl__sim_send_fin(s, &s->net.socks[k->peer]);
  k->shut_wr = 1;
  return 0;
}
