/* test_harness_rules.c - each rule of summary.md's "What happened, and why"
 * (harness/report/rules*.c) on hand-made facts: it fires when its facts say so,
 * for the variants they say it of, and stays silent when they are missing,
 * null, too few or on the other side of its threshold. Then the lab
 * background's placeholders: present, missing and null. The tests look
 * for facts in what a rule wrote (a variant's name, a figure), never for a
 * whole sentence. */
#include "check.h"
#include "report/report.h"

#include <cJSON.h>
#include <string.h>

/* Two comparable variants, "a" and "b", on 2 CPUs, with every figure a
 * rule reads; tests change the ones they need. */
static cJSON *base(void) {
    cJSON *f = cJSON_Parse(
        "{\"machine\": {\"cpus_available\": 2},"
        " \"load\": {\"loop\": \"closed\", \"concurrency\": 50},"
        " \"evidence\": {\"collected\": true, \"probe_rate_per_s\": 20, \"probe_path\": \"/healthz\"},"
        " \"variants\": {"
        "  \"a\": {\"measured\": true, \"requests\": 500, \"ok_percent\": 100,"
        "   \"requests_per_s\": 800, \"latency_ms\": {\"p50\": 40, \"mean\": 62},"
        "   \"server\": {\"cpu_cores_used\": 1.9, \"cpu_ms_per_request\": 2.4, \"window_s\": 0.6,"
        "    \"busiest_thread_cores\": 0.06},"
        "   \"loadgen\": {\"cpu_cores_used\": 0.05},"
        "   \"machine\": {\"busy_cores\": 1.97, \"other_cores_used\": 0.01, \"steal_cores\": 0},"
        "   \"kernel\": {\"listen_overflows\": 0, \"syn_retransmits\": 0},"
        "   \"phases_ms\": {\"connect\": {\"p99\": 1.2, \"max\": 1.4}},"
        "   \"probe\": {\"requests\": 12, \"p50_ms\": 3.3, \"unloaded_p50_ms\": 0.3},"
        "   \"blocks\": {\"threshold_ms\": 10, \"blocks\": 0, \"blocked_ms\": 0, \"starved\": 0,"
        "    \"starved_ms\": 0}},"
        "  \"b\": {\"measured\": true, \"requests\": 500, \"ok_percent\": 100,"
        "   \"requests_per_s\": 360, \"latency_ms\": {\"p50\": 137, \"mean\": 139},"
        "   \"server\": {\"cpu_cores_used\": 1.0, \"cpu_ms_per_request\": 2.8, \"window_s\": 1.4,"
        "    \"busiest_thread_cores\": 0.98},"
        "   \"loadgen\": {\"cpu_cores_used\": 0.07},"
        "   \"machine\": {\"busy_cores\": 1.06, \"other_cores_used\": -0.01, \"steal_cores\": 0},"
        "   \"kernel\": {\"listen_overflows\": 0, \"syn_retransmits\": 0},"
        "   \"phases_ms\": {\"connect\": {\"p99\": 1.1, \"max\": 1.2}},"
        "   \"probe\": {\"requests\": 10, \"p50_ms\": 139, \"unloaded_p50_ms\": 0.32},"
        "   \"blocks\": {\"threshold_ms\": 10, \"blocks\": 12, \"blocked_ms\": 1415,"
        "    \"longest_ms\": 155, \"starved\": 0, \"starved_ms\": 0,"
        "    \"top_blocked_in\": \"job_run (handler.c:228)\"}}}}");
    CHECK(f != NULL);
    return f;
}

static cJSON *var(cJSON *f, const char *name) {
    return cJSON_GetObjectItem(cJSON_GetObjectItem(f, "variants"), name);
}

/* Sets the number at a dotted path, or null when v is NAN-like (< -1e300). */
static void set(cJSON *obj, const char *path, double v) {
    char buf[128], *save, *part, *next;
    snprintf(buf, sizeof buf, "%s", path);
    part = strtok_r(buf, ".", &save);
    while ((next = strtok_r(NULL, ".", &save))) {
        cJSON *o = cJSON_GetObjectItem(obj, part);
        if (!o) o = cJSON_AddObjectToObject(obj, part);
        obj = o, part = next;
    }
    cJSON *x = v < -1e300 ? cJSON_CreateNull() : cJSON_CreateNumber(v);
    if (cJSON_GetObjectItem(obj, part)) cJSON_ReplaceItemInObject(obj, part, x);
    else cJSON_AddItemToObject(obj, part, x);
}
#define NUL (-1e308)

static char out[8192];

/* Runs one rule; returns its count, with what it wrote in out. */
static int fire(hs_rule_fn fn, const cJSON *f) {
    hs_strbuf b;
    hs_strbuf_init(&b, 256);
    int n = fn(f, &b);
    CHECK(b.ok);
    snprintf(out, sizeof out, "%s", b.len ? b.s : "");
    hs_strbuf_free(&b);
    if (n) printf("%s", out);
    CHECK((n > 0) == (out[0] != '\0'));
    CHECK(strstr(out, "[words.md has no") == NULL); /* every key it said is in words.md */
    return n;
}

