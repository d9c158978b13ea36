/*
 * The check phase against I/O and timers, clearImmediate, fs errors, and an
 * overloaded pool. Node's fs.readFile is ndl_fs_read(), crypto.pbkdf2 is
 * ndl_crypto_encrypt(), and zlib.deflate is a task of our own through
 * ndl_queue_work(): three kinds of pool work.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conformance.h"

static void read_file(ndl_loop *loop, const char *path, ndl_cb cb) {
  CONF_OK(ndl_fs_read(loop, path, 0, cb, NULL));
}

static void immediate(ndl_loop *loop, const char *text) {
  CONF_OK(ndl_set_immediate(loop, conf_say, (void *)text, NULL));
}

static void timeout0(ndl_loop *loop, const char *text) {
  CONF_OK(ndl_set_timeout(loop, 0, conf_say, (void *)text, NULL));
}

/* ---- Check against timers. */

static void io_both(ndl_loop *loop, const ndl_value *v, void *arg) {
  (void)v;
  (void)arg;
  conf_log("read");
  timeout0(loop, "timeout");
  immediate(loop, "immediate");
}

static void immediate_in_io(ndl_loop *loop, void *arg) {
  (void)arg;
  read_file(loop, "immediate_in_io_before_timeout.js", io_both);
}

static void i1_queues_i3(ndl_loop *loop, const ndl_value *v, void *arg) {
  (void)v;
  (void)arg;
  conf_log("I1");
  immediate(loop, "I3 from I1");
  conf_busy(loop, 5);
}

static void io_immediates(ndl_loop *loop, const ndl_value *v, void *arg) {
  (void)v;
  (void)arg;
  conf_log("read");
  timeout0(loop, "timeout");
  CONF_OK(ndl_set_immediate(loop, i1_queues_i3, NULL, NULL));
  immediate(loop, "I2");
}

static void immediate_from_immediate(ndl_loop *loop, void *arg) {
  (void)arg;
  read_file(loop, "immediate_from_immediate_next_iteration.js", io_immediates);
}

static void i1_sets_timer(ndl_loop *loop, const ndl_value *v, void *arg) {
  (void)v;
  (void)arg;
  conf_log("I1");
  immediate(loop, "I2 from I1");
  timeout0(loop, "timeout from I1");
  CONF_OK(ndl_next_tick(loop, conf_say, "tick from I1"));
  conf_busy(loop, 5);
}

static void timer_from_check(ndl_loop *loop, void *arg) {
  (void)arg;
  CONF_OK(ndl_set_immediate(loop, i1_sets_timer, NULL, NULL));
}

static void io_everything(ndl_loop *loop, const ndl_value *v, void *arg) {
  (void)v;
  (void)arg;
  conf_log("read");
  timeout0(loop, "timeout");
  immediate(loop, "immediate");
  CONF_OK(ndl_queue_microtask(loop, conf_say, "microtask"));
  CONF_OK(ndl_next_tick(loop, conf_say, "tick"));
}

static void io_ticks_then_phases(ndl_loop *loop, void *arg) {
  (void)arg;
  read_file(loop, "io_callback_ticks_then_phases.js", io_everything);
}

/* ---- clearImmediate. */

static ndl_id imm_b, imm_d;

static void imm_a(ndl_loop *loop, const ndl_value *v, void *arg) {
  (void)v;
  (void)arg;
  conf_log("A");
  CONF_OK(ndl_clear_immediate(loop, imm_b));
  CONF_OK(ndl_set_immediate(loop, conf_say, "D", &imm_d));
  immediate(loop, "E");
}

static void imm_c(ndl_loop *loop, const ndl_value *v, void *arg) {
  (void)v;
  (void)arg;
  conf_log("C");
  CONF_OK(ndl_clear_immediate(loop, imm_d));
}

static void clear_immediate_in_batch(ndl_loop *loop, void *arg) {
  (void)arg;
  CONF_OK(ndl_set_immediate(loop, imm_a, NULL, NULL));
  CONF_OK(ndl_set_immediate(loop, conf_say, "B", &imm_b));
  CONF_OK(ndl_set_immediate(loop, imm_c, NULL, NULL));
}

/* ---- fs errors, read one after the other so their order is fixed. */

static void got_file(ndl_loop *loop, const ndl_value *v, void *arg) {
  (void)loop;
  (void)arg;
  if (v->kind == NDL_STRING)
    conf_log("file: %zu bytes", v->as.str.len);
  else
    conf_log("file: %s", ndl_err_name(v->as.err.code));
}

