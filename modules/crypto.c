/*
 * ndl_crypto_encrypt(): the chapter's Crypto::encrypt, a deliberately slow
 * CPU-bound task (naive recursive Fibonacci) that shows the pool keeping
 * the loop responsive.
 */
#include "core/alloc.h"
#include "nodeloop.h"
#include "runtime/runtime.h"

/* fib(50) fits in int64_t, but the naive recursion makes about 2 * fib(n)
 * calls: fib(45) already takes seconds, fib(50) a minute or more, which
 * looks like a hang. 45 keeps every accepted n under a few seconds. */
#define FIB_MAX 45

struct crypto_req {
  ndl_cb cb;
  void *arg;
  int64_t n;
};

/* The chapter's recursion, kept naive on purpose: the point is the cost. */
static int64_t fib(int64_t n) {
  return n < 2 ? n : fib(n - 1) + fib(n - 2);
}

/* Runs on a pool thread. */
static void crypto_work(void *arg, ndl_value *result) {
  const struct crypto_req *req = arg;
  ndl_value_set_int(result, fib(req->n));
}

/* Runs on the loop thread; frees the request before the user's callback,
 * as fs_done() does. */
static void crypto_done(ndl_loop *loop, const ndl_value *value, void *arg) {
  struct crypto_req *req = arg;
  ndl_cb cb = req->cb;
  void *user_arg = req->arg;

  ndl__free(req);
  cb(loop, value, user_arg);
}

int ndl_crypto_encrypt(ndl_loop *loop, int64_t n, ndl_cb cb, void *arg) {
  struct crypto_req *req;
  ndl_id id;
  int err;

  if (loop == NULL || cb == NULL || n < 0 || n > FIB_MAX)
    return NDL_EINVAL;
  if ((req = ndl__malloc(sizeof(*req))) == NULL)
    return NDL_ENOMEM;
  req->cb = cb;
  req->arg = arg;
  req->n = n;
  err = ndl_queue_work(loop, "Encrypt", 0, crypto_work, crypto_done, req, &id);
  if (err) {
    ndl__free(req);
    return err;
  }
  /* If the loop is freed before crypto_done runs, the request goes too. */
  return ndl__set_release(loop, id, ndl__free);
}
