/*
 * The simulated network: TCP between sockets of one sim, in virtual time,
 * as FoundationDB's simulator and turmoil do it. Nothing here touches the
 * kernel.
 *
 *  - A connect reaches a listener on the same address and port after one
 *    latency and completes after a second (the SYN-ACK); with no listener
 *    it is refused after both.
 *  - send() cuts what it takes into segments at seeded boundaries; each
 *    arrives after its own seeded latency, never before the one sent ahead
 *    of it. recv() returns what has arrived, so reads come short where the
 *    segments were cut. A peer that does not read fills a 256 KiB window,
 *    and then send() takes less, or nothing (NDL_EAGAIN).
 *  - shutdown() and close() send a FIN behind the data; close() with
 *    unread data sends a reset instead, as Linux does, and so does a close
 *    after reset_on_close() (SO_LINGER of zero).
 *  - Every decision is a fault point that fault plans drive: the ones the
 *    Linux backend shares (net/connect, net/send_short, ...) and three of
 *    the network itself (sim/net_reset, sim/net_latency, sim/net_partition).
 *
 * This file holds the sockets and their connections; wire.c what travels
 * between them.
 *
 * Sockets are slots of one array, found by descriptor; peers and listeners
 * refer to each other by slot, so growing the array moves nothing that a
 * pointer holds. The scans are O(sockets), which a simulation of tens of
 * connections never feels.
 */
#include <string.h>

#include "core/alloc.h"
#include "net.h"

#define DEFAULT_LATENCY_NS 100000u

/* ---- Slots and descriptors. */

struct sim_sock *ndl__sim_sock_at(struct sim *s, int fd) {
  size_t slot;
  if (fd < NDL__SIM_NET_FD_BASE)
    return NULL;
  slot = (size_t)(fd - NDL__SIM_NET_FD_BASE);
  if (slot >= s->net.nsocks || s->net.socks[slot].kind == SOCK_FREE)
    return NULL;
  return &s->net.socks[slot];
}

static int fd_of(const struct sim *s, const struct sim_sock *k) {
  return NDL__SIM_NET_FD_BASE + (int)(k - s->net.socks);
}

/* A free slot, the lowest as the kernel gives the lowest fd. It may move
 * the array: the caller takes pointers only after. */
static int new_sock(struct sim *s, int kind) {
  struct sim_net *n = &s->net;
  struct sim_sock *k;
  size_t slot;
  for (slot = 0; slot < n->nsocks; slot++)
    if (n->socks[slot].kind == SOCK_FREE)
      break;
  if (slot == n->nsocks) {
    if (slot >= (size_t)(NDL__SIM_FILE_FD_BASE - NDL__SIM_NET_FD_BASE))
      return NDL_EMFILE;
    k = ndl__reallocarray(n->socks, slot + 1, sizeof(*k));
    if (k == NULL)
      return NDL_ENOMEM;
    n->socks = k;
    n->nsocks = slot + 1;
  }
  k = &n->socks[slot];
  memset(k, 0, sizeof(*k));
  k->kind = kind;
  k->seq = n->next_seq++;
  k->peer = -1;
  k->listener = -1;
  k->eof_at = k->reset_at = NEVER;
  return (int)slot;
}

void ndl__sim_drop_segments(struct sim_sock *k) {
  while (k->rx_head != NULL) {
    struct sim_seg *g = k->rx_head;
    k->rx_head = g->next;
    ndl__free(g);
  }
  k->rx_tail = NULL;
  k->rx_bytes = 0;
}

static void free_sock(struct sim_sock *k) {
  ndl__sim_drop_segments(k);
  k->kind = SOCK_FREE;
}

/* ---- Readiness, for the poller. */

