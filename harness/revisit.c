/* revisit.c - `harness plot` and `harness check`: an experiment folder
 * redrawn or re-judged from its latencies files alone; a sweep's folder
 * point by point, and its sweep plot from its manifest. */
#include "run.h"

#include "facts.h"
#include "folder.h"
#include "plots.h"

#include <cJSON.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* dir, or the newest experiment folder; prints why not and returns -1. */
static int pick_dir(const char *dir, const hs_paths *p, char *out, size_t size) {
    if (dir) {
        snprintf(out, size, "%s", dir);
        return 0;
    }
    if (hs_newest_experiment(p->experiments_dir, out, size) == 0) return 0;
    fprintf(stderr, "harness: no experiment folder under %s (run one: harness run lab01)\n",
            p->experiments_dir);
    return -1;
}

/* Reads dir as a sweep's folder into *s (malloc'd). Returns 1 if it is
 * one, 0 if it is not (a single run's folder, or no manifest), or -1 after
 * saying why it cannot be read. */
static int as_sweep(const char *dir, hs_sweep **s) {
    char err[4096];
    *s = malloc(sizeof **s);
    if (!*s) return fprintf(stderr, "harness: out of memory\n"), -1;
    int rc = hs_sweep_read(dir, *s, err, sizeof err);
    if (rc == 0) return 1;
    free(*s), *s = NULL;
    if (rc == -ENOENT || rc == -EMEDIUMTYPE) return 0;
    fprintf(stderr, "harness: %s\n", err);
    return -1;
}

/* Point i's folder under dir into out; 1 if the point has one, else 0
 * after saying on out_f why it is skipped: it never ran, or failed before
 * its run made a folder. */
static int point_folder(const char *dir, const hs_sweep *s, int i, FILE *out_f, char *out,
                        size_t size) {
    const hs_sweep_point *pt = &s->points[i];
    const char *pname = hs_sweep_param_name(s->spec.param);
    struct stat st;
    snprintf(out, size, "%s/%s", dir, pt->folder);
    if (pt->status == HS_POINT_NOT_RUN) {
        fprintf(out_f, "%s=%ld: not run (the sweep was interrupted); skipped\n", pname, pt->value);
        return 0;
    }
    if (stat(out, &st) || !S_ISDIR(st.st_mode)) {
        fprintf(out_f, "%s=%ld: %s (exit %d) before its run made %s/; skipped\n", pname,
                pt->value, hs_point_status_name(pt->status), pt->exit_code, pt->folder);
        return 0;
    }
    return 1;
}

/* A sweep's folder: every point's CDF that has a folder, then the sweep
 * plot from the manifest's numbers (a point's requests/s needs its wall
 * time, which only the manifests keep). A point without a folder has
 * nothing to draw and is skipped; else the worst exit code wins. */
static int plot_sweep_folder(const char *dir, const hs_sweep *s, const hs_paths *p) {
    char err[4096], point[4200];
    int worst = HS_EXIT_OK;
    for (int i = 0; i < s->spec.n; i++) {
        if (!point_folder(dir, s, i, stderr, point, sizeof point)) continue;
        int rc = hs_cmd_plot(point, p);
        if (rc > worst) worst = rc;
    }
    int rc = hs_sweep_draw(dir, s, err, sizeof err);
    if (rc == 1) {
        fprintf(stderr, "harness: gnuplot is not installed: wrote %s/sweep.gp and sweep.dat, "
                        "but no PNG (apt-get install gnuplot-nox)\n", dir);
        return HS_EXIT_FAILED;
    }
    if (rc < 0) {
        fprintf(stderr, "harness: %s\n", err);
        return HS_EXIT_FAILED;
    }
    printf("%s/sweep.png\n", dir);
    return worst;
}

int hs_cmd_plot(const char *dir_arg, const hs_paths *p) {
    char dir[4096], err[4096];
    hs_folder f;
    hs_sweep *s;
    if (pick_dir(dir_arg, p, dir, sizeof dir)) return HS_EXIT_USAGE;
    int sweep = as_sweep(dir, &s);
    if (sweep < 0) return HS_EXIT_USAGE;
    if (sweep) {
        int rc = plot_sweep_folder(dir, s, p);
        free(s);
        return rc;
    }
    if (hs_folder_read(dir, NULL, &f, NULL, err, sizeof err)) {
        fprintf(stderr, "harness: %s\n", err);
        return HS_EXIT_USAGE;
    }
    plot_curve curves[HS_MAX_VARIANTS];
    for (int i = 0; i < f.n; i++)
        curves[i] = (plot_curve){f.v[i].name, f.v[i].label, f.v[i].sorted_s, f.v[i].n};
    int rc = plot_cdf(dir, f.title, curves, (size_t)f.n, err, sizeof err);
    hs_folder_free(&f);
    if (rc == 1) {
        fprintf(stderr, "harness: gnuplot is not installed: wrote %s/latency_cdf.gp and its "
                        "data, but no PNG (apt-get install gnuplot-nox)\n", dir);
        return HS_EXIT_FAILED;
    }
    if (rc < 0) {
        fprintf(stderr, "harness: %s\n", err);
        return HS_EXIT_FAILED;
    }
    printf("%s/latency_cdf.png\n", dir);
    return HS_EXIT_OK;
}

