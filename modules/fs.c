/*
 * ndl_fs_read(): the chapter's Fs::read, a whole-file read on the pool.
 *
 * The chapter unwrapped every I/O result and panicked on a missing file; here
 * each failure reaches the callback as an NDL_ERROR in Node's format,
 * "ENOENT: no such file or directory, open 'test.txt'".
 *
 * The file is read until EOF rather than for st_size bytes, because
 * st_size can be stale (the file grows while we read) or 0 (/proc files).
 */
#include <string.h>

#include "core/alloc.h"
#include "nodeloop.h"
#include "runtime/runtime.h"

/* Files above 1 GiB are refused with NDL_EFBIG: a callback receives the
 * whole file as one string, and Node itself caps readFile at 2 GiB. */
#define FS_MAX_SIZE ((size_t)1 << 30)
/* The first buffer when st_size says nothing (0, as for /proc files). */
#define FS_FIRST_CHUNK ((size_t)4096)

struct fs_req {
  ndl_cb cb;
  void *arg;
  struct ndl__platform *platform; /* its files table reaches the disk */
  char path[];                    /* copied at call time */
};

/* Reads fd to EOF into a NUL-terminated buffer. Short reads and EINTR just
 * loop. The buffer doubles as it fills, up to FS_MAX_SIZE + 1 bytes, so
 * that a file one byte too big is caught without reading it all. */
static int read_all(struct ndl__platform *p, int fd, size_t hint, char **out,
                    size_t *out_len) {
  size_t cap, len = 0;
  char *buf, *bigger;
  ssize_t r;

  if (hint > FS_MAX_SIZE)
    return NDL_EFBIG;
  cap = hint > 0 ? hint + 1 : FS_FIRST_CHUNK; /* + 1: room to see EOF */
  if ((buf = ndl__malloc(cap)) == NULL)
    return NDL_ENOMEM;
  for (;;) {
    if (len == cap) {
      if (cap > FS_MAX_SIZE) {
        ndl__free(buf);
        return NDL_EFBIG;
      }
      cap = cap > FS_MAX_SIZE / 2 ? FS_MAX_SIZE + 1 : cap * 2;
      if ((bigger = ndl__reallocarray(buf, cap, 1)) == NULL) {
        ndl__free(buf);
        return NDL_ENOMEM;
      }
      buf = bigger;
    }
    r = p->files->read(p, fd, buf + len, cap - len);
    if (r < 0) {
      if (r == NDL_EINTR)
        continue;
      ndl__free(buf);
      return (int)r;
    }
    if (r == 0)
      break;
    len += (size_t)r;
  }
  buf[len] = '\0'; /* len < cap: the last read returned 0 with room left */
  *out = buf;
  *out_len = len;
  return 0;
}

/* The name and message of an error: nodeloop's own, else glibc's for an
 * errno outside NDL_ERRNO_MAP (ENOTDIR, ELOOP, ...). */
static void describe(int err, const char **name, const char **msg) {
  *name = ndl_err_name(err);
  *msg = ndl_strerror(err);
#if defined(__GLIBC__) && (__GLIBC__ > 2 || __GLIBC_MINOR__ >= 32)
  if (strcmp(*name, "UNKNOWN") == 0 && err < 0 &&
      strerrorname_np(-err) != NULL) {
    *name = strerrorname_np(-err);
    *msg = strerrordesc_np(-err);
  }
#endif
}

/* Runs on a pool thread. */
static void fs_work(void *arg, ndl_value *result) {
  const struct fs_req *req = arg;
  struct ndl__platform *p = req->platform;
  const char *name, *msg, *call = "open";
  struct ndl__file_stat st;
  /* Set by read_all() on success; initialised because gcc -O2 cannot see
   * that (-Wmaybe-uninitialized under -Werror). */
  char *buf = NULL;
  size_t len = 0;
  int fd = -1, err;

  if ((err = p->files->open(p, req->path, &fd)) != 0)
    goto fail;
  call = "fstat";
  if ((err = p->files->stat(p, fd, &st)) != 0)
    goto fail;
  call = "read";
  /* open() accepts a directory; read() would fail with EISDIR anyway, but
   * saying so up front spares a buffer. */
  if (st.is_dir) {
    err = NDL_EISDIR;
    goto fail;
  }
  err = read_all(p, fd, st.size > FS_MAX_SIZE ? FS_MAX_SIZE + 1 : st.size, &buf,
                 &len);
  if (err)
    goto fail;
  p->files->close(p, fd);
  /* Hand the buffer over instead of copying it with ndl_value_set_string():
   * it was allocated with ndl__malloc, which ndl_value_clear() frees. */
  ndl_value_clear(result);
  result->kind = NDL_STRING;
  result->as.str.ptr = buf;
  result->as.str.len = len;
  return;

fail:
  if (fd >= 0)
    p->files->close(p, fd);
  describe(err, &name, &msg);
  /* Node's text: the path only where the call took one. On ENOMEM the value
   * becomes a bare NDL_ENOMEM error, which is right. */
  if (strcmp(call, "open") == 0)
    err = ndl_value_set_error(result, err, "%s: %s, %s '%s'", name, msg, call,
                              req->path);
  else
    err = ndl_value_set_error(result, err, "%s: %s, %s", name, msg, call);
  if (err == 0)
    result->as.err.syscall = call;
}

/* Runs on the loop thread. The request is freed before the user's callback
 * runs, so nothing is left to free if that callback stops the loop. */
static void fs_done(ndl_loop *loop, const ndl_value *value, void *arg) {
  struct fs_req *req = arg;
  ndl_cb cb = req->cb;
  void *user_arg = req->arg;

  ndl__free(req);
  cb(loop, value, user_arg);
}

int ndl_fs_read(ndl_loop *loop, const char *path, int64_t delay_ms, ndl_cb cb,
                void *arg) {
  struct fs_req *req;
  size_t len;
  ndl_id id;
  int err;

  if (loop == NULL || path == NULL || cb == NULL || delay_ms < 0)
    return NDL_EINVAL;
  len = strlen(path);
  if ((req = ndl__malloc(sizeof(*req) + len + 1)) == NULL)
    return NDL_ENOMEM;
  req->cb = cb;
  req->arg = arg;
  req->platform = ndl__loop_platform(loop);
  memcpy(req->path, path, len + 1);
  err = ndl_queue_work(loop, "File read", delay_ms, fs_work, fs_done, req, &id);
  if (err) {
    ndl__free(req);
    return err;
  }
  /* If the loop is freed before fs_done runs, the request goes with it. */
  return ndl__set_release(loop, id, ndl__free);
}
