/*
 * The chapter's javascript(): the same prints, in the same registration order.
 * A module that fails hands its callback an error value, which the program
 * prints, where the chapter would have panicked.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "demo.h"

static struct ndl_demo_env *env_of(void *arg) {
  return arg;
}

/* Prints an error value and counts it in the environment (arg). */
static int report_error(ndl_loop *loop, const ndl_value *v, void *arg) {
  if (v->kind != NDL_ERROR)
    return 0;
  env_of(arg)->failed++;
  ndl_print(loop, "Error: %s",
            v->as.err.msg != NULL ? v->as.err.msg
                                  : ndl_strerror(v->as.err.code));
  return 1;
}

static void encrypted(ndl_loop *loop, const ndl_value *v, void *arg) {
  (void)arg;
  if (report_error(loop, v, arg))
    return;
  ndl_print(loop, "\"Encrypted\" number is: %" PRId64, v->as.i);
}

static void first_read(ndl_loop *loop, const ndl_value *v, void *arg) {
  struct ndl_demo_env *env = env_of(arg);
  if (report_error(loop, v, arg))
    return;
  ndl_print(loop, "First count: %zu characters.", v->as.str.len);
  ndl_print(loop, "I want to create a \"magic\" number based on the text.");
  if (env->encrypt(loop, env, (int64_t)v->as.str.len, encrypted, env) != 0)
    env->errors++;
}

static void immediate1(ndl_loop *loop, const ndl_value *v, void *arg) {
  (void)v;
  (void)arg;
  ndl_print(loop, "Immediate1 timed out");
}

static void immediate2(ndl_loop *loop, const ndl_value *v, void *arg) {
  (void)v;
  (void)arg;
  ndl_print(loop, "Immediate2 timed out");
}

static void third_read(ndl_loop *loop, const ndl_value *v, void *arg) {
  (void)arg;
  if (report_error(loop, v, arg))
    return;
  ndl_print_content(loop, "file read", v->as.str.ptr);
}

static void second_read(ndl_loop *loop, const ndl_value *v, void *arg) {
  struct ndl_demo_env *env = env_of(arg);
  if (report_error(loop, v, arg))
    return;
  ndl_print(loop, "Second count: %zu characters.", v->as.str.len);
  ndl_print(loop, "Third call to read test.txt");
  if (env->fs_read(loop, env, third_read, env) != 0)
    env->errors++;
}

static void nested_500(ndl_loop *loop, const ndl_value *v, void *arg) {
  (void)v;
  (void)arg;
  ndl_print(loop, "500ms timer(nested) timed out");
}

static void timer_3000(ndl_loop *loop, const ndl_value *v, void *arg) {
  struct ndl_demo_env *env = env_of(arg);
  (void)v;
  ndl_print(loop, "3000ms timer timed out");
  if (ndl_set_timeout(loop, 500, nested_500, env, NULL) != 0)
    env->errors++;
}

static void timer_1000(ndl_loop *loop, const ndl_value *v, void *arg) {
  (void)v;
  (void)arg;
  ndl_print(loop, "SETTIMEOUT");
}

/* The chapter trims the response before printing it. */
static void web_call(ndl_loop *loop, const ndl_value *v, void *arg) {
  char buf[4096];
  size_t start = 0, end;
  (void)arg;
  if (report_error(loop, v, arg))
    return;
  end = v->as.str.len < sizeof(buf) - 1 ? v->as.str.len : sizeof(buf) - 1;
  while (start < end && strchr(" \t\r\n", v->as.str.ptr[start]) != NULL)
    start++;
  while (end > start && strchr(" \t\r\n", v->as.str.ptr[end - 1]) != NULL)
    end--;
  memcpy(buf, v->as.str.ptr + start, end - start);
  buf[end - start] = '\0';
  ndl_print_content(loop, "web call", buf);
}

void ndl_demo_javascript(ndl_loop *loop, void *arg) {
  struct ndl_demo_env *env = env_of(arg);
  int failed = 0;

  ndl_print(loop, "First call to read test.txt");
  failed |= env->fs_read(loop, env, first_read, env);

  ndl_print(loop, "Registering immediate timeout 1");
  failed |= ndl_set_timeout(loop, 0, immediate1, env, NULL);
  ndl_print(loop, "Registering immediate timeout 2");
  failed |= ndl_set_timeout(loop, 0, immediate2, env, NULL);

  /* Let's read the file again and display the text. */
  ndl_print(loop, "Second call to read test.txt");
  failed |= env->fs_read(loop, env, second_read, env);

  ndl_print(loop, "Registering a 3000 and a 500 ms timeout");
  failed |= ndl_set_timeout(loop, 3000, timer_3000, env, NULL);

  ndl_print(loop, "Registering a 1000 ms timeout");
  failed |= ndl_set_timeout(loop, 1000, timer_1000, env, NULL);

  /* http_get_slow lets us define the latency we want to simulate. */
  ndl_print(loop, "Registering http get request to google.com");
  failed |= env->http_get_slow(loop, env, "http//www.google.com", 2000,
                               web_call, env);
  if (failed)
    env->errors++;
}

int ndl_demo_summary(ndl_loop *loop, FILE *out) {
  ndl_stats st;
  ndl_get_stats(loop, &st);
  fprintf(out,
          "callbacks=%" PRIu64 " lost=%" PRIu64 " duplicated=%" PRIu64 "\n",
          st.callbacks, st.lost, st.duplicated);
  return st.lost != 0 || st.duplicated != 0;
}
