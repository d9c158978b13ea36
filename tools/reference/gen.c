/*
 * The program generator. Swarm testing, as TigerBeetle's VOPR: each seed
 * first draws its own world (pool size, worker jitter, id width) and its own
 * op mix (some kinds switched off, the rest weighted at random, a delay
 * profile from "everything due at once" to "spread over a second"), then a
 * program in that world. A run over many seeds so covers corners a single
 * fixed mix would visit rarely: all-equal deadlines, a one-thread pool, ids
 * that wrap every few registrations.
 */
#include <string.h>

#include "core/prng.h"
#include "program.h"

static const char *const kind_names[PK_COUNT] = {
    "timeout", "interval", "immediate", "next_tick", "microtask",
    "work",    "io",       "defer",     "close",     "clear",
    "advance", "fs_read",  "echo",      "refused",   "reset"};

const char *prog_kind_name(int kind) {
  return kind >= 0 && kind < PK_COUNT ? kind_names[kind] : "?";
}

int prog_kind_clearable(int kind) {
  return kind == PK_TIMEOUT || kind == PK_INTERVAL || kind == PK_IMMEDIATE ||
         kind == PK_IO;
}

int prog_kind_is_work(int kind) {
  return kind == PK_WORK || kind == PK_FS_READ;
}

int prog_kind_is_net(int kind) {
  return kind == PK_ECHO || kind == PK_REFUSED || kind == PK_RESET;
}

int prog_count_net(const struct prog *p) {
  return prog_count_kind(p, PK_ECHO) + prog_count_kind(p, PK_REFUSED) +
         prog_count_kind(p, PK_RESET);
}

/* Lengths 0, 1 and more than one read of the sim's disk returns. */
const char *prog_file_text(unsigned i, size_t *len) {
  static char big[9000];
  if (big[0] == '\0') {
    size_t k;
    for (k = 0; k < sizeof(big); k++)
      big[k] = (char)('a' + k % 26);
  }
  switch (i) {
  case 0:
    *len = 0;
    return "";
  case 1:
    *len = 1;
    return "x";
  default:
    *len = sizeof(big);
    return big;
  }
}

int prog_kind_registers(int kind) {
  return kind != PK_CLEAR && kind != PK_ADVANCE;
}

uint64_t prog_id_max(const struct prog_config *cfg) {
  return cfg->id_bits >= 32 ? UINT32_MAX : (1u << cfg->id_bits) - 1u;
}

/* The knobs one seed draws. */
struct swarm {
  unsigned weight[PK_COUNT];
  unsigned total_weight;
  unsigned roots;
  unsigned max_delay;
  unsigned zero_pct, equal_pct;
  unsigned nest_pct, max_children, max_depth;
  unsigned unref_pct;
  uint32_t used_delays[16];
  unsigned n_used;
};

static unsigned pct(struct ndl__prng *r) {
  return (unsigned)ndl__prng_below(r, 100);
}

static void draw_swarm(struct ndl__prng *r, struct swarm *s) {
  static const unsigned delays[] = {1, 3, 10, 50, 300};
  int k;
  memset(s, 0, sizeof(*s));
  /* Each kind is on with probability 3/4, with a weight from 1 to 8; the
   * timeout is always on, so no program is empty of timers. */
  for (k = 0; k < PK_COUNT; k++) {
    /* An echo turns the reference's order checks off for its program
     * (program.h), so it is on in one seed in eight. The reset is drawn
     * apart (prog_generate). */
    int on = k == PK_RESET ? 0
             : prog_kind_is_net(k)
                 ? ndl__prng_chance(r, 1, 8)
                 : k == PK_TIMEOUT || ndl__prng_chance(r, 3, 4);
    if (on)
      s->weight[k] = 1 + (unsigned)ndl__prng_below(r, 8);
    s->total_weight += s->weight[k];
  }
  s->roots = 1 + (unsigned)ndl__prng_below(r, 1 + ndl__prng_below(r, 24));
  s->max_delay = delays[ndl__prng_below(r, 5)];
  s->zero_pct = (unsigned)ndl__prng_below(r, 40);
  s->equal_pct = (unsigned)ndl__prng_below(r, 60);
  s->nest_pct = (unsigned)ndl__prng_below(r, 70);
  s->max_children = 1 + (unsigned)ndl__prng_below(r, 4);
  s->max_depth = 1 + (unsigned)ndl__prng_below(r, 4);
  s->unref_pct = ndl__prng_chance(r, 1, 4) ? 15 : 0;
}

