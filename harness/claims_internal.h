/* claims_internal.h - what claims.c, claims_io.c and claims_workers.c
 * share: lookups, number formats and the two settings' table. */
#ifndef HARNESS_CLAIMS_INTERNAL_H
#define HARNESS_CLAIMS_INTERNAL_H

#include "claims.h"

/* The first variant of that kind, or NULL. */
const hs_claims_variant *hs_claims__find(const hs_claims *c, const char *kind);

/* 1 when v has numbers to compare at both settings: complete, and at
 * least HS_CLAIMS_MIN_OK_PERCENT HTTP 200. */
int hs_claims__both(const hs_claims_variant *v);

/* One row per variant: requests/s, p50 and p95 at both settings and their
 * ratios, marking numbers not compared; unit follows the values in the
 * header (" ms", " workers"); memory adds a column of total resident
 * memory. */
void hs_claims__table(hs_strbuf *b, const hs_claims *c, const char *unit, int memory);

/* The settings where not every request got HTTP 200 (those below
 * HS_CLAIMS_MIN_OK_PERCENT: not compared), or nothing. */
void hs_claims__failures_note(hs_strbuf *b, const hs_claims *c);

/* The two sections: the I/O-wait claim with its verdict (claims_io.c) and
 * the workers note (claims_workers.c). */
void hs_claims__io_section(hs_strbuf *b, const hs_claims *c);
void hs_claims__workers_section(hs_strbuf *b, const hs_claims *c);

#endif
