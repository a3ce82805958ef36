/* report/report.h - words from facts: the rules whose findings explain a run, summary.md
 * (tables of facts, the checks, the findings, the lab's background), and a
 * sweep's summary.md. Reads facts only.
 *
 * The one header of harness/report/; the sections below were each a header
 * of their own. */
#ifndef HARNESS_REPORT_H
#define HARNESS_REPORT_H

#include "lab/lab.h"
#include "facts/facts.h"
#include "common/strbuf.h"

/* --- rules --- the sentences of summary.md's "What happened, and why".
 *
 * Each sentence comes from a rule: a small function that reads only
 * facts.json's object, names in a comment the facts it needs and when it
 * fires, and appends a markdown bullet or says nothing: when its facts are
 * missing, null, too few to trust, or on the other side of its threshold.
 * No rule knows what the server is; what it says follows from what the run
 * measured. Rules live one family to a file (rules_*.c). */
struct cJSON;

/* A rule appends its findings to out and returns how many it wrote. */
typedef int (*hs_rule_fn)(const struct cJSON *facts, hs_strbuf *out);

typedef struct {
    const char *name;  /* as tests and the README call it */
    hs_rule_fn fn;
} hs_rule;

/* Every rule, in the order the summary gives their findings. */
extern const hs_rule hs_rules[];
extern const int hs_n_rules;

/* Runs every rule over facts; returns how many findings were written.
 * Each finding's line ends with an HTML comment naming its rule
 * ("<!-- rule: blocked_loop -->"), invisible in the rendered markdown, so
 * that a reader or a test can tell which rule said it. */
int hs_rules_run(const struct cJSON *facts, hs_strbuf *out);

/* The same for the one rule named only (NULL: every rule). */
int hs_rules_run_only(const struct cJSON *facts, const char *only, hs_strbuf *out);

/* The families (rules_*.c). */
int hs_rule_serialized_work(const struct cJSON *facts, hs_strbuf *out);
int hs_rule_cpu_bound(const struct cJSON *facts, hs_strbuf *out);
int hs_rule_setting_change(const struct cJSON *facts, hs_strbuf *out);
int hs_rule_wait_held(const struct cJSON *facts, hs_strbuf *out);
int hs_rule_uneven_spread(const struct cJSON *facts, hs_strbuf *out);
int hs_rule_blocked_loop(const struct cJSON *facts, hs_strbuf *out);
int hs_rule_probe_cpu_wait(const struct cJSON *facts, hs_strbuf *out);
int hs_rule_loop_blocks(const struct cJSON *facts, hs_strbuf *out);
int hs_rule_accept_queue(const struct cJSON *facts, hs_strbuf *out);
int hs_rule_littles_law(const struct cJSON *facts, hs_strbuf *out);
int hs_rule_capacity_prediction(const struct cJSON *facts, hs_strbuf *out);
int hs_rule_open_loop_sends(const struct cJSON *facts, hs_strbuf *out);
int hs_rule_loadgen_busy(const struct cJSON *facts, hs_strbuf *out);
int hs_rule_busy_machine(const struct cJSON *facts, hs_strbuf *out);
int hs_rule_short_load(const struct cJSON *facts, hs_strbuf *out);

/* Shared by the rules and the tables (rules.c); the facts they read
 * come through facts/facts.h (facts_read.c). */

/* --- words (words.c): every sentence is a template in report/words.md,
 * under "## key", its lines joined by spaces, a blank line a paragraph
 * break. A rule fills a hs_say_ctx and says a key. Placeholders: {name},
 * a value the rule computed (hs_say_str/num/num2); {v} and {w}, the names
 * of the variants it speaks of, and {v.path}, {w.path}, their figures;
 * {path}, a figure of facts.json's root. A number prints as
 * hs_fact_format, or with ":2" ({v.server.cpu_cores_used:2}) as
 * hs_fact_format2; a missing or null one as "unknown". "{{" is "{". */
#define HS_SAY_MAX 24
/* Why the figures a table shows as missing are missing, each reason once. */
typedef struct {
    char reason[HS_SAY_MAX][256];
    char where[HS_SAY_MAX][512];
    int n;
} hs_say_unknowns;

typedef struct {
    const struct cJSON *facts;
    const struct cJSON *v, *w;
    const char *missing;         /* for a missing figure; NULL: "unknown" */
    hs_say_unknowns *unknowns;   /* where to note why, or NULL */
    int overflow;                /* a value did not fit: said in the output */
    char said[256];              /* the parts' keys said into it (hs_say_sub) */
    int n;
    const char *name[HS_SAY_MAX];
    char value[HS_SAY_MAX][2048];
} hs_say_ctx;

