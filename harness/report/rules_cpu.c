/* rules_cpu.c - where the CPU went: work serialized onto one core, and
 * CPU-bound work whose throughput the cores used explain. */
#include "report/report.h"

#include <cJSON.h>
#include <math.h>

/* Fires when a variant kept about one core busy (SERIAL_MIN to
 * SERIAL_CORES) with SPARE_CPUS available, at SERIAL_COST x the CPU per
 * request of the cheapest variant with its settings, or more. Needs
 * machine.cpus_available, server.{cpu_cores_used,cpu_ms_per_request}. */
#define SERIAL_MIN 0.75
#define SERIAL_CORES 1.25
#define SPARE_CPUS 1.75
#define SERIAL_COST 1.5
int hs_rule_serialized_work(const cJSON *facts, hs_strbuf *out) {
    double cpus = hs_fact(facts, "machine.cpus_available");
    if (!(cpus >= SPARE_CPUS)) return 0;
    int n = 0;
    const cJSON *v, *w;
    cJSON_ArrayForEach(v, hs_fact_variants(facts)) {
        double cores, ms, c2, m2, best_ms = INFINITY;
        if (!hs_fact_cpu(v, &cores, &ms)) continue;
        /* the cheapest of the variants with v's settings */
        const cJSON *cheapest = NULL;
        cJSON_ArrayForEach(w, hs_fact_variants(facts))
            if (hs_fact_cpu(w, &c2, &m2) && hs_fact_same_settings(v, w) && m2 < best_ms)
                best_ms = m2, cheapest = w;
        if (!cheapest || v == cheapest) continue;
        if (cores < SERIAL_MIN || cores > SERIAL_CORES || ms < SERIAL_COST * best_ms) continue;
        hs_say_ctx c = {.facts = facts, .v = v, .w = cheapest};
        hs_say_num2(&c, "ratio", ms / best_ms);
        hs_say(out, "serialized_work", &c);
        n++;
    }
    return n;
}

/* Fires per group of variants with the same settings: the fastest's
 * requests/s over the slowest's split into cores kept busy / CPU per
 * request (which throughput is), or, when all kept ALL_BUSY of the CPUs
 * busy, that no handler could add throughput. Needs requests_per_s,
 * server.{cpu_cores_used,cpu_ms_per_request}, machine.cpus_available;
 * the split also server.busiest_thread_cores (below). */
#define ALL_BUSY 0.85
#define NOISE 1.10
/* The split says the CPU set each throughput. That cannot be so for a
 * server that kept under HALF_BUSY of the CPUs busy itself (what other
 * processes ran does not count) with none of its threads on a CPU
 * THREAD_BUSY of the time: it was held by something else, a wait, a
 * timer, the load, which the split cannot name. In a lab01-iodelay run
 * here (not committed), 50 ms waits and 0.5 and 0.02 cores busy gave an
 * 85x "set by the cores kept busy". Past these bars the CPU may have set
 * it; a thread at its limit (one loop, a lock's holder) is one on any
 * number of CPUs. */
