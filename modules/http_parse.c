/*
 * The HTTP client's parsers (http_parse.h): the URL, and the response as it
 * arrives, resuming where the previous read stopped. What they accept
 * follows Node's llhttp (docs/semantics.md, "HTTP").
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/alloc.h"
#include "http_parse.h"
#include "nodeloop.h"

/* A chunk-size line (hex size and extensions) longer than this is an
 * error. It bounds the rescan of an unfinished line on each read. */
#define MAX_CHUNK_LINE 4096u

/* ---- URL: http://host[:port][/path][?query][#fragment], host may be [v6]. */

static int has_control(const char *p, size_t n) {
  size_t i;
  for (i = 0; i < n; i++)
    if ((unsigned char)p[i] <= ' ' || p[i] == 0x7f)
      return 1;
  return 0;
}

int ndl__http_parse_url(const char *url, char *host, size_t host_cap, int *port,
                        char *path, size_t path_cap) {
  const char *p, *host_end, *rest;
  size_t n;
  long v;

  if (url == NULL || strncmp(url, "http://", 7) != 0)
    return NDL_BADURL;
  p = url + 7;
  if (*p == '[') {
    host_end = strchr(p, ']');
    if (host_end == NULL)
      return NDL_BADURL;
    p++;
    rest = host_end + 1;
  } else {
    host_end = p + strcspn(p, ":/?#");
    rest = host_end;
  }
  n = (size_t)(host_end - p);
  if (n == 0 || n >= host_cap || has_control(p, n))
    return NDL_BADURL;
  memcpy(host, p, n);
  host[n] = '\0';
  *port = 80;
  if (*rest == ':') {
    /* Digits only: strtol would take " 80", "+80" and "-0". */
    for (v = 0, rest++; isdigit((unsigned char)*rest) && v <= 65535; rest++)
      v = v * 10 + (*rest - '0');
    if (v < 1 || v > 65535 || !isdigit((unsigned char)rest[-1]))
      return NDL_BADURL;
    *port = (int)v;
  }
  if (*rest != '/' && *rest != '?' && *rest != '#' && *rest != '\0')
    return NDL_BADURL;
  /* The fragment is the client's own: it is never sent (RFC 9110 4.2.4,
   * and Node drops it from the request line too). */
  n = strcspn(rest, "#");
  if (has_control(rest, n))
    return NDL_BADURL;
  if (*rest != '/') {
    if (n + 2 > path_cap)
      return NDL_BADURL;
    *path++ = '/';
  } else if (n + 1 > path_cap) {
    return NDL_BADURL;
  }
  memcpy(path, rest, n);
  path[n] = '\0';
  return 0;
}

/* ---- Response parsing: a state machine fed the growing buffer. */

enum state {
  S_HEAD,       /* looking for the end of a head */
  S_LENGTH,     /* a body of content_length bytes */
  S_CLOSE,      /* a body delimited by the end of the stream */
  S_CHUNK_SIZE, /* a chunk-size line */
  S_CHUNK_DATA, /* chunk_left bytes of a chunk */
  S_CHUNK_END,  /* the CRLF after a chunk */
  S_TRAILERS,   /* trailer lines, until an empty one */
  S_DONE
};

void ndl__http_response_init(struct ndl__http_response *r) {
  memset(r, 0, sizeof(*r));
  r->state = S_HEAD;
}

static enum ndl__http_result malformed(struct ndl__http_response *r,
                                       const char *why) {
  snprintf(r->why, sizeof(r->why), "%s", why);
  return NDL__HTTP_MALFORMED;
}

static int is_tchar(unsigned char c) {
  return c > ' ' && c < 0x7f && strchr("\"(),/:;<=>?@[\\]{}", c) == NULL;
}

static int name_is(const char *name, size_t len, const char *want) {
  return strlen(want) == len && strncasecmp(name, want, len) == 0;
}

/* "HTTP/1.x SSS[ reason]": exactly three digits, as llhttp wants. */
static int status_line(const char *p, size_t n, int *status) {
  if (n < 12 || memcmp(p, "HTTP/1.", 7) != 0 || !isdigit((unsigned char)p[7]) ||
      p[8] != ' ' || !isdigit((unsigned char)p[9]) ||
      !isdigit((unsigned char)p[10]) || !isdigit((unsigned char)p[11]) ||
      (n > 12 && p[12] != ' '))
    return -1;
  *status = (p[9] - '0') * 100 + (p[10] - '0') * 10 + (p[11] - '0');
  return *status >= 100 && *status <= 599 ? 0 : -1;
}

/* Content-Length: digits only (llhttp rejects "+2", " 2 2" and "2,2"), at
 * most NDL__HTTP_MAX_RESPONSE, and every copy of the header the same. */
static const char *content_length(struct ndl__http_response *r, const char *v,
                                  size_t n) {
  uint64_t len = 0;
  size_t i;
  if (n == 0)
    return "bad Content-Length";
  for (i = 0; i < n; i++) {
    if (!isdigit((unsigned char)v[i]))
      return "bad Content-Length";
    len = len * 10 + (uint64_t)(v[i] - '0');
    if (len > NDL__HTTP_MAX_RESPONSE)
      return "Content-Length above the 64 MiB limit";
  }
  if (r->has_length && len != r->content_length)
    return "differing Content-Length headers";
  r->has_length = 1;
  r->content_length = len;
  return NULL;
}

