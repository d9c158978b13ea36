/*
 * The simulated platform's state, shared by its parts: the clock, poller
 * and pool (sim.c), the network (net.c) and the disk (disk.c). One seed
 * drives every choice, through a PRNG stream per part, so a seed replays a
 * run byte for byte, and adding a socket or a file read to a program does
 * not change the pool's draws (which keeps shrinking stable).
 */
#ifndef NDL_PLATFORM_SIM_H
#define NDL_PLATFORM_SIM_H

#include "core/prng.h"
#include "platform/platform.h"

#define NDL__SIM_NEVER UINT64_MAX
/* Descriptor numbers of simulated sockets and files: far above any real
 * fd, and apart from the fds that a test scripts by hand. */
#define NDL__SIM_NET_FD_BASE (1 << 24)
#define NDL__SIM_FILE_FD_BASE (1 << 25)

struct sim_seg; /* bytes on their way (net.c) */

struct sim_sock {
  int kind;     /* SOCK_FREE, SOCK_NEW, SOCK_LISTENER, SOCK_STREAM (net.c) */
  uint64_t seq; /* creation order: breaks ties between equal times */
  struct ndl__addr local, remote;
  int peer;         /* the other end's slot, or -1 once it is gone */
  int listener;     /* a connection not yet accepted: its listener's slot */
  uint64_t open_at; /* connect done (client) or in the backlog (server) */
  int connect_err;  /* what the connect ends with at open_at */
  struct sim_seg *rx_head, *rx_tail; /* in arrival order */
  size_t rx_bytes;                   /* in flight or arrived, not yet read */
  uint64_t last_at;          /* latest arrival scheduled here: keeps order */
  uint64_t eof_at, reset_at; /* NEVER, or when the FIN / RST arrives */
  int shut_wr;
  int linger_zero; /* close() sends a reset (reset_on_close) */
};

struct sim_net {
  struct ndl__prng prng; /* its own stream: a socket op moves no pool draw */
  struct sim_sock *socks;
  size_t nsocks;
  uint64_t next_seq;
  uint64_t latency_ns;
  uint64_t partition_until; /* nothing arrives before this */
  unsigned next_port;       /* ephemeral ports, in order */
  struct sim_host {
    char *name;
    struct ndl__addr addr;
  } * hosts;
  size_t nhosts;
};

struct sim_file {
  char *path;
  char *data;
  size_t len;
  int is_dir;
  int err; /* opening fails with this, or 0 */
};

struct sim_disk {
  struct ndl__prng prng; /* its own stream, as the network's */
  struct sim_file *files;
  size_t nfiles;
  struct sim_open {
    long file; /* index in files, or -1 when the slot is free */
    size_t off;
  } * open;
  size_t nopen;
};

struct sim {
  struct ndl__platform base;
  uint64_t now_ns;
  struct ndl__prng prng;
  uint64_t spread_ns;
  int inline_work;
  const char *current; /* thread name while a task body runs */
  uint64_t seq;

  struct sim_watch *watches;
  size_t nwatches, watch_cap;
  struct sim_script *scripts;
  size_t nscripts, script_cap;

  struct sim_worker *workers;
  unsigned nworkers;
  struct sim_task *queue_head, *queue_tail; /* waiting for a worker */
  struct sim_task *running;                 /* unordered; small */
  struct sim_task *done_head, *done_tail;   /* in completion order */

  struct sim_net net;
  struct sim_disk disk;
};

static inline struct sim *ndl__sim_of(struct ndl__platform *p) {
  return (struct sim *)p;
}

/* The network (net.c). */
extern const struct ndl__net_ops ndl__sim_net;
/* The events fd is ready for now, or -1 if fd is not a simulated socket. */
int ndl__sim_net_ready(struct sim *s, int fd, unsigned *events);
/* The earliest time after now at which fd may turn ready, or NEVER. */
uint64_t ndl__sim_net_next(struct sim *s, int fd);
int ndl__sim_host_add(struct ndl__platform *p, const char *name,
                      const struct ndl__addr *addr);
void ndl__sim_net_init(struct sim *s, uint64_t seed, uint64_t latency_ns);
void ndl__sim_net_free(struct sim *s);

/* The disk (disk.c). */
extern const struct ndl__file_ops ndl__sim_files;
int ndl__sim_file_add(struct ndl__platform *p, const char *path,
                      const void *data, size_t len, int err);
void ndl__sim_disk_free(struct sim *s);

#endif
