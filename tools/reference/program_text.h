/*
 * The text form of a program (program.h), defined here and nowhere else:
 * prog_print() writes it (nodeloop-sim prints every program so), and
 * prog_read() reads it back, so that a shrunk failure can be saved to a
 * file, replayed with nodeloop-sim --program FILE, and checked in as a
 * regression test (tests/programs/).
 *
 *     # comment lines start with '#' in the first column; blank lines are
 *     # skipped
 *     config: sim_seed=7 pool=1 inline_work=0 spread_ns=0 id_bits=32
 *     faults: sim/plant_drop_byte#1          (optional: the fault plan)
 *     main: (2 ops)
 *       #0 timeout 5ms
 *         #1 echo 3 bytes
 *
 * The config line comes first, then at most one faults line, then the main
 * line, then exactly as many op lines as it says. An op line is indented by
 * two spaces per level, plus two: its parent is the nearest op above it one
 * level out (none at the first level). "#i" is the op's index in the array;
 * the indices are 0 to n-1, each once, so that read(write(p)) == p. The
 * arguments by kind:
 *
 *     timeout, work, advance   Dms                 interval   Dms xC
 *     fs_read                  fF Dms              echo       C bytes
 *     io                       after Dms xC every Gms
 *     clear                    #T (T names a clearable op)
 *     immediate, next_tick, microtask, defer, close, refused: none
 *
 * and any op may end with " unref". Numbers are decimal, without sign or
 * spaces. A fault plan's decisions are drawn from the config's sim_seed
 * (as a --random run draws both from its seed).
 */
#ifndef NDL_TOOLS_REFERENCE_PROGRAM_TEXT_H
#define NDL_TOOLS_REFERENCE_PROGRAM_TEXT_H

#include <stddef.h>
#include <stdio.h>

#include "program.h"

/* A plan that fits the plan parser (faults/plan.c: under 2048 bytes). */
#define PROG_PLAN_MAX 2048

/* Prints p as prog_print() does, with a faults line after the config line
 * when plan is neither NULL nor empty: the file's text without its header. */
void prog_print_world(const struct prog *p, const char *plan, FILE *f);

/* Writes a header comment, then prog_print_world(). Returns 0, or -1 when p has
 * an op the text cannot carry (a field its kind does not print is not 0, or an
 * op that no chain of parents links to main) or the file could not be written.
 */
int prog_write(const struct prog *p, const char *plan, FILE *f);

/* Reads a program written by prog_write() (or printed by prog_print())
 * from f; name is what error messages call it. The plan (or "" without a
 * faults line) goes to plan, which holds plan_cap bytes. Returns 0, or -1
 * with "name:line: what is wrong" in why. */
int prog_read(FILE *f, const char *name, struct prog *p, char *plan,
              size_t plan_cap, char *why, size_t why_cap);

/* prog_write() to the file at path; -1 (with errno's reason in why) if it
 * could not be created or written. */
int prog_save(const char *path, const struct prog *p, const char *plan,
              char *why, size_t why_cap);
/* prog_read() from the file at path. */
int prog_load(const char *path, struct prog *p, char *plan, size_t plan_cap,
              char *why, size_t why_cap);

#endif
