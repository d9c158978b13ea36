/*
 * Differential programs: a tree of operations whose order Node defines, run
 * by Node (as the JavaScript that js.c writes) and by nodeloop (interp.c).
 *
 * The tree is a flat array. Op i runs when its parent's callback runs (in
 * main when parent is -1); siblings run in index order, and a parent always
 * comes before its children. A callback runs its children every time it is
 * called, so an interval runs them once per call. Every callback prints one
 * line naming its op: "t3" (timeout), "v3.2" (interval, second call), "m3"
 * (immediate), "n3" (nextTick), "q3" (queueMicrotask), "p3.1" (first link
 * of a promise chain), "f3 12" or "f3 ENOENT" (fs.readFile), "c3" (crypto
 * work on the pool), and for a TCP echo three lines, "k3 connect",
 * "k3 end 1200" (the bytes that came back) and "k3 close" ("k3 close
 * false" in the variants, which print Node's hadError). Busy, clear, ref
 * and unref print nothing.
 *
 * A TCP op listens on 127.0.0.1 and connects once 'listening' comes (a
 * nextTick). Its client ends its side as `how` says (enum dp_tcp_how):
 * the echo sends count bytes with end(data), the shutdown variants write
 * them and call end() without data; it reads the echo to its end and
 * closes; the server echoes and ends when the client has. The refused
 * variant closes the listener and connects to its port: "k3 ECONNREFUSED"
 * and "k3 close true". The children run in the client's close callback
 * (the close phase), after the listener is closed.
 *
 * A promise chain's children run in its last link. An interval clears
 * itself at the end of its count-th call. Clear, ref and unref name an
 * earlier timer op and act on its latest instance, when it has one.
 */
#ifndef NDL_TOOLS_DIFF_PROGRAM_H
#define NDL_TOOLS_DIFF_PROGRAM_H

#include <stdint.h>
#include <stdio.h>

#define DP_MAX_OPS 24
/* A program that would print more lines than this is not generated. */
#define DP_MAX_LINES 200

enum dp_kind {
  DK_TIMEOUT,   /* delay_ms; unref */
  DK_INTERVAL,  /* delay_ms, count calls; unref */
  DK_IMMEDIATE, /* setImmediate */
  DK_NEXT_TICK, /* process.nextTick */
  DK_MICROTASK, /* queueMicrotask */
  DK_PROMISE,   /* Promise.resolve().then(...) count links */
  DK_BUSY,      /* the current callback computes for delay_ms */
  DK_CLEAR,     /* clearTimeout(target's latest instance) */
  DK_UNREF,     /* target's latest instance .unref() */
  DK_REF,       /* target's latest instance .ref() */
  DK_FS_READ,   /* fs.readFile of fixture `count` (the last is missing) */
  DK_CRYPTO,    /* one task of CPU work on the pool */
  DK_TCP,       /* a TCP echo of count bytes over loopback; how */
  DK_COUNT
};

/* How a TCP op's client ends its side, or whether it connects at all. */
enum dp_tcp_how {
  DH_END_DATA,    /* c.end(data) on connect: the echo as it came first */
  DH_WRITE_END,   /* c.write(data) (none when count is 0), then c.end() */
  DH_END_ON_ECHO, /* c.write(data) on connect; c.end() at the first echo */
  DH_REFUSED,     /* srv.close(), then a connect to its port: refused */
  DH_COUNT
};

struct dp_op {
  uint8_t kind;  /* enum dp_kind */
  uint8_t unref; /* timers: unref'd right after setting */
  uint8_t how;   /* DK_TCP: enum dp_tcp_how */
  int16_t parent;
  int16_t target; /* clear, ref, unref: an earlier timer op */
  uint32_t delay_ms;
  uint32_t count;
};

struct dp_prog {
  int n;
  struct dp_op op[DP_MAX_OPS];
};

/* The fixtures fs.readFile reads: DP_FILES names, of which the last does
 * not exist (its read fails with ENOENT). */
#define DP_FILES 3
/* Fixture i's name ("a.txt"), relative to the fixture folder. */
const char *dp_file_name(unsigned i);

/* The kind's name ("timeout"). */
const char *dp_kind_name(int kind);
/* Whether ops of this kind have a callback, so they may have children. */
int dp_kind_has_callback(int kind);
/* Whether the kind is a timer (a clear, ref or unref may name it). */
int dp_kind_is_timer(int kind);

/* The lines the program prints at most: each op's calls, multiplied by
 * the calls of the callbacks it runs in. */
uint64_t dp_max_lines(const struct dp_prog *p);

/* Prints the tree, one op per line, indented under its parent. */
void dp_print(const struct dp_prog *p, FILE *f);

/* Removes op i and its subtree, and every clear, ref or unref naming a
 * removed op; renumbers parents and targets. */
void dp_remove(struct dp_prog *p, int i);

#endif
