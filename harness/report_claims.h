/* report_claims.h - a single run's summary section on lab 01's stretch
 * claims (claims.h), for labs whose variants pair up by their commands. */
#ifndef HARNESS_REPORT_CLAIMS_H
#define HARNESS_REPORT_CLAIMS_H

#include "report.h"
#include "strbuf.h"

/* Appends one section per group of variants that differ only in
 * --io-delay-ms (the I/O-wait claim) or only in --workers (the workers
 * note), each comparing the lowest value with the highest. Labs without
 * such variants get nothing. */
void hs_report_claims(hs_strbuf *b, const hs_report *r);

#endif
