/*
 * Trace helpers that touch the outside world: events from pool threads, and
 * the printers, which write to a FILE. They live outside core/ because the
 * core makes no I/O of its own.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "nodeloop.h"

/* Upper-cases a label into buf, as the chapter's descr.to_uppercase(). */
static const char *upper(const char *s, char *buf, size_t cap) {
  size_t i;
  for (i = 0; s[i] != '\0' && i + 1 < cap; i++)
    buf[i] = (s[i] >= 'a' && s[i] <= 'z') ? (char)(s[i] - 'a' + 'A') : s[i];
  buf[i] = '\0';
  return buf;
}

/* Each event is one fprintf call, so lines from pool threads never
 * interleave mid-line (stdio locks the FILE per call). */
void ndl_trace_print_chapter_style(void *file, const ndl_trace_event *ev) {
  FILE *f = file != NULL ? file : stdout;
  char label[64];

  switch (ev->kind) {
  case NDL_TRACE_PRINT:
  case NDL_TRACE_NOTE:
    fprintf(f, "Thread: %s\t %s\n", ev->thread, ev->text);
    break;
  case NDL_TRACE_CONTENT:
    fprintf(f,
            "\n===== THREAD %s START CONTENT - %s =====\n%s\n===== END "
            "CONTENT =====\n\n",
            ev->thread, upper(ev->label, label, sizeof(label)), ev->text);
    break;
  case NDL_TRACE_TICK:
    fprintf(f, "Thread: %s\t ===== TICK %" PRIu64 " =====\n", ev->thread,
            ev->tick);
    break;
  case NDL_TRACE_REGISTER:
    if (ev->cb_kind == NDL_CB_TIMEOUT || ev->cb_kind == NDL_CB_INTERVAL)
      fprintf(f, "Thread: %s\t Registered timer event id: %" PRIu32 "\n",
              ev->thread, ev->id);
    else if (ev->cb_kind == NDL_CB_IO)
      fprintf(f, "Thread: %s\t Event with id: %" PRIu32 " registered.\n",
              ev->thread, ev->id);
    break;
  case NDL_TRACE_WORK_START:
    fprintf(f, "Thread: %s\t recived a task of type: %s\n", ev->thread,
            ev->text);
    break;
  case NDL_TRACE_WORK_DONE:
    fprintf(f, "Thread: %s\t finished running a task of type: %s.\n",
            ev->thread, ev->text);
    break;
  case NDL_TRACE_FINISHED:
    fprintf(f, "Thread: %s\t FINISHED\n", ev->thread);
    break;
  default:
    break;
  }
}

/* The name tables, generated from the X-macros in nodeloop.h: one spelling
 * of each name, for every writer. */
#define NAME(name, text) text,
static const char *const trace_names[] = {NDL_TRACE_KIND_MAP(NAME)};
static const char *const phase_names[] = {NDL_PHASE_MAP(NAME)};
static const char *const cb_kind_names[] = {NDL_CB_KIND_MAP(NAME)};
#undef NAME

_Static_assert(sizeof(phase_names) / sizeof(phase_names[0]) == NDL_PHASE_COUNT,
               "one name per phase");
_Static_assert(sizeof(cb_kind_names) / sizeof(cb_kind_names[0]) ==
                   NDL_CB_KIND_COUNT,
               "one name per callback kind");

const char *ndl_phase_name(ndl_phase phase) {
  return (unsigned)phase < NDL_PHASE_COUNT ? phase_names[phase] : "?";
}

const char *ndl_cb_kind_name(ndl_cb_kind kind) {
  if (kind == NDL_CB_KIND_COUNT)
    return "-";
  return (unsigned)kind < NDL_CB_KIND_COUNT ? cb_kind_names[kind] : "?";
}

static const char *trace_kind_name(ndl_trace_kind kind) {
  return (unsigned)kind < sizeof(trace_names) / sizeof(trace_names[0])
             ? trace_names[kind]
             : "?";
}

/* The verbose printer's columns are as wide as the longest name in each
 * table: a union of one char array per name has the largest size. */
#define WIDTH(name, text) char w_##name[sizeof(text) - 1];
union phase_width {
  NDL_PHASE_MAP(WIDTH)
};
union trace_kind_width {
  NDL_TRACE_KIND_MAP(WIDTH)
};
union cb_kind_width {
  NDL_CB_KIND_MAP(WIDTH)
};
#undef WIDTH

void ndl_trace_print_verbose(void *file, const ndl_trace_event *ev) {
  FILE *f = file != NULL ? file : stdout;
  fprintf(f,
          "%10.3f %-6s tick=%-4" PRIu64 " %-*s %-*s %-*s id=%-6" PRIu32 " %s\n",
          (double)ev->now_ns / 1e6, ev->thread, ev->tick,
          (int)sizeof(union phase_width), ndl_phase_name(ev->phase),
          (int)sizeof(union trace_kind_width), trace_kind_name(ev->kind),
          (int)sizeof(union cb_kind_width), ndl_cb_kind_name(ev->cb_kind),
          ev->id, ev->text != NULL ? ev->text : "");
}
