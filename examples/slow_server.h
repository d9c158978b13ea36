/*
 * The embedded slow HTTP server: the local stand-in for the remote "slowwly"
 * service the seed calls. It runs its own nodeloop loop on its own thread,
 * on 127.0.0.1 with a port the kernel picks, and is built on nodeloop's TCP.
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

struct ndl_slow_server;

/* Errors: whatever ndl_loop_new, ndl_tcp_listen or pthread_create return. */
int ndl_slow_server_start(struct ndl_slow_server **out, int *port);
/* Stops the server's loop from the calling thread, closes every connection
 * and joins the thread. */
void ndl_slow_server_stop(struct ndl_slow_server *server);

#endif
