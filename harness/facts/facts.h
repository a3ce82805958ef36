/* facts/facts.h - facts.json: every figure of a run, computed once from the measurements,
 * written and read back; and a sweep's manifest.
 *
 * The one header of harness/facts/; the sections below were each a header
 * of their own. */
#ifndef HARNESS_FACTS_H
#define HARNESS_FACTS_H

#include "lab/lab.h"
#include "load/load.h"
#include "evidence/evidence.h"

#include <stddef.h>

/* --- facts --- facts.json: every number a run's summary, checks, plot titles
 * and sweeps quote, computed once, here, from what the run measured.
 *
 * Measurement code (load.c, probe.c, evidence.c) produces readings; this
 * turns them into figures; report code turns figures into words and never
 * computes one of its own. A figure that could not be measured is null,
 * with a sibling "<key>_unknown" saying why: never 0 and never a guess. */
#define HS_FACTS_FORMAT 1

struct cJSON;

/* One variant as it ran. Pointers may be NULL: not measured, or that part
 * of the evidence was off. */
typedef struct {
    const char *name;
    const hs_summary *summary;     /* NULL: nothing recorded */
    const hs_load_result *load;    /* samples, phases, errors, generator CPU */
    const double *sorted_s;        /* ascending latencies, summary->requests */
    const hs_evidence *evidence;   /* NULL: evidence off or not reached */
    const hs_probe *probe_loaded;  /* during the load */
    const hs_probe *probe_idle;    /* just before it */
    const char *healthz;           /* the body of its first health answer */
    const char *problem;           /* what went wrong, or NULL */
    const hs_blocks *blocks;       /* its block detector's totals, or NULL */
    const hs_rss *rss;             /* its processes' memory after warm-up, or NULL */
    int serving_pids;              /* distinct pids that answered the health
                                    * path over fresh connections; 0: none
                                    * answered, -1: an answer had no pid */
    const char *blocks_note;       /* why blocks is NULL */
    const hs_capacity *capacity;   /* open loop: measured before the load, or NULL */
} hs_facts_variant;

typedef struct {
    const hs_lab *lab;
    int complete;
    const char *incomplete_reason;
    const hs_cpus *cpus;
    double probe_rate;             /* 0: the probe was off */
    int evidence;                  /* 0: --no-evidence */
    const hs_facts_variant *variants;
    int n_variants;
    const hs_check_result *checks; /* one per lab->checks */
} hs_facts_input;

/* Builds the facts object; NULL when out of memory. */
struct cJSON *hs_facts_build(const hs_facts_input *in);

/* obj printed as dir/name, written atomically. 0 or a negative errno. */
int hs_json_write(const char *dir, const char *name, const struct cJSON *obj);
/* dir/name parsed (at most 256 MiB), or NULL when missing or not JSON. */
struct cJSON *hs_json_read(const char *dir, const char *name);

/* Writes facts as dir/facts.json atomically. Returns 0 or a negative errno. */
int hs_facts_write(const char *dir, const struct cJSON *facts);

/* Reads dir/facts.json. Returns the object, or NULL with *rc = -ENOENT
 * (no such file: a folder from before facts.json) or another negative
 * code with err saying why. */
struct cJSON *hs_facts_read(const char *dir, int *rc, char *err, size_t err_size);

/* A variant's figures as the checks need them, from facts: 0, or -1 if the
 * variant is missing or was not measured. ks (filled from facts' curves,
 * owned by the caller, at most cap pairs) serves the distinct-curves check. */
int hs_facts_variant_result(const struct cJSON *facts, const char *name, hs_variant_result *out);
/* A variant's p50, p95 and p99 in ms as facts hold them (NAN where not),
 * for the plot's marks. */
void hs_facts_percentiles_ms(const struct cJSON *facts, const char *name, double p_ms[3]);

size_t hs_facts_ks_pairs(const struct cJSON *facts, hs_ks_pair *pairs, size_t cap);

