/* repeat_facts.c - the facts of a repeated run (`harness run --repeat N`):
 * each figure as the median of the repeats' own figures with a 95%
 * interval, each check's verdict from its deciding figure's interval, and
 * the warnings hyperfine would give (a slow first repeat, an outlier, and
 * repeats that disagree about a check). Everything is read from the
 * repeats' facts.json, which their runs wrote from what they measured;
 * the pooled latencies are the only raw measurements read here.
 *
 * Why whole repeats are resampled, never the requests: requests within a
 * run share its minute of the machine, so they are not independent draws
 * of what a run measures. On this 2-core machine lab01's sync p95 was 154
 * ms in one sitting and 240 ms in another, each with an interval from its
 * own requests a few ms wide. Only the spread between runs shows that. */
#include "facts/facts.h"

#include <cJSON.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const hs_repeat_figure hs_repeat_figures[] = {
    {"latency_ms.p50", +1}, {"latency_ms.p95", +1}, {"latency_ms.p99", +1},
    {"requests_per_s", -1}, {"ok_percent", 0},
    {"server.cpu_ms_per_request", +1}, {"server.cpu_cores_used", 0},
    {"probe.p95_ms", +1}, {"blocks.blocked_ms", +1},
    {"open_loop.late_over_1ms", +1}, {"capacity.service_ms", +1},
    {"capacity.predicted_rps", -1},
};
const int hs_n_repeat_figures = (int)(sizeof hs_repeat_figures / sizeof hs_repeat_figures[0]);

/* A number to ten significant digits, as facts.c writes them; null when
 * not finite. */
static cJSON *number(double v) {
    if (!isfinite(v)) return cJSON_CreateNull();
    char k[40];
    snprintf(k, sizeof k, "%.10g", v);
    return cJSON_CreateNumber(strtod(k, NULL));
}

/* The variant's facts object in a repeat's facts, or NULL. */
static const cJSON *variant_in(const cJSON *facts, const char *name) {
    return cJSON_GetObjectItemCaseSensitive(hs_fact_variants(facts), name);
}

static int measured(const cJSON *v) {
    return cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(v, "measured"));
}

/* Sets dotted path under obj to item, making the objects on the way. */
static void put(cJSON *obj, const char *path, cJSON *item) {
    char key[128];
    for (;;) {
        size_t len = strcspn(path, ".");
        snprintf(key, sizeof key, "%.*s", (int)len, path);
        if (!path[len]) {
            cJSON_AddItemToObject(obj, key, item);
            return;
        }
        cJSON *next = cJSON_GetObjectItemCaseSensitive(obj, key);
        if (!next) next = cJSON_AddObjectToObject(obj, key);
        obj = next, path += len + 1;
    }
}

int hs_repeat_interval(const double *values, size_t n, hs_interval *out) {
    double known[HS_REPEAT_MAX];
    size_t k = 0;
    for (size_t i = 0; i < n && k < HS_REPEAT_MAX; i++)
        if (isfinite(values[i])) known[k++] = values[i];
    if (k == 0) {
        *out = (hs_interval){NAN, NAN, NAN, 0};
        return -1;
    }
    return hs_bootstrap(known, k, 50, HS_REPEAT_RESAMPLES, HS_REPEAT_SEED, HS_REPEAT_CONF, out);
}

/* {median, lo, hi, n, values: [one per repeat, null where not known]}. */
static cJSON *interval_json(const double *values, int n) {
    cJSON *o = cJSON_CreateObject();
    hs_interval iv;
    hs_repeat_interval(values, (size_t)n, &iv);
    cJSON_AddItemToObject(o, "median", number(iv.value));
    cJSON_AddItemToObject(o, "lo", number(iv.lo));
    cJSON_AddItemToObject(o, "hi", number(iv.hi));
    cJSON_AddNumberToObject(o, "n", (double)iv.n);
    cJSON *vals = cJSON_AddArrayToObject(o, "values");
    for (int r = 0; r < n; r++) cJSON_AddItemToArray(vals, number(values[r]));
    return o;
}

/* Percentiles of a variant's pooled records: every repeat's requests
 * together, the curve the CDF draws. */
