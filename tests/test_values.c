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
