/* check.c - `harness check`: an experiment folder's acceptance checks
 * judged again from its facts.json (or, in a folder from before facts.json,
 * from its latencies files); a sweep's folder point by point. */
#include "cli/cli.h"

#include "facts/facts.h"

#include <cJSON.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

/* Which of two check exit codes says more: a usage error, then a FAIL,
 * then an UNSTABLE verdict, then success. */
static int worse(int a, int b) {
    static const int rank[] = {[HS_EXIT_OK] = 0, [HS_EXIT_UNSTABLE] = 1, [HS_EXIT_FAILED] = 2,
                               [HS_EXIT_USAGE] = 3};
    int ra = a >= 0 && a <= HS_EXIT_UNSTABLE ? rank[a] : 4;
    int rb = b >= 0 && b <= HS_EXIT_UNSTABLE ? rank[b] : 4;
    return rb > ra ? b : a;
}

/* A repeated run's folder: each check's verdict from its deciding figure
 * across the repeats' facts.json, PASS, FAIL or UNSTABLE. */
static int check_repeat_folder(const char *dir, char folders[][32], int n, const hs_lab *lab) {
    cJSON *facts[HS_REPEAT_MAX] = {0};
    char err[4400];
    int have = 0, failed = 0, unstable = 0;
    for (int r = 0; r < n; r++) {
        facts[r] = hs_repeat_facts_read(dir, folders[r], err, sizeof err);
        if (facts[r]) have++;
        else fprintf(stderr, "harness: %s: %s (that repeat is left out)\n", folders[r], err);
    }
    printf("%s (lab %s; %d repeats, verdicts from the 95%% interval of each check's figure "
           "across them)\n", dir, lab->name, have);
    for (int c = 0; c < lab->n_checks; c++) {
        hs_repeat_verdict v;
        if (hs_repeat_check((const cJSON *const *)facts, n, c, &v)) {
            printf("FAIL      %s (no repeat judged it)\n", lab->checks[c].title);
            failed++;
            continue;
        }
        printf("%-8s  %s (median %.3g, 95%% interval %.3g to %.3g, %s %g; %d of %d repeats "
               "passed%s)\n", hs_verdict_name(v.verdict), lab->checks[c].title, v.iv.value,
               v.iv.lo, v.iv.hi, v.at_least ? "at least" : "at most", v.threshold, v.passed,
               v.ran, v.unknown ? ", some without the figure" : "");
        failed += v.verdict == HS_FAIL, unstable += v.verdict == HS_UNSTABLE;
    }
    if (lab->n_checks == 0) printf("the lab defines no acceptance checks\n");
    for (int r = 0; r < n; r++) cJSON_Delete(facts[r]);
    return failed ? HS_EXIT_FAILED : unstable ? HS_EXIT_UNSTABLE : HS_EXIT_OK;
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
        if (!hs_point_folder(dir, s, i, stdout, point, sizeof point)) {
            if (s->points[i].status == HS_POINT_FAILED) worst = worse(worst, HS_EXIT_FAILED);
            continue;
        }
        fflush(stdout);
        worst = worse(worst, hs_cmd_check(point, lab_file, p));
    }
    return worst;
}

int hs_cmd_check(const char *dir_arg, const char *lab_file, const hs_paths *p) {
    char dir[4096], err[4096];
    hs_folder f;
    hs_lab lab;
    hs_sweep *s;
    if (hs_pick_dir(dir_arg, p, dir, sizeof dir)) return HS_EXIT_USAGE;
    int sweep = hs_as_sweep(dir, &s);
    if (sweep < 0) return HS_EXIT_USAGE;
    if (sweep) {
        int rc = check_sweep_folder(dir, s, lab_file, p);
        free(s);
        return rc;
    }
    char folders[HS_REPEAT_MAX][32];
    int n_rep = 0, repeats = hs_repeat_folders(dir, folders, &n_rep, &lab, err, sizeof err);
    if (repeats < 0) {
        fprintf(stderr, "harness: %s\n", err);
        return HS_EXIT_USAGE;
    }
    if (repeats) {
        int rc = check_repeat_folder(dir, folders, n_rep, &lab);
        hs_lab_free(&lab);
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
            /* from latencies alone: an open loop's drops and late sends
             * are not known */
            double unknown = lab.load.rate > 0 ? NAN : 0;
            results[nr++] = (hs_variant_result){f.v[i].name, f.v[i].summary, f.v[i].sorted_s,
                                                NULL, unknown, unknown};
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
