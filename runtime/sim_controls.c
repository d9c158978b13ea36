/*
 * The sim backend's controls (ndl_sim_* in nodeloop.h): the scripted
 * poller, the virtual clock, and the simulated disk and network's
 * declarations. On a backend that runs in real time the platform has no
 * sim table, and each answers NDL_ENOTSUP.
 */
#include "nodeloop.h"
#include "runtime.h"

static struct ndl__platform *simulated(ndl_loop *loop) {
  struct ndl__platform *p = loop != NULL ? ndl__loop_platform(loop) : NULL;
  return p != NULL && p->sim != NULL ? p : NULL;
}

int ndl_sim_script_ready(ndl_loop *loop, int fd, unsigned events,
                         uint64_t at_ms) {
  struct ndl__platform *p = simulated(loop);
  if (loop == NULL || fd < 0 || events == 0 || at_ms > UINT64_MAX / 1000000u)
    return NDL_EINVAL;
  if (p == NULL)
    return NDL_ENOTSUP;
  return p->sim->script_ready(p, fd, events, at_ms * 1000000u);
}

int ndl_sim_advance(ndl_loop *loop, uint64_t ms) {
  struct ndl__platform *p = simulated(loop);
  if (loop == NULL || ms > UINT64_MAX / 1000000u)
    return NDL_EINVAL;
  if (p == NULL)
    return NDL_ENOTSUP;
  return p->sim->advance(p, ms * 1000000u);
}

int ndl_sim_file(ndl_loop *loop, const char *path, const void *data,
                 size_t len) {
  struct ndl__platform *p = simulated(loop);
  if (loop == NULL || path == NULL || (data == NULL && len != 0))
    return NDL_EINVAL;
  if (p == NULL)
    return NDL_ENOTSUP;
  return p->sim->file_add(p, path, data != NULL ? data : "", len, 0);
}

int ndl_sim_dir(ndl_loop *loop, const char *path) {
  struct ndl__platform *p = simulated(loop);
  if (loop == NULL || path == NULL)
    return NDL_EINVAL;
  if (p == NULL)
    return NDL_ENOTSUP;
  return p->sim->file_add(p, path, NULL, 0, 0);
}

int ndl_sim_file_error(ndl_loop *loop, const char *path, int err) {
  struct ndl__platform *p = simulated(loop);
  if (loop == NULL || path == NULL || err >= 0)
    return NDL_EINVAL;
  if (p == NULL)
    return NDL_ENOTSUP;
  return p->sim->file_add(p, path, NULL, 0, err);
}

int ndl_sim_host(ndl_loop *loop, const char *name, const char *ip) {
  struct ndl__platform *p = simulated(loop);
  struct ndl__addr addr;
  if (loop == NULL || name == NULL || ip == NULL ||
      ndl__addr_parse(ip, 0, &addr) != 0)
    return NDL_EINVAL;
  if (p == NULL)
    return NDL_ENOTSUP;
  return p->sim->host_add(p, name, &addr);
}
