/*
 * The map from a live callback id to its record's slot: open addressing with
 * linear probing and backward-shift deletion, so a lookup touches one or two
 * cache lines and a delete leaves no tombstones. Id 0 marks an empty bucket,
 * which is why 0 is never handed out as an id.
 */
#ifndef NDL_CORE_IDMAP_H
#define NDL_CORE_IDMAP_H

#include <stdint.h>

#define NDL__NIL UINT32_MAX

struct ndl__idmap_bucket {
  uint32_t id;
  uint32_t slot;
};

struct ndl__idmap {
  struct ndl__idmap_bucket *b;
  uint32_t mask; /* bucket count - 1; the count is a power of two */
  uint32_t count;
};

void ndl__idmap_init(struct ndl__idmap *m);
void ndl__idmap_free(struct ndl__idmap *m);
/* The slot of id, or NDL__NIL. */
uint32_t ndl__idmap_find(const struct ndl__idmap *m, uint32_t id);
/* Grows the table so that one more insert cannot fail. Errors: NDL_ENOMEM. */
int ndl__idmap_reserve_one(struct ndl__idmap *m);
/* Inserts an id that is not present, after ndl__idmap_reserve_one(). */
void ndl__idmap_insert(struct ndl__idmap *m, uint32_t id, uint32_t slot);
/* Removes id if present. */
void ndl__idmap_remove(struct ndl__idmap *m, uint32_t id);

#endif
