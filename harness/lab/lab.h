/* lab/lab.h - what a lab is: its file (variants, load parameters, checks,
 * background), how a check is judged on summaries of recorded latencies, and what a sweep and
 * its points are.
 *
 * The one header of harness/lab/; the sections below were each a header
 * of their own. */
#ifndef HARNESS_LAB_H
#define HARNESS_LAB_H

#include <stddef.h>
#include <stdint.h>

/* --- stats --- percentiles and per-variant summaries of recorded latencies. */
/* One request as the lab records it: [latency_seconds, status_code].
 * Status 0 means no HTTP response (connect error, timeout, reset). */
typedef struct {
    double latency_s;
    int status;
} hs_sample;

/* Percentile q in [0, 100] of sorted[0..n) by linear interpolation between
 * closest ranks: rank q/100 * (n-1), NumPy's default ("linear") method.
 * Returns 0, or -1 if n is 0 or q is out of range. */
int hs_percentile(const double *sorted, size_t n, double q, double *out);

typedef struct {
    size_t requests;   /* recorded requests (warm-up excluded) */
    size_t ok;         /* of them, HTTP 200 */
    double ok_percent; /* 100 * ok / requests */
    double p50_s, p95_s, p99_s, max_s; /* over all recorded requests */
    double wall_s;     /* first request sent to last one done */
    double rps;        /* requests / wall_s */
} hs_summary;

/* Summarises n samples measured over wall_s seconds. Percentiles cover
 * every recorded request, failures included, as the lab's CDF does.
 * Returns 0, -1 if n is 0, -ENOMEM. */
int hs_summarize(const hs_sample *s, size_t n, double wall_s, hs_summary *out);

/* v[0..n) sorted ascending into a new array (NULL when n is 0 or out of
 * memory); and the same in place. */
double *hs_sorted_copy(const double *v, size_t n);
void hs_sort_doubles(double *v, size_t n);

/* Sorts the latencies of samples into a new array (NULL when n is 0). */
double *hs_sorted_latencies(const hs_sample *s, size_t n);

/* --- interval (interval.c) --- a bootstrap confidence interval, and the
 * verdict a threshold gets from one. */
typedef struct {
    double value;   /* the statistic of the values measured */
    double lo, hi;  /* its interval */
    size_t n;       /* how many values */
} hs_interval;

typedef enum { HS_FAIL = 0, HS_PASS = 1, HS_UNSTABLE = 2 } hs_verdict;

/* splitmix64: small, fast, the same on every machine; advances *state. */
uint64_t hs_splitmix64(uint64_t *state);

/* The q-th percentile (0-100) of x[0..n) and its `conf` (e.g. 0.95)
 * percentile-bootstrap interval from `resamples` (>= 10) draws, seeded by
 * seed (the same seed, the same interval). 0, or -EINVAL / -ENOMEM. */
int hs_bootstrap(const double *x, size_t n, double q, int resamples, uint64_t seed,
                 double conf, hs_interval *out);

/* The same for the ratio of two samples' q-th percentiles, b's over a's
 * (b/a: 1.10 is b 10% above a), each side drawn from its own values. The
 * interval is NAN when some draw's a is 0. 0, or -EINVAL / -ENOMEM. */
int hs_bootstrap_ratio(const double *a, size_t na, const double *b, size_t nb, double q,
                       int resamples, uint64_t seed, double conf, hs_interval *out);

/* Iglewicz and Hoaglin's modified z-score of xi among x[0..n): 0.6745 (xi -
 * median) / MAD, MAD the median absolute deviation. NAN when MAD is 0
 * (half the values equal: no spread to judge by) or out of memory.
 * An outlier is beyond HS_OUTLIER_Z, hyperfine's threshold on the same
 * scale, among at least HS_OUTLIER_MIN values. Their 3.5 is for large
 * samples: drawn from one normal distribution, 5 values had one beyond
 * 3.5 in 21% of 20,000 trials, beyond 14.826 in 1.5%; 3 values in 7%
 * even so, hence the minimum. */
#define HS_OUTLIER_Z 14.826
#define HS_OUTLIER_MIN 5
double hs_modified_z(const double *x, size_t n, double xi);

/* PASS when the whole interval is on the passing side of threshold (at or
 * above it when at_least, else at or below), FAIL when the whole interval
 * is on the failing side, UNSTABLE when it straddles the threshold (or is
 * not a number). */
