/* repeat_run.c - `harness run LAB --repeat N`: N complete runs of the lab,
 * one folder each, and the repeats together in the top folder: the
 * records pooled, every figure as a median with its interval, the checks
 * as PASS, FAIL or UNSTABLE.
 *
 * Each repeat is a whole run (run.c): every variant in the lab's order,
 * each on a server started for it. So the variants interleave, A B C A B
 * C, and a machine that slows down for a minute slows every variant's
 * share of it, rather than all of one variant's. */
#include "run/run.h"

#include "load/load.h"
#include "facts/facts.h"
#include "report/report.h"
#include "common/files.h"
#include "manifest.h"
#include "plots.h"

#include <cJSON.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    char folders[HS_REPEAT_MAX][32];
    int exit_code[HS_REPEAT_MAX];
    int n;           /* repeats that ran (or began) */
    int planned;
    char created[40];
    int complete;
    char stop_why[128]; /* why the repeats stopped before the last, but hs_stop */
} repeat_state;

/* One variant's records from every repeat, in repeat order. */
typedef struct {
    hs_sample *all;
    size_t n;
    size_t first[HS_REPEAT_MAX], count[HS_REPEAT_MAX];
    double *sorted[HS_REPEAT_MAX]; /* each repeat's latencies ascending */
} pooled;

static void pooled_free(pooled *p, int n) {
    free(p->all);
    for (int r = 0; r < n; r++) free(p->sorted[r]);
    memset(p, 0, sizeof *p);
}

/* The records of the repeats used (used[r]), in repeat order. */
static int pool(const char *dir, char folders[][32], const int *used, int n, const char *variant,
                pooled *p, char *err, size_t err_size) {
    memset(p, 0, sizeof *p);
    for (int r = 0; r < n; r++) {
        p->first[r] = p->n;
        if (!used[r]) continue;
        char path[4400];
        hs_sample *s = NULL;
        size_t k = 0;
        snprintf(path, sizeof path, "%s/%.31s/latencies_%s.json", dir, folders[r], variant);
        int rc = hs_latencies_read(path, &s, &k, err, err_size);
        if (rc == -ENOENT) continue; /* that repeat did not measure it */
        if (rc) return rc;
        hs_sample *grown = k ? realloc(p->all, (p->n + k) * sizeof *grown) : p->all;
        if (k && !grown) {
            free(s);
            snprintf(err, err_size, "out of memory");
            return -ENOMEM;
        }
        p->all = grown;
        if (k) memcpy(p->all + p->n, s, k * sizeof *s);
        p->sorted[r] = hs_sorted_latencies(s, k);
        p->count[r] = k, p->n += k;
        free(s);
    }
    return 0;
}

/* repeats_<variant>.json: which repeat each record of latencies_<variant>
 * .json came from, as ranges (records first .. first + count - 1). */
static int write_index(const char *dir, char folders[][32], int n, const char *variant,
                       const pooled *p) {
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "variant", variant);
    char name[128];
    snprintf(name, sizeof name, "latencies_%s.json", variant);
    cJSON_AddStringToObject(o, "latencies_file", name);
    cJSON_AddNumberToObject(o, "records", (double)p->n);
    cJSON_AddStringToObject(o, "meaning", "records first .. first + count - 1 of the latencies "
                                          "file came from this repeat, in the order it recorded "
                                          "them");
    cJSON *list = cJSON_AddArrayToObject(o, "repeats");
    for (int r = 0; r < n; r++) {
        cJSON *e = cJSON_CreateObject();
        cJSON_AddNumberToObject(e, "repeat", r + 1);
        cJSON_AddStringToObject(e, "folder", folders[r]);
        cJSON_AddNumberToObject(e, "first", (double)p->first[r]);
        cJSON_AddNumberToObject(e, "count", (double)p->count[r]);
        cJSON_AddItemToArray(list, e);
    }
    snprintf(name, sizeof name, "repeats_%s.json", variant);
    int rc = hs_json_write(dir, name, o);
    cJSON_Delete(o);
    return rc;
}

