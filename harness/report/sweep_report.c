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

/* The run cell of point i for v: its folder, and what kept its numbers
 * out of the comparisons, in words.md's words. */
static void run_cell(hs_strbuf *b, const hs_sweep *s, int i, const hs_variant_outcome *v) {
    const hs_sweep_point *pt = &s->points[i];
    hs_say_ctx c = {0};
    hs_say_str(&c, "folder", pt->folder), hs_say_num(&c, "exit", pt->exit_code);
    char problem[300] = "";
    if (v && v->problem[0]) snprintf(problem, sizeof problem, ": %s", v->problem);
    hs_say_str(&c, "problem", problem);
    hs_say_num(&c, "min_ok", HS_FACTS_MIN_OK_PERCENT);
    const char *why = NULL;
    if ((!v || !v->measured) && pt->status == HS_POINT_FAILED) why = "sweep.run.failed";
    else if (v && !v->complete) why = "sweep.run.incomplete";
    else if (v && v->measured && !hs_sweep_comparable(s, i, v->name)) why = "sweep.run.low_ok";
    if (why) hs_say_sub(&c, "why", why, NULL);
    hs_say_str(&c, "why", "");
    hs_say_part(b, pt->status == HS_POINT_NOT_RUN ? "sweep.run.not_run" : "sweep.run", &c);
}

static void table(hs_strbuf *b, const hs_sweep *s, int vi) {
    const char *name = s->variants[vi];
    hs_say_ctx head = {0};
    hs_say_str(&head, "param", hs_sweep_param_name(s->spec.param));
    hs_strbuf_printf(b, "## %s", name);
    if (strcmp(s->labels[vi], name)) hs_strbuf_printf(b, " (%s)", s->labels[vi]);
    hs_strbuf_printf(b, "\n\n");
    hs_say_line(b, "sweep.points.head", &head), hs_say_line(b, "sweep.points.rule", &head);
    for (int i = 0; i < s->spec.n; i++) {
        const hs_variant_outcome *v = find(&s->points[i], name);
        hs_strbuf_printf(b, "| %ld | ", s->points[i].value);
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
        run_cell(b, s, i, v);
        hs_strbuf_printf(b, " |\n");
    }
    hs_strbuf_printf(b, "\n");
}

/* One row per variant: its first and last points with complete numbers,
 * the ratios last / first, and whether p95 and requests/s moved the same
 * way at every step between. Figures only: why they moved is in each
 * point's own summary and in the findings below. */
static void what_changed(hs_strbuf *b, const hs_sweep *s, const hs_say_ctx *words) {
    hs_say_ctx head = {0};
    hs_say_str(&head, "param", hs_sweep_param_name(s->spec.param));
    hs_say_heading(b, "heading.changed", NULL);
    hs_say_line(b, "sweep.changed.head", &head), hs_say_line(b, "sweep.changed.rule", &head);
    static const char *const trend[] = {"sweep.trend.fell", "sweep.trend.none", "sweep.trend.rose"};
    for (int vi = 0; vi < s->n_variants; vi++) {
        hs_sweep_change c;
        hs_sweep_change_of(s, vi, &c);
        hs_say_ctx row = {0};
        hs_say_str(&row, "name", s->variants[vi]);
        if (c.first < 0) {
            hs_say_line(b, "sweep.changed.few", &row);
            continue;
        }
        hs_say_num(&row, "from", (double)s->points[c.first].value);
        hs_say_num(&row, "to", (double)s->points[c.last].value);
        hs_say_num2(&row, "p50", c.p50_x), hs_say_num2(&row, "p95", c.p95_x);
        hs_say_num2(&row, "rps", c.rps_x);
        hs_say_sub(&row, "p95_trend", trend[c.p95_trend + 1], NULL);
        hs_say_sub(&row, "rps_trend", trend[c.rps_trend + 1], NULL);
        hs_say_line(b, "sweep.changed.row", &row);
    }
    hs_strbuf_printf(b, "\n"), hs_say(b, "sweep.changed", words), hs_strbuf_printf(b, "\n");
    if (s->spec.param != HS_SWEEP_RATE) return;
    hs_say_heading(b, "heading.knee", NULL);
    for (int vi = 0; vi < s->n_variants; vi++) {
        int kept, behind;
        hs_sweep_knee(s, vi, &kept, &behind);
        hs_say_ctx k = {0};
        hs_say_str(&k, "name", s->variants[vi]);
        hs_say_num(&k, "share", 100 * HS_SWEEP_KEPT_UP);
        if (kept >= 0) hs_say_num(&k, "kept", (double)s->points[kept].value);
        if (behind >= 0) {
            const hs_summary *m = hs_sweep_comparable(s, behind, s->variants[vi]);
            hs_say_num(&k, "offered", (double)s->points[behind].value);
            hs_say_num(&k, "served", m->rps);
        }
        /* Where the prediction lies against the knee: between the last
         * rate kept up with and the first one not, or on which side. */
        int n_pred;
        double pred = hs_sweep_predicted(s, vi, &n_pred);
        if (n_pred > 0) {
            int below = kept >= 0 && pred < (double)s->points[kept].value;
            int above = behind >= 0 && pred >= (double)s->points[behind].value;
            hs_say_num(&k, "predicted", pred);
            hs_say_num(&k, "n_predicted", n_pred);
            hs_say_sub(&k, "prediction",
                       below   ? "sweep.knee.predicted_below"
                       : above ? "sweep.knee.predicted_above"
                               : "sweep.knee.predicted_agrees",
                       NULL);
        } else {
            hs_say_str(&k, "prediction", "");
        }
        hs_say(b, behind < 0 ? "sweep.knee.none" : kept < 0 ? "sweep.knee.first" : "sweep.knee",
               &k);
    }
    hs_strbuf_printf(b, "\n");
}

