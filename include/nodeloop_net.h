/*
 * nodeloop networking: non-blocking TCP on the loop's poller, and an
 * HTTP/1.1 GET client built on it. On the linux backend they use the
 * kernel's sockets; on the sim backend, its simulated network (listeners
 * and connections of the same loop, in virtual time).
 *
 * Every TCP callback has one shape, ndl_tcp_cb: the handle, a value, and the
 * user's arg. The value says what happened:
 *   connect:  undefined on success, or an error;
 *   read:     a string chunk, undefined at end of stream, or an error;
 *   write:    undefined once the bytes are in the kernel, or an error;
 *   listen:   undefined when a connection waits for ndl_tcp_accept(), or an
 *             error;
 *   close:    undefined; the handle is freed when the callback returns.
 * No callback ever runs inside the call that registered it.
 */
#ifndef NODELOOP_NET_H
#define NODELOOP_NET_H

#include "nodeloop.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct ndl_tcp ndl_tcp;
typedef void (*ndl_tcp_cb)(ndl_tcp *tcp, const ndl_value *value, void *arg);

/* Connects to host:port. host is a numeric IPv4 or IPv6 address, or a name,
 * which is resolved on the pool. The handle exists from the call on, so it
 * can be closed while connecting. Errors: NDL_EINVAL, NDL_ENOMEM,
 * NDL_NOIDS, or a system error. */
NDL_EXTERN int ndl_tcp_connect(ndl_loop *loop, const char *host, int port,
                               ndl_tcp_cb on_connect, void *arg, ndl_tcp **out);

/* Listens on a numeric address; port 0 picks a free port (ndl_tcp_port).
 * on_connection runs once per waiting connection. */
NDL_EXTERN int ndl_tcp_listen(ndl_loop *loop, const char *host, int port,
                              int backlog, ndl_tcp_cb on_connection, void *arg,
                              ndl_tcp **out);
/* Takes a waiting connection. Errors: NDL_EAGAIN when none waits, or a
 * system error (NDL_EMFILE, NDL_ECONNABORTED). */
NDL_EXTERN int ndl_tcp_accept(ndl_tcp *server, ndl_tcp **client);
/* The local port of a listening or connected handle. */
NDL_EXTERN int ndl_tcp_port(const ndl_tcp *tcp, int *port);

/* Delivers data as it arrives, until end of stream, an error, read_stop or
 * close. */
NDL_EXTERN int ndl_tcp_read_start(ndl_tcp *tcp, ndl_tcp_cb on_read, void *arg);
NDL_EXTERN int ndl_tcp_read_stop(ndl_tcp *tcp);
/* Queues a copy of data; writes go out in order. cb may be NULL. */
NDL_EXTERN int ndl_tcp_write(ndl_tcp *tcp, const void *data, size_t len,
                             ndl_tcp_cb cb, void *arg);
/* Half-close: sends FIN once every queued write is out. Reading goes on. */
NDL_EXTERN int ndl_tcp_shutdown(ndl_tcp *tcp);
/* Closes the socket. Queued writes fail with NDL_ECANCELED. on_close (may
 * be NULL) runs in the close phase, after which the handle is freed. */
NDL_EXTERN int ndl_tcp_close(ndl_tcp *tcp, ndl_tcp_cb on_close, void *arg);
NDL_EXTERN ndl_loop *ndl_tcp_loop(const ndl_tcp *tcp);
/* An unref'd handle does not keep the loop alive, as Node's
 * server.unref() and socket.unref(); ndl_tcp_ref undoes it. */
NDL_EXTERN int ndl_tcp_unref(ndl_tcp *tcp);
NDL_EXTERN int ndl_tcp_ref(ndl_tcp *tcp);

/* GETs an http:// URL (its #fragment is not sent). cb receives the body as
 * a string for a 2xx answer, or an error: NDL_BADURL, NDL_EAI (name
 * lookup), a connection error, NDL_BADRESPONSE (malformed as Node's llhttp
 * judges it, a head over 16 KiB, a response over 64 MiB, or a status other
 * than 2xx, with the status in the message). Bodies sized by
 * Content-Length, chunked, or delimited by close are accepted; 1xx interim
 * responses are skipped (docs/semantics.md, "HTTP responses"). Returns
 * NDL_EINVAL for a NULL argument, or the error of starting the connection;
 * freeing the loop during the request frees it without a callback. */
NDL_EXTERN int ndl_http_get(ndl_loop *loop, const char *url, ndl_cb cb,
                            void *arg);

#ifdef __cplusplus
}
#endif
#endif
