/*
 * The property runner: a program on the real loop, compared with the reference.
 *
 * Each callback the program registers gets an instance record as its arg;
 * the callback logs (instance, clock), checks the stats against what the
 * runner has seen so far, runs its op's children, and for an interval or a
 * watcher on its count-th call clears itself. A trace sink counts events
 * (for the stats checks), reads the sim's task start and finish times (the
 * reference is told the jitter the sim drew, and checks the rest), and stops a
 * run that has run away.
 */
#include "runner.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "echo.h"
#include "nodeloop.h"
#include "reference.h"

#define NS_PER_MS 1000000u
#define MAX_CALLS (4 * PROG_MAX_INSTANCES + 64)

static const char *const prop_names[PROP_COUNT] = {
    "ok",    "order", "once", "deadline", "end",
    "stats", "api",   "pool", "net",      "planted"};

const char *prop_name(int prop) {
  return prop >= 0 && prop < PROP_COUNT ? prop_names[prop] : "?";
}

struct runner;

struct inst {
  struct runner *run;
  int index, op, kind;
  int registered; /* the registration succeeded */
  int cleared;    /* cleared (by a clear op, or itself) */
  ndl_id id;
  uint64_t set_ns, delay_ns;
  unsigned runs;
  int work_seen; /* REGISTER seen; START/DONE matched by id until DONE */
  int work_started, work_done;
  uint64_t work_start_ns, work_done_ns;
};

struct runner {
  const struct prog *p;
  ndl_loop *loop;
  FILE *trace;
  ndl_chrome_trace *chrome;
  struct inst inst[PROG_MAX_INSTANCES];
  int executed;
  int latest[PROG_MAX_OPS];
  int registering; /* the instance inside a registration call, or -1 */
  struct reference_call calls[MAX_CALLS];
  int ncalls, truncated;
  /* What the program did, as the runner counts it. */
  uint64_t registered, cancelled, started, live;
  /* What the trace said. */
  uint64_t tr_register, tr_cancel, tr_start, tr_end, tr_ticks;
  int stopped;
  struct prop_outcome *out;
  struct reference_result ref;
  uint64_t jitter[PROG_MAX_INSTANCES];
  /* The program has an echo: the reference's order, end, counts and pool
   * times do not apply (program.h). */
  int networked;
  ndl_tcp *echo_listener, *reset_listener;
};

