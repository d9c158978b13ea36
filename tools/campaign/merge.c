/*
 * Merging the JSON lines of shards (merge.h).
 */
#include "merge.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "campaign_json.h"

struct part {
  struct campaign_summary s;
  const char *file;
};

struct failure {
  uint64_t seed;
  size_t order; /* keeps records of one seed in their order */
  char *line;
};

struct merge {
  struct part *parts;
  size_t nparts;
  struct failure *failures;
  size_t nfailures;
};

static int by_first(const void *a, const void *b) {
  const struct part *x = a, *y = b;
  return x->s.first < y->s.first ? -1 : x->s.first > y->s.first;
}

static int by_seed(const void *a, const void *b) {
  const struct failure *x = a, *y = b;
  if (x->seed != y->seed)
    return x->seed < y->seed ? -1 : 1;
  return x->order < y->order ? -1 : x->order > y->order;
}

static void *grow(void *items, size_t n, size_t size) {
  /* Doubles at each power of two. */
  void *p;
  if (n != 0 && (n & (n - 1)) != 0)
    return items;
  if ((p = realloc(items, (n ? n * 2 : 16) * size)) == NULL) {
    fprintf(stderr, "out of memory\n");
    exit(2);
  }
  return p;
}

static int read_file(struct merge *m, const char *file,
                     const char *const *count_names) {
  FILE *f = fopen(file, "r");
  char *line = NULL;
  size_t cap = 0, lineno = 0;
  int rc = 0;
  if (f == NULL) {
    perror(file);
    return 2;
  }
  while (getline(&line, &cap, f) > 0) {
    struct failure *fl;
    lineno++;
    if (strncmp(line, "{\"type\":\"failure\"", 17) == 0) {
      m->failures = grow(m->failures, m->nfailures, sizeof(*m->failures));
      fl = &m->failures[m->nfailures];
      fl->order = m->nfailures++;
      fl->line = strdup(line);
      if (fl->line == NULL || campaign_json_u64(line, "seed", &fl->seed) != 0)
        goto bad;
      continue;
    }
    m->parts = grow(m->parts, m->nparts, sizeof(*m->parts));
    m->parts[m->nparts].file = file;
    if (campaign_json_read_summary(line, &m->parts[m->nparts].s, count_names) !=
        0)
      goto bad;
    m->nparts++;
  }
  goto out;
bad:
  fprintf(stderr, "%s:%zu: not a campaign record\n", file, lineno);
  rc = 2;
out:
  free(line);
  fclose(f);
  return rc;
}

/* Whether every part comes from the same tool, mode, options and build. */
static int same_campaign(const struct merge *m, const char *tool) {
  const struct campaign_summary *a = &m->parts[0].s;
  size_t i;
  int rc = 0;
  for (i = 0; i < m->nparts; i++) {
    const struct campaign_summary *b = &m->parts[i].s;
    if (strcmp(b->tool, tool) != 0 || strcmp(a->mode, b->mode) != 0 ||
        strcmp(a->options, b->options) != 0 ||
        strcmp(a->build, b->build) != 0) {
      fprintf(stderr,
              "%s: %s (mode '%s', options '%s', build %s) is not the "
              "campaign of %s (mode '%s', options '%s', build %s)\n",
              tool, m->parts[i].file, b->mode, b->options, b->build,
              m->parts[0].file, a->mode, a->options, a->build);
      rc = 1;
    }
  }
  return rc;
}

/* Whether the sorted parts' seeds meet end to end: no gap, no overlap. */
static int contiguous(const struct merge *m, const char *tool) {
  const struct part *prev = NULL;
  size_t i;
  int rc = 0;
  for (i = 0; i < m->nparts; i++) {
    const struct part *p = &m->parts[i];
    uint64_t end;
    if (p->s.runs == 0)
      continue;
    if (prev != NULL) {
      end = prev->s.first + prev->s.runs;
      if (p->s.first < end) {
        fprintf(stderr,
                "%s: overlap: seeds %" PRIu64 " to %" PRIu64
                " are in %s and in %s\n",
                tool, p->s.first,
                (end < p->s.first + p->s.runs ? end : p->s.first + p->s.runs) -
                    1,
                prev->file, p->file);
        rc = 1;
      } else if (p->s.first > end) {
        fprintf(stderr,
                "%s: gap: seeds %" PRIu64 " to %" PRIu64 " are in no file\n",
                tool, end, p->s.first - 1);
        rc = 1;
      }
    }
    if (prev == NULL || p->s.first + p->s.runs > prev->s.first + prev->s.runs)
      prev = p;
  }
  return rc;
}

static void merged_summary(const struct merge *m,
                           const char *const *count_names) {
  struct campaign_summary s = m->parts[0].s;
  size_t i, j;
  s.shard = s.shards = 0;
  s.runs = s.passed = s.failed = 0;
  memset(s.counts, 0, sizeof(s.counts));
  for (i = 0; i < m->nparts; i++) {
    const struct campaign_summary *p = &m->parts[i].s;
    if (p->runs != 0 && (s.runs == 0 || p->first < s.first))
      s.first = p->first;
    s.runs += p->runs;
    s.passed += p->passed;
    s.failed += p->failed;
    for (j = 0; j < CAMPAIGN_MAX_COUNTS; j++)
      s.counts[j] += p->counts[j];
  }
  for (i = 0; i < m->nfailures; i++)
    fputs(m->failures[i].line, stdout);
  campaign_json_summary(stdout, &s, count_names);
}

int campaign_merge(const char *tool, const char *const *count_names, int nfiles,
                   char *const files[]) {
  struct merge m;
  uint64_t failed = 0;
  size_t i;
  int rc = 0;

  memset(&m, 0, sizeof(m));
  for (i = 0; i < (size_t)nfiles && rc == 0; i++)
    rc = read_file(&m, files[i], count_names);
  if (rc == 0 && m.nparts == 0) {
    fprintf(stderr, "%s: --merge: no summary record in the files\n", tool);
    rc = 2;
  }
  if (rc == 0) {
    qsort(m.parts, m.nparts, sizeof(*m.parts), by_first);
    /* qsort wants a pointer even for no items; with none, failures is
     * NULL (UBSan fails the run). */
    if (m.nfailures > 0)
      qsort(m.failures, m.nfailures, sizeof(*m.failures), by_seed);
    rc = same_campaign(&m, tool) | contiguous(&m, tool);
    for (i = 0; i < m.nparts; i++)
      failed += m.parts[i].s.failed;
    if (rc == 0 && failed != m.nfailures) {
      fprintf(stderr,
              "%s: the summaries count %" PRIu64 " failures, the files "
              "hold %zu failure records\n",
              tool, failed, m.nfailures);
      rc = 1;
    }
  }
  if (rc == 0)
    merged_summary(&m, count_names);
  for (i = 0; i < m.nfailures; i++)
    free(m.failures[i].line);
  free(m.failures);
  free(m.parts);
  return rc;
}