hs_verdict hs_interval_verdict(const hs_interval *iv, double threshold, int at_least);

/* --- acceptance --- a lab's acceptance checks, evaluated on measured numbers.
 *
 * A lab file lists its checks as data; these are the kinds there are. */
#define HS_NAME_MAX 32
#define HS_CHECK_MAX_OTHERS 8

typedef enum {
    /* every variant in `subjects` has at least `threshold` % HTTP 200 */
    HS_CHECK_MIN_OK_PERCENT,
    /* p95 of subjects[0] is at least `threshold` times the p95 of each
     * of the other subjects */
    HS_CHECK_P95_RATIO_AT_LEAST,
    /* the p95s of the subjects differ by at most `threshold` (a fraction)
     * of the smaller one: |a - b| <= threshold * min(a, b) */
    HS_CHECK_P95_WITHIN,
    /* every subject has a curve to draw, and every pair of curves is
     * apart somewhere by at least `threshold` in cumulative fraction (the
     * Kolmogorov-Smirnov distance), so no curve hides another */
    HS_CHECK_DISTINCT_CURVES,
    /* four subjects, A before and after a change, B before and after:
     * A's p95 grew by a factor at least `threshold` times B's */
    HS_CHECK_P95_GROWS_MORE,
    /* the same four: A kept at most 1/`threshold` of the share of its
     * requests/s that B kept (A's after/before <= B's / threshold) */
    HS_CHECK_RPS_FALLS_MORE,
    /* an open loop dropped at most `threshold` % of each subject's
     * arrivals (beyond max_in_flight); a closed loop drops none */
    HS_CHECK_MAX_DROPPED_PERCENT,
    /* an open loop sent at most `threshold` % of each subject's requests
     * over 1 ms after their intended time (the generator fell behind its
     * schedule, and the delay is in their latency); a closed loop has no
     * schedule to fall behind */
    HS_CHECK_MAX_LATE_PERCENT,
    /* requests/s of subjects[0] is at least `threshold` times each other
     * subject's (1.5: half as much again; 0.75: at most a quarter less) */
    HS_CHECK_RPS_RATIO_AT_LEAST,
} hs_check_kind;

typedef struct {
    hs_check_kind kind;
    char title[128];                             /* as the lab states it */
    char subjects[HS_CHECK_MAX_OTHERS][HS_NAME_MAX];
    int n_subjects;
    double threshold;
} hs_check;

/* Kolmogorov-Smirnov distances between variants' latency curves, as a
 * facts.json keeps them, for checks judged without the latencies. */
typedef struct {
    char a[HS_NAME_MAX], b[HS_NAME_MAX];
    double d;
} hs_ks_pair;

typedef struct {
    const hs_ks_pair *pairs;
    size_t n;
} hs_ks_table;

/* What one variant measured, as the checks need it. */
typedef struct {
    const char *name;
    hs_summary summary;
    const double *sorted_latency_s; /* ascending, summary.requests of them;
                                     * NULL: distances come from ks */
    const hs_ks_table *ks;          /* used when sorted_latency_s is NULL */
    double dropped_percent;         /* of an open loop's arrivals; 0 for a
                                     * closed loop; NAN: not known */
    double late_percent;            /* of an open loop's sent requests, over
                                     * 1 ms late; 0 for a closed loop; NAN:
                                     * not known */
} hs_variant_result;

typedef struct {
    int pass;          /* 1 PASS, 0 FAIL */
    char detail[512];  /* the measured values behind the verdict */
    double value;      /* the one figure that decides, set against the
                        * check's threshold: the worst of its subjects'
                        * (a ratio, a share, a percentage); NAN when not
                        * known. pass is value >= threshold when at_least,
                        * else value <= threshold, whenever value is known. */
    int at_least;
} hs_check_result;

/* Evaluates one check. Returns 0, or -1 if the check names a variant that
 * is not among results (detail says which). */
int hs_check_eval(const hs_check *c, const hs_variant_result *results,
                  size_t n_results, hs_check_result *out);

/* A check as the lab states it, as facts.json gives it: title, kind,
 * variants and threshold; the caller adds the verdict. */
struct cJSON;
struct cJSON *hs_check_json(const hs_check *ck);

/* Kolmogorov-Smirnov distance between two sorted samples: the largest gap
 * between their empirical CDFs, in [0, 1]. */
