/*
 * The public API on a sim loop, driven by the input: the first bytes choose
 * the world (pool size, jitter, id width, inline work, timer order), then
 * main and every callback read calls to make from the input, valid and
 * invalid arguments
 * mixed (negative and huge delays, NULL callbacks, stale and made-up ids,
 * the wrong clear for a kind, a watched fd twice, bad event bits, ndl_run
 * and ndl_loop_free from inside, ndl_stop).
 *
 * Checked: nothing crashes (ASan, UBSan); each call returns 0 or an error
 * it documents; a callback never runs after it was cleared, a one-shot never
 * twice, a timer never before its deadline; inside every callback the stats
 * match what the calls returned; after a natural end lost == duplicated ==
 * 0 and nothing is left but unref'd timers.
 */
#include <string.h>

#include "fuzz.h"
#include "nodeloop.h"

#define MAX_RECS 512
#define MAX_OPS 600
#define MAX_CALLS 4000
#define NS_PER_MS 1000000u

enum kind {
  K_TIMEOUT,
  K_INTERVAL,
  K_IMMEDIATE,
  K_TICK,
  K_MICRO,
  K_WORK,
  K_IO,
  K_CLOSE,
  K_DEFER
};

struct fz;

struct rec {
  struct fz *fz;
  enum kind kind;
  ndl_id id;
  int live, refed;
  unsigned runs, count; /* interval, io: clear itself after count calls */
  uint64_t set_ns, delay_ns;
  unsigned events; /* io: what it watches */
  int fd;
  ndl_value sent; /* defer: the value passed */
  char text[8];
};

struct fz {
  struct fuzz_in in;
  ndl_loop *loop;
  struct rec recs[MAX_RECS];
  int nrecs, ops;
  int in_callback;
  uint64_t registered, cancelled, started, live;
  int stopped;
  int fd_watched[8];
};

static uint64_t sat_add(uint64_t a, uint64_t b) {
  return a > UINT64_MAX - b ? UINT64_MAX : a + b;
}

static uint64_t sat_mul(uint64_t a, uint64_t b) {
  return b != 0 && a > UINT64_MAX / b ? UINT64_MAX : a * b;
}

static int one_shot(enum kind k) {
  return k != K_INTERVAL && k != K_IO;
}

static struct rec *new_rec(struct fz *f, enum kind k) {
  struct rec *r;
  if (f->nrecs == MAX_RECS)
    return NULL;
  r = &f->recs[f->nrecs++];
  memset(r, 0, sizeof(*r));
  r->fz = f;
  r->kind = k;
  r->refed = 1;
  r->fd = -1;
  return r;
}

/* After a registration call: 0 makes the record live; anything else must
 * be one of the errors the call documents, and leaves nothing behind. */
static void registered(struct fz *f, struct rec *r, int err, int ok1, int ok2) {
  if (err == 0) {
    r->live = 1;
    f->registered++;
    f->live++;
    return;
  }
  CHECK(err == NDL_EINVAL || err == NDL_NOIDS || err == ok1 || err == ok2,
        "registration (kind %d) returned %s", (int)r->kind, ndl_err_name(err));
  f->nrecs--; /* the record was the last one taken */
}

/* A record to name in a clear: live, dead, or of another kind. */
static struct rec *pick(struct fz *f) {
  uint8_t b = fuzz_byte(&f->in);
  return f->nrecs == 0 ? NULL : &f->recs[b % f->nrecs];
}

/* An id to pass: usually a record's, sometimes 0 or made up. A record that
 * is not live may have had its id taken by a newer one (narrow widths), so
 * the runner only clears through ids of live records and checks the result;
 * other ids only have to fail cleanly or clear what they name. */
static struct rec *find_live(struct fz *f, ndl_id id) {
  int i;
  for (i = 0; i < f->nrecs; i++)
    if (f->recs[i].live && f->recs[i].id == id && id != 0)
      return &f->recs[i];
  return NULL;
}

/* A clear through id succeeded: whatever record holds it is gone. */
static void forget(struct fz *f, ndl_id id) {
  struct rec *r = find_live(f, id);
  CHECK(r != NULL, "cleared id %u, which no live callback holds", id);
  if (r->kind == K_IO)
    f->fd_watched[r->fd] = 0;
  r->live = 0;
  f->cancelled++;
  f->live--;
}

