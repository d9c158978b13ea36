#include "alloc.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "faults/fault_points.h"

/* Test builds count live allocations, so that a fault test can show that a
 * failed call leaked nothing (libfiu's own allocations would blur a malloc
 * statistic). Release builds count nothing. */
#ifdef FIU_ENABLE
#include <stdatomic.h>
static _Atomic long live_allocations;
#define COUNT(delta) atomic_fetch_add(&live_allocations, (delta))
long ndl__alloc_live(void) { return atomic_load(&live_allocations); }
#else
#define COUNT(delta) ((void)0)
long ndl__alloc_live(void) { return -1; }
#endif

void *ndl__malloc(size_t size) {
  void *p;
  ndl__fault_return_on(CORE_MALLOC, NULL);
  if ((p = malloc(size == 0 ? 1 : size)) != NULL)
    COUNT(1);
  return p;
}

void *ndl__calloc(size_t n, size_t size) {
  void *p;
  ndl__fault_return_on(CORE_MALLOC, NULL);
  if ((p = calloc(n == 0 ? 1 : n, size == 0 ? 1 : size)) != NULL)
    COUNT(1);
  return p;
}

void *ndl__reallocarray(void *ptr, size_t n, size_t size) {
  void *p;
  ndl__fault_return_on(CORE_MALLOC, NULL);
  if (size != 0 && n > SIZE_MAX / size)
    return NULL;
  p = realloc(ptr, n * size == 0 ? 1 : n * size);
  if (p != NULL && ptr == NULL)
    COUNT(1);
  return p;
}

void ndl__free(void *ptr) {
  if (ptr != NULL)
    COUNT(-1);
  free(ptr);
}

char *ndl__strndup(const char *s, size_t len) {
  char *copy;
  if (len == SIZE_MAX)
    return NULL;
  copy = ndl__malloc(len + 1);
  if (copy == NULL)
    return NULL;
  memcpy(copy, s, len);
  copy[len] = '\0';
  return copy;
}
