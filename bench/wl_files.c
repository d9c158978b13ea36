/*
 * A chain of whole-file reads, as Node's fs.readFile: each read of a 1 KiB
 * file starts in the previous read's callback, n reads in all, timed from
 * the first request to the last callback.
 *
 * nodeloop reads the file with one pool task (ndl_fs_read: open, fstat,
 * read to EOF, close, all on the worker). The libuv side is what Node's
 * readFile does through libuv's pool: uv_fs_open, uv_fs_fstat, uv_fs_read
 * until a read returns 0, uv_fs_close, each its own request with a callback
 * on the loop, so each file costs libuv five trips through the pool where
 * it costs nodeloop one. Both make the same system calls on the worker
 * (open, fstat, read, read, close). Node itself stops reading when it has
 * st_size bytes, saving the last read; the EOF read is kept here so that
 * both sides read alike.
 *
 * The fixture is created in a fresh temporary directory before the clock
 * starts and removed at the end; every read's length and bytes are checked
 * against it, and the first mismatch stops the chain and fails the run.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bench.h"
#include "nodeloop.h"
#include <uv.h>

#define FIXTURE_LEN 1024

static char fixture[FIXTURE_LEN];
static char dir[4096], path[4096 + 16];
static uint64_t target, reads;
static size_t bad_len = SIZE_MAX; /* the length of the mismatched read */
static struct bench_clock timing;
static int failed; /* the first error, as the library's own code */

/* Writes the fixture, whose bytes depend on their position (a read that
 * came back shifted or short does not compare equal), to a file in a new
 * temporary directory. Returns 0, or 1 after saying why. */
static int make_fixture(void) {
  const char *tmp = getenv("TMPDIR");
  size_t i;
  int fd;
  ssize_t w;

  for (i = 0; i < FIXTURE_LEN; i++)
    fixture[i] = (char)(i % 251);
  snprintf(dir, sizeof(dir), "%s/nodeloop-bench-XXXXXX",
           tmp != NULL && tmp[0] != '\0' ? tmp : "/tmp");
  if (mkdtemp(dir) == NULL)
    return bench_fail("mkdtemp %s: %s", dir, strerror(errno));
  snprintf(path, sizeof(path), "%s/fixture", dir);
  if ((fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600)) < 0) {
    bench_fail("open %s: %s", path, strerror(errno));
    rmdir(dir);
    return 1;
  }
  w = write(fd, fixture, FIXTURE_LEN);
  if (close(fd) != 0 || w != FIXTURE_LEN) {
    bench_fail("write %s: %s", path, w < 0 ? strerror(errno) : "short write");
    unlink(path);
    rmdir(dir);
    return 1;
  }
  return 0;
}

static void remove_fixture(void) {
  unlink(path);
  rmdir(dir);
}

/* Checks one whole-file read against the fixture. Returns 1 when the next
 * read should start; at the last read it stops the clock and returns 0. */
static int read_done(const char *buf, size_t len) {
  if (len != FIXTURE_LEN || memcmp(buf, fixture, FIXTURE_LEN) != 0) {
    bad_len = len;
    return 0;
  }
  if (++reads < target)
    return 1;
  bench_clock_stop(&timing);
  return 0;
}

/* Removes the fixture, then judges the run: an error, a read that did not
 * match, or a chain cut short fails it. */
static int check(const char *(*describe)(int)) {
  remove_fixture();
  if (failed != 0)
    return bench_fail("read %llu: %s", (unsigned long long)reads + 1,
                      describe(failed));
  if (bad_len == FIXTURE_LEN)
    return bench_fail("read %llu: the bytes differ from the fixture's",
                      (unsigned long long)reads + 1);
  if (bad_len != SIZE_MAX)
    return bench_fail("read %llu: %zu bytes, the fixture has %d",
                      (unsigned long long)reads + 1, bad_len, FIXTURE_LEN);
  if (reads != target)
    return bench_fail("%llu of %llu reads completed", (unsigned long long)reads,
                      (unsigned long long)target);
  bench_emit_rate(&timing, "reads_per_s", reads);
  return 0;
}

/* ---- nodeloop */

static void ndl_on_read(ndl_loop *loop, const ndl_value *v, void *arg);

static void ndl_read_next(ndl_loop *loop) {
  int err = ndl_fs_read(loop, path, 0, ndl_on_read, NULL);
  if (err != 0)
    failed = err;
}

static void ndl_on_read(ndl_loop *loop, const ndl_value *v, void *arg) {
  (void)arg;
  if (v->kind != NDL_STRING)
    failed = v->kind == NDL_ERROR ? v->as.err.code : NDL_EINVAL;
  else if (read_done(v->as.str.ptr, v->as.str.len))
    ndl_read_next(loop);
}

