/* sweep_report.c - a sweep's summary.md: per variant, a table across the
 * points, then a table of what changed from the first point to the last,
 * then the setting_change rule (rules_settings.c) over the first and last
 * points' facts. Each point's own summary.md has the rest of the findings. */
#include "report/report.h"

#include "lab/lab.h"
#include "common/files.h"
#include "common/strbuf.h"

#include <cJSON.h>
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
        else if (v && v->complete && v->measured && !hs_sweep_comparable(s, i, name))
            hs_strbuf_printf(b, " not compared: below %g%% HTTP 200", HS_FACTS_MIN_OK_PERCENT);
        hs_strbuf_printf(b, " |\n");
    }
    hs_strbuf_printf(b, "\n");
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
    static const char *const trend[] = {"fell at every step", "-", "rose at every step"};
    for (int vi = 0; vi < s->n_variants; vi++) {
        hs_sweep_change c;
        hs_sweep_change_of(s, vi, &c);
        if (c.first < 0) {
            hs_strbuf_printf(b, "| %s | fewer than two points with complete numbers | - | - | "
                                "- | - | - |\n", s->variants[vi]);
            continue;
        }
        hs_strbuf_printf(b, "| %s | %ld → %ld | x%.2f | x%.2f | x%.2f | %s | %s |\n",
                         s->variants[vi], s->points[c.first].value, s->points[c.last].value,
                         c.p50_x, c.p95_x, c.rps_x, trend[c.p95_trend + 1],
                         trend[c.rps_trend + 1]);
    }
    hs_strbuf_printf(b, "\nOnly points with complete numbers are compared: every request "
                        "recorded, the variant's server and load generator without a problem "
                        "(the run column names any), and at least %g%% of the requests "
                        "answered HTTP 200. Ratios are last / first.\n\n",
                     HS_FACTS_MIN_OK_PERCENT);
}

/* The setting_change findings across the sweep (hs_sweep_ends_facts): a
 * sweep whose servers report no settings gets nothing here. */
static void across_points(hs_strbuf *b, const char *dir, const hs_sweep *s) {
    cJSON *facts = hs_sweep_ends_facts(dir, s);
    hs_strbuf found;
    hs_strbuf_init(&found, 2048);
    if (facts && hs_rules_run_only(facts, "setting_change", &found) > 0 && found.ok)
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
