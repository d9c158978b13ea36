/*
 * Fault plans (include/nodeloop_faults.h): parse the text, then enable each
 * named point with fiu_enable_external(), whose decision function draws
 * from nodeloop's own PRNG.
 *
 * A decision is a pure function of (seed, point, how many times that point
 * was reached), so it needs no lock: the per-point counter is atomic. On the
 * sim backend, where one thread reaches every point in a fixed order, a seed
 * replays byte for byte; on the linux backend the threads' interleaving
 * decides which call is the Nth, which is what a real fault looks like.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/prng.h"
#include "fault_points.h"
#include "nodeloop.h"
#include "nodeloop_faults.h"
#include "plan.h"

const char *ndl_fault_point_name(unsigned i) {
  return i < NDL__FP_COUNT ? ndl__fault_points[i].name : NULL;
}

const char *ndl_fault_point_about(unsigned i) {
  return i < NDL__FP_COUNT ? ndl__fault_points[i].what : NULL;
}

/* ---- The parser: every build has it (fuzz/fuzz_http.c drives it). */

static unsigned point_of(const char *name) {
  unsigned i;
  for (i = 0; i < NDL__FP_COUNT; i++)
    if (strcmp(ndl__fault_points[i].name, name) == 0)
      return i;
  return NDL__FP_COUNT;
}

