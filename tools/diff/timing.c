/*
 * The timing check, over the sim run's timeline. Each rule is one a real
 * run could break by being a little late or a little early, which virtual
 * time never is; the margins are what a loaded machine's lateness has to
 * stay under for Node and nodeloop's linux backend to print what the sim
 * printed.
 */
#include "timing.h"

#include <stdlib.h>
#include <string.h>

#define MS 1000000u

static const char *const reasons[] = {
#define DP_TIMING_TEXT(name, text) text,
    DP_TIMING_MAP(DP_TIMING_TEXT)
#undef DP_TIMING_TEXT
};

const char *dp_timing_reason(int t) {
  return t >= 0 && t < DT_COUNT ? reasons[t] : "?";
}

struct timer {
  int pending, unref;
  uint64_t set_ns, due_ns;
  uint32_t cb; /* the callback that armed it */
  uint32_t delay_ms;
  size_t seq; /* the order of arming, for (deadline, order) */
};

static uint64_t gap(uint64_t a, uint64_t b) {
  return a > b ? a - b : b - a;
}

/* A new deadline against the pending ones: equal deadlines only from one
 * callback (then they have one delay and keep their order of setting),
 * different delays at least DP_DEADLINE_MARGIN_MS apart. One virtual
 * instant is not enough: main and the microtasks after it share one, but
 * in Node a millisecond can pass between them (seed 1244: a timer set in
 * a microtask started 1 ms after main's, was not due when main's fired,
 * and, being unref'd, never ran). */
static int check_set(const struct timer *t, int n, int self) {
  int j;
  for (j = 0; j < n; j++) {
    if (j == self || !t[j].pending)
      continue;
    if (t[j].due_ns == t[self].due_ns) {
      if (t[j].set_ns != t[self].set_ns || t[j].cb != t[self].cb)
        return DT_CLOSE_DEADLINES;
    } else if (t[j].delay_ms != t[self].delay_ms &&
               gap(t[j].due_ns, t[self].due_ns) < DP_DEADLINE_MARGIN_MS * MS) {
      return DT_CLOSE_DEADLINES;
    }
  }
  return DT_OK;
}

/* A timers phase at loop time now: every pending deadline is the phase's
 * own instant (when the loop slept until it: woke, not busy-waited to
 * the phase's time) or clearly before or after it; and
 * the due batch in deadline order takes each delay's timers together, as
 * Node's per-delay lists fire them. */
static int check_phase(const struct timer *t, int n, uint64_t now, int woke,
                       int node_order) {
  int j, k, batch[1024], nb = 0;
  for (j = 0; j < n; j++) {
    if (!t[j].pending)
      continue;
    if ((t[j].due_ns != now || !woke) &&
        gap(t[j].due_ns, now) < DP_PHASE_MARGIN_MS * MS)
      return DT_NEAR_PHASE;
    if (t[j].due_ns <= now)
      batch[nb++] = j;
  }
  if (node_order)
    return DT_OK; /* the loop keeps Node's lists itself */
  /* Insertion sort by (deadline, order of arming). */
  for (j = 1; j < nb; j++) {
    int x = batch[j];
    for (k = j; k > 0 && (t[batch[k - 1]].due_ns > t[x].due_ns ||
                          (t[batch[k - 1]].due_ns == t[x].due_ns &&
                           t[batch[k - 1]].seq > t[x].seq));
         k--)
      batch[k] = batch[k - 1];
    batch[k] = x;
  }
  for (j = 1; j < nb; j++) {
    if (t[batch[j]].delay_ms == t[batch[j - 1]].delay_ms)
      continue;
    for (k = 0; k < j - 1; k++)
      if (t[batch[k]].delay_ms == t[batch[j]].delay_ms)
        return DT_LATE_LISTS;
  }
  return DT_OK;
}

/* Pool work issued at issue_ns completed at done_ns: no timer armed by
 * then may be due in [issue, done + window]. */
