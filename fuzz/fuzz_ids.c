/*
 * The callback-id generator (core/ids.h) on a narrow width, so the counter
 * wraps every few operations. The input's first byte picks the width (3 to
 * 8 bits); each later byte is an operation: allocate, free a live id, or
 * jump the counter. A bitmap of live ids is the model. After every
 * operation: no live id is handed out twice, 0 is never handed out,
 * allocation succeeds whenever an id is free and fails with NDL_NOIDS,
 * changing nothing, when none is; the id map agrees with the bitmap (on
 * the id touched after every operation, on every id after every 16th and at
 * the end: the full scan costs 2^bits lookups).
 */
#include <string.h>

#include "core/idmap.h"
#include "core/ids.h"
#include "fuzz.h"
#include "nodeloop.h"

#define MAX_IDS 255

static void check_map(const struct ndl__idmap *map, const uint8_t *live,
                      unsigned count, uint32_t max) {
  uint32_t id;
  CHECK(map->count == count, "map holds %u ids, the model %u", map->count,
        count);
  for (id = 0; id <= max + 1; id++) {
    int found = ndl__idmap_find(map, id) != NDL__NIL;
    CHECK(found == (id >= 1 && id <= max && live[id]),
          "id %u: map says %d, model %d", id, found,
          id >= 1 && id <= max ? live[id] : 0);
  }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  struct fuzz_in in = {data, size, 0};
  struct ndl__ids g;
  struct ndl__idmap map;
  uint8_t live[MAX_IDS + 2];
  uint32_t list[MAX_IDS];
  unsigned count = 0, bits, ops = 0;

  if (size == 0)
    return 0;
  bits = 3 + fuzz_byte(&in) % 6;
  CHECK(ndl__ids_init(&g, bits) == 0, "width %u", bits);
  CHECK(g.max == (1u << bits) - 1, "max %u for %u bits", g.max, bits);
  ndl__idmap_init(&map);
  memset(live, 0, sizeof(live));

  while (!fuzz_done(&in)) {
    uint8_t op = fuzz_byte(&in);
    uint32_t touched = 0;
    if (op < 128) { /* allocate: half the bytes, so the ids run out */
      uint32_t id = 0, last = g.last;
      int err;
      if (ndl__idmap_reserve_one(&map) != 0)
        break;
      err = ndl__ids_next(&g, &map, &id);
      if (count < g.max) {
        CHECK(err == 0, "%u of %u ids live, but next failed: %d", count, g.max,
              err);
        CHECK(id != 0, "id 0 handed out");
        CHECK(id <= g.max, "id %u above max %u", id, g.max);
        CHECK(!live[id], "live id %u handed out twice", id);
        CHECK(g.last == id, "counter at %u after handing out %u", g.last, id);
        ndl__idmap_insert(&map, id, id);
        live[id] = 1;
        touched = id;
        list[count++] = id;
      } else {
        CHECK(err == NDL_NOIDS, "every id live, but next returned %d (id %u)",
              err, id);
        CHECK(g.last == last, "a failed next moved the counter");
      }
    } else if (op < 224) { /* free one live id */
      unsigned at = fuzz_byte(&in);
      uint32_t id;
      if (count == 0)
        continue;
      at %= count;
      id = list[at];
      list[at] = list[--count];
      ndl__idmap_remove(&map, id);
      live[id] = 0;
      touched = id;
    } else { /* jump the counter, maybe past max (it clamps) */
      uint32_t to = fuzz_byte(&in);
      ndl__ids_jump(&g, to);
      CHECK(g.last == (to > g.max ? g.max : to), "jump to %u left %u", to,
            g.last);
    }
    CHECK(map.count == count, "map holds %u ids, the model %u", map.count,
          count);
    if (touched != 0)
      CHECK((ndl__idmap_find(&map, touched) != NDL__NIL) == live[touched],
            "id %u: map and model disagree", touched);
    if (++ops % 16 == 0)
      check_map(&map, live, count, g.max);
  }
  check_map(&map, live, count, g.max);
  ndl__idmap_free(&map);
  return 0;
}
