/*
 * One seed of the campaign (seed.h).
 */
#include "seed.h"

#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "gen.h"
#include "js.h"

#define SHRINK_BUDGET 200

const char *const *diff_count_names(void) {
  static const char *const unstable[DU_COUNT] = {
      "unstable_node", "unstable_node_again", "unstable_linux"};
  static char refused[DT_COUNT][48];
  static const char *names[DC_COUNT + 1];
  int k;
  size_t i;
  if (names[0] != NULL)
    return names;
  names[DC_AGREED] = "agreed";
  names[DC_DIFFERED] = "differed";
  names[DC_DIFFERED_LINUX] = "differed_linux";
  names[DC_DIFFERED_SIM] = "differed_sim";
  /* "refused_near_phase" from DT_NEAR_PHASE: a reason added to the map
   * is counted, and named, with no change here. */
  for (k = 1; k < DT_COUNT; k++) {
    static const char *const map[] = {
#define DP_TIMING_NAME(name, text) #name,
        DP_TIMING_MAP(DP_TIMING_NAME)
#undef DP_TIMING_NAME
    };
    snprintf(refused[k], sizeof(refused[k]), "refused_%s", map[k]);
    for (i = 0; refused[k][i] != '\0'; i++)
      refused[k][i] = (char)tolower((unsigned char)refused[k][i]);
    names[DC_REFUSED + k - 1] = refused[k];
  }
  for (k = 0; k < DU_COUNT; k++)
    names[DC_UNSTABLE + k] = unstable[k];
  names[DC_NODE_FAILED] = "node_failed";
  names[DC_CRASHES] = "crashes";
  names[DC_COUNT] = NULL;
  return names;
}

const char *diff_unstable_reason(int u) {
  switch (u) {
  case DU_NODE:
    return "node's runs printed different orders";
  case DU_NODE_AGAIN:
    return "node's runs printed different orders on a second look";
  default:
    return "nodeloop linux's runs printed different orders";
  }
}

static const char *backend_name(unsigned b) {
  return b == DP_LINUX ? "linux" : "sim";
}

/* What each side printed, indented by pad. */
static void print_lines(FILE *f, const char *pad, const struct dp_result *r) {
  unsigned b;
  fprintf(f, "%s[node]\n%s", pad, r->node != NULL ? r->node : "");
  for (b = 0; b < 2; b++)
    if (r->nodeloop[b] != NULL)
      fprintf(f, "%s[nodeloop %s]\n%s", pad, backend_name(1u << b),
              r->nodeloop[b]);
}

/* Writes the pair for a human to --out: the script, and the program as
 * text with what each side printed. */
static void write_pair(const struct diff_run *d, uint64_t seed,
                       const char *label, const struct dp_prog *p,
                       const struct dp_result *r) {
  char dir[PATH_MAX], path[PATH_MAX + 64];
  FILE *f;
  unsigned b;
  snprintf(dir, sizeof(dir), "%s/seed-%" PRIu64, d->out, seed);
  mkdir(d->out, 0777); /* workers race to make it: EEXIST is fine */
  mkdir(dir, 0777);
  snprintf(path, sizeof(path), "%s/%s.js", dir, label);
  if ((f = fopen(path, "w")) != NULL) {
    dp_emit_js(p, d->cfg.fixtures, f);
    fclose(f);
  }
  snprintf(path, sizeof(path), "%s/%s.txt", dir, label);
  if ((f = fopen(path, "w")) == NULL) {
    fprintf(stderr, "nodeloop-diff: cannot write %s\n", path);
    return;
  }
  fprintf(f, "# seed %" PRIu64 ", %d ops; differs on:", seed, p->n);
  for (b = DP_LINUX; b <= DP_SIM; b <<= 1)
    if (r->differs & b)
      fprintf(f, " %s", backend_name(b));
  fprintf(f, "\n");
  if (r->why[0] != '\0')
    fprintf(f, "# %s\n", r->why);
  dp_print(p, f);
  print_lines(f, "", r);
  fclose(f);
}

/* --print: the program, its script, its verdict and its lines. */
static void show(const struct diff_run *d, uint64_t seed,
                 const struct dp_prog *p, const struct dp_result *r, FILE *f) {
  fprintf(f, "seed %" PRIu64 ":\n", seed);
  dp_print(p, f);
  dp_emit_js(p, d->cfg.fixtures, f);
  if (r->verdict == DV_TIMING)
    fprintf(f, "refused: %s\n", dp_timing_reason(r->timing));
  if (r->why[0] != '\0')
    fprintf(f, "%s\n", r->why);
  if (r->node != NULL)
    fprintf(f, "[node]\n%s", r->node);
  print_lines(f, "", r);
}

