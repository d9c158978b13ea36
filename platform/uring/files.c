/*
 * Whole-file reads in the ring (ndl_fs_read() on io_uring): open, statx,
 * reads to the end of the file and close, each an operation of the ring,
 * chained from one completion to the next, with no pool thread. The buffer
 * rule and the outcome are the platform's (platform.h: struct
 * ndl__file_read), the same as on the pool; a read that cannot start here
 * (no memory, no free entry) goes to the pool instead.
 *
 * A read's user_data is its record's address: kind 0 (uring.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>

#include "core/alloc.h"
#include "platform/linux/sys.h"
#include "uring.h"

/* Memcheck does not see the kernel write a ring's reads and statx results
 * into our memory, and would call those bytes uninitialised; these client
 * requests tell it. They cost nothing outside valgrind. */
#if defined(__has_include)
#if __has_include(<valgrind/memcheck.h>)
#include <valgrind/memcheck.h>
#endif
#endif
#ifndef VALGRIND_MAKE_MEM_DEFINED
#define VALGRIND_MAKE_MEM_DEFINED(addr, len) ((void)(addr), (void)(len))
#endif

struct ur_read {
  struct ndl__work *w;
  struct ndl__file_read *r;
  int fd;
  int stage;
  struct statx stx;
  struct ur_read *prev, *next; /* on u->reads: in the ring */
};

static void link_read(struct ur *u, struct ur_read *rd) {
  rd->prev = NULL;
  rd->next = u->reads;
  if (u->reads != NULL)
    u->reads->prev = rd;
  u->reads = rd;
}

static void unlink_read(struct ur *u, struct ur_read *rd) {
  if (rd->prev != NULL)
    rd->prev->next = rd->next;
  else
    u->reads = rd->next;
  if (rd->next != NULL)
    rd->next->prev = rd->prev;
}

/* Puts the read's next operation in the ring. Errors: NDL_ENOMEM when no
 * entry is free, or the buffer cannot grow (then also NDL_EFBIG). */
static int step(struct ur *u, struct ur_read *rd) {
  struct ndl__file_read *r = rd->r;
  struct io_uring_sqe *sqe;
  int err;

  if (rd->stage == STAGE_READ &&
      (err = ndl__file_read_room(r, rd->stx.stx_size)) != 0)
    return err;
  if ((sqe = ndl__ur_next_sqe(u)) == NULL)
    return NDL_ENOMEM;
  switch (rd->stage) {
  case STAGE_OPEN:
    io_uring_prep_openat(sqe, AT_FDCWD, r->path, O_RDONLY | O_CLOEXEC, 0);
    break;
  case STAGE_STAT:
    io_uring_prep_statx(sqe, rd->fd, "", AT_EMPTY_PATH, STATX_TYPE | STATX_SIZE,
                        &rd->stx);
    break;
  default:
    io_uring_prep_read(
        sqe, rd->fd, r->buf + r->len,
        (unsigned)(r->cap - r->len > 1u << 30 ? 1u << 30 : r->cap - r->len),
        (uint64_t)r->len);
    break;
  }
  io_uring_sqe_set_data64(sqe, (uint64_t)(uintptr_t)rd);
  return 0;
}

int ndl__ur_read_start(struct ur *u, struct ndl__work *w) {
  struct ur_read *rd;

  /* user_data keeps its top two bits for the kind (0 here). */
  if ((rd = ndl__calloc(1, sizeof(*rd))) == NULL ||
      (uint64_t)(uintptr_t)rd >> 62 != 0) {
    ndl__free(rd);
    return NDL_ENOMEM;
  }
  rd->w = w;
  rd->r = w->file_read;
  rd->fd = -1;
  rd->stage = STAGE_OPEN;
  rd->r->call = "open";
  if (step(u, rd) != 0) {
    ndl__free(rd);
    return NDL_ENOMEM;
  }
  link_read(u, rd);
  ndl__platform_trace_work(&u->lx.base, NDL_TRACE_WORK_START, w, "main",
                           ndl__lx_now(&u->lx.base));
  return 0;
}

/* Ends the read with err, closes its file in the ring (or at once, with no
 * free entry) and frees its record. Returns the work to hand back. */
