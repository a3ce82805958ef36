/* sweep_report.c - a sweep's summary.md: per variant, a table across the
 * points, then a table of what changed from the first point to the last,
 * then the setting_change rule (rules_settings.c) over the first and last
 * points' facts. Each point's own summary.md has the rest of the findings. */
#include "report/report.h"

#include "lab/lab.h"
#include "common/files.h"
#include "common/strbuf.h"

#include <cJSON.h>
#include <stdlib.h>
#include <unistd.h>

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

/* Milliseconds: two decimals below 10, one above. */
static void ms_cell(hs_strbuf *b, double seconds) {
    double v = seconds * 1e3;
    hs_strbuf_printf(b, v < 10 ? "%.2f" : "%.1f", v);
}

static const hs_variant_outcome *find(const hs_sweep_point *pt, const char *name) {
    for (int k = 0; k < pt->out.n; k++)
        if (!strcmp(pt->out.v[k].name, name)) return &pt->out.v[k];
    return NULL;
}

/* 1 when v recorded every request without a problem but too few of them
 * got HTTP 200 to be compared. */
static int low_ok(const hs_variant_outcome *v) {
    return v && v->complete && v->measured && v->summary.ok_percent < HS_RULES_MIN_OK_PERCENT;
}

/* Variant name's numbers at point i when they can be compared (complete,
 * and at least HS_RULES_MIN_OK_PERCENT HTTP 200), else NULL. */
static const hs_summary *complete_at(const hs_sweep *s, int i, const char *name) {
    const hs_variant_outcome *v = find(&s->points[i], name);
    return v && v->complete && v->measured && v->summary.ok_percent >= HS_RULES_MIN_OK_PERCENT
               ? &v->summary
               : NULL;
}

static void table(hs_strbuf *b, const hs_sweep *s, int vi) {
    const char *name = s->variants[vi], *pname = hs_sweep_param_name(s->spec.param);
    hs_strbuf_printf(b, "## %s", name);
    if (strcmp(s->labels[vi], name)) hs_strbuf_printf(b, " (%s)", s->labels[vi]);
    hs_strbuf_printf(b, "\n\n| %s | requests | HTTP 200 | p50 (ms) | p95 (ms) | p99 (ms) | "
                        "requests/s | serving pids | run |\n"
                        "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |\n", pname);
    for (int i = 0; i < s->spec.n; i++) {
        const hs_sweep_point *pt = &s->points[i];
        const hs_variant_outcome *v = find(pt, name);
        hs_strbuf_printf(b, "| %ld | ", pt->value);
        if (!v || !v->measured) {
            hs_strbuf_printf(b, "- | - | - | - | - | - | - | ");
        } else {
            const hs_summary *m = &v->summary;
            hs_strbuf_printf(b, "%zu | %.1f%% | ", m->requests, m->ok_percent);
            ms_cell(b, m->p50_s), hs_strbuf_printf(b, " | ");
            ms_cell(b, m->p95_s), hs_strbuf_printf(b, " | ");
            ms_cell(b, m->p99_s), hs_strbuf_printf(b, " | %.1f | ", m->rps);
            if (v->n_pids) hs_strbuf_printf(b, "%d | ", v->n_pids);
            else hs_strbuf_printf(b, "- | ");
        }
        if (pt->status == HS_POINT_NOT_RUN) {
            hs_strbuf_printf(b, "not run |\n");
            continue;
        }
        hs_strbuf_printf(b, "[%s](%s/summary.md)", pt->folder, pt->folder);
        if ((!v || !v->measured) && pt->status == HS_POINT_FAILED)
            hs_strbuf_printf(b, " failed (exit %d)%s%s", pt->exit_code,
                             v && v->problem[0] ? ": " : "", v ? v->problem : "");
        else if (v && !v->complete)
            hs_strbuf_printf(b, " incomplete%s%s", v->problem[0] ? ": " : "", v->problem);
        else if (low_ok(v))
            hs_strbuf_printf(b, " not compared: below %g%% HTTP 200", HS_RULES_MIN_OK_PERCENT);
        hs_strbuf_printf(b, " |\n");
    }
    hs_strbuf_printf(b, "\n");
}

/* The variant's first and last points with complete numbers, or -1. */
static void ends(const hs_sweep *s, const char *name, int *first, int *last) {
    *first = *last = -1;
    for (int i = 0; i < s->spec.n; i++)
        if (complete_at(s, i, name)) {
            if (*first < 0) *first = i;
            *last = i;
        }
}

/* "rose at every step", "fell at every step", or NULL, over the complete
 * points in order; rps when want_rps, else p95. */
