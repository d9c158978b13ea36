/*
 * The text form of a program: prog_print() and prog_write() write it,
 * prog_read() parses it strictly (program_text.h has the grammar).
 */
#include "program_text.h"

#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <string.h>

#include "faults/plan.h"

/* ---- Writing. */

static void print_op(const struct prog *p, int i, int depth, FILE *f) {
  const struct prog_op *op = &p->op[i];
  int j;
  fprintf(f, "%*s#%d %s", 2 * depth + 2, "", i, prog_kind_name(op->kind));
  switch (op->kind) {
  case PK_TIMEOUT:
  case PK_WORK:
  case PK_ADVANCE:
    fprintf(f, " %ums", (unsigned)op->delay_ms);
    break;
  case PK_INTERVAL:
    fprintf(f, " %ums x%u", (unsigned)op->delay_ms, (unsigned)op->count);
    break;
  case PK_FS_READ:
    fprintf(f, " f%u %ums", (unsigned)op->count, (unsigned)op->delay_ms);
    break;
  case PK_ECHO:
  case PK_RESET:
    fprintf(f, " %u bytes", (unsigned)op->count);
    break;
  case PK_IO:
    fprintf(f, " after %ums x%u every %ums", (unsigned)op->delay_ms,
            (unsigned)op->count, (unsigned)op->gap_ms);
    break;
  case PK_CLEAR:
    fprintf(f, " #%d", op->target);
    break;
  default:
    break;
  }
  if (op->unref)
    fprintf(f, " unref");
  fputc('\n', f);
  for (j = 0; j < p->n; j++)
    if (p->op[j].parent == i)
      print_op(p, j, depth + 1, f);
}

static void print_config(const struct prog *p, FILE *f) {
  fprintf(f,
          "config: sim_seed=%llu pool=%u inline_work=%d spread_ns=%llu "
          "id_bits=%u\n",
          (unsigned long long)p->cfg.sim_seed, (unsigned)p->cfg.pool,
          p->cfg.inline_work, (unsigned long long)p->cfg.spread_ns,
          (unsigned)p->cfg.id_bits);
}

static void print_main(const struct prog *p, FILE *f) {
  int i;
  fprintf(f, "main: (%d ops)\n", p->n);
  for (i = 0; i < p->n; i++)
    if (p->op[i].parent == -1)
      print_op(p, i, 0, f);
}

void prog_print(const struct prog *p, FILE *f) {
  print_config(p, f);
  print_main(p, f);
}

void prog_print_world(const struct prog *p, const char *plan, FILE *f) {
  print_config(p, f);
  if (plan != NULL && *plan != '\0')
    fprintf(f, "faults: %s\n", plan);
  print_main(p, f);
}

/* Which fields the text shows for a kind: the others must be 0 (target:
 * -1) for the text to carry the op whole. */
enum { SHOWS_DELAY = 1, SHOWS_COUNT = 2, SHOWS_GAP = 4, SHOWS_TARGET = 8 };

static unsigned shown(int kind) {
  switch (kind) {
  case PK_TIMEOUT:
  case PK_WORK:
  case PK_ADVANCE:
    return SHOWS_DELAY;
  case PK_INTERVAL:
  case PK_FS_READ:
    return SHOWS_DELAY | SHOWS_COUNT;
  case PK_ECHO:
  case PK_RESET:
    return SHOWS_COUNT;
  case PK_IO:
    return SHOWS_DELAY | SHOWS_COUNT | SHOWS_GAP;
  case PK_CLEAR:
    return SHOWS_TARGET;
  default:
    return 0;
  }
}

/* Whether op i hangs off main through a chain of at most n parents. */
static int linked(const struct prog *p, int i) {
  int hops;
  for (hops = 0; hops <= p->n; hops++) {
    if (p->op[i].parent == -1)
      return 1;
    if (p->op[i].parent < 0 || p->op[i].parent >= p->n)
      return 0;
    i = p->op[i].parent;
  }
  return 0;
}

