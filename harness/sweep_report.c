/* sweep_report.c - a sweep's summary.md: per variant, a table across the
 * points, then what changed from the first point to the last. Every
 * sentence in "What changed" is computed from the numbers in the tables;
 * none explains them, as the numbers alone cannot say why. A sweep over
 * the I/O wait or the workers then gets lab 01's stretch claims
 * (claims.h), which do explain, from what the lab says of the servers. */
#include "sweep.h"

#include "claims.h"
#include "files.h"
#include "strbuf.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

static const hs_variant_outcome *find(const hs_sweep_point *pt, const char *name) {
    for (int k = 0; k < pt->out.n; k++)
        if (!strcmp(pt->out.v[k].name, name)) return &pt->out.v[k];
    return NULL;
}

/* 1 when v recorded every request without a problem but too few of them
 * got HTTP 200 to be compared. */
static int low_ok(const hs_variant_outcome *v) {
    return v && v->complete && v->measured && hs_claims_low_ok(&v->summary);
}

/* Variant name's numbers at point i when they can be compared (complete,
 * and at least HS_CLAIMS_MIN_OK_PERCENT HTTP 200), else NULL. */
static const hs_summary *complete_at(const hs_sweep *s, int i, const char *name) {
    const hs_variant_outcome *v = find(&s->points[i], name);
    return v && v->complete && v->measured && !hs_claims_low_ok(&v->summary) ? &v->summary
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
            hs_claims_ms(b, m->p50_s), hs_strbuf_printf(b, " | ");
            hs_claims_ms(b, m->p95_s), hs_strbuf_printf(b, " | ");
            hs_claims_ms(b, m->p99_s), hs_strbuf_printf(b, " | %.1f | ", m->rps);
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
            hs_strbuf_printf(b, " not compared: below %g%% HTTP 200", HS_CLAIMS_MIN_OK_PERCENT);
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

/* The pair of end points (*f, *l) that most of the variants compared
 * share, and how many share it; ties go to the first variant's. */
static int common_ends(const hs_sweep *s, const int *first, const int *last, int *f, int *l) {
    int best = 0;
    *f = *l = -1;
    for (int vi = 0; vi < s->n_variants; vi++) {
        if (first[vi] < 0 || first[vi] == last[vi]) continue;
        int n = 0;
        for (int wi = 0; wi < s->n_variants; wi++)
            n += first[wi] == first[vi] && last[wi] == last[vi];
        if (n > best) best = n, *f = first[vi], *l = last[vi];
    }
    return best;
}

static void what_changed(hs_strbuf *b, const hs_sweep *s) {
    const char *pname = hs_sweep_param_name(s->spec.param);
    hs_strbuf_printf(b, "## What changed\n\n");
    int compared = 0, first[HS_MAX_VARIANTS], last[HS_MAX_VARIANTS];
    double p95_ratio[HS_MAX_VARIANTS];
    for (int vi = 0; vi < s->n_variants; vi++) {
        const char *name = s->variants[vi];
        int f, l;
        ends(s, name, &f, &l);
        first[vi] = f, last[vi] = l;
        if (f < 0 || f == l) {
            hs_strbuf_printf(b, "- **%s**: fewer than two points with complete numbers; "
                                "nothing to compare.\n", name);
            continue;
        }
        const hs_summary *a = complete_at(s, f, name), *z = complete_at(s, l, name);
        double p95_x = z->p95_s / a->p95_s, rps_x = z->rps / a->rps;
        hs_strbuf_printf(b, "- **%s**, from %s=%ld to %s=%ld: p50 ", name, pname,
                         s->points[f].value, pname, s->points[l].value);
        hs_claims_ms(b, a->p50_s), hs_strbuf_printf(b, " -> "), hs_claims_ms(b, z->p50_s);
        hs_strbuf_printf(b, " ms (x%.2f), p95 ", z->p50_s / a->p50_s);
        hs_claims_ms(b, a->p95_s), hs_strbuf_printf(b, " -> "), hs_claims_ms(b, z->p95_s);
        hs_strbuf_printf(b, " ms (x%.2f), requests/s %.1f -> %.1f (x%.2f)", p95_x, a->rps,
                         z->rps, rps_x);
        const char *t95 = trend(s, name, 0), *trps = trend(s, name, 1);
        if (t95 || trps) {
            hs_strbuf_printf(b, "; ");
            if (t95) hs_strbuf_printf(b, "p95 %s%s", t95, trps ? ", " : "");
            if (trps) hs_strbuf_printf(b, "requests/s %s", trps);
        }
        hs_strbuf_printf(b, ".\n");
        p95_ratio[vi] = p95_x;
        compared++;
    }

    /* p95's ratios ranked only among variants with the same two end
     * points: a ratio over other points measures another change. */
    int f, l, grow_i = -1, slow_i = -1;
    int sharing = common_ends(s, first, last, &f, &l);
    for (int vi = 0; vi < s->n_variants && sharing >= 2; vi++) {
        if (first[vi] != f || last[vi] != l) continue;
        if (grow_i < 0 || p95_ratio[vi] > p95_ratio[grow_i]) grow_i = vi;
        if (slow_i < 0 || p95_ratio[vi] < p95_ratio[slow_i]) slow_i = vi;
    }
    if (sharing >= 2 && grow_i != slow_i &&
        (p95_ratio[grow_i] > 1 || p95_ratio[grow_i] < 1)) {
        double grow = p95_ratio[grow_i], slow = p95_ratio[slow_i];
        hs_strbuf_printf(b, "- ");
        if (sharing < compared)
            hs_strbuf_printf(b, "Among the %d variants compared from %s=%ld to %s=%ld, ", sharing,
                             pname, s->points[f].value, pname, s->points[l].value);
        if (grow > 1)
            hs_strbuf_printf(b, "p95 grew fastest for **%s** (x%.2f first to last); the smallest "
                                "ratio was **%s**'s (x%.2f).\n",
                             s->variants[grow_i], grow, s->variants[slow_i], slow);
        else
            hs_strbuf_printf(b, "p95 fell for every %s: least for **%s** (x%.2f first to "
                                "last), most for **%s** (x%.2f).\n",
                             sharing < compared ? "one of them" : "variant", s->variants[grow_i],
                             grow, s->variants[slow_i], slow);
    }

    /* Which variant had the highest p95 and the most requests/s at each
     * point where all of them have complete numbers; said when it is the
     * same one throughout. */
    int worst_same = 1, best_same = 1, points = 0, worst = -1, best = -1;
    for (int i = 0; i < s->spec.n && s->n_variants >= 2; i++) {
        int w = -1, r = -1, all = 1;
        for (int vi = 0; vi < s->n_variants; vi++) {
            const hs_summary *m = complete_at(s, i, s->variants[vi]);
            if (!m) { all = 0; break; }
            if (w < 0 || m->p95_s > complete_at(s, i, s->variants[w])->p95_s) w = vi;
            if (r < 0 || m->rps > complete_at(s, i, s->variants[r])->rps) r = vi;
        }
        if (!all) continue;
        if (points++ == 0) worst = w, best = r;
        worst_same &= w == worst, best_same &= r == best;
    }
    if (points >= 2 && worst_same)
        hs_strbuf_printf(b, "- **%s** had the highest p95 at all %d points where every variant "
                            "has numbers.\n", s->variants[worst], points);
    if (points >= 2 && best_same)
        hs_strbuf_printf(b, "- **%s** served the most requests/s at all %d points where every "
                            "variant has numbers.\n", s->variants[best], points);
    hs_strbuf_printf(b, "\nOnly points with complete numbers are compared: every request "
                        "recorded, the variant's server and load generator without a problem "
                        "(the run column names any), and at least %g%% of the requests "
                        "answered HTTP 200 (lab 01's success criterion). Ratios are last / "
                        "first.\n\n", HS_CLAIMS_MIN_OK_PERCENT);
}

/* What every variant's servers ran with for parameter p, when they all
 * ran with the same known value; else unknown. */
static long setting(const hs_sweep *s, hs_sweep_param p, long unknown) {
    long v = s->n_variants ? s->settings[0][p] : -1;
    for (int vi = 1; vi < s->n_variants; vi++)
        if (s->settings[vi][p] != v) return unknown;
    return v >= 0 ? v : unknown;
}

/* Lab 01's stretch claims (claims.h) for a sweep over the I/O wait or the
 * workers: every variant at the first and the last point where any has
 * complete numbers. What the servers ran with for the other parameters
 * comes from their commands (miniserve's defaults where they say
 * nothing); where the variants differ it is left unknown. */
static void claims(hs_strbuf *b, const hs_sweep *s) {
    hs_sweep_param p = s->spec.param;
    if (p != HS_SWEEP_IO_DELAY_MS && p != HS_SWEEP_WORKERS) return;
    int f = -1, l = -1;
    for (int i = 0; i < s->spec.n; i++)
        for (int vi = 0; vi < s->n_variants; vi++)
            if (complete_at(s, i, s->variants[vi])) {
                if (f < 0) f = i;
                l = i;
                break;
            }
    if (f < 0 || f == l) return;
    hs_claims c = {
        .param = p == HS_SWEEP_IO_DELAY_MS ? HS_CLAIMS_IO_DELAY : HS_CLAIMS_WORKERS,
        .value_a = s->points[f].value, .value_b = s->points[l].value,
        .concurrency = s->load.concurrency, .cores = s->cores,
        .threads = setting(s, HS_SWEEP_THREADS, 0),
        .workers = setting(s, HS_SWEEP_WORKERS, 0),
        .io_delay_ms = setting(s, HS_SWEEP_IO_DELAY_MS, -1),
        .memory_where = "each point's summary.md has a server-memory table", .miniserve = 1};
    for (int vi = 0; vi < s->n_variants; vi++) {
        const char *name = s->variants[vi];
        c.miniserve &= hs_claims_is_miniserve(s->programs[vi]);
        const hs_variant_outcome *va = find(&s->points[f], name), *vb = find(&s->points[l], name);
        c.v[c.n++] = (hs_claims_variant){hs_claims_kind_of_name(name), name, name,
                                         complete_at(s, f, name), complete_at(s, l, name), 0, 0,
                                         va ? va->n_pids : 0, vb ? vb->n_pids : 0};
    }
    hs_claims_write(b, &c);
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
    claims(&b, s);
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
