/* report.h - summary.md: facts.json's figures in tables, the acceptance
 * checks, and the rules' findings (rules.h); nothing computed here. */
#ifndef HARNESS_REPORT_H
#define HARNESS_REPORT_H

#include "blocks.h"
#include "lab.h"
#include "load.h"
#include "memory.h"
#include "strbuf.h"

typedef struct {
    const char *name;
    const char *label;
    const hs_rss *rss;             /* server memory after warm-up, or NULL */
    const hs_summary *summary;     /* NULL: nothing was recorded */
    const hs_load_errors *errors;  /* NULL: not known */
    const char *problem;           /* NULL, or what went wrong with it */
    int serving_pids;              /* distinct pids that answered /healthz, 0: unknown */
    const hs_blocks *blocks;       /* its servers' block reports, or NULL */
} hs_report_variant;

typedef struct {
    const hs_lab *lab;             /* title, folder, checks */
    const hs_load_params *load;    /* what was run */
    const hs_report_variant *variants;
    size_t n_variants;
    const hs_check_result *results; /* one per lab->checks */
    long cores;
    int complete;                  /* 0: the run was cut short */
    const char *incomplete_reason; /* why, when !complete */
    const struct cJSON *facts;     /* facts.json's object: the figures the
                                    * tables show; NULL: none */
} hs_report;

/* Writes dir/summary.md atomically. Returns 0 or a negative errno. */
int hs_report_write(const char *dir, const hs_report *r);
/* Appends the event-loop blocks section (report_blocks.c); nothing when
 * no variant has block reports. */
void hs_report_blocks(hs_strbuf *b, const hs_report *r);
/* Appends the evidence tables (report_evidence.c) from r->facts: the
 * server's CPU, the probe, the request phases and the kernel's counters. */
void hs_report_evidence(hs_strbuf *b, const hs_report *r);

#endif
