/*
 * stress_server: the embedded slow server (examples/slow_server.h), which
 * runs its own loop on its own thread, serving concurrent ndl_http_get()
 * requests from the main thread's loop; two servers at a time, started and
 * stopped several times. In each round one request asks for an answer that
 * never comes in time: the servers are stopped (ndl_stop from the main
 * thread, while their loops run) with that request still open, and it must
 * end in an error rather than hang.
 *
 *   stress_server [quick|full]
 */
#include <stdio.h>

#include "examples/demo.h"
#include "examples/slow_server.h"
#include "nodeloop_net.h"
#include "stress.h"

#define SERVERS 2

struct request {
  struct round *round;
  char url[128];
  char expect[128]; /* the body, or "" for an error */
  int calls;
};

struct round {
  struct ndl_slow_server *servers[SERVERS];
  int ports[SERVERS];
  struct request *reqs;
  unsigned nreqs;
  unsigned answered; /* of the requests that get an answer */
  struct request hanging;
};

static void stop_servers(struct round *r) {
  unsigned i;
  for (i = 0; i < SERVERS; i++) {
    ndl_slow_server_stop(r->servers[i]);
    r->servers[i] = NULL;
  }
}

static void got(ndl_loop *loop, const ndl_value *v, void *arg) {
  struct request *q = arg;
  struct round *r = q->round;
  (void)loop;
  q->calls++;
  STRESS_CHECK(q->calls == 1, "%s: callback ran %d times", q->url, q->calls);
  if (q == &r->hanging) {
    STRESS_CHECK(v->kind == NDL_ERROR,
                 "%s: answered (kind %d) by a server that was stopped", q->url,
                 (int)v->kind);
    return;
  }
  if (q->expect[0] == '\0') {
    STRESS_CHECK(v->kind == NDL_ERROR && v->as.err.code == NDL_BADRESPONSE,
                 "%s: expected NDL_BADRESPONSE, got kind %d", q->url,
                 (int)v->kind);
  } else {
    STRESS_CHECK(v->kind == NDL_STRING, "%s: %s", q->url,
                 v->kind == NDL_ERROR ? v->as.err.msg : "not a string");
    STRESS_CHECK(strcmp(v->as.str.ptr, q->expect) == 0,
                 "%s: body '%s', expected '%s'", q->url, v->as.str.ptr,
                 q->expect);
  }
  /* Every answer is in: stop the servers with the hanging request open.
   * This blocks the loop thread for as long as the joins take. */
  if (++r->answered == r->nreqs)
    stop_servers(r);
}

static void send_all(ndl_loop *loop, void *arg) {
  struct round *r = arg;
  unsigned i;
  for (i = 0; i < r->nreqs; i++)
    STRESS_OK(ndl_http_get(loop, r->reqs[i].url, got, &r->reqs[i]));
  STRESS_OK(ndl_http_get(loop, r->hanging.url, got, &r->hanging));
}

static void one_round(unsigned round_no, unsigned nreqs) {
  struct round r;
  ndl_loop *loop;
  ndl_options opts;
  unsigned i;

  memset(&r, 0, sizeof(r));
  for (i = 0; i < SERVERS; i++)
    STRESS_OK(ndl_slow_server_start(&r.servers[i], &r.ports[i]));
  r.nreqs = nreqs;
  r.reqs = calloc(nreqs, sizeof(*r.reqs));
  STRESS_CHECK(r.reqs != NULL, "out of memory");
  for (i = 0; i < nreqs; i++) {
    struct request *q = &r.reqs[i];
    int port = r.ports[i % SERVERS];
    q->round = &r;
    switch (i % 4) {
    case 0: {
      char tag[16];
      snprintf(tag, sizeof(tag), "r%u", i);
      snprintf(q->url, sizeof(q->url), "http://127.0.0.1:%d/delay/%u/url/%s",
               port, i % 5, tag);
      snprintf(q->expect, sizeof(q->expect), NDL_DEMO_SLOW_BODY_FMT,
               (int)(i % 5), tag);
      break;
    }
    case 1:
      snprintf(q->url, sizeof(q->url), "http://127.0.0.1:%d/chunked/c%u-%u",
               port, round_no, i);
      snprintf(q->expect, sizeof(q->expect), "c%u-%u", round_no, i);
      break;
    case 2:
      snprintf(q->url, sizeof(q->url), "http://127.0.0.1:%d/close/x%u", port,
               i);
      snprintf(q->expect, sizeof(q->expect), "x%u", i);
      break;
    default:
      snprintf(q->url, sizeof(q->url), "http://127.0.0.1:%d/status/503", port);
      q->expect[0] = '\0';
      break;
    }
  }
  r.hanging.round = &r;
  snprintf(r.hanging.url, sizeof(r.hanging.url),
           "http://127.0.0.1:%d/delay/600000/url/never", r.ports[0]);

  ndl_options_init(&opts);
  opts.threadpool_size = 2;
  STRESS_OK(ndl_loop_new(&opts, &loop));
  STRESS_OK(ndl_run(loop, send_all, &r));
  STRESS_CHECK(r.answered == nreqs && r.hanging.calls == 1,
               "round %u: %u of %u answered, hanging request ended %d times",
               round_no, r.answered, nreqs, r.hanging.calls);
  for (i = 0; i < nreqs; i++)
    STRESS_CHECK(r.reqs[i].calls == 1, "%s: callback ran %d times",
                 r.reqs[i].url, r.reqs[i].calls);
  stress_check_stats(loop, "stress_server");
  STRESS_OK(ndl_loop_free(loop));
  free(r.reqs);
}

int main(int argc, char **argv) {
  int full = stress_full(argc, argv);
  unsigned rounds = full ? 12 : 3, nreqs = full ? 64 : 16, i;
  for (i = 0; i < rounds; i++)
    one_round(i, nreqs);
  printf("stress_server: %u rounds x %u requests: ok\n", rounds, nreqs);
  return 0;
}
