/*
 * The nodeloop back end. Each execution of an op is an instance (its
 * callback's arg), so an op under an interval gets one per call, and a
 * clear, ref or unref acts on the latest instance of the op it names, as
 * the script's h<i> variable holds the latest handle.
 */
#include "interp.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nodeloop_net.h"
#include "tools/reference/echo.h"

#define MAX_INSTANCES 1024

struct run;

struct inst {
  struct run *r;
  int op;
  int index;
  unsigned calls;    /* intervals: calls so far; promises: the link running */
  ndl_id id;         /* timers */
  ndl_tcp *listener; /* TCP: the server, until the client closes */
  ndl_tcp *client;   /* TCP: the client */
  size_t got;        /* TCP: the bytes that came back */
  int ended;         /* TCP: the client called ndl_tcp_shutdown() */
};

struct run {
  const struct dp_prog *p;
  ndl_loop *loop;
  enum dp_plant plant;
  int sim;
  const char *dir;
  struct dp_output *out;
  struct inst inst[MAX_INSTANCES];
  int ninst;
  int latest[DP_MAX_OPS]; /* the op's latest instance, or -1 */
  uint64_t phase_ns;      /* the cached loop time of the timers phase */
};

static void fail(struct run *r, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void fail(struct run *r, const char *fmt, ...) {
  va_list ap;
  if (r->out->failed)
    return;
  r->out->failed = 1;
  va_start(ap, fmt);
  vsnprintf(r->out->why, sizeof(r->out->why), fmt, ap);
  va_end(ap);
}

static void record(struct run *r, int type, int op, int inst, uint64_t d) {
  struct dp_output *o = r->out;
  struct dp_event *e;
  if (!r->sim)
    return;
  if (o->nev == o->evcap) {
    size_t cap = o->evcap == 0 ? 256 : o->evcap * 2;
    struct dp_event *ev = realloc(o->ev, cap * sizeof(*ev));
    if (ev == NULL) {
      fail(r, "out of memory");
      return;
    }
    o->ev = ev;
    o->evcap = cap;
  }
  e = &o->ev[o->nev++];
  e->type = (uint8_t)type;
  e->op = (int16_t)op;
  e->inst = inst;
  e->t_ns = type == EV_TIMERS_PHASE ? d : ndl_now_ns(r->loop);
  e->d_ns = d;
  e->cb = o->lines;
}

static void say(struct run *r, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void say(struct run *r, const char *fmt, ...) {
  struct dp_output *o = r->out;
  char buf[64];
  int n;
  va_list ap;
  va_start(ap, fmt);
  n = vsnprintf(buf, sizeof(buf) - 1, fmt, ap);
  va_end(ap);
  buf[n++] = '\n';
  if (o->len + (size_t)n > o->cap) {
    size_t cap = o->cap == 0 ? 1024 : o->cap * 2;
    char *t = realloc(o->text, cap + 1);
    if (t == NULL) {
      fail(r, "out of memory");
      return;
    }
    o->text = t;
    o->cap = cap;
  }
  memcpy(o->text + o->len, buf, (size_t)n);
  o->len += (size_t)n;
  o->text[o->len] = '\0';
  o->lines++;
}

static struct inst *new_inst(struct run *r, int op) {
  struct inst *in;
  if (r->ninst == MAX_INSTANCES) {
    fail(r, "more than %d instances", MAX_INSTANCES);
    return NULL;
  }
  in = &r->inst[r->ninst];
  memset(in, 0, sizeof(*in));
  in->r = r;
  in->op = op;
  in->index = r->ninst++;
  r->latest[op] = in->index;
  return in;
}

static void check(struct run *r, const char *what, int err) {
  if (err != 0)
    fail(r, "%s: %s", what, ndl_err_name(err));
}

static void busy(struct run *r, unsigned ms) {
  uint64_t end;
  if (r->sim) {
    check(r, "ndl_sim_advance", ndl_sim_advance(r->loop, ms));
    record(r, EV_BUSY_END, -1, -1, 0);
    return;
  }
  end = ndl_now_ns(r->loop) + (uint64_t)ms * 1000000u;
  while (ndl_now_ns(r->loop) < end)
    ;
}

static void exec(struct run *r, int i);

static void body(struct run *r, int parent) {
  int i;
  for (i = parent + 1; i < r->p->n; i++)
    if (r->p->op[i].parent == parent)
      exec(r, i);
}

static void on_timeout(ndl_loop *loop, const ndl_value *v, void *arg) {
  struct inst *in = arg;
  struct run *r = in->r;
  (void)loop;
  (void)v;
  record(r, EV_MACRO, in->op, in->index, 0);
  record(r, EV_FIRE, in->op, in->index, 0);
  say(r, "t%d", in->op);
  body(r, in->op);
}

static void on_interval(ndl_loop *loop, const ndl_value *v, void *arg) {
  struct inst *in = arg;
  struct run *r = in->r;
  const struct dp_op *o = &r->p->op[in->op];
  (void)v;
  record(r, EV_MACRO, in->op, in->index, 0);
  record(r, EV_FIRE, in->op, in->index, 0);
  in->calls++;
  say(r, "v%d.%u", in->op, in->calls);
  body(r, in->op);
  if (in->calls == o->count) {
    /* A clear op in its body may have cleared it already: Node's
     * clearInterval() of a cleared interval does nothing. */
    int err = ndl_clear_interval(loop, in->id);
    if (err == 0)
      record(r, EV_CLEAR, in->op, in->index, 0);
    else if (err != NDL_NOTFOUND)
      check(r, "ndl_clear_interval", err);
  } else if (ndl_timer_has_ref(loop, in->id) >= 0) {
    /* Re-armed from the cached loop time, after the callback, unless a
     * clear op in its body cleared it. */
    record(r, EV_SET, in->op, in->index,
           r->phase_ns + (uint64_t)o->delay_ms * 1000000u);
  }
}

static void on_queue(ndl_loop *loop, const ndl_value *v, void *arg) {
  struct inst *in = arg;
  struct run *r = in->r;
  int kind = r->p->op[in->op].kind;
  (void)loop;
  (void)v;
  if (kind == DK_IMMEDIATE)
    record(r, EV_MACRO, in->op, in->index, 0);
  say(r, "%c%d",
      kind == DK_IMMEDIATE   ? 'm'
      : kind == DK_NEXT_TICK ? 'n'
                             : 'q',
      in->op);
  body(r, in->op);
}

/* One link of a promise chain; the next is queued when this one returned,
 * as the promise a then() returns resolves then. */
static void on_link(ndl_loop *loop, const ndl_value *v, void *arg) {
  struct inst *in = arg;
  struct run *r = in->r;
  (void)v;
  say(r, "p%d.%u", in->op, in->calls);
  if (in->calls == r->p->op[in->op].count) {
    body(r, in->op);
    return;
  }
  in->calls++;
  check(r, "ndl_queue_microtask", ndl_queue_microtask(loop, on_link, in));
}

static void on_read(ndl_loop *loop, const ndl_value *v, void *arg) {
  struct inst *in = arg;
  struct run *r = in->r;
  (void)loop;
  record(r, EV_MACRO, in->op, in->index, 0);
  if (v->kind == NDL_ERROR)
    say(r, "f%d %s", in->op, ndl_err_name(v->as.err.code));
  else if (v->kind == NDL_STRING)
    say(r, "f%d %zu", in->op, v->as.str.len);
  else
    say(r, "f%d ?", in->op);
  body(r, in->op);
}

static void on_crypto(ndl_loop *loop, const ndl_value *v, void *arg) {
  struct inst *in = arg;
  struct run *r = in->r;
  (void)loop;
  (void)v;
  record(r, EV_MACRO, in->op, in->index, 0);
  say(r, "c%d", in->op);
  body(r, in->op);
}

/* ---- The TCP echo, written as Node's net module behaves by default: the
 * server (echo_serve) ends once the client has, as allowHalfOpen false
 * does. The variants (how other than DH_END_DATA) leave that to
 * ndl_tcp_auto_close() on both ends, as tests/conformance/tcp_auto_close
 * does. */

/* s.on('data', (b) => s.write(b)), under ndl_tcp_auto_close(). */
static void auto_server_read(ndl_tcp *tcp, const ndl_value *v, void *arg) {
  struct inst *in = arg;
  if (v->kind == NDL_STRING)
    check(in->r, "ndl_tcp_write",
          ndl_tcp_write(tcp, v->as.str.ptr, v->as.str.len, NULL, NULL));
}

static void server_connection(ndl_tcp *listener, const ndl_value *v,
                              void *arg) {
  struct inst *in = arg;
  ndl_tcp *conn;
  int err;
  if (v->kind == NDL_ERROR) {
    fail(in->r, "listen: %s", ndl_err_name(v->as.err.code));
    return;
  }
  err = ndl_tcp_accept(listener, &conn);
  check(in->r, "ndl_tcp_accept", err);
  if (err != 0)
    return;
  if (in->r->p->op[in->op].how == DH_END_DATA) {
    check(in->r, "echo_serve", echo_serve(conn));
    return;
  }
  check(in->r, "ndl_tcp_auto_close", ndl_tcp_auto_close(conn, 0, NULL, NULL));
  check(in->r, "ndl_tcp_read_start",
        ndl_tcp_read_start(conn, auto_server_read, in));
}

/* 'close': the listener closes (srv.close()), then the children run. */
static void client_closed(ndl_tcp *tcp, const ndl_value *v, void *arg) {
  struct inst *in = arg;
  struct run *r = in->r;
  (void)tcp;
  record(r, EV_MACRO, in->op, in->index, 0);
  if (r->p->op[in->op].how == DH_END_DATA)
    say(r, "k%d close", in->op);
  else
    say(r, "k%d close %s", in->op,
        v->kind != NDL_INT ? "?"
        : v->as.i          ? "true"
                           : "false");
  if (in->listener != NULL)
    check(r, "ndl_tcp_close", ndl_tcp_close(in->listener, NULL, NULL));
  in->listener = NULL;
  body(r, in->op);
}

/* 'end' comes from a nextTick after the read that found it, and the
 * socket, ended both ways, is destroyed (by ndl_tcp_auto_close() in the
 * variants). */
static void client_end(ndl_loop *loop, const ndl_value *v, void *arg) {
  struct inst *in = arg;
  (void)loop;
  (void)v;
  say(in->r, "k%d end %zu", in->op, in->got);
  if (in->r->p->op[in->op].how == DH_END_DATA)
    check(in->r, "ndl_tcp_close", ndl_tcp_close(in->client, client_closed, in));
}

static void client_read(ndl_tcp *tcp, const ndl_value *v, void *arg) {
  struct inst *in = arg;
  const struct dp_op *o = &in->r->p->op[in->op];
  if (v->kind == NDL_STRING) {
    in->got += v->as.str.len;
    /* c.once('data', () => c.end()) */
    if (o->how == DH_END_ON_ECHO && !in->ended) {
      in->ended = 1;
      check(in->r, "ndl_tcp_shutdown", ndl_tcp_shutdown(tcp));
    }
    return;
  }
  if (v->kind == NDL_ERROR) {
    say(in->r, "k%d %s", in->op, ndl_err_name(v->as.err.code));
    if (o->how == DH_END_DATA)
      check(in->r, "ndl_tcp_close", ndl_tcp_close(tcp, client_closed, in));
    return;
  }
  check(in->r, "ndl_next_tick",
        ndl_next_tick(ndl_tcp_loop(tcp), client_end, in));
}

/* 'connect': the echo's c.end(data) writes the bytes and then the FIN;
 * the variants' c.write(data) and c.end() do it in two calls, or wait
 * for the echo to end. */
static void client_connected(ndl_tcp *tcp, const ndl_value *v, void *arg) {
  struct inst *in = arg;
  static const char xs[4096] = {0};
  const struct dp_op *o = &in->r->p->op[in->op];
  if (v->kind == NDL_ERROR) {
    say(in->r, "k%d %s", in->op, ndl_err_name(v->as.err.code));
    if (o->how == DH_END_DATA)
      check(in->r, "ndl_tcp_close", ndl_tcp_close(tcp, client_closed, in));
    return;
  }
  say(in->r, "k%d connect", in->op);
  if (o->how == DH_REFUSED)
    return; /* another process took the port: so would the script */
  check(in->r, "ndl_tcp_read_start", ndl_tcp_read_start(tcp, client_read, in));
  if (o->count > 0)
    check(in->r, "ndl_tcp_write",
          ndl_tcp_write(tcp, xs, o->count < sizeof(xs) ? o->count : sizeof(xs),
                        NULL, NULL));
  if (o->how != DH_END_ON_ECHO) {
    in->ended = 1;
    check(in->r, "ndl_tcp_shutdown", ndl_tcp_shutdown(tcp));
  }
}

/* 'listening' (ndl_tcp_on_listening: the nextTicks Node takes). The
 * refused variant closes the listener first, with no callback: its port
 * is free once ndl_tcp_close() returns, as once Node's server.close()
 * has. */
static void tcp_listening(ndl_tcp *server, const ndl_value *v, void *arg) {
  struct inst *in = arg;
  ndl_loop *loop = ndl_tcp_loop(server);
  int port = 0, err;
  enum dp_tcp_how how = (enum dp_tcp_how)in->r->p->op[in->op].how;
  (void)v;
  check(in->r, "ndl_tcp_port", ndl_tcp_port(in->listener, &port));
  if (how == DH_REFUSED) {
    check(in->r, "ndl_tcp_close", ndl_tcp_close(in->listener, NULL, NULL));
    in->listener = NULL;
  }
  err = ndl_tcp_connect(loop, "127.0.0.1", port, client_connected, in,
                        &in->client);
  check(in->r, "ndl_tcp_connect", err);
  if (err == 0 && how != DH_END_DATA)
    check(in->r, "ndl_tcp_auto_close",
          ndl_tcp_auto_close(in->client, 0, client_closed, in));
}

static void start_tcp(struct run *r, struct inst *in) {
  int err = ndl_tcp_listen(r->loop, "127.0.0.1", 0, 8, server_connection, in,
                           &in->listener);
  check(r, "ndl_tcp_listen", err);
  if (err == 0)
    check(r, "ndl_tcp_on_listening",
          ndl_tcp_on_listening(in->listener, tcp_listening, in));
  record(r, EV_POOL_ISSUE, in->op, in->index, 0);
}

static struct inst *latest(struct run *r, int target) {
  return r->latest[target] < 0 ? NULL : &r->inst[r->latest[target]];
}

/* A timer's setup, as the script does it. */
static void set_timer(struct run *r, struct inst *in) {
  const struct dp_op *o = &r->p->op[in->op];
  int interval = o->kind == DK_INTERVAL;
  check(r, interval ? "ndl_set_interval" : "ndl_set_timeout",
        interval
            ? ndl_set_interval(r->loop, o->delay_ms, on_interval, in, &in->id)
            : ndl_set_timeout(r->loop, o->delay_ms, on_timeout, in, &in->id));
  record(r, EV_SET, in->op, in->index,
         ndl_now_ns(r->loop) + (uint64_t)o->delay_ms * 1000000u);
  if (o->unref) {
    check(r, "ndl_timer_unref", ndl_timer_unref(r->loop, in->id));
    record(r, EV_UNREF, in->op, in->index, 0);
  }
}

static void exec(struct run *r, int i) {
  const struct dp_op *o = &r->p->op[i];
  struct inst *in = NULL, *t;
  char path[4096];
  int err;
  if (dp_kind_has_callback(o->kind) && (in = new_inst(r, i)) == NULL)
    return;
  switch (o->kind) {
  case DK_TIMEOUT:
  case DK_INTERVAL:
    set_timer(r, in);
    break;
  case DK_IMMEDIATE:
    check(r, "ndl_set_immediate",
          r->plant == DP_PLANT_IMMEDIATE_AS_TIMEOUT
              ? ndl_set_timeout(r->loop, 0, on_queue, in, NULL)
              : ndl_set_immediate(r->loop, on_queue, in, NULL));
    record(r, EV_IMMEDIATE, i, in->index, 0);
    break;
  case DK_NEXT_TICK:
    check(r, "ndl_next_tick",
          r->plant == DP_PLANT_TICK_AS_MICROTASK
              ? ndl_queue_microtask(r->loop, on_queue, in)
              : ndl_next_tick(r->loop, on_queue, in));
    break;
  case DK_MICROTASK:
    check(r, "ndl_queue_microtask", ndl_queue_microtask(r->loop, on_queue, in));
    break;
  case DK_PROMISE:
    in->calls = 1;
    check(r, "ndl_queue_microtask", ndl_queue_microtask(r->loop, on_link, in));
    break;
  case DK_BUSY:
    busy(r, o->delay_ms);
    break;
  case DK_CLEAR:
  case DK_UNREF:
  case DK_REF:
    /* Node ignores a clear, ref or unref of a timer that is gone;
     * nodeloop says NDL_NOTFOUND, which changes nothing either. */
    if ((t = latest(r, o->target)) == NULL)
      break;
    err = o->kind == DK_CLEAR   ? ndl_clear_timeout(r->loop, t->id)
          : o->kind == DK_UNREF ? ndl_timer_unref(r->loop, t->id)
                                : ndl_timer_ref(r->loop, t->id);
    if (err != 0 && err != NDL_NOTFOUND)
      check(r, dp_kind_name(o->kind), err);
    if (err == 0)
      record(r,
             o->kind == DK_CLEAR   ? EV_CLEAR
             : o->kind == DK_UNREF ? EV_UNREF
                                   : EV_REF,
             t->op, t->index, 0);
    break;
  case DK_FS_READ:
    snprintf(path, sizeof(path), "%s/%s", r->dir, dp_file_name(o->count));
    check(r, "ndl_fs_read", ndl_fs_read(r->loop, path, 0, on_read, in));
    record(r, EV_POOL_ISSUE, i, in->index, 0);
    break;
  case DK_TCP:
    start_tcp(r, in);
    break;
  case DK_CRYPTO:
    check(r, "ndl_crypto_encrypt",
          ndl_crypto_encrypt(r->loop, 15, on_crypto, in));
    record(r, EV_POOL_ISSUE, i, in->index, 0);
    break;
  default:
    break;
  }
}

static void run_main(ndl_loop *loop, void *arg) {
  struct run *r = arg;
  (void)loop;
  record(r, EV_MACRO, -1, -1, 0);
  body(r, -1);
}

/* The sim's trace: the cached loop time of each timers phase. */
static void on_trace(void *ctx, const ndl_trace_event *ev) {
  struct run *r = ctx;
  if (ev->kind == NDL_TRACE_PHASE && ev->phase == NDL_PHASE_TIMERS) {
    r->phase_ns = ev->now_ns;
    record(r, EV_TIMERS_PHASE, -1, -1, ev->now_ns);
  }
}

/* Copies the fixtures that exist to the simulated disk. */
static int mirror_fixtures(struct run *r) {
  unsigned i;
  for (i = 0; i < DP_FILES; i++) {
    char path[4096], buf[1 << 14];
    size_t n;
    FILE *f;
    snprintf(path, sizeof(path), "%s/%s", r->dir, dp_file_name(i));
    if ((f = fopen(path, "rb")) == NULL)
      continue;
    n = fread(buf, 1, sizeof(buf), f);
    fclose(f);
    if (ndl_sim_file(r->loop, path, buf, n) != 0)
      return -1;
  }
  return 0;
}

int dp_interpret(const struct dp_prog *p, ndl_backend backend,
                 ndl_timer_order order, const char *fixture_dir,
                 enum dp_plant plant, uint64_t sim_seed,
                 struct dp_output *out) {
  struct run *r = calloc(1, sizeof(*r));
  ndl_options opts;
  ndl_stats st;
  int err, i;
  memset(out, 0, sizeof(*out));
  if (r == NULL)
    return -1;
  r->p = p;
  r->plant = plant;
  r->sim = backend == NDL_BACKEND_SIM;
  r->dir = fixture_dir;
  r->out = out;
  for (i = 0; i < DP_MAX_OPS; i++)
    r->latest[i] = -1;
  ndl_options_init(&opts);
  opts.backend = backend;
  opts.timer_order = order;
  if (r->sim) {
    opts.sim_seed = sim_seed;
    opts.sim_work_spread_ns = 1000000u;
    opts.trace = on_trace;
    opts.trace_ctx = r;
  }
  if ((err = ndl_loop_new(&opts, &r->loop)) != 0) {
    fail(r, "ndl_loop_new: %s", ndl_err_name(err));
    free(r);
    return err == NDL_ENOMEM ? -1 : 0;
  }
  if (r->sim && mirror_fixtures(r) != 0)
    fail(r, "cannot copy the fixtures to the simulated disk");
  if ((err = ndl_run(r->loop, run_main, r)) != 0)
    fail(r, "ndl_run: %s", ndl_err_name(err));
  record(r, EV_END, -1, -1, 0);
  ndl_get_stats(r->loop, &st);
  if (st.lost != 0 || st.duplicated != 0)
    fail(r, "%llu callbacks lost, %llu duplicated", (unsigned long long)st.lost,
         (unsigned long long)st.duplicated);
  if ((err = ndl_loop_free(r->loop)) != 0)
    fail(r, "ndl_loop_free: %s", ndl_err_name(err));
  free(r);
  return 0;
}

void dp_output_free(struct dp_output *o) {
  free(o->text);
  free(o->ev);
  memset(o, 0, sizeof(*o));
}