/* The reset op came after the others, and draws whether it is on from a
 * stream of its own: a seed whose swarm leaves it off (7 in 8) makes the
 * program it made before the op existed. */
static void draw_late_kinds(uint64_t seed, struct swarm *s) {
  struct ndl__prng late;
  ndl__prng_seed(&late, seed ^ 0xbb67ae8584caa73bu);
  if (ndl__prng_chance(&late, 1, 8)) {
    s->weight[PK_RESET] = 1 + (unsigned)ndl__prng_below(&late, 8);
    s->total_weight += s->weight[PK_RESET];
  }
}

static void draw_config(struct ndl__prng *r, uint64_t seed,
                        struct prog_config *c) {
  c->sim_seed = seed;
  c->pool = 1 + (uint32_t)ndl__prng_below(r, 8);
  c->inline_work = ndl__prng_chance(r, 1, 8);
  if (ndl__prng_chance(r, 1, 2))
    c->spread_ns = 0;
  else if (ndl__prng_chance(r, 1, 2))
    c->spread_ns = ndl__prng_below(r, 10) * 1000000u; /* whole ms */
  else
    c->spread_ns = ndl__prng_below(r, 10000001u); /* any ns */
  c->id_bits =
      ndl__prng_chance(r, 1, 5) ? 3 + (uint32_t)ndl__prng_below(r, 6) : 32;
}

static uint32_t draw_delay(struct ndl__prng *r, struct swarm *s) {
  uint32_t d;
  if (pct(r) < s->zero_pct)
    return 0;
  if (s->n_used > 0 && pct(r) < s->equal_pct)
    return s->used_delays[ndl__prng_below(r, s->n_used)];
  d = (uint32_t)ndl__prng_below(r, s->max_delay + 1);
  if (s->n_used < 16)
    s->used_delays[s->n_used++] = d;
  return d;
}

static int draw_kind(struct ndl__prng *r, const struct swarm *s) {
  unsigned x = (unsigned)ndl__prng_below(r, s->total_weight);
  int k;
  for (k = 0; k < PK_COUNT; k++) {
    if (x < s->weight[k])
      return k;
    x -= s->weight[k];
  }
  return PK_TIMEOUT;
}

static int has_callback(int kind) {
  return kind != PK_CLEAR && kind != PK_ADVANCE;
}

static void gen_ops(struct ndl__prng *r, struct swarm *s, struct prog *p,
                    int parent, unsigned depth, unsigned count) {
  unsigned i;
  for (i = 0; i < count && p->n < PROG_MAX_OPS; i++) {
    int me = p->n++;
    struct prog_op *op = &p->op[me];
    memset(op, 0, sizeof(*op));
    op->kind = (uint8_t)draw_kind(r, s);
    op->parent = (int16_t)parent;
    op->target = -1;
    switch (op->kind) {
    case PK_TIMEOUT:
      op->delay_ms = draw_delay(r, s);
      op->unref = pct(r) < s->unref_pct;
      break;
    case PK_INTERVAL:
      op->delay_ms = draw_delay(r, s);
      op->count = 1 + (uint32_t)ndl__prng_below(r, 4);
      op->unref = pct(r) < s->unref_pct;
      break;
    case PK_WORK:
      op->delay_ms = draw_delay(r, s);
      break;
    case PK_FS_READ:
      op->delay_ms = draw_delay(r, s);
      op->count = (uint32_t)ndl__prng_below(r, PROG_FILES);
      break;
    case PK_RESET:
      op->count = (uint32_t)ndl__prng_below(r, 100);
      break;
    case PK_ECHO:
      /* Up to 300 KB: past the sim's 256 KiB window now and then. */
      op->count = ndl__prng_chance(r, 1, 2)
                      ? (uint32_t)ndl__prng_below(r, 100)
                      : (uint32_t)ndl__prng_below(r, 300001);
      break;
    case PK_IO:
      op->delay_ms = draw_delay(r, s);
      op->count = 1 + (uint32_t)ndl__prng_below(r, 3);
      op->gap_ms = (uint32_t)ndl__prng_below(r, s->max_delay / 2 + 1);
      break;
    case PK_ADVANCE:
      op->delay_ms = (uint32_t)ndl__prng_below(r, s->max_delay / 2 + 2);
      break;
    default:
      break;
    }
    if (has_callback(op->kind) && depth < s->max_depth && pct(r) < s->nest_pct)
      gen_ops(r, s, p, me, depth + 1,
              1 + (unsigned)ndl__prng_below(r, s->max_children));
  }
}