static cJSON *pooled_json(const hs_sample *s, size_t n) {
    hs_summary m;
    if (!s || n == 0 || hs_summarize(s, n, 0, &m)) return cJSON_CreateNull();
    cJSON *o = cJSON_CreateObject();
    cJSON_AddNumberToObject(o, "requests", (double)m.requests);
    cJSON_AddItemToObject(o, "ok_percent", number(m.ok_percent));
    cJSON *lat = cJSON_AddObjectToObject(o, "latency_ms");
    cJSON_AddItemToObject(lat, "p50", number(m.p50_s * 1e3));
    cJSON_AddItemToObject(lat, "p95", number(m.p95_s * 1e3));
    cJSON_AddItemToObject(lat, "p99", number(m.p99_s * 1e3));
    cJSON_AddItemToObject(lat, "max", number(m.max_s * 1e3));
    return o;
}

/* A warning, as facts: its kind and the numbers behind it. */
static cJSON *warning(cJSON *list, const char *kind, const char *variant, const char *figure) {
    cJSON *w = cJSON_CreateObject();
    cJSON_AddStringToObject(w, "kind", kind);
    if (variant) cJSON_AddStringToObject(w, "variant", variant);
    if (figure) cJSON_AddStringToObject(w, "figure", figure);
    cJSON_AddItemToArray(list, w);
    return w;
}

/* hyperfine's two outlier warnings, with its modified z-score threshold:
 * the first repeat far on the slow side of the others (warm-up too
 * short), else any repeat far from the others either way. Needs
 * HS_OUTLIER_MIN known values; says nothing when the values have no
 * spread (MAD 0). */
static void outliers(cJSON *list, const char *variant, const hs_repeat_figure *fig,
                     const double *values, int n) {
    double known[HS_REPEAT_MAX];
    int idx[HS_REPEAT_MAX], k = 0;
    for (int r = 0; r < n; r++)
        if (isfinite(values[r])) known[k] = values[r], idx[k++] = r;
    if (k < HS_OUTLIER_MIN) return;
    hs_interval iv;
    hs_repeat_interval(known, (size_t)k, &iv);
    double z0 = hs_modified_z(known, (size_t)k, known[0]);
    if (idx[0] == 0 && fig->slower != 0 && z0 * fig->slower > HS_OUTLIER_Z) {
        cJSON *w = warning(list, "slow_first_repeat", variant, fig->path);
        cJSON_AddItemToObject(w, "value", number(known[0]));
        cJSON_AddItemToObject(w, "median", number(iv.value));
        cJSON_AddItemToObject(w, "z", number(z0));
        cJSON_AddNumberToObject(w, "threshold", HS_OUTLIER_Z);
        return;
    }
    for (int i = 0; i < k; i++) {
        double z = hs_modified_z(known, (size_t)k, known[i]);
        if (!(fabs(z) > HS_OUTLIER_Z)) continue;
        cJSON *w = warning(list, "outlier_repeat", variant, fig->path);
        cJSON_AddNumberToObject(w, "repeat", idx[i] + 1);
        cJSON_AddItemToObject(w, "value", number(known[i]));
        cJSON_AddItemToObject(w, "median", number(iv.value));
        cJSON_AddItemToObject(w, "z", number(z));
        cJSON_AddNumberToObject(w, "threshold", HS_OUTLIER_Z);
    }
}

static cJSON *variant_json(const hs_repeat_input *in, int vi, cJSON *warnings) {
    const char *name = in->lab->variants[vi].name;
    cJSON *o = cJSON_CreateObject();
    int n = in->n_repeats, n_measured = 0;
    const cJSON *first = NULL;
    for (int r = 0; r < n; r++) {
        const cJSON *v = variant_in(in->facts[r], name);
        if (v && measured(v)) n_measured++, first = first ? first : v;
    }
    cJSON_AddBoolToObject(o, "measured", n_measured > 0);
    cJSON_AddNumberToObject(o, "repeats_measured", n_measured);
    const cJSON *settings = first ? cJSON_GetObjectItemCaseSensitive(first, "settings") : NULL;
    if (settings) cJSON_AddItemToObject(o, "settings", cJSON_Duplicate(settings, 1));
    cJSON_AddItemToObject(o, "pooled", pooled_json(in->pooled[vi], in->pooled_n[vi]));
    cJSON *rep = cJSON_AddObjectToObject(o, "repeated");
    for (int f = 0; f < hs_n_repeat_figures; f++) {
        double values[HS_REPEAT_MAX];
        int known = 0;
        for (int r = 0; r < n; r++) {
            const cJSON *v = variant_in(in->facts[r], name);
            values[r] = v && measured(v) ? hs_fact(v, hs_repeat_figures[f].path) : NAN;
            known += isfinite(values[r]);
        }
        if (!known) continue; /* a figure no repeat has: not there, as in facts */
        put(rep, hs_repeat_figures[f].path, interval_json(values, n));
        outliers(warnings, name, &hs_repeat_figures[f], values, n);
    }
    return o;
}