/* Node's err.message and err.syscall. */
static void log_error_text(const ndl_value *v) {
  conf_log("message: %s", v->as.err.msg != NULL ? v->as.err.msg : "");
  conf_log("syscall: %s", v->as.err.syscall != NULL ? v->as.err.syscall : "");
}

static void got_directory(ndl_loop *loop, const ndl_value *v, void *arg) {
  (void)arg;
  if (v->kind != NDL_ERROR) {
    conf_log("directory: no error");
  } else {
    conf_log("directory: %s", ndl_err_name(v->as.err.code));
    log_error_text(v);
  }
  read_file(loop, "fs_errors.js", got_file);
}

static void got_missing(ndl_loop *loop, const ndl_value *v, void *arg) {
  (void)arg;
  if (v->kind != NDL_ERROR) {
    conf_log("missing: no error");
  } else {
    conf_log("missing: %s", ndl_err_name(v->as.err.code));
    log_error_text(v);
  }
  read_file(loop, ".", got_directory);
}

static void fs_errors(ndl_loop *loop, void *arg) {
  (void)arg;
  read_file(loop, "no-such-file.txt", got_missing);
}

/* ---- The pool, overloaded: 24 tasks, 4 threads. */

#define POOL_EACH 8
#define POOL_TASKS (3 * POOL_EACH)

static char pool_done[POOL_TASKS][64];
static unsigned pool_count;

static void completed(ndl_loop *loop, const char *fmt, int i, const char *r) {
  conf_log("completion");
  if (pool_count < POOL_TASKS)
    snprintf(pool_done[pool_count], sizeof(pool_done[0]), fmt, i, r);
  pool_count++;
  CONF_OK(ndl_next_tick(loop, conf_say, "tick"));
}

static void pool_read_done(ndl_loop *loop, const ndl_value *v, void *arg) {
  char bytes[32];
  if (v->kind == NDL_STRING)
    snprintf(bytes, sizeof(bytes), "%zu bytes", v->as.str.len);
  else
    snprintf(bytes, sizeof(bytes), "%s", ndl_err_name(v->as.err.code));
  completed(loop, "read %d: %s", (int)(intptr_t)arg, bytes);
}

static void pool_cpu_done(ndl_loop *loop, const ndl_value *v, void *arg) {
  completed(loop, "cpu %d: %s", (int)(intptr_t)arg,
            v->kind == NDL_INT ? "ok" : "error");
}

/* Stands for zlib.deflate of 64 KiB of one byte: some work over a buffer. */
static void deflate_work(void *arg, ndl_value *result) {
  unsigned char buf[65536];
  uint32_t sum = 0;
  size_t i;
  memset(buf, (int)(intptr_t)arg, sizeof(buf));
  for (i = 0; i < sizeof(buf); i++)
    sum = sum * 31u + buf[i];
  ndl_value_set_int(result, sum);
}

static void pool_work_done(ndl_loop *loop, const ndl_value *v, void *arg) {
  completed(loop, "work %d: %s", (int)(intptr_t)arg,
            v->kind == NDL_INT ? "ok" : "error");
}

static void pool_overload(ndl_loop *loop, void *arg) {
  intptr_t i;
  (void)arg;
  for (i = 0; i < POOL_EACH; i++) {
    CONF_OK(
        ndl_fs_read(loop, "pool_overload.js", 0, pool_read_done, (void *)i));
    CONF_OK(ndl_crypto_encrypt(loop, 20, pool_cpu_done, (void *)i));
    CONF_OK(ndl_queue_work(loop, "Deflate", 0, deflate_work, pool_work_done,
                           (void *)i, NULL));
  }
  conf_log("main done");
}

static int by_text(const void *a, const void *b) {
  return strcmp(a, b);
}

static void pool_summary(ndl_loop *loop) {
  unsigned i, n = pool_count < POOL_TASKS ? pool_count : POOL_TASKS;
  (void)loop;
  conf_log("%u completed", pool_count);
  qsort(pool_done, n, sizeof(pool_done[0]), by_text);
  for (i = 0; i < n; i++)
    conf_log("%s", pool_done[i]);
}

const struct conf_scenario conf_io_scenarios[] = {
    {"immediate_in_io_before_timeout", immediate_in_io, NULL},
    {"immediate_from_immediate_next_iteration", immediate_from_immediate, NULL},
    {"timer_from_check_phase", timer_from_check, NULL},
    {"io_callback_ticks_then_phases", io_ticks_then_phases, NULL},
    {"clear_immediate_in_batch", clear_immediate_in_batch, NULL},
    {"fs_errors", fs_errors, NULL},
    {"pool_overload", pool_overload, pool_summary},
    {NULL, NULL, NULL}};
