/*
 * Comparison and shrinking. The sim run comes first: it is one of the
 * backends compared, and its timeline is what the timing check reads, so a
 * program that leaves an order to chance costs no Node start-up.
 */
#include "check.h"

#include <stdlib.h>
#include <string.h>

#include "js.h"
#include "node.h"
#include "timing.h"

static int write_script(const struct dp_config *c, const struct dp_prog *p) {
  FILE *f = fopen(c->script, "w");
  if (f == NULL)
    return -1;
  dp_emit_js(p, c->fixtures, f);
  return fclose(f) == 0 ? 0 : -1;
}

/* The line number (from 1) where a and b first differ. */
static unsigned first_difference(const char *a, const char *b) {
  unsigned line = 1;
  for (; *a != '\0' && *a == *b; a++, b++)
    if (*a == '\n')
      line++;
  return line;
}

/* Node's runs: 0 when they all ran and agree, with the first run's lines
 * in r->node. */
static int run_node(const struct dp_config *c, struct dp_result *r) {
  unsigned k;
  for (k = 0; k < c->node_runs; k++) {
    char *out;
    int st = dp_node_run(c->node, c->script, &out);
    if (st < 0)
      return -1;
    if (st != 0) {
      r->verdict = DV_NODE_FAILED;
      snprintf(r->why, sizeof(r->why), "node exited with status %d", st);
      free(out);
      return 0;
    }
    if (r->node == NULL) {
      r->node = out;
      continue;
    }
    if (strcmp(out, r->node) != 0) {
      r->verdict = DV_UNSTABLE;
      r->unstable = DU_NODE;
      snprintf(r->why, sizeof(r->why),
               "node's runs 1 and %u printed different orders (line %u)", k + 1,
               first_difference(r->node, out));
    }
    free(out);
    if (r->verdict == DV_UNSTABLE)
      return 0;
  }
  return 0;
}

/* Whether a nodeloop run differs from Node; a failed run differs. */
static int differs(const struct dp_result *r, const struct dp_output *o) {
  return o->failed || strcmp(o->text != NULL ? o->text : "", r->node) != 0;
}

static char *take(struct dp_output *o) {
  char *t = o->text != NULL ? o->text : strdup("");
  o->text = NULL;
  return t;
}

/* A linux run that differs is run twice more: if either agrees, the
 * difference came from the machine's timing, not from a rule. */
static int linux_again(const struct dp_config *c, const struct dp_prog *p,
                       const struct dp_result *r) {
  int k, same = 1;
  for (k = 0; k < 2 && same; k++) {
    struct dp_output o;
    if (dp_interpret(p, NDL_BACKEND_LINUX, c->order, c->fixtures, c->plant, 0,
                     &o) != 0)
      return -1;
    same = differs(r, &o);
    dp_output_free(&o);
  }
  return same;
}

/* A difference is confirmed by as many Node runs again, a while later:
 * on a loaded machine Node's runs can all be late in the same way, and a
 * program whose Node order changes on the second look is unstable, not
 * different. */
static int confirm(const struct dp_config *c, struct dp_result *r) {
  struct dp_result again;
  memset(&again, 0, sizeof(again));
  if (run_node(c, &again) != 0)
    return -1;
  if (again.verdict == DV_AGREED && strcmp(again.node, r->node) != 0) {
    again.verdict = DV_UNSTABLE;
    again.unstable = DU_NODE_AGAIN;
    snprintf(again.why, sizeof(again.why),
             "node's runs printed different orders on a second look "
             "(line %u)",
             first_difference(r->node, again.node));
  }
  if (again.verdict == DV_AGREED) {
    r->verdict = DV_DIFFERED;
  } else {
    r->verdict = DV_UNSTABLE;
    r->unstable = again.verdict == DV_UNSTABLE ? again.unstable : DU_NODE_AGAIN;
    r->differs = 0;
    memcpy(r->why, again.why, sizeof(r->why));
  }
  dp_result_free(&again);
  return 0;
}

