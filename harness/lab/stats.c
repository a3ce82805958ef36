/* stats.c - percentiles and per-variant summaries of recorded latencies. */
#include "lab/lab.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

int hs_percentile(const double *sorted, size_t n, double q, double *out) {
    if (n == 0 || !(q >= 0.0 && q <= 100.0)) return -1;
    double rank = q / 100.0 * (double)(n - 1);
    size_t lo = (size_t)floor(rank);
    size_t hi = lo + 1 < n ? lo + 1 : lo;
    double frac = rank - (double)lo;
    *out = sorted[lo] + (sorted[hi] - sorted[lo]) * frac;
    return 0;
}

static int cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

void hs_sort_doubles(double *v, size_t n) {
    if (n) qsort(v, n, sizeof *v, cmp_double);
}

int hs_summarize(const hs_sample *s, size_t n, double wall_s, hs_summary *out) {
    if (n == 0) return -1;
    double *lat = malloc(n * sizeof *lat);
    if (!lat) return -ENOMEM;
    out->requests = n;
    out->ok = 0;
    for (size_t i = 0; i < n; i++) {
        lat[i] = s[i].latency_s;
        out->ok += s[i].status == 200;
    }
    qsort(lat, n, sizeof *lat, cmp_double);
    out->ok_percent = 100.0 * (double)out->ok / (double)n;
    hs_percentile(lat, n, 50, &out->p50_s);
    hs_percentile(lat, n, 95, &out->p95_s);
    hs_percentile(lat, n, 99, &out->p99_s);
    out->max_s = lat[n - 1];
    out->wall_s = wall_s;
    out->rps = wall_s > 0 ? (double)n / wall_s : 0.0;
    free(lat);
    return 0;
}

double *hs_sorted_copy(const double *v, size_t n) {
    if (n == 0) return NULL;
    double *c = malloc(n * sizeof *c);
    if (!c) return NULL;
    memcpy(c, v, n * sizeof *c);
    qsort(c, n, sizeof *c, cmp_double);
    return c;
}

double *hs_sorted_latencies(const hs_sample *s, size_t n) {
    if (n == 0) return NULL;
    double *v = malloc(n * sizeof *v);
    if (!v) return NULL;
    for (size_t i = 0; i < n; i++) v[i] = s[i].latency_s;
    qsort(v, n, sizeof *v, cmp_double);
    return v;
}
