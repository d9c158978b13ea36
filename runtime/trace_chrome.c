/*
 * The trace as Chrome Trace Event Format, for Perfetto's UI and
 * chrome://tracing: each tick, phase and callback a slice on the loop
 * thread's track, each pool task a slice on its worker's track, timers set
 * as instant events, and a flow arrow from each registration to its
 * callback.
 *
 * Prints and content blocks are instant events on their thread's track, the
 * text in args. Every string is escaped for JSON and cut between UTF-8
 * characters.
 *
 * Slices are written as they happen, so each track's timestamps are in
 * order. A flow is known to be whole only when its callback starts (a
 * cancelled callback has no second end), so flows are kept in memory and
 * written at the end, both ends at once. Timestamps come from the loop's
 * own clock, read when the event arrives: real time on linux, virtual time
 * on sim.
 */
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "nodeloop.h"

#define LOOP_TID 1
#define POOL_TID_BASE 100

/* Name and argument sizes, in bytes of the source text. */
#define NAME_MAX_TEXT 64
#define ARG_MAX_TEXT 4096
/* Room for that much text escaped: 6 bytes (\u00XX, \ufffd) per byte. */
#define NAME_CAP (6 * NAME_MAX_TEXT + 1)
#define ARG_CAP (6 * ARG_MAX_TEXT + 1)

struct flow {
  ndl_id id;
  uint64_t reg_ns; /* 0 once written to the flow list */
};

struct ndl_chrome_trace {
  FILE *f;
  pthread_mutex_t lock;
  const ndl_loop *loop;
  ndl_trace_fn next;
  void *next_ctx;
  int first;      /* no event written yet: no comma */
  int open_phase; /* a phase slice is open on the loop track */
  int open_tick;  /* a tick slice is open */
  int phase;      /* the open phase, for its E event's name */
  uint64_t tick;  /* the open tick, for its E event's name */
  uint64_t last_loop_ns;
  uint64_t base_ns; /* the first event's time: the trace starts at 0 */
  int have_base;
  unsigned char named[1024 + 1]; /* thread name metadata written, per tid */
  struct flow *pending;          /* registrations not yet run */
  size_t npending, cap_pending;
  char *flows; /* finished flows, as JSON, for the end */
  size_t flows_len, flows_cap;
  uint64_t flow_seq;
  int failed;
  char text[ARG_CAP]; /* a print's text, escaped */
};

static int tid_of(const char *thread) {
  unsigned n;
  if (thread != NULL && sscanf(thread, "pool%u", &n) == 1 && n < 1024)
    return POOL_TID_BASE + (int)n;
  return LOOP_TID;
}

/* ---- JSON strings. Text reaches the trace from users (task kinds,
 * prints, labels), so it is escaped, and cut only between characters. */

/* The length of the valid UTF-8 sequence at s (at most n bytes), or 0 if
 * none starts there (a stray continuation byte, an overlong form, a
 * surrogate, beyond U+10FFFF, or a sequence cut short). */
static size_t utf8_len(const unsigned char *s, size_t n) {
  size_t len, i;
  unsigned char lo = 0x80, hi = 0xbf;
  if (s[0] < 0x80)
    return 1;
  if (s[0] >= 0xc2 && s[0] <= 0xdf)
    len = 2;
  else if (s[0] >= 0xe0 && s[0] <= 0xef)
    len = 3;
  else if (s[0] >= 0xf0 && s[0] <= 0xf4)
    len = 4;
  else
    return 0;
  if (s[0] == 0xe0)
    lo = 0xa0;
  else if (s[0] == 0xed)
    hi = 0x9f;
  else if (s[0] == 0xf0)
    lo = 0x90;
  else if (s[0] == 0xf4)
    hi = 0x8f;
  if (n < len || s[1] < lo || s[1] > hi)
    return 0;
  for (i = 2; i < len; i++)
    if (s[i] < 0x80 || s[i] > 0xbf)
      return 0;
  return len;
}

/* Writes s into out (cap bytes, NUL-terminated) as the inside of a JSON
 * string: quotes, backslashes and control characters escaped, invalid
 * UTF-8 replaced by U+FFFD. At most max bytes of s are taken, and the cut,
 * there or where out is full, falls between characters. */
