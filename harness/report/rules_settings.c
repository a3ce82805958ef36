/* rules_settings.c - what changed when a server setting changed, and
 * where a reported wait was spent. Variants are paired only by what their
 * servers reported in their health answers (facts' settings): the same
 * handler name and the same settings but one. A server that reports none
 * is never paired, and these rules say nothing of it. */
#include "report/report.h"

#include <cJSON.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

static const char *const setting_keys[] = {"threads", "workers", "io_delay_ms"};
#define N_SETTINGS (int)(sizeof setting_keys / sizeof setting_keys[0])

/* The setting a and b differ in, when they report the same handler name
 * and differ in exactly one known setting (the others equal, or unknown
 * in both); else -1. */
static int one_setting_apart(const cJSON *a, const cJSON *b) {
    const cJSON *na = hs_fact_at(a, "settings.variant"), *nb = hs_fact_at(b, "settings.variant");
    if (a == b || !cJSON_IsString(na) || !cJSON_IsString(nb) ||
        strcmp(na->valuestring, nb->valuestring))
        return -1;
    int apart = -1;
    for (int k = 0; k < N_SETTINGS; k++) {
        char path[64];
        snprintf(path, sizeof path, "settings.%s", setting_keys[k]);
        double x = hs_fact(a, path), y = hs_fact(b, path);
        if (isnan(x) && isnan(y)) continue;
        if (x == y) continue;
        if (isnan(x) || isnan(y) || apart >= 0) return -1;
        apart = k;
    }
    return apart;
}

static double setting(const cJSON *v, int k) {
    char path[64];
    snprintf(path, sizeof path, "settings.%s", setting_keys[k]);
    return hs_fact(v, path);
}

/* "x1.52 (1.01 → 1.53 unit)" for the figure at path in a and b, or
 * nothing when either is unknown or a's is not above 0. */
static int change(hs_strbuf *out, const char *lead, const cJSON *a, const cJSON *b,
                  const char *path, const char *unit) {
    double x = hs_fact(a, path), y = hs_fact(b, path);
    if (!(x > 0) || isnan(y)) return 0;
    char r[32], xs[32], ys[32];
    hs_fact_format2(y / x, r, sizeof r), hs_fact_format(x, xs, sizeof xs);
    hs_fact_format(y, ys, sizeof ys);
    hs_strbuf_printf(out, "%sx%s (%s → %s%s)", lead, r, xs, ys, unit);
    return 1;
}

/* Fires for each family of comparable variants that report the same
 * handler and differ in one setting: its lowest and its highest value,
 * with requests/s split into the cores kept busy divided by the CPU per
 * request (which it is, by definition), the p95 and the memory. Needs each
 * variant's settings, requests_per_s, latency_ms.p95, and where known
 * server.cpu_cores_used, server.cpu_ms_per_request and
 * memory_after_warmup.total_mib. */
int hs_rule_setting_change(const cJSON *facts, hs_strbuf *out) {
    int n = 0;
    const cJSON *v, *w;
    cJSON_ArrayForEach(v, hs_fact_variants(facts)) {
        if (!hs_fact_comparable(v)) continue;
        for (int k = 0; k < N_SETTINGS; k++) {
            /* v must be its family's lowest value; hi its highest. */
            const cJSON *hi = NULL;
            int lowest = 1;
            cJSON_ArrayForEach(w, hs_fact_variants(facts)) {
                if (!hs_fact_comparable(w) || one_setting_apart(v, w) != k) continue;
                if (setting(w, k) < setting(v, k)) lowest = 0;
                else if (!hi || setting(w, k) > setting(hi, k)) hi = w;
            }
            if (!lowest || !hi) continue;
            char a[32], b[32];
            hs_fact_format(setting(v, k), a, sizeof a), hs_fact_format(setting(hi, k), b, sizeof b);
            hs_strbuf_printf(out, "- **%s, %s %s → %s** (%s → %s):",
                             hs_fact_at(v, "settings.variant")->valuestring, setting_keys[k], a,
                             b, v->string, hi->string);
            change(out, " requests/s ", v, hi, "requests_per_s", "");
            double ca = hs_fact(v, "server.cpu_cores_used"), cb = hs_fact(hi, "server.cpu_cores_used");
            double ma = hs_fact(v, "server.cpu_ms_per_request");
            double mb = hs_fact(hi, "server.cpu_ms_per_request");
            if (ca > 0 && cb > 0 && ma > 0 && mb > 0) {
                change(out, " = cores kept busy ", v, hi, "server.cpu_cores_used", "");
                change(out, " ÷ CPU per request ", v, hi, "server.cpu_ms_per_request", " ms");
            }
            change(out, "; p95 ", v, hi, "latency_ms.p95", " ms");
            change(out, "; memory after warm-up ", v, hi, "memory_after_warmup.total_mib", " MiB");
            hs_strbuf_printf(out, ".\n");
            n++;
        }
    }
    return n;
}

