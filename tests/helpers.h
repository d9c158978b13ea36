/*
 * What several Criterion tests share: a loop on a real backend run to its
 * end and checked, the probes their callbacks fill, and fault plans set and
 * cleared. Each test program links helpers.c (tests/CMakeLists.txt).
 *
 * The names carry no prefix, as file-local helpers do: they are the names
 * the tests were written with, and nothing outside tests/ sees them.
 */
#ifndef NDL_TESTS_HELPERS_H
#define NDL_TESTS_HELPERS_H

#include <stddef.h>
#include <stdint.h>

#include "nodeloop.h"

#define MS 1000000ull

/* CLOCK_MONOTONIC, in ns: what the loop's clock is compared with. */
uint64_t mono_ns(void);

/* ---- A loop on a real-time backend: linux (epoll), or io_uring when
 * NODELOOP_BACKEND says so (ci/test runs the real-platform suites on
 * both). */

/* "io_uring" when NODELOOP_BACKEND=io_uring, else "linux". */
const char *real_backend(void);
/* A new loop with that many pool threads (0: the default); asserts that it
 * is on real_backend(). */
ndl_loop *new_loop(unsigned threads);
/* Runs loop until nothing is alive, asserts nothing was lost or duplicated,
 * and frees it. */
void run_and_free(ndl_loop *loop);
/* How many fds the process has open. */
int count_fds(void);

/* ---- Callbacks and what they record. */

/* Copies what a callback received: its kind, and a string's length and
 * text or an error's code and message; text is cut to cap bytes. */
void copy_value(const ndl_value *v, ndl_value_kind *kind, int *code, char *text,
                size_t cap, size_t *len);

struct timer_probe {
  uint64_t set_ns;
  int64_t delay_ms;
  uint64_t fired_ns;
  int fired;
};

/* arg: a struct timer_probe; stamps fired_ns and counts the call. */
void on_probe(ndl_loop *loop, const ndl_value *v, void *arg);

struct fs_result {
  int calls;
  ndl_value_kind kind;
  int code;
  char text[512];
  size_t len;
};

/* arg: a struct fs_result; copies the string or error it receives. */
void on_fs(ndl_loop *loop, const ndl_value *v, void *arg);

struct fib_case {
  int64_t n, want, got;
  int calls;
  ndl_value_kind kind;
};

/* arg: a struct fib_case; records ndl_crypto_encrypt's number. */
void on_fib(ndl_loop *loop, const ndl_value *v, void *arg);

/* Fails the test: for a watcher on a pipe nobody writes. */
void on_never(ndl_loop *loop, const ndl_value *v, void *arg);

/* arg: an int, incremented. */
void count_call(ndl_loop *loop, const ndl_value *v, void *arg);

/* ---- Fault plans (nodeloop_faults.h). */

/* A suite's .fini: no plan outlives its test. */
void clear_plan(void);
/* Asserts that spec is a valid plan, and makes it the plan (seed 1). */
void expect_good_plan(const char *spec);
/* The same, named for a test's set-up rather than its checks. */
void plan(const char *spec);
/* Blocks live in the fault layer's allocator (test builds count them). */
long in_use(void);

#endif /* NDL_TESTS_HELPERS_H */