/* --- reading facts back (facts_read.c): a figure by its dotted path, and
 * which variants are fit to compare --- */

/* The item at a dotted path under obj ("server.cpu_cores_used"), or NULL. */
const struct cJSON *hs_fact_at(const struct cJSON *obj, const char *path);

/* The number there, or NAN when it is missing, null or not finite. */
double hs_fact(const struct cJSON *obj, const char *path);

/* The variants object, and whether a variant can be compared: measured,
 * with at least HS_FACTS_MIN_OK_PERCENT % HTTP 200 and HS_FACTS_MIN_REQUESTS
 * requests. */
const struct cJSON *hs_fact_variants(const struct cJSON *facts);
int hs_fact_comparable(const struct cJSON *v);

/* Whether two variants' servers reported the same settings (facts'
 * settings.{threads,workers,io_delay_ms}; unknown matches unknown):
 * figures are compared only within such a group, never across a
 * parameter the lab varied. */
int hs_fact_same_settings(const struct cJSON *a, const struct cJSON *b);

/* The settings a server may report (facts' settings.<name>), by index. */
#define HS_FACT_N_SETTINGS 3
extern const char *const hs_fact_setting_names[HS_FACT_N_SETTINGS];
double hs_fact_setting(const struct cJSON *v, int k); /* NAN: not reported */

/* The setting a and b differ in, when their servers report the same
 * handler name (settings.variant) and differ in exactly one known setting
 * (the others equal, or unknown in both); else -1. Variants are compared
 * across a setting only so, never by their commands or names. */
int hs_fact_one_setting_apart(const struct cJSON *a, const struct cJSON *b);

/* A variant's server.cpu_cores_used and server.cpu_ms_per_request, when
 * it is comparable and they were read over at least HS_FACTS_MIN_WINDOW_S;
 * else 0. */
int hs_fact_cpu(const struct cJSON *v, double *cores, double *ms);

/* Whether v is the first variant of its settings group. */
int hs_fact_group_first(const struct cJSON *facts, const struct cJSON *v);

#define HS_FACTS_MIN_OK_PERCENT 99.0
#define HS_FACTS_MIN_REQUESTS 50
/* Readings over a shorter window are in 10 ms ticks too coarse to compare. */
#define HS_FACTS_MIN_WINDOW_S 0.3

/* --- a sweep's manifest (sweep_manifest.c) --- */
/* The sweep as its manifest.json records it ("kind": "sweep"), without the
 * machine, versions and git facts the caller adds. NULL when out of memory. */
struct cJSON *hs_sweep_to_json(const hs_sweep *s);

/* Reads dir/manifest.json back. Returns 0; -ENOENT when dir has no
 * manifest; -EMEDIUMTYPE when it is not a sweep's (a single run's); or
 * -EINVAL with err saying what is wrong. */
int hs_sweep_read(const char *dir, hs_sweep *s, char *err, size_t err_size);

/* --- what a sweep compares (sweep_facts.c) --- */

/* Variant name's numbers at point i when they can be compared: every
 * request recorded, no problem, at least HS_FACTS_MIN_OK_PERCENT HTTP 200;
 * else NULL. */
const hs_summary *hs_sweep_comparable(const hs_sweep *s, int i, const char *name);

/* A variant from its first to its last comparable point. */
typedef struct {
    int first, last;            /* point indexes; -1: fewer than two comparable */
    double p50_x, p95_x, rps_x; /* last / first */
    int p95_trend, rps_trend;   /* +1 rose, -1 fell, at every step (two or more
                                 * steps); 0 neither */
} hs_sweep_change;

void hs_sweep_change_of(const hs_sweep *s, int vi, hs_sweep_change *out);

/* For a sweep over the rate: the last comparable point before the variant
 * first fell behind (served under HS_SWEEP_KEPT_UP of the offered rate)
 * into *kept, and that point into *behind; -1 for none. Returns 0, or -1
 * when the sweep is not over the rate. */