static int says(const char *s) { return strstr(out, s) != NULL; }

/* Whether a finding in out said words.md's key (its "<!-- says: ... -->"
 * tag lists the key of the sentence and of each part), so that a test
 * tells the branches apart without comparing words. */
static int said(const char *key) {
    size_t kl = strlen(key);
    for (const char *p = strstr(out, "<!-- says: "); p; p = strstr(p + 1, "<!-- says: ")) {
        const char *end = strstr(p, " -->");
        for (const char *k = p + 11; end && k < end; k++)
            if ((k == p + 11 || !strncmp(k - 2, ", ", 2)) && !strncmp(k, key, kl) &&
                (k[kl] == ',' || k + kl == end))
                return 1;
    }
    return 0;
}

static void test_blocked_loop(void) {
    cJSON *f = base();
    /* b's probe waited 430x idle and as long as its requests: fires; a's
     * slowed 11x but stayed far below its requests' 40 ms: silent. */
    CHECK_EQ_INT(fire(hs_rule_blocked_loop, f), 1);
    CHECK(says("**b") && !says("**a") && says("139") && says("/healthz"));
    set(var(f, "b"), "probe.requests", 4); /* too few probes */
    CHECK_EQ_INT(fire(hs_rule_blocked_loop, f), 0);
    set(var(f, "b"), "probe.requests", 10);
    set(var(f, "b"), "probe.failed", 6); /* 4 answered: too few */
    CHECK_EQ_INT(fire(hs_rule_blocked_loop, f), 0);
    set(var(f, "b"), "probe.failed", 0);
    set(var(f, "b"), "probe.p50_ms", 30); /* 94x idle, but far below its requests' 137 ms */
    CHECK_EQ_INT(fire(hs_rule_blocked_loop, f), 0);
    set(var(f, "b"), "probe.p50_ms", 139);
    set(var(f, "b"), "probe.unloaded_p50_ms", NUL);
    CHECK_EQ_INT(fire(hs_rule_blocked_loop, f), 0);
    set(var(f, "b"), "probe.unloaded_p50_ms", 0.32);
    set(var(f, "b"), "probe.p50_ms", NUL);
    CHECK_EQ_INT(fire(hs_rule_blocked_loop, f), 0);
    cJSON_DeleteItemFromObject(var(f, "b"), "probe");
    CHECK_EQ_INT(fire(hs_rule_blocked_loop, f), 0);
    cJSON_Delete(f);

    /* An open loop: the yardstick is one request's CPU (b: 2.8 ms), not
     * the requests' latency, which holds their backlog. b's probe at 30 ms
     * is 10.7x that, far below its requests' 137 ms: fires; a's 3.3 ms is
     * 1.4x a's 2.4 ms: silent. */
    f = base();
    cJSON_ReplaceItemInObject(cJSON_GetObjectItem(f, "load"), "loop", cJSON_CreateString("open"));
    set(var(f, "b"), "probe.p50_ms", 30);
    CHECK_EQ_INT(fire(hs_rule_blocked_loop, f), 1);
    CHECK(said("blocked_loop.open") && says("**b") && !says("**a") && says("10.7"));
    set(var(f, "b"), "probe.p50_ms", 5.5); /* 1.96x one request's CPU */
    CHECK_EQ_INT(fire(hs_rule_blocked_loop, f), 0);
    set(var(f, "b"), "probe.p50_ms", 30);
    set(var(f, "b"), "server.cpu_ms_per_request", NUL);
    CHECK_EQ_INT(fire(hs_rule_blocked_loop, f), 0);
    cJSON_Delete(f);
}

/* The same slow probe, told apart by the server's wait for CPUs: with one
 * or more of its threads waiting on average (a pool that outnumbers the
 * CPUs), probe_cpu_wait speaks instead of blocked_loop; below one, or
 * unknown, blocked_loop does; neither speaks for a probe that kept up. */
static void test_probe_cpu_wait(void) {
    cJSON *f = base();
    CHECK_EQ_INT(fire(hs_rule_probe_cpu_wait, f), 0); /* cpu_wait_threads unknown */
    set(var(f, "b"), "server.cpu_wait_threads", 9.4);
    set(var(f, "b"), "server.cpu_wait_ms", 13160);
    CHECK_EQ_INT(fire(hs_rule_blocked_loop, f), 0);
    CHECK_EQ_INT(fire(hs_rule_probe_cpu_wait, f), 1);
    CHECK(said("probe_cpu_wait") && says("**b") && !says("**a") && says("9.40"));
    CHECK(says("2 CPUs available"));
    set(f, "machine.cpus_available", 1); /* taskset -c 0: one CPU, not "1 CPUs" */
    CHECK_EQ_INT(fire(hs_rule_probe_cpu_wait, f), 1);
    CHECK(says("1 CPU available"));
    set(f, "machine.cpus_available", 2);
    set(var(f, "b"), "server.cpu_wait_threads", 0.99);
    CHECK_EQ_INT(fire(hs_rule_probe_cpu_wait, f), 0);
    CHECK_EQ_INT(fire(hs_rule_blocked_loop, f), 1);
    set(var(f, "b"), "server.cpu_wait_threads", NUL);
    CHECK_EQ_INT(fire(hs_rule_probe_cpu_wait, f), 0);
    CHECK_EQ_INT(fire(hs_rule_blocked_loop, f), 1);
    set(var(f, "a"), "server.cpu_wait_threads", 12); /* a's probe kept up: 11x, 3.3 ms */
    CHECK_EQ_INT(fire(hs_rule_probe_cpu_wait, f), 0);
    /* an open loop: the probe at 30 ms is 10.7x b's CPU per request */
    cJSON_ReplaceItemInObject(cJSON_GetObjectItem(f, "load"), "loop", cJSON_CreateString("open"));
    set(var(f, "b"), "probe.p50_ms", 30);
    set(var(f, "b"), "server.cpu_wait_threads", 3);
    CHECK_EQ_INT(fire(hs_rule_blocked_loop, f), 0);
    CHECK_EQ_INT(fire(hs_rule_probe_cpu_wait, f), 1);
    cJSON_Delete(f);
}

