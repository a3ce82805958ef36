/* run/run.h - a run end to end: spawn each variant's server, warm it up, load it
 * with the evidence around it, then facts, plot, summary and manifest;
 * a sweep is runs in folders of their own.
 *
 * The one header of harness/run/; the sections below were each a header
 * of their own. */
#ifndef HARNESS_RUN_H
#define HARNESS_RUN_H

#include "lab/lab.h"

#include <pthread.h>
#include <stddef.h>
#include <sys/types.h>

/* --- spawn --- starting the server under test, waiting for it, stopping it. */
typedef struct {
    pid_t pid;
    char host[64];
    int port;
    char base_url[128];  /* http://host:port */
    int out_fd;          /* the server's stdout, copied to the log */
    int log_fd;          /* server_<variant>.log: its stderr and stdout */
    pthread_t drain;
    int draining;
    int reaped;          /* waited for; status below is valid */
    int status;          /* as from waitpid */
    int killed;          /* needed SIGKILL after the grace period */
} hs_server;

/* Starts argv in its own process group with stderr (and stdout after its
 * first line) in log_path. With port 0 the server must print
 * "listening on http://HOST:PORT" as its first stdout line within
 * timeout_s; otherwise it was told to listen on 127.0.0.1:port. Returns 0,
 * or a negative code with err saying why (program not found, exited early,
 * no listening line) and the log's last lines. */
int hs_server_start(char *const argv[], int port, const char *log_path,
                    double timeout_s, hs_server *srv, char *err, size_t err_size);

/* Polls GET base_url + path until it answers 200 or timeout_s passes or the
 * server exits. On success *body (if not NULL) is the malloc'd response. */
int hs_server_wait_healthy(hs_server *srv, const char *path, double timeout_s,
                           char **body, char *err, size_t err_size);

/* SIGTERM, then SIGKILL to its whole process group after grace_s. Reaps it
 * and closes the log. Safe to call on a server that already exited. */
void hs_server_stop(hs_server *srv, double grace_s);

/* A free TCP port on 127.0.0.1 at the moment of asking, or -1. */
int hs_free_port(void);

/* The last lines of a log file, for error messages. */
void hs_log_tail(const char *path, int lines, char *out, size_t size);

/* "exited with status N" / "killed by signal N" for a waitpid status. */
void hs_describe_status(int status, char *out, size_t size);

/* --- run --- the harness's commands: run a lab, sweep a lab over one
 * parameter, re-plot and re-check a folder. */
/* Exit codes of the harness command. */
#define HS_EXIT_OK 0
#define HS_EXIT_FAILED 1      /* ran, but something failed: a server, a check */
#define HS_EXIT_USAGE 2       /* bad command line or input; nothing measured */
#define HS_EXIT_UNSTABLE 3    /* check, compare: nothing failed beyond doubt, but
                               * some verdict is UNSTABLE (its interval
                               * straddles the threshold) */
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
    int repeat;              /* > 1: that many repeats (hs_cmd_repeat) */
    int repeat_index;        /* > 0: this run is repeat k of repeat_of */
    int repeat_of;
} hs_run_options;

/* `harness run`: measures every variant of lab, writes the experiment
 * folder and returns an exit code. outcome (if not NULL) gets each
 * variant's numbers and serving pids. */
int hs_cmd_run(hs_lab *lab, const char *lab_file, const hs_run_options *opt,
               const hs_paths *paths, hs_run_outcome *outcome);

/* `harness run LAB --repeat N` (hs_cmd_run with opt->repeat > 1 comes
 * here): N complete runs in DIR/repeat-1 ... repeat-N, each starting
 * every variant's server afresh in the lab's order, so the variants
 * interleave (A B C A B C ...) and drift reaches them alike. After each
 * repeat, DIR gets the repeats so far together (hs_repeat_write). outcome
 * (if not NULL) gets each variant's medians across the repeats. Returns
 * an exit code as hs_cmd_run's. */
int hs_cmd_repeat(hs_lab *lab, const char *lab_file, const hs_run_options *opt,
                  const hs_paths *paths, hs_run_outcome *outcome);

/* A repeated run's folder, from the repeat folders its manifest lists:
 * latencies_<variant>.json with every repeat's records in order and
 * repeats_<variant>.json saying which records came from which repeat,
 * facts.json (repeat_facts.c), summary.md and the CDF (the pooled curve,
 * each repeat's thin). lab is the lab as run. Returns 0, 1 when only the
 * PNG is missing (no gnuplot), or a negative errno with err. */
int hs_repeat_write(const char *dir, const hs_lab *lab, char *err, size_t err_size);

/* Reads dir/manifest.json as a repeated run's: 1 with its repeat folders'
 * names in folders (at most HS_REPEAT_MAX, as "repeat-1") and their
 * count in *n, and the lab as run in lab (if not NULL; free it); 0 when
 * it is not one; -1 with err when it cannot be read. */
int hs_repeat_folders(const char *dir, char folders[][32], int *n, hs_lab *lab, char *err,
                      size_t err_size);

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
                 const char *out_dir, int repeat, const hs_paths *paths);

/* Writes sweep.dat and sweep.gp into dir and draws sweep.png from s.
 * Returns as plot_cdf: 0, 1 without gnuplot, or negative with err. */
int hs_sweep_draw(const char *dir, const hs_sweep *s, char *err, size_t err_size);


/* --- calibrate.c --- Starts a server with argv, warms it up as the lab
 * says, and measures the median latency of serial requests (one client):
 * one request's service time, into *service_s. Returns 0, or -1 with err. */
int hs_calibrate(const hs_lab *lab, char *const argv[], int port, const char *log_path,
                 char *const *bodies, size_t n_bodies, double *service_s, char *err,
                 size_t err_size);

#endif