double hs_ks_distance(const double *a, size_t na, const double *b, size_t nb);

/* --- lab --- a lab definition: what to start, how to load it, what to check.
 *
 * Labs are data (harness/labs/NAME.json), so a new lab or variant is a new
 * file. Strings may hold placeholders, filled in when the lab runs:
 *   {bin}     the folder of the harness binary (where miniserve is built)
 *   {source}  the project's source folder
 *   {weights} the default model weights file (the one miniserve loads)
 *   {workers} the --workers value (load "workers")
 *   {threads} pool threads per server worker (load "threads", default 40,
 *             miniserve's own default)
 *   {io_delay_ms} the extra I/O wait per request in ms (load "io_delay_ms",
 *             default 0)
 *   {detect_blocking_ms} the servers' event-loop block threshold in ms
 *             (load "detect_blocking_ms", default 10): after the load, the
 *             harness saves each variant's GET /debug/blocks
 *   {port}    a free port the harness picks; a variant whose command has
 *             {port} is waited for on that port instead of being asked to
 *             print "listening on http://HOST:PORT" first
 */
#define HS_MAX_VARIANTS 16
#define HS_MAX_ARGS 48
#define HS_MAX_CHECKS 16
#define HS_BACKGROUND_MAX 8192

typedef struct {
    char name[HS_NAME_MAX];
    char label[128];
    char *argv[HS_MAX_ARGS]; /* templates, NULL-terminated, owned */
    int argc;
} hs_variant_def;

typedef struct {
    long concurrency; /* requests in flight at most */
    long total;       /* recorded requests per variant */
    long warmup;      /* requests sent first and not recorded */
    double timeout_s; /* per request */
    long workers;     /* server processes */
    long seed;        /* 0: payloads in file order; else shuffled with it */
    long threads;     /* {threads}: pool threads per worker (optional) */
    long io_delay_ms; /* {io_delay_ms}: extra I/O wait per request (optional) */
    long detect_blocking_ms; /* {detect_blocking_ms}: block threshold (optional) */
    double probe_rate; /* bystander probes per second during the load, 0: off
                        * (optional, default HS_DEFAULT_PROBE_RATE) */
    int no_evidence;   /* 1: no CPU, kernel, phase or probe readings, to
                        * measure what taking them costs (--no-evidence) */
    /* Open loop, when rate > 0 (lab keys "rate", "duration_s", "arrivals",
     * "max_in_flight"; or --rate, ...): `total` arrivals at rate per second
     * (rate x duration_s of them when a duration is given), each timed from
     * its intended send time; concurrency then sizes only the warm-up. */
    double rate;
    double duration_s;   /* 0: total gives the arrivals */
    long poisson;        /* 1: Poisson arrivals, else uniform */
    long max_in_flight;  /* beyond it an arrival is dropped (default 1000) */
    double rate_per_service; /* > 0: the rate is this / S, S one request's
                              * service time measured before the load
                              * (serial requests on the first variant) */
    double service_s;    /* that S, once measured; 0: not measured */
    long loadgen_threads; /* the load generator's event loops, a thread each
                           * (lab key "loadgen_threads", --loadgen-threads;
                           * 1 unless given); 0 (an older manifest): one */
} hs_load_params;

#define HS_DEFAULT_MAX_IN_FLIGHT 1000
#define HS_LOAD_MAX_THREADS 64 /* the load generator's event loops at most */

#define HS_DEFAULT_PROBE_RATE 20.0

#define HS_DEFAULT_THREADS 40 /* miniserve's, and anyio's, default pool */
#define HS_MAX_WORKERS 64     /* miniserve --workers' limit, so {workers}' too */
#define HS_DEFAULT_BLOCK_MS 10 /* miniserve --detect-blocking's default */

typedef struct {
    char name[64];
    char title[160];
    char folder[96];    /* experiments/<date>-<folder>/ */
    char method[8];     /* GET or POST */
    char path[256];     /* request path */
    char health[256];   /* health path, GET, waited for before the load */
    char payloads[1024];/* prompts file (template) */
    hs_load_params load;
    hs_variant_def variants[HS_MAX_VARIANTS];
    int n_variants;
    hs_check checks[HS_MAX_CHECKS];
    int n_checks;
    /* The lab's background for summary.md: markdown, with {path}
     * placeholders for facts.json figures ("{machine.cpus_available}"),
     * from the lab file's "background" (a string, or an array of lines). */
    char background[HS_BACKGROUND_MAX];
} hs_lab;