static int pending_in(struct sim *s, int listener, int only_arrived,
                      struct sim_sock **first) {
  struct sim_sock *best = NULL;
  size_t i;
  for (i = 0; i < s->net.nsocks; i++) {
    struct sim_sock *k = &s->net.socks[i];
    if (k->kind != SOCK_STREAM || k->listener != listener ||
        (only_arrived && !ndl__sim_arrived(s, k->open_at)))
      continue;
    if (best == NULL || k->open_at < best->open_at ||
        (k->open_at == best->open_at && k->seq < best->seq))
      best = k;
  }
  *first = best;
  return best != NULL;
}

int ndl__sim_net_ready(struct sim *s, int fd, unsigned *events) {
  struct sim_sock *k = ndl__sim_sock_at(s, fd), *c;
  *events = 0;
  if (k == NULL)
    return -1;
  if (k->kind == SOCK_LISTENER) {
    if (pending_in(s, (int)(k - s->net.socks), 1, &c))
      *events = NDL_READABLE;
  } else if (k->kind == SOCK_STREAM && ndl__sim_arrived(s, k->open_at)) {
    if (k->connect_err != 0 || ndl__sim_arrived(s, k->reset_at))
      *events = NDL_READABLE | NDL_WRITABLE;
    else {
      if ((k->rx_head != NULL && ndl__sim_arrived(s, k->rx_head->at)) ||
          ndl__sim_arrived(s, k->eof_at))
        *events |= NDL_READABLE;
      if (k->peer < 0 || s->net.socks[k->peer].rx_bytes < WINDOW)
        *events |= NDL_WRITABLE;
    }
  }
  return 0;
}

static uint64_t soonest(const struct sim *s, uint64_t a, uint64_t t) {
  return t > s->now_ns && t < a ? t : a;
}

uint64_t ndl__sim_net_next(struct sim *s, int fd) {
  struct sim_sock *k = ndl__sim_sock_at(s, fd);
  uint64_t t = NEVER;
  size_t i;
  if (k == NULL)
    return NEVER;
  if (k->kind == SOCK_LISTENER) {
    for (i = 0; i < s->net.nsocks; i++) {
      const struct sim_sock *c = &s->net.socks[i];
      if (c->kind == SOCK_STREAM && c->listener == (int)(k - s->net.socks))
        t = soonest(s, t, c->open_at);
    }
  } else if (k->kind == SOCK_STREAM) {
    t = soonest(s, t, k->open_at);
    t = soonest(s, t, k->eof_at);
    t = soonest(s, t, k->reset_at);
    if (k->rx_head != NULL)
      t = soonest(s, t, k->rx_head->at);
  }
  return t;
}

/* ---- The calls. */

static int sim_resolve(struct ndl__platform *p, const char *host, int port,
                       struct ndl__addr *out) {
  struct sim *s = ndl__sim_of(p);
  size_t i;
  if (ndl__fault_fail(NDL_FP(NET_RESOLVE)))
    return NDL_EAI;
  if (ndl__addr_parse(host, port, out) == 0)
    return 0;
  if (strcmp(host, "localhost") == 0)
    return ndl__addr_parse("127.0.0.1", port, out);
  for (i = 0; i < s->net.nhosts; i++)
    if (strcmp(s->net.hosts[i].name, host) == 0) {
      *out = s->net.hosts[i].addr;
      out->port = (uint16_t)port;
      return 0;
    }
  return NDL_EAI;
}

int ndl__sim_host_add(struct ndl__platform *p, const char *name,
                      const struct ndl__addr *addr) {
  struct sim *s = ndl__sim_of(p);
  struct sim_host *h;
  char *copy = ndl__strndup(name, strlen(name));
  if (copy == NULL)
    return NDL_ENOMEM;
  h = ndl__reallocarray(s->net.hosts, s->net.nhosts + 1, sizeof(*h));
  if (h == NULL) {
    ndl__free(copy);
    return NDL_ENOMEM;
  }
  s->net.hosts = h;
  h[s->net.nhosts].name = copy;
  h[s->net.nhosts].addr = *addr;
  s->net.nhosts++;
  return 0;
}

