/* acceptance.h - a lab's acceptance checks, evaluated on measured numbers.
 *
 * A lab file lists its checks as data; these are the kinds there are. */
#ifndef HARNESS_ACCEPTANCE_H
#define HARNESS_ACCEPTANCE_H

#include "stats.h"

#define HS_NAME_MAX 32
#define HS_CHECK_MAX_OTHERS 8

typedef enum {
    /* every variant in `subjects` has at least `threshold` % HTTP 200 */
    HS_CHECK_MIN_OK_PERCENT,
    /* p95 of subjects[0] is at least `threshold` times the p95 of each
     * of the other subjects */
    HS_CHECK_P95_RATIO_AT_LEAST,
    /* the p95s of the subjects differ by at most `threshold` (a fraction)
     * of the smaller one: |a - b| <= threshold * min(a, b) */
    HS_CHECK_P95_WITHIN,
    /* every subject has a curve to draw, and every pair of curves is
     * apart somewhere by at least `threshold` in cumulative fraction (the
     * Kolmogorov-Smirnov distance), so no curve hides another */
    HS_CHECK_DISTINCT_CURVES,
    /* four subjects, A before and after a change, B before and after:
     * A's p95 grew by a factor at least `threshold` times B's */
    HS_CHECK_P95_GROWS_MORE,
    /* the same four: A kept at most 1/`threshold` of the share of its
     * requests/s that B kept (A's after/before <= B's / threshold) */
    HS_CHECK_RPS_FALLS_MORE,
} hs_check_kind;

typedef struct {
    hs_check_kind kind;
    char title[128];                             /* as the lab states it */
    char subjects[HS_CHECK_MAX_OTHERS][HS_NAME_MAX];
    int n_subjects;
    double threshold;
} hs_check;

/* Kolmogorov-Smirnov distances between variants' latency curves, as a
 * facts.json keeps them, for checks judged without the latencies. */
typedef struct {
    char a[HS_NAME_MAX], b[HS_NAME_MAX];
    double d;
} hs_ks_pair;

typedef struct {
    const hs_ks_pair *pairs;
    size_t n;
} hs_ks_table;

/* What one variant measured, as the checks need it. */
typedef struct {
    const char *name;
    hs_summary summary;
    const double *sorted_latency_s; /* ascending, summary.requests of them;
                                     * NULL: distances come from ks */
    const hs_ks_table *ks;          /* used when sorted_latency_s is NULL */
} hs_variant_result;

typedef struct {
    int pass;          /* 1 PASS, 0 FAIL */
    char detail[512];  /* the measured values behind the verdict */
} hs_check_result;

/* Evaluates one check. Returns 0, or -1 if the check names a variant that
 * is not among results (detail says which). */
int hs_check_eval(const hs_check *c, const hs_variant_result *results,
                  size_t n_results, hs_check_result *out);

/* Kolmogorov-Smirnov distance between two sorted samples: the largest gap
 * between their empirical CDFs, in [0, 1]. */
double hs_ks_distance(const double *a, size_t na, const double *b, size_t nb);

#endif
