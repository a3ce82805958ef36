/* sweep_run.c - `harness run LAB --sweep NAME=v1,v2,...`: one complete run
 * of the lab per value, each in its own folder under the sweep's, then the
 * sweep's manifest, plot and summary from their numbers. Runs on the main
 * thread; SIGINT/SIGTERM set hs_stop, which ends the point being measured
 * (it keeps what it has) and skips the rest. */
#include "run/run.h"

#include "load/load.h"
#include "evidence/evidence.h"
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
#include <unistd.h>

int hs_sweep_draw(const char *dir, const hs_sweep *s, char *err, size_t err_size) {
    plot_sweep_row rows[HS_MAX_VARIANTS][HS_SWEEP_MAX_POINTS];
    plot_sweep_series series[HS_MAX_VARIANTS];
    double xs[HS_SWEEP_MAX_POINTS];
    for (int i = 0; i < s->spec.n; i++) xs[i] = (double)s->spec.values[i];
    for (int vi = 0; vi < s->n_variants; vi++) {
        series[vi] = (plot_sweep_series){s->variants[vi], rows[vi], 0};
        /* Only complete numbers: a cut-short point would plot as a trend. */
        for (int i = 0; i < s->spec.n; i++)
            for (int k = 0; k < s->points[i].out.n; k++) {
                const hs_variant_outcome *v = &s->points[i].out.v[k];
                if (strcmp(v->name, s->variants[vi]) || !v->measured || !v->complete) continue;
                const hs_summary *m = &v->summary;
                rows[vi][series[vi].n++] = (plot_sweep_row){
                    (double)s->points[i].value, m->p50_s * 1e3, m->p95_s * 1e3, m->p99_s * 1e3,
                    m->rps, m->ok_percent, m->requests};
            }
    }
    return plot_sweep(dir, s->title, hs_sweep_param_axis(s->spec.param), xs, (size_t)s->spec.n,
                      series, (size_t)s->n_variants, err, err_size);
}

/* manifest.json of the sweep so far; facts holds the machine, versions and
 * git objects, gathered once. */
static int write_manifest(const char *dir, const hs_sweep *s, const cJSON *facts) {
    cJSON *m = hs_sweep_to_json(s);
    if (!m) return -ENOMEM;
    const cJSON *f;
    cJSON_ArrayForEach(f, facts) cJSON_AddItemToObject(m, f->string, cJSON_Duplicate(f, 1));
    int rc = hs_json_write(dir, "manifest.json", m);
    cJSON_Delete(m);
    return rc;
}

/* The sweep's own facts.json: each point's facts.json, as that run wrote
 * it, under the value it ran at; a point without one says why. */
static int write_sweep_facts(const char *dir, const hs_sweep *s) {
    cJSON *f = cJSON_CreateObject();
    if (!f) return -ENOMEM;
    cJSON_AddNumberToObject(f, "facts_format", HS_FACTS_FORMAT);
    cJSON_AddStringToObject(f, "lab", s->lab_name);
    cJSON_AddStringToObject(f, "sweep_parameter", hs_sweep_param_name(s->spec.param));
    cJSON_AddBoolToObject(f, "complete", s->complete);
    cJSON *pts = cJSON_AddArrayToObject(f, "points");
    for (int i = 0; i < s->spec.n; i++) {
        const hs_sweep_point *pt = &s->points[i];
        char point_dir[4200], err[4400];
        int rc;
        cJSON *p = cJSON_CreateObject();
        cJSON_AddNumberToObject(p, "value", (double)pt->value);
        cJSON_AddStringToObject(p, "folder", pt->folder);
        cJSON_AddStringToObject(p, "status", hs_point_status_name(pt->status));
        snprintf(point_dir, sizeof point_dir, "%s/%s", dir, pt->folder);
        cJSON *pf = pt->status == HS_POINT_NOT_RUN ? NULL
                                                   : hs_facts_read(point_dir, &rc, err, sizeof err);
        if (pf) {
            cJSON_AddItemToObject(p, "facts", pf);
        } else {
            cJSON_AddNullToObject(p, "facts");
            cJSON_AddStringToObject(p, "facts_unknown",
                                    pt->status == HS_POINT_NOT_RUN ? "the point did not run" : err);
        }
        cJSON_AddItemToArray(pts, p);
    }
    int rc = hs_facts_write(dir, f);
    cJSON_Delete(f);
    return rc;
}

