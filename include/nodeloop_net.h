/**
 * @file nodeloop_net.h
 * @brief nodeloop networking: non-blocking TCP on the loop's poller, and an
 * HTTP/1.1 GET client built on it.
 *
 * On the linux backend they use the kernel's sockets; on the sim backend,
 * its simulated network (listeners and connections of the same loop, in
 * virtual time).
 *
 * Every TCP callback has one shape, ndl_tcp_cb: the handle, a value, and the
 * user's arg. The value says what happened:
 *   - connect:  undefined on success, or an error;
 *   - read:     a string chunk, undefined at end of stream, or an error;
 *   - write:    undefined once the bytes are in the kernel, or an error;
 *   - listen:   undefined when a connection waits for ndl_tcp_accept(), or
 *               an error;
 *   - close:    a connection's: an int, 1 when an error was reported on it
 *               (Node's hadError), else 0; a listener's: undefined. The
 *               handle is freed when the callback returns.
 *
 * No callback ever runs inside the call that registered it. Callbacks run
 * in the poll phase, when the socket is ready, except where a function says
 * otherwise: an error known inside the call is reported in the next pending
 * phase, a write that goes out at once reports from a nextTick, and close
 * callbacks run in the close phase. A TCP error value's code is the
 * negated errno, its message is Node's ("connect ECONNREFUSED 127.0.0.1:9",
 * "read ECONNRESET", "getaddrinfo EAI no.such.host"; the address is the
 * host as given, where Node names the address it resolved to), and its
 * err.syscall names the call ("connect", "read", "write", "accept",
 * "getaddrinfo").
 */
#ifndef NODELOOP_NET_H
#define NODELOOP_NET_H

#include "nodeloop.h"