static void test_serialized_work(void) {
    cJSON *f = base();
    /* As in the Python service: a's CPU per request 42 ms on 1.16 cores,
     * b's 22.5 ms on 1.0: a fires, b (the cheapest) does not. */
    set(var(f, "a"), "server.cpu_cores_used", 1.16);
    set(var(f, "a"), "server.cpu_ms_per_request", 42);
    set(var(f, "b"), "server.cpu_ms_per_request", 22.5);
    CHECK_EQ_INT(fire(hs_rule_serialized_work, f), 1);
    CHECK(says("**a") && says("42") && says("22.5") && says("1.87x"));
    set(f, "machine.cpus_available", 1); /* no spare CPU to show it */
    CHECK_EQ_INT(fire(hs_rule_serialized_work, f), 0);
    set(f, "machine.cpus_available", 2);
    set(var(f, "a"), "server.cpu_cores_used", 1.9); /* it did spread */
    CHECK_EQ_INT(fire(hs_rule_serialized_work, f), 0);
    set(var(f, "a"), "server.cpu_cores_used", 0.07); /* it was not busy: waiting, not queued */
    CHECK_EQ_INT(fire(hs_rule_serialized_work, f), 0);
    set(var(f, "a"), "server.cpu_cores_used", 1.16);
    set(var(f, "a"), "server.cpu_ms_per_request", 30); /* 1.33x: not well above */
    CHECK_EQ_INT(fire(hs_rule_serialized_work, f), 0);
    set(var(f, "a"), "server.cpu_ms_per_request", 42);
    set(var(f, "a"), "ok_percent", 90); /* not comparable */
    CHECK_EQ_INT(fire(hs_rule_serialized_work, f), 0);
    set(var(f, "a"), "ok_percent", 100);
    set(var(f, "a"), "server.window_s", 0.1); /* a window of a few ticks */
    CHECK_EQ_INT(fire(hs_rule_serialized_work, f), 0);
    set(var(f, "a"), "server.window_s", 0.6);
    set(var(f, "b"), "server.cpu_ms_per_request", NUL);
    CHECK_EQ_INT(fire(hs_rule_serialized_work, f), 0);
    cJSON_Delete(f);
}

