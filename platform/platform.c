/*
 * What both backends share: numeric addresses, and the trace events of pool
 * work, which a backend emits from the thread that runs it (a pool thread
 * on Linux, the loop thread on the sim).
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "core/alloc.h"
#include "platform.h"

void ndl__platform_trace_work(struct ndl__platform *p, ndl_trace_kind kind,
                              const struct ndl__work *w, const char *thread,
                              uint64_t now_ns) {
  ndl_trace_event ev;
  if (p->trace == NULL)
    return;
  memset(&ev, 0, sizeof(ev));
  ev.kind = kind;
  ev.thread = thread;
  ev.now_ns = now_ns;
  ev.phase = NDL_PHASE_POLL;
  ev.cb_kind = NDL_CB_WORK;
  ev.id = w->id;
  ev.text = w->kind;
  p->trace(p->trace_ctx, &ev);
}

/* inet_pton() is a parser, not a system call: the sim uses it too. */
int ndl__addr_parse(const char *host, int port, struct ndl__addr *out) {
  if (port < 0 || port > 65535)
    return NDL_EINVAL;
  memset(out, 0, sizeof(*out));
  out->port = (uint16_t)port;
  if (inet_pton(AF_INET, host, out->ip) == 1) {
    out->family = 4;
    return 0;
  }
  if (inet_pton(AF_INET6, host, out->ip) == 1) {
    out->family = 6;
    return 0;
  }
  return NDL_EAI;
}

#ifndef NDL_HAVE_URING
/* A build without liburing (cmake -DNDL_IO_URING=OFF) has no io_uring
 * backend, and says so as a kernel that refuses io_uring would. */
static int no_uring(char *why, size_t cap) {
  if (why != NULL && cap > 0)
    snprintf(why, cap,
             "this nodeloop was built without io_uring "
             "(NDL_IO_URING=OFF: no liburing)");
  return NDL_ENOTSUP;
}

int ndl__uring_new(const ndl_options *opts, unsigned threads,
                   struct ndl__platform **out, char *why, size_t cap) {
  (void)opts;
  (void)threads;
  if (out != NULL)
    *out = NULL;
  return no_uring(why, cap);
}

int ndl__uring_check(char *why, size_t cap) {
  return no_uring(why, cap);
}
#endif

/* ---- Whole-file reads (ndl_fs_read), on the pool or in a ring. */

/* The first buffer when the size says nothing (0, as for /proc files). */
#define FILE_READ_FIRST ((size_t)4096)

int ndl__file_read_room(struct ndl__file_read *r, uint64_t size_hint) {
  size_t cap;
  char *buf;

  if (r->buf == NULL) {
    if (size_hint > NDL__FILE_READ_MAX)
      return NDL_EFBIG;
    /* + 1: room to see the end of the file without growing. */
    cap = size_hint > 0 ? (size_t)size_hint + 1 : FILE_READ_FIRST;
  } else if (r->len < r->cap) {
    return 0;
  } else if (r->cap > NDL__FILE_READ_MAX) {
    return NDL_EFBIG;
  } else {
    cap = r->cap > NDL__FILE_READ_MAX / 2 ? NDL__FILE_READ_MAX + 1 : r->cap * 2;
  }
  if ((buf = ndl__reallocarray(r->buf, cap, 1)) == NULL)
    return NDL_ENOMEM;
  r->buf = buf;
  r->cap = cap;
  return 0;
}

void ndl__file_read_end(struct ndl__file_read *r, int err) {
  r->err = err;
  if (err != 0) {
    ndl__free(r->buf);
    r->buf = NULL;
    r->len = r->cap = 0;
  }
}

/* The file is read until end of file rather than for its size, which can
 * be stale (the file grows while we read) or 0 (/proc files). */
void ndl__file_read_run(struct ndl__platform *p, struct ndl__file_read *r) {
  struct ndl__file_stat st;
  int fd = -1, err;
  ssize_t n;

  r->call = "open";
  if ((err = p->files->open(p, r->path, &fd)) != 0)
    goto done;
  r->call = "fstat";
  if ((err = p->files->stat(p, fd, &st)) != 0)
    goto done;
  r->call = "read";
  /* open() accepts a directory; read() would fail with EISDIR anyway, but
   * saying so up front spares a buffer. */
  if (st.is_dir) {
    err = NDL_EISDIR;
    goto done;
  }
  for (;;) {
    if ((err = ndl__file_read_room(r, st.size)) != 0)
      goto done;
    n = p->files->read(p, fd, r->buf + r->len, r->cap - r->len);
    if (n == NDL_EINTR)
      continue;
    if (n < 0) {
      err = (int)n;
      goto done;
    }
    if (n == 0)
      break;
    r->len += (size_t)n;
  }
  r->buf[r->len] = '\0'; /* len < cap: the last read returned 0 with room */

done:
  if (fd >= 0)
    p->files->close(p, fd);
  ndl__file_read_end(r, err);
}
