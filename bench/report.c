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
static int values(const struct bench_result *r, int impl, const char *key,
                  double *out) {
  int run, i, n = 0;
  for (run = 0; run < r->runs[impl]; run++) {
    const struct bench_sample *s = &r->samples[impl][run];
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

double bench_median(const struct bench_result *r, int impl, const char *key,
                    int *ok) {
  double v[BENCH_MAX_REPS];
  int n = values(r, impl, key, v);
  *ok = n > 0;
  if (n == 0)
    return 0;
  qsort(v, (size_t)n, sizeof(v[0]), cmp_double);
  return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* Medians of both sides, and their ratio when both exist and libuv's is
 * not 0. */
struct row {
  double med[BENCH_IMPLS];
  int have[BENCH_IMPLS];
  double ratio;
  int have_ratio;
  int goal_met; /* -1: no goal or nothing to judge */
};

static void compute(const struct bench_result *r, const struct bench_metric *m,
                    struct row *row) {
  int impl;
  for (impl = 0; impl < BENCH_IMPLS; impl++)
    row->med[impl] = bench_median(r, impl, m->key, &row->have[impl]);
  row->have_ratio = row->have[BENCH_NODELOOP] && row->have[BENCH_LIBUV] &&
                    row->med[BENCH_LIBUV] != 0;
  row->ratio =
      row->have_ratio ? row->med[BENCH_NODELOOP] / row->med[BENCH_LIBUV] : 0;
  row->goal_met = -1;
  if ((m->goal == GOAL_RATIO_MAX || m->goal == GOAL_RATIO_MIN) &&
      row->have_ratio)
    row->goal_met = m->goal == GOAL_RATIO_MAX ? row->ratio <= m->goal_value
                                              : row->ratio >= m->goal_value;
  else if (m->goal == GOAL_ABS_MIN && row->have[BENCH_NODELOOP])
    row->goal_met = row->med[BENCH_NODELOOP] >= m->goal_value;
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

static void format_goal(char *buf, size_t cap, const struct bench_metric *m,
                        const struct row *row) {
  const char *verdict = row->goal_met < 0   ? "n/a"
                        : row->goal_met > 0 ? "met"
                                            : "MISSED";
  switch (m->goal) {
  case GOAL_RATIO_MAX:
    snprintf(buf, cap, "<= %.1f %s", m->goal_value, verdict);
    break;
  case GOAL_RATIO_MIN:
    snprintf(buf, cap, ">= %.1f %s", m->goal_value, verdict);
    break;
  case GOAL_ABS_MIN:
    snprintf(buf, cap, ">= %.0f%s %s", m->goal_value, m->unit, verdict);
    break;
  default:
    buf[0] = '\0';
  }
}

void bench_report_text(FILE *f, const struct bench_info *info,
                       const struct bench_result *results, int count) {
  int i, j, impl;

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
             "memory, above 1 for rates\n\n");
  fprintf(f, "%-13s %-15s %13s %13s %7s  %s\n", "workload", "metric",
          "nodeloop", "libuv", "ratio", "goal");
  for (i = 0; i < count; i++) {
    const struct bench_result *r = &results[i];
    char n[32];
    snprintf(n, sizeof(n), "n=%llu", (unsigned long long)r->n);
    for (j = 0; r->w->metrics[j].key != NULL; j++) {
      const struct bench_metric *m = &r->w->metrics[j];
      char cell[BENCH_IMPLS][32], ratio[16], goal[48];
      struct row row;
      compute(r, m, &row);
      for (impl = 0; impl < BENCH_IMPLS; impl++) {
        if (row.have[impl])
          format_value(cell[impl], sizeof(cell[impl]), row.med[impl], m->unit);
        else
          snprintf(cell[impl], sizeof(cell[impl]), "%s",
                   r->w->run[impl] == NULL ? "-" : "n/a");
      }
      if (row.have_ratio)
        snprintf(ratio, sizeof(ratio), "%.2f", row.ratio);
      else
        snprintf(ratio, sizeof(ratio), "-");
      format_goal(goal, sizeof(goal), m, &row);
      fprintf(f, "%-13s %-15s %13s %13s %7s  %s\n",
              j == 0   ? r->w->name
              : j == 1 ? n
                       : "",
              m->label, cell[BENCH_NODELOOP], cell[BENCH_LIBUV], ratio, goal);
    }
    for (impl = 0; impl < BENCH_IMPLS; impl++)
      if (r->failures[impl] != 0)
        fprintf(f, "%-13s %d %s run%s FAILED\n", "", r->failures[impl],
                bench_impl_names[impl], r->failures[impl] == 1 ? "" : "s");
  }
}

/* ---- JSON */

static void json_number(FILE *f, double v) {
  if (isfinite(v))
    fprintf(f, "%.9g", v);
  else
    fputs("null", f);
}

static void json_side(FILE *f, const struct bench_result *r, int impl,
                      const struct bench_metric *m, const struct row *row) {
  double v[BENCH_MAX_REPS];
  int n = values(r, impl, m->key, v), k;
  fprintf(f, "\"%s\": ", bench_impl_names[impl]);
  if (!row->have[impl]) {
    fputs("null", f);
    return;
  }
  fputs("{\"median\": ", f);
  json_number(f, row->med[impl]);
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

static void json_metric(FILE *f, const struct bench_result *r,
                        const struct bench_metric *m) {
  struct row row;
  compute(r, m, &row);
  fputs("        {\"key\": ", f);
  cli_json_string(f, m->key);
  fputs(", \"label\": ", f);
  cli_json_string(f, m->label);
  fputs(", \"unit\": ", f);
  cli_json_string(f, m->unit);
  fputs(",\n         ", f);
  json_side(f, r, BENCH_NODELOOP, m, &row);
  fputs(",\n         ", f);
  json_side(f, r, BENCH_LIBUV, m, &row);
  fputs(",\n         \"ratio\": ", f);
  if (row.have_ratio)
    json_number(f, row.ratio);
  else
    fputs("null", f);
  if (m->goal != GOAL_NONE) {
    fprintf(f,
            ", \"goal\": {\"kind\": \"%s\", \"value\": ", goal_name(m->goal));
    json_number(f, m->goal_value);
    fprintf(f, ", \"met\": %s}",
            row.goal_met < 0 ? "null"
            : row.goal_met   ? "true"
                             : "false");
  }
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
  fputs("]},\n  \"elapsed_s\": ", f);
  json_number(f, info->elapsed_s);
  fputs(",\n  \"workloads\": [\n", f);
  for (i = 0; i < count; i++) {
    const struct bench_result *r = &results[i];
    fputs("    {\"name\": ", f);
    cli_json_string(f, r->w->name);
    fputs(", \"about\": ", f);
    cli_json_string(f, r->w->about);
    fprintf(f,
            ", \"n\": %llu,\n     \"runs\": {\"nodeloop\": %d, \"libuv\": %d}, "
            "\"failures\": {\"nodeloop\": %d, \"libuv\": %d},\n"
            "     \"metrics\": [\n",
            (unsigned long long)r->n, r->runs[BENCH_NODELOOP],
            r->runs[BENCH_LIBUV], r->failures[BENCH_NODELOOP],
            r->failures[BENCH_LIBUV]);
    for (j = 0; r->w->metrics[j].key != NULL; j++) {
      json_metric(f, r, &r->w->metrics[j]);
      fputs(r->w->metrics[j + 1].key != NULL ? ",\n" : "\n", f);
    }
    fprintf(f, "     ]}%s\n", i + 1 < count ? "," : "");
  }
  fputs("  ]\n}\n", f);
}
