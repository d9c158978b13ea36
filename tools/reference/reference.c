/*
 * The reference model. Every callback is a record in one array, and every
 * queue is a question asked of the whole array ("the live immediate with the
 * smallest queue number"), so there is no heap, no list and no index to get
 * wrong. It is slow (O(records) per step, O(records^2) per run) and that is
 * fine for programs of a few hundred callbacks.
 *
 * The rules, in the order an iteration runs them (runtime/loop.c):
 *  - main runs the root ops, then the tick queues drain;
 *  - while something ref'd is live: the clock is cached; timers: every timer
 *    due at the cached time is taken as one batch, in (deadline, set order),
 *    and each still live one runs (an interval re-arms at cached time +
 *    delay unless it was cleared); pending (defer) callbacks queued before
 *    the phase; poll: wait (below), cache the clock again, then run what
 *    fired (fd events, then finished work, each in their own order); check:
 *    the immediates queued before the phase; close: the close callbacks
 *    queued before the phase, newest first (libuv's closing-handle stack);
 *  - after every callback: all nextTicks (also new ones), then all
 *    microtasks (also new ones), again until no nextTick is queued;
 *  - a timer is due at the clock when it was set (not the cached time) plus
 *    max(delay, 1) ms;
 *  - poll does not wait when nothing is alive or an immediate, pending or
 *    close callback is queued; otherwise it waits for the earliest timer,
 *    and the sim clock jumps to the earliest of that, a task finishing, or a
 *    watched fd's scripted event; with none of them the loop is deadlocked;
 *  - the sim pool: tasks start in submission order when a worker is free
 *    (any number at once with inline work) and finish at start + delay +
 *    jitter, in (finish time, start order); finished tasks wait for the next
 *    poll. A scripted fd event fires once, at or after its time, while its
 *    fd is watched; what is due is collected before any callback runs, so a
 *    watcher stopped meanwhile misses its collected events.
 */
#include "reference.h"

#include <stdlib.h>
#include <string.h>

#define NEVER UINT64_MAX
#define NS_PER_MS 1000000u
#define MAX_SCRIPTS (4 * PROG_MAX_INSTANCES)
#define MAX_TICKS 1000000u

enum work_state { W_NONE, W_QUEUED, W_RUNNING, W_FINISHED, W_COLLECTED };

struct rec {
  int kind, inst, op;
  int live, refed;
  uint64_t qseq; /* queue order for immediates, ticks, defer, close */
  int armed;     /* timers: waiting in the "heap" */
  uint64_t deadline, tseq, delay_ns;
  unsigned runs; /* interval and io calls so far */
  int fd;
  int wstate;
  uint64_t wfifo, wdone, wsseq, wdseq;
};

struct script {
  int fd, used;
  uint64_t at_ns, seq;
};

struct fired {
  int rec;
};

struct reference {
  const struct prog *p;
  const uint64_t *jitter;
  struct reference_result *out;
  struct rec recs[PROG_MAX_INSTANCES];
  int nrecs;
  int executed; /* ops executed: the next instance number */
  int latest[PROG_MAX_OPS];
  struct script scripts[MAX_SCRIPTS];
  int nscripts;
  uint64_t clock, cnow;
  uint64_t qseq, tseq, sseq, dseq, wfifo, script_seq;
  unsigned busy;
  struct fired fired[PROG_MAX_INSTANCES * 4];
  int nfired;
};

static int one_shot(int kind) {
  return kind != PK_INTERVAL && kind != PK_IO;
}

static int live_count(const struct reference *m) {
  int i, n = 0;
  for (i = 0; i < m->nrecs; i++)
    n += m->recs[i].live;
  return n;
}

static int alive(const struct reference *m) {
  int i;
  for (i = 0; i < m->nrecs; i++)
    if (m->recs[i].live && m->recs[i].refed)
      return 1;
  return 0;
}

/* The live record of a queued kind with the smallest queue number. */
static int first_queued(const struct reference *m, int kind) {
  int i, best = -1;
  for (i = 0; i < m->nrecs; i++) {
    const struct rec *r = &m->recs[i];
    if (r->live && r->kind == kind &&
        (best < 0 || r->qseq < m->recs[best].qseq))
      best = i;
  }
  return best;
}

static void cancel(struct reference *m, int i) {
  m->recs[i].live = 0;
  m->recs[i].armed = 0;
  m->out->cancelled++;
}

