/* report.h - summary.md: facts.json's figures in tables, the acceptance
 * checks, and the rules' findings (rules.h); nothing computed here. */
#ifndef HARNESS_REPORT_H
#define HARNESS_REPORT_H

#include "lab.h"
#include "strbuf.h"

struct cJSON;

typedef struct {
    const hs_lab *lab;         /* title, request, background */
    const struct cJSON *facts; /* facts.json's object: every figure shown */
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