static int sim_socket(struct ndl__platform *p, int family, int *fd) {
  struct sim *s = ndl__sim_of(p);
  int slot;
  FAULT_RETURN(NET_SOCKET);
  if ((slot = new_sock(s, SOCK_NEW)) < 0)
    return slot;
  s->net.socks[slot].local.family = family;
  *fd = NDL__SIM_NET_FD_BASE + slot;
  return 0;
}

static uint16_t ephemeral_port(struct sim *s) {
  if (s->net.next_port < 49152 || s->net.next_port > 65535)
    s->net.next_port = 49152;
  return (uint16_t)s->net.next_port++;
}

static int same_host(const struct ndl__addr *listening,
                     const struct ndl__addr *to) {
  static const uint8_t any[16];
  return listening->family == to->family &&
         (memcmp(listening->ip, any, 16) == 0 ||
          memcmp(listening->ip, to->ip, 16) == 0);
}

static struct sim_sock *listener_at(struct sim *s, const struct ndl__addr *to) {
  size_t i;
  for (i = 0; i < s->net.nsocks; i++) {
    struct sim_sock *k = &s->net.socks[i];
    if (k->kind == SOCK_LISTENER && k->local.port == to->port &&
        same_host(&k->local, to))
      return k;
  }
  return NULL;
}

static int sim_connect(struct ndl__platform *p, int fd,
                       const struct ndl__addr *to) {
  struct sim *s = ndl__sim_of(p);
  struct sim_sock *k = ndl__sim_sock_at(s, fd), *l, *srv;
  int slot, me, lslot;
  FAULT_RETURN(NET_CONNECT);
  if (k == NULL || k->kind != SOCK_NEW)
    return NDL_EINVAL;
  me = (int)(k - s->net.socks);
  k->kind = SOCK_STREAM;
  k->remote = *to;
  k->local = *to;
  k->local.port = ephemeral_port(s);
  if ((l = listener_at(s, to)) == NULL) {
    /* Refused: the RST comes back after a round trip. */
    ndl__sim_arrival(s, k);
    k->open_at = ndl__sim_arrival(s, k);
    k->connect_err = NDL_ECONNREFUSED;
    return 0;
  }
  lslot = (int)(l - s->net.socks);
  if ((slot = new_sock(s, SOCK_STREAM)) < 0) {
    s->net.socks[me].kind = SOCK_NEW;
    return slot;
  }
  k = &s->net.socks[me];
  srv = &s->net.socks[slot];
  srv->listener = lslot;
  srv->local = *to;
  srv->remote = k->local;
  srv->peer = me;
  k->peer = slot;
  srv->open_at = ndl__sim_arrival(s, srv);
  /* The SYN-ACK leaves once the SYN is in. */
  k->last_at = srv->open_at;
  k->open_at = ndl__sim_arrival(s, k);
  return 0;
}

static int sim_connect_result(struct ndl__platform *p, int fd) {
  struct sim *s = ndl__sim_of(p);
  struct sim_sock *k = ndl__sim_sock_at(s, fd);
  if (k == NULL)
    return NDL_EBADF;
  if (k->connect_err == 0 && ndl__fault_fail(NDL_FP(NET_SO_ERROR))) {
    k->connect_err = -ndl__fault_errno(ECONNREFUSED);
    if (k->peer >= 0) {
      ndl__sim_send_reset(s, &s->net.socks[k->peer]);
      s->net.socks[k->peer].peer = -1;
      k->peer = -1;
    }
  }
  return k->connect_err;
}

static int sim_listen(struct ndl__platform *p, int fd,
                      const struct ndl__addr *at, int backlog) {
  struct sim *s = ndl__sim_of(p);
  struct sim_sock *k = ndl__sim_sock_at(s, fd);
  struct ndl__addr want = *at;
  size_t i;
  (void)backlog; /* the simulated backlog never fills */
  FAULT_RETURN(NET_LISTEN);
  if (k == NULL || k->kind != SOCK_NEW)
    return NDL_EINVAL;
  if (want.port == 0)
    want.port = ephemeral_port(s);
  for (i = 0; i < s->net.nsocks; i++) {
    const struct sim_sock *o = &s->net.socks[i];
    if (o->kind == SOCK_LISTENER && o->local.port == want.port &&
        (same_host(&o->local, &want) || same_host(&want, &o->local)))
      return NDL_EADDRINUSE;
  }
  k->kind = SOCK_LISTENER;
  k->local = want;
  return 0;
}