static void on_cb(ndl_loop *loop, const ndl_value *v, void *arg);

static void work_fn(void *arg, ndl_value *result) {
  const struct rec *r = arg;
  ndl_value_set_int(result, (int64_t)(r - r->fz->recs));
}

static int64_t delay_of(struct fz *f) {
  uint8_t b = fuzz_byte(&f->in);
  switch (b >> 5) {
  case 0:
    return 0;
  case 1:
    return -(int64_t)(b & 31) - 1; /* invalid */
  case 2:
    /* The largest delay honoured (TIMEOUT_MAX), and past it: 1 ms. */
    return (b & 2 ? (int64_t)INT32_MAX : (int64_t)1 << 43) + (b & 1);
  default:
    return b & 63;
  }
}

static void clear_through(struct fz *f, int how) {
  struct rec *r = pick(f);
  ndl_id id;
  int err;
  if (r == NULL)
    return;
  id = r->id;
  if (!r->live) {
    /* Unknown to the runner: fine either way, as long as the answer is a
     * documented one; if it cleared something, account for it. */
    if (fuzz_byte(&f->in) & 1)
      id = fuzz_u32(&f->in);
  }
  switch (how) {
  case 0:
    err = ndl_clear_timeout(f->loop, id);
    break;
  case 1:
    err = ndl_clear_interval(f->loop, id);
    break;
  case 2:
    err = ndl_clear_immediate(f->loop, id);
    break;
  default:
    err = ndl_io_stop(f->loop, id);
    break;
  }
  CHECK(err == 0 || err == NDL_NOTFOUND || err == NDL_BADKIND,
        "clear %d returned %s", how, ndl_err_name(err));
  if (r->live && r->id != 0) {
    int right = how <= 1   ? r->kind == K_TIMEOUT || r->kind == K_INTERVAL
                : how == 2 ? r->kind == K_IMMEDIATE
                           : r->kind == K_IO;
    /* Every clear, ndl_io_stop() included, says BADKIND for a live id
     * of another kind. */
    CHECK(err == (right ? 0 : NDL_BADKIND),
          "clear %d of a live kind %d returned %s", how, (int)r->kind,
          ndl_err_name(err));
  }
  if (err == 0)
    forget(f, id);
}

