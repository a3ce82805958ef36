/* plot.c - `harness plot`: an experiment folder's CDF redrawn from its
 * latencies files, marked with the percentiles of its facts.json (or, in
 * a folder from before facts.json, of its latencies); a sweep's folder
 * point by point, and its sweep plot from its manifest. */
#include "cli/cli.h"

#include "facts/facts.h"
#include "plots.h"

#include <cJSON.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

/* A sweep's folder: every point's CDF that has a folder, then the sweep
 * plot from the manifest's numbers (a point's requests/s needs its wall
 * time, which only the manifests keep). A point without a folder has
 * nothing to draw and is skipped; else the worst exit code wins. */
static int plot_sweep_folder(const char *dir, const hs_sweep *s, const hs_paths *p) {
    char err[4096], point[4200];
    int worst = HS_EXIT_OK;
    for (int i = 0; i < s->spec.n; i++) {
        if (!hs_point_folder(dir, s, i, stderr, point, sizeof point)) continue;
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

/* The exit code for a CDF drawn (0), not drawn for want of gnuplot (1),
 * or failed (negative, err saying why), each said on the way. */
static int drawn(int rc, const char *dir, const char *err) {
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

int hs_cmd_plot(const char *dir_arg, const hs_paths *p) {
    char dir[4096], err[4096];
    hs_folder f;
    hs_sweep *s;
    if (hs_pick_dir(dir_arg, p, dir, sizeof dir)) return HS_EXIT_USAGE;
    int sweep = hs_as_sweep(dir, &s);
    if (sweep < 0) return HS_EXIT_USAGE;
    if (sweep) {
        int rc = plot_sweep_folder(dir, s, p);
        free(s);
        return rc;
    }
    char folders[HS_REPEAT_MAX][32];
    int n_rep = 0;
    hs_lab lab;
    int repeats = hs_repeat_folders(dir, folders, &n_rep, &lab, err, sizeof err);
    if (repeats < 0) {
        fprintf(stderr, "harness: %s\n", err);
        return HS_EXIT_USAGE;
    }
    if (repeats) { /* the pooled curves and each repeat's, with the rest of its files */
        int rc = hs_repeat_write(dir, &lab, err, sizeof err);
        hs_lab_free(&lab);
        return drawn(rc, dir, err);
    }
    if (hs_folder_read(dir, NULL, &f, NULL, err, sizeof err)) {
        fprintf(stderr, "harness: %s\n", err);
        return HS_EXIT_USAGE;
    }
    plot_curve curves[HS_MAX_VARIANTS];
    for (int i = 0; i < f.n; i++)
        curves[i] = (plot_curve){f.v[i].name, f.v[i].label, f.v[i].sorted_s, f.v[i].n, {0}, NULL,
                                 NULL, 0};
    /* The marks are the facts' percentiles; a folder without facts.json
     * has only its latencies to give them. */
    int frc;
    cJSON *facts = hs_facts_read(dir, &frc, err, sizeof err);
    if (!facts && frc != -ENOENT) {
        fprintf(stderr, "harness: %s\n", err);
        hs_folder_free(&f);
        return HS_EXIT_USAGE;
    }
    for (int i = 0; i < f.n; i++) {
        const hs_summary *m = &f.v[i].summary;
        if (facts) hs_facts_percentiles_ms(facts, f.v[i].name, curves[i].p_ms);
        else curves[i].p_ms[0] = m->p50_s * 1e3, curves[i].p_ms[1] = m->p95_s * 1e3,
             curves[i].p_ms[2] = m->p99_s * 1e3;
    }
    cJSON_Delete(facts);
    int rc = plot_cdf(dir, f.title, curves, (size_t)f.n, err, sizeof err);
    hs_folder_free(&f);
    return drawn(rc, dir, err);
}

