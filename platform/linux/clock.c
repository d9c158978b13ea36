/*
 * The Linux backend's clock: CLOCK_MONOTONIC in ns, never decreasing. If
 * the clock fails, the latest reading stands in.
 *
 * Test builds can step it (the linux/clock_step fault point; in a build
 * without fault points the step is compiled out and offset_ns stays 0). A
 * step backwards is absorbed at once: time goes on from the latest reading
 * at the real rate, so no timer fires early and the loop never waits for
 * the real clock to catch up. A forward step is a jump, as on a real
 * machine.
 *
 * Only the loop thread reads the clock through ndl__lx_now(), so last_ns
 * is the loop thread's alone. Pool threads want a time only for their trace
 * events: ndl__lx_peek() reads the kernel's clock (no fault point, so that
 * a plan's decisions do not depend on how threads interleave) plus the
 * offset, which clock_lock guards. The loop thread, its only writer, takes
 * the lock only to change it: never in a build without fault points.
 */
#include "faults/fault_points.h"
#include "linux.h"
#include "sys.h"

/* A plan's step is any number of ms, so the offset saturates at +-2^62 ns
 * (146 years): the step, the sum and the reading cannot overflow. */
#define MAX_OFFSET_NS ((int64_t)1 << 62)

/* a + b, held to +-MAX_OFFSET_NS. Each is within that range, so comparing
 * with the limit minus the other cannot overflow; the sum itself could
 * (2^62 + 2^62, which UBSan caught). */
static int64_t offset_add(int64_t a, int64_t b) {
  if (b > 0 && a > MAX_OFFSET_NS - b)
    return MAX_OFFSET_NS;
  if (b < 0 && a < -MAX_OFFSET_NS - b)
    return -MAX_OFFSET_NS;
  return a + b;
}

/* What a linux/clock_step fault adds to the offset: 0 unless it fires. */
static int64_t fault_step_ns(void) {
  intptr_t ms;
  if (!ndl__fault_fail(NDL_FP(LINUX_CLOCK_STEP)))
    return 0;
  ms = ndl__fault_arg();
  return ms > MAX_OFFSET_NS / NS_PER_MS    ? MAX_OFFSET_NS
         : ms < -MAX_OFFSET_NS / NS_PER_MS ? -MAX_OFFSET_NS
                                           : (int64_t)ms * NS_PER_MS;
}

static int64_t raw_ns(const struct timespec *ts) {
  return (int64_t)ts->tv_sec * NS_PER_SEC + ts->tv_nsec;
}

uint64_t ndl__lx_now(struct ndl__platform *p) {
  struct lx *s = ndl__lx_of(p);
  struct timespec ts;
  int64_t raw, offset, now;

  if (ndl__sys_clock(&ts) != 0)
    return s->last_ns;
  /* raw is below 2^62 (146 years of uptime) and the offset within +-2^62,
   * so their sum fits. */
  raw = raw_ns(&ts);
  offset = offset_add(s->offset_ns, fault_step_ns());
  now = raw + offset;
  if (now < (int64_t)s->last_ns) {
    offset = (int64_t)s->last_ns - raw; /* absorb the step back */
    now = (int64_t)s->last_ns;
  }
  if (offset != s->offset_ns) {
    /* Only with a fault plan: a kernel clock never goes back. */
    pthread_mutex_lock(&s->clock_lock);
    s->offset_ns = offset;
    pthread_mutex_unlock(&s->clock_lock);
  }
  s->last_ns = (uint64_t)now;
  return s->last_ns;
}

uint64_t ndl__lx_peek(struct lx *s) {
  struct timespec ts;
  int64_t offset;
  ndl__sys_clock_raw(&ts);
  pthread_mutex_lock(&s->clock_lock);
  offset = s->offset_ns;
  pthread_mutex_unlock(&s->clock_lock);
  return (uint64_t)(raw_ns(&ts) + offset);
}