/* Fires for a comparable variant whose server reports an extra wait of D
 * ms per request: by Little's law, requests/s x D / 1000 requests were in
 * their wait at any moment. Set against the clients (closed loop), the
 * pool threads and the worker processes the server reports, that count
 * says what bounded the rate: the clients, a thread held per wait, or one
 * wait at a time per process; or that the wait held no thread. Within
 * NEAR of a bound counts as at it. Needs settings.io_delay_ms and
 * requests_per_s; load.concurrency, settings.threads and
 * settings.workers where known. */
#define NEAR 0.15
int hs_rule_wait_held(const cJSON *facts, hs_strbuf *out) {
    const cJSON *mode = hs_fact_at(facts, "load.loop");
    int closed = cJSON_IsString(mode) && !strcmp(mode->valuestring, "closed");
    double c = closed ? hs_fact(facts, "load.concurrency") : NAN;
    int n = 0;
    const cJSON *v;
    cJSON_ArrayForEach(v, hs_fact_variants(facts)) {
        double d = hs_fact(v, "settings.io_delay_ms"), x = hs_fact(v, "requests_per_s");
        double t = hs_fact(v, "settings.threads"), wk = hs_fact(v, "settings.workers");
        double p = t * wk; /* NAN when either is unknown */
        if (!hs_fact_comparable(v) || !(d > 0) || !(x > 0)) continue;
        double waiting = x * d / 1e3;
        char ls[32], ds[32], xs[32], bs[32], cap[32];
        hs_fact_format(waiting, ls, sizeof ls), hs_fact_format(d, ds, sizeof ds);
        hs_fact_format(x, xs, sizeof xs);
        hs_strbuf_printf(out, "- **%s: %s request%s in %s %s ms wait at any moment** "
                              "(Little's law: %s requests/s x %s ms, the wait its server "
                              "reports)", v->string, ls, strcmp(ls, "1") ? "s were" : " was",
                         strcmp(ls, "1") ? "their" : "its", ds, xs, ds);
        if (waiting >= (1 - NEAR) * c) {
            hs_fact_format(c, bs, sizeof bs), hs_fact_format(1e3 * c / d, cap, sizeof cap);
            hs_strbuf_printf(out, ", nearly all of the %s clients: the clients' own number "
                                  "capped requests/s at %s x 1000 / %s = %s, so what the "
                                  "server does while it waits could not show", bs, bs, ds, cap);
        } else if (fabs(waiting - p) <= NEAR * p) {
            hs_fact_format(p, bs, sizeof bs), hs_fact_format(1e3 * p / d, cap, sizeof cap);
            hs_strbuf_printf(out, ", as many as the %s pool threads its server reports: each "
                                  "wait held a thread, which caps requests/s at %s x 1000 / %s "
                                  "= %s", bs, bs, ds, cap);
        } else if (waiting <= (1 + NEAR) * wk) {
            hs_fact_format(wk, bs, sizeof bs), hs_fact_format(1e3 * wk / d, cap, sizeof cap);
            hs_strbuf_printf(out, ", about one per worker process (%s reported): the waits ran "
                                  "one after another, which caps requests/s at %s x 1000 / %s "
                                  "= %s", bs, bs, ds, cap);
        } else if (waiting > (1 + NEAR) * p) {
            hs_fact_format(p, bs, sizeof bs);
            hs_strbuf_printf(out, ", more than the %s pool threads its server reports: the "
                                  "wait held no thread", bs);
        }
        hs_strbuf_printf(out, ".\n");
        n++;
    }
    return n;
}

/* Fires for a comparable variant whose server reports W > 1 worker
 * processes while fewer distinct processes answered fresh connections
 * after warm-up. Needs settings.workers and memory_after_warmup.serving_pids. */
int hs_rule_uneven_spread(const cJSON *facts, hs_strbuf *out) {
    int n = 0;
    const cJSON *v;
    cJSON_ArrayForEach(v, hs_fact_variants(facts)) {
        double w = hs_fact(v, "settings.workers");
        double s = hs_fact(v, "memory_after_warmup.serving_pids");
        if (!hs_fact_comparable(v) || !(w > 1) || !(s > 0) || s >= w) continue;
        char ws[32], ss[32];
        hs_fact_format(w, ws, sizeof ws), hs_fact_format(s, ss, sizeof ss);
        hs_strbuf_printf(out, "- **%s: fresh connections after warm-up reached %s of the %s "
                              "worker processes its server reports.** A process that gets no "
                              "connections serves nothing, whatever the cores allow.\n",
                         v->string, ss, ws);
        n++;
    }
    return n;
}
