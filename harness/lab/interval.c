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
#include <string.h>

uint64_t hs_splitmix64(uint64_t *state) {
    uint64_t z = (*state += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

/* The q-th percentile of v[0..n) as hs_percentile gives it on the sorted
 * values, found by selection (v is reordered): a bootstrap of one run's
 * p95 over 10,000 requests draws 2,000 times, and sorting each draw would
 * take seconds where selecting takes milliseconds. */
static double select_percentile(double *v, size_t n, double q) {
    double rank = q / 100.0 * (double)(n - 1);
    size_t k = (size_t)floor(rank), lo = 0, hi = n - 1;
    while (lo < hi) { /* Hoare's quickselect, median-of-three pivot */
        size_t mid = lo + (hi - lo) / 2;
        double a = v[lo], b = v[mid], c = v[hi];
        double pivot = a < b ? (b < c ? b : a < c ? c : a) : (a < c ? a : b < c ? c : b);
        size_t i = lo, j = hi;
        while (i <= j) {
            while (v[i] < pivot) i++;
            while (v[j] > pivot) j--;
            if (i <= j) {
                double t = v[i];
                v[i] = v[j], v[j] = t;
                i++;
                if (j == 0) break;
                j--;
            }
        }
        if (k <= j) hi = j;
        else if (k >= i) lo = i;
        else break; /* v[k] is the pivot, in place */
    }
    double x = v[k], frac = rank - (double)k;
    if (frac == 0 || k + 1 >= n) return x;
    double next = v[k + 1]; /* the smallest of those above k */
    for (size_t i = k + 2; i < n; i++)
        if (v[i] < next) next = v[i];
    return x + (next - x) * frac;
}

/* One draw of n from x, with replacement, and its q-th percentile. */
static double draw_percentile(const double *x, size_t n, double q, double *draw, uint64_t *s) {
    for (size_t i = 0; i < n; i++) draw[i] = x[hs_splitmix64(s) % n];
    return select_percentile(draw, n, q);
}

static int valid(size_t n, double q, int resamples, double conf) {
    return n > 0 && resamples >= 10 && q >= 0 && q <= 100 && conf > 0 && conf < 1;
}

/* The middle conf share of stat[0..resamples) into out (stat is sorted). */
static void middle(double *stat, int resamples, double conf, hs_interval *out) {
    hs_sort_doubles(stat, (size_t)resamples);
    hs_percentile(stat, (size_t)resamples, 100 * (1 - conf) / 2, &out->lo);
    hs_percentile(stat, (size_t)resamples, 100 * (1 + conf) / 2, &out->hi);
}

int hs_bootstrap(const double *x, size_t n, double q, int resamples, uint64_t seed,
                 double conf, hs_interval *out) {
    if (!valid(n, q, resamples, conf)) return -EINVAL;
    double *draw = malloc(n * sizeof *draw), *stat = malloc((size_t)resamples * sizeof *stat);
    int rc = -ENOMEM;
    if (!draw || !stat) goto out;
    memcpy(draw, x, n * sizeof *x);
    out->value = select_percentile(draw, n, q);
    uint64_t s = seed;
    for (int b = 0; b < resamples; b++) stat[b] = draw_percentile(x, n, q, draw, &s);
    middle(stat, resamples, conf, out);
    out->n = n;
    rc = 0;
out:
    free(draw), free(stat);
    return rc;
}

int hs_bootstrap_ratio(const double *a, size_t na, const double *b, size_t nb, double q,
                       int resamples, uint64_t seed, double conf, hs_interval *out) {
    if (!valid(na, q, resamples, conf) || nb == 0) return -EINVAL;
    size_t most = na > nb ? na : nb;
    double *draw = malloc(most * sizeof *draw), *stat = malloc((size_t)resamples * sizeof *stat);
    int rc = -ENOMEM;
    if (!draw || !stat) goto out;
    memcpy(draw, a, na * sizeof *a);
    double qa = select_percentile(draw, na, q);
    memcpy(draw, b, nb * sizeof *b);
    out->value = select_percentile(draw, nb, q) / qa;
    uint64_t s = seed;
    for (int r = 0; r < resamples; r++) {
        double da = draw_percentile(a, na, q, draw, &s);
        stat[r] = draw_percentile(b, nb, q, draw, &s) / da;
        if (!isfinite(stat[r])) stat[r] = NAN; /* a draw of zeros: no ratio */
    }
    for (int r = 0; r < resamples; r++)
        if (isnan(stat[r])) { /* not a number has no place in the order */
            out->lo = out->hi = NAN;
            goto done;
        }
    middle(stat, resamples, conf, out);
done:
    out->n = na < nb ? na : nb;
    rc = 0;
out:
    free(draw), free(stat);
    return rc;
}

double hs_modified_z(const double *x, size_t n, double xi) {
    double *v = hs_sorted_copy(x, n), med, mad;
    if (!v) return NAN;
    hs_percentile(v, n, 50, &med);
    for (size_t i = 0; i < n; i++) v[i] = fabs(v[i] - med);
    hs_sort_doubles(v, n);
    hs_percentile(v, n, 50, &mad);
    free(v);
    return mad > 0 ? 0.6745 * (xi - med) / mad : NAN;
}

hs_verdict hs_interval_verdict(const hs_interval *iv, double threshold, int at_least) {
    if (!(iv->lo <= iv->hi) || !isfinite(threshold)) return HS_UNSTABLE;
    if (at_least) return iv->lo >= threshold ? HS_PASS : iv->hi < threshold ? HS_FAIL : HS_UNSTABLE;
    return iv->hi <= threshold ? HS_PASS : iv->lo > threshold ? HS_FAIL : HS_UNSTABLE;
}
