/*
 * The generator: one seed, one program. Timer delays are multiples of 40 ms
 * and busy-waits 20 or 60 ms, so that the instants a program works with
 * fall on a grid whose lines are 20 ms apart; the timing check
 * (timing.h) then refuses the programs whose instants still come too close.
 * The generator keeps most of them apart itself: phase A, the tree, holds
 * no pool work and moves a timer's delay off an instant another
 * callback's timer is due at; the stage runs the pool work (and the TCP
 * op) alone, after phase A (README.md). The check stays the safety net.
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

/* The model of a program's instants the generator keeps timers apart
 * with, in ms, at most 64 of each: main runs at 0, an op runs when its
 * callback does plus the busy-waits before it there, a timer's callback
 * runs its delay after (an interval's once per call), and a nextTick's,
 * microtask's, promise's or immediate's once its parent's callback has
 * ended. Lateness is left out: the timing check has the last word. */
static int cb_instants(const struct dp_prog *p, int i, uint32_t *out);

/* The sum of the busy-waits among op i's parent's children, before op i
 * (before = i) or all of them (before = DP_MAX_OPS). */
static uint32_t busy_before(const struct dp_prog *p, int parent, int before) {
  uint32_t sum = 0;
  int j;
  for (j = 0; j < before && j < p->n; j++)
    if (p->op[j].parent == parent && p->op[j].kind == DK_BUSY)
      sum += p->op[j].delay_ms;
  return sum;
}

/* When op i runs. */
static int exec_instants(const struct dp_prog *p, int i, uint32_t *out) {
  int n = cb_instants(p, p->op[i].parent, out), b;
  uint32_t shift = busy_before(p, p->op[i].parent, i);
  for (b = 0; b < n; b++)
    out[b] += shift;
  return n;
}

/* When op i's callback runs (i = -1: main). */
static int cb_instants(const struct dp_prog *p, int i, uint32_t *out) {
  uint32_t base[64], k, calls;
  int nb, n = 0, b;
  if (i < 0) {
    out[0] = 0;
    return 1;
  }
  calls = p->op[i].kind == DK_INTERVAL  ? p->op[i].count
          : p->op[i].kind == DK_TIMEOUT ? 1
                                        : 0;
  if (calls == 0) {
    uint32_t end = busy_before(p, p->op[i].parent, DP_MAX_OPS);
    nb = cb_instants(p, p->op[i].parent, out);
    for (b = 0; b < nb; b++)
      out[b] += end;
    return nb;
  }
  nb = exec_instants(p, i, base);
  for (b = 0; b < nb; b++)
    for (k = 1; k <= calls && n < 64; k++)
      out[n++] = base[b] + k * p->op[i].delay_ms;
  return n;
}

/* When busy op i ends. */
static int busy_ends(const struct dp_prog *p, int i, uint32_t *out) {
  int n = exec_instants(p, i, out), b;
  for (b = 0; b < n; b++)
    out[b] += p->op[i].delay_ms;
  return n;
}

static int meet(const uint32_t *a, int na, const uint32_t *b, int nb) {
  int x, y;
  for (x = 0; x < na; x++)
    for (y = 0; y < nb; y++)
      if (a[x] == b[y])
        return 1;
  return 0;
}

/* Whether timer op i would be due at an instant when an earlier timer of
 * another callback is, or an earlier busy-wait ends (in the model): the
 * timing check refuses equal deadlines set by two callbacks, different
 * delays due together, and a timers phase that a busy-wait ran into at
 * the instant a timer is due. Two timers of one delay set by one callback
 * are fine. A timer of its interval parent's delay is moved too, though
 * the check passes it: nodeloop orders it otherwise than Node
 * (found/interval_rearm_before_same_delay_timer and
 * interval_busy_before_same_delay_timer), and with nine programs in ten
 * compared a run of 50 would meet it two times in five. */
static int collides(const struct dp_prog *p, int i) {
  uint32_t a[64], b[64];
  int na = cb_instants(p, i, a), j;
  for (j = 0; j < i; j++) {
    if (p->op[j].kind == DK_BUSY) {
      if (meet(a, na, b, busy_ends(p, j, b)))
        return 1;
      continue;
    }
    if (!dp_kind_is_timer(p->op[j].kind))
      continue;
    if (p->op[j].delay_ms == p->op[i].delay_ms &&
        p->op[j].parent == p->op[i].parent)
      continue;
    if (meet(a, na, b, cb_instants(p, j, b)))
      return 1;
  }
  return 0;
}

