/*
 * The TCP handle, shared by the files of modules/: tcp.c (the handle's
 * life, its interest in its fd, and closing), tcp_connect.c (connecting,
 * listening, accepting) and tcp_stream.c (reading and writing).
 *
 * Non-blocking TCP on the loop's poller, as libuv's stream.c and tcp.c do
 * it, in one small state machine per handle.
 *
 * The handle watches its fd for exactly what it waits for: writable while
 * connecting or while writes are queued, readable while reading or
 * listening. EAGAIN re-arms that interest instead of blocking. No user
 * callback runs inside the call that registered it: results that are known
 * at once (a write that went out whole, an immediate connect error) are
 * handed over through the pending phase (ndl_defer), as libuv's
 * uv__io_feed does.
 *
 * A handle stays allocated while anything may still call back into it: its
 * reference count covers the open socket and every deferred callback, and
 * it is freed when the last one is gone.
 *
 * Every socket call goes through the platform's net table, so the same code
 * runs on the kernel's sockets and on the sim's simulated network.
 */
#ifndef NDL_MODULES_TCP_H
#define NDL_MODULES_TCP_H

#include "nodeloop_net.h"
#include "runtime/runtime.h"

#define READ_CHUNK 65536
#define READS_PER_EVENT 16 /* fairness: other fds get a turn */

enum tcp_state { RESOLVING, CONNECTING, OPEN, LISTENING, CLOSING };

struct write_req {
  struct write_req *next;
  size_t len, off;
  ndl_tcp_cb cb;
  void *arg;
  char data[];
};

struct ndl_tcp {
  struct ndl__resource resource; /* freed with the loop if still open */
  ndl_loop *loop;
  struct ndl__platform *platform;
  const struct ndl__net_ops *net;
  enum tcp_state state;
  int fd;
  int refs;
  ndl_id watch; /* 0 when the fd is not watched */
  unsigned events;
  int unrefed; /* the watcher does not keep the loop alive */

  ndl_tcp_cb connect_cb; /* also the listener's connection callback */
  void *connect_arg;
  ndl_tcp_cb read_cb;
  void *read_arg;
  int reading;
  int accepted_fd; /* a connection taken but not yet accepted, or -1 */

  struct write_req *wq_head, *wq_tail;
  int shutdown_pending;

  ndl_tcp_cb close_cb;
  void *close_arg;
  int listener;            /* made by ndl_tcp_listen */
  ndl_tcp_cb listening_cb; /* ndl_tcp_on_listening's, until it runs */
  void *listening_arg;
  int had_error; /* an error was reported: Node's hadError */
  /* A listener counts the connections it accepted that are not yet
   * closed; once closed itself, it waits for them before its close
   * callback (Node's server.close). Each holds a reference on it. */
  ndl_tcp *server; /* a connection: the listener that accepted it */
  unsigned conns;
  int close_waits;
  /* ndl_tcp_auto_close: Node's allowHalfOpen and autoDestroy. */
  int auto_close, allow_half_open;
  ndl_tcp_cb auto_cb;
  void *auto_arg;
  int peer_ended; /* the peer's end of stream was read */
  int ending;     /* ndl_tcp_shutdown was called */
  int fin_sent;   /* and the FIN went out */

  char host[256]; /* while resolving */
  int port;
};

/* An error value as Node's net module makes it, for reporting on tcp: the
 * message is "<syscall> <NAME>" or "<syscall> <NAME> <where>" ("connect
 * ECONNREFUSED 127.0.0.1:80"), and err.syscall is syscall, a static
 * string. The handle remembers that it had an error (Node's hadError). */
void ndl__tcp_set_error(ndl_tcp *tcp, ndl_value *v, int err,
                        const char *syscall, const char *where);
ndl_tcp *ndl__tcp_new(ndl_loop *loop, int fd, enum tcp_state state);
/* Drops a reference; the last one frees the handle. */
void ndl__tcp_release(ndl_tcp *tcp);
/* Runs cb(tcp, v) later: v == NULL (success) from a nextTick, an error
 * value in the next pending phase. Holds a reference meanwhile. */
int ndl__tcp_defer(ndl_tcp *tcp, const ndl_value *v, ndl_tcp_cb cb, void *arg);
/* Watches the fd for exactly what the handle's state waits for. */
int ndl__tcp_update_interest(ndl_tcp *tcp);

/* What the fd's readiness means, by state. */
void ndl__tcp_finish_connect(ndl_tcp *tcp);
void ndl__tcp_on_connectable(ndl_tcp *tcp);
void ndl__tcp_on_readable(ndl_tcp *tcp);
void ndl__tcp_on_writable(ndl_tcp *tcp);
/* ndl_tcp_auto_close's rules, after a callback of the handle's ran or its
 * FIN went out: end this side when the peer has (unless half-open is
 * allowed), and close once both sides have ended or an error was
 * reported. */
void ndl__tcp_settle(ndl_tcp *tcp);
/* Hands every queued write err, in order. */
void ndl__tcp_fail_writes(ndl_tcp *tcp, int err);

#endif
