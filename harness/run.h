/* run.h - the harness's commands: run a lab, re-plot and re-check a folder. */
#ifndef HARNESS_RUN_H
#define HARNESS_RUN_H

#include "lab.h"

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

/* `harness run`: measures every variant of lab, writes the experiment
 * folder (out_dir, or a new dated one) and returns an exit code. */
int hs_cmd_run(hs_lab *lab, const char *lab_file, const char *out_dir,
               const hs_paths *paths);

/* `harness plot [DIR]` and `harness check [DIR]`: dir NULL means the
 * newest experiment folder. lab_file is used when dir has no manifest. */
int hs_cmd_plot(const char *dir, const hs_paths *paths);
int hs_cmd_check(const char *dir, const char *lab_file, const hs_paths *paths);

#endif