static void ndl_files_main(ndl_loop *loop, void *arg) {
  (void)arg;
  bench_clock_start(&timing);
  ndl_read_next(loop);
}

int bench_files_ndl(uint64_t n) {
  ndl_options opts;
  ndl_loop *loop;
  int err;

  target = n;
  if (make_fixture() != 0)
    return 1;
  ndl_options_init(&opts);
  opts.threadpool_size = BENCH_POOL_THREADS;
  if ((err = ndl_loop_new(&opts, &loop)) != 0) {
    remove_fixture();
    return bench_fail("ndl_loop_new: %s", ndl_strerror(err));
  }
  if ((err = ndl_run(loop, ndl_files_main, NULL)) != 0)
    failed = err;
  ndl_loop_free(loop);
  return check(ndl_strerror);
}

/* ---- libuv */

/* One request at a time, so one uv_fs_t serves every step. */
static uv_fs_t uv_req;
static uv_file uv_fd;
static char *uv_buf;
static size_t uv_len, uv_cap;

static void uv_on_open(uv_fs_t *req);

static void uv_open_next(uv_loop_t *loop) {
  int err = uv_fs_open(loop, &uv_req, path, O_RDONLY, 0, uv_on_open);
  if (err != 0)
    failed = err;
}

static void uv_on_close(uv_fs_t *req) {
  uv_loop_t *loop = req->loop;
  if (req->result != 0 && failed == 0)
    failed = (int)req->result;
  uv_fs_req_cleanup(req);
  if (failed == 0 && read_done(uv_buf, uv_len))
    uv_open_next(loop);
  free(uv_buf);
  uv_buf = NULL;
}

static void uv_close_file(uv_loop_t *loop) {
  int err = uv_fs_close(loop, &uv_req, uv_fd, uv_on_close);
  if (err != 0)
    failed = err;
}

static void uv_on_read(uv_fs_t *req);

/* Reads into what is left of the buffer, doubling it when it is full (a
 * file that grew after the fstat), as ndl_fs_read() does. */
static void uv_read_more(uv_loop_t *loop) {
  uv_buf_t buf;
  int err;
  if (uv_len == uv_cap) {
    char *bigger = realloc(uv_buf, uv_cap * 2);
    if (bigger == NULL) {
      failed = UV_ENOMEM;
      uv_close_file(loop);
      return;
    }
    uv_buf = bigger;
    uv_cap *= 2;
  }
  buf = uv_buf_init(uv_buf + uv_len, (unsigned)(uv_cap - uv_len));
  if ((err = uv_fs_read(loop, &uv_req, uv_fd, &buf, 1, -1, uv_on_read)) != 0) {
    failed = err;
    uv_close_file(loop);
  }
}

static void uv_on_read(uv_fs_t *req) {
  uv_loop_t *loop = req->loop;
  ssize_t r = req->result;
  uv_fs_req_cleanup(req);
  if (r < 0)
    failed = (int)r;
  if (r <= 0) {
    uv_close_file(loop);
    return;
  }
  uv_len += (size_t)r;
  uv_read_more(loop);
}

static void uv_on_stat(uv_fs_t *req) {
  uv_loop_t *loop = req->loop;
  int err = (int)req->result;
  /* + 1: room for the read that sees EOF, as nodeloop sizes its buffer. */
  size_t cap = (size_t)req->statbuf.st_size + 1;
  uv_fs_req_cleanup(req);
  if (err != 0 || (uv_buf = malloc(cap)) == NULL) {
    failed = err != 0 ? err : UV_ENOMEM;
    uv_close_file(loop);
    return;
  }
  uv_len = 0;
  uv_cap = cap;
  uv_read_more(loop);
}

static void uv_on_open(uv_fs_t *req) {
  uv_loop_t *loop = req->loop;
  int err;
  uv_fd = (uv_file)req->result;
  uv_fs_req_cleanup(req);
  if (uv_fd < 0)
    failed = uv_fd;
  else if ((err = uv_fs_fstat(loop, &uv_req, uv_fd, uv_on_stat)) != 0)
    failed = err;
}

int bench_files_uv(uint64_t n) {
  uv_loop_t *loop;
  int err;

  target = n;
  bench_uv_pool_size();
  if (make_fixture() != 0)
    return 1;
  loop = uv_default_loop();
  bench_clock_start(&timing);
  uv_open_next(loop);
  if ((err = uv_run(loop, UV_RUN_DEFAULT)) != 0)
    failed = err;
  uv_loop_close(loop);
  return check(uv_strerror);
}
