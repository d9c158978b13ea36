/*
 * The one pseudo-random generator of nodeloop: splitmix64. It is tiny, has a
 * full 2^64 period and passes BigCrush, and its whole state is one integer, so
 * a seed printed in a failure message replays the run exactly. Every user
 * (the sim's workers, fault plans, the program generator) owns its own state;
 * nothing is global, so threads never share one.
 */
#ifndef NDL_CORE_PRNG_H
#define NDL_CORE_PRNG_H

#include <stdint.h>

struct ndl__prng {
  uint64_t state;
};

static inline void ndl__prng_seed(struct ndl__prng *p, uint64_t seed) {
  p->state = seed;
}

static inline uint64_t ndl__prng_next(struct ndl__prng *p) {
  uint64_t z = (p->state += 0x9e3779b97f4a7c15u);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
  return z ^ (z >> 31);
}

/* Uniform in [0, n); 0 when n is 0. The modulo bias is below 2^-32 for the
 * small n used here, which no test can observe. */
static inline uint64_t ndl__prng_below(struct ndl__prng *p, uint64_t n) {
  return n == 0 ? 0 : ndl__prng_next(p) % n;
}

/* 1 with probability num/den. */
static inline int ndl__prng_chance(struct ndl__prng *p, uint64_t num,
                                   uint64_t den) {
  return ndl__prng_below(p, den) < num;
}

#endif