static const char *json_text(char *out, size_t cap, const char *s, size_t max) {
  const unsigned char *p = (const unsigned char *)(s != NULL ? s : "");
  /* 3 bytes past max: enough to see whether a character straddles it. */
  size_t n = strnlen((const char *)p, max + 3), i = 0, o = 0;
  while (i < n) {
    char esc[8];
    const char *piece = esc;
    size_t in = utf8_len(p + i, n - i), out_len;
    if (i + (in != 0 ? in : 1) > max)
      break;
    if (in == 0) {
      piece = "\\ufffd";
      in = 1;
    } else if (p[i] == '"' || p[i] == '\\') {
      esc[0] = '\\';
      esc[1] = (char)p[i];
      esc[2] = '\0';
    } else if (p[i] < 0x20) {
      snprintf(esc, sizeof(esc), "\\u%04x", p[i]);
    } else {
      piece = (const char *)p + i;
    }
    out_len = piece == (const char *)p + i ? in : strlen(piece);
    if (o + out_len + 1 > cap)
      break;
    memcpy(out + o, piece, out_len);
    o += out_len;
    i += in;
  }
  out[o] = '\0';
  return out;
}

/* The loop's events are stamped with a fresh reading of the loop's clock
 * (the core stamps its own with the time cached for the iteration, which
 * would make every slice empty); a pool thread's event keeps the time its
 * thread read, as only the loop thread may read the loop's clock. */
static uint64_t now_of(ndl_chrome_trace *t, const ndl_trace_event *ev) {
  int loop_thread = tid_of(ev->thread) == LOOP_TID;
  uint64_t ns =
      t->loop != NULL && loop_thread ? ndl_now_ns(t->loop) : ev->now_ns;
  if (!t->have_base) {
    t->base_ns = ns;
    t->have_base = 1;
  }
  ns = ns > t->base_ns ? ns - t->base_ns : 0;
  /* One clock for every track, but the loop track must never go back. */
  if (loop_thread) {
    if (ns < t->last_loop_ns)
      ns = t->last_loop_ns;
    t->last_loop_ns = ns;
  }
  return ns;
}

