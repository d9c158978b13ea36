/**
 * @file nodeloop_value.h
 * @brief What a callback receives: a value (undefined, a string, an int or
 * an error), and the error codes every function returns.
 *
 * Part of nodeloop.h, which includes it: include nodeloop.h.
 */
#ifndef NODELOOP_VALUE_H
#define NODELOOP_VALUE_H

#ifndef NODELOOP_H
#error "nodeloop_value.h is part of nodeloop.h: include nodeloop.h"
#endif

/**
 * @defgroup errors Errors
 * @{
 * System errors keep their negated errno value, as libuv does, so an error
 * from the kernel needs no translation. nodeloop's own errors sit above the
 * errno range.
 */
/** X(NAME, value, "message"): every error code, once. enum ndl_errno has
 * NDL_NAME = value for each row (NDL_EINVAL, ..., NDL_EXITING); a
 * function may also return another negated errno that the kernel gave it. */
#define NDL_ERRNO_MAP(X)                                                       \
  X(EINVAL, -EINVAL, "invalid argument")                                       \
  X(ENOMEM, -ENOMEM, "out of memory")                                          \
  X(EBUSY, -EBUSY, "loop is already running")                                  \
  X(ENOENT, -ENOENT, "no such file or directory")                              \
  X(EISDIR, -EISDIR, "illegal operation on a directory")                       \
  X(EACCES, -EACCES, "permission denied")                                      \
  X(EFBIG, -EFBIG, "file too large")                                           \
  X(EMFILE, -EMFILE, "too many open files")                                    \
  X(EAGAIN, -EAGAIN, "resource temporarily unavailable")                       \
  X(EINTR, -EINTR, "interrupted system call")                                  \
  X(ERANGE, -ERANGE, "result out of range")                                    \
  X(ECONNREFUSED, -ECONNREFUSED, "connection refused")                         \
  X(ECONNRESET, -ECONNRESET, "connection reset by peer")                       \
  X(ECONNABORTED, -ECONNABORTED, "software caused connection abort")           \
  X(ETIMEDOUT, -ETIMEDOUT, "connection timed out")                             \
  X(EPIPE, -EPIPE, "broken pipe")                                              \
  X(ENOTCONN, -ENOTCONN, "socket is not connected")                            \
  X(EADDRINUSE, -EADDRINUSE, "address already in use")                         \
  X(ENOSPC, -ENOSPC, "no space left on device")                                \
  X(ENOTSUP, -ENOTSUP, "operation not supported")                              \
  X(ECANCELED, -ECANCELED, "operation canceled")                               \
  X(EEXIST, -EEXIST, "file descriptor is already watched")                     \
  X(EIO, -EIO, "input/output error")                                           \
  X(EDEADLK, -EDEADLK, "the loop would block forever (sim)")                   \
  X(EBADF, -EBADF, "bad file descriptor")                                      \
  X(EPERM, -EPERM, "operation not permitted")                                  \
  X(NOIDS, -4001, "every callback id is in use")                               \
  X(NOTFOUND, -4002, "no live callback has this id")                           \
  X(BADKIND, -4003, "id names a callback of another kind")                     \
  X(NOTHREADS, -4004, "no pool thread could be started")                       \
  X(BADURL, -4005, "malformed URL")                                            \
  X(BADRESPONSE, -4006, "malformed HTTP response")                             \
  X(EAI, -4007, "name lookup failed")                                          \
  X(BADFAULTS, -4008, "malformed fault plan")                                  \
  X(EXITING, -4009, "the loop is exiting: only microtasks may be queued")

/** The error codes: NDL_NAME for each row of NDL_ERRNO_MAP. */
enum ndl_errno {
#define NDL_ERRNO_ENUM(name, value, msg) NDL_##name = (value),
  NDL_ERRNO_MAP(NDL_ERRNO_ENUM)
#undef NDL_ERRNO_ENUM
};

/** The message for an error code ("invalid argument"), "success" for 0, or
 * "unknown error" for any other value. Never fails. */
NDL_EXTERN const char *ndl_strerror(int err);
/** The symbolic name of an error code ("ENOENT", "NOIDS"), "OK" for 0, or
 * "UNKNOWN" for any other value. Never fails. */
NDL_EXTERN const char *ndl_err_name(int err);
/** @} */

/**
 * @defgroup values Values
 * @{
 * What a callback receives: the chapter's Js enum plus errors. The library
 * owns the memory; it is valid for the duration of the callback.
 *
 * The setters are for work functions. They replace what the value held. The
 * string setters copy; on ENOMEM the value becomes an NDL_ENOMEM error. A
 * NULL v, s or fmt is NDL_EINVAL from the int setters (the value is left as
 * it was; a NULL s is refused even when len is 0), and makes the void ones
 * (set_undefined, set_int, clear) do nothing.
 */
/** Which member of ndl_value::as holds the value. */
typedef enum ndl_value_kind {
  NDL_UNDEFINED = 0, /**< nothing: success without a result */
  NDL_STRING,        /**< as.str */
  NDL_INT,           /**< as.i */
  NDL_ERROR          /**< as.err */
} ndl_value_kind;

/** A tagged value: undefined, a string, an int or an error. */
typedef struct ndl_value {
  ndl_value_kind kind; /**< which member of as is set */
  /** The value, as kind says. */
  union {
    /** NDL_STRING: the bytes, which may contain NULs. */
    struct {
      char *ptr;  /**< NUL-terminated, and len excludes the NUL */
      size_t len; /**< the length in bytes */
    } str;
    int64_t i; /**< NDL_INT */
    /** NDL_ERROR: a code, a message, and the system call that failed. */
    struct {
      int code;  /**< a negative ndl_errno */
      char *msg; /**< Node's text ("ENOENT: ...", "connect ECONNREFUSED
                    127.0.0.1:80"), or NULL */
      /** Node's err.syscall: the system call that failed ("open", "read",
       * "connect", "write", "getaddrinfo"), a static string, or NULL
       * (ndl_value_set_error() sets NULL; set it after). */
      const char *syscall;
    } err;
  } as;
} ndl_value;

/** Makes v undefined, freeing what it owned. A NULL v does nothing. */
NDL_EXTERN void ndl_value_set_undefined(ndl_value *v);
/** Makes v the NDL_INT i, freeing what it owned. A NULL v does
 * nothing. */
NDL_EXTERN void ndl_value_set_int(ndl_value *v, int64_t i);
/** Makes v an NDL_STRING holding a NUL-terminated copy of the len bytes at
 * s. @return 0, NDL_EINVAL (NULL v or s; v unchanged) or NDL_ENOMEM (v
 * becomes an NDL_ENOMEM error). */
NDL_EXTERN int ndl_value_set_string(ndl_value *v, const char *s, size_t len);
/** Makes v an NDL_ERROR with code (a non-negative code becomes NDL_EINVAL)
 * and a printf-formatted message, cut at 511 bytes. @return 0, NDL_EINVAL
 * (NULL v or fmt; v unchanged) or NDL_ENOMEM (v becomes an NDL_ENOMEM error
 * without a message). */
NDL_EXTERN int ndl_value_set_error(ndl_value *v, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/** Frees what the value owns and makes it undefined. A NULL v does
 * nothing. */
NDL_EXTERN void ndl_value_clear(ndl_value *v);
/** @} */

#endif /* NODELOOP_VALUE_H */
