/*
 * What both backends share: numeric addresses, and the trace events of pool
 * work, which a backend emits from the thread that runs it (a pool thread
 * on Linux, the loop thread on the sim).
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "platform.h"

void ndl__platform_trace_work(struct ndl__platform *p, ndl_trace_kind kind,
                              const struct ndl__work *w, const char *thread,
                              uint64_t now_ns) {
  ndl_trace_event ev;
  if (p->trace == NULL)
    return;
  memset(&ev, 0, sizeof(ev));
  ev.kind = kind;
  ev.thread = thread;
  ev.now_ns = now_ns;
  ev.phase = NDL_PHASE_POLL;
  ev.cb_kind = NDL_CB_WORK;
  ev.id = w->id;
  ev.text = w->kind;
  p->trace(p->trace_ctx, &ev);
}

/* inet_pton() is a parser, not a system call: the sim uses it too. */
int ndl__addr_parse(const char *host, int port, struct ndl__addr *out) {
  if (port < 0 || port > 65535)
    return NDL_EINVAL;
  memset(out, 0, sizeof(*out));
  out->port = (uint16_t)port;
  if (inet_pton(AF_INET, host, out->ip) == 1) {
    out->family = 4;
    return 0;
  }
  if (inet_pton(AF_INET6, host, out->ip) == 1) {
    out->family = 6;
    return 0;
  }
  return NDL_EAI;
}

#ifndef NDL_HAVE_URING
/* A build without liburing (cmake -DNDL_IO_URING=OFF) has no io_uring
 * backend, and says so as a kernel that refuses io_uring would. */
static int no_uring(char *why, size_t cap) {
  if (why != NULL && cap > 0)
    snprintf(why, cap,
             "this nodeloop was built without io_uring "
             "(NDL_IO_URING=OFF: no liburing)");
  return NDL_ENOTSUP;
}

int ndl__uring_new(const ndl_options *opts, unsigned threads,
                   struct ndl__platform **out, char *why, size_t cap) {
  (void)opts;
  (void)threads;
  if (out != NULL)
    *out = NULL;
  return no_uring(why, cap);
}

int ndl__uring_check(char *why, size_t cap) {
  return no_uring(why, cap);
}
#endif
