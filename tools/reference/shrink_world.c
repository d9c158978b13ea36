/*
 * A plan's entries are shrunk as text: each is one comma-separated item of
 * the grammar in include/nodeloop_faults.h, and every candidate goes
 * through the real parser when fails() applies it.
 */
#include "shrink_world.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "program_text.h"
#include "runner.h"

/* #N candidates tried per entry: after the program has shrunk, the points
 * are reached a few times, so the call that matters is among the first. */
#define MAX_NTH 100
#define ENTRY_MAX 160
#define MAX_ENTRIES 64

struct ws {
  world_fails_fn fails;
  void *ctx;
  int runs, max_runs;
  struct prog *p; /* NULL: a world without a program */
  char plan[PROG_PLAN_MAX];
  uint64_t reached; /* in the latest failing run */
};

struct entries {
  char item[MAX_ENTRIES][ENTRY_MAX];
  int n;
};

int plan_entries(const char *plan) {
  int n = *plan != '\0';
  for (; *plan != '\0'; plan++)
    n += *plan == ',';
  return n;
}

/* Splits plan into e; -1 if an entry is too long to shrink. */
static int split(const char *plan, struct entries *e) {
  const char *s = plan;
  e->n = 0;
  while (*s != '\0' && e->n < MAX_ENTRIES) {
    size_t len = strcspn(s, ",");
    if (len >= ENTRY_MAX)
      return -1;
    memcpy(e->item[e->n], s, len);
    e->item[e->n++][len] = '\0';
    s += len;
    if (*s == ',')
      s++;
  }
  return *s == '\0' ? 0 : -1;
}

/* The plan with entry `at` replaced by `with` (NULL: dropped). */
static void join(const struct entries *e, int at, const char *with, char *out,
                 size_t cap) {
  size_t len = 0;
  int i;
  out[0] = '\0';
  for (i = 0; i < e->n; i++) {
    const char *item = i == at ? with : e->item[i];
    int w;
    if (item == NULL)
      continue;
    w = snprintf(out + len, cap - len, "%s%s", len > 0 ? "," : "", item);
    if (w < 0 || (size_t)w >= cap - len)
      return;
    len += (size_t)w;
  }
}

static int try_plan(struct ws *w, const char *cand) {
  uint64_t reached = 0;
  if (w->runs >= w->max_runs || strcmp(cand, w->plan) == 0)
    return 0;
  w->runs++;
  if (!w->fails(w->p, cand, &reached, w->ctx))
    return 0;
  snprintf(w->plan, sizeof(w->plan), "%s", cand);
  w->reached = reached;
  return 1;
}

/* Tries entry i of the current plan as `with`. */
static int try_entry(struct ws *w, int i, const char *with) {
  struct entries e;
  char cand[PROG_PLAN_MAX];
  if (split(w->plan, &e) != 0 || i >= e.n)
    return 0;
  join(&e, i, with, cand, sizeof(cand));
  return try_plan(w, cand);
}

/* point=P as point#N, for the first N that still fails. */
static int to_nth(struct ws *w, int i, const char *item) {
  const char *eq = strchr(item, '=');
  char with[ENTRY_MAX];
  uint64_t n, last = w->reached < MAX_NTH ? w->reached : MAX_NTH;
  for (n = 1; n <= last; n++) {
    snprintf(with, sizeof(with), "%.*s#%llu", (int)(eq - item), item,
             (unsigned long long)n);
    if (try_entry(w, i, with))
      return 1;
  }
  return 0;
}

/* point=P as point=P/2, while that fails: a lower threshold fails a subset
 * of the same calls (faults/plan.c draws once per call). */
static int lower(struct ws *w, int i, const char *item) {
  const char *eq = strchr(item, '=');
  char with[ENTRY_MAX];
  double p = strtod(eq + 1, NULL) / 2;
  if (p < 1e-6)
    return 0;
  snprintf(with, sizeof(with), "%.*s=%.6f", (int)(eq - item), item, p);
  return try_entry(w, i, with);
}

/* point#N as point#M, for the first M < N that still fails. */
static int earlier(struct ws *w, int i, const char *item) {
  const char *hash = strchr(item, '#');
  char with[ENTRY_MAX];
  uint64_t m, n = strtoull(hash + 1, NULL, 10);
  for (m = 1; m < n && m <= MAX_NTH; m++) {
    snprintf(with, sizeof(with), "%.*s#%llu", (int)(hash - item), item,
             (unsigned long long)m);
    if (try_entry(w, i, with))
      return 1;
  }
  return 0;
}

static int plan_pass(struct ws *w) {
  struct entries e;
  int i, changed = 0;
  if (split(w->plan, &e) != 0)
    return 0;
  for (i = e.n - 1; i >= 0; i--)
    if (try_entry(w, i, NULL))
      return 1; /* the indices moved: start again */
  for (i = 0; i < e.n; i++) {
    if (strchr(e.item[i], '#') != NULL) {
      changed |= earlier(w, i, e.item[i]);
    } else if (strchr(e.item[i], '=') != NULL) {
      if (to_nth(w, i, e.item[i]))
        changed = 1;
      else
        while (lower(w, i, e.item[i]) && split(w->plan, &e) == 0)
          changed = 1;
    }
  }
  return changed;
}

static int program_fails(const struct prog *q, void *ctx) {
  struct ws *w = ctx;
  uint64_t reached = 0;
  if (!w->fails(q, w->plan, &reached, w->ctx))
    return 0;
  w->reached = reached;
  return 1;
}

int world_shrink(struct prog *p, char *plan, size_t plan_cap,
                 world_fails_fn fails, void *ctx, int max_runs) {
  struct ws *w = calloc(1, sizeof(*w));
  int rounds, runs;
  if (w == NULL)
    return 0;
  w->fails = fails;
  w->ctx = ctx;
  w->max_runs = max_runs;
  w->p = p;
  snprintf(w->plan, sizeof(w->plan), "%s", plan);
  w->runs = 1;
  if (max_runs < 1 || !fails(p, w->plan, &w->reached, ctx)) {
    free(w);
    return max_runs < 1 ? 0 : 1;
  }
  /* The program first: a smaller program reaches the points fewer times,
   * which makes the #N search short. */
  for (rounds = 0; rounds < 4 && w->runs < w->max_runs; rounds++) {
    int changed = 0;
    if (p != NULL) {
      struct prog before = *p;
      w->runs += prog_shrink(p, program_fails, w, w->max_runs - w->runs);
      changed = memcmp(&before, p, sizeof(before)) != 0;
    }
    while (w->runs < w->max_runs && plan_pass(w))
      changed = 1;
    if (!changed)
      break;
  }
  if (strlen(w->plan) < plan_cap)
    memcpy(plan, w->plan, strlen(w->plan) + 1);
  runs = w->runs;
  free(w);
  return runs;
}
