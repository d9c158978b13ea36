/*
 * A TCP echo over the sim's network, for random programs' PK_ECHO op
 * (echo.c).
 */
#ifndef NDL_TOOLS_REFERENCE_ECHO_H
#define NDL_TOOLS_REFERENCE_ECHO_H

#include <stddef.h>
#include <stdint.h>

#include "nodeloop.h"
#include "nodeloop_net.h"

#define ECHO_PORT 7
#define REFUSING_PORT 9 /* nobody listens there */
#define RESETTING_PORT 11

struct echo_outcome {
  size_t sent, got;
  size_t bad_at; /* the first byte that differs, or SIZE_MAX */
  int ended;     /* the server's end of stream arrived */
  int error;     /* what the connection failed with, or 0 */
};

typedef void (*echo_done_fn)(ndl_loop *loop, const struct echo_outcome *o,
                             void *arg);

/* Serves an accepted connection: echoes what it reads, ends once the peer
 * has ended and the echo is out, and closes then (or on an error, or when
 * it cannot start reading: that error is returned). */
int echo_serve(ndl_tcp *conn);
/* Listens on 127.0.0.1:ECHO_PORT, and on RESETTING_PORT for a server
 * that resets every connection as it accepts it; both unref'd: they do
 * not keep the loop alive. */
int echo_server(ndl_loop *loop, ndl_tcp **echo, ndl_tcp **resetting);
/* Connects, sends len bytes drawn from seed, half-closes, reads the echo
 * to its end and closes; then done runs once, in the close phase. */
int echo_start(ndl_loop *loop, size_t len, uint64_t seed, echo_done_fn done,
               void *arg);
/* Connects to REFUSING_PORT; done runs once, with the error the connect
 * got (NDL_ECONNREFUSED), after the handle has closed. */
int echo_refused(ndl_loop *loop, echo_done_fn done, void *arg);
/* Connects to RESETTING_PORT, sends len bytes and reads; done runs once,
 * after the handle has closed, with the error the read got (expected:
 * NDL_ECONNRESET). */
int echo_reset(ndl_loop *loop, size_t len, uint64_t seed, echo_done_fn done,
               void *arg);
/* Frees the connections whose done callback never ran, after the loop that
 * held them is freed (a run that deadlocked or was stopped). */
void echo_forget_all(void);

#endif