/* The sweep's description of itself, before anything runs. */
static void describe(hs_sweep *s, const hs_lab *lab, const char *lab_file,
                     const hs_sweep_spec *spec) {
    s->spec = *spec;
    snprintf(s->lab_name, sizeof s->lab_name, "%s", lab->name);
    snprintf(s->lab_title, sizeof s->lab_title, "%s", lab->title);
    snprintf(s->lab_file, sizeof s->lab_file, "%s", lab_file);
    snprintf(s->method, sizeof s->method, "%s", lab->method);
    snprintf(s->path, sizeof s->path, "%s", lab->path);
    s->load = lab->load;
    for (int p = HS_SWEEP_WORKERS; p <= HS_SWEEP_THREADS; p++) {
        const char *ph = hs_sweep_param_placeholder((hs_sweep_param)p);
        if (!ph || hs_lab_lacking(lab, ph, NULL, 0) < lab->n_variants) s->takes |= 1u << p;
    }
    s->n_variants = lab->n_variants;
    for (int i = 0; i < lab->n_variants; i++) {
        snprintf(s->variants[i], sizeof s->variants[i], "%s", lab->variants[i].name);
        snprintf(s->labels[i], sizeof s->labels[i], "%s", lab->variants[i].label);
    }
    /* The CPUs the points' servers may use (affinity, quota), as each
     * point's facts.json records them. */
    hs_cpus cpus;
    hs_cpus_read(&cpus);
    s->cores = lround(cpus.available) > 0 ? lround(cpus.available) : 1;
    const char *pname = hs_sweep_param_name(spec->param);
    int len = snprintf(s->title, sizeof s->title, "%s - %s ", lab->title, pname);
    for (int i = 0; i < spec->n && len < (int)sizeof s->title; i++)
        len += snprintf(s->title + len, sizeof s->title - (size_t)len, "%s%ld", i ? ", " : "",
                        spec->values[i]);
    if (len < (int)sizeof s->title) {
        if (spec->param == HS_SWEEP_CONCURRENCY)
            snprintf(s->title + len, sizeof s->title - (size_t)len, " (%ld requests each)",
                     lab->load.total);
        else if (spec->param == HS_SWEEP_RATE && lab->load.duration_s > 0)
            snprintf(s->title + len, sizeof s->title - (size_t)len, " (open loop, %g s each)",
                     lab->load.duration_s);
        else if (spec->param == HS_SWEEP_RATE)
            snprintf(s->title + len, sizeof s->title - (size_t)len, " (open loop, %ld arrivals "
                     "each)", lab->load.total);
        else
            snprintf(s->title + len, sizeof s->title - (size_t)len,
                     " (%ld concurrent, %ld requests each)", lab->load.concurrency,
                     lab->load.total);
    }
    for (int i = 0; i < spec->n; i++) {
        hs_sweep_point *pt = &s->points[i];
        pt->value = spec->values[i];
        hs_sweep_point_folder(spec, i, pt->folder, sizeof pt->folder);
        pt->status = HS_POINT_NOT_RUN;
        pt->exit_code = -1;
    }
    s->complete = 0;
    snprintf(s->reason, sizeof s->reason, "still running, or the harness was stopped before "
                                          "it finished");
}

/* One line per point and variant on stderr, to read without opening files. */
static void print_table(const hs_sweep *s) {
    fprintf(stderr, "\n%-16s %-18s %10s %10s %10s %10s\n", hs_sweep_param_name(s->spec.param),
            "variant", "p50 ms", "p95 ms", "p99 ms", "req/s");
    for (int i = 0; i < s->spec.n; i++) {
        const hs_sweep_point *pt = &s->points[i];
        if (pt->status == HS_POINT_NOT_RUN) {
            fprintf(stderr, "%-16ld (not run)\n", pt->value);
            continue;
        }
        for (int k = 0; k < pt->out.n; k++) {
            const hs_variant_outcome *v = &pt->out.v[k];
            if (!v->measured) {
                fprintf(stderr, "%-16ld %-18s (nothing measured)\n", pt->value, v->name);
                continue;
            }
            fprintf(stderr, "%-16ld %-18s %10.2f %10.2f %10.2f %10.1f%s\n", pt->value, v->name,
                    v->summary.p50_s * 1e3, v->summary.p95_s * 1e3, v->summary.p99_s * 1e3,
                    v->summary.rps,
                    !v->complete ? "  (incomplete)"
                    : v->summary.ok_percent < HS_FACTS_MIN_OK_PERCENT
                        ? "  (not compared: too few HTTP 200)"
                        : "");
        }
    }
}

/* What became of a point from its run's exit code: exit 1 because only
 * gnuplot was missing (hs_cmd_run says so) still has every number. */
static hs_point_status point_status(int exit_code, const hs_run_outcome *o) {
    if (exit_code == HS_EXIT_OK) return HS_POINT_DONE;
    if (exit_code == HS_EXIT_INTERRUPTED) return HS_POINT_INTERRUPTED;
    return o->only_plot_missing ? HS_POINT_DONE_NO_PLOT : HS_POINT_FAILED;
}

