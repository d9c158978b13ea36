/*
 * The report: medians, nodeloop/libuv ratios and goals, as a text table and
 * as JSON with every sample, so a later look can judge the spread.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "driver.h"

/* The values of key over the successful runs of one side, in run order. */
static int values(const struct bench_result *r, int side, const char *key,
                  double *out) {
  int run, i, n = 0;
  for (run = 0; run < r->runs[side]; run++) {
    const struct bench_sample *s = &r->samples[side][run];
    for (i = 0; i < s->count; i++)
      if (strcmp(s->key[i], key) == 0)
        out[n++] = s->value[i];
  }
  return n;
}

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

double bench_median(const struct bench_result *r, int side, const char *key,
                    int *ok) {
  double v[BENCH_MAX_REPS];
  int n = values(r, side, key, v);
  *ok = n > 0;
  if (n == 0)
    return 0;
  qsort(v, (size_t)n, sizeof(v[0]), cmp_double);
  return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* The medians of every side, and the ratio of each nodeloop side's to
 * libuv's when both exist and libuv's is not 0. */
struct row {
  double med[BENCH_SIDES];
  int have[BENCH_SIDES];
  double ratio[BENCH_SIDES]; /* SIDE_NODELOOP and SIDE_IO_URING */
  int have_ratio[BENCH_SIDES];
  int goal_met[BENCH_SIDES]; /* -1: no goal or nothing to judge */
};

static void compute(const struct bench_result *r, const struct bench_metric *m,
                    struct row *row) {
  int side;
  for (side = 0; side < BENCH_SIDES; side++)
    row->med[side] = bench_median(r, side, m->key, &row->have[side]);
  for (side = 0; side < BENCH_SIDES; side++) {
    int ratio_goal = m->goal == GOAL_RATIO_MAX || m->goal == GOAL_RATIO_MIN;
    row->have_ratio[side] = side != SIDE_LIBUV && row->have[side] &&
                            row->have[SIDE_LIBUV] && row->med[SIDE_LIBUV] != 0;
    row->ratio[side] =
        row->have_ratio[side] ? row->med[side] / row->med[SIDE_LIBUV] : 0;
    row->goal_met[side] = -1;
    if (ratio_goal && row->have_ratio[side])
      row->goal_met[side] = m->goal == GOAL_RATIO_MAX
                                ? row->ratio[side] <= m->goal_value
                                : row->ratio[side] >= m->goal_value;
    else if (m->goal == GOAL_ABS_MIN && side != SIDE_LIBUV && row->have[side])
      row->goal_met[side] = row->med[side] >= m->goal_value;
  }
}

static void format_value(char *buf, size_t cap, double v, const char *unit) {
  if (strcmp(unit, "s") == 0) {
    if (v < 1)
      snprintf(buf, cap, "%.1f ms", v * 1e3);
    else
      snprintf(buf, cap, "%.3f s", v);
  } else if (strcmp(unit, "/s") == 0) {
    if (v >= 1e6)
      snprintf(buf, cap, "%.2f M/s", v / 1e6);
    else if (v >= 1e3)
      snprintf(buf, cap, "%.1f k/s", v / 1e3);
    else
      snprintf(buf, cap, "%.1f /s", v);
  } else if (strcmp(unit, "x") == 0) {
    snprintf(buf, cap, "%.0fx", v);
  } else {
    snprintf(buf, cap, "%.1f %s", v, unit);
  }
}

static const char *verdict(int goal_met) {
  return goal_met < 0 ? "n/a" : goal_met > 0 ? "met" : "MISSED";
}

static void format_goal(char *buf, size_t cap, const struct bench_result *r,
                        const struct bench_metric *m, const struct row *row) {
  const char *v = verdict(row->goal_met[SIDE_NODELOOP]);
  int len;
  switch (m->goal) {
  case GOAL_RATIO_MAX:
    len = snprintf(buf, cap, "<= %.1f %s", m->goal_value, v);
    break;
  case GOAL_RATIO_MIN:
    len = snprintf(buf, cap, ">= %.1f %s", m->goal_value, v);
    break;
  case GOAL_ABS_MIN:
    len = snprintf(buf, cap, ">= %.0f%s %s", m->goal_value, m->unit, v);
    break;
  default:
    buf[0] = '\0';
    return;
  }
  if (bench_side_runs(r->w, SIDE_IO_URING) && len > 0 && (size_t)len < cap)
    snprintf(buf + len, cap - (size_t)len, ", io_uring %s",
             verdict(row->goal_met[SIDE_IO_URING]));
}

/* A side's median as the table shows it: "-" for a side the workload does
 * not have, "n/a" for one that has no successful run. */
static void format_cell(char *buf, size_t cap, const struct bench_result *r,
                        const struct bench_metric *m, const struct row *row,
                        int side) {
  if (row->have[side])
    format_value(buf, cap, row->med[side], m->unit);
  else
    snprintf(buf, cap, "%s", bench_side_runs(r->w, side) ? "n/a" : "-");
}

static void format_ratio(char *buf, size_t cap, const struct row *row,
                         int side) {
  if (row->have_ratio[side])
    snprintf(buf, cap, "%.2f", row->ratio[side]);
  else
    snprintf(buf, cap, "-");
}

void bench_report_text(FILE *f, const struct bench_info *info,
                       const struct bench_result *results, int count) {
  int i, j, side;

  fprintf(f,
          "nodeloop vs libuv %s: %s mode, %d repetition%s per side, "
          "medians (%s build)\n",
          info->libuv_version, info->mode, info->reps,
          info->reps == 1 ? "" : "s", info->build_type);
  fprintf(f,
          "machine: %ld CPUs, load average %.2f at start, %.2f at end; "
          "%.0f s in all\n",
          info->cpus, info->load_start[0], info->load_end[0], info->elapsed_s);
  fprintf(f, "ratio = nodeloop / libuv: below 1 is better for times and "
             "memory, above 1 for rates\n");
  fprintf(f,
          "nodeloop runs on the %s backend; the I/O workloads (*) on linux "
          "(epoll) and\nagain on io_uring, whose ratio against the same "
          "libuv runs is uring/uv\n\n",
          info->backend);
  fprintf(f, "%-13s %-15s %13s %13s %7s %13s %8s  %s\n", "workload", "metric",
          "nodeloop", "libuv", "ratio", "io_uring", "uring/uv", "goal");
  for (i = 0; i < count; i++) {
    const struct bench_result *r = &results[i];
    char n[32], name[32];
    snprintf(name, sizeof(name), "%s%s", r->w->name,
             r->w->io == BENCH_IO ? "*" : "");
    snprintf(n, sizeof(n), "n=%llu", (unsigned long long)r->n);
    for (j = 0; r->w->metrics[j].key != NULL; j++) {
      const struct bench_metric *m = &r->w->metrics[j];
      char cell[BENCH_SIDES][32], ratio[BENCH_SIDES][16], goal[64];
      struct row row;
      compute(r, m, &row);
      for (side = 0; side < BENCH_SIDES; side++) {
        format_cell(cell[side], sizeof(cell[side]), r, m, &row, side);
        format_ratio(ratio[side], sizeof(ratio[side]), &row, side);
      }
      format_goal(goal, sizeof(goal), r, m, &row);
      fprintf(f, "%-13s %-15s %13s %13s %7s %13s %8s  %s\n",
              j == 0   ? name
              : j == 1 ? n
                       : "",
              m->label, cell[SIDE_NODELOOP], cell[SIDE_LIBUV],
              ratio[SIDE_NODELOOP], cell[SIDE_IO_URING], ratio[SIDE_IO_URING],
              goal);
    }
    for (side = 0; side < BENCH_SIDES; side++) {
      if (r->unavailable[side][0] != '\0')
        fprintf(f, "%-13s %s: unavailable: %s\n", "",
                side == SIDE_IO_URING ? "io_uring"
                                      : bench_side_label(r->w, side),
                r->unavailable[side]);
      if (r->failures[side] != 0)
        fprintf(f, "%-13s %d %s run%s FAILED\n", "", r->failures[side],
                bench_side_label(r->w, side),
                r->failures[side] == 1 ? "" : "s");
    }
  }
}

/* ---- JSON */

static void json_number(FILE *f, double v) {
  if (isfinite(v))
    fprintf(f, "%.9g", v);
  else
    fputs("null", f);
}

/* The sides' keys in the JSON. An I/O workload's metrics have the
 * io_uring side and its ratio besides "nodeloop" (there: on linux),
 * "libuv" and "ratio"; the other workloads' have only those three. */
static const char *const json_keys[BENCH_SIDES] = {"nodeloop", "libuv",
                                                   "nodeloop_io_uring"};

static void json_side(FILE *f, const struct bench_result *r, int side,
                      const struct bench_metric *m, const struct row *row) {
  double v[BENCH_MAX_REPS];
  int n = values(r, side, m->key, v), k;
  fprintf(f, "\"%s\": ", json_keys[side]);
  if (!row->have[side]) {
    fputs("null", f);
    return;
  }
  fputs("{\"median\": ", f);
  json_number(f, row->med[side]);
  fputs(", \"samples\": [", f);
  for (k = 0; k < n; k++) {
    if (k != 0)
      fputs(", ", f);
    json_number(f, v[k]);
  }
  fputs("]}", f);
}

static const char *goal_name(enum bench_goal g) {
  switch (g) {
  case GOAL_RATIO_MAX:
    return "ratio_max";
  case GOAL_RATIO_MIN:
    return "ratio_min";
  case GOAL_ABS_MIN:
    return "nodeloop_min";
  default:
    return "none";
  }
}

static void json_ratio(FILE *f, const struct row *row, int side) {
  if (row->have_ratio[side])
    json_number(f, row->ratio[side]);
  else
    fputs("null", f);
}

static const char *json_met(int goal_met) {
  return goal_met < 0 ? "null" : goal_met ? "true" : "false";
}

static void json_metric(FILE *f, const struct bench_result *r,
                        const struct bench_metric *m) {
  int io = bench_side_runs(r->w, SIDE_IO_URING);
  struct row row;
  compute(r, m, &row);
  fputs("        {\"key\": ", f);
  cli_json_string(f, m->key);
  fputs(", \"label\": ", f);
  cli_json_string(f, m->label);
  fputs(", \"unit\": ", f);
  cli_json_string(f, m->unit);
  fputs(",\n         ", f);
  json_side(f, r, SIDE_NODELOOP, m, &row);
  fputs(",\n         ", f);
  json_side(f, r, SIDE_LIBUV, m, &row);
  if (io) {
    fputs(",\n         ", f);
    json_side(f, r, SIDE_IO_URING, m, &row);
  }
  fputs(",\n         \"ratio\": ", f);
  json_ratio(f, &row, SIDE_NODELOOP);
  if (io) {
    fputs(", \"ratio_io_uring\": ", f);
    json_ratio(f, &row, SIDE_IO_URING);
  }
  if (m->goal != GOAL_NONE) {
    fprintf(f,
            ", \"goal\": {\"kind\": \"%s\", \"value\": ", goal_name(m->goal));
    json_number(f, m->goal_value);
    fprintf(f, ", \"met\": %s", json_met(row.goal_met[SIDE_NODELOOP]));
    if (io)
      fprintf(f, ", \"met_io_uring\": %s",
              json_met(row.goal_met[SIDE_IO_URING]));
    fputs("}", f);
  }
  fputs("}", f);
}

/* "name": {"nodeloop": count, ...} over the sides the workload runs. */
static void json_counts(FILE *f, const char *name, const struct bench_result *r,
                        const int *counts) {
  int side, first = 1;
  fprintf(f, "\"%s\": {", name);
  for (side = 0; side < BENCH_SIDES; side++)
    if (side != SIDE_IO_URING || bench_side_runs(r->w, side)) {
      fprintf(f, "%s\"%s\": %d", first ? "" : ", ", json_keys[side],
              counts[side]);
      first = 0;
    }
  fputs("}", f);
}

/* ",\n "unavailable": {"nodeloop_io_uring": "why"}" when a side could not
 * run, else nothing. */
static void json_unavailable(FILE *f, const struct bench_result *r) {
  int side, first = 1;
  for (side = 0; side < BENCH_SIDES; side++) {
    if (r->unavailable[side][0] == '\0')
      continue;
    fputs(first ? ",\n     \"unavailable\": {" : ", ", f);
    fprintf(f, "\"%s\": ", json_keys[side]);
    cli_json_string(f, r->unavailable[side]);
    first = 0;
  }
  if (!first)
    fputs("}", f);
}

void bench_report_json(FILE *f, const struct bench_info *info,
                       const struct bench_result *results, int count) {
  int i, j;
  fputs("{\n  \"mode\": ", f);
  cli_json_string(f, info->mode);
  fprintf(f, ",\n  \"repetitions\": %d,\n  \"libuv_version\": ", info->reps);
  cli_json_string(f, info->libuv_version);
  fputs(",\n  \"build_type\": ", f);
  cli_json_string(f, info->build_type);
  fprintf(f, ",\n  \"machine\": {\"cpus\": %ld, \"loadavg_start\": [",
          info->cpus);
  for (i = 0; i < 3; i++)
    fprintf(f, "%s%.2f", i ? ", " : "", info->load_start[i]);
  fputs("], \"loadavg_end\": [", f);
  for (i = 0; i < 3; i++)
    fprintf(f, "%s%.2f", i ? ", " : "", info->load_end[i]);
  fputs("]},\n  \"backend\": ", f);
  cli_json_string(f, info->backend);
  fputs(",\n  \"elapsed_s\": ", f);
  json_number(f, info->elapsed_s);
  fputs(",\n  \"workloads\": [\n", f);
  for (i = 0; i < count; i++) {
    const struct bench_result *r = &results[i];
    fputs("    {\"name\": ", f);
    cli_json_string(f, r->w->name);
    fputs(", \"about\": ", f);
    cli_json_string(f, r->w->about);
    fprintf(f, ", \"n\": %llu, \"io\": %s,\n     ", (unsigned long long)r->n,
            r->w->io == BENCH_IO ? "true" : "false");
    json_counts(f, "runs", r, r->runs);
    fputs(", ", f);
    json_counts(f, "failures", r, r->failures);
    json_unavailable(f, r);
    fputs(",\n     \"metrics\": [\n", f);
    for (j = 0; r->w->metrics[j].key != NULL; j++) {
      json_metric(f, r, &r->w->metrics[j]);
      fputs(r->w->metrics[j + 1].key != NULL ? ",\n" : "\n", f);
    }
    fprintf(f, "     ]}%s\n", i + 1 < count ? "," : "");
  }
  fputs("  ]\n}\n", f);
}