/* The setting_change findings across the sweep (hs_sweep_ends_facts): a
 * sweep whose servers report no settings gets nothing here. */
static void across_points(hs_strbuf *b, const char *dir, const hs_sweep *s) {
    cJSON *facts = hs_sweep_ends_facts(dir, s);
    hs_strbuf found;
    hs_strbuf_init(&found, 2048);
    hs_say_ctx c = {0};
    hs_say_str(&c, "param", hs_sweep_param_name(s->spec.param));
    if (facts && hs_rules_run_only(facts, "setting_change", &found) > 0 && found.ok)
        hs_say_heading(b, "heading.across", &c), hs_strbuf_printf(b, "%s\n", found.s);
    hs_strbuf_free(&found);
    cJSON_Delete(facts);
}

/* One line naming the points that failed, were interrupted or never ran,
 * before anything else: their rows alone would not say why. */
static void unmeasured_note(hs_strbuf *b, const hs_sweep *s) {
    static const hs_point_status kinds[] = {HS_POINT_FAILED, HS_POINT_INTERRUPTED,
                                            HS_POINT_NOT_RUN};
    const char *pname = hs_sweep_param_name(s->spec.param);
    hs_strbuf groups;
    hs_strbuf_init(&groups, 256);
    for (size_t k = 0; k < sizeof kinds / sizeof kinds[0]; k++) {
        int n = 0;
        for (int i = 0; i < s->spec.n; i++) {
            const hs_sweep_point *pt = &s->points[i];
            if (pt->status != kinds[k]) continue;
            if (n++ == 0)
                hs_strbuf_printf(&groups, "%s%s: ", groups.len ? "; " : "",
                                 hs_point_status_name(kinds[k]));
            else
                hs_strbuf_printf(&groups, ", ");
            hs_strbuf_printf(&groups, "%s=%ld", pname, pt->value);
            if (pt->status == HS_POINT_FAILED) hs_strbuf_printf(&groups, " (exit %d)", pt->exit_code);
        }
    }
    hs_say_ctx c = {0};
    hs_say_str(&c, "groups", groups.ok && groups.len ? groups.s : "");
    if (groups.len) hs_say(b, "sweep.unmeasured", &c), hs_strbuf_printf(b, "\n");
    hs_strbuf_free(&groups);
}

int hs_sweep_report_write(const char *dir, const hs_sweep *s) {
    hs_strbuf b;
    hs_strbuf_init(&b, 16384);
    const hs_load_params *L = &s->load;
    hs_sweep_param p = s->spec.param;
    char buf[512];
    hs_say_ctx c = {0};
    hs_say_str(&c, "axis", hs_sweep_param_axis(p));
    if (s->reason[0]) hs_say_str(&c, "reason", s->reason);
    else hs_say_sub(&c, "reason", "sweep.reason_unknown", NULL);
    hs_say_str(&c, "lab", s->lab_name), hs_say_str(&c, "method", s->method);
    hs_say_str(&c, "path", s->path), hs_say_num(&c, "total", (double)L->total);
    hs_say_num(&c, "warmup", (double)L->warmup), hs_say_num(&c, "timeout", L->timeout_s);
    hs_say_num(&c, "cores", (double)s->cores);
    hs_say_num(&c, "concurrency", (double)L->concurrency);
    hs_say_num(&c, "min_ok", HS_FACTS_MIN_OK_PERCENT);
    size_t len = 0;
    for (int i = 0; i < s->spec.n && len < sizeof buf; i++)
        len += (size_t)snprintf(buf + len, sizeof buf - len, "%s%ld", i ? ", " : "",
                                s->spec.values[i]);
    hs_say_str(&c, "values", buf);
    hs_settings_phrase(L, s->takes & ~(1u << p), 0, buf, sizeof buf);
    hs_say_str(&c, "settings", buf);
    if (p != HS_SWEEP_CONCURRENCY) hs_say_sub(&c, "clients", "sweep.clients", NULL);
    hs_say_str(&c, "clients", "");
    hs_say_num(&c, "repeats", s->repeats);
    if (s->repeats > 1) hs_say_sub(&c, "repeated", "sweep.repeated", NULL);
    hs_say_str(&c, "repeated", "");

    hs_say_str(&c, "title", s->lab_title);
    hs_strbuf_printf(&b, "# "), hs_say_line(&b, "sweep.title", &c), hs_strbuf_printf(&b, "\n");
    if (!s->complete) hs_say(&b, "sweep.incomplete", &c), hs_strbuf_printf(&b, "\n");
    unmeasured_note(&b, s);
    hs_say(&b, "sweep.swept", &c), hs_strbuf_printf(&b, "\n");
    hs_say_str(&c, "param", hs_sweep_param_name(p));
    hs_say_line(&b, "sweep.plot", &c), hs_strbuf_printf(&b, "\n");
    for (int vi = 0; vi < s->n_variants; vi++) table(&b, s, vi);
    hs_say(&b, "sweep.percentiles", &c), hs_strbuf_printf(&b, "\n");
    what_changed(&b, s, &c);
    across_points(&b, dir, s);
    hs_say(&b, "sweep.files", &c);
    return hs_summary_save(dir, &b);
}