int hs_repeat_folders(const char *dir, char folders[][32], int *n, hs_lab *lab, char *err,
                      size_t err_size) {
    cJSON *m = hs_json_read(dir, "manifest.json");
    const cJSON *kind = cJSON_GetObjectItemCaseSensitive(m, "kind");
    *n = 0;
    if (!cJSON_IsString(kind) || strcmp(kind->valuestring, "repeats")) {
        cJSON_Delete(m);
        return 0;
    }
    const cJSON *list = hs_fact_at(m, "repeats.folders"), *f;
    cJSON_ArrayForEach(f, list) {
        if (!cJSON_IsString(f) || strlen(f->valuestring) >= 32 || strchr(f->valuestring, '/') ||
            *n >= HS_REPEAT_MAX) {
            snprintf(err, err_size, "%s/manifest.json: repeats.folders holds a bad name", dir);
            cJSON_Delete(m);
            return -1;
        }
        snprintf(folders[(*n)++], 32, "%s", f->valuestring);
    }
    if (lab) {
        char origin[4200];
        snprintf(origin, sizeof origin, "%s/manifest.json", dir);
        const cJSON *def = cJSON_GetObjectItemCaseSensitive(m, "lab_definition");
        if (!def) {
            snprintf(err, err_size, "%s: no lab_definition", origin);
            cJSON_Delete(m);
            return -1;
        }
        if (hs_lab_from_json(def, origin, lab, err, err_size)) {
            cJSON_Delete(m);
            return -1;
        }
    }
    cJSON_Delete(m);
    return 1;
}

/* The CDF: each variant's pooled curve, and each repeat's thin beside it
 * in the same colour, so the spread between repeats shows. The marks are
 * the pooled curve's percentiles, as facts.json's pooled figures. */
static int draw(const char *dir, const hs_lab *lab, pooled *pools, const cJSON *facts, int n,
                const char *title, char *err, size_t err_size) {
    plot_curve curves[HS_MAX_VARIANTS];
    double *sorted[HS_MAX_VARIANTS];
    for (int i = 0; i < lab->n_variants; i++) {
        const pooled *p = &pools[i];
        sorted[i] = hs_sorted_latencies(p->all, p->n);
        curves[i] = (plot_curve){lab->variants[i].name, lab->variants[i].label, sorted[i],
                                 sorted[i] ? p->n : 0, {NAN, NAN, NAN},
                                 (const double *const *)p->sorted, p->count, (size_t)n};
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(hs_fact_variants(facts),
                                                          lab->variants[i].name);
        curves[i].p_ms[0] = hs_fact(v, "pooled.latency_ms.p50");
        curves[i].p_ms[1] = hs_fact(v, "pooled.latency_ms.p95");
        curves[i].p_ms[2] = hs_fact(v, "pooled.latency_ms.p99");
    }
    int rc = plot_cdf(dir, title, curves, (size_t)lab->n_variants, err, err_size);
    for (int i = 0; i < lab->n_variants; i++) free(sorted[i]);
    return rc;
}