/* ---- The pool. */

static void start_queued(struct reference *m) {
  for (;;) {
    int i, best = -1;
    struct rec *r;
    for (i = 0; i < m->nrecs; i++)
      if (m->recs[i].wstate == W_QUEUED &&
          (best < 0 || m->recs[i].wfifo < m->recs[best].wfifo))
        best = i;
    if (best < 0 || (!m->p->cfg.inline_work && m->busy >= m->p->cfg.pool))
      return;
    r = &m->recs[best];
    r->wstate = W_RUNNING;
    r->wdone = m->clock + r->delay_ns + (m->jitter ? m->jitter[r->inst] : 0);
    r->wsseq = m->sseq++;
    m->out->work_start_ns[r->inst] = m->clock;
    if (!m->p->cfg.inline_work)
      m->busy++;
  }
}

/* The running task that finishes first, by (time, start order), or -1. */
static int next_done(const struct reference *m) {
  int i, best = -1;
  for (i = 0; i < m->nrecs; i++) {
    const struct rec *r = &m->recs[i];
    if (r->wstate != W_RUNNING)
      continue;
    if (best < 0 || r->wdone < m->recs[best].wdone ||
        (r->wdone == m->recs[best].wdone && r->wsseq < m->recs[best].wsseq))
      best = i;
  }
  return best;
}

static void advance_to(struct reference *m, uint64_t t) {
  int i;
  while ((i = next_done(m)) >= 0 && m->recs[i].wdone <= t) {
    if (m->recs[i].wdone > m->clock)
      m->clock = m->recs[i].wdone;
    m->recs[i].wstate = W_FINISHED;
    m->recs[i].wdseq = m->dseq++;
    if (!m->p->cfg.inline_work)
      m->busy--;
    start_queued(m);
  }
  if (t > m->clock)
    m->clock = t;
}

/* ---- The scripted fds. */

static int watcher_of(const struct reference *m, int fd) {
  int i;
  for (i = 0; i < m->nrecs; i++)
    if (m->recs[i].live && m->recs[i].kind == PK_IO && m->recs[i].fd == fd)
      return i;
  return -1;
}

/* The unused script of a watched fd with the least (time, order), or -1. */
static int next_script(const struct reference *m) {
  int i, best = -1;
  for (i = 0; i < m->nscripts; i++) {
    const struct script *s = &m->scripts[i];
    if (s->used || watcher_of(m, s->fd) < 0)
      continue;
    if (best < 0 || s->at_ns < m->scripts[best].at_ns ||
        (s->at_ns == m->scripts[best].at_ns && s->seq < m->scripts[best].seq))
      best = i;
  }
  return best;
}

static void collect(struct reference *m) {
  int s, i;
  m->nfired = 0;
  while ((s = next_script(m)) >= 0 && m->scripts[s].at_ns <= m->clock) {
    m->fired[m->nfired++].rec = watcher_of(m, m->scripts[s].fd);
    m->scripts[s].used = 1;
  }
  for (;;) {
    int best = -1;
    for (i = 0; i < m->nrecs; i++)
      if (m->recs[i].wstate == W_FINISHED &&
          (best < 0 || m->recs[i].wdseq < m->recs[best].wdseq))
        best = i;
    if (best < 0)
      break;
    m->recs[best].wstate = W_COLLECTED;
    m->fired[m->nfired++].rec = best;
  }
}

/* ---- Running callbacks. */

static void exec_children(struct reference *m, int parent);

static void call(struct reference *m, int i) {
  struct rec *r = &m->recs[i];
  struct reference_result *out = m->out;
  if (out->ncalls < (int)(sizeof(out->calls) / sizeof(out->calls[0]))) {
    out->calls[out->ncalls].inst = r->inst;
    out->calls[out->ncalls].op = r->op;
    out->calls[out->ncalls].now_ns = m->clock;
    out->ncalls++;
  } else {
    out->truncated = 1;
  }
  if (one_shot(r->kind))
    r->live = 0;
  exec_children(m, r->op);
  r = &m->recs[i];
  if (!one_shot(r->kind)) {
    r->runs++;
    if (r->runs >= m->p->op[r->op].count && r->live)
      cancel(m, i);
  }
}

