/*
 * Shared by the fuzz targets: the libFuzzer entry point, an input reader,
 * and CHECK, which aborts with a message (libFuzzer then saves the input as
 * a crash; the replay program fails its ctest).
 */
#ifndef NDL_FUZZ_FUZZ_H
#define NDL_FUZZ_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond, ...)                                                       \
  do {                                                                         \
    if (!(cond)) {                                                             \
      fprintf(stderr, "%s:%d: check failed: %s: ", __FILE__, __LINE__, #cond); \
      fprintf(stderr, __VA_ARGS__);                                            \
      fputc('\n', stderr);                                                     \
      abort();                                                                 \
    }                                                                          \
  } while (0)

/* Reads the input a byte at a time; past the end every byte is 0. */
struct fuzz_in {
  const uint8_t *data;
  size_t size, pos;
};

static inline uint8_t fuzz_byte(struct fuzz_in *in) {
  return in->pos < in->size ? in->data[in->pos++] : 0;
}

static inline int fuzz_done(const struct fuzz_in *in) {
  return in->pos >= in->size;
}

static inline uint32_t fuzz_u32(struct fuzz_in *in) {
  uint32_t v = fuzz_byte(in);
  v |= (uint32_t)fuzz_byte(in) << 8;
  v |= (uint32_t)fuzz_byte(in) << 16;
  return v | (uint32_t)fuzz_byte(in) << 24;
}

#endif
