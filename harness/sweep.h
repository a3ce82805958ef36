/* sweep.h - a sweep: one lab run per value of one parameter, each in its
 * own folder, summed up in a top folder (manifest.json, sweep.dat/.gp/.png,
 * summary.md).
 *
 * The parameters there are, and how each reaches what is measured:
 *   workers      {workers} in the variants' commands (server processes)
 *   concurrency  the load generator's requests in flight
 *   io_delay_ms  {io_delay_ms} in the commands (miniserve --io-delay-ms)
 *   threads      {threads} in the commands (miniserve --threads)
 * A parameter that reaches the server through a placeholder can only be
 * swept when every variant's command has it; otherwise some variant would
 * be measured unchanged at every point.
 */
#ifndef HARNESS_SWEEP_H
#define HARNESS_SWEEP_H

#include "lab.h"
#include "outcome.h"

#include <stddef.h>

#define HS_SWEEP_MAX_POINTS 16

typedef enum {
    HS_SWEEP_WORKERS,
    HS_SWEEP_CONCURRENCY,
    HS_SWEEP_IO_DELAY_MS,
    HS_SWEEP_THREADS,
} hs_sweep_param;
#define HS_SWEEP_N_PARAMS (HS_SWEEP_THREADS + 1)

typedef struct {
    hs_sweep_param param;
    long values[HS_SWEEP_MAX_POINTS]; /* ascending, distinct */
    int n;
} hs_sweep_spec;

/* Parses "NAME=v1,v2,..." (NAME as above; io-delay-ms is also accepted).
 * Values are whole numbers in the parameter's range (as its flag takes
 * them), 1 to HS_SWEEP_MAX_POINTS of them, no repeats; they are sorted
 * ascending. Returns 0, or -EINVAL with err saying what is wrong. */
int hs_sweep_parse(const char *text, hs_sweep_spec *out, char *err, size_t err_size);

/* "workers", "concurrency", "io_delay_ms", "threads". */
const char *hs_sweep_param_name(hs_sweep_param p);
/* The `harness run` flag that sets the same thing, e.g. "--io-delay-ms". */
const char *hs_sweep_param_flag(hs_sweep_param p);
/* What the values are, for an axis: "server worker processes (--workers)". */
const char *hs_sweep_param_axis(hs_sweep_param p);
/* The placeholder that carries it to the server, or NULL (concurrency). */
const char *hs_sweep_param_placeholder(hs_sweep_param p);
/* Its field in the load parameters. */
long *hs_sweep_param_field(hs_load_params *load, hs_sweep_param p);

/* 0 if every variant of lab takes the parameter; else -EINVAL with err
 * naming the variants whose commands lack its placeholder. */
int hs_sweep_check_lab(const hs_lab *lab, hs_sweep_param p, char *err, size_t err_size);

typedef enum {
    HS_POINT_NOT_RUN,      /* the sweep stopped before it */
    HS_POINT_DONE,         /* ran, every variant complete */
    HS_POINT_FAILED,       /* ran, but a server or a file failed */
    HS_POINT_INTERRUPTED,  /* Ctrl-C during it */
    HS_POINT_DONE_NO_PLOT, /* ran, every variant complete, but its
                            * latency_cdf.png was not drawn (no gnuplot) */
} hs_point_status;

typedef struct {
    long value;
    char folder[64];      /* "<name>-<value>", under the sweep's folder */
    hs_point_status status;
    int exit_code;        /* of its run; -1 when not run */
    hs_run_outcome out;
} hs_sweep_point;

typedef struct {
    hs_sweep_spec spec;
    char lab_name[64];
    char lab_title[160];
    char lab_file[1024];
    char title[256];          /* the plot's and the summary's */
    char method[8], path[256];
    hs_load_params load;      /* fixed parameters; the swept one is per point */
    unsigned takes;           /* bit (1 << param): some variant's command has
                               * its placeholder (concurrency: always) */
    int n_variants;
    char variants[HS_MAX_VARIANTS][HS_NAME_MAX];
    char labels[HS_MAX_VARIANTS][128];
    hs_sweep_point points[HS_SWEEP_MAX_POINTS]; /* spec.n of them */
    long cores;
    char created[40];
    int complete;             /* every point ran */
    char reason[256];         /* why not, when !complete */
} hs_sweep;

/* Point i's folder name, "<name>-<value>". */
void hs_sweep_point_folder(const hs_sweep_spec *s, int i, char *out, size_t size);

/* "done", "failed", "interrupted", "not run", "done_no_plot". */
const char *hs_point_status_name(hs_point_status st);

/* The sweep as its manifest.json records it ("kind": "sweep"), without the
 * machine, versions and git facts the caller adds. NULL when out of memory. */
struct cJSON *hs_sweep_to_json(const hs_sweep *s);

/* Reads dir/manifest.json back. Returns 0; -ENOENT when dir has no
 * manifest; -EMEDIUMTYPE when it is not a sweep's (a single run's); or
 * -EINVAL with err saying what is wrong. */
int hs_sweep_read(const char *dir, hs_sweep *s, char *err, size_t err_size);

/* Writes dir/summary.md: a note naming the points that failed or did not
 * run, per variant a table across the points, a table of what changed
 * from the first point to the last, and the setting_change rule over
 * those two points' facts.json (dir/<point>/facts.json). Only numbers with
 * every request recorded, no problem and at least HS_RULES_MIN_OK_PERCENT
 * HTTP 200 (rules.h) are compared.
 * Returns 0 or a negative errno. */
int hs_sweep_report_write(const char *dir, const hs_sweep *s);

#endif
