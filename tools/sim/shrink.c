#include "shrink.h"

#include <string.h>

#include "nodeloop_faults.h"
#include "tools/reference/program_text.h"
#include "tools/reference/shrink_world.h"

void sim_verdict(const struct sim_checks *c, struct prop_outcome *out) {
  if (!c->faults)
    return;
  out->prop = out->lost != 0 || out->duplicated != 0 ? PROP_END : PROP_OK;
  snprintf(out->msg, sizeof(out->msg), "lost=%llu duplicated=%llu",
           (unsigned long long)out->lost, (unsigned long long)out->duplicated);
}

struct planned {
  const char *plan;
  uint64_t seed;
};

/* Before the loop is made: the plan afresh, so each run meets the same
 * faults. */
static void apply_plan(void *ctx) {
  const struct planned *pl = ctx;
  if (pl->plan != NULL)
    ndl_faults_plan(pl->plan, pl->seed, NULL, 0);
}

/* One run; *reached is read before the plan is cleared: its counters are
 * the run's. */
static int checked(const struct prog *p, const char *plan,
                   const struct sim_checks *c, FILE *trace,
                   ndl_chrome_trace *chrome, struct prop_outcome *out,
                   uint64_t *reached) {
  struct prop_options o;
  struct planned pl;
  memset(&o, 0, sizeof(o));
  pl.plan = plan != NULL && *plan != '\0' ? plan : NULL;
  pl.seed = p->cfg.sim_seed;
  o.planted_max_timers = c->planted_max_timers;
  o.trace = trace;
  o.chrome = chrome;
  o.before_run = apply_plan;
  o.ctx = &pl;
  prop_check(p, &o, out);
  *reached = ndl_faults_reached();
  ndl_faults_clear();
  sim_verdict(c, out);
  return out->prop;
}

int sim_run(const struct prog *p, const char *plan, const struct sim_checks *c,
            FILE *trace, ndl_chrome_trace *chrome, struct prop_outcome *out) {
  uint64_t reached;
  return checked(p, plan, c, trace, chrome, out, &reached);
}

struct judge {
  const struct sim_checks *c;
  int prop;
};

static int fails_alike(const struct prog *q, const char *plan,
                       uint64_t *reached, void *ctx) {
  const struct judge *j = ctx;
  struct prop_outcome out;
  return checked(q, plan, j->c, NULL, NULL, &out, reached) == j->prop;
}

void sim_shrink(struct prog *p, char *plan, size_t plan_cap,
                const struct sim_checks *c, int prop, int max_runs, FILE *out) {
  struct prop_outcome again;
  struct judge j;
  int runs;
  j.c = c;
  j.prop = prop;
  runs = world_shrink(p, plan, plan_cap, fails_alike, &j, max_runs);
  sim_run(p, plan, c, NULL, NULL, &again);
  fprintf(out, "shrunk in %d runs: property=%s: %s\n", runs,
          prop_name(again.prop), again.msg);
  prog_print_world(p, plan, out);
}

int sim_chrome_trace(const char *path, const struct prog *p, const char *plan,
                     const struct sim_checks *c) {
  struct prop_outcome out;
  ndl_chrome_trace *t;
  int err;
  if ((err = ndl_chrome_trace_open(path, &t)) != 0) {
    fprintf(stderr, "nodeloop-sim: %s: %s\n", path, ndl_strerror(err));
    return -1;
  }
  sim_run(p, plan, c, NULL, t, &out);
  if ((err = ndl_chrome_trace_close(t)) != 0) {
    fprintf(stderr, "nodeloop-sim: %s: the Chrome trace could not be written\n",
            path);
    return -1;
  }
  return 0;
}
