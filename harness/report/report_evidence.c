/* report_evidence.c - summary.md's evidence tables, rendered from facts.json's
 * object and computing nothing: the server's CPU and the machine's, the
 * bystander probe, the request phases and the kernel's TCP counters. Each
 * table is data: its columns name the facts they show. A figure that
 * facts.json holds as null is shown as "n/a", and the reason it gives is
 * listed under the table. These are tables only; the sentences that
 * explain them are rules over the same facts (rules.h). */
#include "report/report.h"

#include <cJSON.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#define MAX_REASONS 12
#define MAX_PARTS 3

/* A column: up to MAX_PARTS figures (dotted paths under a variant), shown
 * joined by sep in one cell. */
typedef struct {
    const char *title;
    const char *path[MAX_PARTS];
    const char *fmt;
    const char *sep;
} column;

typedef struct {
    const char *heading;
    const column *cols;
    int n_cols;
    const char *caption; /* words.md's key for what the figures are; no
                          * explanation of the outcome */
} table;

/* The reasons behind a table's n/a cells, each once, with where it applies. */
typedef struct {
    char reason[MAX_REASONS][256];
    char where[MAX_REASONS][512];
    int n;
} unknowns;

static void note_unknown(unknowns *u, const char *variant, const char *key, const char *why) {
    int i = 0;
    while (i < u->n && strcmp(u->reason[i], why)) i++;
    if (i == u->n) {
        if (u->n == MAX_REASONS) return;
        snprintf(u->reason[i], sizeof u->reason[i], "%s", why);
        u->where[i][0] = '\0';
        u->n++;
    }
    size_t len = strlen(u->where[i]);
    if (len + strlen(variant) + strlen(key) + 8 < sizeof u->where[i])
        snprintf(u->where[i] + len, sizeof u->where[i] - len, "%s%s %s", len ? ", " : "",
                 variant, key);
}

/* " value", or " n/a" with its reason (the sibling "<key>_unknown") noted. */
static void value(hs_strbuf *b, const cJSON *v, const char *path, const char *fmt,
                  unknowns *u) {
    double x = hs_fact(v, path);
    if (!isnan(x)) {
        hs_strbuf_printf(b, " ");
        hs_strbuf_printf(b, fmt, x);
        return;
    }
    char k[128];
    snprintf(k, sizeof k, "%s_unknown", path);
    const cJSON *why = hs_fact_at(v, k);
    note_unknown(u, v->string, path, cJSON_IsString(why) ? why->valuestring : "not recorded");
    hs_strbuf_printf(b, " n/a");
}

static void render(hs_strbuf *b, const table *t, const cJSON *facts) {
    const cJSON *vars = hs_fact_variants(facts);
    unknowns u = {0};
    hs_strbuf_printf(b, "## %s\n\n| variant |", t->heading);
    for (int c = 0; c < t->n_cols; c++) hs_strbuf_printf(b, " %s |", t->cols[c].title);
    hs_strbuf_printf(b, "\n| --- |");
    for (int c = 0; c < t->n_cols; c++) hs_strbuf_printf(b, " ---: |");
    hs_strbuf_printf(b, "\n");
    const cJSON *v;
    cJSON_ArrayForEach(v, vars) {
        if (!cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(v, "measured"))) continue;
        hs_strbuf_printf(b, "| %s |", v->string);
        for (int c = 0; c < t->n_cols; c++) {
            const column *col = &t->cols[c];
            for (int p = 0; p < MAX_PARTS && col->path[p]; p++) {
                if (p) hs_strbuf_printf(b, "%s", col->sep);
                value(b, v, col->path[p], col->fmt, &u);
            }
            hs_strbuf_printf(b, " |");
        }
        hs_strbuf_printf(b, "\n");
    }
    hs_strbuf_printf(b, "\n");
    hs_say_ctx c = {.facts = facts};
    hs_say(b, t->caption, &c);
    hs_strbuf_printf(b, "\n");
    for (int i = 0; i < u.n; i++) hs_strbuf_printf(b, "- n/a: %s (%s)\n", u.reason[i], u.where[i]);
    if (u.n) hs_strbuf_printf(b, "\n");
}