static struct ndl__work *finish(struct ur *u, struct ur_read *rd, int err) {
  struct ndl__work *w = rd->w;
  struct io_uring_sqe *sqe;

  if (rd->fd >= 0) {
    if ((sqe = ndl__ur_next_sqe(u)) != NULL) {
      io_uring_prep_close(sqe, rd->fd);
      io_uring_sqe_set_data64(sqe, (uint64_t)UD_IGNORE << 62);
    } else {
      ndl__sys_close(rd->fd);
    }
  }
  ndl__file_read_end(rd->r, err);
  unlink_read(u, rd);
  ndl__free(rd);
  ndl__platform_trace_work(&u->lx.base, NDL_TRACE_WORK_DONE, w, "main",
                           ndl__lx_now(&u->lx.base));
  return w;
}

struct ndl__work *ndl__ur_read_step(struct ur *u, uint64_t ud,
                                    const struct io_uring_cqe *cqe) {
  struct ur_read *rd = (struct ur_read *)(uintptr_t)ud;
  struct ndl__file_read *r = rd->r;
  int res = ndl__ur_sys_file_result(cqe, rd->stage), err;

  switch (rd->stage) {
  case STAGE_OPEN:
    if (res < 0)
      return finish(u, rd, res);
    rd->fd = res;
    rd->stage = STAGE_STAT;
    r->call = "fstat";
    break;
  case STAGE_STAT:
    if (res < 0)
      return finish(u, rd, res);
    VALGRIND_MAKE_MEM_DEFINED(&rd->stx, sizeof(rd->stx));
    r->call = "read";
    /* As on the pool: a directory is refused before any read. */
    if (S_ISDIR(rd->stx.stx_mode))
      return finish(u, rd, NDL_EISDIR);
    rd->stage = STAGE_READ;
    break;
  default:
    if (res == -EINTR || res == -EAGAIN)
      break; /* the same read again */
    if (res < 0)
      return finish(u, rd, res);
    if (res == 0) {
      r->buf[r->len] = '\0'; /* len < cap: room was left for this */
      return finish(u, rd, 0);
    }
    VALGRIND_MAKE_MEM_DEFINED(r->buf + r->len, (size_t)res);
    r->len += (size_t)res;
    break;
  }
  if ((err = step(u, rd)) != 0)
    return finish(u, rd, err);
  return NULL;
}

/* Loop thread, before the loop is freed: the kernel may still be writing
 * into a read's buffer, which the read's callback owner frees as the loop
 * goes, so every read in the ring is cancelled and its end awaited (what is
 * queued goes in first, so that every read has an operation in flight,
 * and every finished read's close is made).
 * Each work record is freed here, as the pool frees the tasks it never
 * ran. */
void ndl__ur_reads_stop(struct ur *u) {
  struct io_uring_sqe *sqe;
  struct io_uring_cqe *cqe;

  /* The closes of finished reads may still be queued: they go first. No
   * fault point: a failure here would leave files open, or the kernel
   * writing into buffers that are about to be freed. */
  if (u->reads != NULL && (sqe = ndl__ur_next_sqe(u)) != NULL) {
    io_uring_prep_cancel64(sqe, 0, IORING_ASYNC_CANCEL_ANY);
    io_uring_sqe_set_data64(sqe, (uint64_t)UD_IGNORE << 62);
  }
  (void)io_uring_submit(&u->ring);
  while (u->reads != NULL && io_uring_wait_cqe(&u->ring, &cqe) == 0) {
    uint64_t ud = io_uring_cqe_get_data64(cqe);
    int cqe_res = cqe->res;
    io_uring_cqe_seen(&u->ring, cqe);
    if (ud >> 62 == UD_FILE) {
      struct ur_read *rd = (struct ur_read *)(uintptr_t)ud;
      if (rd->stage == STAGE_OPEN && cqe_res >= 0)
        rd->fd = cqe_res; /* opened before the cancel could stop it */
      if (rd->fd >= 0)
        ndl__sys_close(rd->fd);
      unlink_read(u, rd);
      ndl__work_free(rd->w);
      ndl__free(rd);
    }
  }
}
