/* interval.c - how sure a figure is: a bootstrap confidence interval, and
 * the verdict a threshold gets from one (issue 15's statistics, before the
 * repeats and comparisons that will use them).
 *
 * The percentile bootstrap: draw n values from the n measured, with
 * replacement, many times; the statistic of each draw (here a percentile:
 * the median of repeats' figures, or the p95 of one run's requests)
 * spreads as the statistic would over new measurements, and its middle
 * `conf` share is the interval. It assumes the values are independent
 * draws, so for repeated runs the values are the repeats' own figures,
 * never their requests pooled (requests within a run share its minute of
 * the machine). hyperfine reports mean ± sd; a median with an interval
 * suits latencies, whose tails are long. */
#include "lab/lab.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>

uint64_t hs_splitmix64(uint64_t *state) {
    uint64_t z = (*state += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

int hs_bootstrap(const double *x, size_t n, double q, int resamples, uint64_t seed,
                 double conf, hs_interval *out) {
    if (n == 0 || resamples < 10 || !(q >= 0 && q <= 100) || !(conf > 0 && conf < 1))
        return -EINVAL;
    double *draw = malloc(n * sizeof *draw), *stat = malloc((size_t)resamples * sizeof *stat);
    double *sorted = hs_sorted_copy(x, n);
    int rc = -ENOMEM;
    if (!draw || !stat || !sorted) goto out;
    hs_percentile(sorted, n, q, &out->value);
    uint64_t s = seed;
    for (int b = 0; b < resamples; b++) {
        for (size_t i = 0; i < n; i++) draw[i] = x[hs_splitmix64(&s) % n];
        hs_sort_doubles(draw, n);
        hs_percentile(draw, n, q, &stat[b]);
    }
    hs_sort_doubles(stat, (size_t)resamples);
    hs_percentile(stat, (size_t)resamples, 100 * (1 - conf) / 2, &out->lo);
    hs_percentile(stat, (size_t)resamples, 100 * (1 + conf) / 2, &out->hi);
    out->n = n;
    rc = 0;
out:
    free(draw), free(stat), free(sorted);
    return rc;
}

hs_verdict hs_interval_verdict(const hs_interval *iv, double threshold, int at_least) {
    if (!(iv->lo <= iv->hi) || !isfinite(threshold)) return HS_UNSTABLE;
    if (at_least) return iv->lo >= threshold ? HS_PASS : iv->hi < threshold ? HS_FAIL : HS_UNSTABLE;
    return iv->hi <= threshold ? HS_PASS : iv->lo > threshold ? HS_FAIL : HS_UNSTABLE;
}
