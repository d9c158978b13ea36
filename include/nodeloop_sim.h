/**
 * @file nodeloop_sim.h
 * @brief The sim backend's controls: its scripted poller, its virtual
 * clock, and what its simulated disk and network hold.
 *
 * nodeloop.h includes it; it may also be included on its own.
 */
#ifndef NODELOOP_SIM_H
#define NODELOOP_SIM_H

#include "nodeloop.h"

#ifdef __cplusplus
extern "C" {
#endif

/**
 * @defgroup sim Sim backend controls
 * @{
 * Each checks its arguments first (NDL_EINVAL), then answers NDL_ENOTSUP on
 * another backend; a declaration that needs memory may fail with
 * NDL_ENOMEM.
 */
/** fd becomes ready for events at virtual time at_ms: its watcher's
 * callback runs in the first poll phase at or after it. A script for an fd
 * that nobody watches for those events waits until someone does.
 * @return 0, NDL_EINVAL (NULL loop, fd < 0, events 0, at_ms too large to
 * count in ns), NDL_ENOTSUP, NDL_ENOMEM. */
NDL_EXTERN int ndl_sim_script_ready(ndl_loop *loop, int fd, unsigned events,
                                    uint64_t at_ms);
/** Moves the virtual clock forward, as if the caller computed for ms; pool
 * tasks due meanwhile finish (their callbacks run in the next poll phase).
 * @return 0, NDL_EINVAL (NULL loop, ms too large to count in ns),
 * NDL_ENOTSUP. */
NDL_EXTERN int ndl_sim_advance(ndl_loop *loop, uint64_t ms);

/** The simulated disk: what ndl_fs_read() finds at path, a copy of len bytes
 * at data. A path declared twice keeps the latest declaration; a path never
 * declared is NDL_ENOENT. Nothing touches the real disk.
 * @return 0, NDL_EINVAL (NULL loop or path, NULL data with len > 0),
 * NDL_ENOTSUP, NDL_ENOMEM. */
NDL_EXTERN int ndl_sim_file(ndl_loop *loop, const char *path, const void *data,
                            size_t len);
/** path is a directory: reading it fails with NDL_EISDIR.
 * @return 0, NDL_EINVAL (NULL loop or path), NDL_ENOTSUP, NDL_ENOMEM. */
NDL_EXTERN int ndl_sim_dir(ndl_loop *loop, const char *path);
/** Opening path fails with err (negative: NDL_EACCES, NDL_EIO, ...).
 * @return 0, NDL_EINVAL (NULL loop or path, err >= 0), NDL_ENOTSUP,
 * NDL_ENOMEM. */
NDL_EXTERN int ndl_sim_file_error(ndl_loop *loop, const char *path, int err);
/** The simulated network resolves name to the numeric address ip;
 * "localhost" is 127.0.0.1 without being declared. Connections go to
 * listeners on the same loop; a port nobody listens on refuses.
 * @return 0, NDL_EINVAL (NULL loop, name or ip; ip not a numeric IPv4 or
 * IPv6 address), NDL_ENOTSUP, NDL_ENOMEM. */
NDL_EXTERN int ndl_sim_host(ndl_loop *loop, const char *name, const char *ip);
/** @} */

#ifdef __cplusplus
}
#endif
#endif /* NODELOOP_SIM_H */