#define HS_SWEEP_KEPT_UP 0.95
int hs_sweep_knee(const hs_sweep *s, int vi, int *kept, int *behind);
/* The variant's predicted capacity (an open loop's, capacity.c): the
 * median over the comparable points that have one, into *n how many; 0
 * when none has. */
double hs_sweep_predicted(const hs_sweep *s, int vi, int *n);

/* The first and last points that ran in full (done, or done without the
 * plot) and have a facts.json, their variants joined
 * under "<name> at <param>=<value>" with the last one's load: the facts for
 * rules across the swept setting. NULL when fewer than two points have one.
 * The caller frees it with cJSON_Delete. */
struct cJSON *hs_sweep_ends_facts(const char *dir, const hs_sweep *s);

/* --- a repeated run (repeat_facts.c): `harness run --repeat N` --- */
#define HS_REPEAT_MAX 100          /* --repeat's limit */
#define HS_REPEAT_CONF 0.95
#define HS_REPEAT_RESAMPLES 2000
#define HS_REPEAT_SEED 15

/* The figures a repeated run gives as medians with intervals: a path in a
 * variant's facts, and which way is slower (+1: larger is slower, as a
 * latency; -1: smaller is, as requests/s; 0: neither). */
typedef struct {
    const char *path;
    int slower;
} hs_repeat_figure;
extern const hs_repeat_figure hs_repeat_figures[];
extern const int hs_n_repeat_figures;

typedef struct {
    const hs_lab *lab;
    int planned;                      /* --repeat N */
    int n_repeats;                    /* that ran, in order */
    const struct cJSON *const *facts; /* each repeat's facts.json; NULL: left out */
    const char *const *folders;       /* "repeat-1", ... */
    const char *const *left_out_why;  /* why a repeat is left out (or NULL) */
    const hs_sample *pooled[HS_MAX_VARIANTS]; /* per lab variant: every repeat's
                                               * records, in order */
    size_t pooled_n[HS_MAX_VARIANTS];
    int complete;
    const char *incomplete_reason;
} hs_repeat_input;

/* The facts of the repeats together ("kind": "repeats"): per variant each
 * figure's median, 95% interval and per-repeat values (variants.<v>.
 * repeated.<path>), the pooled percentiles, the checks' verdicts from
 * their figures' intervals, and the warnings. NULL when out of memory. */
struct cJSON *hs_repeat_facts_build(const hs_repeat_input *in);

/* The median of values[0..n) that are finite, with its interval by
 * bootstrapping them (seeded: the same values, the same interval). 0, or
 * -1 when none is finite (out is NAN). */
int hs_repeat_interval(const double *values, size_t n, hs_interval *out);

/* Check c judged across n repeats' facts from its deciding figure. */
typedef struct {
    int n;                          /* repeats */
    int ran;                        /* that judged it */
    int passed;                     /* that passed it */
    int unknown;                    /* that had no figure (a FAIL each) */
    double values[HS_REPEAT_MAX];   /* NAN where not known */
    double threshold;
    int at_least;
    hs_interval iv;
    hs_verdict verdict;
} hs_repeat_verdict;
int hs_repeat_check(const struct cJSON *const *facts, int n, int c, hs_repeat_verdict *out);

const char *hs_verdict_name(hs_verdict v); /* "PASS", "FAIL", "UNSTABLE" */

/* A repeat's facts.json (dir/folder/facts.json) when it can be used: read,
 * and its run complete. Else NULL with why saying so: a repeat cut short
 * is left out of the medians, the verdicts and the pooled records. */
struct cJSON *hs_repeat_facts_read(const char *dir, const char *folder, char *why, size_t size);

/* Whether facts is a repeated run's. */
int hs_facts_is_repeats(const struct cJSON *facts);

#endif
