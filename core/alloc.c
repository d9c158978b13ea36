#include "alloc.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "faults/fault_points.h"

void *ndl__malloc(size_t size) {
  ndl__fault_return_on(NDL_FP_CORE_MALLOC, NULL);
  return malloc(size == 0 ? 1 : size);
}

void *ndl__calloc(size_t n, size_t size) {
  ndl__fault_return_on(NDL_FP_CORE_MALLOC, NULL);
  return calloc(n == 0 ? 1 : n, size == 0 ? 1 : size);
}

void *ndl__reallocarray(void *ptr, size_t n, size_t size) {
  ndl__fault_return_on(NDL_FP_CORE_MALLOC, NULL);
  if (size != 0 && n > SIZE_MAX / size)
    return NULL;
  return realloc(ptr, n * size == 0 ? 1 : n * size);
}

void ndl__free(void *ptr) { free(ptr); }

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
