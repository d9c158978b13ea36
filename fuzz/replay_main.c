/*
 * main() for the fuzz targets without libFuzzer: feeds every file named on
 * the command line, and every file in every directory named (in name order,
 * so runs are repeatable), to LLVMFuzzerTestOneInput. ctest runs it on the
 * checked-in corpus, so each input stays a regression test even where
 * clang is missing.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fuzz.h"

static int run_file(const char *path) {
  FILE *f = fopen(path, "rb");
  uint8_t *buf;
  long len;
  size_t got;

  if (f == NULL || fseek(f, 0, SEEK_END) != 0 || (len = ftell(f)) < 0 ||
      fseek(f, 0, SEEK_SET) != 0) {
    perror(path);
    if (f != NULL)
      fclose(f);
    return -1;
  }
  buf = malloc(len == 0 ? 1 : (size_t)len);
  if (buf == NULL) {
    fclose(f);
    return -1;
  }
  got = fread(buf, 1, (size_t)len, f);
  fclose(f);
  if (got != (size_t)len) {
    perror(path);
    free(buf);
    return -1;
  }
  LLVMFuzzerTestOneInput(buf, got);
  free(buf);
  return 0;
}

static int by_name(const void *a, const void *b) {
  return strcmp(*(char *const *)a, *(char *const *)b);
}

static int run_dir(const char *dir, int *count) {
  DIR *d = opendir(dir);
  struct dirent *e;
  char **names = NULL, path[4096];
  size_t n = 0, cap = 0, i;
  int err = 0;

  if (d == NULL) {
    perror(dir);
    return -1;
  }
  while ((e = readdir(d)) != NULL) {
    if (e->d_name[0] == '.')
      continue;
    if (n == cap) {
      char **grown;
      cap = cap ? cap * 2 : 64;
      grown = realloc(names, cap * sizeof(*names));
      if (grown == NULL) {
        err = -1;
        break;
      }
      names = grown;
    }
    if ((names[n] = strdup(e->d_name)) == NULL) {
      err = -1;
      break;
    }
    n++;
  }
  closedir(d);
  qsort(names, n, sizeof(*names), by_name);
  for (i = 0; i < n; i++) {
    snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
    if (err == 0 && run_file(path) != 0)
      err = -1;
    else if (err == 0)
      (*count)++;
    free(names[i]);
  }
  free(names);
  return err;
}

int main(int argc, char **argv) {
  int i, count = 0;
  struct stat st;
  if (argc < 2) {
    fprintf(stderr, "usage: %s FILE_OR_DIR...\n", argv[0]);
    return 2;
  }
  for (i = 1; i < argc; i++) {
    if (stat(argv[i], &st) != 0) {
      perror(argv[i]);
      return 1;
    }
    if (S_ISDIR(st.st_mode) ? run_dir(argv[i], &count) != 0
                            : run_file(argv[i]) != 0)
      return 1;
    if (!S_ISDIR(st.st_mode))
      count++;
  }
  printf("%s: %d inputs replayed\n", argv[0], count);
  return 0;
}