const char *hs_verdict_name(hs_verdict v) {
    return v == HS_PASS ? "PASS" : v == HS_FAIL ? "FAIL" : "UNSTABLE";
}

int hs_repeat_check(const cJSON *const *facts, int n, int c, hs_repeat_verdict *out) {
    memset(out, 0, sizeof *out);
    double values[HS_REPEAT_MAX];
    out->at_least = -1;
    for (int r = 0; r < n && r < HS_REPEAT_MAX; r++) {
        values[r] = NAN;
        const cJSON *ck = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(facts[r], "checks"), c);
        if (!ck) continue;
        out->ran++;
        out->threshold = hs_fact(ck, "threshold");
        out->at_least = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(ck, "at_least"));
        const cJSON *res = cJSON_GetObjectItemCaseSensitive(ck, "result");
        out->passed += cJSON_IsString(res) && !strcmp(res->valuestring, "PASS");
        values[r] = hs_fact(ck, "value");
        out->unknown += !isfinite(values[r]);
    }
    out->n = n < HS_REPEAT_MAX ? n : HS_REPEAT_MAX;
    memcpy(out->values, values, (size_t)out->n * sizeof *values);
    if (out->ran == 0) return -1;
    if (hs_repeat_interval(values, (size_t)out->n, &out->iv)) {
        out->verdict = HS_FAIL; /* no repeat has its figure: as a single run's unknown */
        return 0;
    }
    out->verdict = hs_interval_verdict(&out->iv, out->threshold, out->at_least);
    /* A repeat without the figure (not known, or not finite) cannot be
     * placed in the interval: the others cannot make the check a PASS. */
    if (out->unknown && out->verdict == HS_PASS) out->verdict = HS_UNSTABLE;
    return 0;
}

static cJSON *checks_json(const hs_repeat_input *in, cJSON *warnings) {
    cJSON *list = cJSON_CreateArray();
    for (int c = 0; c < in->lab->n_checks; c++) {
        const hs_check *ck = &in->lab->checks[c];
        hs_repeat_verdict rv;
        cJSON *o = hs_check_json(ck);
        cJSON_AddItemToArray(list, o);
        if (hs_repeat_check(in->facts, in->n_repeats, c, &rv)) {
            cJSON_AddNullToObject(o, "verdict");
            cJSON_AddStringToObject(o, "verdict_unknown", "no repeat judged it");
            continue;
        }
        cJSON_AddBoolToObject(o, "at_least", rv.at_least);
        cJSON_AddItemToObject(o, "value", interval_json(rv.values, rv.n));
        cJSON_AddNumberToObject(o, "repeats_judged", rv.ran);
        cJSON_AddNumberToObject(o, "repeats_passed", rv.passed);
        cJSON_AddNumberToObject(o, "repeats_unknown", rv.unknown);
        cJSON_AddStringToObject(o, "verdict", hs_verdict_name(rv.verdict));
        /* The repeats landed on both sides of the threshold: their spread
         * is wider than the difference the check judges. */
        if (rv.passed > 0 && rv.passed < rv.ran) {
            cJSON *w = warning(warnings, "repeats_disagree", NULL, NULL);
            cJSON_AddNumberToObject(w, "check", c);
            cJSON_AddStringToObject(w, "title", ck->title);
            cJSON_AddNumberToObject(w, "passed", rv.passed);
            cJSON_AddNumberToObject(w, "judged", rv.ran);
            double lo = INFINITY, hi = -INFINITY;
            for (int r = 0; r < rv.n; r++)
                if (isfinite(rv.values[r])) lo = fmin(lo, rv.values[r]), hi = fmax(hi, rv.values[r]);
            cJSON_AddItemToObject(w, "min", number(lo));
            cJSON_AddItemToObject(w, "max", number(hi));
            cJSON_AddNumberToObject(w, "threshold", ck->threshold);
        }
    }
    return list;
}

