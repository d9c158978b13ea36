/* What several Criterion tests share (helpers.h). */
#include "helpers.h"

#include <criterion/criterion.h>
#include <dirent.h>
#include <stdio.h>
#include <time.h>

#include "faults/fault_points.h"
#include "nodeloop_faults.h"

uint64_t mono_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

const char *real_backend(void) {
  const char *env = getenv("NODELOOP_BACKEND");
  return env != NULL && strcmp(env, "io_uring") == 0 ? "io_uring" : "linux";
}

ndl_loop *new_loop(unsigned threads) {
  ndl_options opts;
  ndl_loop *loop = NULL;
  int err;

  ndl_options_init(&opts);
  opts.threadpool_size = threads;
  err = ndl_loop_new(&opts, &loop);
  cr_assert_eq(err, 0, "ndl_loop_new: %s", ndl_strerror(err));
  cr_assert_str_eq(ndl_backend_name(loop), real_backend());
  return loop;
}

void run_and_free(ndl_loop *loop) {
  ndl_stats st;
  int err = ndl_run(loop, NULL, NULL);
  cr_assert_eq(err, 0, "ndl_run: %s", ndl_strerror(err));
  ndl_get_stats(loop, &st);
  cr_assert_eq(st.lost, 0);
  cr_assert_eq(st.duplicated, 0);
  cr_assert_eq(ndl_loop_free(loop), 0);
}

int count_fds(void) {
  DIR *d = opendir("/proc/self/fd");
  struct dirent *e;
  int n = 0;
  cr_assert_not_null(d);
  while ((e = readdir(d)) != NULL)
    if (e->d_name[0] != '.')
      n++;
  closedir(d);
  return n; /* includes the fd of d itself, the same both times */
}

void copy_value(const ndl_value *v, ndl_value_kind *kind, int *code, char *text,
                size_t cap, size_t *len) {
  *kind = v->kind;
  if (v->kind == NDL_STRING) {
    *len = v->as.str.len;
    snprintf(text, cap, "%s", v->as.str.ptr);
  } else if (v->kind == NDL_ERROR) {
    *code = v->as.err.code;
    snprintf(text, cap, "%s", v->as.err.msg != NULL ? v->as.err.msg : "");
  }
}

void on_probe(ndl_loop *loop, const ndl_value *v, void *arg) {
  struct timer_probe *t = arg;
  (void)loop;
  (void)v;
  t->fired_ns = mono_ns();
  t->fired++;
}

void on_fs(ndl_loop *loop, const ndl_value *v, void *arg) {
  struct fs_result *r = arg;
  (void)loop;
  r->calls++;
  copy_value(v, &r->kind, &r->code, r->text, sizeof(r->text), &r->len);
}

void on_fib(ndl_loop *loop, const ndl_value *v, void *arg) {
  struct fib_case *c = arg;
  (void)loop;
  c->calls++;
  c->kind = v->kind;
  c->got = v->kind == NDL_INT ? v->as.i : -1;
}

void on_never(ndl_loop *loop, const ndl_value *v, void *arg) {
  (void)loop;
  (void)v;
  (void)arg;
  cr_assert_fail("a pipe nobody writes became ready");
}

void count_call(ndl_loop *loop, const ndl_value *v, void *arg) {
  (void)loop;
  (void)v;
  (*(int *)arg)++;
}

void clear_plan(void) {
  ndl_faults_clear();
}

void expect_good_plan(const char *spec) {
  char why[256] = "";
  cr_assert_eq(ndl_faults_plan(spec, 1, why, sizeof(why)), 0, "'%s': %s", spec,
               why);
}

void plan(const char *spec) {
  expect_good_plan(spec);
}

long in_use(void) {
  return ndl__alloc_live();
}
