/*
 * The JavaScript back end: a program as a Node script. Each op becomes the
 * call program.h names; a callback's children are its body, in order.
 */
#include "js.h"

static void body(const struct dp_prog *p, int parent, int depth, FILE *f);

static void line(FILE *f, int depth, const char *text) {
  fprintf(f, "%*s%s\n", depth * 2, "", text);
}

/* A TCP op, with Node's defaults: the server's socket ends when the
 * client's has (allowHalfOpen false), and each socket is destroyed once
 * both of its sides have ended. The echo (DH_END_DATA) prints as it did
 * before the variants came, hadError left out of its close line. */
static void tcp(const struct dp_prog *p, int i, int d, FILE *f) {
  const struct dp_op *o = &p->op[i];
  int in = d + 1;
  line(f, d, "{");
  if (o->how == DH_REFUSED) {
    /* Closed without a callback (server.close()'s is semantics.md
     * difference 3): the port is free when close() returns. */
    fprintf(f, "%*sconst srv = net.createServer();\n", in * 2, "");
    fprintf(f, "%*ssrv.listen(0, '127.0.0.1', () => {\n", in * 2, "");
    fprintf(f, "%*sconst port = srv.address().port;\n", (in + 1) * 2, "");
    fprintf(f, "%*ssrv.close();\n", (in + 1) * 2, "");
    fprintf(f,
            "%*sconst c = net.connect(port, '127.0.0.1', () => "
            "log('k%d connect'));\n",
            (in + 1) * 2, "", i);
  } else {
    fprintf(f,
            "%*sconst srv = net.createServer((s) => "
            "s.on('data', (b) => s.write(b)));\n",
            in * 2, "");
    fprintf(f, "%*ssrv.listen(0, '127.0.0.1', () => {\n", in * 2, "");
    fprintf(f,
            "%*sconst c = net.connect(srv.address().port, '127.0.0.1', "
            "() => {\n",
            (in + 1) * 2, "");
    fprintf(f, "%*slog('k%d connect');\n", (in + 2) * 2, "", i);
    if (o->how == DH_END_DATA)
      fprintf(f, "%*sc.end('x'.repeat(%u));\n", (in + 2) * 2, "",
              (unsigned)o->count);
    else if (o->count > 0)
      fprintf(f, "%*sc.write('x'.repeat(%u));\n", (in + 2) * 2, "",
              (unsigned)o->count);
    if (o->how == DH_WRITE_END)
      fprintf(f, "%*sc.end();\n", (in + 2) * 2, "");
    fprintf(f, "%*s});\n", (in + 1) * 2, "");
    fprintf(f, "%*slet got = 0;\n", (in + 1) * 2, "");
    fprintf(f, "%*sc.on('data', (b) => { got += b.length; });\n", (in + 1) * 2,
            "");
    if (o->how == DH_END_ON_ECHO)
      fprintf(f, "%*sc.once('data', () => c.end());\n", (in + 1) * 2, "");
    fprintf(f, "%*sc.on('end', () => log('k%d end ' + got));\n", (in + 1) * 2,
            "", i);
  }
  fprintf(f, "%*sc.on('error', (e) => log('k%d ' + e.code));\n", (in + 1) * 2,
          "", i);
  if (o->how == DH_END_DATA) {
    fprintf(f, "%*sc.on('close', () => {\n", (in + 1) * 2, "");
    fprintf(f, "%*slog('k%d close');\n", (in + 2) * 2, "", i);
  } else {
    fprintf(f, "%*sc.on('close', (hadError) => {\n", (in + 1) * 2, "");
    fprintf(f, "%*slog('k%d close ' + hadError);\n", (in + 2) * 2, "", i);
  }
  if (o->how != DH_REFUSED)
    fprintf(f, "%*ssrv.close();\n", (in + 2) * 2, "");
  body(p, i, in + 2, f);
  fprintf(f, "%*s});\n", (in + 1) * 2, "");
  fprintf(f, "%*s});\n", in * 2, "");
  line(f, d, "}");
}