void prog_generate(uint64_t seed, struct prog *p) {
  struct ndl__prng r;
  struct swarm s;
  int i, clearable[PROG_MAX_OPS], nclear = 0;

  /* Mixed so that neighbouring seeds draw unrelated worlds. */
  ndl__prng_seed(&r, seed ^ 0x6a09e667f3bcc908u);
  memset(p, 0, sizeof(*p));
  draw_config(&r, seed, &p->cfg);
  draw_swarm(&r, &s);
  draw_late_kinds(seed, &s);
  gen_ops(&r, &s, p, -1, 0, s.roots);

  /* A clear may name any clearable op, before or after it, in or out of
   * its own subtree; one with nothing to name becomes an immediate. */
  for (i = 0; i < p->n; i++)
    if (prog_kind_clearable(p->op[i].kind))
      clearable[nclear++] = i;
  for (i = 0; i < p->n; i++) {
    if (p->op[i].kind != PK_CLEAR)
      continue;
    if (nclear == 0)
      p->op[i].kind = PK_IMMEDIATE;
    else
      p->op[i].target =
          (int16_t)clearable[ndl__prng_below(&r, (uint64_t)nclear)];
  }
  /* The echo's own callbacks take ids too: a narrow id space would make it
   * fail with NDL_NOIDS, which the runner cannot tell from a bug. */
  if (prog_count_net(p) > 0)
    p->cfg.id_bits = 32;
}

int prog_count_kind(const struct prog *p, int kind) {
  int i, n = 0;
  for (i = 0; i < p->n; i++)
    n += p->op[i].kind == kind;
  return n;
}

static void dfs_order(const struct prog *p, int parent, int *order, int *n) {
  int j;
  for (j = 0; j < p->n; j++)
    if (p->op[j].parent == parent) {
      order[(*n)++] = j;
      dfs_order(p, j, order, n);
    }
}

void prog_canonical(struct prog *p) {
  int order[PROG_MAX_OPS], map[PROG_MAX_OPS], n = 0, k;
  struct prog_op ops[PROG_MAX_OPS];
  dfs_order(p, -1, order, &n);
  for (k = 0; k < n; k++)
    map[order[k]] = k;
  for (k = 0; k < n; k++) {
    ops[k] = p->op[order[k]];
    if (ops[k].parent >= 0)
      ops[k].parent = (int16_t)map[ops[k].parent];
    if (ops[k].target >= 0)
      ops[k].target = (int16_t)map[ops[k].target];
  }
  memcpy(p->op, ops, (size_t)n * sizeof(ops[0]));
  p->n = n;
}

static int in_subtree(const struct prog *p, int j, int root) {
  while (j != -1) {
    if (j == root)
      return 1;
    j = p->op[j].parent;
  }
  return 0;
}

void prog_remove(struct prog *p, int i) {
  int gone[PROG_MAX_OPS], map[PROG_MAX_OPS], j, n = 0;
  for (j = 0; j < p->n; j++)
    gone[j] = in_subtree(p, j, i);
  for (j = 0; j < p->n; j++)
    if (p->op[j].kind == PK_CLEAR && p->op[j].target >= 0 &&
        gone[p->op[j].target])
      gone[j] = 1;
  for (j = 0; j < p->n; j++)
    map[j] = gone[j] ? -1 : n++;
  n = 0;
  for (j = 0; j < p->n; j++) {
    struct prog_op op = p->op[j];
    if (gone[j])
      continue;
    if (op.parent >= 0)
      op.parent = (int16_t)map[op.parent];
    if (op.target >= 0)
      op.target = (int16_t)map[op.target];
    p->op[n++] = op;
  }
  p->n = n;
}