int hs_repeat_write(const char *dir, const hs_lab *lab, char *err, size_t err_size) {
    char folders[HS_REPEAT_MAX][32];
    int n = 0, rc = 0, planned = 0, complete = 0;
    hs_lab as_run;
    int is = hs_repeat_folders(dir, folders, &n, &as_run, err, err_size);
    if (is != 1) {
        if (is == 0) snprintf(err, err_size, "%s: not a repeated run's folder", dir);
        return -EINVAL;
    }
    hs_lab_free(&as_run);
    cJSON *m = hs_json_read(dir, "manifest.json");
    double pl = hs_fact(m, "repeats.planned");
    planned = pl >= 1 && pl <= HS_REPEAT_MAX ? (int)pl : n;
    complete = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(m, "completed"));
    const cJSON *t = cJSON_GetObjectItemCaseSensitive(m, "plot_title");
    char title[512];
    snprintf(title, sizeof title, "%s", cJSON_IsString(t) ? t->valuestring : lab->title);
    const cJSON *why = cJSON_GetObjectItemCaseSensitive(m, "incomplete_reason");
    char reason[256] = "";
    if (cJSON_IsString(why)) snprintf(reason, sizeof reason, "%s", why->valuestring);
    cJSON_Delete(m);

    pooled *pools = calloc(HS_MAX_VARIANTS, sizeof *pools);
    char (*left_why)[512] = calloc(HS_REPEAT_MAX, sizeof *left_why);
    cJSON *each[HS_REPEAT_MAX] = {0};
    const char *names[HS_REPEAT_MAX], *whys[HS_REPEAT_MAX];
    int used[HS_REPEAT_MAX];
    cJSON *facts = NULL;
    if (!pools || !left_why) {
        free(pools), free(left_why);
        return -ENOMEM;
    }
    hs_repeat_input in = {lab, planned, n, (const cJSON *const *)each, names, whys, {0}, {0},
                          complete, reason[0] ? reason : NULL};
    for (int r = 0; r < n; r++) {
        /* NULL: left out, as its run wrote no facts or was cut short */
        each[r] = hs_repeat_facts_read(dir, folders[r], left_why[r], sizeof left_why[r]);
        used[r] = each[r] != NULL;
        names[r] = folders[r], whys[r] = left_why[r];
    }
    for (int i = 0; i < lab->n_variants && rc == 0; i++) {
        const char *v = lab->variants[i].name;
        if ((rc = pool(dir, folders, used, n, v, &pools[i], err, err_size))) break;
        in.pooled[i] = pools[i].all, in.pooled_n[i] = pools[i].n;
        char path[4400];
        snprintf(path, sizeof path, "%s/latencies_%s.json", dir, v);
        if (pools[i].n && (rc = hs_latencies_write(path, pools[i].all, pools[i].n)))
            snprintf(err, err_size, "%s: %s", path, strerror(-rc));
        else if ((rc = write_index(dir, folders, n, v, &pools[i])))
            snprintf(err, err_size, "%s/repeats_%s.json: %s", dir, v, strerror(-rc));
    }
    if (rc == 0 && !(facts = hs_repeat_facts_build(&in))) rc = -ENOMEM;
    if (rc == 0 && (rc = hs_facts_write(dir, facts)))
        snprintf(err, err_size, "%s/facts.json: %s", dir, strerror(-rc));
    if (rc == 0 && (rc = hs_repeat_report_write(dir, lab, facts)))
        snprintf(err, err_size, "%s/summary.md: %s", dir, strerror(-rc));
    if (rc == 0) rc = draw(dir, lab, pools, facts, n, title, err, err_size);
    for (int i = 0; i < lab->n_variants; i++) pooled_free(&pools[i], n);
    for (int r = 0; r < n; r++) cJSON_Delete(each[r]);
    cJSON_Delete(facts);
    free(pools), free(left_why);
    return rc;
}

/* Each variant's run in each repeat, in the order they ran, from the
 * repeats' own manifests: the interleaving and the fresh servers, as
 * they happened. */
static cJSON *schedule_json(const char *dir, const repeat_state *st) {
    cJSON *list = cJSON_CreateArray();
    for (int r = 0; r < st->n; r++) {
        char sub[4200];
        snprintf(sub, sizeof sub, "%s/%s", dir, st->folders[r]);
        cJSON *m = hs_json_read(sub, "manifest.json");
        const cJSON *v;
        cJSON_ArrayForEach(v, cJSON_GetObjectItemCaseSensitive(m, "variants")) {
            cJSON *e = cJSON_CreateObject();
            cJSON_AddNumberToObject(e, "repeat", r + 1);
            const char *keys[] = {"name", "start_time", "end_time", "server_pid", "serving_pids",
                                  "measured"};
            for (size_t k = 0; k < sizeof keys / sizeof keys[0]; k++) {
                const cJSON *x = cJSON_GetObjectItemCaseSensitive(v, keys[k]);
                cJSON_AddItemToObject(e, k == 0 ? "variant" : keys[k],
                                      x ? cJSON_Duplicate(x, 1) : cJSON_CreateNull());
            }
            cJSON_AddItemToArray(list, e);
        }
        cJSON_Delete(m);
    }
    return list;
}

/* manifest.json of the repeats so far: what ran, in which order, and the
 * first repeat's record of the lab, load, machine and versions (the same
 * for every repeat), so check, plot and compare need only this folder. */
