/*
 * The simulated disk: an in-memory table of the files a scenario declares
 * (ndl_sim_file, ndl_sim_dir, ndl_sim_file_error). A path never declared
 * does not exist. Reads run inside the simulated pool's tasks, on the loop
 * thread, so nothing here needs a lock; the fault points are the ones the
 * Linux backend's file calls have (fs/open, fs/fstat, fs/read).
 */
#include <string.h>

#include "core/alloc.h"
#include "faults/fault_points.h"
#include "sim.h"

static struct sim_file *find(struct sim *s, const char *path) {
  size_t i;
  for (i = 0; i < s->disk.nfiles; i++)
    if (strcmp(s->disk.files[i].path, path) == 0)
      return &s->disk.files[i];
  return NULL;
}

int ndl__sim_file_add(struct ndl__platform *p, const char *path,
                      const void *data, size_t len, int err) {
  struct sim *s = ndl__sim_of(p);
  struct sim_file *f = find(s, path), *grown;
  char *copy = NULL;

  if (data != NULL && (copy = ndl__malloc(len == 0 ? 1 : len)) == NULL)
    return NDL_ENOMEM;
  if (copy != NULL)
    memcpy(copy, data, len);
  if (f == NULL) {
    char *name = ndl__strndup(path, strlen(path));
    grown = name == NULL ? NULL
                         : ndl__reallocarray(s->disk.files, s->disk.nfiles + 1,
                                             sizeof(*grown));
    if (grown == NULL) {
      ndl__free(name);
      ndl__free(copy);
      return NDL_ENOMEM;
    }
    s->disk.files = grown;
    f = &grown[s->disk.nfiles++];
    f->path = name;
  } else {
    ndl__free(f->data);
  }
  f->data = copy;
  f->len = copy != NULL ? len : 0;
  f->is_dir = data == NULL && err == 0;
  f->err = err;
  return 0;
}

static struct sim_open *open_at(struct sim *s, int fd) {
  size_t slot;
  if (fd < NDL__SIM_FILE_FD_BASE)
    return NULL;
  slot = (size_t)(fd - NDL__SIM_FILE_FD_BASE);
  if (slot >= s->disk.nopen || s->disk.open[slot].file < 0)
    return NULL;
  return &s->disk.open[slot];
}

static int sim_open(struct ndl__platform *p, const char *path, int *fd) {
  struct sim *s = ndl__sim_of(p);
  struct sim_file *f;
  struct sim_open *o;
  size_t slot;
  int err;

  if ((err = ndl__fault_code(FS_OPEN)) != 0)
    return err;
  if ((f = find(s, path)) == NULL)
    return NDL_ENOENT;
  if (f->err != 0)
    return f->err;
  for (slot = 0; slot < s->disk.nopen; slot++)
    if (s->disk.open[slot].file < 0)
      break;
  if (slot == s->disk.nopen) {
    o = ndl__reallocarray(s->disk.open, slot + 1, sizeof(*o));
    if (o == NULL)
      return NDL_ENOMEM;
    s->disk.open = o;
    s->disk.nopen = slot + 1;
  }
  s->disk.open[slot].file = (long)(f - s->disk.files);
  s->disk.open[slot].off = 0;
  *fd = NDL__SIM_FILE_FD_BASE + (int)slot;
  return 0;
}

static int sim_stat(struct ndl__platform *p, int fd,
                    struct ndl__file_stat *st) {
  struct sim *s = ndl__sim_of(p);
  struct sim_open *o = open_at(s, fd);
  int err;
  if ((err = ndl__fault_code(FS_FSTAT)) != 0)
    return err;
  if (o == NULL)
    return NDL_EBADF;
  st->size = s->disk.files[o->file].len;
  st->is_dir = s->disk.files[o->file].is_dir;
  return 0;
}

/* Reads come short at seeded lengths, as they may from a real disk. */
static ssize_t sim_read(struct ndl__platform *p, int fd, void *buf,
                        size_t len) {
  struct sim *s = ndl__sim_of(p);
  struct sim_open *o = open_at(s, fd);
  const struct sim_file *f;
  size_t left;
  int err;

  if ((err = ndl__fault_code(FS_READ)) != 0)
    return err;
  if (o == NULL)
    return NDL_EBADF;
  f = &s->disk.files[o->file];
  if (f->is_dir)
    return NDL_EISDIR;
  left = f->len - o->off;
  if (len > left)
    len = left;
  if (len == 0)
    return 0;
  if (len > 1 && ndl__prng_chance(&s->disk.prng, 1, 4))
    len = 1 + (size_t)ndl__prng_below(&s->disk.prng, len - 1);
  memcpy(buf, f->data + o->off, len);
  o->off += len;
  return (ssize_t)len;
}

static void sim_file_close(struct ndl__platform *p, int fd) {
  struct sim_open *o = open_at(ndl__sim_of(p), fd);
  if (o != NULL)
    o->file = -1;
}

void ndl__sim_disk_free(struct sim *s) {
  size_t i;
  for (i = 0; i < s->disk.nfiles; i++) {
    ndl__free(s->disk.files[i].path);
    ndl__free(s->disk.files[i].data);
  }
  ndl__free(s->disk.files);
  ndl__free(s->disk.open);
}

const struct ndl__file_ops ndl__sim_files = {sim_open, sim_stat, sim_read,
                                             sim_file_close};
