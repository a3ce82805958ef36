/* stats.h - percentiles and per-variant summaries of recorded latencies. */
#ifndef HARNESS_STATS_H
#define HARNESS_STATS_H

#include <stddef.h>

/* One request as the lab records it: [latency_seconds, status_code].
 * Status 0 means no HTTP response (connect error, timeout, reset). */
typedef struct {
    double latency_s;
    int status;
} hs_sample;

/* Percentile q in [0, 100] of sorted[0..n) by linear interpolation between
 * closest ranks: rank q/100 * (n-1), NumPy's default ("linear") method.
 * Returns 0, or -1 if n is 0 or q is out of range. */
int hs_percentile(const double *sorted, size_t n, double q, double *out);

typedef struct {
    size_t requests;   /* recorded requests (warm-up excluded) */
    size_t ok;         /* of them, HTTP 200 */
    double ok_percent; /* 100 * ok / requests */
    double p50_s, p95_s, p99_s, max_s; /* over all recorded requests */
    double wall_s;     /* first request sent to last one done */
    double rps;        /* requests / wall_s */
} hs_summary;

/* Summarises n samples measured over wall_s seconds. Percentiles cover
 * every recorded request, failures included, as the lab's CDF does.
 * Returns 0, -1 if n is 0, -ENOMEM. */
int hs_summarize(const hs_sample *s, size_t n, double wall_s, hs_summary *out);

/* Sorts the latencies of samples into a new array (NULL when n is 0). */
double *hs_sorted_latencies(const hs_sample *s, size_t n);

#endif