/* A sweep's folder: every point with a folder is judged by its own lab
 * (each manifest embeds it); the worst exit code wins. A point that
 * failed before its run made a folder has nothing to judge and counts as
 * a FAIL; one interrupted before it, or never reached, as nothing. */
static int check_sweep_folder(const char *dir, const hs_sweep *s, const char *lab_file,
                              const hs_paths *p) {
    char point[4200];
    int worst = HS_EXIT_OK;
    printf("%s: sweep of %s over %d points\n", dir, hs_sweep_param_name(s->spec.param),
           s->spec.n);
    for (int i = 0; i < s->spec.n; i++) {
        printf("\n== %s=%ld ==\n", hs_sweep_param_name(s->spec.param), s->points[i].value);
        if (!point_folder(dir, s, i, stdout, point, sizeof point)) {
            if (s->points[i].status == HS_POINT_FAILED && worst < HS_EXIT_FAILED)
                worst = HS_EXIT_FAILED;
            continue;
        }
        fflush(stdout);
        int rc = hs_cmd_check(point, lab_file, p);
        if (rc > worst) worst = rc;
    }
    return worst;
}

int hs_cmd_check(const char *dir_arg, const char *lab_file, const hs_paths *p) {
    char dir[4096], err[4096];
    hs_folder f;
    hs_lab lab;
    hs_sweep *s;
    if (pick_dir(dir_arg, p, dir, sizeof dir)) return HS_EXIT_USAGE;
    int sweep = as_sweep(dir, &s);
    if (sweep < 0) return HS_EXIT_USAGE;
    if (sweep) {
        int rc = check_sweep_folder(dir, s, lab_file, p);
        free(s);
        return rc;
    }
    if (hs_folder_read(dir, lab_file, &f, &lab, err, sizeof err)) {
        fprintf(stderr, "harness: %s\n", err);
        return HS_EXIT_USAGE;
    }
    /* The figures come from facts.json, where the run computed them; a
     * folder from before facts.json is judged from its latencies. */
    int frc;
    cJSON *facts = hs_facts_read(dir, &frc, err, sizeof err);
    if (!facts && frc != -ENOENT) {
        fprintf(stderr, "harness: %s\n", err);
        hs_lab_free(&lab);
        hs_folder_free(&f);
        return HS_EXIT_USAGE;
    }
    hs_variant_result results[HS_MAX_VARIANTS];
    hs_ks_pair pairs[HS_MAX_VARIANTS * HS_MAX_VARIANTS];
    hs_ks_table ks = {pairs, facts ? hs_facts_ks_pairs(facts, pairs, sizeof pairs / sizeof pairs[0]) : 0};
    int nr = 0;
    for (int i = 0; i < f.n; i++) {
        if (facts) {
            if (hs_facts_variant_result(facts, f.v[i].name, &results[nr]) == 0)
                results[nr++].ks = &ks;
            else if (f.v[i].n)
                fprintf(stderr, "harness: facts.json: %s's figures are missing or out of range; "
                                "it counts as not measured\n", f.v[i].name);
        } else if (f.v[i].n) {
            results[nr++] = (hs_variant_result){f.v[i].name, f.v[i].summary, f.v[i].sorted_s, NULL};
        }
    }
    int failed = 0;
    printf("%s (lab %s; figures from %s)\n", dir, lab.name,
           facts ? "facts.json" : "latencies_*.json, as it has no facts.json");
    for (int c = 0; c < lab.n_checks; c++) {
        hs_check_result r;
        hs_check_eval(&lab.checks[c], results, (size_t)nr, &r);
        printf("%s  %s (%s)\n", r.pass ? "PASS" : "FAIL", lab.checks[c].title, r.detail);
        failed += !r.pass;
    }
    if (lab.n_checks == 0) printf("the lab defines no acceptance checks\n");
    cJSON_Delete(facts);
    hs_lab_free(&lab);
    hs_folder_free(&f);
    return failed ? HS_EXIT_FAILED : HS_EXIT_OK;
}
