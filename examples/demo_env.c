/*
 * The modules the demo calls, for each backend. Both use the library's own
 * modules: ndl_fs_read reads test.txt through the platform (the real disk,
 * or the sim's, where test.txt is declared), and the web call is an
 * ndl_http_get to the embedded slow server (over loopback, or over the
 * sim's network inside the same loop). Only the CPU-bound encrypt differs:
 * the sim models the duration of work instead of spending it, so there fib
 * is computed iteratively.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "demo.h"
#include "nodeloop_net.h"

static int read_test_txt(ndl_loop *loop, struct ndl_demo_env *env, ndl_cb cb,
                         void *arg) {
  return ndl_fs_read(loop, env->path, NDL_DEMO_READ_DELAY_MS, cb, arg);
}

struct web_call {
  struct ndl_demo_env *env;
  ndl_cb cb;
  void *arg;
};

/* A server inside the loop closes after the demo's one web call, so that
 * the loop ends by itself, in the same run. */
static void web_call_done(ndl_loop *loop, const ndl_value *v, void *arg) {
  struct web_call *call = arg;
  call->cb(loop, v, call->arg);
  ndl_slow_server_close(call->env->server);
  call->env->server = NULL;
  free(call);
}

/* The chapter asked slowwly.robertomurray.co.uk for /delay/<ms>/url/<url>;
 * here the same request goes to the embedded server. */
static int get_slow(ndl_loop *loop, struct ndl_demo_env *env, const char *url,
                    int delay_ms, ndl_cb cb, void *arg) {
  struct web_call *call;
  char full[512];
  int err;
  snprintf(full, sizeof(full), "http://127.0.0.1:%d/delay/%d/url/%s", env->port,
           delay_ms, url);
  if (env->server == NULL)
    return ndl_http_get(loop, full, cb, arg);
  if ((call = malloc(sizeof(*call))) == NULL)
    return NDL_ENOMEM;
  call->env = env;
  call->cb = cb;
  call->arg = arg;
  if ((err = ndl_http_get(loop, full, web_call_done, call)) != 0)
    free(call);
  return err;
}

static int encrypt_recursive(ndl_loop *loop, struct ndl_demo_env *env,
                             int64_t n, ndl_cb cb, void *arg) {
  (void)env;
  return ndl_crypto_encrypt(loop, n, cb, arg);
}

void ndl_demo_real_env(struct ndl_demo_env *env, const char *path, int port) {
  memset(env, 0, sizeof(*env));
  env->fs_read = read_test_txt;
  env->encrypt = encrypt_recursive;
  env->http_get_slow = get_slow;
  env->path = path;
  env->port = port;
}

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

static int encrypt_iterative(ndl_loop *loop, struct ndl_demo_env *env,
                             int64_t n, ndl_cb cb, void *arg) {
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

int ndl_demo_sim_env(ndl_loop *loop, struct ndl_demo_env *env) {
  struct ndl_slow_server *server;
  int port, err;
  if ((err = ndl_sim_file(loop, "test.txt", NDL_DEMO_TEXT,
                          strlen(NDL_DEMO_TEXT))) != 0 ||
      (err = ndl_slow_server_open(loop, &server, &port)) != 0)
    return err;
  ndl_demo_real_env(env, "test.txt", port);
  env->encrypt = encrypt_iterative;
  env->server = server;
  return 0;
}
