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

/* "x1.52 (1.01 → 1.53 unit)" for the figure at path in a and b into buf;
 * 0, or -1 (buf "unknown") when either is unknown or a's is not above 0. */
static int change(const cJSON *a, const cJSON *b, const char *path, const char *unit,
                  char *buf, size_t size) {
    double x = hs_fact(a, path), y = hs_fact(b, path);
    snprintf(buf, size, "unknown");
    if (!(x > 0) || isnan(y)) return -1;
    char r[32], xs[32], ys[32];
    hs_fact_format2(y / x, r, sizeof r), hs_fact_format(x, xs, sizeof xs);
    hs_fact_format(y, ys, sizeof ys);
    snprintf(buf, size, "x%s (%s → %s%s)", r, xs, ys, unit);
    return 0;
}

/* Fires per family of variants that report the same handler, one setting
 * apart: its lowest value against its highest. Needs settings.*,
 * requests_per_s, latency_ms.p95; server.cpu_*, memory_after_warmup. */
int hs_rule_setting_change(const cJSON *facts, hs_strbuf *out) {
    int n = 0;
    const cJSON *v, *w;
    cJSON_ArrayForEach(v, hs_fact_variants(facts)) {
        if (!hs_fact_comparable(v)) continue;
        for (int k = 0; k < HS_FACT_N_SETTINGS; k++) {
            /* v must be its family's lowest value; hi its highest. */
            const cJSON *hi = NULL;
            int lowest = 1;
            cJSON_ArrayForEach(w, hs_fact_variants(facts)) {
                if (!hs_fact_comparable(w) || hs_fact_one_setting_apart(v, w) != k) continue;
                if (hs_fact_setting(w, k) < hs_fact_setting(v, k)) lowest = 0;
                else if (!hi || hs_fact_setting(w, k) > hs_fact_setting(hi, k)) hi = w;
            }
            if (!lowest || !hi) continue;
            hs_say_ctx c = {.facts = facts, .v = v, .w = hi};
            char buf[160];
            hs_say_str(&c, "name", hs_fact_at(v, "settings.variant")->valuestring);
            hs_say_str(&c, "setting", hs_fact_setting_names[k]);
            hs_say_num(&c, "from", hs_fact_setting(v, k)), hs_say_num(&c, "to", hs_fact_setting(hi, k));
            change(v, hi, "requests_per_s", "", buf, sizeof buf), hs_say_str(&c, "rps", buf);
            change(v, hi, "latency_ms.p95", " ms", buf, sizeof buf), hs_say_str(&c, "p95", buf);
            hs_say_ctx part = c;
            double cores, ms;
            if (hs_fact_cpu(v, &cores, &ms) && hs_fact_cpu(hi, &cores, &ms) &&
                !change(v, hi, "server.cpu_cores_used", "", buf, sizeof buf) &&
                (hs_say_str(&part, "cores", buf),
                 !change(v, hi, "server.cpu_ms_per_request", " ms", buf, sizeof buf))) {
                hs_say_str(&part, "cpu", buf);
                hs_say_sub(&c, "split", "setting_change.split", &part);
            }
            if (!change(v, hi, "memory_after_warmup.total_mib", " MiB", buf, sizeof buf)) {
                hs_say_str(&part, "mib", buf);
                hs_say_sub(&c, "memory", "setting_change.memory", &part);
            }
            hs_say_str(&c, "split", ""), hs_say_str(&c, "memory", ""); /* the first set counts */
            hs_say(out, "setting_change", &c);
            n++;
        }
    }
    return n;
}

/* Fires when a server reports a wait of D ms per request: requests/s x D
 * were in their wait at once (Little's law), set against the bounds the
 * clients, the reported threads and workers put on that. Needs
 * settings.{io_delay_ms,threads,workers}, requests_per_s, load.concurrency. */
#define NEAR 0.15 /* within this of a bound counts as at it */
int hs_rule_wait_held(const cJSON *facts, hs_strbuf *out) {
    const cJSON *mode = hs_fact_at(facts, "load.loop");
    int closed = cJSON_IsString(mode) && !strcmp(mode->valuestring, "closed");
    double c_ = closed ? hs_fact(facts, "load.concurrency") : NAN; /* the clients */
    int n = 0;
    const cJSON *v;
    cJSON_ArrayForEach(v, hs_fact_variants(facts)) {
        double d = hs_fact(v, "settings.io_delay_ms"), x = hs_fact(v, "requests_per_s");
        double t = hs_fact(v, "settings.threads"), wk = hs_fact(v, "settings.workers");
        double p = t * wk; /* NAN when either is unknown */
        if (!hs_fact_comparable(v) || !(d > 0) || !(x > 0)) continue;
        double waiting = x * d / 1e3;
        hs_say_ctx c = {.facts = facts, .v = v};
        hs_say_num(&c, "waiting", waiting);
        char ws[32];
        hs_fact_format(waiting, ws, sizeof ws);
        hs_say_count(&c, "requests", strcmp(ws, "1") ? 2 : 1, "wait_held.requests");
        hs_say_num(&c, "threads", p);
        const char *bound = waiting >= (1 - NEAR) * c_ ? "wait_held.clients"
                            : fabs(waiting - p) <= NEAR * p ? "wait_held.threads"
                            : fabs(waiting - wk) <= NEAR * wk ? "wait_held.workers"
                            : waiting > (1 + NEAR) * p      ? "wait_held.no_thread"
                                                            : NULL;
        double cap = !bound ? NAN
                     : !strcmp(bound, "wait_held.clients") ? 1e3 * c_ / d
                     : !strcmp(bound, "wait_held.threads") ? 1e3 * p / d
                                                            : 1e3 * wk / d;
        hs_say_num(&c, "cap", cap);
        if (bound) hs_say_sub(&c, "bound", bound, NULL);
        hs_say_str(&c, "bound", "");
        hs_say(out, "wait_held", &c);
        n++;
    }
    return n;
}

/* Fires when a server reports W > 1 workers and fewer answered fresh
 * connections after warm-up. Needs settings.workers,
 * memory_after_warmup.serving_pids. */
int hs_rule_uneven_spread(const cJSON *facts, hs_strbuf *out) {
    int n = 0;
    const cJSON *v;
    cJSON_ArrayForEach(v, hs_fact_variants(facts)) {
        double w = hs_fact(v, "settings.workers");
        double s = hs_fact(v, "memory_after_warmup.serving_pids");
        if (!hs_fact_comparable(v) || !(w > 1) || !(s > 0) || s >= w) continue;
        hs_say_ctx c = {.facts = facts, .v = v};
        hs_say(out, "uneven_spread", &c);
        n++;
    }
    return n;
}