cJSON *hs_repeat_facts_build(const hs_repeat_input *in) {
    cJSON *f = cJSON_CreateObject();
    if (!f) return NULL;
    cJSON_AddNumberToObject(f, "facts_format", HS_FACTS_FORMAT);
    cJSON_AddStringToObject(f, "kind", "repeats");
    cJSON_AddStringToObject(f, "lab", in->lab->name);
    cJSON_AddBoolToObject(f, "complete", in->complete);
    if (in->incomplete_reason) cJSON_AddStringToObject(f, "incomplete_reason", in->incomplete_reason);
    else cJSON_AddNullToObject(f, "incomplete_reason");
    cJSON *r = cJSON_AddObjectToObject(f, "repeats");
    cJSON_AddNumberToObject(r, "planned", in->planned);
    cJSON_AddNumberToObject(r, "ran", in->n_repeats);
    cJSON_AddStringToObject(r, "order", "interleaved: each repeat runs every variant once, in "
                                        "the lab's order, each on a fresh server");
    cJSON_AddStringToObject(r, "statistic", "the median of the repeats' own figures");
    cJSON_AddStringToObject(r, "interval", "percentile bootstrap resampling whole repeats");
    cJSON_AddNumberToObject(r, "confidence", HS_REPEAT_CONF);
    cJSON_AddNumberToObject(r, "resamples", HS_REPEAT_RESAMPLES);
    cJSON_AddNumberToObject(r, "seed", HS_REPEAT_SEED);
    cJSON *folders = cJSON_AddArrayToObject(r, "folders");
    cJSON *left = cJSON_AddArrayToObject(r, "left_out");
    int used = 0;
    for (int k = 0; k < in->n_repeats; k++) {
        cJSON_AddItemToArray(folders, cJSON_CreateString(in->folders[k]));
        used += in->facts[k] != NULL;
        if (in->facts[k]) continue;
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "folder", in->folders[k]);
        cJSON_AddStringToObject(o, "why", in->left_out_why && in->left_out_why[k]
                                              ? in->left_out_why[k] : "no facts.json");
        cJSON_AddItemToArray(left, o);
    }
    cJSON_AddNumberToObject(r, "used", used);
    /* The machine and load are the same for every repeat: the first's. */
    const cJSON *first = NULL;
    for (int k = 0; k < in->n_repeats && !first; k++) first = in->facts[k];
    const char *same[] = {"machine", "load", "evidence"};
    for (size_t k = 0; k < sizeof same / sizeof same[0]; k++) {
        const cJSON *x = first ? cJSON_GetObjectItemCaseSensitive(first, same[k]) : NULL;
        cJSON_AddItemToObject(f, same[k], x ? cJSON_Duplicate(x, 1) : cJSON_CreateNull());
    }
    cJSON *warnings = cJSON_CreateArray();
    cJSON *vars = cJSON_AddObjectToObject(f, "variants");
    for (int vi = 0; vi < in->lab->n_variants; vi++)
        cJSON_AddItemToObject(vars, in->lab->variants[vi].name, variant_json(in, vi, warnings));
    cJSON_AddItemToObject(f, "checks", checks_json(in, warnings));
    cJSON_AddItemToObject(f, "warnings", warnings);
    return f;
}

cJSON *hs_repeat_facts_read(const char *dir, const char *folder, char *why, size_t size) {
    char sub[4200], err[4400];
    int rc;
    snprintf(sub, sizeof sub, "%s/%s", dir, folder);
    cJSON *f = hs_facts_read(sub, &rc, err, sizeof err);
    if (!f) {
        snprintf(why, size, "%s", err);
        return NULL;
    }
    /* A repeat cut short (Ctrl-C) measured less than the others: its
     * figures would pull the medians. */
    if (!cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(f, "complete"))) {
        const cJSON *r = cJSON_GetObjectItemCaseSensitive(f, "incomplete_reason");
        snprintf(why, size, "its run did not complete (%s)",
                 cJSON_IsString(r) ? r->valuestring : "cut short");
        cJSON_Delete(f);
        return NULL;
    }
    why[0] = '\0';
    return f;
}

int hs_facts_is_repeats(const cJSON *facts) {
    const cJSON *k = cJSON_GetObjectItemCaseSensitive(facts, "kind");
    return cJSON_IsString(k) && !strcmp(k->valuestring, "repeats");
}