static int carried(const struct prog *p) {
  int i;
  if (p->n < 0 || p->n > PROG_MAX_OPS)
    return 0;
  for (i = 0; i < p->n; i++) {
    const struct prog_op *op = &p->op[i];
    unsigned s;
    if (op->kind >= PK_COUNT || !linked(p, i))
      return 0;
    s = shown(op->kind);
    if ((!(s & SHOWS_DELAY) && op->delay_ms != 0) ||
        (!(s & SHOWS_COUNT) && op->count != 0) ||
        (!(s & SHOWS_GAP) && op->gap_ms != 0) ||
        (!(s & SHOWS_TARGET) && op->target != -1) || op->unref > 1)
      return 0;
  }
  return 1;
}

int prog_write(const struct prog *p, const char *plan, FILE *f) {
  if (!carried(p))
    return -1;
  fprintf(f, "# A nodeloop-sim program (tools/reference/program_text.h).\n"
             "# Run it with: nodeloop-sim --program FILE\n");
  prog_print_world(p, plan, f);
  return ferror(f) ? -1 : 0;
}

int prog_save(const char *path, const struct prog *p, const char *plan,
              char *why, size_t why_cap) {
  FILE *f = fopen(path, "w");
  int err;
  if (f == NULL) {
    snprintf(why, why_cap, "%s: %s", path, strerror(errno));
    return -1;
  }
  err = prog_write(p, plan, f);
  if ((fclose(f) != 0) | (err != 0)) {
    snprintf(why, why_cap, "%s: %s", path,
             carried(p) ? "could not be written"
                        : "the program has an op its text cannot carry");
    return -1;
  }
  return 0;
}

/* ---- Reading. */

struct reader {
  const char *name;
  int line;
  char *why;
  size_t why_cap;
};

static int bad(struct reader *r, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static int bad(struct reader *r, const char *fmt, ...) {
  char msg[256];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof(msg), fmt, ap);
  va_end(ap);
  if (r->line > 0)
    snprintf(r->why, r->why_cap, "%s:%d: %s", r->name, r->line, msg);
  else
    snprintf(r->why, r->why_cap, "%s: %s", r->name, msg);
  return -1;
}

/* Consumes the literal lit at *s. */
static int eat(const char **s, const char *lit) {
  size_t n = strlen(lit);
  if (strncmp(*s, lit, n) != 0)
    return 0;
  *s += n;
  return 1;
}

/* Consumes a decimal number from 0 to max. */
static int number(const char **s, uint64_t max, uint64_t *out) {
  const char *c = *s;
  uint64_t v = 0;
  if (*c < '0' || *c > '9')
    return 0;
  for (; *c >= '0' && *c <= '9'; c++) {
    unsigned d = (unsigned)(*c - '0');
    if (v > (max - d) / 10)
      return 0;
    v = v * 10 + d;
  }
  *s = c;
  *out = v;
  return 1;
}

/* " <field>=<number>" with the number from lo to hi. */
static int field(struct reader *r, const char **s, const char *name,
                 uint64_t lo, uint64_t hi, uint64_t *out) {
  if (!eat(s, " ") || !eat(s, name) || !eat(s, "="))
    return bad(r, "expected ' %s=' in the config line", name);
  if (!number(s, UINT64_MAX, out) || *out < lo || *out > hi)
    return bad(r, "%s wants a number from %llu to %llu", name,
               (unsigned long long)lo, (unsigned long long)hi);
  return 0;
}

static int parse_config(struct reader *r, const char *s,
                        struct prog_config *c) {
  uint64_t seed, pool, inline_work, spread, bits;
  if (!eat(&s, "config:"))
    return bad(r, "expected the config line first");
  if (field(r, &s, "sim_seed", 0, UINT64_MAX, &seed) ||
      field(r, &s, "pool", 1, 8, &pool) ||
      field(r, &s, "inline_work", 0, 1, &inline_work) ||
      field(r, &s, "spread_ns", 0, UINT64_MAX, &spread) ||
      field(r, &s, "id_bits", 3, 32, &bits))
    return -1;
  if (*s != '\0')
    return bad(r, "unexpected '%s' after the config", s);
  c->sim_seed = seed;
  c->pool = (uint32_t)pool;
  c->inline_work = (int)inline_work;
  c->spread_ns = spread;
  c->id_bits = (uint32_t)bits;
  return 0;
}

