/* run.h - the harness's commands: run a lab, sweep a lab over one
 * parameter, re-plot and re-check a folder. */
#ifndef HARNESS_RUN_H
#define HARNESS_RUN_H

#include "lab.h"
#include "outcome.h"
#include "sweep.h"

/* Exit codes of the harness command. */
#define HS_EXIT_OK 0
#define HS_EXIT_FAILED 1      /* ran, but something failed: a server, a check */
#define HS_EXIT_USAGE 2       /* bad command line or input; nothing measured */
#define HS_EXIT_INTERRUPTED 130

typedef struct {
    const char *source_dir;      /* {source}; git commit; experiments/ */
    const char *bin_dir;         /* {bin}: where the binaries are */
    const char *labs_dir;        /* NAME.json lab files */
    const char *experiments_dir; /* where run folders are made */
    const char *weights;         /* {weights}: the default model file */
} hs_paths;

typedef struct {
    const char *out_dir;     /* NULL: experiments/<date>-<lab folder>[-N] */
    const char *sweep_param; /* this run is a sweep's point: its parameter */
    long sweep_value;        /* and value; the manifest records both */
} hs_run_options;

/* `harness run`: measures every variant of lab, writes the experiment
 * folder and returns an exit code. outcome (if not NULL) gets each
 * variant's numbers and serving pids. */
int hs_cmd_run(hs_lab *lab, const char *lab_file, const hs_run_options *opt,
               const hs_paths *paths, hs_run_outcome *outcome);

/* What hs_cmd_run refuses before making a folder (payloads that do not
 * load, an unknown placeholder, a server program that is not there), for
 * lab as it stands. Returns 0 or -1 with err saying why. */
int hs_run_validate(const hs_lab *lab, const hs_paths *paths, char *err, size_t err_size);

/* From now on SIGINT and SIGTERM set hs_stop instead of killing us. */
void hs_run_catch_signals(void);

/* Makes a new folder for a run's files: out_dir as given (it must not exist
 * yet, or be empty), or experiments/<date>-<name>[-N]. Never reuses a
 * folder with files in it. Returns 0 with the path in dir, or -1 with err
 * (at least twice size) saying why. */
int hs_run_make_folder(const char *name, const char *out_dir, const hs_paths *p, char *dir,
                       size_t size, char *err, size_t err_size);

/* `harness run LAB --sweep NAME=v1,...`: one run of lab per value, each in
 * <top>/<name>-<value>/, then the sweep's manifest, plot and summary in
 * <top> (out_dir, or experiments/<date>-<lab folder>-sweep-<name>[-N]).
 * Returns an exit code as hs_cmd_run's. */
int hs_cmd_sweep(hs_lab *lab, const char *lab_file, const hs_sweep_spec *spec,
                 const char *out_dir, const hs_paths *paths);

/* Writes sweep.dat and sweep.gp into dir and draws sweep.png from s.
 * Returns as plot_cdf: 0, 1 without gnuplot, or negative with err. */
int hs_sweep_draw(const char *dir, const hs_sweep *s, char *err, size_t err_size);

/* `harness plot [DIR]` and `harness check [DIR]`: dir NULL means the
 * newest experiment folder. lab_file is used when dir has no manifest.
 * On a sweep's folder, plot redraws every point's CDF and the sweep plot,
 * and check judges every point that ran. */
int hs_cmd_plot(const char *dir, const hs_paths *paths);
int hs_cmd_check(const char *dir, const char *lab_file, const hs_paths *paths);

#endif