static const char *trend(const hs_sweep *s, const char *name, int want_rps) {
    int up = 1, down = 1, steps = 0;
    double prev = NAN;
    for (int i = 0; i < s->spec.n; i++) {
        const hs_summary *m = complete_at(s, i, name);
        if (!m) continue;
        double v = want_rps ? m->rps : m->p95_s;
        if (!isnan(prev)) {
            up &= v > prev, down &= v < prev;
            steps++;
        }
        prev = v;
    }
    if (steps < 2) return NULL; /* one step is already in the first-to-last ratio */
    return up ? "rose at every step" : down ? "fell at every step" : NULL;
}

static void ratio_cell(hs_strbuf *b, double x, double y) {
    hs_strbuf_printf(b, x > 0 ? " x%.2f |" : " - |", y / x);
}

/* One row per variant: its first and last points with complete numbers,
 * the ratios last / first, and whether p95 and requests/s moved the same
 * way at every step between. Figures only: why they moved is in each
 * point's own summary and in the findings below. */
static void what_changed(hs_strbuf *b, const hs_sweep *s) {
    const char *pname = hs_sweep_param_name(s->spec.param);
    hs_strbuf_printf(b, "## What changed, first to last\n\n"
                        "| variant | %s | p50 | p95 | requests/s | p95 at each step | "
                        "requests/s at each step |\n"
                        "| --- | --- | ---: | ---: | ---: | --- | --- |\n", pname);
    for (int vi = 0; vi < s->n_variants; vi++) {
        const char *name = s->variants[vi];
        int f, l;
        ends(s, name, &f, &l);
        if (f < 0 || f == l) {
            hs_strbuf_printf(b, "| %s | fewer than two points with complete numbers | - | - | "
                                "- | - | - |\n", name);
            continue;
        }
        const hs_summary *a = complete_at(s, f, name), *z = complete_at(s, l, name);
        const char *t95 = trend(s, name, 0), *trps = trend(s, name, 1);
        hs_strbuf_printf(b, "| %s | %ld → %ld |", name, s->points[f].value, s->points[l].value);
        ratio_cell(b, a->p50_s, z->p50_s), ratio_cell(b, a->p95_s, z->p95_s);
        ratio_cell(b, a->rps, z->rps);
        hs_strbuf_printf(b, " %s | %s |\n", t95 ? t95 : "-", trps ? trps : "-");
    }
    hs_strbuf_printf(b, "\nOnly points with complete numbers are compared: every request "
                        "recorded, the variant's server and load generator without a problem "
                        "(the run column names any), and at least %g%% of the requests "
                        "answered HTTP 200. Ratios are last / first.\n\n",
                     HS_RULES_MIN_OK_PERCENT);
}

/* The variants of point i's facts.json, renamed "name at param=value",
 * added to into; 0, or -1 when the file is missing or unreadable. */
static int add_point_facts(cJSON *into, const char *dir, const hs_sweep *s, int i) {
    char path[4096], *text;
    snprintf(path, sizeof path, "%s/%s/facts.json", dir, s->points[i].folder);
    if (hs_read_file(path, 64 << 20, &text, NULL)) return -1;
    cJSON *facts = cJSON_Parse(text);
    free(text);
    const cJSON *vars = hs_fact_variants(facts), *v;
    if (!cJSON_IsObject(vars)) return cJSON_Delete(facts), -1;
    cJSON *out = cJSON_GetObjectItemCaseSensitive(into, "variants");
    cJSON_ArrayForEach(v, vars) {
        char name[160];
        snprintf(name, sizeof name, "%s at %s=%ld", v->string,
                 hs_sweep_param_name(s->spec.param), s->points[i].value);
        cJSON_AddItemToObject(out, name, cJSON_Duplicate(v, 1));
    }
    if (!cJSON_GetObjectItemCaseSensitive(into, "load"))
        cJSON_AddItemToObject(into, "load",
                              cJSON_Duplicate(cJSON_GetObjectItemCaseSensitive(facts, "load"), 1));
    cJSON_Delete(facts);
    return 0;
}

/* The setting_change findings across the sweep: every variant at the
 * first and the last point that have a facts.json, paired by what their servers
 * reported. A sweep whose servers report no settings gets nothing here. */
static void across_points(hs_strbuf *b, const char *dir, const hs_sweep *s) {
    int f = -1, l = -1;
    for (int i = 0; i < s->spec.n; i++) {
        char path[4096];
        snprintf(path, sizeof path, "%s/%s/facts.json", dir, s->points[i].folder);
        if (s->points[i].status == HS_POINT_NOT_RUN || access(path, R_OK)) continue;
        if (f < 0) f = i;
        l = i;
    }
    if (f < 0 || f == l) return;
    cJSON *facts = cJSON_CreateObject();
    cJSON_AddObjectToObject(facts, "variants");
    hs_strbuf found;
    hs_strbuf_init(&found, 2048);
    if (!add_point_facts(facts, dir, s, f) && !add_point_facts(facts, dir, s, l) &&
        hs_rules_run_only(facts, "setting_change", &found) > 0 && found.ok)
        hs_strbuf_printf(b, "## Across the %s, as the servers reported it\n\n%s\n",
                         hs_sweep_param_name(s->spec.param), found.s);
    hs_strbuf_free(&found);
    cJSON_Delete(facts);
}