static void test_cpu_bound(void) {
    cJSON *f = base();
    /* a's 2.22x requests/s splits into 1.90x the cores busy and 1.17x
     * cheaper requests: the cores set it. */
    CHECK_EQ_INT(fire(hs_rule_cpu_bound, f), 1);
    CHECK(said("cpu_bound.split") && said("cpu_bound.factor.cores") && says("2.22") &&
          says("1.90") && says("1.17"));
    /* Far cheaper requests on a's side: the CPU per request set it. */
    set(var(f, "a"), "server.cpu_ms_per_request", 0.2);
    CHECK_EQ_INT(fire(hs_rule_cpu_bound, f), 1);
    CHECK(said("cpu_bound.factor.work") && says("14.00"));
    set(var(f, "a"), "server.cpu_ms_per_request", 2.4);
    /* Waits held them, not the CPUs: a kept under half of 4 CPUs busy
     * with no thread near a core (lab01-iodelay's 50 ms waits), so no
     * split; what other processes kept busy does not count. */
    set(f, "machine.cpus_available", 4);
    set(var(f, "a"), "machine.busy_cores", 3.9);
    CHECK_EQ_INT(fire(hs_rule_cpu_bound, f), 0);
    /* ... unless one of its threads ran all the time: its limit. */
    set(var(f, "a"), "server.busiest_thread_cores", 0.9);
    CHECK_EQ_INT(fire(hs_rule_cpu_bound, f), 1);
    set(var(f, "a"), "server.busiest_thread_cores", NUL);
    CHECK_EQ_INT(fire(hs_rule_cpu_bound, f), 0); /* unknown is not busy */
    set(var(f, "a"), "server.busiest_thread_cores", 0.06);
    set(var(f, "a"), "machine.busy_cores", 1.97);
    set(f, "machine.cpus_available", 2);
    /* The slower one idle and unbusy too: no split either. */
    set(var(f, "b"), "server.cpu_cores_used", 0.04);
    set(var(f, "b"), "server.busiest_thread_cores", 0.02);
    CHECK_EQ_INT(fire(hs_rule_cpu_bound, f), 0);
    set(var(f, "b"), "server.busiest_thread_cores", 0.98); /* its loop at its limit */
    CHECK_EQ_INT(fire(hs_rule_cpu_bound, f), 1);
    set(var(f, "b"), "server.cpu_cores_used", 1.0);
    /* One CPU, both kept it busy: the all-busy finding, with each's cores. */
    set(f, "machine.cpus_available", 1);
    set(var(f, "a"), "server.cpu_cores_used", 0.97);
    set(var(f, "b"), "server.cpu_cores_used", 0.94);
    CHECK_EQ_INT(fire(hs_rule_cpu_bound, f), 1);
    CHECK(said("cpu_bound.all_busy") && says("0.97") && says("0.94"));
    CHECK(!said("cpu_bound.all_busy.left_out"));
    /* a third variant measured but under 99% HTTP 200 is named as left out */
    cJSON *d = cJSON_Duplicate(var(f, "a"), 1);
    cJSON_AddItemToObject(cJSON_GetObjectItem(f, "variants"), "d", d);
    set(d, "ok_percent", 80);
    CHECK_EQ_INT(fire(hs_rule_cpu_bound, f), 1);
    CHECK(said("cpu_bound.all_busy.left_out") && says("; d not compared"));
    cJSON_DeleteItemFromObject(cJSON_GetObjectItem(f, "variants"), "d");
    set(f, "machine.cpus_available", NUL);
    CHECK_EQ_INT(fire(hs_rule_cpu_bound, f), 0);
    set(f, "machine.cpus_available", 2);
    set(var(f, "a"), "server.cpu_cores_used", 1.9);
    set(var(f, "b"), "server.cpu_cores_used", 1.0);
    set(var(f, "b"), "requests_per_s", 0); /* never a ratio over 0 */
    CHECK_EQ_INT(fire(hs_rule_cpu_bound, f), 0);
    set(var(f, "b"), "requests_per_s", 360);
    /* Two more at another reported setting: each group is judged alone,
     * never the fastest of one against the slowest of the other. */
    cJSON *vars = cJSON_GetObjectItem(f, "variants");
    cJSON_AddItemToObject(vars, "c", cJSON_Duplicate(var(f, "a"), 1));
    cJSON_AddItemToObject(vars, "d", cJSON_Duplicate(var(f, "b"), 1));
    set(var(f, "c"), "settings.io_delay_ms", 50);
    set(var(f, "d"), "settings.io_delay_ms", 50);
    set(var(f, "d"), "requests_per_s", 18);
    set(var(f, "d"), "server.cpu_cores_used", 0.5);
    CHECK_EQ_INT(fire(hs_rule_cpu_bound, f), 2);
    CHECK(said("cpu_bound.split") && says("2.22") && says("44.44"));
    cJSON_DeleteItemFromObject(vars, "c");
    cJSON_DeleteItemFromObject(vars, "d");
    cJSON_DeleteItemFromObject(cJSON_GetObjectItem(f, "variants"), "b"); /* one variant */
    CHECK_EQ_INT(fire(hs_rule_cpu_bound, f), 0);
    cJSON_Delete(f);
}

static void test_accept_queue(void) {
    cJSON *f = base();
    CHECK_EQ_INT(fire(hs_rule_accept_queue, f), 0);
    /* a's counters rose and its connect tail holds the 1 s retransmit. */
    set(var(f, "a"), "kernel.listen_overflows", 20);
    set(var(f, "a"), "kernel.syn_retransmits", 20);
    set(var(f, "a"), "phases_ms.connect.p99", 1005.5);
    set(var(f, "a"), "phases_ms.connect.max", 1006);
    CHECK_EQ_INT(fire(hs_rule_accept_queue, f), 1);
    CHECK(says("**a") && says("20") && says("1006") && said("accept_queue.waited"));
    /* Counters rose but no connection of this run waited: the other branch,
     * which does not give the 1 s as this run's cost. */
    set(var(f, "a"), "phases_ms.connect.max", 3);
    CHECK_EQ_INT(fire(hs_rule_accept_queue, f), 1);
    CHECK(said("accept_queue.elsewhere") && !said("accept_queue.waited") && says("- a"));
    /* No connect phase: it says it cannot tell, and counts only what rose. */
    set(var(f, "a"), "phases_ms.connect.max", NUL);
    set(var(f, "a"), "kernel.listen_overflows", 1);
    set(var(f, "a"), "kernel.syn_retransmits", NUL);
    CHECK_EQ_INT(fire(hs_rule_accept_queue, f), 1);
    CHECK(said("accept_queue.unmeasured") && says("1 listen overflow ") && !says("SYN"));
    set(var(f, "a"), "kernel.listen_overflows", NUL);
    set(var(f, "a"), "kernel.syn_retransmits", NUL);
    CHECK_EQ_INT(fire(hs_rule_accept_queue, f), 0);
    cJSON_Delete(f);
}