/* A busy-wait of 20 or 60 ms for op i: the one drawn, or the other when
 * the drawn one would end at an instant an earlier timer is due. */
static void draw_busy(uint64_t *s, struct dp_prog *p, int i) {
  uint32_t first = below(s, 2), k, a[64], b[64];
  int j, na, hit;
  for (k = 0; k < 2; k++) {
    p->op[i].delay_ms = 20 + 40 * ((first + k) % 2);
    na = busy_ends(p, i, a);
    for (hit = 0, j = 0; j < i && !hit; j++)
      hit = dp_kind_is_timer(p->op[j].kind) &&
            meet(a, na, b, cb_instants(p, j, b));
    if (!hit)
      return;
  }
  p->op[i].delay_ms = 20 + 40 * first;
}

/* A delay of 40, 80, 120 or 160 ms for timer op i: the one drawn, or the
 * next one up (cyclically) that collides with no earlier timer; when all
 * four do (a program crowded with intervals), the first of 200 to 320 ms
 * that does not, or else the one drawn. */
static void draw_delay(uint64_t *s, struct dp_prog *p, int i) {
  uint32_t first = below(s, 4), k;
  for (k = 0; k < 8; k++) {
    p->op[i].delay_ms = 40 * (1 + (k < 4 ? (first + k) % 4 : k));
    if (!collides(p, i))
      return;
  }
  p->op[i].delay_ms = 40 * (1 + first);
}

/* The pool work (fs.readFile, crypto) phase A drew, set aside for the
 * stage: its kind and file, in the order drawn. */
struct pool_draws {
  int n;
  uint8_t kind[2];
  uint32_t count[2];
};

/* Phase A: the program without pool work. A pool kind drawn is set aside
 * in *pool (the first two) and another kind drawn in its place. */
static void draw(uint64_t *s, struct dp_prog *p, struct pool_draws *pool) {
  int n = 2 + (int)below(s, GEN_MAX_OPS - 1), i;
  memset(p, 0, sizeof(*p));
  memset(pool, 0, sizeof(*pool));
  for (i = 0; i < n; i++) {
    struct dp_op *o = &p->op[i];
    int parents[DP_MAX_OPS], np = 0, j;
    for (j = 0; j < i; j++)
      if (dp_kind_has_callback(p->op[j].kind) && depth(p, j) < GEN_MAX_DEPTH)
        parents[np++] = j;
    o->parent = (int16_t)(np == 0 || below(s, 3) == 0
                              ? -1
                              : parents[below(s, (uint32_t)np)]);
    while ((o->kind = (uint8_t)draw_kind(s)) == DK_FS_READ ||
           o->kind == DK_CRYPTO)
      if (pool->n < 2) {
        pool->kind[pool->n] = o->kind;
        pool->count[pool->n++] = o->kind == DK_FS_READ ? below(s, DP_FILES) : 0;
      }
    o->target = -1;
    switch (o->kind) {
    case DK_INTERVAL:
      o->count = 1 + below(s, 3);
      /* fall through */
    case DK_TIMEOUT:
      p->n = i + 1;
      draw_delay(s, p, i);
      o->unref = below(s, 6) == 0;
      break;
    case DK_PROMISE:
      o->count = 1 + below(s, 3);
      break;
    case DK_BUSY:
      p->n = i + 1;
      draw_busy(s, p, i);
      break;
    case DK_CLEAR:
    case DK_UNREF:
    case DK_REF:
      if ((o->target = (int16_t)draw_target(s, p)) < 0)
        o->kind = DK_IMMEDIATE;
      break;
    default:
      break;
    }
    p->n = i + 1;
  }
}

/* When phase A is over at the latest, in ms of virtual time: the loop's
 * time moves only by busy-waits and by sleeping to a deadline, so it ends
 * by every busy-wait's every run added up plus the longest chain of
 * delays (an interval's counted as its last call) from main to a timer. */
