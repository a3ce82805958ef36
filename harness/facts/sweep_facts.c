/* sweep_facts.c - the figures a sweep's summary compares, computed here
 * once: which points of a variant are comparable, its first and last, the
 * ratios between them and whether they moved one way at every step; and
 * the first and last points' facts.json joined for the rules. */
#include "facts/facts.h"

#include "common/files.h"

#include <cJSON.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

const hs_summary *hs_sweep_comparable(const hs_sweep *s, int i, const char *name) {
    const hs_sweep_point *pt = &s->points[i];
    for (int k = 0; k < pt->out.n; k++) {
        const hs_variant_outcome *v = &pt->out.v[k];
        if (strcmp(v->name, name)) continue;
        return v->complete && v->measured && v->summary.ok_percent >= HS_FACTS_MIN_OK_PERCENT
                   ? &v->summary
                   : NULL;
    }
    return NULL;
}

/* +1 rose at every step, -1 fell at every step, else 0; over the
 * comparable points in order, rps when want_rps, else p95. One step is
 * already the first-to-last ratio, so it takes two. */
static int trend(const hs_sweep *s, const char *name, int want_rps) {
    int up = 1, down = 1, steps = 0;
    double prev = NAN;
    for (int i = 0; i < s->spec.n; i++) {
        const hs_summary *m = hs_sweep_comparable(s, i, name);
        if (!m) continue;
        double v = want_rps ? m->rps : m->p95_s;
        if (!isnan(prev)) up &= v > prev, down &= v < prev, steps++;
        prev = v;
    }
    return steps < 2 ? 0 : up ? 1 : down ? -1 : 0;
}

void hs_sweep_change_of(const hs_sweep *s, int vi, hs_sweep_change *c) {
    const char *name = s->variants[vi];
    *c = (hs_sweep_change){.first = -1, .last = -1};
    for (int i = 0; i < s->spec.n; i++)
        if (hs_sweep_comparable(s, i, name)) {
            if (c->first < 0) c->first = i;
            c->last = i;
        }
    if (c->first < 0 || c->first == c->last) {
        c->first = c->last = -1;
        return;
    }
    const hs_summary *a = hs_sweep_comparable(s, c->first, name);
    const hs_summary *z = hs_sweep_comparable(s, c->last, name);
    c->p50_x = a->p50_s > 0 ? z->p50_s / a->p50_s : NAN;
    c->p95_x = a->p95_s > 0 ? z->p95_s / a->p95_s : NAN;
    c->rps_x = a->rps > 0 ? z->rps / a->rps : NAN;
    c->p95_trend = trend(s, name, 0), c->rps_trend = trend(s, name, 1);
}

int hs_sweep_knee(const hs_sweep *s, int vi, int *kept, int *behind) {
    *kept = *behind = -1;
    if (s->spec.param != HS_SWEEP_RATE) return -1;
    for (int i = 0; i < s->spec.n; i++) {
        const hs_summary *m = hs_sweep_comparable(s, i, s->variants[vi]);
        if (!m) continue;
        if (m->rps >= HS_SWEEP_KEPT_UP * (double)s->points[i].value) {
            if (*behind < 0) *kept = i;
        } else if (*behind < 0) {
            *behind = i;
        }
    }
    return 0;
}

double hs_sweep_predicted(const hs_sweep *s, int vi, int *n) {
    double got[HS_SWEEP_MAX_POINTS];
    *n = 0;
    for (int i = 0; i < s->spec.n; i++) {
        if (!hs_sweep_comparable(s, i, s->variants[vi])) continue;
        for (int k = 0; k < s->points[i].out.n; k++) {
            const hs_variant_outcome *o = &s->points[i].out.v[k];
            if (!strcmp(o->name, s->variants[vi]) && o->predicted_rps > 0)
                got[(*n)++] = o->predicted_rps;
        }
    }
    double *sorted = *n ? hs_sorted_copy(got, (size_t)*n) : NULL, median = 0;
    if (!sorted || hs_percentile(sorted, (size_t)*n, 50, &median)) *n = 0, median = 0;
    free(sorted);
    return median;
}

/* Point i's facts.json, or NULL when it did not run in full, has none, or
 * it is unreadable. */
static cJSON *point_facts(const char *dir, const hs_sweep *s, int i) {
    char path[4096], *text;
    snprintf(path, sizeof path, "%s/%s/facts.json", dir, s->points[i].folder);
    /* Only points that ran in full: a failed or interrupted one's figures
     * are not comparable, as the summary's tables say. */
    hs_point_status st = s->points[i].status;
    if ((st != HS_POINT_DONE && st != HS_POINT_DONE_NO_PLOT) ||
        hs_read_file(path, 64 << 20, &text, NULL))
        return NULL;
    cJSON *facts = cJSON_Parse(text);
    free(text);
    if (cJSON_IsObject(hs_fact_variants(facts))) return facts;
    cJSON_Delete(facts);
    return NULL;
}

cJSON *hs_sweep_ends_facts(const char *dir, const hs_sweep *s) {
    cJSON *ends[2] = {NULL, NULL};
    int at[2] = {-1, -1};
    for (int i = 0; i < s->spec.n; i++) {
        cJSON *f = point_facts(dir, s, i);
        if (!f) continue;
        if (!ends[0]) ends[0] = f, at[0] = i;
        else cJSON_Delete(ends[1]), ends[1] = f, at[1] = i;
    }
    if (!ends[1]) {
        cJSON_Delete(ends[0]);
        return NULL;
    }
    cJSON *out = cJSON_CreateObject();
    cJSON *vars = cJSON_AddObjectToObject(out, "variants");
    cJSON_AddItemToObject(out, "load",
                          cJSON_Duplicate(cJSON_GetObjectItemCaseSensitive(ends[1], "load"), 1));
    for (int k = 0; k < 2; k++) {
        const cJSON *v;
        cJSON_ArrayForEach(v, hs_fact_variants(ends[k])) {
            char name[160];
            snprintf(name, sizeof name, "%s at %s=%ld", v->string,
                     hs_sweep_param_name(s->spec.param), s->points[at[k]].value);
            cJSON_AddItemToObject(vars, name, cJSON_Duplicate(v, 1));
        }
        cJSON_Delete(ends[k]);
    }
    return out;
}