/* The program as dp_print writes it, malloc'd, or NULL. */
static char *program_text(const struct dp_prog *p) {
  char *text = NULL;
  size_t len;
  FILE *f = open_memstream(&text, &len);
  if (f == NULL)
    return NULL;
  dp_print(p, f);
  fclose(f);
  return text;
}

static void no_process(const struct diff_run *d, uint64_t seed) {
  fprintf(stderr, "nodeloop-diff: seed %" PRIu64 ": out of memory or no fork\n",
          seed);
  unlink(d->script);
  _exit(2);
}

/* Reports the difference in r: its DIFFER line, the program shrunk (when
 * it is among the first --shrink-max differences in seed order), what
 * each side printed, and the replay line. */
static void differed(const struct diff_run *d, uint64_t seed, struct dp_prog *p,
                     const struct dp_result *res, struct campaign_seed *r) {
  struct dp_result m;
  char replay[1024];
  unsigned tried;

  r->failed = 1;
  snprintf(r->failure, sizeof(r->failure), "on%s%s%s%s (%d ops)",
           res->differs & DP_LINUX ? " linux" : "",
           res->differs & DP_SIM ? " sim" : "", res->why[0] ? ": " : "",
           res->why, p->n);
  fprintf(r->out, "DIFFER seed=%" PRIu64 " %s\n", seed, r->failure);
  if (d->out != NULL)
    write_pair(d, seed, "original", p, res);
  if (!campaign_among_first_failures(r, d->shrink_max)) {
    fprintf(r->out, "  not shrunk (past --shrink-max):\n");
    dp_print(p, r->out);
    print_lines(r->out, "  ", res);
  } else {
    tried = dp_shrink(&d->cfg, p, seed, res->differs, SHRINK_BUDGET);
    if (dp_check(&d->cfg, p, seed, &m) != 0)
      no_process(d, seed);
    fprintf(r->out, "  shrunk in %u tries to %d ops%s:\n", tried, p->n,
            m.verdict == DV_DIFFERED ? ""
                                     : " (which no longer differs on a "
                                       "check of its own: a timing flake)");
    dp_print(p, r->out);
    print_lines(r->out, "  ", &m);
    if (d->out != NULL)
      write_pair(d, seed, "minimal", p, &m);
    dp_result_free(&m);
  }
  r->program = program_text(p);
  campaign_replay(d->c, seed, replay, sizeof(replay));
  fprintf(r->out, "  replay: %s\n", replay);
}

void diff_seed(void *ctx, uint64_t seed, struct campaign_seed *r) {
  struct diff_run *d = ctx;
  struct dp_prog p;
  struct dp_result res;

  /* One script a worker: the workers are processes of one campaign. */
  snprintf(d->script, sizeof(d->script), "%s/nodeloop-diff-%ld.js", d->tmpdir,
           (long)getpid());
  d->cfg.script = d->script;
  dp_generate(seed, &p);
  if (dp_check(&d->cfg, &p, seed, &res) != 0)
    no_process(d, seed);
  switch (res.verdict) {
  case DV_AGREED:
    r->counts[DC_AGREED] = 1;
    break;
  case DV_DIFFERED:
    r->counts[DC_DIFFERED] = 1;
    r->counts[DC_DIFFERED_LINUX] = (res.differs & DP_LINUX) != 0;
    r->counts[DC_DIFFERED_SIM] = (res.differs & DP_SIM) != 0;
    break;
  case DV_TIMING:
    r->counts[DC_REFUSED + res.timing - 1] = 1;
    break;
  case DV_UNSTABLE:
    r->counts[DC_UNSTABLE + res.unstable] = 1;
    break;
  default:
    r->counts[DC_NODE_FAILED] = 1;
    break;
  }
  if (d->print)
    show(d, seed, &p, &res, r->out);
  if (res.verdict == DV_DIFFERED)
    differed(d, seed, &p, &res, r);
  dp_result_free(&res);
  unlink(d->script);
}

void diff_died(void *ctx, uint64_t seed, int status, struct campaign_seed *r) {
  const struct diff_run *d = ctx;
  char replay[1024];
  r->failed = 1;
  r->counts[DC_CRASHES] = 1;
  snprintf(r->failure, sizeof(r->failure),
           "crash: the worker died (wait status %d)", status);
  campaign_replay(d->c, seed, replay, sizeof(replay));
  fprintf(r->out, "CRASH seed=%" PRIu64 " %s\n  replay: %s\n", seed, r->failure,
          replay);
}
