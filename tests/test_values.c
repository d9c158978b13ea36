/*
 * Callback values (core/value.c): bad arguments are NDL_EINVAL, never a
 * crash.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "nodeloop.h"

static void never(ndl_loop *loop, const ndl_value *v, void *arg) {
  (void)loop;
  (void)v;
  (void)arg;
  cr_assert_fail("a refused callback ran");
}

/* B6: a NULL string was memcpy'd from (UBSan abort). */
Test(values, null_arguments_are_einval) {
  ndl_value v;
  ndl_loop *loop;
  memset(&v, 0, sizeof(v));
  cr_assert_eq(ndl_value_set_string(&v, NULL, 0), NDL_EINVAL);
  cr_assert_eq(ndl_value_set_string(&v, NULL, 5), NDL_EINVAL);
  cr_assert_eq(v.kind, NDL_UNDEFINED);
  cr_assert_eq(ndl_value_set_string(NULL, "x", 1), NDL_EINVAL);
  cr_assert_eq(ndl_value_set_error(NULL, NDL_EIO, "x"), NDL_EINVAL);
  cr_assert_eq(ndl_value_set_error(&v, NDL_EIO, NULL), NDL_EINVAL);
  cr_assert_eq(ndl_value_set_string(&v, "", 0), 0);
  cr_assert_eq(v.kind, NDL_STRING);
  cr_assert_str_eq(v.as.str.ptr, "");
  ndl_value_clear(&v);
  ndl_value_set_int(NULL, 1); /* no-ops */
  ndl_value_set_undefined(NULL);
  ndl_value_clear(NULL);

  /* A hand-built string value with no bytes: ndl_defer copies it. */
  cr_assert_eq(ndl_loop_new(NULL, &loop), 0);
  v.kind = NDL_STRING;
  v.as.str.ptr = NULL;
  v.as.str.len = 0;
  cr_assert_eq(ndl_defer(loop, &v, never, NULL, NULL), NDL_EINVAL);
  cr_assert_eq(ndl_run(loop, NULL, NULL), 0);
  cr_assert_eq(ndl_loop_free(loop), 0);
}

/* err.syscall: NULL from ndl_value_set_error(), and kept when the loop
 * copies the value (ndl_defer). */
static void got_copy(ndl_loop *loop, const ndl_value *v, void *arg) {
  (void)loop;
  *(int *)arg = 1;
  cr_assert_eq(v->kind, NDL_ERROR);
  cr_assert_eq(v->as.err.code, NDL_ECONNRESET);
  cr_assert_str_eq(v->as.err.msg, "read ECONNRESET");
  cr_assert_str_eq(v->as.err.syscall, "read");
}

Test(values, an_error_keeps_its_syscall_when_copied) {
  ndl_options opts;
  ndl_loop *loop;
  ndl_value v;
  int ran = 0;

  memset(&v, 0, sizeof(v));
  cr_assert_eq(ndl_value_set_error(&v, NDL_ECONNRESET, "read ECONNRESET"), 0);
  cr_assert_null(v.as.err.syscall);
  v.as.err.syscall = "read";
  ndl_options_init(&opts);
  opts.backend = NDL_BACKEND_SIM;
  cr_assert_eq(ndl_loop_new(&opts, &loop), 0);
  cr_assert_eq(ndl_defer(loop, &v, got_copy, &ran, NULL), 0);
  ndl_value_clear(&v);
  cr_assert_eq(ndl_run(loop, NULL, NULL), 0);
  cr_assert_eq(ran, 1);
  cr_assert_eq(ndl_loop_free(loop), 0);
}
