/* acceptance.c - a lab's acceptance checks, evaluated on measured numbers. */
#include "lab/lab.h"
#include <cJSON.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

static const hs_variant_result *find(const hs_variant_result *r, size_t n,
                                     const char *name) {
    for (size_t i = 0; i < n; i++)
        if (strcmp(r[i].name, name) == 0) return &r[i];
    return NULL;
}

double hs_ks_distance(const double *a, size_t na, const double *b, size_t nb) {
    if (na == 0 || nb == 0) return (na == nb) ? 0.0 : 1.0;
    size_t i = 0, j = 0;
    double d = 0.0;
    while (i < na && j < nb) {
        double x = a[i] < b[j] ? a[i] : b[j];
        while (i < na && a[i] <= x) i++;
        while (j < nb && b[j] <= x) j++;
        double gap = fabs((double)i / na - (double)j / nb);
        if (gap > d) d = gap;
    }
    return d;
}

/* The KS distance between two variants: from their latencies, or else
 * from the table of distances they carry; -1 when neither has it. */
static double distance(const hs_variant_result *x, const hs_variant_result *y) {
    if (x->sorted_latency_s && y->sorted_latency_s)
        return hs_ks_distance(x->sorted_latency_s, x->summary.requests, y->sorted_latency_s,
                              y->summary.requests);
    const hs_ks_table *t = x->ks ? x->ks : y->ks;
    for (size_t k = 0; t && k < t->n; k++)
        if ((!strcmp(t->pairs[k].a, x->name) && !strcmp(t->pairs[k].b, y->name)) ||
            (!strcmp(t->pairs[k].a, y->name) && !strcmp(t->pairs[k].b, x->name)))
            return t->pairs[k].d;
    return -1;
}

/* Appends to out->detail. */
static void say(hs_check_result *out, const char *fmt, double a, double b) {
    size_t len = strlen(out->detail);
    snprintf(out->detail + len, sizeof out->detail - len, fmt, a, b);
}

/* Keeps the figure that decides: the least of them when the check wants at
 * least its threshold, the most when it wants at most; an unknown one
 * (NAN) makes the decisive figure unknown. */
static void decide(hs_check_result *out, double x) {
    if (isnan(out->value)) return;
    if (isnan(x)) out->value = NAN;
    else if (out->at_least ? x < out->value : x > out->value) out->value = x;
}

