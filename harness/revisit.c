/* revisit.c - `harness plot` and `harness check`: an experiment folder
 * redrawn or re-judged from its latencies files alone. */
#include "run.h"

#include "folder.h"
#include "plots.h"

#include <stdio.h>
#include <string.h>

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

int hs_cmd_plot(const char *dir_arg, const hs_paths *p) {
    char dir[4096], err[4096];
    hs_folder f;
    if (pick_dir(dir_arg, p, dir, sizeof dir)) return HS_EXIT_USAGE;
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

int hs_cmd_check(const char *dir_arg, const char *lab_file, const hs_paths *p) {
    char dir[4096], err[4096];
    hs_folder f;
    hs_lab lab;
    if (pick_dir(dir_arg, p, dir, sizeof dir)) return HS_EXIT_USAGE;
    if (hs_folder_read(dir, lab_file, &f, &lab, err, sizeof err)) {
        fprintf(stderr, "harness: %s\n", err);
        return HS_EXIT_USAGE;
    }
    hs_variant_result results[HS_MAX_VARIANTS];
    int nr = 0;
    for (int i = 0; i < f.n; i++)
        if (f.v[i].n) results[nr++] = (hs_variant_result){f.v[i].name, f.v[i].summary, f.v[i].sorted_s};
    int failed = 0;
    printf("%s (lab %s)\n", dir, lab.name);
    for (int c = 0; c < lab.n_checks; c++) {
        hs_check_result r;
        hs_check_eval(&lab.checks[c], results, (size_t)nr, &r);
        printf("%s  %s (%s)\n", r.pass ? "PASS" : "FAIL", lab.checks[c].title, r.detail);
        failed += !r.pass;
    }
    if (lab.n_checks == 0) printf("the lab defines no acceptance checks\n");
    hs_lab_free(&lab);
    hs_folder_free(&f);
    return failed ? HS_EXIT_FAILED : HS_EXIT_OK;
}
