/*
 * What a callback received, kept for the assertions after ndl_run(): the
 * tests that drive a module (HTTP, fs) to its callback share it.
 */
#ifndef NDL_TESTS_VALUE_RECORD_H
#define NDL_TESTS_VALUE_RECORD_H

#include "helpers.h"

struct value_record {
  int calls;
  ndl_value_kind kind;
  int code;       /* an error's code */
  size_t len;     /* a string's length */
  char text[512]; /* a string, or an error's message, cut to fit */
};

static inline void value_record(struct value_record *r, const ndl_value *v) {
  r->calls++;
  copy_value(v, &r->kind, &r->code, r->text, sizeof(r->text), &r->len);
}

/* An ndl_cb whose arg is a struct value_record. */
static inline void value_record_cb(ndl_loop *loop, const ndl_value *v,
                                   void *arg) {
  (void)loop;
  value_record(arg, v);
}

#endif
