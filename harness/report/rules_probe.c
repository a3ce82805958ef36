/* rules_probe.c - what the bystander probe saw: a health check that queued
 * behind the handlers' work. */
#include "report/report.h"

#include <cJSON.h>
#include <math.h>
#include <string.h>

/* A variant's probe waited like one behind the handlers' work: its median
 * under load SLOWER x its idle one, MIN_MS or more, and QUEUED of its
 * requests' median or more. In an open loop the requests' latency holds
 * their backlog too, which grows as long as the run lasts when the server
 * falls behind, so there the yardstick is the CPU one request costs: a
 * probe that waited QUEUED_WORK requests' worth of it waited for others'
 * work. Needs probe.{p50_ms, unloaded_p50_ms,requests,failed},
 * latency_ms.p50, load.loop and, open, server.cpu_ms_per_request. Says
 * what was measured in c. */
#define SLOWER 10.0
#define MIN_MS 5.0
#define QUEUED 0.5   /* far below the requests' latency: busy CPUs, not a queue */
#define QUEUED_WORK 2.0 /* lab01-rate here: blocked loops 14-74x, pools 0.3-0.8x */
#define MIN_PROBES 5 /* answered probes, fewer are too few for a median */
static int probe_waited(const cJSON *v, int open, hs_say_ctx *c) {
    double loaded = hs_fact(v, "probe.p50_ms"), idle = hs_fact(v, "probe.unloaded_p50_ms");
    double sent = hs_fact(v, "probe.requests"), failed = hs_fact(v, "probe.failed");
    double probes = sent - (isnan(failed) ? 0 : failed), work = hs_fact(v, "latency_ms.p50");
    if (!cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(v, "measured"))) return 0;
    if (!(probes >= MIN_PROBES) || !(idle > 0) || isnan(loaded) || isnan(work)) return 0;
    if (loaded < SLOWER * idle || loaded < MIN_MS) return 0;
    double cpu = hs_fact(v, "server.cpu_ms_per_request");
    if (open ? !(cpu > 0) || loaded < QUEUED_WORK * cpu : loaded < QUEUED * work) return 0;
    hs_say_num(c, "probes", probes), hs_say_num(c, "ratio", loaded / idle);
    if (open) hs_say_num(c, "work_x", loaded / cpu);
    return 1;
}

/* Whether the server's own threads kept the CPUs oversubscribed: on
 * average WAITING of them or more were ready to run with no CPU free
 * (server.cpu_wait_threads, from the kernel's schedstat). Then the thread
 * that answers a health check waits its turn too, whatever else it does,
 * and a slow probe no longer shows a queue behind the handlers. One
 * thread always waiting is that on any number of CPUs, so the line does
 * not scale with them. lab01 here, 2 CPUs: pools of 40 threads 8-13, the
 * blocked loop 0.02-0.03. */
#define WAITING 1.0
static int threads_waited_for_cpus(const cJSON *v) {
    return hs_fact(v, "server.cpu_wait_threads") >= WAITING;
}

static int is_open(const cJSON *facts) {
    const cJSON *loop = hs_fact_at(facts, "load.loop");
    return cJSON_IsString(loop) && !strcmp(loop->valuestring, "open");
}

/* The probe waited as behind the handlers' work, and the server's threads
 * did not wait for CPUs (or the kernel did not say). */
int hs_rule_blocked_loop(const cJSON *facts, hs_strbuf *out) {
    int n = 0, open = is_open(facts);
    const cJSON *v;
    cJSON_ArrayForEach(v, hs_fact_variants(facts)) {
        hs_say_ctx c = {.facts = facts, .v = v};
        if (!probe_waited(v, open, &c) || threads_waited_for_cpus(v)) continue;
        n += hs_say(out, open ? "blocked_loop.open" : "blocked_loop", &c);
    }
    return n;
}

/* The same wait while the server's threads queued for CPUs: what the
 * probe waited for is then not known. */
int hs_rule_probe_cpu_wait(const cJSON *facts, hs_strbuf *out) {
    int n = 0, open = is_open(facts);
    const cJSON *v;
    cJSON_ArrayForEach(v, hs_fact_variants(facts)) {
        hs_say_ctx c = {.facts = facts, .v = v};
        if (!probe_waited(v, open, &c) || !threads_waited_for_cpus(v)) continue;
        hs_say_str(&c, "s", hs_fact(facts, "machine.cpus_available") == 1 ? "" : "s");
        n += hs_say(out, "probe_cpu_wait", &c);
    }
    return n;
}
