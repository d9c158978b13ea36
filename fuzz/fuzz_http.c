/*
 * The parsers that read untrusted text: the HTTP client's response parser
 * and URL parser (modules/http_parse.h) and the fault-plan parser
 * (faults/plan.h). The input's first byte picks one; the rest is its input.
 *
 * Response: parsed whole, and again fed in pieces (sizes from the second
 * byte) into a buffer reallocated to the exact length each time, so that
 * ASan catches a read past what has arrived. Both parses must agree, and a
 * complete body must lie inside the buffer.
 * URL: a success gives a host without blanks, a port from 1 to 65535 and a
 * path that starts with '/' and holds no fragment.
 * Plan: a success gives at most 64 entries on real points, with errnos
 * from 1 to 4095 and thresholds whose sum per point does not wrap; a
 * failure says why.
 */
#include <string.h>

#include "faults/fault_points.h"
#include "faults/plan.h"
#include "fuzz.h"
#include "modules/http_parse.h"
#include "nodeloop.h"

static char *cstring(const uint8_t *data, size_t size) {
  char *s = malloc(size + 1);
  size_t i, n = 0;
  CHECK(s != NULL, "out of memory");
  for (i = 0; i < size; i++)
    if (data[i] != 0)
      s[n++] = (char)data[i];
  s[n] = '\0';
  return s;
}

static void fuzz_url(const uint8_t *data, size_t size) {
  char *url = cstring(data, size), host[256], path[2048];
  int port = 0, err;
  const char *p;
  err = ndl__http_parse_url(url, host, sizeof(host), &port, path, sizeof(path));
  if (err == 0) {
    CHECK(host[0] != '\0', "empty host from '%s'", url);
    for (p = host; *p != '\0'; p++)
      CHECK((unsigned char)*p > ' ' && *p != 0x7f, "blank in host of '%s'",
            url);
    CHECK(port >= 1 && port <= 65535, "port %d from '%s'", port, url);
    CHECK(path[0] == '/', "path '%s' from '%s'", path, url);
    CHECK(strchr(path, '#') == NULL, "fragment in path '%s'", path);
    for (p = path; *p != '\0'; p++)
      CHECK((unsigned char)*p > ' ' && *p != 0x7f, "blank in path '%s'", path);
  } else {
    CHECK(err == NDL_BADURL, "error %d", err);
  }
  free(url);
}

static enum ndl__http_result parse_whole(const uint8_t *data, size_t size,
                                         struct ndl__http_response *r,
                                         char **body) {
  char *buf = malloc(size == 0 ? 1 : size);
  enum ndl__http_result res;
  CHECK(buf != NULL, "out of memory");
  memcpy(buf, data, size);
  ndl__http_response_init(r);
  res = ndl__http_response_parse(r, buf, size, 0);
  if (res == NDL__HTTP_NEED_MORE)
    res = ndl__http_response_parse(r, buf, size, 1);
  *body = buf;
  return res;
}

static void check_result(const struct ndl__http_response *r,
                         enum ndl__http_result res, size_t size) {
  CHECK(res != NDL__HTTP_NEED_MORE, "need more after the end of stream");
  if (res == NDL__HTTP_COMPLETE) {
    CHECK(r->status >= 101 && r->status <= 599, "status %d", r->status);
    CHECK(r->body_start <= size && r->body_len <= size - r->body_start,
          "body [%zu, +%zu) outside %zu bytes", r->body_start, r->body_len,
          size);
  } else {
    CHECK(r->why[0] != '\0', "malformed without a reason");
  }
}

static void fuzz_response(const uint8_t *data, size_t size) {
  struct ndl__http_response whole, split;
  enum ndl__http_result res_whole, res = NDL__HTTP_NEED_MORE;
  size_t step, have = 0;
  char *body, *buf = NULL;

  if (size == 0)
    return;
  step = 1 + data[0] % 64;
  data++;
  size--;
  res_whole = parse_whole(data, size, &whole, &body);
  check_result(&whole, res_whole, size);

  ndl__http_response_init(&split);
  while (res == NDL__HTTP_NEED_MORE && have < size) {
    size_t n = size - have < step ? size - have : step;
    char *grown = realloc(buf, have + n); /* exact: ASan sees overreads */
    CHECK(grown != NULL, "out of memory");
    buf = grown;
    memcpy(buf + have, data + have, n);
    have += n;
    res = ndl__http_response_parse(&split, buf, have, 0);
  }
  if (res == NDL__HTTP_NEED_MORE)
    res = ndl__http_response_parse(&split, buf, have, 1);
  check_result(&split, res, have);
  /* Pieces may end a response earlier than the whole does only when the
   * bytes after it are never looked at; the verdicts must match. */
  CHECK(res == res_whole, "whole %d, in pieces of %zu %d (%s | %s)", res_whole,
        step, res, whole.why, split.why);
  if (res == NDL__HTTP_COMPLETE) {
    CHECK(whole.status == split.status, "status %d vs %d", whole.status,
          split.status);
    CHECK(whole.body_len == split.body_len &&
              memcmp(body + whole.body_start, buf + split.body_start,
                     whole.body_len) == 0,
          "bodies differ (%zu vs %zu bytes)", whole.body_len, split.body_len);
  }
  free(body);
  free(buf);
}

static void fuzz_plan(const uint8_t *data, size_t size) {
  struct ndl__fault_entry e[NDL__FAULT_MAX_ENTRIES];
  uint64_t used[NDL__FP_COUNT];
  char *spec = cstring(data, size), why[256];
  unsigned n = 12345, i;
  int err;

  why[0] = '\0';
  err = ndl__faults_parse(spec, e, &n, why, sizeof(why));
  if (err != 0) {
    CHECK(err == NDL_BADFAULTS, "error %d for '%s'", err, spec);
    CHECK(why[0] != '\0', "no reason for '%s'", spec);
    free(spec);
    return;
  }
  CHECK(n <= NDL__FAULT_MAX_ENTRIES, "%u entries", n);
  memset(used, 0, sizeof(used));
  for (i = 0; i < n; i++) {
    CHECK(e[i].point < NDL__FP_COUNT, "point %u", e[i].point);
    if (ndl__fault_points[e[i].point].default_errno != 0)
      CHECK(e[i].info >= 0 && e[i].info <= 4095, "errno %ld in '%s'",
            (long)e[i].info, spec);
    if (e[i].nth == 0) {
      CHECK(e[i].threshold <= UINT64_MAX - used[e[i].point],
            "thresholds of %s wrap in '%s'", ndl__fault_points[e[i].point].name,
            spec);
      used[e[i].point] += e[i].threshold;
    }
  }
  free(spec);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size == 0)
    return 0;
  switch (data[0] % 3) {
  case 0:
    fuzz_url(data + 1, size - 1);
    break;
  case 1:
    fuzz_response(data + 1, size - 1);
    break;
  default:
    fuzz_plan(data + 1, size - 1);
    break;
  }
  return 0;
}
