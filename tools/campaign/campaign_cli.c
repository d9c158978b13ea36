/*
 * The campaign options (campaign_cli.h): --jobs, --shard, --json, --merge.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "campaign_cli.h"
#include "cli.h"

static int parse_shard(const char *tool, const char *arg,
                       struct campaign_cli *cc) {
  char num[24];
  const char *slash = strchr(arg, '/');
  uint64_t i, n;
  size_t len = slash == NULL ? 0 : (size_t)(slash - arg);
  if (slash != NULL && len < sizeof(num)) {
    memcpy(num, arg, len);
    num[len] = '\0';
    if (cli_parse_u64(num, 0, UINT32_MAX, &i) == 0 &&
        cli_parse_u64(slash + 1, 1, UINT32_MAX, &n) == 0 && i < n) {
      cc->shard = (unsigned)i;
      cc->shards = (unsigned)n;
      return 0;
    }
  }
  return cli_usage_error(tool, "--shard wants I/N with 0 <= I < N, not '%s'",
                         arg);
}

int campaign_cli_option(const char *tool, int opt, const char *arg,
                        struct campaign_cli *cc) {
  uint64_t jobs;
  switch (opt) {
  case CAMPAIGN_OPT_JOBS:
    if (cli_option_u64(tool, "--jobs", arg, 1, CAMPAIGN_MAX_JOBS, &jobs))
      return CLI_USAGE;
    cc->jobs = (unsigned)jobs;
    return 0;
  case CAMPAIGN_OPT_SHARD:
    return parse_shard(tool, arg, cc);
  case CAMPAIGN_OPT_JSON:
    cc->json_path = arg;
    return 0;
  case CAMPAIGN_OPT_MERGE:
    cc->merge = 1;
    return 0;
  default:
    return 1;
  }
}

void campaign_cli_usage(void) {
  printf(
      "      --jobs N          run seeds in N worker processes, 1 to %u\n"
      "                        (default: the online CPUs); the output is the\n"
      "                        same for any N, failures in seed order\n"
      "      --shard I/N       run only the I-th of N contiguous blocks of\n"
      "                        the seeds (0 <= I < N), for many machines\n"
      "      --json FILE       append JSON lines to FILE: one record per\n"
      "                        failure and one summary\n"
      "      --merge FILE...   merge the JSON files of shards into one\n"
      "                        summary, as one run over their seeds would\n"
      "                        write; gaps and overlaps are errors\n",
      CAMPAIGN_MAX_JOBS);
}

static unsigned online_cpus(void) {
  long n = sysconf(_SC_NPROCESSORS_ONLN);
  return n < 1 ? 1 : n > CAMPAIGN_MAX_JOBS ? CAMPAIGN_MAX_JOBS : (unsigned)n;
}

int campaign_cli_apply(const char *tool, const struct campaign_cli *cc,
                       uint64_t first, uint64_t runs, struct campaign *c,
                       char *resume, size_t n) {
  size_t len = strlen(resume);
  c->jobs = cc->jobs != 0 ? cc->jobs : online_cpus();
  c->first = first;
  c->runs = runs;
  c->shard = cc->shard;
  c->shards = cc->shards;
  if (cc->shards != 0) {
    uint64_t q = runs / cc->shards, rem = runs % cc->shards;
    c->first = first + q * cc->shard + (cc->shard < rem ? cc->shard : rem);
    c->runs = q + (cc->shard < rem);
  }
  if (cc->jobs != 0 && len < n)
    len += (size_t)snprintf(resume + len, n - len, " --jobs %u", cc->jobs);
  c->json = NULL;
  if (cc->json_path != NULL) {
    /* Appended, so that the run that resumes a stopped one adds its
     * records to the same file. */
    if ((c->json = fopen(cc->json_path, "a")) == NULL)
      return cli_usage_error(tool, "--json: cannot open '%s'", cc->json_path);
    if (len < n)
      snprintf(resume + len, n - len, " --json '%s'", cc->json_path);
  }
  c->resume_args = resume;
  return 0;
}

int campaign_cli_close(const char *tool, struct campaign *c) {
  if (c->json == NULL)
    return 0;
  if ((ferror(c->json) | fclose(c->json)) != 0) {
    fprintf(stderr, "%s: the JSON file could not be written\n", tool);
    return 2;
  }
  return 0;
}