int hs_check_eval(const hs_check *c, const hs_variant_result *results,
                  size_t n_results, hs_check_result *out) {
    const hs_variant_result *v[HS_CHECK_MAX_OTHERS];
    out->pass = 1;
    out->detail[0] = '\0';
    out->at_least = !(c->kind == HS_CHECK_P95_WITHIN || c->kind == HS_CHECK_MAX_DROPPED_PERCENT ||
                      c->kind == HS_CHECK_MAX_LATE_PERCENT);
    out->value = out->at_least ? INFINITY : -INFINITY;
    for (int i = 0; i < c->n_subjects; i++) {
        v[i] = find(results, n_results, c->subjects[i]);
        if (!v[i]) {
            out->pass = 0;
            out->value = NAN;
            snprintf(out->detail, sizeof out->detail,
                     "variant %s was not measured", c->subjects[i]);
            return -1;
        }
    }
    switch (c->kind) {
    case HS_CHECK_MIN_OK_PERCENT:
        for (int i = 0; i < c->n_subjects; i++) {
            double pct = v[i]->summary.ok_percent;
            if (pct < c->threshold) out->pass = 0;
            decide(out, pct);
            size_t len = strlen(out->detail);
            snprintf(out->detail + len, sizeof out->detail - len, "%s%s %.1f%%",
                     i ? ", " : "", v[i]->name, pct);
        }
        break;
    case HS_CHECK_P95_RATIO_AT_LEAST:
    case HS_CHECK_RPS_RATIO_AT_LEAST: {
        int p95 = c->kind == HS_CHECK_P95_RATIO_AT_LEAST;
        for (int i = 1; i < c->n_subjects; i++) {
            double x = p95 ? v[0]->summary.p95_s : v[0]->summary.rps;
            double ref = p95 ? v[i]->summary.p95_s : v[i]->summary.rps;
            /* no reference: a p95 of 0 is beaten by anything, a
             * throughput of 0 gives no ratio at all */
            double ratio = ref > 0 ? x / ref : p95 ? INFINITY : NAN;
            if (!(ratio >= c->threshold)) out->pass = 0;
            decide(out, ratio);
            size_t len = strlen(out->detail);
            snprintf(out->detail + len, sizeof out->detail - len, "%s%s/%s %s %.2fx",
                     i > 1 ? ", " : "", v[0]->name, v[i]->name, p95 ? "p95" : "requests/s",
                     ratio);
        }
        break;
    }
    case HS_CHECK_P95_WITHIN:
        for (int i = 0; i < c->n_subjects; i++)
            for (int j = i + 1; j < c->n_subjects; j++) {
                double a = v[i]->summary.p95_s, b = v[j]->summary.p95_s;
                double lo = a < b ? a : b;
                double diff = lo > 0 ? fabs(a - b) / lo : (a == b ? 0 : INFINITY);
                if (!(diff <= c->threshold)) out->pass = 0;
                decide(out, diff);
                size_t len = strlen(out->detail);
                snprintf(out->detail + len, sizeof out->detail - len,
                         "%s%s vs %s: ", strlen(out->detail) ? "; " : "",
                         v[i]->name, v[j]->name);
                say(out, "p95 differ by %.1f%% of the smaller (limit %.0f%%)",
                    100 * diff, 100 * c->threshold);
            }
        break;
    case HS_CHECK_P95_GROWS_MORE:
    case HS_CHECK_RPS_FALLS_MORE: {
        if (c->n_subjects != 4) {
            out->pass = 0;
            out->value = NAN;
            snprintf(out->detail, sizeof out->detail, "needs 4 variants, has %d",
                     c->n_subjects);
            return -1;
        }
        int p95 = c->kind == HS_CHECK_P95_GROWS_MORE;
        double x[4];
        for (int i = 0; i < 4; i++) x[i] = p95 ? v[i]->summary.p95_s : v[i]->summary.rps;
        double a = x[0] > 0 ? x[1] / x[0] : NAN, b = x[2] > 0 ? x[3] / x[2] : NAN;
        out->pass = p95 ? a >= c->threshold * b : a * c->threshold <= b;
        /* as one figure against the threshold: A's change over B's (p95),
         * B's share kept over A's (requests/s) */
        decide(out, p95 ? (b > 0 ? a / b : NAN) : (a > 0 ? b / a : NAN));
        /* a ratio with no number (a zero before) is said so, not "xnan" */
        char ra[32] = "unknown", rb[32] = "unknown";
        if (isfinite(a)) snprintf(ra, sizeof ra, "x%.2f", a);
        if (isfinite(b)) snprintf(rb, sizeof rb, "x%.2f", b);
        snprintf(out->detail, sizeof out->detail, "%s %s from %s to %s, %s from %s to %s",
                 p95 ? "p95" : "requests/s", ra, v[0]->name, v[1]->name, rb, v[2]->name,
                 v[3]->name);
        break;
    }
    case HS_CHECK_MAX_DROPPED_PERCENT:
    case HS_CHECK_MAX_LATE_PERCENT: {
        int drops = c->kind == HS_CHECK_MAX_DROPPED_PERCENT;
        const char *what = drops ? "dropped" : "sent over 1 ms late";
        for (int i = 0; i < c->n_subjects; i++) {
            double d = drops ? v[i]->dropped_percent : v[i]->late_percent;
            if (!(d <= c->threshold)) out->pass = 0; /* unknown fails */
            decide(out, d);
            size_t len = strlen(out->detail);
            if (isnan(d))
                snprintf(out->detail + len, sizeof out->detail - len, "%s%s %s: not known",
                         i ? ", " : "", v[i]->name, what);
            else
                snprintf(out->detail + len, sizeof out->detail - len, "%s%s %.1f%% %s",
                         i ? ", " : "", v[i]->name, d, what);
        }
        break;
    }
    case HS_CHECK_DISTINCT_CURVES:
        for (int i = 0; i < c->n_subjects; i++)
            if (v[i]->summary.requests == 0) out->pass = 0, out->value = NAN; /* no curve */
        for (int i = 0; i < c->n_subjects; i++)
            for (int j = i + 1; j < c->n_subjects; j++) {
                double d = distance(v[i], v[j]);
                if (!(d >= c->threshold)) out->pass = 0;
                decide(out, d < 0 ? NAN : d);
                size_t len = strlen(out->detail);
                if (d < 0)
                    snprintf(out->detail + len, sizeof out->detail - len,
                             "%s%s vs %s KS not known", len ? ", " : "", v[i]->name,
                             v[j]->name);
                else
                    snprintf(out->detail + len, sizeof out->detail - len,
                             "%s%s vs %s KS %.2f", len ? ", " : "", v[i]->name,
                             v[j]->name, d);
            }
        break;
    }
    return 0;
}

cJSON *hs_check_json(const hs_check *ck) {
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "title", ck->title);
    cJSON_AddStringToObject(o, "kind", hs_check_kind_name(ck->kind));
    cJSON *sub = cJSON_AddArrayToObject(o, "variants");
    for (int k = 0; k < ck->n_subjects; k++)
        cJSON_AddItemToArray(sub, cJSON_CreateString(ck->subjects[k]));
    cJSON_AddNumberToObject(o, "threshold", ck->threshold);
    return o;
}