static int write_manifest(const char *dir, const hs_lab *lab, const char *lab_file,
                          const repeat_state *st, const char *title) {
    cJSON *m = cJSON_CreateObject();
    cJSON_AddStringToObject(m, "kind", "repeats");
    cJSON_AddStringToObject(m, "lab", lab->name);
    cJSON_AddStringToObject(m, "lab_file", lab_file);
    cJSON_AddStringToObject(m, "plot_title", title);
    cJSON_AddStringToObject(m, "created", st->created);
    cJSON_AddBoolToObject(m, "completed", st->complete);
    if (st->complete) cJSON_AddNullToObject(m, "incomplete_reason");
    else cJSON_AddStringToObject(m, "incomplete_reason",
                                 hs_stop           ? "interrupted (Ctrl-C or SIGTERM)"
                                 : st->stop_why[0] ? st->stop_why
                                                   : "still running, or stopped before the "
                                                     "last repeat");
    cJSON *r = cJSON_AddObjectToObject(m, "repeats");
    cJSON_AddNumberToObject(r, "planned", st->planned);
    cJSON_AddNumberToObject(r, "ran", st->n);
    cJSON *folders = cJSON_AddArrayToObject(r, "folders");
    cJSON *codes = cJSON_AddArrayToObject(r, "exit_codes");
    for (int k = 0; k < st->n; k++) {
        cJSON_AddItemToArray(folders, cJSON_CreateString(st->folders[k]));
        cJSON_AddItemToArray(codes, st->exit_code[k] >= 0 ? cJSON_CreateNumber(st->exit_code[k])
                                                          : cJSON_CreateNull());
    }
    cJSON_AddItemToObject(m, "schedule", schedule_json(dir, st));
    cJSON *vars = cJSON_AddArrayToObject(m, "variants");
    for (int i = 0; i < lab->n_variants; i++) {
        cJSON *v = cJSON_CreateObject();
        char name[128];
        cJSON_AddStringToObject(v, "name", lab->variants[i].name);
        cJSON_AddStringToObject(v, "label", lab->variants[i].label);
        snprintf(name, sizeof name, "latencies_%s.json", lab->variants[i].name);
        cJSON_AddStringToObject(v, "latencies_file", name);
        snprintf(name, sizeof name, "repeats_%s.json", lab->variants[i].name);
        cJSON_AddStringToObject(v, "repeats_file", name);
        cJSON_AddItemToArray(vars, v);
    }
    /* the first repeat that wrote a manifest (one that failed early has none) */
    cJSON *fm = NULL;
    for (int k = 0; k < st->n && !fm; k++) {
        char sub[4200];
        snprintf(sub, sizeof sub, "%s/%.31s", dir, st->folders[k]);
        fm = hs_json_read(sub, "manifest.json");
    }
    const char *copied[] = {"seeds", "load", "versions", "machine", "git", "lab_definition"};
    for (size_t k = 0; k < sizeof copied / sizeof copied[0]; k++) {
        const cJSON *x = cJSON_GetObjectItemCaseSensitive(fm, copied[k]);
        if (x) cJSON_AddItemToObject(m, copied[k], cJSON_Duplicate(x, 1));
    }
    cJSON_Delete(fm);
    int rc = hs_json_write(dir, "manifest.json", m);
    cJSON_Delete(m);
    return rc;
}

/* The sweep's numbers for this point: each variant's medians across the
 * repeats, from the facts just written. */
static void fill_outcome(const char *dir, const hs_lab *lab, const repeat_state *st,
                         const hs_run_outcome *first, int all_complete, hs_run_outcome *o) {
    char err[256];
    int rc;
    cJSON *f = hs_facts_read(dir, &rc, err, sizeof err);
    memset(o, 0, sizeof *o);
    o->n = lab->n_variants;
    for (int i = 0; i < lab->n_variants; i++) {
        hs_variant_outcome *v = &o->v[i];
        const cJSON *fv = cJSON_GetObjectItemCaseSensitive(hs_fact_variants(f),
                                                           lab->variants[i].name);
        snprintf(v->name, sizeof v->name, "%s", lab->variants[i].name);
        v->measured = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(fv, "measured"));
        v->complete = v->measured && all_complete &&
                      hs_fact(fv, "repeats_measured") == st->n;
        v->summary.requests = (size_t)fmax(0, hs_fact(fv, "pooled.requests"));
        v->summary.ok_percent = hs_fact(fv, "pooled.ok_percent");
        v->summary.ok = (size_t)lround(v->summary.ok_percent / 100 * (double)v->summary.requests);
        v->summary.p50_s = hs_fact(fv, "repeated.latency_ms.p50.median") / 1e3;
        v->summary.p95_s = hs_fact(fv, "repeated.latency_ms.p95.median") / 1e3;
        v->summary.p99_s = hs_fact(fv, "repeated.latency_ms.p99.median") / 1e3;
        v->summary.max_s = hs_fact(fv, "pooled.latency_ms.max") / 1e3;
        v->summary.rps = hs_fact(fv, "repeated.requests_per_s.median");
        v->predicted_rps = hs_fact(fv, "repeated.capacity.predicted_rps.median");
        if (first && i < first->n) {
            v->n_pids = first->v[i].n_pids;
            memcpy(v->pids, first->v[i].pids, sizeof v->pids);
        }
        for (int r = 0; r < st->n && !v->problem[0]; r++)
            if (st->exit_code[r] != HS_EXIT_OK)
                snprintf(v->problem, sizeof v->problem, "%s exited %d (see its summary.md)",
                         st->folders[r], st->exit_code[r]);
        if (!v->problem[0] && v->measured && !v->complete)
            snprintf(v->problem, sizeof v->problem, "measured in %.0f of %d repeats",
                     hs_fact(fv, "repeats_measured"), st->planned);
    }
    cJSON_Delete(f);
}