static int sim_accept(struct ndl__platform *p, int fd, int *client) {
  struct sim *s = ndl__sim_of(p);
  struct sim_sock *k = ndl__sim_sock_at(s, fd), *c;
  FAULT_RETURN(NET_ACCEPT);
  if (k == NULL || k->kind != SOCK_LISTENER)
    return NDL_EINVAL;
  if (!pending_in(s, (int)(k - s->net.socks), 1, &c))
    return NDL_EAGAIN;
  c->listener = -1;
  *client = fd_of(s, c);
  return 0;
}

static int sim_local_addr(struct ndl__platform *p, int fd,
                          struct ndl__addr *out) {
  struct sim_sock *k = ndl__sim_sock_at(ndl__sim_of(p), fd);
  FAULT_RETURN(NET_SOCKNAME);
  if (k == NULL)
    return NDL_EBADF;
  *out = k->local;
  return 0;
}

static void sim_close(struct ndl__platform *p, int fd) {
  struct sim *s = ndl__sim_of(p);
  struct sim_sock *k = ndl__sim_sock_at(s, fd), *c;
  int me;
  if (k == NULL)
    return;
  me = (int)(k - s->net.socks);
  if (k->kind == SOCK_LISTENER) {
    /* Connections never accepted are reset, as the kernel does. */
    while (pending_in(s, me, 0, &c)) {
      if (c->peer >= 0) {
        ndl__sim_send_reset(s, &s->net.socks[c->peer]);
        s->net.socks[c->peer].peer = -1;
      }
      free_sock(c);
    }
  } else if (k->kind == SOCK_STREAM && k->peer >= 0) {
    struct sim_sock *to = &s->net.socks[k->peer];
    if (k->rx_bytes > 0 || k->linger_zero)
      /* Unread data: Linux answers such a close with a reset. */
      ndl__sim_send_reset(s, to);
    else if (!k->shut_wr)
      ndl__sim_send_fin(s, to);
    to->peer = -1;
  }
  free_sock(k);
}

/* SO_LINGER of zero: close() then resets whatever was read. */
static int sim_reset_on_close(struct ndl__platform *p, int fd) {
  struct sim_sock *k = ndl__sim_sock_at(ndl__sim_of(p), fd);
  FAULT_RETURN(NET_SOCKOPT);
  if (k == NULL)
    return NDL_EBADF;
  k->linger_zero = 1;
  return 0;
}

void ndl__sim_net_init(struct sim *s, uint64_t seed, uint64_t latency_ns) {
  ndl__prng_seed(&s->net.prng, seed ^ 0x243f6a8885a308d3u);
  s->net.latency_ns = latency_ns != 0 ? latency_ns : DEFAULT_LATENCY_NS;
  s->net.partition_until = 0;
  s->net.next_port = 49152;
}

void ndl__sim_net_free(struct sim *s) {
  size_t i;
  for (i = 0; i < s->net.nsocks; i++)
    ndl__sim_drop_segments(&s->net.socks[i]);
  for (i = 0; i < s->net.nhosts; i++)
    ndl__free(s->net.hosts[i].name);
  ndl__free(s->net.hosts);
  ndl__free(s->net.socks);
}

const struct ndl__net_ops ndl__sim_net = {
    sim_resolve,   sim_socket,        sim_connect,    sim_connect_result,
    sim_listen,    sim_accept,        sim_local_addr, ndl__sim_recv,
    ndl__sim_send, ndl__sim_shutdown, sim_close,      sim_reset_on_close};
