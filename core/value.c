/* The tagged value a callback receives: undefined, string, int or error. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "alloc.h"
#include "nodeloop.h"

void ndl_value_clear(ndl_value *v) {
  if (v == NULL)
    return;
  if (v->kind == NDL_STRING)
    ndl__free(v->as.str.ptr);
  else if (v->kind == NDL_ERROR)
    ndl__free(v->as.err.msg);
  memset(v, 0, sizeof(*v));
  v->kind = NDL_UNDEFINED;
}

void ndl_value_set_undefined(ndl_value *v) {
  ndl_value_clear(v);
}

void ndl_value_set_int(ndl_value *v, int64_t i) {
  if (v == NULL)
    return;
  ndl_value_clear(v);
  v->kind = NDL_INT;
  v->as.i = i;
}

/* The error value that stands in when an allocation for a value fails. Its
 * message is static, so it needs no allocation itself. */
static void set_enomem(ndl_value *v) {
  ndl_value_clear(v);
  v->kind = NDL_ERROR;
  v->as.err.code = NDL_ENOMEM;
  v->as.err.msg = NULL;
  v->as.err.syscall = NULL;
}

int ndl_value_set_string(ndl_value *v, const char *s, size_t len) {
  char *copy;
  /* NULL s is refused even with len 0: memcpy from NULL is undefined. */
  if (v == NULL || s == NULL)
    return NDL_EINVAL;
  if ((copy = ndl__strndup(s, len)) == NULL) {
    set_enomem(v);
    return NDL_ENOMEM;
  }
  ndl_value_clear(v);
  v->kind = NDL_STRING;
  v->as.str.ptr = copy;
  v->as.str.len = len;
  return 0;
}

int ndl_value_set_error(ndl_value *v, int code, const char *fmt, ...) {
  char buf[512];
  va_list ap;
  int n;
  char *msg;

  if (v == NULL || fmt == NULL)
    return NDL_EINVAL;
  va_start(ap, fmt);
  n = vsnprintf(buf, sizeof(buf), fmt, ap);
  va_end(ap);
  if (n < 0)
    buf[0] = '\0';
  msg = ndl__strndup(buf, strlen(buf));
  if (msg == NULL) {
    set_enomem(v);
    return NDL_ENOMEM;
  }
  ndl_value_clear(v);
  v->kind = NDL_ERROR;
  v->as.err.code = code < 0 ? code : NDL_EINVAL;
  v->as.err.msg = msg;
  v->as.err.syscall = NULL;
  return 0;
}