/* Transfer-Encoding: the body is chunked when the last coding is. */
static void transfer_encoding(struct ndl__http_response *r, const char *v,
                              size_t n) {
  const char *last = v;
  size_t i;
  for (i = 0; i < n; i++)
    if (v[i] == ',')
      last = v + i + 1;
  n -= (size_t)(last - v);
  while (n > 0 && (*last == ' ' || *last == '\t')) {
    last++;
    n--;
  }
  r->chunked = name_is(last, n, "chunked");
}

/* The head buf[head_start, end), its last line's CRLF included: the status
 * line, then "name: value" lines, each ending in CRLF. */
static const char *parse_head(struct ndl__http_response *r, const char *buf,
                              size_t end) {
  const char *p = buf + r->head_start, *stop = buf + end;
  const char *eol = memchr(p, '\n', (size_t)(stop - p)), *why;
  int status;

  if (eol == NULL || eol == p || eol[-1] != '\r' ||
      status_line(p, (size_t)(eol - 1 - p), &status) != 0)
    return "bad status line";
  r->status = status;
  r->has_length = 0;
  r->chunked = 0;
  for (p = eol + 1; p < stop; p = eol + 1) {
    const char *colon, *v, *line_end;
    eol = memchr(p, '\n', (size_t)(stop - p));
    if (eol == NULL || eol == p || eol[-1] != '\r')
      return "header line not ended by CRLF";
    line_end = eol - 1;
    if (line_end == p)
      break; /* the empty line: the head's end */
    colon = memchr(p, ':', (size_t)(line_end - p));
    if (colon == NULL || colon == p)
      return "bad header line";
    for (v = p; v < colon; v++)
      if (!is_tchar((unsigned char)*v))
        return "bad header name";
    for (v = colon + 1; v < line_end && (*v == ' ' || *v == '\t'); v++)
      ;
    while (line_end > v && (line_end[-1] == ' ' || line_end[-1] == '\t'))
      line_end--;
    if (name_is(p, (size_t)(colon - p), "Content-Length")) {
      if ((why = content_length(r, v, (size_t)(line_end - v))) != NULL)
        return why;
    } else if (name_is(p, (size_t)(colon - p), "Transfer-Encoding")) {
      transfer_encoding(r, v, (size_t)(line_end - v));
    }
  }
  /* Both: a request-smuggling vector, which llhttp rejects. */
  if (r->chunked && r->has_length)
    return "both Content-Length and chunked Transfer-Encoding";
  return NULL;
}

/* Reads one head; on its end picks how the body is delimited. 1xx interim
 * responses (but 101) are skipped, as Node does. */
static enum ndl__http_result read_head(struct ndl__http_response *r,
                                       const char *buf, size_t len, int eof) {
  size_t from = r->scan > r->head_start ? r->scan : r->head_start;
  /* buf is NULL when the stream ended before any byte arrived. */
  const char *end =
      len - from >= 4 ? memmem(buf + from, len - from, "\r\n\r\n", 4) : NULL;
  const char *why;
  size_t head_end;

  if (end == NULL) {
    /* Resume 3 bytes back: the terminator may straddle two reads. */
    r->scan = len - from >= 3 ? len - 3 : from;
    if (len - r->head_start > NDL__HTTP_MAX_HEAD)
      return malformed(r, "response head larger than 16 KiB");
    if (eof)
      return malformed(r, "connection closed inside the headers");
    return NDL__HTTP_NEED_MORE;
  }
  head_end = (size_t)(end - buf) + 4;
  if (head_end - r->head_start > NDL__HTTP_MAX_HEAD)
    return malformed(r, "response head larger than 16 KiB");
  if ((why = parse_head(r, buf, head_end)) != NULL)
    return malformed(r, why);
  r->pos = head_end;
  r->body_start = head_end;
  r->body_len = 0;
  if (r->status < 200 && r->status != 101) {
    r->head_start = r->scan = head_end;
    return NDL__HTTP_NEED_MORE; /* the caller loops */
  }
  if (r->status == 101 || r->status == 204 || r->status == 304)
    r->state = S_DONE; /* no body, whatever the headers say */
  else if (r->chunked)
    r->state = S_CHUNK_SIZE;
  else if (r->has_length)
    r->state = S_LENGTH;
  else
    r->state = S_CLOSE;
  return NDL__HTTP_COMPLETE; /* the head, not the response */
}

/* A chunk-size line: 1 to 16 hex digits, optional whitespace, optional
 * ";extensions", CRLF. Returns NULL, or why it is bad; *size on success. */