static void test_loop_blocks(void) {
    cJSON *f = base();
    CHECK_EQ_INT(fire(hs_rule_loop_blocks, f), 1); /* b blocked; a neither */
    CHECK(says("**b") && says("12 times") && says("1415") && says("job_run (handler.c:228)"));
    set(var(f, "a"), "blocks.starved", 3);
    set(var(f, "a"), "blocks.starved_ms", 51);
    CHECK_EQ_INT(fire(hs_rule_loop_blocks, f), 2);
    CHECK(says("- a") && says("51"));
    set(var(f, "b"), "blocks.blocks", 1);
    CHECK_EQ_INT(fire(hs_rule_loop_blocks, f), 2);
    CHECK(says("once"));
    cJSON_ReplaceItemInObject(var(f, "a"), "blocks", cJSON_CreateNull());
    cJSON_ReplaceItemInObject(var(f, "b"), "blocks", cJSON_CreateNull());
    CHECK_EQ_INT(fire(hs_rule_loop_blocks, f), 0);
    cJSON_Delete(f);
}

static void test_littles_law(void) {
    cJSON *f = base();
    CHECK_EQ_INT(fire(hs_rule_littles_law, f), 1);
    CHECK(says("62.5") && says("139") && !said("littles_law.not_waiting")); /* 50 / 800 s vs 62 ms */
    set(var(f, "a"), "latency_ms.mean", 20); /* far below C / X */
    CHECK_EQ_INT(fire(hs_rule_littles_law, f), 1);
    CHECK(said("littles_law.not_waiting") && says("50"));
    set(var(f, "a"), "latency_ms.mean", 90); /* above it: the figures disagree */
    CHECK_EQ_INT(fire(hs_rule_littles_law, f), 1);
    CHECK(said("littles_law.disagree") && !said("littles_law.not_waiting"));
    cJSON_DeleteItemFromObject(f, "load");
    CHECK_EQ_INT(fire(hs_rule_littles_law, f), 0);
    cJSON_Delete(f);
}

static void test_instrument(void) {
    cJSON *f = base();
    CHECK_EQ_INT(fire(hs_rule_loadgen_busy, f), 0);
    CHECK_EQ_INT(fire(hs_rule_busy_machine, f), 0);
    set(var(f, "b"), "loadgen.cpu_cores_used", 0.93);
    CHECK_EQ_INT(fire(hs_rule_loadgen_busy, f), 1);
    CHECK(says("**b") && says("93"));
    /* two threads: 0.93 cores is 46.5% of each */
    set(var(f, "b"), "loadgen.threads", 2);
    CHECK_EQ_INT(fire(hs_rule_loadgen_busy, f), 0);
    set(var(f, "b"), "loadgen.cpu_cores_used", 1.8);
    CHECK_EQ_INT(fire(hs_rule_loadgen_busy, f), 1);
    CHECK(says("**b") && says("90"));
    set(var(f, "b"), "loadgen.cpu_cores_used", 0.93);
    set(var(f, "a"), "machine.other_cores_used", 0.33);
    CHECK_EQ_INT(fire(hs_rule_busy_machine, f), 1);
    CHECK(says("**a") && says("0.33"));
    set(var(f, "a"), "machine.other_cores_used", NUL);
    set(var(f, "a"), "machine.steal_cores", 0.2);
    CHECK_EQ_INT(fire(hs_rule_busy_machine, f), 1);
    CHECK(says("0.20") && said("busy_machine.steal") && !said("busy_machine.others"));
    cJSON_ReplaceItemInObject(var(f, "a"), "measured", cJSON_CreateFalse());
    CHECK_EQ_INT(fire(hs_rule_busy_machine, f), 0);
    cJSON_ReplaceItemInObject(var(f, "a"), "measured", cJSON_CreateTrue());
    /* a window of a few 10 ms ticks says nothing of either */
    set(var(f, "a"), "server.window_s", 0.009);
    CHECK_EQ_INT(fire(hs_rule_busy_machine, f), 0);
    set(var(f, "b"), "loadgen.cpu_cores_used", 1.05);
    set(var(f, "b"), "loadgen.threads", 1);
    set(var(f, "b"), "server.window_s", 0.009);
    CHECK_EQ_INT(fire(hs_rule_loadgen_busy, f), 0);
    set(var(f, "b"), "server.window_s", 1.4);
    CHECK_EQ_INT(fire(hs_rule_loadgen_busy, f), 1);
    set(var(f, "a"), "server.window_s", 0.6);
    set(var(f, "a"), "machine.steal_cores", NUL);
    set(var(f, "b"), "loadgen.cpu_cores_used", NUL);
    CHECK_EQ_INT(fire(hs_rule_loadgen_busy, f), 0);
    CHECK_EQ_INT(fire(hs_rule_busy_machine, f), 0);
    cJSON_Delete(f);
}

/* capacity_prediction: silent in a closed loop (no capacity); each of the
 * four outcomes of predicted-stable against kept-up (95% of the offered
 * rate served); the reason when no capacity was predicted. */
