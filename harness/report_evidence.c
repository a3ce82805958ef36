/* report_evidence.c - summary.md's evidence tables, rendered from facts.json's
 * object and computing nothing: the server's CPU and the machine's, the
 * bystander probe, the request phases and the kernel's TCP counters. A
 * figure that facts.json holds as null is shown as "n/a", and the reason
 * it gives is listed under the table. These are tables only; the
 * sentences that explain them are rules over the same facts. */
#include "report.h"

#include <cJSON.h>
#include <stdio.h>
#include <string.h>

#define MAX_REASONS 12

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

static void list_unknowns(hs_strbuf *b, const unknowns *u) {
    for (int i = 0; i < u->n; i++)
        hs_strbuf_printf(b, "- n/a: %s (%s)\n", u->reason[i], u->where[i]);
    if (u->n) hs_strbuf_printf(b, "\n");
}

/* " value": obj[key] printed with fmt, or n/a with its reason noted. */
static void value(hs_strbuf *b, const cJSON *obj, const char *key, const char *fmt,
                  const char *variant, unknowns *u) {
    const cJSON *x = cJSON_GetObjectItemCaseSensitive(obj, key);
    if (cJSON_IsNumber(x)) {
        hs_strbuf_printf(b, " ");
        hs_strbuf_printf(b, fmt, x->valuedouble);
        return;
    }
    char k[96];
    snprintf(k, sizeof k, "%s_unknown", key);
    const cJSON *why = cJSON_GetObjectItemCaseSensitive(obj, k);
    note_unknown(u, variant, key, cJSON_IsString(why) ? why->valuestring : "not recorded");
    hs_strbuf_printf(b, " n/a");
}

/* One table cell holding one value. */
static void cell(hs_strbuf *b, const cJSON *obj, const char *key, const char *fmt,
                 const char *variant, unknowns *u) {
    value(b, obj, key, fmt, variant, u);
    hs_strbuf_printf(b, " |");
}

static const cJSON *sub(const cJSON *o, const char *key) {
    return cJSON_GetObjectItemCaseSensitive(o, key);
}

static int measured(const cJSON *v) { return cJSON_IsTrue(sub(v, "measured")); }

