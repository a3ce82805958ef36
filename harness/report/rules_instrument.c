/* rules_instrument.c - whether the numbers can be trusted: the load
 * generator's own load, a busy machine, and the closed loop's arithmetic. */
#include "report/report.h"

#include <cJSON.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

/* Whether v's readings cover enough time to say anything: under
 * HS_FACTS_MIN_WINDOW_S they are a few 10 ms ticks (a lab00 run of 300
 * requests at 30,000/s lasts 9 ms), and a share of them means nothing. */
static int long_enough(const cJSON *v) {
    return hs_fact(v, "server.window_s") >= HS_FACTS_MIN_WINDOW_S;
}

/* Fires when the load generator's threads were busy GEN_BUSY of a
 * variant's load or more, on average: requests then waited for them too.
 * Needs loadgen.cpu_cores_used and loadgen.threads (1 when unknown, as in
 * folders from before --loadgen-threads), over a long enough window. */
#define GEN_BUSY 0.8 /* k6 advises keeping 20% of a generator idle */
int hs_rule_loadgen_busy(const cJSON *facts, hs_strbuf *out) {
    int n = 0;
    const cJSON *v;
    cJSON_ArrayForEach(v, hs_fact_variants(facts)) {
        double threads = hs_fact(v, "loadgen.threads");
        double g = hs_fact(v, "loadgen.cpu_cores_used") / (threads >= 1 ? threads : 1);
        if (!(g >= GEN_BUSY) || !long_enough(v)) continue;
        hs_say_ctx c = {.facts = facts, .v = v};
        char b[32];
        hs_fact_format(100 * g, b, sizeof b);
        if (!strcmp(b, "100")) hs_say_sub(&c, "busy", "loadgen_busy.nearly_all", NULL); /* 99.96 */
        hs_say_str(&c, "busy", b);
        n += hs_say(out, "loadgen_busy", &c);
    }
    return n;
}

/* Fires when other processes kept OTHERS cores of the allowed CPUs busy
 * during a variant's load, or the hypervisor stole STEAL or more. Needs
 * machine.{other_cores_used,steal_cores}, over a long enough window. */
#define OTHERS 0.25
#define STEAL 0.1
int hs_rule_busy_machine(const cJSON *facts, hs_strbuf *out) {
    int n = 0;
    const cJSON *v;
    cJSON_ArrayForEach(v, hs_fact_variants(facts)) {
        if (!cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(v, "measured")) || !long_enough(v))
            continue;
        double o = hs_fact(v, "machine.other_cores_used"), s = hs_fact(v, "machine.steal_cores");
        if (!(o >= OTHERS) && !(s >= STEAL)) continue;
        hs_say_ctx c = {.facts = facts, .v = v};
        if (o >= OTHERS) hs_say_sub(&c, "others", "busy_machine.others", NULL);
        if (s >= STEAL) hs_say_sub(&c, "steal", "busy_machine.steal", NULL);
        hs_say_str(&c, "others", ""), hs_say_str(&c, "steal", ""); /* the first set counts */
        n += hs_say(out, "busy_machine", &c);
    }
    return n;
}

/* Fires once, naming the measured variants whose readings cover under
 * HS_FACTS_MIN_WINDOW_S: the rules that rest on CPU time pass them over
 * in silence, which would otherwise read as nothing to say (a faster
 * machine made lab01's 2,000 requests a 0.27 s load). Needs
 * server.window_s. */
