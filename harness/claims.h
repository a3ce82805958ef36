/* claims.h - lab 01's stretch claims judged from the numbers (issue 7):
 * that an extra I/O wait hurts sync more than async_tothread, because
 * sync's pool is bounded and async_tothread waits on a timer; and what
 * more worker processes change. Each is a markdown section computed from
 * the same variants measured at two settings of one parameter.
 *
 * Where the pairs come from: in a single run, variants whose commands are
 * the same but for the value after one flag (lab01-iodelay's sync_io0 and
 * sync_io50 differ only in --io-delay-ms); in a sweep, each variant at its
 * first and last point. */
#ifndef HARNESS_CLAIMS_H
#define HARNESS_CLAIMS_H

#include "lab.h"
#include "stats.h"
#include "strbuf.h"

/* Lab 01's success criterion (its checks' min_ok_percent): numbers with
 * fewer requests answered HTTP 200 are shown but never compared or
 * judged, here or in a sweep's "What changed". */
#define HS_CLAIMS_MIN_OK_PERCENT 99.0

typedef enum {
    HS_CLAIMS_IO_DELAY, /* value: extra I/O wait per request, ms */
    HS_CLAIMS_WORKERS,  /* value: server worker processes */
} hs_claims_param;

/* One server variant at the parameter's two settings. */
typedef struct {
    const char *kind;            /* "sync", "async_blocking", "async_tothread",
                                  * or any other name (shown, never judged) */
    const char *name_a, *name_b; /* as measured, e.g. "sync_io0", "sync_io50" */
    const hs_summary *a, *b;     /* NULL: no complete numbers at that setting
                                  * (a request not recorded, or a problem);
                                  * below HS_CLAIMS_MIN_OK_PERCENT they are
                                  * shown, not compared */
    long rss_kib_a, rss_kib_b;   /* server memory after warm-up, 0: unknown */
    int pids_a, pids_b;          /* distinct processes that answered fresh
                                  * connections after warm-up, 0: unknown */
} hs_claims_variant;

typedef struct {
    hs_claims_param param;
    long value_a, value_b;    /* the two settings, value_a < value_b */
    long concurrency;         /* clients in flight, the same at both */
    long threads;             /* pool threads per worker process, 0: unknown */
    long workers;             /* worker processes, for HS_CLAIMS_IO_DELAY;
                               * 0: unknown */
    long io_delay_ms;         /* for HS_CLAIMS_WORKERS; -1: unknown */
    long cores;               /* the machine's */
    const char *memory_where; /* where the summary shows memory, or NULL */
    int miniserve;            /* 1: every variant runs miniserve, whose design
                               * (pool, event loop, timer, shared socket)
                               * the section explains; 0: numbers only */
    hs_claims_variant v[HS_MAX_VARIANTS];
    int n;
} hs_claims;

/* Appends the section for c: for HS_CLAIMS_IO_DELAY the claim, each
 * variant's degradation, a verdict and what bounds each variant; for
 * HS_CLAIMS_WORKERS each variant's change and why (the why only when
 * c->miniserve). Every number in it is computed from c; a verdict needs
 * complete numbers with at least HS_CLAIMS_MIN_OK_PERCENT HTTP 200 for sync
 * and async_tothread at both settings, else the section says what is
 * missing. */
void hs_claims_write(hs_strbuf *b, const hs_claims *c);

/* 1 when m is not NULL and fewer than HS_CLAIMS_MIN_OK_PERCENT of its
 * requests got HTTP 200: shown, never compared. */
int hs_claims_low_ok(const hs_summary *m);

/* Milliseconds as the claims and the sweep summary print them: two
 * decimals below 10, one above. */
void hs_claims_ms(hs_strbuf *b, double seconds);

/* Variants of a lab whose commands are the same but for the value after
 * one flag: a family, ordered by that value. */
typedef struct {
    int idx[HS_MAX_VARIANTS];    /* into lab->variants */
    long value[HS_MAX_VARIANTS]; /* the flag's value in each, ascending */
    int n;
} hs_claims_family;

/* Finds lab's families for flag ("--io-delay-ms", "--workers"; "--flag V"
 * and "--flag=V" both count), the value's placeholders filled from
 * lab->load. Only families with at least two distinct values are kept; a
 * variant whose command has the flag twice, or repeats a value already in
 * its family, is left out.
 * Returns how many were written to out (at most max). */
int hs_claims_families(const hs_lab *lab, const char *flag, hs_claims_family *out, int max);

/* The value after flag in v's command, placeholders filled from load; def
 * when the flag is absent or its value is not a whole number. */
long hs_claims_flag_value(const hs_variant_def *v, const char *flag,
                          const hs_load_params *load, long def);

/* What a server that got v's command runs with for flag ("--workers",
 * "--threads" or "--io-delay-ms"): its value as hs_claims_flag_value, or
 * miniserve's own default when the command runs miniserve and has no such
 * flag. -1 when not known: absent from another program's command, given
 * twice, or not a whole number. */
long hs_claims_server_setting(const hs_variant_def *v, const char *flag,
                              const hs_load_params *load);

/* The file name of the program v's command runs ("miniserve" for
 * "{bin}/miniserve"), "" when it has none. Points into v. */
const char *hs_claims_program(const hs_variant_def *v);

/* 1 when program (as hs_claims_program) is miniserve. */
int hs_claims_is_miniserve(const char *program);

/* The server variant v runs: the value of its --variant argument or of a
 * MINISERVE_VARIANT= environment setting, else as hs_claims_kind_of_name. */
const char *hs_claims_kind(const hs_variant_def *v);

/* "sync", "async_blocking" or "async_tothread" when name is one of them or
 * starts with one followed by '_' or '-' ("sync_io50"); else name. */
const char *hs_claims_kind_of_name(const char *name);

#endif