static int bad(char *why, size_t cap, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int bad(char *why, size_t cap, const char *fmt, ...) {
  va_list ap;
  if (why != NULL && cap > 0) {
    va_start(ap, fmt);
    vsnprintf(why, cap, fmt, ap);
    va_end(ap);
  }
  return NDL_BADFAULTS;
}

/* A system errno named in NDL_ERRNO_MAP ("eintr"), as a positive value. */
static int errno_of(const char *s, intptr_t *out) {
#define NDL_ERRNO_NAME(name, value, msg)                                       \
  if (strcasecmp(s, #name) == 0 && (value) > -4000) {                          \
    *out = -(value);                                                           \
    return 0;                                                                  \
  }
  NDL_ERRNO_MAP(NDL_ERRNO_NAME)
#undef NDL_ERRNO_NAME
  return -1;
}

/* Decimal digits, with a '-' first if `sign`: strtoll and strtoull would
 * also take spaces, '+', and (strtoull) a negated value. */
static int is_number(const char *s, int sign) {
  if (sign && *s == '-')
    s++;
  if (*s == '\0')
    return 0;
  for (; *s != '\0'; s++)
    if (*s < '0' || *s > '9')
      return 0;
  return 1;
}

/* What follows "point:": an errno (1 to 4095, or a name), or, for the
 * points that take an argument (default errno 0: linux/clock_step), any
 * integer that fits. */
static int parse_info(const char *item, const char *arg, unsigned point,
                      intptr_t *info, char *why, size_t cap) {
  long long v;
  char *end;
  if (ndl__fault_points[point].default_errno == 0) {
    errno = 0;
    v = is_number(arg, 1) ? strtoll(arg, &end, 10) : 0;
    if (!is_number(arg, 1) || errno == ERANGE || v < INTPTR_MIN ||
        v > INTPTR_MAX)
      return bad(why, cap, "'%s': the argument must be an integer", item);
    *info = (intptr_t)v;
    return 0;
  }
  if (is_number(arg, 1)) {
    errno = 0;
    v = strtoll(arg, &end, 10);
    if (errno == ERANGE || v < 1 || v > 4095)
      return bad(why, cap, "'%s': an errno must be from 1 to 4095", item);
    *info = (intptr_t)v;
    return 0;
  }
  if (errno_of(arg, info) != 0)
    return bad(why, cap, "'%s': unknown errno name", item);
  return 0;
}

/* Parses one "point[:X]=P" or "point[:X]#N" into e, and P into *p. */
static int parse_entry(const char *item, struct ndl__fault_entry *e, double *p,
                       char *why, size_t cap) {
  const char *hash = strchr(item, '#'), *eq = strchr(item, '=');
  const char *name_end, *colon;
  char name[64], arg[64], *end;
  size_t n;

  memset(e, 0, sizeof(*e));
  *p = 0.0;
  if (hash != NULL) {
    name_end = hash;
    errno = 0;
    e->nth = is_number(hash + 1, 0) ? strtoull(hash + 1, &end, 10) : 0;
    if (e->nth == 0 || errno == ERANGE)
      return bad(why, cap, "'%s': #N wants a call number from 1 to 2^64-1",
                 item);
  } else if (eq != NULL) {
    name_end = eq;
    /* strtod would also take " 0.5", "nan", "inf" and "-0". */
    *p = (eq[1] >= '0' && eq[1] <= '9') || eq[1] == '.' ? strtod(eq + 1, &end)
                                                        : -1.0;
    if (*p < 0.0 || *end != '\0' || !(*p <= 1.0))
      return bad(why, cap, "'%s': the probability must be from 0 to 1", item);
    e->threshold =
        *p >= 1.0 ? UINT64_MAX : (uint64_t)(*p * 18446744073709551616.0);
  } else {
    return bad(why, cap, "'%s': expected point=probability or point#N", item);
  }
  colon = memchr(item, ':', (size_t)(name_end - item));
  n = (size_t)((colon != NULL ? colon : name_end) - item);
  if (n == 0)
    return bad(why, cap, "'%s': the fault point's name is empty", item);
  if (n >= sizeof(name))
    return bad(why, cap, "'%s': no such fault point (see nodeloop_faults.h)",
               item);
  memcpy(name, item, n);
  name[n] = '\0';
  if ((e->point = point_of(name)) == NDL__FP_COUNT)
    return bad(why, cap, "'%s': no such fault point (see nodeloop_faults.h)",
               item);
  if (colon != NULL) {
    n = (size_t)(name_end - colon - 1);
    if (n == 0 || n >= sizeof(arg))
      return bad(why, cap, "'%s': expected an errno or a number after ':'",
                 item);
    memcpy(arg, colon + 1, n);
    arg[n] = '\0';
    return parse_info(item, arg, e->point, &e->info, why, cap);
  }
  return 0;
}

/* The (point, errno) pairs whose caller tries the call again until it
 * succeeds: fs/read and epoll_wait on EINTR, recv and send on EINTR and
 * EAGAIN (the fd stays ready, level-triggered), accept on what it treats
 * as "try later", and the eventfd write that wakes the loop on anything
 * (0: any errno). A plan that fails every such call would spin or hang
 * forever, so probability 1 is refused there (#N is fine). */
static const struct {
  unsigned point;
  int err;
} retried[] = {
    {NDL__FP_FS_READ, EINTR},           {NDL__FP_LINUX_EPOLL_WAIT, EINTR},
    {NDL__FP_NET_RECV, EINTR},          {NDL__FP_NET_RECV, EAGAIN},
    {NDL__FP_NET_SEND, EINTR},          {NDL__FP_NET_SEND, EAGAIN},
    {NDL__FP_NET_ACCEPT, EINTR},        {NDL__FP_NET_ACCEPT, EAGAIN},
    {NDL__FP_NET_ACCEPT, ECONNABORTED}, {NDL__FP_LINUX_EVENTFD_WRITE, 0},
};

static int is_retried(const struct ndl__fault_entry *e) {
  int err =
      e->info != 0 ? (int)e->info : ndl__fault_points[e->point].default_errno;
  size_t i;
  for (i = 0; i < sizeof(retried) / sizeof(retried[0]); i++)
    if (retried[i].point == e->point &&
        (retried[i].err == 0 || retried[i].err == err))
      return 1;
  return 0;
}

/* Probabilities are doubles: 0.1 + 0.2 + 0.7 is a little above 1. */
#define SUM_SLACK 1e-9

int ndl__faults_parse(const char *spec,
                      struct ndl__fault_entry out[NDL__FAULT_MAX_ENTRIES],
                      unsigned *count, char *why, size_t cap) {
  double sum[NDL__FP_COUNT] = {0}, spin[NDL__FP_COUNT] = {0}, p;
  uint64_t used[NDL__FP_COUNT] = {0};
  char item[2048];
  const char *s = spec, *comma;
  unsigned n = 0;
  int err;

  *count = 0;
  if (spec == NULL) {
    bad(why, cap, "%s", "no plan (NULL)");
    return NDL_EINVAL;
  }
  if (strlen(spec) >= sizeof(item))
    return bad(why, cap, "%s", "the plan is longer than 2047 characters");
  if (*spec == '\0')
    return 0; /* the empty plan: no faults */
  for (;; s = comma + 1) {
    size_t len =
        (comma = strchr(s, ',')) != NULL ? (size_t)(comma - s) : strlen(s);
    struct ndl__fault_entry *e = &out[n];
    if (len == 0)
      return bad(why, cap, "%s",
                 "an empty entry (two commas, or one at an end)");
    if (n == NDL__FAULT_MAX_ENTRIES)
      return bad(why, cap, "%s", "more than 64 entries");
    memcpy(item, s, len);
    item[len] = '\0';
    if ((err = parse_entry(item, e, &p, why, cap)) != 0)
      return err;
    if (e->nth == 0) {
      /* The entries of a point share one draw, so their probabilities
       * add up, and the thresholds may not wrap past 2^64. */
      if ((sum[e->point] += p) > 1.0 + SUM_SLACK)
        return bad(why, cap,
                   "'%s': the probabilities of %s add up to more "
                   "than 1",
                   item, ndl__fault_points[e->point].name);
      if (is_retried(e) && (spin[e->point] += p) >= 1.0 - SUM_SLACK)
        return bad(why, cap,
                   "'%s': %s is retried on this error, so failing "
                   "it always would spin forever; use a probability below 1 "
                   "or #N",
                   item, ndl__fault_points[e->point].name);
      if (e->threshold > UINT64_MAX - used[e->point])
        e->threshold = UINT64_MAX - used[e->point];
      used[e->point] += e->threshold;
    }
    n++;
    if (comma == NULL)
      break;
  }
  *count = n;
  return 0;
}

#ifndef FIU_ENABLE

int ndl_faults_plan(const char *spec, uint64_t seed, char *why, size_t cap) {
  (void)spec;
  (void)seed;
  if (why != NULL && cap > 0)
    snprintf(why, cap, "this build has no fault points (NDL_FAULTS=OFF)");
  return NDL_ENOTSUP;
}
int ndl_faults_from_env(char *why, size_t cap) {
  return getenv("NODELOOP_FAULTS") ? ndl_faults_plan(NULL, 0, why, cap) : 0;
}
void ndl_faults_clear(void) {}
uint64_t ndl_faults_injected(void) {
  return 0;
}
uint64_t ndl_faults_reached(void) {
  return 0;
}

#else
#include <fiu-control.h>

/* The plan is written only while no point can be reached concurrently
 * (between runs); the counters are atomic. */
static struct ndl__fault_entry plan[NDL__FAULT_MAX_ENTRIES];
static unsigned plan_len;
static uint64_t plan_seed;
static _Atomic uint64_t reached[NDL__FP_COUNT];
static _Atomic uint64_t injected;

static uint64_t mix(uint64_t seed, unsigned point, uint64_t call) {
  struct ndl__prng p;
  ndl__prng_seed(&p,
                 seed ^ ((uint64_t)point << 56) ^ (call * 0x9e3779b97f4a7c15u));
  return ndl__prng_next(&p);
}

/* The failinfo of this thread's latest failure, when decide() made it.
 * decide() must not write the failnum and failinfo that libfiu passes it:
 * they point into libfiu's one record of the point, which every thread
 * that reaches the point shares, so concurrent failures raced there (found
 * by Helgrind and DRD, tests/stress/stress_faultstart.c) and one thread
 * could fail with another's errno. failnum stays the 1 given at enable
 * time. */
static _Thread_local int plan_failed;
static _Thread_local intptr_t plan_info;

int ndl__fault_check(const char *name) {
  plan_failed = 0;
  return fiu_fail(name);
}

intptr_t ndl__fault_failinfo(void) {
  return plan_failed ? plan_info : (intptr_t)fiu_failinfo();
}

/* libfiu asks this whether `name` fails now. Entries of the same point
 * share one draw, tried in the plan's order. */
static int decide(const char *name, int *failnum, void **failinfo,
                  unsigned int *flags) {
  unsigned point = point_of(name), i;
  uint64_t call, draw, below = 0;
  (void)failnum;
  (void)failinfo;
  (void)flags;
  if (point == NDL__FP_COUNT)
    return 0;
  call = atomic_fetch_add(&reached[point], 1) + 1;
  draw = mix(plan_seed, point, call);
  for (i = 0; i < plan_len; i++) {
    const struct ndl__fault_entry *e = &plan[i];
    int fail;
    if (e->point != point)
      continue;
    if (e->nth != 0) {
      fail = call == e->nth;
    } else {
      fail = draw - below < e->threshold && draw >= below;
      below += e->threshold;
    }
    if (fail) {
      plan_info = e->info;
      plan_failed = 1;
      atomic_fetch_add(&injected, 1);
      return 1;
    }
  }
  return 0;
}

void ndl_faults_clear(void) {
  unsigned i;
  for (i = 0; i < plan_len; i++)
    fiu_disable(ndl__fault_points[plan[i].point].name);
  plan_len = 0;
}

int ndl_faults_plan(const char *spec, uint64_t seed, char *why, size_t cap) {
  struct ndl__fault_entry parsed[NDL__FAULT_MAX_ENTRIES];
  unsigned n, i;
  int err;

  if ((err = ndl__faults_parse(spec, parsed, &n, why, cap)) != 0)
    return err;
  fiu_init(0);
  ndl_faults_clear();
  memcpy(plan, parsed, sizeof(parsed[0]) * n);
  plan_len = n;
  plan_seed = seed;
  atomic_store(&injected, 0);
  for (i = 0; i < NDL__FP_COUNT; i++)
    atomic_store(&reached[i], 0);
  /* One fiu_enable_external() per point: decide() already tries every
   * entry of the point, and libfiu 1.1 leaks the name's copy when a point
   * that is enabled is enabled again (hash_set strdup()s the key, and
   * _hash_set drops it when the key exists). */
  for (i = 0; i < n; i++) {
    unsigned j;
    for (j = 0; j < i && plan[j].point != plan[i].point; j++)
      ;
    if (j == i && fiu_enable_external(ndl__fault_points[plan[i].point].name, 1,
                                      NULL, 0, decide) != 0)
      return NDL_ENOMEM;
  }
  return 0;
}

int ndl_faults_from_env(char *why, size_t cap) {
  const char *spec = getenv("NODELOOP_FAULTS"),
             *seed = getenv("NODELOOP_FAULTS_SEED");
  unsigned long long v = 1;
  if (spec == NULL || *spec == '\0')
    return 0;
  if (seed != NULL) {
    errno = 0;
    v = is_number(seed, 0) ? strtoull(seed, NULL, 10) : 0;
    if (!is_number(seed, 0) || errno == ERANGE)
      return bad(why, cap,
                 "NODELOOP_FAULTS_SEED='%s': expected a number "
                 "from 0 to 2^64-1",
                 seed);
  }
  return ndl_faults_plan(spec, v, why, cap);
}

uint64_t ndl_faults_injected(void) {
  return atomic_load(&injected);
}

uint64_t ndl_faults_reached(void) {
  uint64_t total = 0;
  unsigned i;
  for (i = 0; i < NDL__FP_COUNT; i++)
    total += atomic_load(&reached[i]);
  return total;
}

#endif
