/*
 * The simulated network's sockets, shared by net.c (sockets, connections,
 * readiness) and wire.c (bytes, FINs and resets on their way).
 */
#ifndef NDL_PLATFORM_SIM_NET_H
#define NDL_PLATFORM_SIM_NET_H

#include "faults/fault_points.h"
#include "sim.h"

enum { SOCK_FREE, SOCK_NEW, SOCK_LISTENER, SOCK_STREAM };

/* What a peer that does not read may have in flight to it. */
#define WINDOW ((size_t)256 * 1024)
#define NEVER NDL__SIM_NEVER

struct sim_seg {
  struct sim_seg *next;
  uint64_t at;
  size_t len, off;
  char data[];
};

/* Returns the plan's error, as a negative code, when point `id` fails. */
#define FAULT_RETURN(id)                                                       \
  do {                                                                         \
    int fault_ = ndl__fault_code(id);                                          \
    if (fault_ != 0)                                                           \
      return fault_;                                                           \
  } while (0)

static inline int ndl__sim_arrived(const struct sim *s, uint64_t at) {
  return at <= s->now_ns;
}

/* net.c: the live socket behind fd, or NULL. */
struct sim_sock *ndl__sim_sock_at(struct sim *s, int fd);
void ndl__sim_drop_segments(struct sim_sock *k);

/* wire.c: when something sent now arrives at k; a FIN or a reset sent to
 * `to`; and the calls that move bytes. */
uint64_t ndl__sim_arrival(struct sim *s, struct sim_sock *k);
void ndl__sim_send_fin(struct sim *s, struct sim_sock *to);
void ndl__sim_send_reset(struct sim *s, struct sim_sock *to);
ssize_t ndl__sim_recv(struct ndl__platform *p, int fd, void *buf, size_t len);
ssize_t ndl__sim_send(struct ndl__platform *p, int fd, const void *buf,
                      size_t len);
int ndl__sim_shutdown(struct ndl__platform *p, int fd);

#endif
