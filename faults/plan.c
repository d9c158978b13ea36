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
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/prng.h"
#include "fault_points.h"
#include "nodeloop.h"
#include "nodeloop_faults.h"

const char *ndl_fault_point_name(unsigned i) {
  return i < NDL__FP_COUNT ? ndl__fault_points[i].name : NULL;
}

const char *ndl_fault_point_about(unsigned i) {
  return i < NDL__FP_COUNT ? ndl__fault_points[i].what : NULL;
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
uint64_t ndl_faults_injected(void) { return 0; }
uint64_t ndl_faults_reached(void) { return 0; }

#else
#include <fiu-control.h>

#define MAX_ENTRIES 64

struct entry {
  unsigned point;      /* enum ndl__fault_point */
  uint64_t threshold;  /* fail when the draw is below it (probability mode) */
  uint64_t nth;        /* fail exactly the nth call, or 0 */
  intptr_t info;       /* the errno or argument the failure carries */
};

/* The plan is written only while no point can be reached concurrently
 * (between runs); the counters are atomic. */
static struct entry plan[MAX_ENTRIES];
static unsigned plan_len;
static uint64_t plan_seed;
static _Atomic uint64_t reached[NDL__FP_COUNT];
static _Atomic uint64_t injected;

static uint64_t mix(uint64_t seed, unsigned point, uint64_t call) {
  struct ndl__prng p;
  ndl__prng_seed(&p, seed ^ ((uint64_t)point << 56) ^
                         (call * 0x9e3779b97f4a7c15u));
  return ndl__prng_next(&p);
}

static unsigned point_of(const char *name) {
  unsigned i;
  for (i = 0; i < NDL__FP_COUNT; i++)
    if (strcmp(ndl__fault_points[i].name, name) == 0)
      return i;
  return NDL__FP_COUNT;
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
    const struct entry *e = &plan[i];
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

static int bad(char *why, size_t cap, const char *fmt, const char *item) {
  if (why != NULL && cap > 0)
    snprintf(why, cap, fmt, item);
  return NDL_BADFAULTS;
}

/* Parses one "point[:X]=P" or "point#N" into e. */
static int parse_entry(char *item, struct entry *e, char *why, size_t cap) {
  char *eq = strchr(item, '='), *hash = strchr(item, '#'), *colon, *end;
  memset(e, 0, sizeof(*e));
  if (hash != NULL) {
    unsigned long long n;
    *hash = '\0';
    n = strtoull(hash + 1, &end, 10);
    if (*end != '\0' || n == 0 || hash[1] == '-')
      return bad(why, cap, "'%s': #N wants a call number from 1", item);
    e->nth = n;
  } else {
    double p;
    if (eq == NULL)
      return bad(why, cap, "'%s': expected point=probability or point#N",
                 item);
    *eq = '\0';
    p = strtod(eq + 1, &end);
    if (end == eq + 1 || *end != '\0' || !(p >= 0.0 && p <= 1.0))
      return bad(why, cap, "'%s': the probability must be from 0 to 1", item);
    e->threshold = p >= 1.0 ? UINT64_MAX : (uint64_t)(p * 18446744073709551616.0);
  }
  if ((colon = strchr(item, ':')) != NULL) {
    long v;
    *colon = '\0';
    v = strtol(colon + 1, &end, 10);
    if (end != colon + 1 && *end == '\0')
      e->info = v;
    else if (errno_of(colon + 1, &e->info) != 0)
      return bad(why, cap, "'%s': unknown errno name", colon + 1);
  }
  if ((e->point = point_of(item)) == NDL__FP_COUNT)
    return bad(why, cap, "'%s': no such fault point (see nodeloop_faults.h)",
               item);
  return 0;
}

void ndl_faults_clear(void) {
  unsigned i;
  for (i = 0; i < plan_len; i++)
    fiu_disable(ndl__fault_points[plan[i].point].name);
  plan_len = 0;
}

int ndl_faults_plan(const char *spec, uint64_t seed, char *why, size_t cap) {
  struct entry parsed[MAX_ENTRIES];
  unsigned n = 0, i;
  char buf[2048], *item, *save = NULL;
  int err;

  if (spec == NULL)
    return NDL_EINVAL;
  if (strlen(spec) >= sizeof(buf))
    return bad(why, cap, "%s", "the plan is longer than 2047 characters");
  strcpy(buf, spec);
  for (item = strtok_r(buf, ",", &save); item != NULL;
       item = strtok_r(NULL, ",", &save)) {
    if (n == MAX_ENTRIES)
      return bad(why, cap, "%s", "more than 64 entries");
    if ((err = parse_entry(item, &parsed[n], why, cap)) != 0)
      return err;
    n++;
  }
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
  const char *spec = getenv("NODELOOP_FAULTS"), *seed = getenv("NODELOOP_FAULTS_SEED");
  if (spec == NULL || *spec == '\0')
    return 0;
  return ndl_faults_plan(spec, seed != NULL ? strtoull(seed, NULL, 10) : 1,
                         why, cap);
}

uint64_t ndl_faults_injected(void) { return atomic_load(&injected); }

uint64_t ndl_faults_reached(void) {
  uint64_t total = 0;
  unsigned i;
  for (i = 0; i < NDL__FP_COUNT; i++)
    total += atomic_load(&reached[i]);
  return total;
}

#endif
