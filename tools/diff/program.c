/* Differential programs as plain data: names, the printed form, removal. */
#include "program.h"

#include <string.h>

static const char *const kind_names[DK_COUNT] = {
    "timeout",  "interval", "immediate", "nextTick", "microtask",
    "promise",  "busy",     "clear",     "unref",    "ref",
    "readFile", "crypto",   "tcp"};

static const char *const file_names[DP_FILES] = {"a.txt", "b.txt",
                                                 "missing.txt"};

const char *dp_file_name(unsigned i) {
  return i < DP_FILES ? file_names[i] : "missing.txt";
}

const char *dp_kind_name(int kind) {
  return kind >= 0 && kind < DK_COUNT ? kind_names[kind] : "?";
}

int dp_kind_has_callback(int kind) {
  return kind != DK_BUSY && kind != DK_CLEAR && kind != DK_UNREF &&
         kind != DK_REF;
}

int dp_kind_is_timer(int kind) {
  return kind == DK_TIMEOUT || kind == DK_INTERVAL;
}

/* How many lines op i prints per run of the op itself. */
static uint64_t lines_per_run(const struct dp_op *o) {
  if (o->kind == DK_TCP)
    /* connect, end, close; refused: the error, close */
    return o->how == DH_REFUSED ? 2 : 3;
  return o->kind == DK_INTERVAL || o->kind == DK_PROMISE ? o->count : 1;
}

uint64_t dp_max_lines(const struct dp_prog *p) {
  uint64_t runs[DP_MAX_OPS], total = 0;
  int i;
  for (i = 0; i < p->n; i++) {
    const struct dp_op *o = &p->op[i];
    uint64_t parent_calls = 1;
    if (o->parent >= 0) {
      const struct dp_op *par = &p->op[o->parent];
      /* A promise chain runs its children once, in its last link. */
      parent_calls =
          runs[o->parent] * (par->kind == DK_INTERVAL ? par->count : 1);
    }
    runs[i] = parent_calls;
    if (dp_kind_has_callback(o->kind))
      total += runs[i] * lines_per_run(o);
  }
  return total;
}

static void print_op(const struct dp_prog *p, int i, int depth, FILE *f) {
  const struct dp_op *o = &p->op[i];
  int j;
  fprintf(f, "%*s%d %s", depth * 2, "", i, dp_kind_name(o->kind));
  switch (o->kind) {
  case DK_TIMEOUT:
  case DK_INTERVAL:
    fprintf(f, " %ums", (unsigned)o->delay_ms);
    if (o->kind == DK_INTERVAL)
      fprintf(f, " x%u", (unsigned)o->count);
    if (o->unref)
      fprintf(f, " unref");
    break;
  case DK_PROMISE:
    fprintf(f, " %u links", (unsigned)o->count);
    break;
  case DK_BUSY:
    fprintf(f, " %ums", (unsigned)o->delay_ms);
    break;
  case DK_CLEAR:
  case DK_UNREF:
  case DK_REF:
    fprintf(f, " op %d", o->target);
    break;
  case DK_FS_READ:
    fprintf(f, " %s", dp_file_name(o->count));
    break;
  case DK_TCP:
    if (o->how == DH_REFUSED)
      fprintf(f, " refused");
    else
      fprintf(f, " %u bytes%s", (unsigned)o->count,
              o->how == DH_WRITE_END     ? " write, end()"
              : o->how == DH_END_ON_ECHO ? " write, end() at the echo"
                                         : "");
    break;
  default:
    break;
  }
  fputc('\n', f);
  for (j = i + 1; j < p->n; j++)
    if (p->op[j].parent == i)
      print_op(p, j, depth + 1, f);
}

void dp_print(const struct dp_prog *p, FILE *f) {
  int i;
  fprintf(f, "main\n");
  for (i = 0; i < p->n; i++)
    if (p->op[i].parent < 0)
      print_op(p, i, 1, f);
}

void dp_remove(struct dp_prog *p, int i) {
  int gone[DP_MAX_OPS] = {0}, map[DP_MAX_OPS];
  int j, k = 0, changed = 1;
  gone[i] = 1;
  /* Parents come before children, so one pass finds the subtree; clears
   * may name ops after them, hence the loop. */
  while (changed) {
    changed = 0;
    for (j = 0; j < p->n; j++) {
      const struct dp_op *o = &p->op[j];
      int dead =
          (o->parent >= 0 && gone[o->parent]) ||
          ((o->kind == DK_CLEAR || o->kind == DK_UNREF || o->kind == DK_REF) &&
           gone[o->target]);
      if (dead && !gone[j])
        gone[j] = changed = 1;
    }
  }
  for (j = 0; j < p->n; j++)
    map[j] = gone[j] ? -1 : k++;
  for (j = 0, k = 0; j < p->n; j++) {
    struct dp_op o = p->op[j];
    if (gone[j])
      continue;
    if (o.parent >= 0)
      o.parent = (int16_t)map[o.parent];
    if (o.kind == DK_CLEAR || o.kind == DK_UNREF || o.kind == DK_REF)
      o.target = (int16_t)map[o.target];
    p->op[k++] = o;
  }
  p->n = k;
}