#ifdef __cplusplus
extern "C" {
#endif

/**
 * @defgroup tcp TCP
 * @{
 * Connecting, listening, reading, writing and closing; see nodeloop_net.h
 * for what each callback's value means.
 */
/** A TCP handle: a connection, or a listener; opaque. The loop owns it; it
 * is freed after its close callback, or with the loop. */
typedef struct ndl_tcp ndl_tcp;
/** A TCP callback: the handle, what happened (valid only during the call),
 * and the arg given with the callback. */
typedef void (*ndl_tcp_cb)(ndl_tcp *tcp, const ndl_value *value, void *arg);

/** Connects to host:port. host is a numeric IPv4 or IPv6 address, or a name,
 * which is resolved on the pool. The handle exists from the call on, so it
 * can be closed while connecting. on_connect runs once: in the poll phase
 * when the connection is made or fails (a name that does not resolve is an
 * NDL_EAI error value), or in the next pending phase when a numeric
 * address is refused at once. Reads and writes may be started before it
 * runs; they begin once connected.
 * @return 0, NDL_EINVAL (NULL loop, host, on_connect or out; port outside 0
 * to 65535; host of 256 bytes or more), NDL_ENOMEM, NDL_NOIDS, or a system
 * error from creating the socket (NDL_EMFILE, ...). */
NDL_EXTERN int ndl_tcp_connect(ndl_loop *loop, const char *host, int port,
                               ndl_tcp_cb on_connect, void *arg, ndl_tcp **out);

/** Listens on a numeric address; port 0 picks a free port (ndl_tcp_port);
 * backlog 0 means 511. on_connection runs in the poll phase once per
 * waiting connection, with undefined: take it with ndl_tcp_accept(); until
 * then the listener takes no other. An accept that fails with anything but
 * a transient error (EAGAIN, EINTR, ECONNABORTED are retried silently)
 * reaches it as an error value (NDL_EMFILE, ...).
 * @return 0, NDL_EINVAL (NULL loop, host, on_connection or out; host not a
 * numeric address; port outside 0 to 65535; backlog < 0), NDL_ENOMEM,
 * NDL_NOIDS, or a system error from socket, bind or listen
 * (NDL_EADDRINUSE, NDL_EACCES, NDL_EMFILE, ...). */
NDL_EXTERN int ndl_tcp_listen(ndl_loop *loop, const char *host, int port,
                              int backlog, ndl_tcp_cb on_connection, void *arg,
                              ndl_tcp **out);
/** Node's 'listening' event, for a listener that ndl_tcp_listen() made,
 * called right after it: cb runs once, with undefined, as the callback of
 * Node's server.listen(port, host, cb) does: Node looks the host up first,
 * which takes a nextTick even for a numeric address, and emits
 * 'listening' from a nextTick queued then; so cb runs from a nextTick
 * queued by a nextTick queued by this call, after a nextTick queued just
 * after it. (The socket listens already when ndl_tcp_listen() returns;
 * this is for code ported from Node that starts its clients there.)
 * Closing the listener before the first of those nextTicks runs cancels
 * cb.
 * @return 0, NDL_EINVAL (NULL server or cb, a handle that is not a
 * listener or is closing), NDL_EBUSY (a listening callback is pending
 * already), NDL_ENOMEM, NDL_NOIDS. */
NDL_EXTERN int ndl_tcp_on_listening(ndl_tcp *server, ndl_tcp_cb cb, void *arg);
/** Takes the waiting connection, as a new open handle in *client.
 * @return 0, NDL_EINVAL (NULL server or client, server not listening),
 * NDL_EAGAIN when none waits, NDL_ENOMEM (the connection is dropped: the
 * peer sees it end, and the listener takes the next). */
NDL_EXTERN int ndl_tcp_accept(ndl_tcp *server, ndl_tcp **client);
/** The local port of a listening or connected handle, in *port.
 * @return 0, NDL_EINVAL (NULL tcp or port; no socket: still resolving, or
 * closed), or the system error of getsockname. */
NDL_EXTERN int ndl_tcp_port(const ndl_tcp *tcp, int *port);

/** Delivers data as it arrives, in the poll phase, until end of stream, an
 * error, read_stop or close. Calling it again replaces the callback. A
 * write that fails also ends reading, with the write's error (in the next
 * pending phase when the write failed inside ndl_tcp_write()).
 * @return 0, NDL_EINVAL (NULL tcp or on_read; a listener; a closing
 * handle), or the error of watching the socket (NDL_ENOMEM, NDL_NOIDS, the
 * platform's). */
NDL_EXTERN int ndl_tcp_read_start(ndl_tcp *tcp, ndl_tcp_cb on_read, void *arg);
/** Stops delivering data; ndl_tcp_read_start() resumes.
 * @return 0, NDL_EINVAL (NULL tcp, a closing handle), or the error of
 * changing what the socket is watched for (the platform's). */
NDL_EXTERN int ndl_tcp_read_stop(ndl_tcp *tcp);
/** Queues a copy of data; writes go out in order. cb may be NULL. cb runs
 * with undefined from a nextTick when the write goes out whole inside this
 * call (the queue was empty and the handle connected), as Node's
 * socket.write does; else in the poll phase once the rest is sent. A send
 * that fails inside this call reaches cb in the next pending phase; one
 * that fails later fails every queued write, in the poll phase; a close
 * fails the writes still queued with NDL_ECANCELED, in the close phase,
 * before the close callback.
 * @return 0, NDL_EINVAL (NULL tcp; NULL data with len > 0; a listener; a
 * closing handle; after ndl_tcp_shutdown()), NDL_ENOMEM (the copy; or no
 * memory to report a failed send), NDL_NOIDS, or the error of watching the
 * socket (the platform's). */
NDL_EXTERN int ndl_tcp_write(ndl_tcp *tcp, const void *data, size_t len,
                             ndl_tcp_cb cb, void *arg);
/** Half-close: sends FIN once every queued write is out (at once when none
 * is queued). Reading goes on. No callback.
 * @return 0, NDL_EINVAL (NULL tcp, a handle that is not connected:
 * connecting, listening or closing), or the system error of shutdown when
 * no write is queued (NDL_ENOTCONN, ...); a shutdown sent after queued
 * writes reports no error. */
NDL_EXTERN int ndl_tcp_shutdown(ndl_tcp *tcp);
/** Closes the socket at once. Reading stops; queued writes fail with
 * NDL_ECANCELED. on_close (may be NULL) runs in the close phase, after the
 * failed writes' callbacks, after which the handle is freed. A
 * connection's on_close gets an int, Node's hadError: 1 when an error was
 * reported on it (connect, read or write), else 0; a listener's gets
 * undefined, as a server's 'close' event has no argument. A listener
 * stops listening at once, but while connections it accepted are open its
 * on_close waits, as Node's server.close(cb) does: it runs from a nextTick
 * queued when the last of them is closed (before that one's own on_close,
 * in the close phase).
 * With on_close NULL and no write queued it fails only with NDL_EINVAL:
 * when no memory is left for the close phase's step, the socket closes at
 * once and the handle's memory is reclaimed by ndl_loop_free().
 * @return 0, NDL_EINVAL (NULL tcp, a handle already closing), NDL_ENOMEM,
 * NDL_NOIDS (with on_close or a queued write only; nothing is closed
 * then). */
NDL_EXTERN int ndl_tcp_close(ndl_tcp *tcp, ndl_tcp_cb on_close, void *arg);
/** Closes a connection with a reset (TCP RST, as Node's
 * socket.resetAndDestroy() and libuv's uv_tcp_close_reset()): the peer's
 * next read fails with NDL_ECONNRESET instead of reading end of stream,
 * and neither side's unsent or unread bytes are delivered. Otherwise as
 * ndl_tcp_close(): queued writes fail with NDL_ECANCELED, and on_close
 * (may be NULL) runs in the close phase.
 * @return 0, NDL_EINVAL (NULL tcp; a handle that is not a connected
 * stream: resolving, connecting, listening or closing), the system error
 * of setting SO_LINGER (the handle stays open then), NDL_ENOMEM, NDL_NOIDS
 * (as ndl_tcp_close(): with on_close or a queued write only; nothing is
 * closed then, and the reset still applies to a later close). */
NDL_EXTERN int ndl_tcp_reset(ndl_tcp *tcp, ndl_tcp_cb on_close, void *arg);
/** Node's life for a connection (net.Socket's allowHalfOpen and
 * autoDestroy), for code ported from Node. From this call on the handle
 * closes itself, with on_close (may be NULL; it gets hadError, as with
 * ndl_tcp_close()), right after the callback that reported an error on it
 * (connect, read or write), or once both sides have ended: the peer's end
 * of stream was read, and this side's end (ndl_tcp_shutdown()) went out.
 * With allow_half_open 0, Node's default, reading the peer's end also
 * ends this side, after the read callback and the queued writes, as Node
 * calls socket.end(). Closing the handle yourself first stops all of it.
 * When the close cannot be registered (no memory), it is tried again after
 * the handle's next callback.
 * @return 0, NDL_EINVAL (NULL tcp, a listener, a closing handle),
 * NDL_EBUSY (called before for this handle). */
NDL_EXTERN int ndl_tcp_auto_close(ndl_tcp *tcp, int allow_half_open,
                                  ndl_tcp_cb on_close, void *arg);
/** The loop the handle belongs to. tcp must not be NULL. */
NDL_EXTERN ndl_loop *ndl_tcp_loop(const ndl_tcp *tcp);
/** An unref'd handle does not keep the loop alive, as Node's
 * server.unref() and socket.unref().
 * @return 0, NDL_EINVAL (NULL tcp). */
NDL_EXTERN int ndl_tcp_unref(ndl_tcp *tcp);
/** Undoes ndl_tcp_unref(). @return 0, NDL_EINVAL (NULL tcp). */
NDL_EXTERN int ndl_tcp_ref(ndl_tcp *tcp);
/** @} */

/**
 * @defgroup http HTTP GET
 * @{
 * A small HTTP/1.1 client on nodeloop's own TCP, one request per connection.
 */
/** GETs an http:// URL (its `#fragment` is not sent). cb receives the body as
 * a string for a 2xx answer, or an error: NDL_BADURL, NDL_EAI (name
 * lookup), a connection error, NDL_BADRESPONSE (malformed as Node's llhttp
 * judges it, a head over 16 KiB, a response over 64 MiB, or a status other
 * than 2xx, with the status in the message). Bodies sized by
 * Content-Length, chunked, or delimited by close are accepted; 1xx interim
 * responses are skipped (docs/semantics.md, "HTTP responses"). cb runs once:
 * in the poll phase as a rule; a malformed URL, or a numeric address
 * refused at once, in the next pending phase. Freeing the loop during the
 * request frees it without a callback.
 * @return 0, NDL_EINVAL (NULL loop, url or cb), NDL_ENOMEM, NDL_NOIDS,
 * NDL_BADURL (a URL that parses but makes a request line over 2 KiB), or
 * the error of starting the connection (as ndl_tcp_connect()). */
NDL_EXTERN int ndl_http_get(ndl_loop *loop, const char *url, ndl_cb cb,
                            void *arg);
/** @} */

#ifdef __cplusplus
}
#endif
#endif