int hs_rule_short_load(const cJSON *facts, hs_strbuf *out) {
    hs_strbuf names;
    hs_strbuf_init(&names, 128);
    double lo = INFINITY, hi = -INFINITY;
    int n = 0;
    const cJSON *v;
    cJSON_ArrayForEach(v, hs_fact_variants(facts)) {
        double w = hs_fact(v, "server.window_s");
        if (!cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(v, "measured")) || isnan(w) ||
            long_enough(v))
            continue;
        hs_strbuf_printf(&names, "%s%s", n ? ", " : "", v->string);
        lo = fmin(lo, w), hi = fmax(hi, w);
        n++;
    }
    if (n == 0 || !names.ok) {
        hs_strbuf_free(&names);
        return 0;
    }
    char a[32], b[32], range[80];
    hs_fact_format2(lo, a, sizeof a), hs_fact_format2(hi, b, sizeof b);
    snprintf(range, sizeof range, strcmp(a, b) ? "%s-%s" : "%s", a, b);
    hs_say_ctx c = {.facts = facts};
    hs_say_str(&c, "names", names.s);
    hs_say_str(&c, "range", range);
    hs_say_str(&c, "each", n > 1 ? "each load" : "its load");
    hs_say_str(&c, "their", n > 1 ? "their" : "its");
    char min[32];
    snprintf(min, sizeof min, "%g", HS_FACTS_MIN_WINDOW_S);
    hs_say_str(&c, "min", min);
    hs_strbuf_free(&names);
    return hs_say(out, "short_load", &c);
}

/* Fires once for a closed loop, where C clients = throughput x mean
 * latency: C / X against the mean for each comparable variant. Needs
 * load.{loop,concurrency}, requests_per_s, latency_ms.mean. */
#define LITTLE_GAP 0.15 /* further off: clients not waiting, or figures that disagree */
int hs_rule_littles_law(const cJSON *facts, hs_strbuf *out) {
    double conc = hs_fact(facts, "load.concurrency");
    const cJSON *mode = hs_fact_at(facts, "load.loop");
    if (!(conc > 0) || !cJSON_IsString(mode) || strcmp(mode->valuestring, "closed")) return 0;
    hs_strbuf each;
    hs_strbuf_init(&each, 512);
    hs_say_ctx all = {.facts = facts};
    const cJSON *v;
    cJSON_ArrayForEach(v, hs_fact_variants(facts)) {
        double x = hs_fact(v, "requests_per_s"), w = hs_fact(v, "latency_ms.mean");
        if (!hs_fact_comparable(v) || !(x > 0) || isnan(w)) continue;
        double predicted = 1e3 * conc / x;
        hs_say_ctx c = {.facts = facts, .v = v};
        hs_say_num(&c, "predicted", predicted);
        if (w < (1 - LITTLE_GAP) * predicted)
            hs_say_sub(&c, "note", "littles_law.not_waiting", NULL);
        else if (w > (1 + LITTLE_GAP) * predicted)
            hs_say_sub(&c, "note", "littles_law.disagree", NULL);
        hs_say_str(&c, "note", "");
        hs_strbuf_printf(&each, "%s", each.len ? "; " : "");
        hs_say_part(&each, "littles_law.each", &c);
        if (c.said[0]) hs_say_noted(&all, c.said);
    }
    int n = 0;
    if (each.ok && each.len) {
        hs_say_str(&all, "each", each.s);
        n = hs_say(out, "littles_law", &all);
    }
    hs_strbuf_free(&each);
    return n;
}

/* Fires when an open loop dropped arrivals (max_in_flight were already in
 * flight), or sent more than LATE_SHARE of them over 1 ms late. Needs
 * open_loop.{arrivals,sent,dropped,late_over_1ms,send_lag_ms.p99}. */
#define LATE_SHARE 0.01
int hs_rule_open_loop_sends(const cJSON *facts, hs_strbuf *out) {
    int n = 0;
    const cJSON *v;
    cJSON_ArrayForEach(v, hs_fact_variants(facts)) {
        double dropped = hs_fact(v, "open_loop.dropped"), sent = hs_fact(v, "open_loop.sent");
        double late = hs_fact(v, "open_loop.late_over_1ms");
        hs_say_ctx c = {.facts = facts, .v = v};
        if (dropped > 0) n += hs_say(out, "open_loop_sends.dropped", &c);
        if (sent > 0 && late > LATE_SHARE * sent) n += hs_say(out, "open_loop_sends.late", &c);
    }
    return n;
}