static void fail(struct runner *R, int prop, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Records a failure: the first of each property, and the first of all. */
static void fail(struct runner *R, int prop, const char *fmt, ...) {
  struct prop_outcome *out = R->out;
  va_list ap;
  if (out->failed & (1u << prop))
    return;
  if (R->networked && (prop == PROP_ORDER || prop == PROP_END ||
                       prop == PROP_STATS || prop == PROP_POOL))
    return;
  out->failed |= 1u << prop;
  va_start(ap, fmt);
  vsnprintf(out->why[prop], sizeof(out->why[prop]), fmt, ap);
  va_end(ap);
  if (out->prop == PROP_OK) {
    out->prop = prop;
    snprintf(out->msg, sizeof(out->msg), "%s", out->why[prop]);
  }
}

static int one_shot(int kind) {
  return kind != PK_INTERVAL && kind != PK_IO;
}

static int is_timer(int kind) {
  return kind == PK_TIMEOUT || kind == PK_INTERVAL;
}

/* Whether the runner considers the instance's callback live. */
static int inst_live(const struct inst *in) {
  return in->registered && !in->cleared && !(one_shot(in->kind) && in->runs);
}

/* Times in failure messages: ms with the ns fraction when there is one. */
static const char *fmt_ns(char *buf, size_t n, uint64_t ns) {
  if (ns % NS_PER_MS == 0)
    snprintf(buf, n, "%llums", (unsigned long long)(ns / NS_PER_MS));
  else
    snprintf(buf, n, "%llu.%06llums", (unsigned long long)(ns / NS_PER_MS),
             (unsigned long long)(ns % NS_PER_MS));
  return buf;
}

static void exec_children(struct runner *R, int parent);

/* Clears the instance through the API that matches its kind; clearTimeout
 * and clearInterval are used crosswise, as Node allows. */
static int clear_inst(struct runner *R, const struct inst *in) {
  switch (in->kind) {
  case PK_TIMEOUT:
  case PK_INTERVAL:
    return in->index % 2 ? ndl_clear_interval(R->loop, in->id)
                         : ndl_clear_timeout(R->loop, in->id);
  case PK_IMMEDIATE:
    return ndl_clear_immediate(R->loop, in->id);
  default:
    return ndl_io_stop(R->loop, in->id);
  }
}

static void check_stats(struct runner *R, const struct inst *in) {
  ndl_stats st;
  ndl_get_stats(R->loop, &st);
  if (st.registered != R->registered || st.cancelled != R->cancelled ||
      st.callbacks != R->started || st.live != R->live)
    fail(R, PROP_STATS,
         "in the callback of #%d (op %d): stats registered=%llu "
         "cancelled=%llu callbacks=%llu live=%llu, expected %llu %llu %llu "
         "%llu",
         in->index, in->op, (unsigned long long)st.registered,
         (unsigned long long)st.cancelled, (unsigned long long)st.callbacks,
         (unsigned long long)st.live, (unsigned long long)R->registered,
         (unsigned long long)R->cancelled, (unsigned long long)R->started,
         (unsigned long long)R->live);
}

/* A read of f0..f2 gets the file's bytes; of f3, NDL_ENOENT. */
static int file_value_ok(const struct runner *R, const struct inst *in,
                         const ndl_value *v) {
  unsigned file = R->p->op[in->op].count;
  const char *text;
  size_t len;
  if (file >= PROG_FILES_DECLARED)
    return v->kind == NDL_ERROR && v->as.err.code == NDL_ENOENT;
  text = prog_file_text(file, &len);
  return v->kind == NDL_STRING && v->as.str.len == len &&
         memcmp(v->as.str.ptr, text, len) == 0;
}

static void check_value(struct runner *R, const struct inst *in,
                        const ndl_value *v) {
  int ok;
  if (v == NULL) {
    fail(R, PROP_API, "#%d (%s) received a NULL value", in->index,
         prog_kind_name(in->kind));
    return;
  }
  if (in->kind == PK_WORK)
    ok = v->kind == NDL_INT && v->as.i == in->index;
  else if (in->kind == PK_FS_READ)
    ok = file_value_ok(R, in, v);
  else if (in->kind == PK_IO)
    ok = v->kind == NDL_INT && v->as.i == NDL_READABLE;
  else
    ok = v->kind == NDL_UNDEFINED;
  if (!ok)
    fail(R, PROP_API, "#%d (%s) received a value of kind %d", in->index,
         prog_kind_name(in->kind), (int)v->kind);
}

static void on_cb(ndl_loop *loop, const ndl_value *v, void *arg) {
  struct inst *in = arg;
  struct runner *R = in->run;
  const struct prog_op *op = &R->p->op[in->op];
  uint64_t now = ndl_now_ns(loop);
  char a[32], b[32];

  if (R->ncalls < MAX_CALLS) {
    R->calls[R->ncalls].inst = in->index;
    R->calls[R->ncalls].op = in->op;
    R->calls[R->ncalls].now_ns = now;
    R->ncalls++;
  } else {
    R->truncated = 1;
  }
  if (!in->registered || in->cleared)
    fail(R, PROP_ONCE, "#%d (%s, op %d) ran after it was %s", in->index,
         prog_kind_name(in->kind), in->op, in->cleared ? "cleared" : "refused");
  else if (one_shot(in->kind) && in->runs > 0)
    fail(R, PROP_ONCE, "#%d (%s, op %d) ran twice", in->index,
         prog_kind_name(in->kind), in->op);
  else if (!one_shot(in->kind) && in->runs >= op->count)
    fail(R, PROP_ONCE, "#%d (%s, op %d) ran %u times, more than x%u", in->index,
         prog_kind_name(in->kind), in->op, in->runs + 1, (unsigned)op->count);
  if (is_timer(in->kind) &&
      now < in->set_ns + (uint64_t)(in->runs + 1) * in->delay_ns)
    fail(R, PROP_DEADLINE,
         "#%d (%s %ums, op %d) call %u at %s, before its deadline %s",
         in->index, prog_kind_name(in->kind), (unsigned)op->delay_ms, in->op,
         in->runs + 1, fmt_ns(a, sizeof(a), now),
         fmt_ns(b, sizeof(b),
                in->set_ns + (uint64_t)(in->runs + 1) * in->delay_ns));
  check_value(R, in, v);
  if (one_shot(in->kind) && in->runs == 0 && R->live > 0)
    R->live--; /* released before the call */
  check_stats(R, in);
  R->started++;
  in->runs++;

  exec_children(R, in->op);

  if (!one_shot(in->kind) && in->runs >= op->count && !in->cleared) {
    int err = clear_inst(R, in);
    if (err != 0)
      fail(R, PROP_API, "#%d (%s) could not clear itself: %s", in->index,
           prog_kind_name(in->kind), ndl_err_name(err));
    in->cleared = 1;
    R->cancelled++;
    R->live--;
  }
}

static void work_fn(void *arg, ndl_value *result) {
  ndl_value_set_int(result, ((struct inst *)arg)->index);
}

static struct inst *work_by_id(struct runner *R, ndl_id id) {
  int i;
  for (i = 0; i < R->executed; i++) {
    struct inst *in = &R->inst[i];
    if (prog_kind_is_work(in->kind) && in->work_seen && !in->work_done &&
        in->id == id)
      return in;
  }
  return NULL;
}

/* At every event: the counts behind ndl_stats never go negative (as
 * unsigned numbers, never wrap): live and cancelled fit in registered. */
static void check_counts(struct runner *R, const ndl_trace_event *ev) {
  ndl_stats st;
  if (R->loop == NULL)
    return;
  ndl_get_stats(R->loop, &st);
  if (st.live > st.registered || st.cancelled > st.registered - st.live)
    fail(R, PROP_STATS,
         "at a trace event (kind %d, id %u): registered=%llu live=%llu "
         "cancelled=%llu",
         (int)ev->kind, ev->id, (unsigned long long)st.registered,
         (unsigned long long)st.live, (unsigned long long)st.cancelled);
}

static void on_trace(void *ctx, const ndl_trace_event *ev) {
  struct runner *R = ctx;
  struct inst *in;
  if (R->trace != NULL)
    ndl_trace_print_verbose(R->trace, ev);
  if (R->chrome != NULL)
    ndl_chrome_trace_event(R->chrome, ev);
  check_counts(R, ev);
  switch (ev->kind) {
  case NDL_TRACE_REGISTER:
    R->tr_register++;
    if (R->registering >= 0 &&
        prog_kind_is_work(R->inst[R->registering].kind)) {
      R->inst[R->registering].id = ev->id;
      R->inst[R->registering].work_seen = 1;
    }
    break;
  case NDL_TRACE_CANCEL:
    R->tr_cancel++;
    break;
  case NDL_TRACE_CB_START:
    /* The reference's programs end by construction; a run that goes on past
     * every callback the reference could run has run away. */
    /* An echo's own callbacks (reads, writes, closes) count too. */
    if (++R->tr_start > (R->networked ? 1000u : 1u) * MAX_CALLS &&
        !R->stopped) {
      fail(R, R->networked ? PROP_NET : PROP_END,
           "ran away: more than %u callbacks",
           (R->networked ? 1000u : 1u) * MAX_CALLS);
      R->stopped = 1;
      ndl_stop(R->loop);
    }
    break;
  case NDL_TRACE_CB_END:
    R->tr_end++;
    break;
  case NDL_TRACE_TICK:
    if (++R->tr_ticks > 1000000u && !R->stopped) {
      fail(R, PROP_END, "ran away: more than 1000000 ticks");
      R->stopped = 1;
      ndl_stop(R->loop);
    }
    break;
  case NDL_TRACE_WORK_START:
    if ((in = work_by_id(R, ev->id)) != NULL) {
      in->work_started = 1;
      in->work_start_ns = ev->now_ns;
    }
    break;
  case NDL_TRACE_WORK_DONE:
    if ((in = work_by_id(R, ev->id)) != NULL) {
      in->work_done = 1;
      in->work_done_ns = ev->now_ns;
    }
    break;
  default:
    break;
  }
}

/* An echo's callback: its outcome checked, then the op's own callback. */
static void echo_done(ndl_loop *loop, const struct echo_outcome *o, void *arg) {
  static const ndl_value undefined = {NDL_UNDEFINED, {{NULL, 0}}};
  struct inst *in = arg;
  struct runner *R = in->run;
  if (in->kind == PK_REFUSED) {
    if (o->error != NDL_ECONNREFUSED)
      fail(R, PROP_NET, "#%d (refused, op %d) got %s, not ECONNREFUSED",
           in->index, in->op, o->error ? ndl_err_name(o->error) : "connected");
  } else if (in->kind == PK_RESET) {
    if (o->error != NDL_ECONNRESET || o->got != 0 || o->ended)
      fail(R, PROP_NET, "#%d (reset, op %d) got %zu bytes, %s, not ECONNRESET",
           in->index, in->op, o->got,
           o->error   ? ndl_err_name(o->error)
           : o->ended ? "an end of stream"
                      : "no error");
  } else if (o->error != 0 || !o->ended || o->got != o->sent ||
             o->bad_at != SIZE_MAX) {
    fail(R, PROP_NET,
         "#%d (echo, op %d) sent %zu bytes, got %zu back%s%s, %s%s", in->index,
         in->op, o->sent, o->got, o->bad_at != SIZE_MAX ? ", wrong from " : "",
         o->bad_at != SIZE_MAX ? "a byte" : "",
         o->ended ? "ended" : "no end of stream",
         o->error != 0 ? ndl_err_name(o->error) : "");
  }
  on_cb(loop, &undefined, in);
}

static void exec_op(struct runner *R, int j) {
  const struct prog_op *op = &R->p->op[j];
  const int regs = prog_kind_registers(op->kind);
  struct inst *in, *t;
  int err = 0, expect_noids;
  uint64_t now = ndl_now_ns(R->loop);

  if (R->executed >= PROG_MAX_INSTANCES)
    return;
  in = &R->inst[R->executed];
  memset(in, 0, sizeof(*in));
  in->run = R;
  in->index = R->executed++;
  in->op = j;
  in->kind = op->kind;
  in->set_ns = now;
  in->delay_ns = (uint64_t)(op->delay_ms ? op->delay_ms : 1) * NS_PER_MS;
  expect_noids = regs && R->live >= prog_id_max(&R->p->cfg);

  R->registering = in->index;
  switch (op->kind) {
  case PK_TIMEOUT:
    err = ndl_set_timeout(R->loop, op->delay_ms, on_cb, in, &in->id);
    break;
  case PK_INTERVAL:
    err = ndl_set_interval(R->loop, op->delay_ms, on_cb, in, &in->id);
    break;
  case PK_IMMEDIATE:
    err = ndl_set_immediate(R->loop, on_cb, in, &in->id);
    break;
  case PK_NEXT_TICK:
    err = ndl_next_tick(R->loop, on_cb, in);
    break;
  case PK_MICROTASK:
    err = ndl_queue_microtask(R->loop, on_cb, in);
    break;
  case PK_WORK:
    err = ndl_queue_work(R->loop, "prop", op->delay_ms, work_fn, on_cb, in,
                         &in->id);
    break;
  case PK_FS_READ: {
    char path[8];
    snprintf(path, sizeof(path), "f%u", (unsigned)op->count);
    /* The id comes from the trace's REGISTER event (on_trace). */
    err = ndl_fs_read(R->loop, path, op->delay_ms, on_cb, in);
    break;
  }
  case PK_IO:
    err = ndl_io_start(R->loop, PROG_FD_BASE + in->index, NDL_READABLE, on_cb,
                       in, &in->id);
    break;
  case PK_DEFER:
    err = ndl_defer(R->loop, NULL, on_cb, in, &in->id);
    break;
  case PK_CLOSE:
    err = ndl_on_close(R->loop, on_cb, in, &in->id);
    break;
  case PK_CLEAR:
    if (op->target < 0 || R->latest[op->target] < 0)
      break;
    t = &R->inst[R->latest[op->target]];
    if (inst_live(t)) {
      if ((err = clear_inst(R, t)) != 0)
        fail(R, PROP_API, "#%d clearing live #%d (%s, op %d): %s", in->index,
             t->index, prog_kind_name(t->kind), t->op, ndl_err_name(err));
      t->cleared = 1;
      R->cancelled++;
      R->live--;
    } else if (R->p->cfg.id_bits >= 32) {
      /* With 32-bit ids no id comes back within a program, so clearing a
       * callback that ran or was cleared must find nothing. (With narrow
       * ids the id may name a newer callback by now.) */
      if ((err = clear_inst(R, t)) != NDL_NOTFOUND)
        fail(R, PROP_API,
             "#%d clearing finished #%d (%s, op %d): %s, "
             "expected NOTFOUND",
             in->index, t->index, prog_kind_name(t->kind), t->op,
             ndl_err_name(err));
    }
    err = 0;
    break;
  case PK_ECHO:
    err = echo_start(R->loop, op->count,
                     R->p->cfg.sim_seed * PROG_MAX_INSTANCES + in->index,
                     echo_done, in);
    break;
  case PK_REFUSED:
    err = echo_refused(R->loop, echo_done, in);
    break;
  case PK_RESET:
    err = echo_reset(R->loop, op->count,
                     R->p->cfg.sim_seed * PROG_MAX_INSTANCES + in->index,
                     echo_done, in);
    break;
  case PK_ADVANCE:
    if ((err = ndl_sim_advance(R->loop, op->delay_ms)) != 0)
      fail(R, PROP_API, "#%d ndl_sim_advance: %s", in->index,
           ndl_err_name(err));
    break;
  default:
    break;
  }
  R->registering = -1;
  if (!regs)
    return;
  if (expect_noids) {
    if (err != NDL_NOIDS)
      fail(R, PROP_API,
           "#%d (%s, op %d) with all %llu ids live returned %s, expected "
           "NOIDS",
           in->index, prog_kind_name(op->kind), j, (unsigned long long)R->live,
           err ? ndl_err_name(err) : "0");
    return;
  }
  if (err != 0) {
    fail(R, PROP_API, "#%d (%s, op %d) failed: %s", in->index,
         prog_kind_name(op->kind), j, ndl_err_name(err));
    return;
  }
  in->registered = 1;
  R->registered++;
  R->live++;
  R->latest[j] = in->index;
  if (is_timer(op->kind) && op->unref &&
      (err = ndl_timer_unref(R->loop, in->id)) != 0)
    fail(R, PROP_API, "#%d ndl_timer_unref: %s", in->index, ndl_err_name(err));
  if (op->kind == PK_IO) {
    uint64_t at = ndl_now(R->loop) + op->delay_ms;
    unsigned k;
    for (k = 0; k < op->count; k++, at += op->gap_ms)
      if ((err = ndl_sim_script_ready(R->loop, PROG_FD_BASE + in->index,
                                      NDL_READABLE, at)) != 0)
        fail(R, PROP_API, "#%d ndl_sim_script_ready: %s", in->index,
             ndl_err_name(err));
  }
}

static void exec_children(struct runner *R, int parent) {
  int j;
  for (j = 0; j < R->p->n; j++)
    if (R->p->op[j].parent == parent)
      exec_op(R, j);
}

static void run_main(ndl_loop *loop, void *arg) {
  struct runner *R = arg;
  (void)loop;
  exec_children(R, -1);
}

/* ---- Comparing with the reference. */

static void describe_call(const struct runner *R,
                          const struct reference_call *c, char *buf, size_t n) {
  char t[32];
  snprintf(buf, n, "#%d (%s, op %d) at %s", c->inst,
           prog_kind_name(R->p->op[c->op].kind), c->op,
           fmt_ns(t, sizeof(t), c->now_ns));
}

static void compare_order(struct runner *R) {
  const struct reference_result *M = &R->ref;
  int k, n = R->ncalls < M->ncalls ? R->ncalls : M->ncalls;
  char a[96], b[96];
  for (k = 0; k < n; k++) {
    const struct reference_call *x = &R->calls[k], *y = &M->calls[k];
    if (x->inst != y->inst || x->op != y->op || x->now_ns != y->now_ns) {
      describe_call(R, x, a, sizeof(a));
      describe_call(R, y, b, sizeof(b));
      fail(R, PROP_ORDER, "callback %d is %s; the reference runs %s", k + 1, a,
           b);
      return;
    }
  }
  if (R->ncalls != M->ncalls) {
    if (R->ncalls > n)
      describe_call(R, &R->calls[n], a, sizeof(a));
    else
      describe_call(R, &M->calls[n], a, sizeof(a));
    fail(R, PROP_ORDER,
         "%d callbacks ran, the reference runs %d; the first "
         "extra one is %s (%s)",
         R->ncalls, M->ncalls, a,
         R->ncalls > n ? "nodeloop's" : "the reference's");
  }
}

/* Reads the jitter the sim drew for each task off the trace and checks it
 * lies in [0, spread]. */
static void read_jitter(struct runner *R) {
  int i;
  char a[32], b[32];
  for (i = 0; i < R->executed; i++) {
    struct inst *in = &R->inst[i];
    uint64_t least;
    if (!prog_kind_is_work(in->kind) || !in->registered)
      continue;
    if (!in->work_started || !in->work_done) {
      if (in->runs != 0)
        fail(R, PROP_POOL,
             "task #%d ran its callback but the trace has no "
             "%s",
             i, in->work_started ? "WORK_DONE" : "WORK_START");
      continue;
    }
    least = in->work_start_ns + (uint64_t)R->p->op[in->op].delay_ms * NS_PER_MS;
    if (in->work_done_ns < least ||
        in->work_done_ns - least > R->p->cfg.spread_ns) {
      fail(R, PROP_POOL,
           "task #%d started at %s and finished at %s: not "
           "within delay %ums + [0, %lluns]",
           i, fmt_ns(a, sizeof(a), in->work_start_ns),
           fmt_ns(b, sizeof(b), in->work_done_ns),
           (unsigned)R->p->op[in->op].delay_ms,
           (unsigned long long)R->p->cfg.spread_ns);
      continue;
    }
    R->jitter[i] = in->work_done_ns - least;
  }
}

static void check_end(struct runner *R, int err, const ndl_stats *st,
                      uint64_t end_ns) {
  const struct reference_result *M = &R->ref;
  int i;
  char a[32], b[32];

  if (M->deadlock ? err != NDL_EDEADLK : err != 0)
    fail(R, PROP_END, "ndl_run returned %s, the reference expects %s",
         err ? ndl_err_name(err) : "0", M->deadlock ? "EDEADLK" : "0");
  if (!M->deadlock && (st->lost != 0 || st->duplicated != 0))
    fail(R, PROP_END, "lost=%llu duplicated=%llu after a natural end",
         (unsigned long long)st->lost, (unsigned long long)st->duplicated);
  if (end_ns != M->end_ns)
    fail(R, PROP_END, "the loop ended at %s, the reference at %s",
         fmt_ns(a, sizeof(a), end_ns), fmt_ns(b, sizeof(b), M->end_ns));
  if (st->ticks != M->ticks)
    fail(R, PROP_END, "%llu ticks, the reference has %llu",
         (unsigned long long)st->ticks, (unsigned long long)M->ticks);
  if (st->live != M->live_at_end || st->registered != M->registered ||
      st->cancelled != M->cancelled)
    fail(R, PROP_END,
         "at the end live=%llu registered=%llu cancelled=%llu, "
         "the reference has %llu %llu %llu",
         (unsigned long long)st->live, (unsigned long long)st->registered,
         (unsigned long long)st->cancelled, (unsigned long long)M->live_at_end,
         (unsigned long long)M->registered, (unsigned long long)M->cancelled);
  if (st->registered != R->tr_register || st->cancelled != R->tr_cancel ||
      st->callbacks != R->tr_start || st->callbacks != R->tr_end ||
      st->callbacks != R->started || st->ticks != R->tr_ticks ||
      st->live != R->live)
    fail(R, PROP_STATS,
         "stats registered=%llu cancelled=%llu callbacks=%llu "
         "ticks=%llu live=%llu; trace %llu %llu %llu/%llu %llu; runner live "
         "%llu",
         (unsigned long long)st->registered, (unsigned long long)st->cancelled,
         (unsigned long long)st->callbacks, (unsigned long long)st->ticks,
         (unsigned long long)st->live, (unsigned long long)R->tr_register,
         (unsigned long long)R->tr_cancel, (unsigned long long)R->tr_start,
         (unsigned long long)R->tr_end, (unsigned long long)R->tr_ticks,
         (unsigned long long)R->live);
  if (M->deadlock)
    return;
  /* Exactly once: what did not run must have been cleared, or be an
   * unref'd timer the loop did not wait for. */
  for (i = 0; i < R->executed; i++) {
    const struct inst *in = &R->inst[i];
    const struct prog_op *op = &R->p->op[in->op];
    unsigned want = one_shot(in->kind) ? 1 : op->count;
    if (!in->registered || in->cleared || in->runs >= want)
      continue;
    if (is_timer(in->kind) && op->unref)
      continue;
    fail(R, PROP_ONCE,
         "#%d (%s, op %d) ran %u of %u times and was never "
         "cleared",
         i, prog_kind_name(in->kind), in->op, in->runs, want);
  }
  for (i = 0; i < R->executed; i++) {
    const struct inst *in = &R->inst[i];
    if (prog_kind_is_work(in->kind) && in->registered &&
        M->work_start_ns[i] != in->work_start_ns)
      fail(R, PROP_POOL,
           "task #%d started at %s, the reference starts it at %s", i,
           fmt_ns(a, sizeof(a), in->work_start_ns),
           fmt_ns(b, sizeof(b), M->work_start_ns[i]));
  }
}

int prop_check(const struct prog *p, const struct prop_options *o,
               struct prop_outcome *out) {
  struct runner *R = calloc(1, sizeof(*R));
  ndl_options opts;
  ndl_stats st;
  uint64_t end_ns;
  int err, i;

  memset(out, 0, sizeof(*out));
  if (R == NULL) {
    snprintf(out->msg, sizeof(out->msg), "out of memory");
    out->failed = 1u << PROP_API;
    return out->prop = PROP_API;
  }
  R->p = p;
  R->out = out;
  R->trace = o != NULL ? o->trace : NULL;
  R->chrome = o != NULL ? o->chrome : NULL;
  R->registering = -1;
  for (i = 0; i < PROG_MAX_OPS; i++)
    R->latest[i] = -1;

  if (o != NULL && o->before_run != NULL)
    o->before_run(o->ctx);
  ndl_options_init(&opts);
  opts.backend = NDL_BACKEND_SIM;
  opts.sim_seed = p->cfg.sim_seed;
  opts.threadpool_size = p->cfg.pool;
  opts.sim_inline_work = p->cfg.inline_work;
  opts.sim_work_spread_ns = p->cfg.spread_ns;
  opts.id_bits = p->cfg.id_bits;
  opts.trace = on_trace;
  opts.trace_ctx = R;
  if ((err = ndl_loop_new(&opts, &R->loop)) != 0) {
    out->run_err = err;
    fail(R, PROP_API, "ndl_loop_new: %s", ndl_err_name(err));
    free(R);
    return out->prop;
  }
  ndl_chrome_trace_attach(R->chrome, R->loop);
  R->networked = prog_count_net(p) > 0;
  if (R->networked)
    err = echo_server(R->loop, &R->echo_listener, &R->reset_listener);
  for (i = 0; i < PROG_FILES_DECLARED && err == 0; i++) {
    char path[8];
    size_t len;
    const char *text = prog_file_text((unsigned)i, &len);
    snprintf(path, sizeof(path), "f%d", i);
    err = ndl_sim_file(R->loop, path, text, len);
  }
  err = err != 0 ? err : ndl_run(R->loop, run_main, R);
  ndl_get_stats(R->loop, &st);
  end_ns = ndl_now_ns(R->loop);
  out->callbacks = st.callbacks;
  out->ticks = st.ticks;
  out->end_ns = end_ns;
  out->registered = st.registered;
  out->lost = st.lost;
  out->duplicated = st.duplicated;
  out->run_err = err;

  read_jitter(R);
  reference_run(p, p->cfg.spread_ns ? R->jitter : NULL, &R->ref);
  if (R->ref.truncated)
    fail(R, PROP_END, "the reference ran away");
  compare_order(R);
  check_end(R, err, &st, end_ns);
  ndl_loop_free(R->loop);
  echo_forget_all();
  if (out->prop == PROP_OK && o != NULL && o->planted_max_timers > 0) {
    int timers =
        prog_count_kind(p, PK_TIMEOUT) + prog_count_kind(p, PK_INTERVAL);
    if (timers > o->planted_max_timers)
      fail(R, PROP_PLANTED, "the program has %d timers, more than %d", timers,
           o->planted_max_timers);
  }
  free(R);
  return out->prop;
}

/* ---- Shrinking. */

struct shrinker {
  int (*fails)(const struct prog *q, void *ctx);
  void *ctx;
  int runs, max_runs;
};

/* Whether q still fails the same way; counts the run. */
static int still_fails(struct shrinker *s, const struct prog *q) {
  if (s->runs >= s->max_runs)
    return 0;
  s->runs++;
  return s->fails(q, s->ctx);
}

/* Tries q in place of *p; keeps it if it still fails. */
static int try_prog(struct shrinker *s, struct prog *p, const struct prog *q) {
  if (memcmp(p, q, sizeof(*p)) == 0 || !still_fails(s, q))
    return 0;
  *p = *q;
  return 1;
}

/* Lowers one number: to 0 (or 1), then halved, then by one. */
static int shrink_u32(struct shrinker *s, struct prog *p, uint32_t *field_in_q,
                      struct prog *q, uint32_t least) {
  uint32_t v = *field_in_q, tries[3];
  int k;
  tries[0] = least;
  tries[1] = least + (v - least) / 2;
  tries[2] = v - 1;
  for (k = 0; k < 3; k++) {
    if (v <= least || tries[k] >= v)
      continue;
    *field_in_q = tries[k];
    if (try_prog(s, p, q))
      return 1;
    *field_in_q = v;
  }
  return 0;
}

static int shrink_pass(struct shrinker *s, struct prog *p) {
  struct prog q;
  int i, changed = 0;

  /* Drop subtrees, the last first, so that indices below stay put. */
  for (i = p->n - 1; i >= 0; i--) {
    if (i >= p->n)
      continue;
    q = *p;
    prog_remove(&q, i);
    changed |= try_prog(s, p, &q);
  }
  /* Hoist an op out of its callback into its grandparent. */
  for (i = 0; i < p->n; i++) {
    if (p->op[i].parent < 0)
      continue;
    q = *p;
    q.op[i].parent = q.op[q.op[i].parent].parent;
    changed |= try_prog(s, p, &q);
  }
  /* Simpler kinds and smaller numbers. */
  for (i = 0; i < p->n; i++) {
    if (p->op[i].kind == PK_INTERVAL) {
      q = *p;
      q.op[i].kind = PK_TIMEOUT;
      q.op[i].count = 0;
      changed |= try_prog(s, p, &q);
    }
    if (p->op[i].unref) {
      q = *p;
      q.op[i].unref = 0;
      changed |= try_prog(s, p, &q);
    }
    q = *p;
    changed |= shrink_u32(s, p, &q.op[i].delay_ms, &q, 0);
    q = *p;
    changed |= shrink_u32(s, p, &q.op[i].gap_ms, &q, 0);
    if (p->op[i].kind == PK_INTERVAL || p->op[i].kind == PK_IO ||
        p->op[i].kind == PK_ECHO || p->op[i].kind == PK_RESET) {
      q = *p;
      changed |= shrink_u32(s, p, &q.op[i].count, &q,
                            p->op[i].kind == PK_RESET ? 0 : 1);
    }
  }
  /* A plainer world. */
  q = *p;
  q.cfg.spread_ns = 0;
  changed |= try_prog(s, p, &q);
  q = *p;
  q.cfg.inline_work = 0;
  changed |= try_prog(s, p, &q);
  q = *p;
  q.cfg.id_bits = 32;
  changed |= try_prog(s, p, &q);
  q = *p;
  changed |= shrink_u32(s, p, &q.cfg.pool, &q, 1);
  return changed;
}

int prog_shrink(struct prog *p, int (*fails)(const struct prog *q, void *ctx),
                void *ctx, int max_runs) {
  struct shrinker s;
  struct prog q;
  s.fails = fails;
  s.ctx = ctx;
  s.runs = 0;
  s.max_runs = max_runs;
  while (shrink_pass(&s, p) && s.runs < max_runs)
    ;
  /* Number the ops as they print, if the failure does not depend on the
   * numbering (it should not: instances are numbered by execution). */
  q = *p;
  prog_canonical(&q);
  try_prog(&s, p, &q);
  return s.runs;
}

struct same_prop {
  const struct prop_options *o;
  int prop;
};

static int fails_same_prop(const struct prog *q, void *ctx) {
  const struct same_prop *sp = ctx;
  struct prop_outcome out;
  struct prop_options quiet = *sp->o;
  quiet.trace = NULL;
  quiet.chrome = NULL;
  return prop_check(q, &quiet, &out) == sp->prop;
}

int prop_shrink(struct prog *p, const struct prop_options *o, int prop,
                int max_runs) {
  struct same_prop sp;
  sp.o = o;
  sp.prop = prop;
  return prog_shrink(p, fails_same_prop, &sp, max_runs);
}