/* One line naming the points that failed, were interrupted or never ran,
 * before anything else: their rows alone would not say why. */
static void unmeasured_note(hs_strbuf *b, const hs_sweep *s) {
    static const struct {
        hs_point_status st;
        const char *says;
    } kinds[] = {{HS_POINT_FAILED, "failed"},
                 {HS_POINT_INTERRUPTED, "interrupted"},
                 {HS_POINT_NOT_RUN, "not run"}};
    const char *pname = hs_sweep_param_name(s->spec.param);
    int groups = 0;
    for (size_t k = 0; k < sizeof kinds / sizeof kinds[0]; k++) {
        int n = 0;
        for (int i = 0; i < s->spec.n; i++) {
            const hs_sweep_point *pt = &s->points[i];
            if (pt->status != kinds[k].st) continue;
            if (n++ == 0)
                hs_strbuf_printf(b, "%s%s: ", groups++ ? "; " : "> **Not every point was "
                                                               "measured in full.** ",
                                 kinds[k].says);
            else
                hs_strbuf_printf(b, ", ");
            hs_strbuf_printf(b, "%s=%ld", pname, pt->value);
            if (pt->status == HS_POINT_FAILED) hs_strbuf_printf(b, " (exit %d)", pt->exit_code);
        }
    }
    if (groups)
        hs_strbuf_printf(b, ". Their rows below show what there is; nothing of theirs that is "
                            "incomplete is compared.\n\n");
}

int hs_sweep_report_write(const char *dir, const hs_sweep *s) {
    hs_strbuf b;
    hs_strbuf_init(&b, 16384);
    const hs_load_params *L = &s->load;
    hs_sweep_param p = s->spec.param;
    hs_strbuf_printf(&b, "# Sweep of %s: %s\n\n", hs_sweep_param_name(p), s->lab_title);
    if (!s->complete)
        hs_strbuf_printf(&b, "> **Incomplete sweep:** %s. The tables cover what was measured.\n\n",
                         s->reason[0] ? s->reason : "it was cut short");
    unmeasured_note(&b, s);
    hs_strbuf_printf(&b, "Swept: %s = ", hs_sweep_param_axis(p));
    for (int i = 0; i < s->spec.n; i++)
        hs_strbuf_printf(&b, "%s%ld", i ? ", " : "", s->spec.values[i]);
    hs_strbuf_printf(&b, ". Each point is a complete run of lab %s in its own folder. Fixed: ",
                     s->lab_name);
    if (p != HS_SWEEP_CONCURRENCY)
        hs_strbuf_printf(&b, "%ld concurrent clients (closed loop), ", L->concurrency);
    hs_strbuf_printf(&b, "%ld recorded requests per variant and point after %ld warm-up "
                         "requests, %s %s, request timeout %.0f s",
                     L->total, L->warmup, s->method, s->path, L->timeout_s);
    if (p != HS_SWEEP_WORKERS && (s->takes & (1u << HS_SWEEP_WORKERS)))
        hs_strbuf_printf(&b, ", %ld server worker process%s", L->workers,
                         L->workers == 1 ? "" : "es");
    if (p != HS_SWEEP_THREADS && (s->takes & (1u << HS_SWEEP_THREADS)))
        hs_strbuf_printf(&b, ", %ld pool threads per worker", L->threads);
    if (p != HS_SWEEP_IO_DELAY_MS && (s->takes & (1u << HS_SWEEP_IO_DELAY_MS)))
        hs_strbuf_printf(&b, ", %ld ms extra I/O wait per request", L->io_delay_ms);
    hs_strbuf_printf(&b, ". Machine: %ld cores.\n\n", s->cores);
    hs_strbuf_printf(&b, "![latency percentiles and requests/s against %s](sweep.png)\n\n",
                     hs_sweep_param_name(p));
    for (int vi = 0; vi < s->n_variants; vi++) table(&b, s, vi);
    hs_strbuf_printf(&b, "Percentiles are over every recorded request, failures included "
                         "(linear interpolation, NumPy's default). \"serving pids\" counts the "
                         "distinct processes that answered GET /healthz over fresh "
                         "connections after warm-up.\n\n");
    what_changed(&b, s);
    across_points(&b, dir, s);
    hs_strbuf_printf(&b, "Files: `manifest.json` (the sweep, every point's numbers, machine "
                         "and versions), `sweep.png` drawn by `sweep.gp` from `sweep.dat`, "
                         "and one folder per point with a single run's files.\n");
    if (!b.ok) {
        hs_strbuf_free(&b);
        return -ENOMEM;
    }
    char path[4096];
    snprintf(path, sizeof path, "%s/summary.md", dir);
    int rc = hs_write_atomic(path, b.s, b.len);
    hs_strbuf_free(&b);
    return rc;
}