static void do_op(struct fz *f) {
  uint8_t op = fuzz_byte(&f->in);
  struct rec *r = NULL;
  ndl_id id = 0;
  int err;

  if (++f->ops > MAX_OPS)
    return;
  switch (op % 22) {
  case 0:
  case 1:
    if ((r = new_rec(f, op % 22 ? K_INTERVAL : K_TIMEOUT)) == NULL)
      return;
    r->set_ns = ndl_now_ns(f->loop);
    {
      int64_t d = delay_of(f);
      r->delay_ns =
          d <= 0 || d > INT32_MAX ? NS_PER_MS : (uint64_t)d * NS_PER_MS;
      r->count = 1 + fuzz_byte(&f->in) % 3;
      err = r->kind == K_TIMEOUT
                ? ndl_set_timeout(f->loop, d, on_cb, r, &r->id)
                : ndl_set_interval(f->loop, d, on_cb, r, &r->id);
      CHECK(err != 0 || d >= 0, "delay %lld accepted", (long long)d);
    }
    registered(f, r, err, 0, 0);
    return;
  case 2:
  case 3:
  case 4:
  case 5:
    clear_through(f, op % 22 - 2);
    return;
  case 6:
    if ((r = new_rec(f, K_IMMEDIATE)) == NULL)
      return;
    registered(f, r, ndl_set_immediate(f->loop, on_cb, r, &r->id), 0, 0);
    return;
  case 7:
    if ((r = new_rec(f, K_TICK)) == NULL)
      return;
    registered(f, r, ndl_next_tick(f->loop, on_cb, r), 0, 0);
    return;
  case 8:
    if ((r = new_rec(f, K_MICRO)) == NULL)
      return;
    registered(f, r, ndl_queue_microtask(f->loop, on_cb, r), 0, 0);
    return;
  case 9:
    if ((r = new_rec(f, K_WORK)) == NULL)
      return;
    {
      int64_t d = delay_of(f);
      err = ndl_queue_work(f->loop, (op & 0x80) ? NULL : "fuzz", d, work_fn,
                           on_cb, r, &r->id);
      CHECK(err != 0 || (d >= 0 && d <= INT32_MAX), "work delay %lld",
            (long long)d);
    }
    registered(f, r, err, 0, 0);
    return;
  case 10: {
    int fd = fuzz_byte(&f->in) % 8;
    unsigned events = fuzz_byte(&f->in) % 5; /* 4: a bad bit */
    if ((r = new_rec(f, K_IO)) == NULL)
      return;
    r->count = 1 + fuzz_byte(&f->in) % 3;
    r->fd = fd;
    r->events = events;
    err = ndl_io_start(f->loop, fd, events, on_cb, r, &r->id);
    if (err == 0) {
      CHECK(!f->fd_watched[fd], "fd %d watched twice", fd);
      f->fd_watched[fd] = 1;
    } else if (err == NDL_EEXIST) {
      CHECK(f->fd_watched[fd], "EEXIST for unwatched fd %d", fd);
    }
    registered(f, r, err, NDL_EEXIST, 0);
    return;
  }
  case 11:
    if ((r = pick(f)) != NULL) {
      unsigned events = fuzz_byte(&f->in) % 5;
      err = ndl_io_modify(f->loop, r->id, events);
      CHECK(err == 0 || err == NDL_EINVAL || err == NDL_NOTFOUND ||
                err == NDL_BADKIND,
            "io_modify returned %s", ndl_err_name(err));
      if (r->live && r->id != 0 && r->kind != K_IO && events <= 3)
        CHECK(err == NDL_BADKIND, "io_modify of a %d: %s", (int)r->kind,
              ndl_err_name(err));
      if (r->live && r->kind == K_IO)
        CHECK(err == (events > 3 ? NDL_EINVAL : 0), "io_modify: %s",
              ndl_err_name(err));
      if (err == 0 && r->live && r->kind == K_IO)
        r->events = events;
    }
    return;
  case 12:
    if ((r = new_rec(f, K_CLOSE)) == NULL)
      return;
    registered(f, r, ndl_on_close(f->loop, on_cb, r, &r->id), 0, 0);
    return;
  case 13: {
    uint8_t b = fuzz_byte(&f->in);
    if ((r = new_rec(f, K_DEFER)) == NULL)
      return;
    memset(&r->sent, 0, sizeof(r->sent));
    snprintf(r->text, sizeof(r->text), "v%u", b);
    if (b % 4 == 1) {
      r->sent.kind = NDL_INT;
      r->sent.as.i = b;
    } else if (b % 4 == 2) {
      r->sent.kind = NDL_STRING;
      r->sent.as.str.ptr = r->text;
      r->sent.as.str.len = strlen(r->text);
    } else if (b % 4 == 3) {
      r->sent.kind = NDL_ERROR;
      r->sent.as.err.code = NDL_EPIPE;
      r->sent.as.err.msg = (b & 4) ? r->text : NULL;
    }
    registered(
        f, r,
        ndl_defer(f->loop, b % 8 == 0 ? NULL : &r->sent, on_cb, r, &r->id), 0,
        0);
    return;
  }
  case 14:
  case 15:
    if ((r = pick(f)) != NULL) {
      int ref = op % 22 == 15;
      err =
          ref ? ndl_timer_ref(f->loop, r->id) : ndl_timer_unref(f->loop, r->id);
      CHECK(err == 0 || err == NDL_NOTFOUND || err == NDL_BADKIND,
            "ref returned %s", ndl_err_name(err));
      if (r->live && (r->kind == K_TIMEOUT || r->kind == K_INTERVAL))
        CHECK(err == 0, "ref of a live timer: %s", ndl_err_name(err));
      if (err == 0) {
        struct rec *t = find_live(f, r->id);
        CHECK(t != NULL && (t->kind == K_TIMEOUT || t->kind == K_INTERVAL),
              "ref of id %u succeeded", r->id);
        t->refed = ref;
      }
    }
    return;
  case 16:
    err = ndl_sim_advance(f->loop, fuzz_byte(&f->in) % 50);
    CHECK(err == 0, "advance: %s", ndl_err_name(err));
    return;
  case 17: {
    int fd = fuzz_byte(&f->in) % 8;
    unsigned events = fuzz_byte(&f->in) % 4;
    uint64_t at = ndl_now(f->loop) + fuzz_byte(&f->in) % 40;
    err = ndl_sim_script_ready(f->loop, fd, events, at);
    CHECK(err == (events == 0 ? NDL_EINVAL : 0), "script: %s",
          ndl_err_name(err));
    return;
  }
  case 18: /* NULL callbacks and loops */
    CHECK(ndl_set_timeout(f->loop, 1, NULL, NULL, &id) == NDL_EINVAL, "t");
    CHECK(ndl_set_immediate(f->loop, NULL, NULL, &id) == NDL_EINVAL, "i");
    CHECK(ndl_next_tick(NULL, on_cb, NULL) == NDL_EINVAL, "n");
    CHECK(ndl_queue_work(f->loop, "x", 1, NULL, on_cb, NULL, NULL) ==
              NDL_EINVAL,
          "w");
    CHECK(ndl_io_start(f->loop, -1, NDL_READABLE, on_cb, NULL, NULL) ==
              NDL_EINVAL,
          "io");
    CHECK(ndl_on_close(f->loop, NULL, NULL, NULL) == NDL_EINVAL, "c");
    CHECK(ndl_defer(f->loop, NULL, NULL, NULL, NULL) == NDL_EINVAL, "d");
    CHECK(ndl_clear_timeout(NULL, 1) == NDL_EINVAL, "ct");
    return;
  case 19:
    if (f->in_callback) {
      CHECK(ndl_run(f->loop, NULL, NULL) == NDL_EBUSY, "nested run");
      CHECK(ndl_loop_free(f->loop) == NDL_EBUSY, "free inside run");
    }
    return;
  case 20:
    if (f->in_callback && (op & 0x40)) {
      CHECK(ndl_stop(f->loop) == 0, "stop");
      f->stopped = 1;
    }
    return;
  default: {
    ndl_stats st;
    ndl_get_stats(f->loop, &st);
    CHECK(st.duplicated == 0, "duplicated %llu",
          (unsigned long long)st.duplicated);
    return;
  }
  }
}

