/*
 * The demo's modules on the sim backend. The pool work and the web call go
 * through the same public API as the real modules (ndl_queue_work,
 * ndl_io_start); only what they do inside is modelled: a read returns
 * NDL_DEMO_TEXT after 1000 virtual ms, and the web call's socket is a
 * scripted fd that becomes readable after delay_ms.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "demo.h"

static void read_text(void *arg, ndl_value *result) {
  (void)arg;
  ndl_value_set_string(result, NDL_DEMO_TEXT, strlen(NDL_DEMO_TEXT));
}

static int sim_fs_read(ndl_loop *loop, struct ndl_demo_env *env, ndl_cb cb,
                       void *arg) {
  (void)env;
  return ndl_queue_work(loop, "File read", NDL_DEMO_READ_DELAY_MS, read_text,
                        cb, arg, NULL);
}

/* The CPU-bound task itself is not the point on the sim, which models its
 * duration instead of spending it, so fib is computed iteratively. */
struct encrypt_call {
  int64_t n;
  ndl_cb cb;
  void *arg;
};

static void fib_iterative(void *arg, ndl_value *result) {
  const struct encrypt_call *call = arg;
  int64_t a = 0, b = 1, i;
  for (i = 0; i < call->n; i++) {
    int64_t t = a + b;
    a = b;
    b = t;
  }
  ndl_value_set_int(result, a);
}

static void encrypt_done(ndl_loop *loop, const ndl_value *v, void *arg) {
  struct encrypt_call *call = arg;
  call->cb(loop, v, call->arg);
  free(call);
}

static int sim_encrypt(ndl_loop *loop, struct ndl_demo_env *env, int64_t n,
                       ndl_cb cb, void *arg) {
  struct encrypt_call *call;
  int err;
  (void)env;
  if (n < 0 || n > 90 || cb == NULL)
    return NDL_EINVAL;
  if ((call = malloc(sizeof(*call))) == NULL)
    return NDL_ENOMEM;
  call->n = n;
  call->cb = cb;
  call->arg = arg;
  err = ndl_queue_work(loop, "Encrypt", 0, fib_iterative, encrypt_done, call,
                       NULL);
  if (err)
    free(call);
  return err;
}

struct web_call {
  ndl_cb cb;
  void *arg;
  ndl_id watch;
  char body[256];
};

static void web_ready(ndl_loop *loop, const ndl_value *events, void *arg) {
  struct web_call *call = arg;
  ndl_value body;
  (void)events;
  ndl_io_stop(loop, call->watch);
  memset(&body, 0, sizeof(body));
  ndl_value_set_string(&body, call->body, strlen(call->body));
  call->cb(loop, &body, call->arg);
  ndl_value_clear(&body);
  free(call);
}

static int sim_http_get_slow(ndl_loop *loop, struct ndl_demo_env *env,
                             const char *url, int delay_ms, ndl_cb cb,
                             void *arg) {
  /* Numbers far above any real fd; the sim owns no real fd. */
  int fd = (1 << 20) + env->sim_next_fd++, err;
  struct web_call *call;

  call = calloc(1, sizeof(*call));
  if (call == NULL)
    return NDL_ENOMEM;
  call->cb = cb;
  call->arg = arg;
  snprintf(call->body, sizeof(call->body), NDL_DEMO_SLOW_BODY_FMT, delay_ms,
           url);
  err = ndl_io_start(loop, fd, NDL_READABLE, web_ready, call, &call->watch);
  if (err == 0)
    err = ndl_sim_script_ready(loop, fd, NDL_READABLE,
                               ndl_now(loop) + (uint64_t)delay_ms);
  if (err != 0) {
    ndl_io_stop(loop, call->watch);
    free(call);
  }
  return err;
}

void ndl_demo_sim_env(struct ndl_demo_env *env) {
  memset(env, 0, sizeof(*env));
  env->fs_read = sim_fs_read;
  env->encrypt = sim_encrypt;
  env->http_get_slow = sim_http_get_slow;
}
