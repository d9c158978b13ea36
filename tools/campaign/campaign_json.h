/*
 * The JSON lines a campaign writes (--json FILE), one record a line:
 *
 *   {"type":"failure","tool":T,"build":B,"seed":S,"replay":CMD,
 *    "failure":WHY,"program":TEXT or null,"plan":PLAN or null}
 *   {"type":"summary","tool":T,"build":B,"mode":M,"options":O,
 *    "first_seed":S,"runs":N,"shard":"I/N" or null,"passed":P,"failed":F,
 *    "counts":{NAME:V,...}}
 *
 * The summary covers seeds first_seed to first_seed + runs - 1 and holds no
 * timing, so that the merge of shards is byte for byte what one run over
 * the same seeds writes. The reader reads only these records.
 */
#ifndef NDL_TOOLS_CAMPAIGN_JSON_H
#define NDL_TOOLS_CAMPAIGN_JSON_H

#include <stdint.h>
#include <stdio.h>

#include "runner.h"

struct campaign_summary {
  char tool[64], build[128], mode[256], options[1024];
  uint64_t first, runs, passed, failed;
  unsigned shard, shards; /* shards 0: not a shard */
  uint64_t counts[CAMPAIGN_MAX_COUNTS];
};

void campaign_json_failure(FILE *f, const struct campaign *c, uint64_t seed,
                           const char *replay, const struct campaign_seed *r);

void campaign_json_summary(FILE *f, const struct campaign_summary *s,
                           const char *const *count_names);

/* Reads a summary record written by campaign_json_summary. Returns 0, or
 * -1 when line is not one (or lacks one of count_names). */
int campaign_json_read_summary(const char *line, struct campaign_summary *s,
                               const char *const *count_names);

/* Reads the number after "key": in line. Returns 0 or -1. */
int campaign_json_u64(const char *line, const char *key, uint64_t *v);

#endif
