/*
 * ndl_fs_read(): the chapter's Fs::read, a whole-file read.
 *
 * The read itself (open, stat, read to the end, close) is the platform's
 * (platform.h: struct ndl__file_read): on the pool through the backend's
 * files table, or, where the backend reads files on its own event source
 * (io_uring), there, with no pool thread. Either way the outcome comes
 * back to the loop thread, which makes the callback's value.
 *
 * The chapter unwrapped every I/O result and panicked on a missing file; here
 * each failure reaches the callback as an NDL_ERROR in Node's format,
 * "ENOENT: no such file or directory, open 'test.txt'".
 */
#include <string.h>

#include "core/alloc.h"
#include "nodeloop.h"
#include "platform/platform.h"
#include "runtime/runtime.h"

struct fs_req {
  ndl_cb cb;
  void *arg;
  struct ndl__platform *platform; /* its files table reaches the disk */
  struct ndl__file_read read;
  char path[]; /* copied at call time */
};

/* Frees a request whose callback never ran (the loop was freed first). */
static void fs_req_free(void *arg) {
  struct fs_req *req = arg;
  ndl__free(req->read.buf);
  ndl__free(req);
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

/* The callback's value: the bytes, handed over without a copy (buf was
 * allocated with ndl__malloc, which ndl_value_clear() frees), or the error
 * in Node's text, with the path only where the call took one. On ENOMEM
 * the value becomes a bare NDL_ENOMEM error, which is right. */
static void outcome(struct ndl__file_read *r, ndl_value *v) {
  const char *name, *msg;
  int err;

  memset(v, 0, sizeof(*v));
  if (r->err == 0) {
    v->kind = NDL_STRING;
    v->as.str.ptr = r->buf;
    v->as.str.len = r->len;
    r->buf = NULL;
    return;
  }
  describe(r->err, &name, &msg);
  if (strcmp(r->call, "open") == 0)
    err = ndl_value_set_error(v, r->err, "%s: %s, %s '%s'", name, msg, r->call,
                              r->path);
  else
    err = ndl_value_set_error(v, r->err, "%s: %s, %s", name, msg, r->call);
  if (err == 0)
    v->as.err.syscall = r->call;
}

/* Runs on a pool thread. */
static void fs_work(void *arg, ndl_value *result) {
  struct fs_req *req = arg;
  (void)result;
  ndl__file_read_run(req->platform, &req->read);
}

/* Runs on the loop thread. The request is freed before the user's callback
 * runs, so nothing is left to free if that callback stops the loop. */
static void fs_done(ndl_loop *loop, const ndl_value *value, void *arg) {
  struct fs_req *req = arg;
  ndl_cb cb = req->cb;
  void *user_arg = req->arg;
  ndl_value v;

  (void)value;
  outcome(&req->read, &v);
  ndl__free(req);
  cb(loop, &v, user_arg);
  ndl_value_clear(&v);
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
  if ((req = ndl__calloc(1, sizeof(*req) + len + 1)) == NULL)
    return NDL_ENOMEM;
  req->cb = cb;
  req->arg = arg;
  req->platform = ndl__loop_platform(loop);
  memcpy(req->path, path, len + 1);
  req->read.path = req->path;
  err = ndl__queue_file_read(loop, "File read", delay_ms, fs_work, fs_done, req,
                             &req->read, &id);
  if (err) {
    ndl__free(req);
    return err;
  }
  /* If the loop is freed before fs_done runs, the request goes with it. */
  return ndl__set_release(loop, id, fs_req_free);
}