/* The load parameters as JSON: the one writer and the one reader, for the
 * manifests, the lab as run and facts.json. write sets each key in obj
 * (adding or replacing it): concurrency, total, warmup, timeout_s,
 * workers, seed, threads, io_delay_ms, detect_blocking_ms, probe_rate and
 * evidence (a bool). read takes them back; a missing number reads as 0,
 * a missing evidence as on. */
struct cJSON;
void hs_load_params_write(const hs_load_params *L, struct cJSON *obj);
hs_load_params hs_load_params_read(const struct cJSON *obj);

/* A number read back from a file (a manifest, facts) as a whole number:
 * truncated toward zero, and 0, as a missing number reads, when it is not
 * finite or beyond +-1e15, where a cast to long would be undefined and no
 * count or setting of ours reaches. */
long hs_whole(double v);

/* Loads and validates a lab file. On failure returns a negative code and
 * err says which file and what is wrong. Free with hs_lab_free. */
int hs_lab_load(const char *path, hs_lab *lab, char *err, size_t err_size);

/* A check kind's name in lab files ("p95_within"). */
const char *hs_check_kind_name(hs_check_kind k);

/* The same from a parsed lab object (a manifest embeds one); origin names
 * it in messages. */
struct cJSON;
int hs_lab_from_json(const struct cJSON *root, const char *origin, hs_lab *lab,
                     char *err, size_t err_size);
void hs_lab_free(hs_lab *lab);

/* Keeps only the variants named in csv ("a,b"), in csv's order. Returns 0,
 * or -1 with err naming the unknown variant and the known ones. */
int hs_lab_select_variants(hs_lab *lab, const char *csv, char *err,
                           size_t err_size);

typedef struct {
    const char *bin, *source, *weights;
    long workers;
    int port; /* 0 when the lab does not use {port} */
    long threads, io_delay_ms;
    long detect_blocking_ms;
} hs_placeholders;

/* Copies tmpl to out with placeholders filled in. Returns 0, or -1 if out
 * is too small or a placeholder is unknown. */
int hs_expand(const char *tmpl, const hs_placeholders *p, char *out,
              size_t out_size);

/* 1 if any of the variant's arguments has {port}. */
int hs_variant_uses_port(const hs_variant_def *v);

/* The server settings that reached lab's servers, as a phrase to append
 * (", 1 server worker process, 40 pool threads each, 0 ms extra I/O wait
 * per request"; brief, for plot titles: ", 1 worker, 40 pool threads, +50
 * ms I/O wait", the wait only when there is one). A setting reaches the
 * servers only through its placeholder, so a lab whose commands lack it
 * ran them with their own, and the phrase leaves it out. Always
 * NUL-terminated, cut to size. */
void hs_lab_settings_phrase(const hs_lab *lab, int brief, char *out, size_t size);

/* The same phrase for the settings in takes (bits 1 << hs_sweep_param:
 * workers, threads, io_delay_ms) at L's values: the one builder of it,
 * which a sweep's summary calls for the settings it did not sweep. */
void hs_settings_phrase(const hs_load_params *L, unsigned takes, int brief, char *out,
                        size_t size);

/* How many of lab's variants have placeholder (e.g. "{threads}") nowhere in
 * their command; their names, comma-separated, go to names (if not NULL).
 * A parameter reaches a server only through its placeholder, so a variant
 * without it would be measured unchanged. */
int hs_lab_lacking(const hs_lab *lab, const char *placeholder, char *names,
                   size_t names_size);

/* --- outcome --- what one run measured, variant by variant, in the form a
 * sweep collects from each of its points. */
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
    double predicted_rps; /* an open loop's predicted capacity; 0 or NAN: none */
} hs_variant_outcome;

typedef struct {
    hs_variant_outcome v[HS_MAX_VARIANTS];
    int n;
    int only_plot_missing; /* the run failed only because gnuplot is not
                            * installed: everything else was written */
} hs_run_outcome;

