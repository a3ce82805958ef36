/* outcome.h - what one run measured, variant by variant, in the form a
 * sweep collects from each of its points. */
#ifndef HARNESS_OUTCOME_H
#define HARNESS_OUTCOME_H

#include "lab.h"
#include "stats.h"

/* A run records at most one serving pid per worker. */
#define HS_MAX_PIDS HS_MAX_WORKERS

typedef struct {
    char name[HS_NAME_MAX];
    int measured;        /* at least one request was recorded */
    int complete;        /* all `total` requests recorded, and no problem */
    hs_summary summary;  /* valid when measured; rps over the load's wall time */
    int n_pids;          /* distinct pids that answered GET /healthz over */
    long pids[HS_MAX_PIDS]; /* fresh connections after warm-up; 0: not known */
    char problem[256];   /* first line of what went wrong, or "" */
} hs_variant_outcome;

typedef struct {
    hs_variant_outcome v[HS_MAX_VARIANTS];
    int n;
    int only_plot_missing; /* the run failed only because gnuplot is not
                            * installed: everything else was written */
} hs_run_outcome;

#endif
