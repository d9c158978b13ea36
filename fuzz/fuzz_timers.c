/*
 * The timer heap (core/heap.h) against a model that is an unsorted array
 * scanned in full. Each input byte is an operation: insert a slot (0 to 63)
 * with a deadline from a small range (so ties are common, and broken by the
 * insertion sequence), remove a slot, or pop the least. After every
 * operation the heap and the model agree on the length, the least entry and
 * membership, and the heap's array keeps the heap order and its position
 * index.
 */
#include <string.h>

#include "core/heap.h"
#include "core/idmap.h"
#include "fuzz.h"

#define SLOTS 64

struct model {
  int in[SLOTS];
  uint64_t deadline[SLOTS], seq[SLOTS];
  unsigned len;
};

static int model_less(const struct model *m, int a, int b) {
  if (m->deadline[a] != m->deadline[b])
    return m->deadline[a] < m->deadline[b];
  return m->seq[a] < m->seq[b];
}

static int model_min(const struct model *m) {
  int s, best = -1;
  for (s = 0; s < SLOTS; s++)
    if (m->in[s] && (best < 0 || model_less(m, s, best)))
      best = s;
  return best;
}

static int entry_less(const struct ndl__heap_entry *a,
                      const struct ndl__heap_entry *b) {
  if (a->deadline != b->deadline)
    return a->deadline < b->deadline;
  return a->seq < b->seq;
}

static void check(const struct ndl__heap *h, const struct model *m) {
  const struct ndl__heap_entry *min = ndl__heap_min(h);
  int best = model_min(m), s;
  uint32_t i;
  CHECK(h->len == m->len, "heap holds %u, model %u", h->len, m->len);
  if (best < 0) {
    CHECK(min == NULL, "empty model, heap min slot %u", min->slot);
  } else {
    CHECK(min != NULL && min->slot == (uint32_t)best &&
              min->deadline == m->deadline[best] && min->seq == m->seq[best],
          "heap min slot %u, model %d", min ? min->slot : 0, best);
  }
  for (s = 0; s < SLOTS; s++)
    CHECK(ndl__heap_contains(h, (uint32_t)s) == m->in[s],
          "slot %d: heap %d, model %d", s, ndl__heap_contains(h, (uint32_t)s),
          m->in[s]);
  for (i = 0; i < h->len; i++) {
    CHECK(h->pos[h->v[i].slot] == i, "pos[%u] = %u, not %u", h->v[i].slot,
          h->pos[h->v[i].slot], i);
    CHECK(i == 0 || !entry_less(&h->v[i], &h->v[(i - 1) / 2]),
          "entry %u is less than its parent", i);
  }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  struct fuzz_in in = {data, size, 0};
  struct ndl__heap h;
  struct model m;
  uint64_t seq = 0;

  ndl__heap_init(&h);
  memset(&m, 0, sizeof(m));
  while (!fuzz_done(&in)) {
    uint8_t op = fuzz_byte(&in);
    int s = fuzz_byte(&in) % SLOTS;
    if (op < 112) { /* insert */
      uint64_t deadline = fuzz_byte(&in) % 16;
      if (m.in[s])
        continue;
      if (ndl__heap_reserve(&h, h.len + 1, (uint32_t)s + 1) != 0)
        break;
      ndl__heap_insert(&h, deadline, seq, (uint32_t)s);
      m.in[s] = 1;
      m.deadline[s] = deadline;
      m.seq[s] = seq++;
      m.len++;
    } else if (op < 192) { /* remove */
      int was = m.in[s];
      CHECK(ndl__heap_remove(&h, (uint32_t)s) == was, "remove slot %d", s);
      if (was) {
        m.in[s] = 0;
        m.len--;
      }
    } else { /* pop */
      int best = model_min(&m);
      struct ndl__heap_entry e = ndl__heap_pop(&h);
      int got = e.slot != NDL__NIL;
      CHECK(got == (best >= 0), "pop returned %d with %u in the model", got,
            m.len);
      if (got) {
        CHECK(e.slot == (uint32_t)best && e.deadline == m.deadline[best] &&
                  e.seq == m.seq[best],
              "popped slot %u, model %d", e.slot, best);
        m.in[best] = 0;
        m.len--;
      }
    }
    check(&h, &m);
  }
  ndl__heap_free(&h);
  return 0;
}
