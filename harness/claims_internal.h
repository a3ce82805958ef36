/* claims_internal.h - what claims.c, claims_io.c and claims_workers.c
 * share: lookups, number formats and the two settings' table. */
#ifndef HARNESS_CLAIMS_INTERNAL_H
#define HARNESS_CLAIMS_INTERNAL_H

#include "claims.h"

/* The first variant of that kind, or NULL. */
const hs_claims_variant *hs_claims__find(const hs_claims *c, const char *kind);

/* 1 when v has complete numbers at both settings. */
int hs_claims__both(const hs_claims_variant *v);

/* Milliseconds: two decimals below 10, one above, as the sweep summary. */
void hs_claims__ms(hs_strbuf *b, double seconds);

/* One row per variant: requests/s, p50 and p95 at both settings and their
 * ratios; unit follows the values in the header (" ms", " workers");
 * memory adds a column of total resident memory. */
void hs_claims__table(hs_strbuf *b, const hs_claims *c, const char *unit, int memory);

/* The settings where not every request got HTTP 200, or nothing. */
void hs_claims__failures_note(hs_strbuf *b, const hs_claims *c);

/* The two sections: the I/O-wait claim with its verdict (claims_io.c) and
 * the workers note (claims_workers.c). */
void hs_claims__io_section(hs_strbuf *b, const hs_claims *c);
void hs_claims__workers_section(hs_strbuf *b, const hs_claims *c);

#endif