static void check_stats(struct fz *f, const char *where) {
  ndl_stats st;
  ndl_get_stats(f->loop, &st);
  CHECK(st.registered == f->registered && st.cancelled == f->cancelled &&
            st.callbacks == f->started && st.live == f->live &&
            st.duplicated == 0,
        "%s: stats %llu/%llu/%llu/%llu, runner %llu/%llu/%llu/%llu", where,
        (unsigned long long)st.registered, (unsigned long long)st.cancelled,
        (unsigned long long)st.callbacks, (unsigned long long)st.live,
        (unsigned long long)f->registered, (unsigned long long)f->cancelled,
        (unsigned long long)f->started, (unsigned long long)f->live);
}

static void check_value(const struct rec *r, const ndl_value *v) {
  CHECK(v != NULL, "NULL value");
  switch (r->kind) {
  case K_WORK:
    CHECK(v->kind == NDL_INT && v->as.i == r - r->fz->recs, "work value");
    break;
  case K_IO:
    CHECK(v->kind == NDL_INT && v->as.i > 0 && v->as.i <= 3, "io value");
    break;
  case K_DEFER:
    CHECK(v->kind == r->sent.kind, "defer value kind %d, sent %d", (int)v->kind,
          (int)r->sent.kind);
    if (v->kind == NDL_INT)
      CHECK(v->as.i == r->sent.as.i, "defer int");
    if (v->kind == NDL_STRING)
      CHECK(v->as.str.len == r->sent.as.str.len &&
                strcmp(v->as.str.ptr, r->sent.as.str.ptr) == 0 &&
                v->as.str.ptr != r->sent.as.str.ptr,
            "defer string not copied");
    if (v->kind == NDL_ERROR)
      CHECK(v->as.err.code == r->sent.as.err.code &&
                (r->sent.as.err.msg == NULL) == (v->as.err.msg == NULL),
            "defer error");
    break;
  default:
    CHECK(v->kind == NDL_UNDEFINED, "value kind %d", (int)v->kind);
  }
}