static void test_capacity_prediction(void) {
    cJSON *f = base();
    CHECK_EQ_INT(fire(hs_rule_capacity_prediction, f), 0);
    cJSON *a = var(f, "a"), *b = var(f, "b");
    set(a, "capacity.predicted_rps", 1000), set(a, "capacity.offered_rps", 780);
    set(a, "capacity.utilisation", 0.78);
    set(a, "capacity.achieved_ok_rps", 800); /* kept up */
    CHECK_EQ_INT(fire(hs_rule_capacity_prediction, f), 1);
    CHECK(said("capacity_prediction.held_stable") && says("**a") && says("1000"));
    set(a, "capacity.predicted_rps", 700), set(a, "capacity.utilisation", 1.11);
    CHECK_EQ_INT(fire(hs_rule_capacity_prediction, f), 1);
    CHECK(said("capacity_prediction.missed_kept") && says("2.40")); /* CPU under load */
    set(a, "capacity.offered_rps", 900); /* 800 of 900 is 88.9%: behind */
    CHECK_EQ_INT(fire(hs_rule_capacity_prediction, f), 1);
    CHECK(said("capacity_prediction.held_overloaded") && says("88.9"));
    set(a, "capacity.predicted_rps", 1200);
    CHECK_EQ_INT(fire(hs_rule_capacity_prediction, f), 1);
    CHECK(said("capacity_prediction.missed_behind") && says("1.90"));
    /* under 99% HTTP 200 it still speaks: refusing is how a server falls
     * behind, and only its 200s count as served */
    set(a, "ok_percent", 82);
    CHECK_EQ_INT(fire(hs_rule_capacity_prediction, f), 1);
    CHECK(said("capacity_prediction.missed_behind"));
    set(a, "ok_percent", 100);
    set(b, "capacity.predicted_rps", NUL);
    cJSON_AddStringToObject(cJSON_GetObjectItem(b, "capacity"), "predicted_rps_unknown",
                            "it mostly waits");
    CHECK_EQ_INT(fire(hs_rule_capacity_prediction, f), 2);
    CHECK(said("capacity_prediction.none") && says("it mostly waits"));
    cJSON_Delete(f);
}

/* Gives v a reported handler name and settings; name NULL: none reported. */
static void settings(cJSON *v, const char *name, double threads, double workers, double io) {
    cJSON_DeleteItemFromObject(v, "settings");
    cJSON *o = cJSON_AddObjectToObject(v, "settings");
    if (name) cJSON_AddStringToObject(o, "variant", name);
    else cJSON_AddNullToObject(o, "variant");
    set(v, "settings.threads", threads), set(v, "settings.workers", workers);
    set(v, "settings.io_delay_ms", io);
}

static void test_setting_change(void) {
    cJSON *f = base();
    /* The same handler "h" at 0 and 50 ms: one finding, a → b, with the
     * ratios of requests/s (360 / 800), the cores (1.0 / 1.9) and the CPU
     * per request (2.4 / 2.8). */
    settings(var(f, "a"), "h", 4, 1, 0), settings(var(f, "b"), "h", 4, 1, 50);
    set(var(f, "a"), "latency_ms.p95", 60), set(var(f, "b"), "latency_ms.p95", 150);
    CHECK_EQ_INT(fire(hs_rule_setting_change, f), 1);
    CHECK(says("(a → b)") && says("io_delay_ms 0 → 50") && says("x0.45") && says("x0.53") &&
          says("x1.17") && says("x2.50"));
    CHECK(!said("setting_change.memory")); /* neither has it */
    set(var(f, "a"), "memory_after_warmup.total_mib", 30);
    set(var(f, "b"), "memory_after_warmup.total_mib", 45);
    CHECK_EQ_INT(fire(hs_rule_setting_change, f), 1);
    CHECK(says("x1.50"));
    /* Reported the other way round, b is the low end. */
    settings(var(f, "a"), "h", 4, 1, 50), settings(var(f, "b"), "h", 4, 1, 0);
    CHECK_EQ_INT(fire(hs_rule_setting_change, f), 1);
    CHECK(says("(b → a)"));
    /* Not paired: other handlers, two settings apart, one unknown in one,
     * no name reported, or one not comparable. */
    settings(var(f, "a"), "h", 4, 1, 0), settings(var(f, "b"), "g", 4, 1, 50);
    CHECK_EQ_INT(fire(hs_rule_setting_change, f), 0);
    settings(var(f, "b"), "h", 8, 1, 50);
    CHECK_EQ_INT(fire(hs_rule_setting_change, f), 0);
    settings(var(f, "b"), "h", NUL, 1, 50);
    CHECK_EQ_INT(fire(hs_rule_setting_change, f), 0);
    settings(var(f, "a"), NULL, 4, 1, 0), settings(var(f, "b"), NULL, 4, 1, 50);
    CHECK_EQ_INT(fire(hs_rule_setting_change, f), 0);
    settings(var(f, "a"), "h", 4, 1, 0), settings(var(f, "b"), "h", 4, 1, 50);
    set(var(f, "b"), "ok_percent", 90);
    CHECK_EQ_INT(fire(hs_rule_setting_change, f), 0);
    /* Unknown in both counts as the same: a server that reports no
     * threads still pairs across its workers. */
    set(var(f, "b"), "ok_percent", 100);
    settings(var(f, "a"), "h", NUL, 1, NUL), settings(var(f, "b"), "h", NUL, 4, NUL);
    CHECK_EQ_INT(fire(hs_rule_setting_change, f), 1);
    CHECK(says("workers 1 → 4"));
    cJSON_Delete(f);
}