static void op(const struct dp_prog *p, int i, int d, FILE *f) {
  const struct dp_op *o = &p->op[i];
  int in = d + 1;
  switch (o->kind) {
  case DK_TIMEOUT:
    fprintf(f, "%*sh%d = setTimeout(() => {\n", d * 2, "", i);
    fprintf(f, "%*slog('t%d');\n", in * 2, "", i);
    body(p, i, in, f);
    fprintf(f, "%*s}, %u);\n", d * 2, "", (unsigned)o->delay_ms);
    if (o->unref)
      fprintf(f, "%*sh%d.unref();\n", d * 2, "", i);
    break;
  case DK_INTERVAL:
    /* Each instance counts its own calls and clears itself. */
    line(f, d, "{");
    fprintf(f, "%*slet calls = 0;\n", in * 2, "");
    fprintf(f, "%*sconst h = setInterval(() => {\n", in * 2, "");
    fprintf(f, "%*scalls++;\n", (in + 1) * 2, "");
    fprintf(f, "%*slog('v%d.' + calls);\n", (in + 1) * 2, "", i);
    body(p, i, in + 1, f);
    fprintf(f, "%*sif (calls === %u) clearInterval(h);\n", (in + 1) * 2, "",
            (unsigned)o->count);
    fprintf(f, "%*s}, %u);\n", in * 2, "", (unsigned)o->delay_ms);
    fprintf(f, "%*sh%d = h;\n", in * 2, "", i);
    if (o->unref)
      fprintf(f, "%*sh.unref();\n", in * 2, "");
    line(f, d, "}");
    break;
  case DK_IMMEDIATE:
  case DK_NEXT_TICK:
  case DK_MICROTASK:
    fprintf(f, "%*s%s(() => {\n", d * 2, "",
            o->kind == DK_IMMEDIATE   ? "setImmediate"
            : o->kind == DK_NEXT_TICK ? "process.nextTick"
                                      : "queueMicrotask");
    fprintf(f, "%*slog('%c%d');\n", in * 2, "",
            o->kind == DK_IMMEDIATE   ? 'm'
            : o->kind == DK_NEXT_TICK ? 'n'
                                      : 'q',
            i);
    body(p, i, in, f);
    line(f, d, "});");
    break;
  case DK_PROMISE: {
    unsigned k;
    line(f, d, "Promise.resolve()");
    for (k = 1; k <= o->count; k++) {
      fprintf(f, "%*s.then(() => {\n", in * 2, "");
      fprintf(f, "%*slog('p%d.%u');\n", (in + 1) * 2, "", i, k);
      if (k == o->count)
        body(p, i, in + 1, f);
      fprintf(f, "%*s})%s\n", in * 2, "", k == o->count ? ";" : "");
    }
    break;
  }
  case DK_BUSY:
    fprintf(f, "%*sbusy(%u);\n", d * 2, "", (unsigned)o->delay_ms);
    break;
  case DK_CLEAR:
    fprintf(f, "%*sclearTimeout(h%d);\n", d * 2, "", o->target);
    break;
  case DK_UNREF:
  case DK_REF:
    fprintf(f, "%*sif (h%d) h%d.%s();\n", d * 2, "", o->target, o->target,
            o->kind == DK_UNREF ? "unref" : "ref");
    break;
  case DK_FS_READ:
    fprintf(f, "%*sfs.readFile(dir + '/%s', (err, data) => {\n", d * 2, "",
            dp_file_name(o->count));
    fprintf(f, "%*slog('f%d ' + (err ? err.code : data.length));\n", in * 2, "",
            i);
    body(p, i, in, f);
    line(f, d, "});");
    break;
  case DK_TCP:
    tcp(p, i, d, f);
    break;
  case DK_CRYPTO:
    fprintf(f, "%*scrypto.pbkdf2('k', 's', 1, 8, 'sha256', () => {\n", d * 2,
            "");
    fprintf(f, "%*slog('c%d');\n", in * 2, "", i);
    body(p, i, in, f);
    line(f, d, "});");
    break;
  default:
    break;
  }
}

static void body(const struct dp_prog *p, int parent, int depth, FILE *f) {
  int i;
  for (i = parent + 1; i < p->n; i++)
    if (p->op[i].parent == parent)
      op(p, i, depth, f);
}

void dp_emit_js(const struct dp_prog *p, const char *fixture_dir, FILE *f) {
  int i, any = 0;
  fprintf(f, "'use strict';\n"
             "// Generated by nodeloop-diff (tools/diff/).\n"
             "const fs = require('fs');\n"
             "const crypto = require('crypto');\n"
             "const net = require('net');\n"
             "const log = (s) => console.log(s);\n"
             "function busy(ms) {\n"
             "  const end = performance.now() + ms;\n"
             "  while (performance.now() < end);\n"
             "}\n");
  fprintf(f, "const dir = '%s';\n", fixture_dir);
  for (i = 0; i < p->n; i++)
    if (dp_kind_is_timer(p->op[i].kind)) {
      fprintf(f, "%s h%d", any ? "," : "let", i);
      any = 1;
    }
  if (any)
    fprintf(f, ";\n");
  body(p, -1, 0, f);
}