static void drain(struct reference *m) {
  int i;
  do {
    while ((i = first_queued(m, PK_NEXT_TICK)) >= 0)
      call(m, i);
    while ((i = first_queued(m, PK_MICROTASK)) >= 0)
      call(m, i);
  } while (first_queued(m, PK_NEXT_TICK) >= 0);
}

static int new_rec(struct reference *m, int op, int inst) {
  struct rec *r = &m->recs[m->nrecs];
  memset(r, 0, sizeof(*r));
  r->kind = m->p->op[op].kind;
  r->op = op;
  r->inst = inst;
  r->live = 1;
  r->refed = 1;
  r->fd = -1;
  m->latest[op] = m->nrecs;
  m->out->registered++;
  return m->nrecs++;
}

static void exec_op(struct reference *m, int j) {
  const struct prog_op *op = &m->p->op[j];
  struct rec *r;
  int inst, i;
  unsigned k;

  if (m->executed >= PROG_MAX_INSTANCES)
    return;
  inst = m->executed++;
  if (prog_kind_registers(op->kind) &&
      (uint64_t)live_count(m) >= prog_id_max(&m->p->cfg))
    return; /* NDL_NOIDS */
  switch (op->kind) {
  case PK_TIMEOUT:
  case PK_INTERVAL:
    r = &m->recs[new_rec(m, j, inst)];
    r->delay_ns = (uint64_t)(op->delay_ms ? op->delay_ms : 1) * NS_PER_MS;
    r->deadline = m->clock + r->delay_ns;
    r->tseq = m->tseq++;
    r->armed = 1;
    r->refed = !op->unref;
    break;
  case PK_WORK:
  case PK_FS_READ:
    r = &m->recs[new_rec(m, j, inst)];
    r->delay_ns = (uint64_t)op->delay_ms * NS_PER_MS;
    r->wstate = W_QUEUED;
    r->wfifo = m->wfifo++;
    start_queued(m);
    break;
  case PK_IO:
    r = &m->recs[new_rec(m, j, inst)];
    r->fd = PROG_FD_BASE + inst;
    for (k = 0; k < op->count && m->nscripts < MAX_SCRIPTS; k++) {
      struct script *s = &m->scripts[m->nscripts++];
      s->fd = r->fd;
      s->used = 0;
      s->at_ns =
          (m->clock / NS_PER_MS + op->delay_ms + (uint64_t)k * op->gap_ms) *
          NS_PER_MS;
      s->seq = m->script_seq++;
    }
    break;
  case PK_CLEAR:
    i = op->target >= 0 ? m->latest[op->target] : -1;
    if (i >= 0 && m->recs[i].live)
      cancel(m, i);
    break;
  case PK_ADVANCE:
    advance_to(m, m->clock + (uint64_t)op->delay_ms * NS_PER_MS);
    break;
  case PK_ECHO:
  case PK_REFUSED:
  case PK_RESET:
    break; /* not modelled: the runner checks such programs otherwise */
  default: /* immediate, next_tick, microtask, defer, close */
    r = &m->recs[new_rec(m, j, inst)];
    r->qseq = m->qseq++;
    break;
  }
}

static void exec_children(struct reference *m, int parent) {
  int j;
  for (j = 0; j < m->p->n; j++)
    if (m->p->op[j].parent == parent)
      exec_op(m, j);
}

/* ---- The phases. */

static int by_deadline(const void *a, const void *b,
                       const struct reference *m) {
  const struct rec *x = &m->recs[*(const int *)a];
  const struct rec *y = &m->recs[*(const int *)b];
  if (x->deadline != y->deadline)
    return x->deadline < y->deadline ? -1 : 1;
  return x->tseq < y->tseq ? -1 : x->tseq > y->tseq;
}

static void timers(struct reference *m) {
  int due[PROG_MAX_INSTANCES], n = 0, i, a, b;
  for (i = 0; i < m->nrecs; i++)
    if (m->recs[i].armed && m->recs[i].deadline <= m->cnow) {
      m->recs[i].armed = 0;
      due[n++] = i;
    }
  /* Insertion sort: n is small, and the reference values plainness. */
  for (a = 1; a < n; a++)
    for (b = a; b > 0 && by_deadline(&due[b], &due[b - 1], m) < 0; b--) {
      int t = due[b];
      due[b] = due[b - 1];
      due[b - 1] = t;
    }
  for (i = 0; i < n; i++) {
    struct rec *r = &m->recs[due[i]];
    if (!r->live)
      continue; /* cleared by an earlier callback of the batch */
    call(m, due[i]);
    r = &m->recs[due[i]];
    if (r->kind == PK_INTERVAL && r->live) {
      r->deadline = m->cnow + r->delay_ns;
      r->tseq = m->tseq++;
      r->armed = 1;
    }
    drain(m);
  }
}

