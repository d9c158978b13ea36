/*
 * What both backends share: numeric addresses, and the trace events of pool
 * work, which a backend emits from the thread that runs it (a pool thread
 * on Linux, the loop thread on the sim).
 */
#include <arpa/inet.h>
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