static int check_pool(const struct dp_output *o, size_t upto, uint64_t issue_ns,
                      uint64_t done_ns) {
  size_t e;
  for (e = 0; e < upto; e++) {
    const struct dp_event *ev = &o->ev[e];
    if (ev->type == EV_SET && ev->d_ns > issue_ns &&
        ev->d_ns <= done_ns + DP_POOL_WINDOW_MS * MS)
      return DT_POOL_RACE;
  }
  return DT_OK;
}

static int walk(const struct dp_prog *p, const struct dp_output *o,
                struct timer *t, int n, int node_order) {
  size_t e;
  uint64_t phase_ns = 0, busy_end_ns = UINT64_MAX;
  int inflight = -1, immediates = 0, r;
  uint64_t issue_ns = 0;
  for (e = 0; e < o->nev; e++) {
    const struct dp_event *ev = &o->ev[e];
    struct timer *x = ev->inst >= 0 ? &t[ev->inst] : NULL;
    switch (ev->type) {
    case EV_SET:
      x->pending = 1;
      x->set_ns = ev->t_ns;
      x->due_ns = ev->d_ns;
      x->delay_ms = p->op[ev->op].delay_ms;
      x->seq = e;
      x->cb = ev->cb;
      if ((r = check_set(t, n, ev->inst)) != DT_OK)
        return r;
      break;
    case EV_TIMERS_PHASE:
      phase_ns = ev->t_ns;
      if ((r = check_phase(t, n, phase_ns, busy_end_ns != phase_ns,
                           node_order)) != DT_OK)
        return r;
      break;
    case EV_FIRE:
      /* Node re-arms an interval from a clock read just before its
       * callback; nodeloop from the phase's cached time. */
      if (p->op[ev->op].kind == DK_INTERVAL && ev->t_ns != phase_ns)
        return DT_INTERVAL_SLOW;
      x->pending = 0;
      break;
    case EV_CLEAR:
      x->pending = 0;
      break;
    case EV_BUSY_END:
      busy_end_ns = ev->t_ns;
      break;
    case EV_UNREF:
    case EV_REF:
      x->unref = ev->type == EV_UNREF;
      break;
    case EV_IMMEDIATE:
      immediates++;
      if (inflight >= 0)
        return DT_POOL_IMMEDIATE;
      break;
    case EV_POOL_ISSUE:
      if (inflight >= 0)
        return DT_POOL_RACE;
      /* Node's fs.readFile goes to the pool four times (open, fstat,
       * read, close), so a pending immediate always runs first there;
       * nodeloop's read is one task, which may complete in the poll phase
       * before it (always, when the issuing callback then busy-waits). */
      if (immediates > 0)
        return DT_POOL_IMMEDIATE;
      inflight = ev->inst;
      issue_ns = ev->t_ns;
      break;
    case EV_MACRO:
      if (ev->op >= 0 && p->op[ev->op].kind == DK_IMMEDIATE)
        immediates--;
      /* The first callback after the issuing one must be the work's own:
       * Node's fs.readFile takes several iterations, nodeloop's one. */
      if (inflight < 0 || ev->inst == -1)
        break;
      if (ev->inst != inflight)
        return DT_POOL_RACE;
      if ((r = check_pool(o, e, issue_ns, ev->t_ns)) != DT_OK)
        return r;
      inflight = -1;
      break;
    case EV_END: {
      int j;
      for (j = 0; j < n; j++)
        if (t[j].pending && t[j].unref &&
            t[j].due_ns < ev->t_ns + DP_PHASE_MARGIN_MS * MS)
          return DT_UNREF_EXIT;
      break;
    }
    default:
      break;
    }
  }
  return DT_OK;
}

int dp_timing_check(const struct dp_prog *p, const struct dp_output *sim,
                    int node_order) {
  struct timer *t;
  int n = 0, r;
  size_t e;
  for (e = 0; e < sim->nev; e++)
    if (sim->ev[e].inst >= n)
      n = sim->ev[e].inst + 1;
  /* check_phase's batch holds 1024; the interpreter makes no more
   * instances than that. */
  if (n > 1024 || (t = calloc((size_t)n + 1, sizeof(*t))) == NULL)
    return -1;
  r = walk(p, sim, t, n, node_order);
  free(t);
  return r;
}
