/*
 * The min-heap of early results (reorder.h).
 */
#include "reorder.h"

#include <stdlib.h>

static void swap(struct result *a, struct result *b) {
  struct result t = *a;
  *a = *b;
  *b = t;
}

int reorder_push(struct reorder *q, const struct result *r) {
  size_t i;
  if (q->n == q->cap) {
    size_t cap = q->cap ? q->cap * 2 : 64;
    struct result *items = realloc(q->items, cap * sizeof(*items));
    if (items == NULL)
      return -1;
    q->items = items;
    q->cap = cap;
  }
  i = q->n++;
  q->items[i] = *r;
  while (i > 0 && q->items[(i - 1) / 2].k > q->items[i].k) {
    swap(&q->items[(i - 1) / 2], &q->items[i]);
    i = (i - 1) / 2;
  }
  return 0;
}

int reorder_pop(struct reorder *q, uint64_t k, struct result *out) {
  size_t i = 0;
  if (q->n == 0 || q->items[0].k != k)
    return 0;
  *out = q->items[0];
  q->items[0] = q->items[--q->n];
  for (;;) {
    size_t low = i, l = 2 * i + 1, r = l + 1;
    if (l < q->n && q->items[l].k < q->items[low].k)
      low = l;
    if (r < q->n && q->items[r].k < q->items[low].k)
      low = r;
    if (low == i)
      return 1;
    swap(&q->items[i], &q->items[low]);
    i = low;
  }
}

size_t reorder_clear(struct reorder *q) {
  size_t i, n = q->n;
  for (i = 0; i < q->n; i++) {
    free(q->items[i].report);
    free(q->items[i].json);
    free(q->items[i].program);
  }
  free(q->items);
  q->items = NULL;
  q->n = q->cap = 0;
  return n;
}
