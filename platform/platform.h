/*
 * The platform vtable: everything that leaves the process, behind tables of
 * function pointers, so that a test swaps the real kernel (platform/linux/)
 * for a simulated world (platform/sim/) at run time, as SQLite's VFS swaps
 * its OS layer.
 *
 * One table per concern, as SQLite splits its VFS from its file methods:
 *   ops    the clock, fd watching, the pool and wake-ups: what the loop
 *          itself needs;
 *   net    TCP sockets and name lookup (modules/tcp.c);
 *   files  whole-file reads (modules/fs.c);
 *   sim    the controls of a simulated world; NULL on a backend that runs
 *          in real time.
 * No module asks which backend it runs on: where the difference matters,
 * a table says it.
 *
 * Descriptors are the backend's own numbers: kernel fds on Linux, virtual
 * ones on sim. Every call returns 0 (or a count) or a negative NDL_* code,
 * never -1 with errno, so that a backend without a kernel has nothing to
 * translate.
 *
 * wait() only translates what happened into fired records; it never calls
 * user code. Only the core calls callbacks.
 */
#ifndef NDL_PLATFORM_H
#define NDL_PLATFORM_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "core/core.h"
#include "nodeloop.h"

struct ndl__platform;

/* An IPv4 or IPv6 address with its port: the vtable's own type, so that a
 * simulated network needs no sockaddr. */
struct ndl__addr {
  int family; /* 4 or 6 */
  uint16_t port;
  uint8_t ip[16]; /* network order; IPv4 uses the first 4 bytes */
};

/* Parses a numeric IPv4 or IPv6 address. Errors: NDL_EINVAL (port out of
 * range), NDL_EAI (not a numeric address: a name to resolve). */
int ndl__addr_parse(const char *host, int port, struct ndl__addr *out);

struct ndl__platform_ops {
  const char *name;
  /* Bytes the loop allocates for a work record: the backend's own record,
   * which begins with a struct ndl__work and adds the backend's fields. */
  size_t work_size;
  /* The monotonic clock, in ns. */
  uint64_t (*now)(struct ndl__platform *p);
  /* Watch fd for events (NDL_READABLE | NDL_WRITABLE), reported under id.
   * io_add on a watched fd fails with NDL_EEXIST. */
  int (*io_add)(struct ndl__platform *p, int fd, ndl_id id, unsigned events);
  int (*io_modify)(struct ndl__platform *p, int fd, ndl_id id, unsigned events);
  int (*io_remove)(struct ndl__platform *p, int fd);
  /* Blocks for at most timeout_ns (-1: no limit; rounded up, so a timer
   * never fires early) until an fd is ready, work finishes or wake() is
   * called. Fills out[0..*n) with at most cap records. Returns 0 or a fatal
   * error (sim: NDL_EDEADLK when nothing could ever happen). */
  int (*wait)(struct ndl__platform *p, int64_t timeout_ns,
              struct ndl__fired *out, size_t cap, size_t *n);
  /* Makes a wait() in progress, or the next one, return. Any thread. */
  int (*wake)(struct ndl__platform *p);
  /* Queues work for the pool; ownership passes to the platform until wait()
   * hands it back. Errors: NDL_ENOMEM. */
  int (*submit)(struct ndl__platform *p, struct ndl__work *w);
  /* The name of the calling thread ("main", "pool0"). */
  const char *(*thread_name)(struct ndl__platform *p);
  /* Pool threads that are running. */
  unsigned (*pool_size)(struct ndl__platform *p);
  /* Stops the pool before the loop is freed: queued tasks never run, and
   * the threads exit. Errors: NDL_EBUSY when a task body is still running
   * (then it may be called again). */
  int (*stop_pool)(struct ndl__platform *p);
  /* Closes every fd of its own and frees work still held; after
   * stop_pool(). */
  void (*destroy)(struct ndl__platform *p);
};

/* Non-blocking TCP, on the loop thread, except resolve(), which may block
 * and runs on the pool. Readiness is reported through io_add's watching. */
struct ndl__net_ops {
  /* Looks a name up. Errors: NDL_EAI. */
  int (*resolve)(struct ndl__platform *p, const char *host, int port,
                 struct ndl__addr *out);
  int (*socket)(struct ndl__platform *p, int family, int *fd);
  /* Starts connecting. 0: connected or in progress; the fd turns writable
   * when it is done and connect_result() says how it ended. */
  int (*connect)(struct ndl__platform *p, int fd, const struct ndl__addr *to);
  /* 0, or the error a finished connect failed with. */
  int (*connect_result)(struct ndl__platform *p, int fd);
  int (*listen)(struct ndl__platform *p, int fd, const struct ndl__addr *at,
                int backlog);
  /* A waiting connection, or NDL_EAGAIN. */
  int (*accept)(struct ndl__platform *p, int fd, int *client);
  int (*local_addr)(struct ndl__platform *p, int fd, struct ndl__addr *out);
  /* Bytes read (0: end of stream), or NDL_EAGAIN, or an error. */
  ssize_t (*recv)(struct ndl__platform *p, int fd, void *buf, size_t len);
  /* Bytes taken, possibly fewer than len, or NDL_EAGAIN, or an error. Never
   * raises SIGPIPE: a closed peer is NDL_EPIPE. */
  ssize_t (*send)(struct ndl__platform *p, int fd, const void *buf, size_t len);
  /* Half-close: no more sends; the peer reads end of stream. */
  int (*shutdown)(struct ndl__platform *p, int fd);
  void (*close)(struct ndl__platform *p, int fd);
  /* Makes the next close() of fd a reset (SO_LINGER of zero): the peer's
   * reads fail with NDL_ECONNRESET, and what was queued is dropped. */
  int (*reset_on_close)(struct ndl__platform *p, int fd);
};

