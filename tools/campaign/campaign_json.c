/*
 * Writing and reading the campaign's JSON lines (campaign_json.h).
 */
#include "campaign_json.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

void campaign_json_failure(FILE *f, const struct campaign *c, uint64_t seed,
                           const char *replay, const struct campaign_seed *r) {
  fputs("{\"type\":\"failure\",\"tool\":", f);
  cli_json_string(f, c->tool);
  fputs(",\"build\":", f);
  cli_json_string(f, cli_build_id());
  fprintf(f, ",\"seed\":%" PRIu64 ",\"replay\":", seed);
  cli_json_string(f, replay);
  fputs(",\"failure\":", f);
  cli_json_string(f, r->failure);
  fputs(",\"program\":", f);
  if (r->program != NULL)
    cli_json_string(f, r->program);
  else
    fputs("null", f);
  fputs(",\"plan\":", f);
  if (r->plan != NULL)
    cli_json_string(f, r->plan);
  else
    fputs("null", f);
  fputs("}\n", f);
}

void campaign_json_summary(FILE *f, const struct campaign_summary *s,
                           const char *const *count_names) {
  size_t i;
  fputs("{\"type\":\"summary\",\"tool\":", f);
  cli_json_string(f, s->tool);
  fputs(",\"build\":", f);
  cli_json_string(f, s->build);
  fputs(",\"mode\":", f);
  cli_json_string(f, s->mode);
  fputs(",\"options\":", f);
  cli_json_string(f, s->options);
  fprintf(f, ",\"first_seed\":%" PRIu64 ",\"runs\":%" PRIu64 ",\"shard\":",
          s->first, s->runs);
  if (s->shards != 0)
    fprintf(f, "\"%u/%u\"", s->shard, s->shards);
  else
    fputs("null", f);
  fprintf(f, ",\"passed\":%" PRIu64 ",\"failed\":%" PRIu64 ",\"counts\":{",
          s->passed, s->failed);
  for (i = 0; count_names[i] != NULL; i++)
    fprintf(f, "%s\"%s\":%" PRIu64, i ? "," : "", count_names[i], s->counts[i]);
  fputs("}}\n", f);
}

/* Where the value of "key" starts in line, or NULL. A key inside a string
 * value cannot match: there its quotes are escaped. */
static const char *value_of(const char *line, const char *key) {
  char pattern[80];
  const char *at;
  snprintf(pattern, sizeof(pattern), "\"%s\":", key);
  at = strstr(line, pattern);
  return at == NULL ? NULL : at + strlen(pattern);
}

int campaign_json_u64(const char *line, const char *key, uint64_t *v) {
  const char *at = value_of(line, key);
  char *end;
  if (at == NULL || *at < '0' || *at > '9')
    return -1;
  *v = strtoull(at, &end, 10);
  return end == at ? -1 : 0;
}

/* Reads a string value, unescaping what cli_json_string escapes. */
static int read_string(const char *line, const char *key, char *out,
                       size_t cap) {
  const char *p = value_of(line, key);
  size_t n = 0;
  if (p == NULL || *p++ != '"')
    return -1;
  for (; *p != '"'; p++) {
    char ch = *p;
    if (ch == '\0' || n + 1 >= cap)
      return -1;
    if (ch == '\\') {
      p++;
      if (*p == 'n')
        ch = '\n';
      else if (*p == 'u' && strlen(p) >= 5) {
        ch = (char)strtol((char[]){p[3], p[4], '\0'}, NULL, 16);
        p += 4;
      } else
        ch = *p;
    }
    out[n++] = ch;
  }
  out[n] = '\0';
  return 0;
}

int campaign_json_read_summary(const char *line, struct campaign_summary *s,
                               const char *const *count_names) {
  char type[16], shard[32];
  size_t i;
  memset(s, 0, sizeof(*s));
  if (read_string(line, "type", type, sizeof(type)) != 0 ||
      strcmp(type, "summary") != 0 ||
      read_string(line, "tool", s->tool, sizeof(s->tool)) != 0 ||
      read_string(line, "build", s->build, sizeof(s->build)) != 0 ||
      read_string(line, "mode", s->mode, sizeof(s->mode)) != 0 ||
      read_string(line, "options", s->options, sizeof(s->options)) != 0 ||
      campaign_json_u64(line, "first_seed", &s->first) != 0 ||
      campaign_json_u64(line, "runs", &s->runs) != 0 ||
      campaign_json_u64(line, "passed", &s->passed) != 0 ||
      campaign_json_u64(line, "failed", &s->failed) != 0)
    return -1;
  if (read_string(line, "shard", shard, sizeof(shard)) == 0 &&
      sscanf(shard, "%u/%u", &s->shard, &s->shards) != 2)
    return -1;
  for (i = 0; count_names[i] != NULL; i++)
    if (campaign_json_u64(line, count_names[i], &s->counts[i]) != 0)
      return -1;
  return 0;
}