int dp_check(const struct dp_config *c, const struct dp_prog *p,
             uint64_t sim_seed, struct dp_result *r) {
  struct dp_output sim, lin;
  int d;
  memset(r, 0, sizeof(*r));
  if (dp_interpret(p, NDL_BACKEND_SIM, c->order, c->fixtures, c->plant,
                   sim_seed, &sim) != 0)
    return -1;
  if (!sim.failed &&
      (r->timing = dp_timing_check(
           p, &sim, c->order == NDL_TIMER_ORDER_NODE)) != DT_OK) {
    dp_output_free(&sim);
    if (r->timing < 0)
      return -1;
    r->verdict = DV_TIMING;
    return 0;
  }
  if (write_script(c, p) != 0 || run_node(c, r) != 0) {
    dp_output_free(&sim);
    dp_result_free(r);
    return -1;
  }
  if (r->verdict != DV_AGREED) {
    dp_output_free(&sim);
    return 0;
  }
  if (c->backends & DP_SIM) {
    if (differs(r, &sim)) {
      r->differs |= DP_SIM;
      if (sim.failed)
        snprintf(r->why, sizeof(r->why), "sim: %s", sim.why);
    }
    r->nodeloop[1] = take(&sim);
  }
  dp_output_free(&sim);
  if (c->backends & DP_LINUX) {
    if (dp_interpret(p, NDL_BACKEND_LINUX, c->order, c->fixtures, c->plant, 0,
                     &lin) != 0)
      return -1;
    if (differs(r, &lin)) {
      if ((d = linux_again(c, p, r)) < 0)
        return -1;
      if (d) {
        r->differs |= DP_LINUX;
        if (lin.failed)
          snprintf(r->why, sizeof(r->why), "linux: %s", lin.why);
      } else if (r->differs == 0) {
        r->verdict = DV_UNSTABLE;
        r->unstable = DU_LINUX;
        snprintf(r->why, sizeof(r->why),
                 "nodeloop linux's runs printed different orders");
      }
    }
    r->nodeloop[0] = take(&lin);
    dp_output_free(&lin);
  }
  if (r->differs != 0)
    return confirm(c, r);
  return 0;
}

void dp_result_free(struct dp_result *r) {
  free(r->node);
  free(r->nodeloop[0]);
  free(r->nodeloop[1]);
  memset(r, 0, sizeof(*r));
}

/* Whether q still differs on a backend of mask. */
static int still_differs(const struct dp_config *c, const struct dp_prog *q,
                         uint64_t sim_seed, unsigned mask) {
  struct dp_config cc = *c;
  struct dp_result r;
  int yes;
  cc.backends = mask;
  /* More Node runs than a campaign's: on a loaded machine Node can be
   * late the same way three times, and a shrink that followed such a
   * difference would end on a program that agrees. */
  cc.node_runs = c->node_runs + 2;
  if (dp_check(&cc, q, sim_seed, &r) != 0)
    return 0;
  yes = r.verdict == DV_DIFFERED;
  dp_result_free(&r);
  return yes;
}

/* One smaller value of op i's numbers, or 0 when there is none. */
static int lower(struct dp_op *o) {
  switch (o->kind) {
  case DK_TIMEOUT:
  case DK_INTERVAL:
    if (o->kind == DK_INTERVAL && o->count > 1) {
      o->count--;
      return 1;
    }
    if (o->unref) {
      o->unref = 0;
      return 1;
    }
    if (o->delay_ms > 40) {
      o->delay_ms -= 40;
      return 1;
    }
    return 0;
  case DK_PROMISE:
    if (o->count > 1) {
      o->count--;
      return 1;
    }
    return 0;
  case DK_BUSY:
    if (o->delay_ms > 20) {
      o->delay_ms -= 40;
      return 1;
    }
    return 0;
  default:
    return 0;
  }
}

unsigned dp_shrink(const struct dp_config *c, struct dp_prog *p,
                   uint64_t sim_seed, unsigned mask, unsigned budget) {
  unsigned tried = 0;
  int progress = 1, i;
  while (progress && tried < budget) {
    progress = 0;
    for (i = p->n - 1; i >= 0 && tried < budget; i--) {
      struct dp_prog q = *p;
      dp_remove(&q, i);
      tried++;
      if (still_differs(c, &q, sim_seed, mask)) {
        *p = q;
        progress = 1;
      }
    }
    /* An op replaced by its children, which move up to its parent: a
     * callback that only gave them their context. */
    for (i = p->n - 1; i >= 0 && tried < budget; i--) {
      struct dp_prog q = *p;
      int j, kids = 0;
      for (j = i + 1; j < q.n; j++)
        if (q.op[j].parent == i) {
          q.op[j].parent = q.op[i].parent;
          kids++;
        }
      if (kids == 0)
        continue;
      dp_remove(&q, i);
      tried++;
      if (still_differs(c, &q, sim_seed, mask)) {
        *p = q;
        progress = 1;
      }
    }
    for (i = 0; i < p->n && tried < budget; i++) {
      struct dp_prog q = *p;
      if (!lower(&q.op[i]))
        continue;
      tried++;
      if (still_differs(c, &q, sim_seed, mask)) {
        *p = q;
        progress = 1;
      }
    }
  }
  return tried;
}