/* " <number><unit>", a uint32_t. */
static int arg(struct reader *r, const char **s, const char *before,
               const char *unit, uint32_t *out, const char *what) {
  uint64_t v;
  if (!eat(s, before) || !number(s, UINT32_MAX, &v) || !eat(s, unit))
    return bad(r, "expected '%s<n>%s' (%s, 0 to %u)", before, unit, what,
               (unsigned)UINT32_MAX);
  *out = (uint32_t)v;
  return 0;
}

static int parse_args(struct reader *r, const char **s, struct prog_op *op,
                      int n) {
  uint64_t t;
  switch (op->kind) {
  case PK_TIMEOUT:
  case PK_WORK:
  case PK_ADVANCE:
    return arg(r, s, " ", "ms", &op->delay_ms, "the delay");
  case PK_INTERVAL:
    if (arg(r, s, " ", "ms", &op->delay_ms, "the delay") ||
        arg(r, s, " x", "", &op->count, "the count"))
      return -1;
    return op->count == 0 ? bad(r, "an interval runs at least once (x1)") : 0;
  case PK_FS_READ:
    if (arg(r, s, " f", "", &op->count, "the file"))
      return -1;
    if (op->count >= PROG_FILES)
      return bad(r, "the files are f0 to f%d", PROG_FILES - 1);
    return arg(r, s, " ", "ms", &op->delay_ms, "the delay");
  case PK_ECHO:
  case PK_RESET:
    return arg(r, s, " ", " bytes", &op->count, "the bytes sent");
  case PK_IO:
    if (arg(r, s, " after ", "ms", &op->delay_ms, "the first delay") ||
        arg(r, s, " x", "", &op->count, "how many times") ||
        arg(r, s, " every ", "ms", &op->gap_ms, "the gap"))
      return -1;
    return op->count == 0 ? bad(r, "an io is ready at least once (x1)") : 0;
  case PK_CLEAR:
    if (!eat(s, " #") || !number(s, (uint64_t)n - 1, &t))
      return bad(r, "expected ' #<op>', an op from 0 to %d", n - 1);
    op->target = (int16_t)t;
    return 0;
  default:
    return 0;
  }
}

/* One op line, at depth below stack[depth - 1]. */
static int parse_op(struct reader *r, const char *s, struct prog *p, int *stack,
                    int *depth_now, unsigned char *seen) {
  size_t spaces = strspn(s, " "), len;
  int depth, k;
  uint64_t index;
  struct prog_op *op;

  if (spaces < 2 || spaces % 2 != 0 || s[spaces] != '#')
    return bad(r, "expected an op: two spaces per level, plus two, then #i");
  depth = (int)(spaces / 2) - 1;
  if (depth > *depth_now + 1)
    return bad(r, "indented two levels past the op above");
  s += spaces + 1;
  if (!number(&s, (uint64_t)p->n - 1, &index))
    return bad(r, "expected an op index from 0 to %d", p->n - 1);
  if (seen[index])
    return bad(r, "op #%llu appears twice", (unsigned long long)index);
  seen[index] = 1;
  op = &p->op[index];
  memset(op, 0, sizeof(*op));
  op->target = -1;
  op->parent = (int16_t)(depth == 0 ? -1 : stack[depth - 1]);
  if (!eat(&s, " "))
    return bad(r, "expected ' <kind>' after #%llu", (unsigned long long)index);
  len = strcspn(s, " ");
  for (k = 0; k < PK_COUNT; k++)
    if (strlen(prog_kind_name(k)) == len &&
        strncmp(s, prog_kind_name(k), len) == 0)
      break;
  if (k == PK_COUNT)
    return bad(r, "no op kind named '%.*s'", (int)len, s);
  op->kind = (uint8_t)k;
  s += len;
  if (parse_args(r, &s, op, p->n) != 0)
    return -1;
  if (eat(&s, " unref"))
    op->unref = 1;
  if (*s != '\0')
    return bad(r, "unexpected '%s' at the end of the op", s);
  stack[depth] = (int)index;
  *depth_now = depth;
  return 0;
}