static uint64_t phase_a_end_ms(const struct dp_prog *p) {
  uint64_t calls[DP_MAX_OPS], reach[DP_MAX_OPS], busy = 0, end = 0;
  int i;
  for (i = 0; i < p->n; i++) {
    const struct dp_op *o = &p->op[i];
    uint64_t per = 1;
    calls[i] = 1;
    reach[i] = 0;
    if (o->parent >= 0) {
      const struct dp_op *par = &p->op[o->parent];
      per = par->kind == DK_INTERVAL ? par->count : 1;
      calls[i] = calls[o->parent] * per;
      reach[i] = reach[o->parent];
    }
    if (o->kind == DK_TIMEOUT)
      reach[i] += o->delay_ms;
    else if (o->kind == DK_INTERVAL)
      reach[i] += (uint64_t)o->delay_ms * o->count;
    else if (o->kind == DK_BUSY)
      busy += calls[i] * o->delay_ms;
    if (reach[i] > end)
      end = reach[i];
  }
  return end + busy;
}

static struct dp_op *add(struct dp_prog *p, int parent, int kind) {
  struct dp_op *o = &p->op[p->n++];
  memset(o, 0, sizeof(*o));
  o->parent = (int16_t)parent;
  o->target = -1;
  o->kind = (uint8_t)kind;
  return o;
}

/* Children for the end of the stage (phase B), of the kinds whose order
 * Node defines there: nothing else is pending when they are queued. */
static void draw_kids(uint64_t *s, struct dp_prog *p, int parent, int n) {
  static const uint8_t kids[] = {DK_TIMEOUT, DK_IMMEDIATE, DK_NEXT_TICK,
                                 DK_MICROTASK};
  for (; n > 0; n--) {
    struct dp_op *o = add(p, parent, kids[below(s, sizeof(kids))]);
    if (o->kind == DK_TIMEOUT)
      o->delay_ms = 40 * (1 + below(s, 2));
  }
}

/* The stage: pool work runs alone, as the timing check wants it (no
 * immediate pending, no other callback between its issue and its
 * completion, no timer due near it), by construction. A timer set in
 * main, due 40 ms after phase A is over at the latest, issues the first
 * pool task; each task's completion issues the next (at most two from
 * phase A's draws, then the TCP op when this seed has one), and the last
 * one's callback runs phase B. A stream of its own decides the TCP op (a
 * quarter of the programs) and how its client ends (enum dp_tcp_how). */
static void draw_stage(uint64_t seed, struct dp_prog *p,
                       const struct pool_draws *pool) {
  uint64_t s = seed ^ 0x3c6ef372fe94f82bu;
  struct dp_prog q = *p;
  int tcp = below(&s, 4) == 0, last, k;
  uint32_t bytes = 1 + below(&s, 4096);
  struct dp_op *o;
  if (pool->n == 0 && !tcp)
    return;
  if (q.n + 1 + pool->n + tcp + 2 > DP_MAX_OPS)
    return;
  o = add(&q, -1, DK_TIMEOUT);
  o->delay_ms = (uint32_t)(40 * ((phase_a_end_ms(p) + 40) / 40 + 1));
  last = q.n - 1;
  for (k = 0; k < pool->n; k++) {
    o = add(&q, last, pool->kind[k]);
    o->count = pool->count[k];
    last = q.n - 1;
  }
  if (tcp) {
    o = add(&q, last, DK_TCP);
    o->count = bytes;
    /* A refused connection sends nothing, and a quarter of the
     * write-then-end() clients write nothing either: end() alone. */
    o->how = (uint8_t)below(&s, DH_COUNT);
    if (o->how == DH_REFUSED || (o->how == DH_WRITE_END && below(&s, 4) == 0))
      o->count = 0;
    last = q.n - 1;
  }
  draw_kids(&s, &q, last, (int)below(&s, 3));
  if (dp_max_lines(&q) <= DP_MAX_LINES)
    *p = q;
}

void dp_generate(uint64_t seed, struct dp_prog *p) {
  uint64_t s = seed;
  struct pool_draws pool;
  do
    draw(&s, p, &pool);
  while (dp_max_lines(p) > DP_MAX_LINES);
  draw_stage(seed, p, &pool);
}