/* --- sweep --- a sweep: one lab run per value of one parameter, each in its
 * own folder, summed up in a top folder (manifest.json, sweep.dat/.gp/.png,
 * summary.md).
 *
 * The parameters there are, and how each reaches what is measured:
 *   workers      {workers} in the variants' commands (server processes)
 *   concurrency  the load generator's requests in flight
 *   io_delay_ms  {io_delay_ms} in the commands (miniserve --io-delay-ms)
 *   threads      {threads} in the commands (miniserve --threads)
 * A parameter that reaches the server through a placeholder can only be
 * swept when every variant's command has it; otherwise some variant would
 * be measured unchanged at every point.
 */
#define HS_SWEEP_MAX_POINTS 16

typedef enum {
    HS_SWEEP_WORKERS,
    HS_SWEEP_CONCURRENCY,
    HS_SWEEP_IO_DELAY_MS,
    HS_SWEEP_THREADS,
    HS_SWEEP_RATE, /* an open loop\'s arrivals per second (issue 14) */
} hs_sweep_param;
#define HS_SWEEP_N_PARAMS (HS_SWEEP_RATE + 1)

typedef struct {
    hs_sweep_param param;
    long values[HS_SWEEP_MAX_POINTS]; /* ascending, distinct */
    int n;
} hs_sweep_spec;

/* Parses "NAME=v1,v2,..." (NAME as above; io-delay-ms is also accepted).
 * Values are whole numbers in the parameter's range (as its flag takes
 * them), 1 to HS_SWEEP_MAX_POINTS of them, no repeats; they are sorted
 * ascending. Returns 0, or -EINVAL with err saying what is wrong. */
int hs_sweep_parse(const char *text, hs_sweep_spec *out, char *err, size_t err_size);

/* "workers", "concurrency", "io_delay_ms", "threads". */
const char *hs_sweep_param_name(hs_sweep_param p);
/* The `harness run` flag that sets the same thing, e.g. "--io-delay-ms". */
const char *hs_sweep_param_flag(hs_sweep_param p);
/* What the values are, for an axis: "server worker processes (--workers)". */
const char *hs_sweep_param_axis(hs_sweep_param p);
/* The placeholder that carries it to the server, or NULL (concurrency). */
const char *hs_sweep_param_placeholder(hs_sweep_param p);
/* Its field in the load parameters. */
/* Sets the parameter in the load parameters (a rate also sets the
 * arrivals, rate x duration_s, when the lab gives a duration). */
void hs_sweep_param_set(hs_load_params *load, hs_sweep_param p, long value);

/* 0 if every variant of lab takes the parameter; else -EINVAL with err
 * naming the variants whose commands lack its placeholder. */
int hs_sweep_check_lab(const hs_lab *lab, hs_sweep_param p, char *err, size_t err_size);

typedef enum {
    HS_POINT_NOT_RUN,      /* the sweep stopped before it */
    HS_POINT_DONE,         /* ran, every variant complete */
    HS_POINT_FAILED,       /* ran, but a server or a file failed */
    HS_POINT_INTERRUPTED,  /* Ctrl-C during it */
    HS_POINT_DONE_NO_PLOT, /* ran, every variant complete, but its
                            * latency_cdf.png was not drawn (no gnuplot) */
} hs_point_status;

typedef struct {
    long value;
    char folder[64];      /* "<name>-<value>", under the sweep's folder */
    hs_point_status status;
    int exit_code;        /* of its run; -1 when not run */
    hs_run_outcome out;
} hs_sweep_point;

typedef struct {
    hs_sweep_spec spec;
    char lab_name[64];
    char lab_title[160];
    char lab_file[1024];
    char title[256];          /* the plot's and the summary's */
    char method[8], path[256];
    hs_load_params load;      /* fixed parameters; the swept one is per point */
    unsigned takes;           /* bit (1 << param): some variant's command has
                               * its placeholder (concurrency: always) */
    int n_variants;
    char variants[HS_MAX_VARIANTS][HS_NAME_MAX];
    char labels[HS_MAX_VARIANTS][128];
    hs_sweep_point points[HS_SWEEP_MAX_POINTS]; /* spec.n of them */
    long cores;
    int repeats;              /* each point a run of this many repeats (1: a
                               * plain run), its numbers their medians */
    char created[40];
    int complete;             /* every point ran */
    char reason[256];         /* why not, when !complete */
} hs_sweep;

/* Point i's folder name, "<name>-<value>". */
void hs_sweep_point_folder(const hs_sweep_spec *s, int i, char *out, size_t size);

/* "done", "failed", "interrupted", "not run", "done_no_plot". */
const char *hs_point_status_name(hs_point_status st);


#endif
