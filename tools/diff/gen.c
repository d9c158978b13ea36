/*
 * The generator: one seed, one program. Timer delays are multiples of 40 ms
 * and busy-waits 20 or 60 ms, so that the instants a program works with
 * fall on a grid whose lines are 20 ms apart; the timing check
 * (timing.h) then refuses the programs whose instants still come too close.
 * (A 20 ms grid with a 10 ms margin was too tight on a machine loaded to
 * five times its cores: Node's first iteration came more than 10 ms after
 * main, and about one program in eight printed two orders.)
 */
#include "gen.h"

#include <string.h>

/* The ops a program has at most; small programs are faster to run in Node
 * and still reach every rule. */
#define GEN_MAX_OPS 14
#define GEN_MAX_DEPTH 4

static uint64_t next(uint64_t *s) {
  uint64_t z = (*s += 0x9e3779b97f4a7c15u);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
  return z ^ (z >> 31);
}

static uint32_t below(uint64_t *s, uint32_t n) {
  return (uint32_t)(next(s) % n);
}

/* Kinds and their weights. */
static const struct {
  uint8_t kind, weight;
} weights[] = {
    {DK_TIMEOUT, 20},   {DK_INTERVAL, 6},   {DK_IMMEDIATE, 14},
    {DK_NEXT_TICK, 12}, {DK_MICROTASK, 12}, {DK_PROMISE, 8},
    {DK_BUSY, 6},       {DK_CLEAR, 5},      {DK_UNREF, 3},
    {DK_REF, 2},        {DK_FS_READ, 7},    {DK_CRYPTO, 4},
};

static int draw_kind(uint64_t *s) {
  unsigned total = 0, k, r;
  for (k = 0; k < sizeof(weights) / sizeof(weights[0]); k++)
    total += weights[k].weight;
  r = below(s, total);
  for (k = 0; r >= weights[k].weight; k++)
    r -= weights[k].weight;
  return weights[k].kind;
}

static int depth(const struct dp_prog *p, int i) {
  int d = 0;
  for (; i >= 0; i = p->op[i].parent)
    d++;
  return d;
}

/* An earlier timer op, or -1. */
static int draw_target(uint64_t *s, const struct dp_prog *p) {
  int timers[DP_MAX_OPS], n = 0, i;
  for (i = 0; i < p->n; i++)
    if (dp_kind_is_timer(p->op[i].kind))
      timers[n++] = i;
  return n == 0 ? -1 : timers[below(s, (uint32_t)n)];
}

static void draw(uint64_t *s, struct dp_prog *p) {
  int n = 2 + (int)below(s, GEN_MAX_OPS - 1), i;
  memset(p, 0, sizeof(*p));
  for (i = 0; i < n; i++) {
    struct dp_op *o = &p->op[i];
    int parents[DP_MAX_OPS], np = 0, j;
    for (j = 0; j < i; j++)
      if (dp_kind_has_callback(p->op[j].kind) && depth(p, j) < GEN_MAX_DEPTH)
        parents[np++] = j;
    o->parent = (int16_t)(np == 0 || below(s, 3) == 0
                              ? -1
                              : parents[below(s, (uint32_t)np)]);
    o->kind = (uint8_t)draw_kind(s);
    o->target = -1;
    switch (o->kind) {
    case DK_INTERVAL:
      o->count = 1 + below(s, 3);
      /* fall through */
    case DK_TIMEOUT:
      o->delay_ms = 40 * (1 + below(s, 4));
      o->unref = below(s, 6) == 0;
      break;
    case DK_PROMISE:
      o->count = 1 + below(s, 3);
      break;
    case DK_BUSY:
      o->delay_ms = 20 + 40 * below(s, 2);
      break;
    case DK_CLEAR:
    case DK_UNREF:
    case DK_REF:
      if ((o->target = (int16_t)draw_target(s, p)) < 0)
        o->kind = DK_IMMEDIATE;
      break;
    case DK_FS_READ:
      o->count = below(s, DP_FILES);
      break;
    default:
      break;
    }
    p->n = i + 1;
  }
}

/* The TCP echo came after the other kinds. A stream of its own decides
 * whether a program ends with one (a quarter do), so that a seed drawing
 * none makes the program it made before the echo existed, and which of
 * the four ways (enum dp_tcp_how) its client ends. Its children,
 * which run in the close phase, are of the kinds whose order there Node
 * defines. */
static void draw_tcp(uint64_t seed, struct dp_prog *p) {
  static const uint8_t kids[] = {DK_TIMEOUT, DK_IMMEDIATE, DK_NEXT_TICK,
                                 DK_MICROTASK};
  uint64_t s = seed ^ 0x3c6ef372fe94f82bu;
  struct dp_prog q = *p;
  int parents[DP_MAX_OPS], np = 0, me, j, nkids;
  if (below(&s, 4) != 0 || q.n + 3 > DP_MAX_OPS)
    return;
  for (j = 0; j < q.n; j++)
    if (dp_kind_has_callback(q.op[j].kind) && depth(&q, j) < GEN_MAX_DEPTH)
      parents[np++] = j;
  me = q.n++;
  memset(&q.op[me], 0, sizeof(q.op[me]));
  q.op[me].kind = DK_TCP;
  q.op[me].target = -1;
  q.op[me].parent = (int16_t)(np == 0 || below(&s, 2) == 0
                                  ? -1
                                  : parents[below(&s, (uint32_t)np)]);
  q.op[me].count = 1 + below(&s, 4096);
  for (nkids = (int)below(&s, 3); nkids > 0; nkids--) {
    struct dp_op *o = &q.op[q.n++];
    memset(o, 0, sizeof(*o));
    o->parent = (int16_t)me;
    o->target = -1;
    o->kind = kids[below(&s, sizeof(kids))];
    if (o->kind == DK_TIMEOUT)
      o->delay_ms = 40 * (1 + below(&s, 2));
  }
  if (dp_max_lines(&q) > DP_MAX_LINES)
    return;
  /* The variants came after the echo: drawn last, from this stream, so
   * that a seed drawing the echo makes the echo it made before them. A
   * refused connection sends nothing, and a quarter of the write-then-end()
   * clients write nothing either: end() alone. */
  q.op[me].how = (uint8_t)below(&s, DH_COUNT);
  if (q.op[me].how == DH_REFUSED ||
      (q.op[me].how == DH_WRITE_END && below(&s, 4) == 0))
    q.op[me].count = 0;
  *p = q;
}

void dp_generate(uint64_t seed, struct dp_prog *p) {
  uint64_t s = seed;
  do
    draw(&s, p);
  while (dp_max_lines(p) > DP_MAX_LINES);
  draw_tcp(seed, p);
}