static const column cpu_cols[] = {
    {"server cores used", {"server.cpu_cores_used"}, "%.2f", ""},
    {"server CPU ms/request", {"server.cpu_ms_per_request"}, "%.2f", ""},
    {"user / sys s", {"server.cpu_user_s", "server.cpu_sys_s"}, "%.2f", " /"},
    {"context switches (voluntary, involuntary)",
     {"server.ctx_switches_voluntary", "server.ctx_switches_involuntary"}, "%.0f", ","},
    {"threads (most)", {"server.threads_max"}, "%.0f", ""},
    {"resident MiB (most)", {"server.rss_mib"}, "%.1f", ""},
    {"load generator cores", {"loadgen.cpu_cores_used"}, "%.2f", ""},
    {"harness cores", {"machine.harness_cores_used"}, "%.2f", ""},
    {"other processes' cores", {"machine.other_cores_used"}, "%.2f", ""},
    {"steal cores", {"machine.steal_cores"}, "%.2f", ""},
};
static const table cpu_table = {
    "Where the CPU went", cpu_cols, sizeof cpu_cols / sizeof cpu_cols[0],
    "evidence.cpu"};

static const column probe_cols[] = {
    {"idle p50 (ms)", {"probe.unloaded_p50_ms"}, "%.2f", ""},
    {"probes under load", {"probe.requests"}, "%.0f", ""},
    {"failed", {"probe.failed"}, "%.0f", ""},
    {"cut short", {"probe.cut_short"}, "%.0f", ""},
    {"ticks missed", {"probe.missed_ticks"}, "%.0f", ""},
    {"p50 (ms)", {"probe.p50_ms"}, "%.2f", ""},
    {"p95 (ms)", {"probe.p95_ms"}, "%.2f", ""},
    {"p99 (ms)", {"probe.p99_ms"}, "%.2f", ""},
    {"max (ms)", {"probe.max_ms"}, "%.2f", ""},
};
static const table probe_table = {
    "The bystander probe", probe_cols, sizeof probe_cols / sizeof probe_cols[0],
    "evidence.probe"};

static const column phase_cols[] = {
    {"connect p50 / p95 / p99 (ms)",
     {"phases_ms.connect.p50", "phases_ms.connect.p95", "phases_ms.connect.p99"}, "%.2f", " /"},
    {"connections made", {"phases_ms.connect.requests"}, "%.0f", ""},
    {"first byte p50 / p95 / p99 (ms)",
     {"phases_ms.ttfb.p50", "phases_ms.ttfb.p95", "phases_ms.ttfb.p99"}, "%.2f", " /"},
    {"connections opened (libcurl)", {"loadgen.connections_opened"}, "%.0f", ""},
};
static const table phase_table = {
    "Request phases", phase_cols, sizeof phase_cols / sizeof phase_cols[0],
    "evidence.phases"};

static const column kernel_cols[] = {
    {"listen overflows", {"kernel.listen_overflows"}, "%.0f", ""},
    {"listen drops", {"kernel.listen_drops"}, "%.0f", ""},
    {"SYN retransmits", {"kernel.syn_retransmits"}, "%.0f", ""},
    {"segments retransmitted", {"kernel.retransmitted_segments"}, "%.0f", ""},
    {"resets sent", {"kernel.resets_sent"}, "%.0f", ""},
    {"TCP active opens", {"kernel.active_opens"}, "%.0f", ""},
    {"TCP passive opens", {"kernel.passive_opens"}, "%.0f", ""},
};
static const table kernel_table = {
    "Kernel TCP counters", kernel_cols, sizeof kernel_cols / sizeof kernel_cols[0],
    "evidence.kernel"};

void hs_report_evidence(hs_strbuf *b, const hs_report *r) {
    const cJSON *f = r->facts, *v;
    hs_say_ctx c = {.facts = f};
    if (!f) return;
    if (!cJSON_IsTrue(hs_fact_at(f, "evidence.collected"))) {
        hs_say(b, "evidence.off", &c), hs_strbuf_printf(b, "\n");
        return;
    }
    int any = 0;
    cJSON_ArrayForEach(v, hs_fact_variants(f))
        any |= cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(v, "measured"));
    if (!any) return;
    render(b, &cpu_table, f);
    if (hs_fact(f, "evidence.probe_rate_per_s") > 0) render(b, &probe_table, f);
    else hs_say(b, "evidence.probe_off", &c), hs_strbuf_printf(b, "\n");
    render(b, &phase_table, f);
    render(b, &kernel_table, f);
}