#define HALF_BUSY 0.5
#define THREAD_BUSY 0.85
static int cpu_limited(const cJSON *v, double cpus) {
    return hs_fact(v, "server.cpu_cores_used") >= HALF_BUSY * cpus ||
           hs_fact(v, "server.busiest_thread_cores") >= THREAD_BUSY;
}
/* The rule for the group of comparable variants with group's settings. */
static int cpu_bound_group(const cJSON *facts, const cJSON *group, double cpus, hs_strbuf *out) {
    const cJSON *hi = NULL, *lo = NULL, *v;
    double cores, ms;
    int n = 0, all_busy = 1;
    cJSON_ArrayForEach(v, hs_fact_variants(facts)) {
        if (!hs_fact_cpu(v, &cores, &ms) || !(hs_fact(v, "requests_per_s") > 0) ||
            !hs_fact_same_settings(v, group))
            continue;
        n++;
        if (cores < ALL_BUSY * cpus) all_busy = 0;
        if (!hi || hs_fact(v, "requests_per_s") > hs_fact(hi, "requests_per_s")) hi = v;
        if (!lo || hs_fact(v, "requests_per_s") < hs_fact(lo, "requests_per_s")) lo = v;
    }
    if (n < 2 || hi == lo) return 0;
    if (all_busy) {
        hs_strbuf each;
        hs_strbuf_init(&each, 256);
        cJSON_ArrayForEach(v, hs_fact_variants(facts)) {
            if (!hs_fact_cpu(v, &cores, &ms) || !(hs_fact(v, "requests_per_s") > 0) ||
                !hs_fact_same_settings(v, group))
                continue;
            hs_say_ctx one = {.facts = facts, .v = v};
            hs_strbuf_printf(&each, "%s", each.len ? ", " : "");
            hs_say_part(&each, "cpu_bound.all_busy.each", &one);
        }
        /* "every variant" is every one compared: a measured one left out
         * (under 99% HTTP 200, say) is named, not silently dropped */
        hs_strbuf left;
        hs_strbuf_init(&left, 128);
        cJSON_ArrayForEach(v, hs_fact_variants(facts))
            if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(v, "measured")) &&
                !hs_fact_cpu(v, &cores, &ms) && hs_fact_same_settings(v, group))
                hs_strbuf_printf(&left, "%s%s", left.len ? ", " : "", v->string);
        hs_say_ctx c = {.facts = facts};
        hs_say_str(&c, "each", each.ok && each.len ? each.s : "");
        hs_say_str(&c, "s", cpus == 1 ? "" : "s");
        if (left.ok && left.len) {
            hs_say_ctx names = {.facts = facts};
            hs_say_str(&names, "names", left.s);
            hs_say_sub(&c, "left_out", "cpu_bound.all_busy.left_out", &names);
        } else {
            hs_say_str(&c, "left_out", "");
        }
        hs_strbuf_free(&each), hs_strbuf_free(&left);
        return hs_say(out, "cpu_bound.all_busy", &c);
    }
    /* Closer than NOISE is within a shared machine's run-to-run spread:
     * no factor "set" it. */
    if (!(hs_fact(hi, "requests_per_s") >= NOISE * hs_fact(lo, "requests_per_s"))) return 0;
    if (!cpu_limited(hi, cpus) || !cpu_limited(lo, cpus)) return 0;
    double ch = hs_fact(hi, "server.cpu_cores_used"), cl = hs_fact(lo, "server.cpu_cores_used");
    double mh = hs_fact(hi, "server.cpu_ms_per_request");
    double ml = hs_fact(lo, "server.cpu_ms_per_request");
    if (!(cl > 0) || !(ch > 0)) return 0;
    double cores_x = ch / cl, work_x = ml / mh;
    hs_say_ctx c = {.facts = facts, .v = hi, .w = lo};
    hs_say_num2(&c, "rps_x", hs_fact(hi, "requests_per_s") / hs_fact(lo, "requests_per_s"));
    hs_say_num2(&c, "cores_x", cores_x), hs_say_num2(&c, "work_x", work_x);
    hs_say_sub(&c, "factor", fabs(log(cores_x)) >= fabs(log(work_x)) ? "cpu_bound.factor.cores"
                                                                     : "cpu_bound.factor.work",
               NULL);
    return hs_say(out, "cpu_bound.split", &c);
}

int hs_rule_cpu_bound(const cJSON *facts, hs_strbuf *out) {
    double cpus = hs_fact(facts, "machine.cpus_available");
    if (isnan(cpus)) return 0;
    int n = 0;
    const cJSON *v;
    cJSON_ArrayForEach(v, hs_fact_variants(facts))
        if (hs_fact_comparable(v) && hs_fact_group_first(facts, v))
            n += cpu_bound_group(facts, v, cpus, out);
    return n;
}