static void on_cb(ndl_loop *loop, const ndl_value *v, void *arg) {
  struct rec *r = arg;
  struct fz *f = r->fz;
  uint64_t now = ndl_now_ns(loop);
  unsigned k, n;

  CHECK(r->live, "kind %d ran after it was cleared", (int)r->kind);
  CHECK(!(one_shot(r->kind) && r->runs), "one-shot kind %d ran twice",
        (int)r->kind);
  /* A deadline saturates at the end of time (2^64 ns) in the core; the
   * model's saturating arithmetic agrees. */
  if (r->kind == K_TIMEOUT || r->kind == K_INTERVAL)
    CHECK(now >= sat_add(r->set_ns, sat_mul(r->runs + 1, r->delay_ns)),
          "timer ran at %llu ns, before %llu", (unsigned long long)now,
          (unsigned long long)sat_add(r->set_ns,
                                      sat_mul(r->runs + 1, r->delay_ns)));
  check_value(r, v);
  if (one_shot(r->kind)) {
    r->live = 0;
    f->live--;
  }
  check_stats(f, "callback");
  f->started++;
  r->runs++;
  if (f->started > MAX_CALLS && !f->stopped) {
    ndl_stop(loop);
    f->stopped = 1;
  }
  f->in_callback = 1;
  n = fuzz_byte(&f->in) % 4;
  for (k = 0; k < n; k++)
    do_op(f);
  if (!one_shot(r->kind) && r->live && r->runs >= r->count) {
    int err = r->kind == K_IO ? ndl_io_stop(loop, r->id)
                              : ndl_clear_interval(loop, r->id);
    CHECK(err == 0, "self-clear: %s", ndl_err_name(err));
    if (r->kind == K_IO)
      f->fd_watched[r->fd] = 0;
    r->live = 0;
    f->cancelled++;
    f->live--;
  }
}

static void run_main(ndl_loop *loop, void *arg) {
  struct fz *f = arg;
  unsigned k, n = 1 + fuzz_byte(&f->in) % 16;
  (void)loop;
  for (k = 0; k < n; k++)
    do_op(f);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  static struct fz f;
  ndl_options opts;
  ndl_stats st;
  uint8_t b;
  int err, round, i;

  memset(&f, 0, sizeof(f));
  f.in.data = data;
  f.in.size = size;
  ndl_options_init(&opts);
  opts.backend = NDL_BACKEND_SIM;
  b = fuzz_byte(&f.in);
  opts.threadpool_size = 1 + b % 8;
  opts.sim_inline_work = (b & 8) != 0;
  opts.sim_work_spread_ns = (b & 16) ? (uint64_t)fuzz_byte(&f.in) * 100000u : 0;
  opts.timer_order = (b & 32) ? NDL_TIMER_ORDER_NODE : NDL_TIMER_ORDER_DEADLINE;
  b = fuzz_byte(&f.in);
  opts.id_bits = b % 3 == 0 ? 2 + b % 7 : 0;
  opts.sim_seed = fuzz_byte(&f.in);
  CHECK(ndl_loop_new(&opts, &f.loop) == 0, "loop_new");

  /* A stopped run leaves its callbacks registered; run again, up to three
   * times, the later runs with no main. */
  for (round = 0; round < 3; round++) {
    f.stopped = 0;
    err = ndl_run(f.loop, round == 0 ? run_main : NULL, &f);
    check_stats(&f, "after run");
    if (err == NDL_EDEADLK || !f.stopped)
      break;
    CHECK(err == 0, "stopped run returned %s", ndl_err_name(err));
  }
  ndl_get_stats(f.loop, &st);
  CHECK(err == 0 || err == NDL_EDEADLK, "run returned %s", ndl_err_name(err));
  if (err == 0 && !f.stopped) {
    CHECK(st.lost == 0 && st.duplicated == 0, "lost=%llu duplicated=%llu",
          (unsigned long long)st.lost, (unsigned long long)st.duplicated);
    for (i = 0; i < f.nrecs; i++) {
      const struct rec *r = &f.recs[i];
      CHECK(!r->live ||
                ((r->kind == K_TIMEOUT || r->kind == K_INTERVAL) && !r->refed),
            "kind %d left live and ref'd after a natural end", (int)r->kind);
    }
  }
  CHECK(ndl_loop_free(f.loop) == 0, "loop_free");
  return 0;
}
