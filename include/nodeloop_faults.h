/**
 * @file nodeloop_faults.h
 * @brief Fault plans: which libfiu fault points fail, how often, and with
 * which errno.
 *
 * Decided by nodeloop's own seeded PRNG (through fiu_enable_external) so
 * that a failing run replays exactly from its seed, and so that plans are
 * safe to use while pool threads run. libfiu's own random mode shares one
 * unlocked global PRNG, and is neither.
 *
 * A plan is text, a comma-separated list of entries:
 *
 *     point=P           fail `point` with probability P (0 to 1), default errno
 *     point:ERRNO=P     ... with that errno (eagain, EINTR, econnrefused, ...)
 *     point:N=P         ... with argument N (linux/clock_step: ms, may be < 0)
 *     point#N           fail only the Nth call (1-based, below 2^64) of `point`
 *
 * e.g. "linux/epoll_wait=0.2,net/recv:eagain=0.1,core/malloc=0.01".
 * ndl_fault_point_name() lists the points.
 *
 * What is refused (NDL_BADFAULTS, with the reason in why):
 *   - an errno outside 1 to 4095, or a name that is not a system errno of
 *     NDL_ERRNO_MAP; an argument (clock_step) that does not fit intptr_t;
 *   - an empty entry (",", a leading or trailing comma) or point name;
 *   - a call number of 0, or above 2^64 - 1; a probability outside [0, 1];
 *   - probabilities of one point adding up to more than 1 (the entries of a
 *     point share one draw);
 *   - probability 1 (in total) for an error that the caller retries until
 *     the call succeeds, which would spin or hang forever: fs/read and
 *     linux/epoll_wait on EINTR, net/recv and net/send on EINTR or EAGAIN,
 *     net/accept on EINTR, EAGAIN or ECONNABORTED, linux/eventfd_write on
 *     any errno. Use a probability below 1, or `#N`.
 *
 * The empty plan "" is accepted and injects nothing.
 *
 * Plans are process-wide, as libfiu is. They exist in builds with fault
 * points (NDL_FAULTS, on for test builds); elsewhere the calls return
 * NDL_ENOTSUP.
 */
#ifndef NODELOOP_FAULTS_H
#define NODELOOP_FAULTS_H

#include <stddef.h>
#include <stdint.h>

#include "nodeloop.h"

#ifdef __cplusplus
extern "C" {
#endif

/**
 * @defgroup faults Fault plans
 * @{
 * Setting and clearing the process's fault plan, its counters, and the list
 * of fault points; the grammar is in nodeloop_faults.h.
 */
/** Replaces the current plan, with its decisions drawn from seed; the
 * counters start again from 0. Set plans between runs, not while a loop
 * runs. On NDL_BADFAULTS, why (if not NULL) says what is wrong, in at most
 * cap bytes; the old plan stays.
 * @return 0, NDL_BADFAULTS, NDL_EINVAL (NULL spec), NDL_ENOMEM (libfiu
 * could not enable a point), NDL_ENOTSUP (a build without fault points). */
NDL_EXTERN int ndl_faults_plan(const char *spec, uint64_t seed, char *why,
                               size_t cap);
/** Applies NODELOOP_FAULTS with NODELOOP_FAULTS_SEED (default 1, decimal
 * digits only), if set. ndl_loop_new() calls it once per process.
 * @return 0 when unset or empty; else as ndl_faults_plan(), and
 * NDL_BADFAULTS for a bad seed. */
NDL_EXTERN int ndl_faults_from_env(char *why, size_t cap);
/** Disables every point of the plan. */
NDL_EXTERN void ndl_faults_clear(void);
/** Faults injected since the plan was set (0 without fault points). */
NDL_EXTERN uint64_t ndl_faults_injected(void);
/** Times the plan's points were reached, injected or not (0 without fault
 * points). */
NDL_EXTERN uint64_t ndl_faults_reached(void);

/** The name of fault point i ("core/malloc"): index from 0 until NULL. */
NDL_EXTERN const char *ndl_fault_point_name(unsigned i);
/** What failing point i means, or NULL past the last point. */
NDL_EXTERN const char *ndl_fault_point_about(unsigned i);
/** @} */

#ifdef __cplusplus
}
#endif
#endif