struct ndl__file_stat {
  uint64_t size; /* a hint: 0 for files that do not know (/proc) */
  int is_dir;
};

/* A whole-file read, as ndl_fs_read() makes it: open, stat, read to end
 * of file, close. On the pool, ndl__file_read_run() makes it through a
 * backend's files table; a backend with an event source that reads files
 * itself (io_uring) makes the same calls there, with the same buffer rule
 * (ndl__file_read_room()). Either way the outcome is left here for the loop
 * thread: the bytes, or an error and the call that failed. */
#define NDL__FILE_READ_MAX ((size_t)1 << 30) /* larger files: NDL_EFBIG */
struct ndl__file_read {
  const char *path;
  char *buf;        /* ndl__malloc'd, NUL-terminated when err == 0 */
  size_t len, cap;  /* bytes read, and room in buf (one more for the NUL) */
  int err;          /* 0, or what failed */
  const char *call; /* "open", "fstat" or "read": the call that failed */
};

/* Makes sure buf has room for more bytes: the first buffer is size_hint + 1
 * bytes (4096 when the size says nothing, as for /proc files), doubled as
 * it fills, up to NDL__FILE_READ_MAX + 1 so that a file one byte too big is
 * caught without reading it all. Errors: NDL_EFBIG, NDL_ENOMEM. */
int ndl__file_read_room(struct ndl__file_read *r, uint64_t size_hint);
/* Ends the read with err (0: the bytes are in buf, NUL-terminated); an
 * error frees the buffer. */
void ndl__file_read_end(struct ndl__file_read *r, int err);
/* The read through p's files table: blocking, for the pool. */
void ndl__file_read_run(struct ndl__platform *p, struct ndl__file_read *r);

/* Blocking file calls, for the pool (any pool thread at once). */
struct ndl__file_ops {
  int (*open)(struct ndl__platform *p, const char *path, int *fd);
  int (*stat)(struct ndl__platform *p, int fd, struct ndl__file_stat *st);
  /* Bytes read, 0 at end of file, or an error (NDL_EINTR: try again). */
  ssize_t (*read)(struct ndl__platform *p, int fd, void *buf, size_t len);
  void (*close)(struct ndl__platform *p, int fd);
};

/* The controls of a simulated world, behind ndl_sim_* in the public API. */
struct ndl__sim_ops {
  int (*script_ready)(struct ndl__platform *p, int fd, unsigned events,
                      uint64_t at_ns);
  int (*advance)(struct ndl__platform *p, uint64_t ns);
  /* data == NULL with len == 0 and err == 0 declares a directory; err < 0
   * makes opening path fail with err. */
  int (*file_add)(struct ndl__platform *p, const char *path, const void *data,
                  size_t len, int err);
  int (*host_add)(struct ndl__platform *p, const char *name,
                  const struct ndl__addr *addr);
};

struct ndl__platform {
  const struct ndl__platform_ops *ops;
  const struct ndl__net_ops *net;
  const struct ndl__file_ops *files;
  const struct ndl__sim_ops *sim; /* NULL: real time */
  ndl_trace_fn trace;             /* for events on pool threads */
  void *trace_ctx;
};

/* Emits a WORK_START or WORK_DONE event from the thread that runs w. */
void ndl__platform_trace_work(struct ndl__platform *p, ndl_trace_kind kind,
                              const struct ndl__work *w, const char *thread,
                              uint64_t now_ns);

/* Backends. Errors: NDL_EINVAL, NDL_ENOMEM, NDL_NOTHREADS, system errors. */
int ndl__sim_new(const ndl_options *opts, struct ndl__platform **out);
int ndl__linux_new(const ndl_options *opts, unsigned threads,
                   struct ndl__platform **out);
/* Also NDL_ENOTSUP where the kernel refuses io_uring, or the build has no
 * liburing; why (cap bytes) then says which, as it does for a failed ring.
 * ndl__uring_check() makes and closes a small ring to find out. */
int ndl__uring_new(const ndl_options *opts, unsigned threads,
                   struct ndl__platform **out, char *why, size_t cap);
int ndl__uring_check(char *why, size_t cap);

#endif