static const char *chunk_size(const char *p, const char *line_end,
                              uint64_t *size) {
  unsigned digits = 0;
  uint64_t v = 0;
  for (; p < line_end && isxdigit((unsigned char)*p); p++) {
    if (++digits > 16)
      return "chunk size too large";
    v = v << 4 | (uint64_t)(isdigit((unsigned char)*p)
                                ? *p - '0'
                                : tolower((unsigned char)*p) - 'a' + 10);
  }
  if (digits == 0)
    return "bad chunk size";
  while (p < line_end && (*p == ' ' || *p == '\t'))
    p++;
  if (p < line_end && *p != ';')
    return "bad chunk size";
  if (v > NDL__HTTP_MAX_RESPONSE)
    return "chunk size too large";
  *size = v;
  return NULL;
}

/* Decodes chunks in place: each chunk's data moves down to the end of the
 * body decoded so far, so the body is contiguous from body_start. Every
 * byte is moved at most once, and the bounds are checked before any copy:
 * a chunk size is at most NDL__HTTP_MAX_RESPONSE and only the bytes that
 * are there are copied. */
static enum ndl__http_result dechunk(struct ndl__http_response *r, char *buf,
                                     size_t len, int eof) {
  for (;;) {
    const char *nl, *why;
    uint64_t size;
    size_t take, from;
    switch (r->state) {
    case S_CHUNK_SIZE:
    case S_TRAILERS:
      from = r->scan > r->pos ? r->scan : r->pos;
      nl = memchr(buf + from, '\n', len - from);
      if (nl == NULL) {
        r->scan = len; /* the next read's search starts here */
        /* The line will be at least one byte longer than what is here. */
        if (r->state == S_CHUNK_SIZE && len - r->pos >= MAX_CHUNK_LINE)
          return malformed(r, "chunk size line too long");
        if (r->state == S_TRAILERS &&
            r->trailer_bytes + (len - r->pos) >= NDL__HTTP_MAX_HEAD)
          return malformed(r, "trailers larger than 16 KiB");
        goto need_more;
      }
      if (nl == buf + r->pos || nl[-1] != '\r')
        return malformed(r, "chunk line not ended by CRLF");
      if (r->state == S_CHUNK_SIZE &&
          (size_t)(nl + 1 - (buf + r->pos)) > MAX_CHUNK_LINE)
        return malformed(r, "chunk size line too long");
      if (r->state == S_TRAILERS) {
        r->trailer_bytes += (size_t)(nl + 1 - (buf + r->pos));
        if (r->trailer_bytes > NDL__HTTP_MAX_HEAD)
          return malformed(r, "trailers larger than 16 KiB");
        if (nl - 1 == buf + r->pos) {
          r->pos += 2;
          r->state = S_DONE;
          return NDL__HTTP_COMPLETE;
        }
        r->pos = (size_t)(nl + 1 - buf); /* a trailer: ignored */
        break;
      }
      if ((why = chunk_size(buf + r->pos, nl - 1, &size)) != NULL)
        return malformed(r, why);
      r->pos = (size_t)(nl + 1 - buf);
      r->chunk_left = size;
      r->state = size == 0 ? S_TRAILERS : S_CHUNK_DATA;
      break;
    case S_CHUNK_DATA:
      take =
          len - r->pos < r->chunk_left ? len - r->pos : (size_t)r->chunk_left;
      memmove(buf + r->body_start + r->body_len, buf + r->pos, take);
      r->body_len += take;
      r->pos += take;
      r->chunk_left -= take;
      if (r->chunk_left > 0)
        goto need_more;
      r->state = S_CHUNK_END;
      break;
    case S_CHUNK_END:
      if (len - r->pos < 2)
        goto need_more;
      if (buf[r->pos] != '\r' || buf[r->pos + 1] != '\n')
        return malformed(r, "chunk not followed by CRLF");
      r->pos += 2;
      r->state = S_CHUNK_SIZE;
      break;
    default:
      return NDL__HTTP_COMPLETE;
    }
  }
need_more:
  return eof ? malformed(r, "connection closed inside a chunk")
             : NDL__HTTP_NEED_MORE;
}

enum ndl__http_result ndl__http_response_parse(struct ndl__http_response *r,
                                               char *buf, size_t len, int eof) {
  enum ndl__http_result res;
  while (r->state == S_HEAD) {
    size_t start = r->head_start;
    if ((res = read_head(r, buf, len, eof)) != NDL__HTTP_COMPLETE &&
        (res != NDL__HTTP_NEED_MORE || r->head_start == start))
      return res;
  }
  switch (r->state) {
  case S_LENGTH:
    if (len - r->pos >= r->content_length) {
      r->body_len = (size_t)r->content_length;
      r->state = S_DONE;
      return NDL__HTTP_COMPLETE;
    }
    return eof ? malformed(r, "body shorter than Content-Length")
               : NDL__HTTP_NEED_MORE;
  case S_CLOSE:
    if (!eof)
      return NDL__HTTP_NEED_MORE;
    r->body_len = len - r->pos;
    r->state = S_DONE;
    return NDL__HTTP_COMPLETE;
  case S_DONE:
    return NDL__HTTP_COMPLETE;
  default:
    return dechunk(r, buf, len, eof);
  }
}