/* The verdicts, as the run ends: one line each, with the interval. */
static void print_verdicts(const char *dir, const hs_lab *lab) {
    char err[512];
    int rc;
    cJSON *f = hs_facts_read(dir, &rc, err, sizeof err);
    const cJSON *c;
    int i = 0;
    fprintf(stderr, "\n");
    cJSON_ArrayForEach(c, cJSON_GetObjectItemCaseSensitive(f, "checks")) {
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(c, "verdict");
        fprintf(stderr, "%-8s  %s (median %.3g, 95%% interval %.3g to %.3g, threshold %g; %.0f of "
                        "%.0f repeats passed)\n",
                cJSON_IsString(v) ? v->valuestring : "unknown", lab->checks[i++].title,
                hs_fact(c, "value.median"), hs_fact(c, "value.lo"), hs_fact(c, "value.hi"),
                hs_fact(c, "threshold"), hs_fact(c, "repeats_passed"),
                hs_fact(c, "repeats_judged"));
    }
    const cJSON *w;
    cJSON_ArrayForEach(w, cJSON_GetObjectItemCaseSensitive(f, "warnings")) {
        const cJSON *k = cJSON_GetObjectItemCaseSensitive(w, "kind");
        const cJSON *var = cJSON_GetObjectItemCaseSensitive(w, "variant");
        const cJSON *fig = cJSON_GetObjectItemCaseSensitive(w, "figure");
        fprintf(stderr, "warning: %s%s%s%s%s (summary.md says more)\n",
                cJSON_IsString(k) ? k->valuestring : "?", cJSON_IsString(var) ? ": " : "",
                cJSON_IsString(var) ? var->valuestring : "", cJSON_IsString(fig) ? " " : "",
                cJSON_IsString(fig) ? fig->valuestring : "");
    }
    cJSON_Delete(f);
}

