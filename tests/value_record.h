/*
 * What a callback received, kept for the assertions after ndl_run(): the
 * tests that drive a module (HTTP, fs) to its callback share it.
 */
#ifndef NDL_TESTS_VALUE_RECORD_H
#define NDL_TESTS_VALUE_RECORD_H

#include <stdio.h>

#include "nodeloop.h"

struct value_record {
  int calls;
  ndl_value_kind kind;
  int code;       /* an error's code */
  size_t len;     /* a string's length */
  char text[512]; /* a string, or an error's message, cut to fit */
};

static inline void value_record(struct value_record *r, const ndl_value *v) {
  r->calls++;
  r->kind = v->kind;
  if (v->kind == NDL_STRING) {
    r->len = v->as.str.len;
    snprintf(r->text, sizeof(r->text), "%s", v->as.str.ptr);
  } else if (v->kind == NDL_ERROR) {
    r->code = v->as.err.code;
    snprintf(r->text, sizeof(r->text), "%s",
             v->as.err.msg != NULL ? v->as.err.msg : "");
  }
}

/* An ndl_cb whose arg is a struct value_record. */
static inline void value_record_cb(ndl_loop *loop, const ndl_value *v,
                                   void *arg) {
  (void)loop;
  value_record(arg, v);
}

#endif
