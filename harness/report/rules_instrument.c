/* rules_instrument.c - whether the numbers can be trusted: the load
 * generator's own load, a busy machine, and the closed loop's arithmetic. */
#include "report/report.h"

#include <cJSON.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

/* Fires for a variant during whose load the load generator's one thread
 * was busy at least GEN_BUSY of the time: then requests waited for it, and
 * the latencies and requests/s are partly its own. k6 advises keeping 20%
 * of a generator idle. Needs loadgen.cpu_cores_used. */
#define GEN_BUSY 0.8
int hs_rule_loadgen_busy(const cJSON *facts, hs_strbuf *out) {
    int n = 0;
    const cJSON *v;
    cJSON_ArrayForEach(v, hs_fact_variants(facts)) {
        double g = hs_fact(v, "loadgen.cpu_cores_used");
        if (!(g >= GEN_BUSY)) continue;
        char b[32];
        hs_fact_format(100 * g, b, sizeof b);
        if (!strcmp(b, "100")) snprintf(b, sizeof b, "nearly 100"); /* 99.96 is not 100 */
        hs_strbuf_printf(out,
            "- **%s's numbers are partly the load generator's.** Its one thread was busy %s%% "
            "of the time, so requests also waited for it to send and read them; %s may be "
            "faster than measured.\n", v->string, b, v->string);
        n++;
    }
    return n;
}

/* Fires for a variant during whose load other processes used at least
 * OTHERS cores of the allowed CPUs, or the hypervisor stole at least STEAL:
 * a neighbour shared the machine with the measurement. Needs
 * machine.other_cores_used and machine.steal_cores. */
#define OTHERS 0.25
#define STEAL 0.1
int hs_rule_busy_machine(const cJSON *facts, hs_strbuf *out) {
    int n = 0;
    const cJSON *v;
    cJSON_ArrayForEach(v, hs_fact_variants(facts)) {
        if (!cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(v, "measured"))) continue;
        double o = hs_fact(v, "machine.other_cores_used"), s = hs_fact(v, "machine.steal_cores");
        if (!(o >= OTHERS) && !(s >= STEAL)) continue;
        char a[32], b[32];
        hs_fact_format2(o, a, sizeof a), hs_fact_format2(s, b, sizeof b);
        hs_strbuf_printf(out, "- **%s was measured on a busy machine.**", v->string);
        if (o >= OTHERS)
            hs_strbuf_printf(out, " Other processes kept %s cores of the allowed CPUs busy "
                                  "during its load.", a);
        if (s >= STEAL)
            hs_strbuf_printf(out, " The hypervisor took %s cores from it (steal).", b);
        hs_strbuf_printf(out, " Its numbers include that competition; run it again on a "
                              "quiet machine.\n");
        n++;
    }
    return n;
}

/* Little's law for the closed loop: with every one of C clients always
 * waiting for a response, throughput X and mean latency W satisfy
 * C = X * W. Fires once, giving C / X against W for the comparable
 * variants; a mean below it by more than LITTLE_GAP says some clients were
 * not waiting (the generator, connection set-up or the run's ramp held
 * them); above it, the figures disagree with each other. Needs load.concurrency and
 * each variant's requests_per_s and latency_ms.mean. */
#define LITTLE_GAP 0.15
int hs_rule_littles_law(const cJSON *facts, hs_strbuf *out) {
    double c = hs_fact(facts, "load.concurrency");
    const cJSON *mode = cJSON_GetObjectItemCaseSensitive(
        cJSON_GetObjectItemCaseSensitive(facts, "load"), "loop");
    if (!(c > 0) || !cJSON_IsString(mode) || strcmp(cJSON_GetStringValue(mode), "closed")) return 0;
    int n = 0;
    const cJSON *v;
    cJSON_ArrayForEach(v, hs_fact_variants(facts)) {
        double x = hs_fact(v, "requests_per_s"), w = hs_fact(v, "latency_ms.mean");
        if (!hs_fact_comparable(v) || !(x > 0) || isnan(w)) continue;
        double predicted = 1e3 * c / x;
        char cs[32], xs[32], ps[32], ws[32];
        hs_fact_format(c, cs, sizeof cs), hs_fact_format(x, xs, sizeof xs);
        hs_fact_format(predicted, ps, sizeof ps), hs_fact_format(w, ws, sizeof ws);
        hs_strbuf_printf(out, "%s%s %s / %s = %s ms vs %s measured", n ? "; " :
                         "- **Little's law** (clients = throughput x mean latency, for a closed "
                         "loop): ", v->string, cs, xs, ps, ws);
        if (w < (1 - LITTLE_GAP) * predicted)
            hs_strbuf_printf(out, " (not all %s clients were waiting on the server)", cs);
        else if (w > (1 + LITTLE_GAP) * predicted)
            hs_strbuf_printf(out, " (more than the loop's own: %s's figures disagree)", v->string);
        n++;
    }
    if (n) hs_strbuf_printf(out, ".\n");
    return n ? 1 : 0;
}