void hs_say_str(hs_say_ctx *c, const char *name, const char *value);
void hs_say_num(hs_say_ctx *c, const char *name, double v);
void hs_say_num2(hs_say_ctx *c, const char *name, double v);
/* {name} becomes key's words rendered with from (NULL: with c itself),
 * for a part that a sentence has only sometimes; nothing when name has a
 * value already (the first counts). The key is noted in c->said. */
void hs_say_sub(hs_say_ctx *c, const char *name, const char *key, const hs_say_ctx *from);
/* {name} becomes key.one's words when n is 1, else key.many's with {n}. */
void hs_say_count(hs_say_ctx *c, const char *name, double n, const char *key);
/* Notes key among the parts said, for words rendered some other way. */
void hs_say_noted(hs_say_ctx *c, const char *key);

/* Appends key's sentence and a newline; a bullet ("- ...") ends with
 * "<!-- says: key, part, ... -->", the keys of its parts after its own. Returns 1 (one finding), or 0 with "[words.md has
 * no ...]" written when the key is missing. */
int hs_say(hs_strbuf *out, const char *key, const hs_say_ctx *c);
/* The same without the newline, for a part of a sentence; 0 or -1. */
int hs_say_part(hs_strbuf *out, const char *key, const hs_say_ctx *c);
/* A table of facts: key.head and key.rule, then key.row once per measured
 * variant ({v}) that has the facts at needs (NULL: any), key.unmeasured
 * for the others when words.md has it, then key.caption and, for figures
 * shown as "n/a", their reasons from facts. base (or NULL) gives values
 * the rows and caption use. Returns the rows written. */
int hs_say_table(hs_strbuf *out, const char *key, const struct cJSON *facts, const char *needs,
                 const hs_say_ctx *base);
/* A section heading ("## " and key's words, then a blank line), and one
 * line of key's words (a table's head or rule) with no tag; c may be NULL. */
void hs_say_heading(hs_strbuf *out, const char *key, const hs_say_ctx *c);
void hs_say_line(hs_strbuf *out, const char *key, const hs_say_ctx *c);
/* 1 when words.md has key. */
int hs_words_have(const char *key);

/* Renders a lab's background: {path} from facts, as above, its own
 * newlines kept. Appends to out. */
void hs_render_template(const char *text, const struct cJSON *facts, hs_strbuf *out);

/* A figure as the summary prints it: three significant digits, at most
 * two decimals ("0.31", "2.38", "139", "4101"); "unknown" for NAN. */
void hs_fact_format(double v, char *buf, size_t size);

/* A ratio or a count of cores: always two decimals ("1.00", "0.07"). */
void hs_fact_format2(double v, char *buf, size_t size);


/* --- report --- summary.md: facts.json's figures in tables, the acceptance
 * checks, and the rules' findings (rules.h); nothing computed here. */
struct cJSON;

typedef struct {
    const hs_lab *lab;         /* title, request, background */
    const struct cJSON *facts; /* facts.json's object: every figure shown */
} hs_report;

/* Writes dir/summary.md atomically. Returns 0 or a negative errno. */
int hs_report_write(const char *dir, const hs_report *r);
/* Writes b as dir/summary.md atomically and frees it; -ENOMEM when b ran
 * out of memory. Returns 0 or a negative errno. */
int hs_summary_save(const char *dir, hs_strbuf *b);
/* Appends the event-loop blocks section (report_blocks.c); nothing when
 * no variant has block reports. */
void hs_report_blocks(hs_strbuf *b, const hs_report *r);
/* Appends the evidence tables (report_evidence.c) from r->facts: the
 * server's CPU, the probe, the request phases and the kernel's counters. */
void hs_report_evidence(hs_strbuf *b, const hs_report *r);

/* --- a sweep's summary (sweep_report.c) --- */
/* Writes dir/summary.md: a note naming the points that failed or did not
 * run, per variant a table across the points, a table of what changed
 * from the first point to the last, and the setting_change rule over
 * those two points' facts.json (dir/<point>/facts.json). Only numbers with
 * every request recorded, no problem and at least HS_FACTS_MIN_OK_PERCENT
 * HTTP 200 (rules.h) are compared.
 * Returns 0 or a negative errno. */
int hs_sweep_report_write(const char *dir, const hs_sweep *s);

/* --- a repeated run's summary (repeat_report.c) --- */
/* Writes dir/summary.md from a repeated run's facts (repeat_facts.c):
 * the figures' medians and intervals, the checks' verdicts, the warnings,
 * and each repeat's findings (from dir/<repeat>/facts.json) with the
 * repeats that made them. Returns 0 or a negative errno. */
int hs_repeat_report_write(const char *dir, const hs_lab *lab, const struct cJSON *facts);

#endif