static void emit(ndl_chrome_trace *t, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void emit(ndl_chrome_trace *t, const char *fmt, ...) {
  va_list ap;
  if (fputs(t->first ? "\n" : ",\n", t->f) < 0)
    t->failed = 1;
  t->first = 0;
  va_start(ap, fmt);
  if (vfprintf(t->f, fmt, ap) < 0)
    t->failed = 1;
  va_end(ap);
}

static void name_thread(ndl_chrome_trace *t, int tid, const char *thread) {
  char name[NAME_CAP];
  if (tid > 1024 || t->named[tid])
    return;
  t->named[tid] = 1;
  emit(t,
       "{\"name\":\"thread_name\",\"ph\":\"M\",\"pid\":1,\"tid\":%d,"
       "\"args\":{\"name\":\"%s\"}}",
       tid,
       json_text(name, sizeof(name), thread != NULL ? thread : "main",
                 NAME_MAX_TEXT));
}

/* name is JSON already: a fixed name, or one made with json_text(). */
static void slice(ndl_chrome_trace *t, char ph, const char *name, int tid,
                  uint64_t ns) {
  emit(t, "{\"name\":\"%s\",\"ph\":\"%c\",\"ts\":%.3f,\"pid\":1,\"tid\":%d}",
       name, ph, (double)ns / 1000.0, tid);
}

static void close_phase(ndl_chrome_trace *t, uint64_t ns) {
  if (t->open_phase) {
    slice(t, 'E', ndl_phase_name(t->phase), LOOP_TID, ns);
    t->open_phase = 0;
  }
}

static void close_tick(ndl_chrome_trace *t, uint64_t ns) {
  close_phase(t, ns);
  if (t->open_tick) {
    char name[32];
    snprintf(name, sizeof(name), "tick %" PRIu64, t->tick);
    slice(t, 'E', name, LOOP_TID, ns);
    t->open_tick = 0;
  }
}

/* ---- Flows: registration to callback. */

static void remember(ndl_chrome_trace *t, ndl_id id, uint64_t ns) {
  if (t->npending == t->cap_pending) {
    size_t cap = t->cap_pending == 0 ? 64 : t->cap_pending * 2;
    struct flow *p = ndl__reallocarray(t->pending, cap, sizeof(*p));
    if (p == NULL) {
      t->failed = 1;
      return;
    }
    t->pending = p;
    t->cap_pending = cap;
  }
  t->pending[t->npending].id = id;
  t->pending[t->npending].reg_ns = ns;
  t->npending++;
}

/* Takes the registration of id off the pending list. Callbacks usually
 * run in the order they were registered, so the search from the front is
 * short; O(pending) at worst. */
static int take(ndl_chrome_trace *t, ndl_id id, uint64_t *reg_ns) {
  size_t i;
  for (i = 0; i < t->npending; i++)
    if (t->pending[i].id == id) {
      *reg_ns = t->pending[i].reg_ns;
      memmove(&t->pending[i], &t->pending[i + 1],
              (t->npending - i - 1) * sizeof(*t->pending));
      t->npending--;
      return 1;
    }
  return 0;
}

static void add_flow(ndl_chrome_trace *t, uint64_t from_ns, uint64_t to_ns) {
  char buf[320];
  int n;
  t->flow_seq++;
  n = snprintf(buf, sizeof(buf),
               ",\n{\"name\":\"callback\",\"cat\":\"flow\",\"ph\":\"s\","
               "\"id\":%" PRIu64 ",\"ts\":%.3f,\"pid\":1,\"tid\":%d}"
               ",\n{\"name\":\"callback\",\"cat\":\"flow\",\"ph\":\"f\","
               "\"bp\":\"e\",\"id\":%" PRIu64 ",\"ts\":%.3f,\"pid\":1,"
               "\"tid\":%d}",
               t->flow_seq, (double)from_ns / 1000.0, LOOP_TID, t->flow_seq,
               (double)to_ns / 1000.0, LOOP_TID);
  if (t->flows_len + (size_t)n + 1 > t->flows_cap) {
    size_t cap = t->flows_cap == 0 ? 4096 : t->flows_cap * 2;
    char *p;
    while (cap < t->flows_len + (size_t)n + 1)
      cap *= 2;
    if ((p = ndl__reallocarray(t->flows, cap, 1)) == NULL) {
      t->failed = 1;
      return;
    }
    t->flows = p;
    t->flows_cap = cap;
  }
  memcpy(t->flows + t->flows_len, buf, (size_t)n + 1);
  t->flows_len += (size_t)n;
}

/* A print or a content block: an instant event on its thread's track,
 * named by the text's start (or the label), the text (up to 4 KiB) in
 * args. The caller holds t->lock, which guards t->text. */
static void print_event(ndl_chrome_trace *t, const ndl_trace_event *ev, int tid,
                        uint64_t ns) {
  char name[NAME_CAP], label[NAME_CAP], *text = t->text;
  int content = ev->kind == NDL_TRACE_CONTENT;
  json_text(text, sizeof(t->text), ev->text, ARG_MAX_TEXT);
  json_text(label, sizeof(label), content ? ev->label : "", NAME_MAX_TEXT);
  json_text(name, sizeof(name), content ? ev->label : ev->text, NAME_MAX_TEXT);
  emit(t,
       "{\"name\":\"%s%s\",\"cat\":\"%s\",\"ph\":\"i\",\"s\":\"t\","
       "\"ts\":%.3f,\"pid\":1,\"tid\":%d,\"args\":{%s%s%s\"text\":\"%s\"}}",
       content ? "content: " : "", name, content ? "content" : "print",
       (double)ns / 1000.0, tid, content ? "\"label\":\"" : "", label,
       content ? "\"," : "", text);
}

/* ---- The sink. */

void ndl_chrome_trace_event(void *ctx, const ndl_trace_event *ev) {
  ndl_chrome_trace *t = ctx;
  char name[NAME_CAP + 16], kind[NAME_CAP];
  uint64_t ns, reg_ns;
  int tid;

  if (t == NULL)
    return;
  if (t->next != NULL)
    t->next(t->next_ctx, ev);
  pthread_mutex_lock(&t->lock);
  ns = now_of(t, ev);
  tid = tid_of(ev->thread);
  name_thread(t, tid, ev->thread);
  switch (ev->kind) {
  case NDL_TRACE_TICK:
    close_tick(t, ns);
    snprintf(name, sizeof(name), "tick %" PRIu64, ev->tick);
    slice(t, 'B', name, LOOP_TID, ns);
    t->open_tick = 1;
    t->tick = ev->tick;
    break;
  case NDL_TRACE_PHASE:
    /* The process events come after the last iteration, outside it. */
    if (ev->phase == NDL_PHASE_BEFORE_EXIT || ev->phase == NDL_PHASE_EXIT)
      close_tick(t, ns);
    else
      close_phase(t, ns);
    slice(t, 'B', ndl_phase_name(ev->phase), LOOP_TID, ns);
    t->open_phase = 1;
    t->phase = (int)ev->phase;
    break;
  case NDL_TRACE_REGISTER:
    remember(t, ev->id, ns);
    if (ev->cb_kind == NDL_CB_TIMEOUT || ev->cb_kind == NDL_CB_INTERVAL) {
      snprintf(name, sizeof(name), "set %s %" PRIu32,
               ndl_cb_kind_name(ev->cb_kind), ev->id);
      emit(t,
           "{\"name\":\"%s\",\"ph\":\"i\",\"s\":\"t\",\"ts\":%.3f,"
           "\"pid\":1,\"tid\":%d}",
           name, (double)ns / 1000.0, LOOP_TID);
    }
    break;
  case NDL_TRACE_CANCEL:
    take(t, ev->id, &reg_ns);
    break;
  case NDL_TRACE_CB_START:
    if (take(t, ev->id, &reg_ns))
      add_flow(t, reg_ns, ns);
    /* fall through */
  case NDL_TRACE_CB_END:
    snprintf(name, sizeof(name), "%s %" PRIu32, ndl_cb_kind_name(ev->cb_kind),
             ev->id);
    slice(t, ev->kind == NDL_TRACE_CB_START ? 'B' : 'E', name, LOOP_TID, ns);
    break;
  case NDL_TRACE_WORK_START:
  case NDL_TRACE_WORK_DONE:
    snprintf(name, sizeof(name), "%s %" PRIu32,
             json_text(kind, sizeof(kind), ev->text != NULL ? ev->text : "task",
                       NAME_MAX_TEXT),
             ev->id);
    slice(t, ev->kind == NDL_TRACE_WORK_START ? 'B' : 'E', name, tid, ns);
    break;
  case NDL_TRACE_PRINT:
  case NDL_TRACE_CONTENT:
    print_event(t, ev, tid, ns);
    break;
  case NDL_TRACE_FINISHED:
    close_tick(t, ns);
    break;
  default:
    break;
  }
  pthread_mutex_unlock(&t->lock);
}

int ndl_chrome_trace_open(const char *path, ndl_chrome_trace **out) {
  ndl_chrome_trace *t;
  if (path == NULL || out == NULL)
    return NDL_EINVAL;
  if ((t = ndl__calloc(1, sizeof(*t))) == NULL)
    return NDL_ENOMEM;
  if ((t->f = fopen(path, "w")) == NULL) {
    int err = -errno;
    ndl__free(t);
    return err;
  }
  pthread_mutex_init(&t->lock, NULL);
  t->first = 1;
  fputs("{\"displayTimeUnit\":\"ms\",\"traceEvents\":[", t->f);
  *out = t;
  return 0;
}

void ndl_chrome_trace_attach(ndl_chrome_trace *t, const ndl_loop *loop) {
  if (t != NULL)
    t->loop = loop;
}

void ndl_chrome_trace_chain(ndl_chrome_trace *t, ndl_trace_fn next,
                            void *next_ctx) {
  if (t != NULL) {
    t->next = next;
    t->next_ctx = next_ctx;
  }
}

int ndl_chrome_trace_close(ndl_chrome_trace *t) {
  int err = 0;
  if (t == NULL)
    return 0;
  if (t->flows_len > 0) {
    /* The stored text starts with a comma; the first event may not. */
    const char *text = t->flows;
    if (t->first)
      text += 2;
    if (fputs(text, t->f) < 0)
      t->failed = 1;
  }
  if (fputs("\n]}\n", t->f) < 0)
    t->failed = 1;
  if (fclose(t->f) != 0 || t->failed)
    err = NDL_EIO;
  pthread_mutex_destroy(&t->lock);
  ndl__free(t->pending);
  ndl__free(t->flows);
  ndl__free(t);
  return err;
}
