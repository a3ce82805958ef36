/* rules_probe.c - what the bystander probe saw: a health check that queued
 * behind the handlers' work. */
#include "report/report.h"

#include <cJSON.h>
#include <math.h>

/* Fires when a variant's probe median under load is SLOWER x its idle one,
 * MIN_MS or more, and QUEUED of its requests' median or more. Needs
 * probe.{p50_ms,unloaded_p50_ms,requests,failed}, latency_ms.p50. */
#define SLOWER 10.0
#define MIN_MS 5.0
#define QUEUED 0.5   /* far below the requests' latency: busy CPUs, not a queue */
#define MIN_PROBES 5 /* answered probes, fewer are too few for a median */
int hs_rule_blocked_loop(const cJSON *facts, hs_strbuf *out) {
    int n = 0;
    const cJSON *v;
    cJSON_ArrayForEach(v, hs_fact_variants(facts)) {
        double loaded = hs_fact(v, "probe.p50_ms"), idle = hs_fact(v, "probe.unloaded_p50_ms");
        double sent = hs_fact(v, "probe.requests"), failed = hs_fact(v, "probe.failed");
        double probes = sent - (isnan(failed) ? 0 : failed), work = hs_fact(v, "latency_ms.p50");
        if (!cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(v, "measured"))) continue;
        if (!(probes >= MIN_PROBES) || !(idle > 0) || isnan(loaded) || isnan(work)) continue;
        if (loaded < SLOWER * idle || loaded < MIN_MS || loaded < QUEUED * work) continue;
        hs_say_ctx c = {.facts = facts, .v = v};
        hs_say_num(&c, "probes", probes), hs_say_num(&c, "ratio", loaded / idle);
        n += hs_say(out, "blocked_loop", &c);
    }
    return n;
}
