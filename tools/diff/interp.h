/*
 * The nodeloop back end: an interpreter of a program against the public
 * API (include/nodeloop.h), on the linux or the sim backend. It collects
 * the lines the program prints, and on sim also a timeline of what the
 * program did at which virtual instant, for the timing check (timing.h).
 */
#ifndef NDL_TOOLS_DIFF_INTERP_H
#define NDL_TOOLS_DIFF_INTERP_H

#include <stddef.h>
#include <stdint.h>

#include "nodeloop.h"
#include "program.h"

/* Bugs the interpreter can mimic by misusing the API, to show that the
 * comparison finds a broken ordering rule (the library itself is not
 * touched). */
enum dp_plant {
  DP_PLANT_NONE,
  /* process.nextTick queued as a microtask: nextTicks no longer run
   * before the microtasks queued ahead of them. */
  DP_PLANT_TICK_AS_MICROTASK,
  /* setImmediate from a timer or an immediate as a setTimeout(0): the
   * immediate waits for a later timers phase. */
  DP_PLANT_IMMEDIATE_AS_TIMEOUT,
};

/* What the timeline records, each at a virtual instant t_ns. */
enum dp_ev_type {
  EV_TIMERS_PHASE, /* a timers phase starts; t_ns is its cached loop time */
  EV_SET,          /* a timer instance is armed, due at d_ns */
  EV_FIRE,         /* a timer instance's callback starts */
  EV_CLEAR,        /* a timer instance is cleared */
  EV_UNREF,        /* a timer instance is unref'd */
  EV_REF,          /* a timer instance is ref'd */
  EV_MACRO,        /* a callback that is not a nextTick or microtask starts
                      (inst -1: main) */
  EV_POOL_ISSUE,   /* pool work is queued, or a TCP op listens; its MACRO
                      is its completion (a TCP op's: its client's close
                      callback, in every variant) */
  EV_IMMEDIATE,    /* an immediate is queued; its MACRO is its run */
  EV_BUSY_END,     /* a busy-wait ended */
  EV_END           /* ndl_run() returned */
};

struct dp_event {
  uint8_t type; /* enum dp_ev_type */
  int16_t op;   /* the op, or -1 */
  int32_t inst; /* the instance (one per execution of an op), or -1 */
  uint64_t t_ns;
  uint64_t d_ns; /* EV_SET: the deadline */
  /* The lines printed so far: every callback prints one as it starts, so
   * this names the callback that was running (0: main). */
  uint32_t cb;
};

struct dp_output {
  char *text; /* the lines, each ending in '\n' */
  size_t len, cap;
  unsigned lines;
  int failed;          /* the loop failed, or lost or duplicated a callback */
  char why[160];       /* when failed */
  struct dp_event *ev; /* sim only */
  size_t nev, evcap;
};

/* Runs p on backend, its timers in order; fixture_dir holds the files
 * fs.readFile reads (on sim they are copied to the simulated disk first).
 * sim_seed seeds the sim. Returns 0, or -1 when memory ran out. */
int dp_interpret(const struct dp_prog *p, ndl_backend backend,
                 ndl_timer_order order, const char *fixture_dir,
                 enum dp_plant plant, uint64_t sim_seed, struct dp_output *out);
void dp_output_free(struct dp_output *o);

#endif