/* Runs the callbacks of a kind queued before the phase began, oldest first
 * or (newest_first) newest first; what they queue waits for the next
 * iteration. */
static void batch(struct reference *m, int kind, int newest_first) {
  int list[PROG_MAX_INSTANCES], n = 0, i, a, b;
  for (i = 0; i < m->nrecs; i++)
    if (m->recs[i].live && m->recs[i].kind == kind)
      list[n++] = i;
  for (a = 1; a < n; a++)
    for (b = a; b > 0 && (m->recs[list[b]].qseq < m->recs[list[b - 1]].qseq) !=
                             newest_first;
         b--) {
      int t = list[b];
      list[b] = list[b - 1];
      list[b - 1] = t;
    }
  for (i = 0; i < n; i++) {
    if (!m->recs[list[i]].live)
      continue; /* cleared by an earlier callback of the batch */
    call(m, list[i]);
    drain(m);
  }
}

static int64_t poll_timeout(const struct reference *m) {
  int i;
  uint64_t min = NEVER;
  if (!alive(m) || first_queued(m, PK_IMMEDIATE) >= 0 ||
      first_queued(m, PK_DEFER) >= 0 || first_queued(m, PK_CLOSE) >= 0)
    return 0;
  for (i = 0; i < m->nrecs; i++)
    if (m->recs[i].armed && m->recs[i].deadline < min)
      min = m->recs[i].deadline;
  if (min == NEVER)
    return -1;
  return min <= m->clock ? 0 : (int64_t)(min - m->clock);
}

/* Returns 0, or -1 when the loop would block forever. */
static int wait(struct reference *m, int64_t timeout) {
  uint64_t target, next = NEVER;
  int i;
  collect(m);
  if (m->nfired != 0 || timeout == 0)
    return 0;
  target = timeout < 0 ? NEVER : m->clock + (uint64_t)timeout;
  if ((i = next_done(m)) >= 0)
    next = m->recs[i].wdone;
  if ((i = next_script(m)) >= 0 && m->scripts[i].at_ns < next)
    next = m->scripts[i].at_ns;
  if (next < target)
    target = next;
  if (target == NEVER)
    return -1;
  advance_to(m, target);
  collect(m);
  return 0;
}

/* Runs what wait() collected. Callbacks cannot collect more, so the array
 * stays put while they run. */
static void poll(struct reference *m) {
  int i;
  for (i = 0; i < m->nfired; i++) {
    int r = m->fired[i].rec;
    if (!m->recs[r].live)
      continue; /* a watcher stopped since its event was collected */
    call(m, r);
    drain(m);
  }
}

void reference_run(const struct prog *p, const uint64_t *jitter_ns,
                   struct reference_result *out) {
  struct reference *m = calloc(1, sizeof(*m));
  int i;

  memset(out, 0, sizeof(*out));
  for (i = 0; i < PROG_MAX_INSTANCES; i++)
    out->work_start_ns[i] = NEVER;
  if (m == NULL) {
    out->truncated = 1;
    return;
  }
  m->p = p;
  m->jitter = jitter_ns;
  m->out = out;
  for (i = 0; i < PROG_MAX_OPS; i++)
    m->latest[i] = -1;

  exec_children(m, -1);
  drain(m);
  while (alive(m) && !out->truncated && out->ticks < MAX_TICKS) {
    out->ticks++;
    m->cnow = m->clock;
    timers(m);
    batch(m, PK_DEFER, 0);
    if (wait(m, poll_timeout(m)) != 0) {
      out->deadlock = 1;
      break;
    }
    if (m->clock > m->cnow)
      m->cnow = m->clock;
    poll(m);
    batch(m, PK_IMMEDIATE, 0);
    batch(m, PK_CLOSE, 1);
  }
  out->end_ns = m->clock;
  out->live_at_end = (uint64_t)live_count(m);
  free(m);
}