static void server_table(hs_strbuf *b, const cJSON *vars) {
    unknowns u = {0};
    hs_strbuf_printf(b, "## Where the CPU went\n\n"
                        "| variant | server cores used | server CPU ms/request | user / sys s "
                        "| context switches (voluntary, involuntary) | threads (most) | "
                        "resident MiB (most) | load generator cores | harness cores | other "
                        "processes' cores | steal cores |\n"
                        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n");
    const cJSON *v;
    cJSON_ArrayForEach(v, vars) {
        if (!measured(v)) continue;
        const char *name = v->string;
        const cJSON *s = sub(v, "server"), *l = sub(v, "loadgen"), *m = sub(v, "machine");
        hs_strbuf_printf(b, "| %s |", name);
        cell(b, s, "cpu_cores_used", "%.2f", name, &u);
        cell(b, s, "cpu_ms_per_request", "%.2f", name, &u);
        value(b, s, "cpu_user_s", "%.2f", name, &u);
        hs_strbuf_printf(b, " /");
        cell(b, s, "cpu_sys_s", "%.2f", name, &u);
        value(b, s, "ctx_switches_voluntary", "%.0f", name, &u);
        hs_strbuf_printf(b, ",");
        cell(b, s, "ctx_switches_involuntary", "%.0f", name, &u);
        cell(b, s, "threads_max", "%.0f", name, &u);
        cell(b, s, "rss_mib", "%.1f", name, &u);
        cell(b, l, "cpu_cores_used", "%.2f", name, &u);
        cell(b, m, "harness_cores_used", "%.2f", name, &u);
        cell(b, m, "other_cores_used", "%.2f", name, &u);
        cell(b, m, "steal_cores", "%.2f", name, &u);
        hs_strbuf_printf(b, "\n");
    }
    hs_strbuf_printf(b, "\nOver the recorded phase (after minus before), from /proc: the "
                        "server is its process and every process and thread under it; cores "
                        "are CPU seconds per second of wall time. The load generator is the "
                        "harness's one load thread; the harness column adds the probe and "
                        "the readings. Other processes' cores: the allowed CPUs' busy time "
                        "from /proc/stat minus the server and the harness (10 ms ticks, so "
                        "a few hundredths either way are rounding).\n\n");
    list_unknowns(b, &u);
}

static void probe_table(hs_strbuf *b, const cJSON *facts, const cJSON *vars) {
    const cJSON *ev = sub(facts, "evidence");
    const cJSON *rate = sub(ev, "probe_rate_per_s"), *path = sub(ev, "probe_path");
    if (!cJSON_IsNumber(rate) || rate->valuedouble <= 0) {
        hs_strbuf_printf(b, "The bystander probe was off (`--probe-rate 0`).\n\n");
        return;
    }
    unknowns u = {0};
    hs_strbuf_printf(b, "## The bystander probe\n\n"
                        "| variant | idle p50 (ms) | probes under load | failed | ticks missed | "
                        "p50 (ms) | p95 (ms) | p99 (ms) | max (ms) |\n"
                        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n");
    const cJSON *v;
    cJSON_ArrayForEach(v, vars) {
        if (!measured(v)) continue;
        const char *name = v->string;
        const cJSON *p = sub(v, "probe");
        hs_strbuf_printf(b, "| %s |", name);
        cell(b, p, "unloaded_p50_ms", "%.2f", name, &u);
        cell(b, p, "requests", "%.0f", name, &u);
        cell(b, p, "failed", "%.0f", name, &u);
        cell(b, p, "missed_ticks", "%.0f", name, &u);
        cell(b, p, "p50_ms", "%.2f", name, &u);
        cell(b, p, "p95_ms", "%.2f", name, &u);
        cell(b, p, "p99_ms", "%.2f", name, &u);
        cell(b, p, "max_ms", "%.2f", name, &u);
        hs_strbuf_printf(b, "\n");
    }
    hs_strbuf_printf(b, "\nGET %s at %g per second on a connection of its own, while the "
                        "load ran; a probe still waiting when the next was due delays it "
                        "(ticks missed); idle: the same probe on the idle server just "
                        "before.\n\n",
                     cJSON_IsString(path) ? path->valuestring : "(health path)",
                     rate->valuedouble);
    list_unknowns(b, &u);
}

static void phases_table(hs_strbuf *b, const cJSON *vars) {
    unknowns u = {0};
    hs_strbuf_printf(b, "## Request phases\n\n"
                        "| variant | connect p50 / p95 / p99 (ms) | first byte p50 / p95 / p99 "
                        "(ms) | connections opened |\n| --- | ---: | ---: | ---: |\n");
    const cJSON *v;
    cJSON_ArrayForEach(v, vars) {
        if (!measured(v)) continue;
        const char *name = v->string;
        const cJSON *ph = sub(v, "phases_ms");
        const cJSON *c = sub(ph, "connect"), *t = sub(ph, "ttfb");
        hs_strbuf_printf(b, "| %s |", name);
        const char *keys[] = {"p50", "p95", "p99"};
        for (int k = 0; k < 3; k++) {
            value(b, c, keys[k], "%.2f", name, &u);
            hs_strbuf_printf(b, k < 2 ? " /" : " |");
        }
        for (int k = 0; k < 3; k++) {
            value(b, t, keys[k], "%.2f", name, &u);
            hs_strbuf_printf(b, k < 2 ? " /" : " |");
        }
        cell(b, sub(v, "loadgen"), "connections_opened", "%.0f", name, &u);
        hs_strbuf_printf(b, "\n");
    }
    hs_strbuf_printf(b, "\nlibcurl's timings of every recorded request from the start of its "
                        "transfer: connect is 0 on a reused keep-alive connection; first "
                        "byte includes the wait for the server. Per request in "
                        "`phases_<variant>.json`.\n\n");
    list_unknowns(b, &u);
}

static void kernel_table(hs_strbuf *b, const cJSON *vars) {
    unknowns u = {0};
    hs_strbuf_printf(b, "## Kernel TCP counters\n\n"
                        "| variant | listen overflows | listen drops | SYN retransmits | "
                        "segments retransmitted | resets sent | TCP active opens | "
                        "TCP passive opens |\n"
                        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n");
    const cJSON *v;
    cJSON_ArrayForEach(v, vars) {
        if (!measured(v)) continue;
        const char *name = v->string;
        const cJSON *k = sub(v, "kernel");
        hs_strbuf_printf(b, "| %s |", name);
        cell(b, k, "listen_overflows", "%.0f", name, &u);
        cell(b, k, "listen_drops", "%.0f", name, &u);
        cell(b, k, "syn_retransmits", "%.0f", name, &u);
        cell(b, k, "retransmitted_segments", "%.0f", name, &u);
        cell(b, k, "resets_sent", "%.0f", name, &u);
        cell(b, k, "active_opens", "%.0f", name, &u);
        cell(b, k, "passive_opens", "%.0f", name, &u);
        hs_strbuf_printf(b, "\n");
    }
    hs_strbuf_printf(b, "\nDifferences over the recorded phase in /proc/net/netstat and "
                        "/proc/net/snmp, which count for the whole network namespace: on "
                        "loopback they are this run's (its probe's connection included), plus "
                        "anything else on the machine using TCP meanwhile.\n\n");
    list_unknowns(b, &u);
}

void hs_report_evidence(hs_strbuf *b, const hs_report *r) {
    const cJSON *f = r->facts;
    const cJSON *ev = sub(f, "evidence");
    if (!f) return;
    if (!cJSON_IsTrue(sub(ev, "collected"))) {
        hs_strbuf_printf(b, "Evidence was off (`--no-evidence`): no CPU, probe, phase or "
                            "kernel readings were taken, so those tables are left out.\n\n");
        return;
    }
    const cJSON *vars = sub(f, "variants");
    int any = 0;
    const cJSON *v;
    cJSON_ArrayForEach(v, vars) any |= measured(v);
    if (!any) return;
    server_table(b, vars);
    probe_table(b, f, vars);
    phases_table(b, vars);
    kernel_table(b, vars);
}