static void test_wait_held(void) {
    cJSON *f = base();
    /* b: 360 requests/s through a 50 ms wait, so 18 in their wait at a
     * time; 4 threads x 1 worker reported: more than the threads. */
    settings(var(f, "a"), "h", 4, 1, 0), settings(var(f, "b"), "h", 4, 1, 50);
    CHECK_EQ_INT(fire(hs_rule_wait_held, f), 1);
    CHECK(says("**b: 18 ") && !says("**a") && said("wait_held.no_thread"));
    /* 18 threads reported: at the threads' bound, 18 x 1000 / 50. */
    set(var(f, "b"), "settings.threads", 18);
    CHECK_EQ_INT(fire(hs_rule_wait_held, f), 1);
    CHECK(said("wait_held.threads") && says(" 360"));
    /* 20 requests/s: one in its wait at a time, the one worker's bound. */
    set(var(f, "b"), "requests_per_s", 20);
    CHECK_EQ_INT(fire(hs_rule_wait_held, f), 1);
    CHECK(said("wait_held.workers") && says(" 20"));
    /* 980 requests/s: 49 of the 50 clients in their wait: the clients' bound. */
    set(var(f, "b"), "requests_per_s", 980);
    CHECK_EQ_INT(fire(hs_rule_wait_held, f), 1);
    CHECK(said("wait_held.clients") && says(" 1000"));
    /* 4 workers with 1 request waiting: not at the workers' bound, and
     * below the threads: no bound is named. */
    set(var(f, "b"), "requests_per_s", 20);
    set(var(f, "b"), "settings.workers", 4);
    CHECK_EQ_INT(fire(hs_rule_wait_held, f), 1);
    CHECK(!said("wait_held.workers") && !said("wait_held.threads") && !said("wait_held.clients"));
    set(var(f, "b"), "settings.workers", 1);
    /* Silent with no wait reported, none at all, or too few HTTP 200. */
    set(var(f, "b"), "settings.io_delay_ms", NUL);
    CHECK_EQ_INT(fire(hs_rule_wait_held, f), 0);
    set(var(f, "b"), "settings.io_delay_ms", 0);
    CHECK_EQ_INT(fire(hs_rule_wait_held, f), 0);
    set(var(f, "b"), "settings.io_delay_ms", 50);
    set(var(f, "b"), "ok_percent", 50);
    CHECK_EQ_INT(fire(hs_rule_wait_held, f), 0);
    cJSON_Delete(f);
}

static void test_uneven_spread(void) {
    cJSON *f = base();
    settings(var(f, "b"), "h", 4, 4, 0);
    set(var(f, "b"), "memory_after_warmup.serving_pids", 2);
    CHECK_EQ_INT(fire(hs_rule_uneven_spread, f), 1);
    CHECK(says("**b") && says("2 of the 4"));
    set(var(f, "b"), "memory_after_warmup.serving_pids", 4);
    CHECK_EQ_INT(fire(hs_rule_uneven_spread, f), 0);
    set(var(f, "b"), "memory_after_warmup.serving_pids", NUL);
    CHECK_EQ_INT(fire(hs_rule_uneven_spread, f), 0);
    set(var(f, "b"), "memory_after_warmup.serving_pids", 1);
    set(var(f, "b"), "settings.workers", 1); /* one worker: nothing to spread */
    CHECK_EQ_INT(fire(hs_rule_uneven_spread, f), 0);
    cJSON_Delete(f);
}

/* hs_rules_run tags each finding with the rule that wrote it. */
static void test_tags(void) {
    cJSON *f = base();
    hs_strbuf b;
    hs_strbuf_init(&b, 1024);
    int n = hs_rules_run(f, &b);
    CHECK(b.ok && n >= 3);
    CHECK(strstr(b.s, "<!-- rule: blocked_loop -->\n") != NULL);
    CHECK(strstr(b.s, "<!-- rule: cpu_bound -->\n") != NULL);
    CHECK(strstr(b.s, "<!-- rule: loop_blocks -->\n") != NULL);
    CHECK(strstr(b.s, "rule: accept_queue") == NULL);
    hs_strbuf_free(&b);
    cJSON_Delete(f);
}

/* Every rule is silent on facts with no variants, and on nothing at all. */
static void test_all_silent_without_facts(void) {
    cJSON *empty = cJSON_Parse("{\"variants\": {}}");
    for (int i = 0; i < hs_n_rules; i++) {
        CHECK_EQ_INT(fire(hs_rules[i].fn, empty), 0);
        CHECK_EQ_INT(fire(hs_rules[i].fn, NULL), 0);
    }
    cJSON_Delete(empty);
}

/* The words: a key's template with the variant's name and figures, a
 * computed value, two decimals, and "unknown" for what is missing; a key
 * words.md lacks is said as such, and counts as no finding. */
