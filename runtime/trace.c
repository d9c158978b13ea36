/*
 * Trace helpers that touch the outside world: events from pool threads, and
 * the printers, which write to a FILE. They live outside core/ because the
 * core makes no I/O of its own.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "nodeloop.h"

/* Upper-cases a label into buf, as the seed's descr.to_uppercase(). */
static const char *upper(const char *s, char *buf, size_t cap) {
  size_t i;
  for (i = 0; s[i] != '\0' && i + 1 < cap; i++)
    buf[i] = (s[i] >= 'a' && s[i] <= 'z') ? (char)(s[i] - 'a' + 'A') : s[i];
  buf[i] = '\0';
  return buf;
}

/* Each event is one fprintf call, so lines from pool threads never
 * interleave mid-line (stdio locks the FILE per call). */
void ndl_trace_print_seed_style(void *file, const ndl_trace_event *ev) {
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

static const char *const trace_names[] = {
    "register", "cancel",    "tick",    "phase", "cb_start", "cb_end",
    "work_start", "work_done", "print", "content", "note",   "finished"};
static const char *const phase_names[] = {
    "main", "timers", "pending", "idle_prepare", "poll", "check", "close"};
static const char *const kind_names[] = {
    "timeout", "interval", "immediate", "next_tick", "microtask",
    "work",    "io",       "pending",   "close",     "-"};

void ndl_trace_print_verbose(void *file, const ndl_trace_event *ev) {
  FILE *f = file != NULL ? file : stdout;
  fprintf(f, "%10.3f %-6s tick=%-4" PRIu64 " %-12s %-10s %-9s id=%-6" PRIu32
             " %s\n",
          (double)ev->now_ns / 1e6, ev->thread, ev->tick,
          phase_names[ev->phase], trace_names[ev->kind],
          kind_names[ev->cb_kind], ev->id, ev->text != NULL ? ev->text : "");
}