int prog_read(FILE *f, const char *name, struct prog *p, char *plan,
              size_t plan_cap, char *why, size_t why_cap) {
  struct reader r = {name, 0, why, why_cap};
  char line[4096];
  int stack[PROG_MAX_OPS], depth = -1, ops = 0, have_config = 0, in_main = 0;
  int i;
  unsigned char seen[PROG_MAX_OPS];

  memset(p, 0, sizeof(*p));
  memset(seen, 0, sizeof(seen));
  plan[0] = '\0';
  while (fgets(line, sizeof(line), f) != NULL) {
    size_t len = strlen(line);
    const char *s = line;
    r.line++;
    if (len > 0 && line[len - 1] == '\n')
      line[--len] = '\0';
    else if (!feof(f))
      return bad(&r, "longer than %d characters", (int)sizeof(line) - 2);
    if (strchr(line, '\r') != NULL || strchr(line, '\t') != NULL)
      return bad(&r, "a carriage return or a tab (only spaces indent)");
    if (len == 0 || line[0] == '#')
      continue;
    if (!have_config) {
      if (parse_config(&r, s, &p->cfg) != 0)
        return -1;
      have_config = 1;
    } else if (in_main) {
      if (ops == p->n)
        return bad(&r, "more ops than main's (%d ops)", p->n);
      if (parse_op(&r, s, p, stack, &depth, seen) != 0)
        return -1;
      ops++;
    } else if (eat(&s, "faults: ")) {
      struct ndl__fault_entry e[NDL__FAULT_MAX_ENTRIES];
      unsigned count;
      char plan_why[256];
      if (plan[0] != '\0')
        return bad(&r, "a second faults line");
      if (*s == '\0' || strlen(s) >= plan_cap)
        return bad(&r, "the plan is empty, or longer than %zu bytes",
                   plan_cap - 1);
      if (ndl__faults_parse(s, e, &count, plan_why, sizeof(plan_why)) != 0)
        return bad(&r, "bad fault plan: %s", plan_why);
      memcpy(plan, s, strlen(s) + 1);
    } else if (eat(&s, "main: (")) {
      uint64_t n;
      if (!number(&s, PROG_MAX_OPS, &n) || !eat(&s, " ops)") || *s != '\0')
        return bad(&r, "expected 'main: (<n> ops)', n from 0 to %d",
                   PROG_MAX_OPS);
      p->n = (int)n;
      in_main = 1;
    } else {
      return bad(&r, "expected 'faults: PLAN' or 'main: (<n> ops)'");
    }
  }
  if (ferror(f))
    return bad(&r, "could not be read");
  r.line = 0;
  if (!in_main)
    return bad(&r, "%s", have_config ? "no 'main:' line" : "no config line");
  if (ops != p->n)
    return bad(&r, "main has %d ops, the file %d", p->n, ops);
  for (i = 0; i < p->n; i++)
    if (p->op[i].kind == PK_CLEAR &&
        !prog_kind_clearable(p->op[p->op[i].target].kind))
      return bad(&r, "op #%d clears #%d, a %s, which cannot be cleared", i,
                 p->op[i].target, prog_kind_name(p->op[p->op[i].target].kind));
  return 0;
}

int prog_load(const char *path, struct prog *p, char *plan, size_t plan_cap,
              char *why, size_t why_cap) {
  FILE *f = fopen(path, "r");
  int err;
  if (f == NULL) {
    snprintf(why, why_cap, "%s: %s", path, strerror(errno));
    return -1;
  }
  err = prog_read(f, path, p, plan, plan_cap, why, why_cap);
  fclose(f);
  return err;
}