static void test_say(void) {
    cJSON *f = base();
    set(var(f, "b"), "settings.workers", 4);
    set(var(f, "b"), "memory_after_warmup.serving_pids", 2);
    hs_say_ctx c = {.facts = f, .v = var(f, "b")};
    hs_strbuf b;
    hs_strbuf_init(&b, 256);
    CHECK_EQ_INT(hs_say(&b, "uneven_spread", &c), 1);
    CHECK(b.ok && strstr(b.s, "**b:") && strstr(b.s, " 2 of the 4 ") && b.s[b.len - 1] == '\n');
    hs_strbuf_free(&b);
    /* {v.machine.other_cores_used:2} with the figure, then without it */
    hs_strbuf_init(&b, 256);
    set(var(f, "b"), "machine.other_cores_used", 0.3);
    hs_say_part(&b, "busy_machine.others", &c);
    CHECK(b.ok && strstr(b.s, " 0.30 cores") != NULL);
    hs_strbuf_free(&b);
    hs_strbuf_init(&b, 256);
    set(var(f, "b"), "machine.other_cores_used", NUL);
    hs_say_part(&b, "busy_machine.others", &c);
    CHECK(b.ok && strstr(b.s, " unknown cores") != NULL);
    hs_strbuf_free(&b);
    /* a computed value comes before a figure of the same name */
    hs_strbuf_init(&b, 256);
    hs_say_str(&c, "v", "renamed");
    hs_say(&b, "uneven_spread", &c);
    CHECK(b.ok && strstr(b.s, "**renamed:") != NULL);
    hs_strbuf_free(&b);
    hs_strbuf_init(&b, 256);
    CHECK_EQ_INT(hs_say(&b, "no_such_words", &c), 0);
    CHECK(b.ok && strstr(b.s, "[words.md has no \"no_such_words\"]") != NULL);
    CHECK(hs_words_have("blocked_loop") && !hs_words_have("no_such_words"));
    hs_strbuf_free(&b);
    cJSON_Delete(f);
}

static void test_template(void) {
    cJSON *f = base();
    set(var(f, "a"), "server.cpu_ms_per_request", NUL);
    hs_strbuf b;
    hs_strbuf_init(&b, 256);
    hs_render_template("CPUs {machine.cpus_available}, b {variants.b.probe.p50_ms} ms, "
                       "missing {variants.zz.requests}, null {variants.a.server.cpu_ms_per_request}, "
                       "{{literal}, {unclosed", f, &b);
    CHECK(b.ok);
    printf("%s\n", b.s);
    CHECK_EQ_STR(b.s, "CPUs 2, b 139 ms, missing unknown, null unknown, {literal}, {unclosed");
    hs_strbuf_free(&b);
    char n[32];
    hs_fact_format(0.3149, n, sizeof n);
    CHECK_EQ_STR(n, "0.31");
    hs_fact_format(42.04, n, sizeof n);
    CHECK_EQ_STR(n, "42.0");
    hs_fact_format(4101.8, n, sizeof n);
    CHECK_EQ_STR(n, "4102");
    hs_fact_format(20, n, sizeof n);
    CHECK_EQ_STR(n, "20");
    cJSON_Delete(f);
}

/* A load too short for CPU shares is named, once, with the variants it
 * was and their windows; others, unmeasured ones and unknown windows are
 * not. */
static void test_short_load(void) {
    cJSON *f = base(); /* a 0.6 s, b 1.4 s: both long enough */
    CHECK_EQ_INT(fire(hs_rule_short_load, f), 0);
    set(var(f, "a"), "server.window_s", 0.27);
    CHECK_EQ_INT(fire(hs_rule_short_load, f), 1);
    CHECK(said("short_load") && says("- a: its load") && says("0.27 s") && says("0.3 s") &&
          !says(", b"));
    /* what a short load leaves out: no CPU split for a */
    CHECK_EQ_INT(fire(hs_rule_cpu_bound, f), 0);
    set(var(f, "b"), "server.window_s", 0.281);
    CHECK_EQ_INT(fire(hs_rule_short_load, f), 1);
    CHECK(says("a, b: each load") && says("0.27-0.28 s"));
    cJSON_ReplaceItemInObject(var(f, "b"), "measured", cJSON_CreateFalse());
    CHECK_EQ_INT(fire(hs_rule_short_load, f), 1);
    CHECK(!says(", b"));
    set(var(f, "a"), "server.window_s", NUL); /* evidence off: nothing to say */
    CHECK_EQ_INT(fire(hs_rule_short_load, f), 0);
    cJSON_Delete(f);
}

int main(void) {
    test_short_load();
    test_blocked_loop();
    test_probe_cpu_wait();
    test_serialized_work();
    test_cpu_bound();
    test_accept_queue();
    test_loop_blocks();
    test_littles_law();
    test_setting_change();
    test_wait_held();
    test_uneven_spread();
    test_instrument();
    test_capacity_prediction();
    test_tags();
    test_all_silent_without_facts();
    test_say();
    test_template();
    printf("test_harness_rules: ok\n");
    return 0;
}
