/* rules_probe.c - what the bystander probe saw: a health check that queued
 * behind the handlers' work. */
#include "report/report.h"

#include <cJSON.h>
#include <math.h>
#include <string.h>

/* Fires when a variant's probe median under load is SLOWER x its idle one,
 * MIN_MS or more, and QUEUED of its requests' median or more. In an open
 * loop the requests' latency holds their backlog too, which grows as long
 * as the run lasts when the server falls behind, so there the yardstick is
 * the CPU one request costs: a probe that waited QUEUED_WORK requests'
 * worth of it waited for others' work. Needs probe.{p50_ms,
 * unloaded_p50_ms,requests,failed}, latency_ms.p50, load.loop and, open,
 * server.cpu_ms_per_request. */
#define SLOWER 10.0
#define MIN_MS 5.0
#define QUEUED 0.5   /* far below the requests' latency: busy CPUs, not a queue */
#define QUEUED_WORK 2.0 /* lab01-rate here: blocked loops 14-74x, pools 0.3-0.8x */
#define MIN_PROBES 5 /* answered probes, fewer are too few for a median */
int hs_rule_blocked_loop(const cJSON *facts, hs_strbuf *out) {
    int n = 0;
    const cJSON *v, *loop = hs_fact_at(facts, "load.loop");
    int open = cJSON_IsString(loop) && !strcmp(loop->valuestring, "open");
    cJSON_ArrayForEach(v, hs_fact_variants(facts)) {
        double loaded = hs_fact(v, "probe.p50_ms"), idle = hs_fact(v, "probe.unloaded_p50_ms");
        double sent = hs_fact(v, "probe.requests"), failed = hs_fact(v, "probe.failed");
        double probes = sent - (isnan(failed) ? 0 : failed), work = hs_fact(v, "latency_ms.p50");
        if (!cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(v, "measured"))) continue;
        if (!(probes >= MIN_PROBES) || !(idle > 0) || isnan(loaded) || isnan(work)) continue;
        if (loaded < SLOWER * idle || loaded < MIN_MS) continue;
        double cpu = hs_fact(v, "server.cpu_ms_per_request");
        if (open ? !(cpu > 0) || loaded < QUEUED_WORK * cpu : loaded < QUEUED * work) continue;
        hs_say_ctx c = {.facts = facts, .v = v};
        hs_say_num(&c, "probes", probes), hs_say_num(&c, "ratio", loaded / idle);
        if (open) hs_say_num(&c, "work_x", loaded / cpu);
        n += hs_say(out, open ? "blocked_loop.open" : "blocked_loop", &c);
    }
    return n;
}
