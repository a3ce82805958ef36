/* cli/cli.h - the command line: run, plot, check, list, load; and reading an
 * experiment folder back for plot and check.
 *
 * The one header of harness/cli/; the sections below were each a header
 * of their own. */
#ifndef HARNESS_CLI_H
#define HARNESS_CLI_H

#include "lab/lab.h"
#include "run/run.h"
#include "load/load.h"

#include <stdio.h>

/* --- folder --- an experiment folder read back: its variants, their recorded
 * latencies, and the lab that produced them. */
typedef struct {
    char name[HS_NAME_MAX];
    char label[128];
    hs_sample *samples;
    size_t n;
    double *sorted_s;   /* latencies ascending */
    hs_summary summary; /* valid when n > 0 */
} hs_folder_variant;

typedef struct {
    char title[256];    /* plot title */
    hs_folder_variant v[HS_MAX_VARIANTS];
    int n;
} hs_folder;

/* Reads dir's latencies_<variant>.json files: in the manifest's order when
 * there is a manifest.json, else in name order. lab (if not NULL) gets the
 * lab definition embedded in the manifest, or is loaded from
 * fallback_lab_file. Returns 0 or -1 with err saying why. */
int hs_folder_read(const char *dir, const char *fallback_lab_file, hs_folder *f,
                   hs_lab *lab, char *err, size_t err_size);
void hs_folder_free(hs_folder *f);

/* The newest folder under experiments_dir holding latencies files. */
int hs_newest_experiment(const char *experiments_dir, char *out, size_t size);

/* --- revisit --- what `harness plot` (plot.c) and `harness check` (check.c)
 * share: which folder they work on, and a sweep's folder read back. */
/* dir, or the newest experiment folder, into out; prints why not and
 * returns -1. */
int hs_pick_dir(const char *dir, const hs_paths *p, char *out, size_t size);

/* Reads dir as a sweep's folder into *s (malloc'd). Returns 1 if it is
 * one, 0 if it is not (a single run's folder, or no manifest), or -1 after
 * saying why it cannot be read. */
int hs_as_sweep(const char *dir, hs_sweep **s);

/* Point i's folder under dir into out; 1 if the point has one, else 0
 * after saying on out_f why it is skipped: it never ran, or failed before
 * its run made a folder. */
int hs_point_folder(const char *dir, const hs_sweep *s, int i, FILE *out_f, char *out,
                    size_t size);

/* --- plot.c and check.c --- */
/* `harness plot [DIR]` and `harness check [DIR]`: dir NULL means the
 * newest experiment folder. lab_file is used when dir has no manifest.
 * On a sweep's folder, plot redraws every point's CDF and the sweep plot,
 * and check judges every point that ran. */
int hs_cmd_plot(const char *dir, const hs_paths *paths);
int hs_cmd_check(const char *dir, const char *lab_file, const hs_paths *paths);

/* `harness load --format ab` (ab_report.c): r's figures in ApacheBench's
 * report layout and field names, computed as ab computes them, for a load
 * of url with concurrency clients; then how the failure classes map. */
void hs_print_ab(FILE *f, const char *url, long concurrency, const hs_load_result *r);

/* `harness compare DIR_A DIR_B [--fail-if SPEC]... [--force]` (compare.c):
 * argv[0] is "compare". Returns 0, 1 (a threshold crossed beyond doubt),
 * 2 (bad input, or folders that measured different things), or 3 (no
 * threshold crossed, but some interval reaches past one). */
int hs_cmd_compare(int argc, char **argv, const hs_paths *paths);

#endif