int hs_cmd_repeat(hs_lab *lab, const char *lab_file, const hs_run_options *opt,
                  const hs_paths *paths, hs_run_outcome *outcome) {
    char top[4096], err[8192], name[160], title[512];
    int exit_code = HS_EXIT_OK, rc, all_complete = 1, any_failed = 0;
    repeat_state *st = calloc(1, sizeof *st);
    hs_run_outcome *first = calloc(1, sizeof *first), *each = calloc(1, sizeof *each);
    if (outcome) memset(outcome, 0, sizeof *outcome);
    if (!st || !first || !each) {
        free(st), free(first), free(each);
        fprintf(stderr, "harness: out of memory\n");
        return HS_EXIT_FAILED;
    }
    st->planned = opt->repeat;
    if (hs_run_validate(lab, paths, err, sizeof err)) {
        fprintf(stderr, "harness: %s\n", err);
        exit_code = HS_EXIT_USAGE;
        goto out;
    }
    hs_run_catch_signals();
    snprintf(name, sizeof name, "%s-repeat%d", lab->folder, opt->repeat);
    if (hs_run_make_folder(name, opt->out_dir, paths, top, sizeof top, err, sizeof err)) {
        fprintf(stderr, "harness: cannot make the output folder: %s\n", err);
        exit_code = HS_EXIT_USAGE;
        goto out;
    }
    manifest_now_iso8601(st->created, sizeof st->created);
    snprintf(title, sizeof title, "%s - %d repeats (thin lines: each repeat)", lab->title,
             opt->repeat);
    fprintf(stderr, "harness: %s, %d repeats -> %s\n", lab->title, opt->repeat, top);
    for (int r = 0; r < opt->repeat && !hs_stop; r++) {
        char dir[4200];
        snprintf(st->folders[r], sizeof st->folders[r], "repeat-%d", r + 1);
        snprintf(dir, sizeof dir, "%s/%s", top, st->folders[r]);
        st->exit_code[r] = -1;
        st->n = r + 1;
        fprintf(stderr, "\nharness: repeat %d of %d\n", r + 1, opt->repeat);
        hs_run_options o = {dir, opt->sweep_param, opt->sweep_value, 0, r + 1, opt->repeat};
        int code = hs_cmd_run(lab, lab_file, &o, paths, r == 0 ? first : each);
        st->exit_code[r] = code;
        const hs_run_outcome *got = r == 0 ? first : each;
        for (int i = 0; i < got->n; i++) all_complete = all_complete && got->v[i].complete;
        if (code == HS_EXIT_INTERRUPTED) break;
        if (code != HS_EXIT_OK) exit_code = HS_EXIT_FAILED, any_failed = 1;
        if (code == HS_EXIT_USAGE) { /* its folder could not be made: nor the next */
            snprintf(st->stop_why, sizeof st->stop_why, "repeat %d could not start (exit %d)",
                     r + 1, code);
            break;
        }
        /* After each repeat, the repeats so far together, so an
         * interrupted run keeps them. */
        if ((rc = write_manifest(top, lab, lab_file, st, title)))
            fprintf(stderr, "harness: %s/manifest.json: %s\n", top, strerror(-rc));
        err[0] = '\0';
        if (r + 1 < opt->repeat && (rc = hs_repeat_write(top, lab, err, sizeof err)) < 0)
            fprintf(stderr, "harness: %s\n", err);
    }
    st->complete = !hs_stop && st->n == opt->repeat && !st->stop_why[0];
    if ((rc = write_manifest(top, lab, lab_file, st, title))) {
        fprintf(stderr, "harness: %s/manifest.json: %s\n", top, strerror(-rc));
        exit_code = HS_EXIT_FAILED;
    }
    err[0] = '\0';
    rc = hs_repeat_write(top, lab, err, sizeof err);
    if (rc == 1)
        fprintf(stderr, "harness: gnuplot is not installed: wrote %s/latency_cdf.gp and its "
                        "data but no PNG (apt-get install gnuplot-nox, then harness plot)\n", top);
    else if (rc < 0)
        fprintf(stderr, "harness: %s\n", err);
    if (rc != 0 && exit_code == HS_EXIT_OK) exit_code = HS_EXIT_FAILED;
    print_verdicts(top, lab);
    int frc;
    char ferr[256];
    cJSON *f = hs_facts_read(top, &frc, ferr, sizeof ferr);
    double used = hs_fact(f, "repeats.used");
    cJSON_Delete(f);
    char used_text[96] = "";
    if (used >= 0 && used < st->n)
        snprintf(used_text, sizeof used_text, " (%.0f used; summary.md says why not the rest)",
                 used);
    fprintf(stderr, "\nharness: %d repeats%s in %s (summary.md, facts.json, latency_cdf.png, "
                    "manifest.json; one folder per repeat)\n", st->n, used_text, top);
    if (!st->complete && hs_stop) {
        fprintf(stderr, "harness: the run was interrupted; the repeats measured are kept and "
                        "manifest.json marks it incomplete\n");
        exit_code = HS_EXIT_INTERRUPTED;
    } else if (!st->complete) {
        fprintf(stderr, "harness: %s; the repeats before it are kept and manifest.json marks "
                        "the run incomplete\n", st->stop_why);
    }
    if (outcome) {
        fill_outcome(top, lab, st, first, all_complete && st->complete, outcome);
        outcome->only_plot_missing = exit_code == HS_EXIT_FAILED && rc == 1 && !any_failed;
    }
out:
    free(st), free(first), free(each);
    return exit_code;
}
