/* lab.h - a lab definition: what to start, how to load it, what to check.
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
#ifndef HARNESS_LAB_H
#define HARNESS_LAB_H

#include "acceptance.h"

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
} hs_load_params;

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

/* How many of lab's variants have placeholder (e.g. "{threads}") nowhere in
 * their command; their names, comma-separated, go to names (if not NULL).
 * A parameter reaches a server only through its placeholder, so a variant
 * without it would be measured unchanged. */
int hs_lab_lacking(const hs_lab *lab, const char *placeholder, char *names,
                   size_t names_size);

#endif
