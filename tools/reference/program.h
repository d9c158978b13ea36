/*
 * Random programs for property tests: a program is plain data (a tree of
 * operations), so it can be printed, run against the core, run against the
 * reference model, and shrunk.
 *
 * The tree is a flat array. Op i runs when its parent's callback runs (or in
 * main when parent is -1); siblings run in index order. A callback runs its
 * children every time it is called, so an interval or an fd watcher
 * registers its children again on each call.
 *
 * The rules below are what both the runner (runner.c, against the real API)
 * and the reference (reference.c) implement; they are properties of the
 * program, not of the loop:
 *  - every executed op gets the next instance number, from 0; once
 *    PROG_MAX_INSTANCES ops have executed, further ops are skipped;
 *  - an op that registers a callback when every id is live (live count >=
 *    2^id_bits - 1) gets NDL_NOIDS and registers nothing;
 *  - an interval clears itself at the end of its count-th call; an fd
 *    watcher stops itself at the end of its count-th call, and is scripted
 *    ready count times, at floor(now_ms) + delay_ms + k * gap_ms, on its own
 *    fd 100 + instance;
 *  - clear names an op; it clears that op's latest instance, if that is live;
 *  - a file read is pool work, timed as work is; it reads "f<count>" from
 *    the sim's disk, where f0 to f2 hold prog_file_text() and f3 does not
 *    exist (NDL_ENOENT);
 *  - an echo connects to an echo server in the same loop, sends count bytes,
 *    half-closes and reads them back; its callback runs once the
 *    connection has closed; a refused connect's callback runs once the
 *    ECONNREFUSED has arrived; a reset connects to a server that resets
 *    each connection as it accepts it (ndl_tcp_reset), sends count bytes
 *    and reads: its callback runs once the ECONNRESET has arrived and the
 *    connection has closed. The reference does not model the network:
 *    a program with either is checked for what holds whatever the timing
 *    (every callback once, timers never early, every byte back in order:
 *    PROP_NET), not for the reference's order, ticks and counts.
 */
#ifndef NDL_TOOLS_REFERENCE_PROGRAM_H
#define NDL_TOOLS_REFERENCE_PROGRAM_H

#include <stdint.h>
#include <stdio.h>

#define PROG_MAX_OPS 160
#define PROG_MAX_INSTANCES 400
#define PROG_FD_BASE 100

enum prog_kind {
  PK_TIMEOUT,  /* delay_ms; unref */
  PK_INTERVAL, /* delay_ms, count calls; unref */
  PK_IMMEDIATE,
  PK_NEXT_TICK,
  PK_MICROTASK,
  PK_WORK,    /* delay_ms of virtual work */
  PK_IO,      /* ready count times: after delay_ms, then every gap_ms */
  PK_DEFER,   /* the pending-callbacks phase */
  PK_CLOSE,   /* the close phase */
  PK_CLEAR,   /* target: the op whose latest instance to clear */
  PK_ADVANCE, /* the callback computes for delay_ms (ndl_sim_advance) */
  PK_FS_READ, /* ndl_fs_read of file `count` after delay_ms: pool work */
  PK_ECHO,    /* a TCP echo of `count` bytes over the sim's network */
  PK_REFUSED, /* a TCP connect to a port nobody listens on */
  PK_RESET,   /* a TCP connection the server resets, after count bytes sent */
  PK_COUNT
};

struct prog_op {
  uint8_t kind;  /* enum prog_kind */
  uint8_t unref; /* timers: ndl_timer_unref right after setting */
  int16_t parent;
  int16_t target;
  uint32_t delay_ms;
  uint32_t count;
  uint32_t gap_ms;
};

/* The world a seed runs in (swarm testing: each seed draws its own). */
struct prog_config {
  uint64_t sim_seed;
  uint32_t pool;      /* sim threads, 1..8 */
  int inline_work;    /* sim_inline_work */
  uint64_t spread_ns; /* sim_work_spread_ns */
  uint32_t id_bits;   /* 32, or narrow so the id counter wraps */
};

struct prog {
  struct prog_config cfg;
  int n;
  struct prog_op op[PROG_MAX_OPS];
};

/* The kind's name ("timeout"). */
const char *prog_kind_name(int kind);
/* Whether a callback of this kind can be cleared by PK_CLEAR. */
int prog_kind_clearable(int kind);
/* Whether the op registers a callback (takes an id). */
int prog_kind_registers(int kind);
/* The id limit of a config: 2^id_bits - 1. */
uint64_t prog_id_max(const struct prog_config *cfg);

/* The files a program's reads find: f0 to f2 exist, f3 does not. */
#define PROG_FILES 4
#define PROG_FILES_DECLARED 3
/* The content of file f<i> (i < PROG_FILES_DECLARED), and its length. */
const char *prog_file_text(unsigned i, size_t *len);
/* Whether the op's kind runs on the pool (work, file reads). */
int prog_kind_is_work(int kind);
/* Whether the op's kind uses the sim's network (echo, refused). */
int prog_kind_is_net(int kind);
/* The number of ops that use the network. */
int prog_count_net(const struct prog *p);

/* Draws a configuration and a program from a seed. Same seed, same bytes. */
void prog_generate(uint64_t seed, struct prog *p);

/* Prints the config line and the tree, one op per line, indented. */
void prog_print(const struct prog *p, FILE *f);
/* The number of ops of a kind. */
int prog_count_kind(const struct prog *p, int kind);

/* Renumbers the ops in the order prog_print shows them (depth first,
 * siblings in order), which does not change what the program does. */
void prog_canonical(struct prog *p);

/* Removes op i and its subtree, and every clear that names a removed op;
 * renumbers parents and targets. */
void prog_remove(struct prog *p, int i);

#endif
