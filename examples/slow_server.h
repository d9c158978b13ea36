/*
 * The embedded slow HTTP server: the local stand-in for the remote "slowwly"
 * service the chapter calls, built on nodeloop's TCP, on 127.0.0.1 with a port
 * the network picks. On Linux it runs its own loop on its own thread; on
 * the sim backend it serves inside the client's loop, on the simulated
 * network, where its timers run in the same virtual time.
 *
 *   GET /delay/<ms>/url/<anything>  answers after <ms> ms, Content-Length
 *                                   body: NDL_DEMO_SLOW_BODY_FMT
 *   GET /chunked/<text>             answers <text> in chunked encoding
 *   GET /close/<text>               answers <text>, delimited by close
 *   GET /status/<code>              answers with that status
 *   GET /garbage                    answers something that is not HTTP
 */
#ifndef NDL_EXAMPLES_SLOW_SERVER_H
#define NDL_EXAMPLES_SLOW_SERVER_H

#include "nodeloop.h"

struct ndl_slow_server;

/* Errors: whatever ndl_loop_new, ndl_tcp_listen or pthread_create return. */
int ndl_slow_server_start(struct ndl_slow_server **out, int *port);
/* Stops the server's loop from the calling thread, closes every connection
 * and joins the thread. */
void ndl_slow_server_stop(struct ndl_slow_server *server);

/* Serves on the caller's loop instead. The listener is unref'd, so it does
 * not keep the loop alive. */
int ndl_slow_server_open(ndl_loop *loop, struct ndl_slow_server **out,
                         int *port);
/* Closes every connection and the listener; the server is freed by the
 * last close callback, in the loop's next run. */
void ndl_slow_server_close(struct ndl_slow_server *server);

#endif
