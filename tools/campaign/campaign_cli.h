/*
 * The options every campaign tool takes, parsed once for nodeloop-sim,
 * nodeloop-faults and nodeloop-diff: --jobs N, --shard I/N, --json FILE,
 * --merge.
 *
 * A shard is a contiguous block: shard I of N runs the I-th of N blocks of
 * nearly equal size (the first runs % N blocks one seed longer), so that a
 * shard, and the command that resumes it, is a plain --seed and --runs.
 */
#ifndef NDL_TOOLS_CAMPAIGN_CLI_H
#define NDL_TOOLS_CAMPAIGN_CLI_H

#include <getopt.h>
#include <stdint.h>
#include <stdio.h>

#include "runner.h"

enum {
  CAMPAIGN_OPT_JOBS = 0x200,
  CAMPAIGN_OPT_SHARD,
  CAMPAIGN_OPT_JSON,
  CAMPAIGN_OPT_MERGE
};

/* The entries of a getopt_long table. */
#define CAMPAIGN_LONG_OPTIONS                                                  \
  {"jobs", required_argument, NULL, CAMPAIGN_OPT_JOBS},                        \
      {"shard", required_argument, NULL, CAMPAIGN_OPT_SHARD},                  \
      {"json", required_argument, NULL, CAMPAIGN_OPT_JSON}, {                  \
    "merge", no_argument, NULL, CAMPAIGN_OPT_MERGE                             \
  }

struct campaign_cli {
  unsigned jobs; /* 0 until --jobs: then the online CPUs */
  unsigned shard, shards;
  const char *json_path;
  int merge;
};

/* Takes opt if it is one of the above: returns 0, or CLI_USAGE after
 * saying what is wrong with its value; returns 1 when opt is not one. */
int campaign_cli_option(const char *tool, int opt, const char *arg,
                        struct campaign_cli *cc);

/* The help text of the options, for a tool's usage(). */
void campaign_cli_usage(void);

/* Fills c's jobs, seeds, shard and JSON file from cc, for seeds first to
 * first + runs - 1 before the shard, and appends --jobs and --json to
 * resume (a buffer of n bytes). Returns 0, or CLI_USAGE after saying why
 * (the JSON file cannot be opened). */
int campaign_cli_apply(const char *tool, const struct campaign_cli *cc,
                       uint64_t first, uint64_t runs, struct campaign *c,
                       char *resume, size_t n);

/* Closes c's JSON file: returns 0, or 2 after saying it could not be
 * written. */
int campaign_cli_close(const char *tool, struct campaign *c);

#endif