int hs_cmd_sweep(hs_lab *lab, const char *lab_file, const hs_sweep_spec *spec,
                 const char *out_dir, int repeat, const hs_paths *paths) {
    char top[4096], err[8192], name[160];
    const hs_load_params base = lab->load; /* each point changes one parameter of it */
    const char *pname = hs_sweep_param_name(spec->param);
    int exit_code = HS_EXIT_OK, rc;
    hs_sweep *s = calloc(1, sizeof *s);
    cJSON *facts = NULL;
    if (!s) {
        fprintf(stderr, "harness: out of memory\n");
        return HS_EXIT_FAILED;
    }

    /* Every point is refused now or never: nothing is made for a sweep
     * that could not run to its end. */
    for (int i = 0; i < spec->n; i++) {
        hs_sweep_param_set(&lab->load, spec->param, spec->values[i]);
        if (hs_run_validate(lab, paths, err, sizeof err)) {
            fprintf(stderr, "harness: %s=%ld: %s\n", pname, spec->values[i], err);
            exit_code = HS_EXIT_USAGE;
            goto out;
        }
    }
    lab->load = base;
    describe(s, lab, lab_file, spec);
    s->repeats = repeat > 1 ? repeat : 1;
    hs_run_catch_signals();
    snprintf(name, sizeof name, "%s-sweep-%s", lab->folder, pname);
    if (hs_run_make_folder(name, out_dir, paths, top, sizeof top, err, sizeof err)) {
        fprintf(stderr, "harness: cannot make the output folder: %s\n", err);
        exit_code = HS_EXIT_USAGE;
        goto out;
    }
    manifest_now_iso8601(s->created, sizeof s->created);
    facts = cJSON_CreateObject();
    cJSON_AddItemToObject(facts, "versions", manifest_versions());
    cJSON_AddItemToObject(facts, "machine", manifest_machine());
    cJSON_AddItemToObject(facts, "git", manifest_git(paths->source_dir));
    fprintf(stderr, "harness: sweep of %s over %d values -> %s\n", pname, spec->n, top);
    if ((rc = write_manifest(top, s, facts)))
        fprintf(stderr, "harness: %s/manifest.json: %s\n", top, strerror(-rc));

    for (int i = 0; i < spec->n && !hs_stop; i++) {
        hs_sweep_point *pt = &s->points[i];
        char dir[4200];
        snprintf(dir, sizeof dir, "%s/%s", top, pt->folder);
        fprintf(stderr, "\nharness: point %d/%d: %s=%ld\n", i + 1, spec->n, pname, pt->value);
        lab->load = base;
        hs_sweep_param_set(&lab->load, spec->param, pt->value);
        hs_run_options o = {dir, pname, pt->value, repeat, 0, 0};
        pt->exit_code = hs_cmd_run(lab, lab_file, &o, paths, &pt->out);
        pt->status = point_status(pt->exit_code, &pt->out);
        if (pt->status == HS_POINT_FAILED) {
            fprintf(stderr, "harness: point %s=%ld failed (exit %d); going on with the rest\n",
                    pname, pt->value, pt->exit_code);
            exit_code = HS_EXIT_FAILED;
        } else if (pt->status == HS_POINT_DONE_NO_PLOT) {
            /* As a single run without gnuplot: the numbers are whole, the
             * exit status still says that something is missing. */
            fprintf(stderr, "harness: point %s=%ld: every variant measured in full; only its "
                            "latency_cdf.png is missing\n", pname, pt->value);
            exit_code = HS_EXIT_FAILED;
        }
        if ((rc = write_manifest(top, s, facts)))
            fprintf(stderr, "harness: %s/manifest.json: %s\n", top, strerror(-rc));
        if ((rc = write_sweep_facts(top, s)))
            fprintf(stderr, "harness: %s/facts.json: %s\n", top, strerror(-rc));
    }
    lab->load = base;
    s->complete = !hs_stop && s->points[spec->n - 1].status != HS_POINT_NOT_RUN;
    if (s->complete) s->reason[0] = '\0';
    else snprintf(s->reason, sizeof s->reason, "interrupted (Ctrl-C or SIGTERM)");

    int prc = hs_sweep_draw(top, s, err, sizeof err);
    if (prc == 1)
        fprintf(stderr, "harness: gnuplot is not installed: wrote %s/sweep.gp and sweep.dat "
                        "but no PNG (apt-get install gnuplot-nox, then harness plot)\n", top);
    else if (prc < 0)
        fprintf(stderr, "harness: sweep plot: %s\n", err);
    if (prc != 0 && exit_code == HS_EXIT_OK) exit_code = HS_EXIT_FAILED;
    if ((rc = hs_sweep_report_write(top, s))) {
        fprintf(stderr, "harness: %s/summary.md: %s\n", top, strerror(-rc));
        exit_code = HS_EXIT_FAILED;
    }
    if ((rc = write_manifest(top, s, facts))) {
        fprintf(stderr, "harness: %s/manifest.json: %s\n", top, strerror(-rc));
        exit_code = HS_EXIT_FAILED;
    }
    if ((rc = write_sweep_facts(top, s))) {
        fprintf(stderr, "harness: %s/facts.json: %s\n", top, strerror(-rc));
        exit_code = HS_EXIT_FAILED;
    }
    print_table(s);
    fprintf(stderr, "\nharness: sweep results in %s (summary.md, sweep.png, manifest.json; "
                    "one folder per point)\n", top);
    if (!s->complete) {
        fprintf(stderr, "harness: the sweep was interrupted; finished points are kept and "
                        "manifest.json marks it incomplete\n");
        exit_code = HS_EXIT_INTERRUPTED;
    }
out:
    lab->load = base;
    cJSON_Delete(facts);
    free(s);
    return exit_code;
}
