/* facts.c - figures from readings: the one place where a run's numbers are
 * computed (see facts.h). Runs on the harness's main thread. */
#include "facts/facts.h"

#include "common/files.h"

#include <cJSON.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* o[key] = v, or null with o[key_unknown] = why when v is not known. */
static void figure(cJSON *o, const char *key, int known, double v, const char *why) {
    char k[96];
    if (known && isfinite(v)) {
        /* Ten significant digits: more than any reading here has, and no
         * 0.020000000000000018 from summing clock ticks. */
        snprintf(k, sizeof k, "%.10g", v);
        cJSON_AddNumberToObject(o, key, strtod(k, NULL));
        return;
    }
    cJSON_AddNullToObject(o, key);
    snprintf(k, sizeof k, "%s_unknown", key);
    cJSON_AddStringToObject(o, k, why);
}

/* {p50, p95, p99, max} in ms of n values (seconds), sorted in place; every
 * one null with why when there are none. */
static cJSON *percentiles_ms(double *v, size_t n, const char *why) {
    cJSON *o = cJSON_CreateObject();
    static const struct { const char *key; double q; } qs[] = {
        {"p50", 50}, {"p95", 95}, {"p99", 99}, {"max", 100}};
    hs_sort_doubles(v, n);
    for (size_t i = 0; i < sizeof qs / sizeof qs[0]; i++) {
        double x = 0;
        int ok = n > 0 && hs_percentile(v, n, qs[i].q, &x) == 0;
        figure(o, qs[i].key, ok, x * 1e3, why);
    }
    return o;
}

/* The CPUs this run may use: affinity and the cgroup's quota, never the
 * machine's count alone. */
static cJSON *machine_json(const hs_cpus *c) {
    cJSON *m = cJSON_CreateObject();
    cJSON_AddNumberToObject(m, "cpus_online", c->online);
    cJSON_AddNumberToObject(m, "cpus_affinity", c->affinity);
    cJSON *list = cJSON_AddArrayToObject(m, "cpus_affinity_list");
    for (int i = 0; i < c->affinity && i < 1024; i++)
        cJSON_AddItemToArray(list, cJSON_CreateNumber(c->affinity_list[i]));
    if (c->quota_cores > 0) {
        cJSON_AddNumberToObject(m, "cpu_quota_cores", c->quota_cores);
    } else {
        cJSON_AddNullToObject(m, "cpu_quota_cores");
        cJSON_AddStringToObject(m, "cpu_quota_cores_unknown",
                                c->quota_cores == 0 ? "no quota is set" : "not readable");
    }
    cJSON_AddStringToObject(m, "cpu_quota_note", c->quota_note);
    figure(m, "cpus_available", c->affinity > 0, c->available,
           "sched_getaffinity failed, so the CPUs this run may use are not known");
    return m;
}

static const char *why_not_measured(const hs_facts_variant *v) {
    return v->problem ? "the variant was not measured (see its problem)"
                      : "the variant was not measured";
}

static int tree_index(const hs_proc_tree *t, pid_t pid) {
    for (int i = 0; i < t->processes; i++)
        if (t->pid[i] == pid) return i;
    return -1;
}

/* The server's CPU seconds over the window (hs_proc_tree_cpu_between).
 * Returns NULL with *cpu_s set, or why it is unknown. */
static const char *server_cpu(const hs_facts_variant *v, double *cpu_s) {
    const hs_evidence *e = v->evidence;
    *cpu_s = 0;
    if (!e) return v->load ? "evidence was off (--no-evidence)" : "the load did not run";
    if (!e->have_tree0) return "the server had exited before the load";
    if (!e->have_tree1 || (v->load && v->load->server_exited))
        return "the server exited during the load";
    return hs_proc_tree_cpu_between(&e->tree0, &e->tree1, cpu_s);
}

/* What the server's threads did over the window, from their counts. */
typedef struct {
    double voluntary, involuntary; /* context switches, summed */
    double wait_ns;                /* waiting for a CPU, summed */
    double busiest_run_ns;         /* the most one thread ran */
} thread_sums;

/* Sums every thread seen. A thread that exited keeps what it had at its
 * last sample (100 ms apart); one that lived and died between two samples
 * is not seen at all. (Here, not in evidence.c, so that harness_core holds
 * no sampler code.) */
static thread_sums sum_threads(const hs_evidence *e) {
    thread_sums s = {e->gone_vol, e->gone_invol, e->gone_wait_ns, e->gone_busiest_run_ns};
    for (size_t i = 0; i < e->threads_cap; i++) {
        const hs_thread_counts *t = &e->threads[i];
        if (!t->tid) continue;
        s.voluntary += (double)(t->vol1 - t->vol0);
        s.involuntary += (double)(t->invol1 - t->invol0);
        s.wait_ns += (double)(t->wait1 - t->wait0);
        if ((double)(t->run1 - t->run0) > s.busiest_run_ns)
            s.busiest_run_ns = (double)(t->run1 - t->run0);
    }
    return s;
}

/* The server's processes over the window: CPU, switches, threads, memory. */
static cJSON *server_json(const hs_facts_variant *v, double requests) {
    cJSON *o = cJSON_CreateObject();
    const hs_evidence *e = v->evidence;
    double cpu;
    const char *why = server_cpu(v, &cpu);
    int ok = why == NULL;
    double wall = e ? e->t1 - e->t0 : 0;
    /* user and sys alone are only known when no process came or went */
    int split = ok && e->tree0.processes == e->tree1.processes;
    for (int i = 0; split && i < e->tree1.processes; i++)
        split = tree_index(&e->tree0, e->tree1.pid[i]) >= 0;
    const char *why_split = why ? why : "processes came or went during the load";
    figure(o, "cpu_user_s", split, split ? e->tree1.user_s - e->tree0.user_s : 0, why_split);
    figure(o, "cpu_sys_s", split, split ? e->tree1.sys_s - e->tree0.sys_s : 0, why_split);
    figure(o, "cpu_s", ok, cpu, why);
    figure(o, "cpu_cores_used", ok && wall > 0, ok && wall > 0 ? cpu / wall : 0,
           why ? why : "no wall time");
    figure(o, "cpu_ms_per_request", ok && requests > 0, requests > 0 ? 1e3 * cpu / requests : 0,
           why ? why : "no request was recorded");
    thread_sums c = {0, 0, 0, 0};
    int exited = !e || !e->have_tree0 || !e->have_tree1 || (v->load && v->load->server_exited);
    const char *why_seen = !e ? why
                           : !e->have_tree0 ? "the server had exited before the load"
                           : exited ? "the server exited during the load"
                           : e->tree0.truncated || e->tree1.truncated
                               ? "the server had more processes than the harness follows (64)"
                               : NULL;
    const char *why_ctx = why_seen ? why_seen
                          : e->threads_oom ? "out of memory following the server's threads"
                                           : NULL;
    if (!why_ctx) c = sum_threads(e);
    figure(o, "ctx_switches_voluntary", !why_ctx, c.voluntary, why_ctx);
    figure(o, "ctx_switches_involuntary", !why_ctx, c.involuntary, why_ctx);
    figure(o, "threads_seen", !why_ctx, e ? (double)e->threads_seen : 0, why_ctx);
    /* Threads (or processes) came and went: one that lived and died
     * between two 100 ms samples was never seen, so the counts may be
     * short of the truth (the CPU waits below too). */
    int lower_bound = !why_ctx && ((long)e->threads_seen > e->threads_max || !split);
    if (!why_ctx) cJSON_AddBoolToObject(o, "ctx_switches_lower_bound", lower_bound);
    /* The scheduler's account: how long the server's threads were ready to
     * run with no CPU free, in all and as the number of them waiting at
     * once on average. A thread that must answer (a health check's, say)
     * waits its turn like the rest. */
    const char *why_wait =
        why_ctx ? why_ctx
        : e->sched_unknown
            ? "this kernel does not report a thread's wait for a CPU (/proc/PID/task/TID/schedstat "
              "is missing, or holds zeros)"
            : NULL;
    figure(o, "cpu_wait_ms", !why_wait, c.wait_ns / 1e6, why_wait);
    figure(o, "cpu_wait_threads", !why_wait && wall > 0, wall > 0 ? c.wait_ns / 1e9 / wall : 0,
           why_wait ? why_wait : "no wall time");
    if (!why_wait) cJSON_AddBoolToObject(o, "cpu_wait_lower_bound", lower_bound);
    /* The one thread that ran most, in CPU seconds per second: near 1 is a
     * thread that was on a CPU all the time (a loop, a lock's holder) and
     * so a limit however many CPUs stood idle. A lower bound when the
     * waits are: a thread that exits loses what it ran since its last
     * sample. */
    figure(o, "busiest_thread_cores", !why_wait && wall > 0,
           wall > 0 ? c.busiest_run_ns / 1e9 / wall : 0,
           why_wait ? why_wait : "no wall time");
    int seen = !why_seen;
    figure(o, "threads_max", seen, e ? (double)e->threads_max : 0, why_seen);
    figure(o, "rss_mib", seen, e ? e->rss_max_kib / 1024.0 : 0, why_seen);
    figure(o, "processes", seen, e ? (double)e->tree0.processes : 0, why_seen);
    figure(o, "window_s", e != NULL, wall, why);
    figure(o, "sampler_cpu_s", e && e->sampler_cpu_s >= 0, e ? e->sampler_cpu_s : 0,
           e ? "the sampler did not run" : why);
    return o;
}

/* The load generator's own thread, and what the rest of the machine's
 * allowed CPUs did meanwhile. */
static cJSON *loadgen_json(const hs_facts_variant *v) {
    cJSON *o = cJSON_CreateObject();
    const hs_load_result *l = v->load;
    const char *why = "the load did not run";
    int ok = l && l->cpu_s >= 0;
    const char *why_cpu = !l ? why : "getrusage(RUSAGE_THREAD) failed";
    figure(o, "cpu_s", ok, ok ? l->cpu_s : 0, why_cpu);
    figure(o, "cpu_cores_used", ok && l->wall_s > 0, ok && l->wall_s > 0 ? l->cpu_s / l->wall_s : 0,
           why_cpu);

    figure(o, "connections_opened", l != NULL, l ? (double)l->connections_opened : 0, why);
    figure(o, "threads", l != NULL, l ? (double)(l->threads > 0 ? l->threads : 1) : 0, why);
    return o;
}

/* p50, p95, p99 and max of v[0..n) in ms under o's key, or null. */
static void spread_ms(cJSON *o, const char *key, const double *v, size_t n) {
    double *s = hs_sorted_copy(v, n);
    if (!s) {
        cJSON_AddNullToObject(o, key);
        return;
    }
    cJSON *p = cJSON_AddObjectToObject(o, key);
    static const double qs[] = {50, 95, 99};
    static const char *const names[] = {"p50", "p95", "p99"};
    for (int k = 0; k < 3; k++) {
        double x;
        hs_percentile(s, n, qs[k], &x);
        figure(p, names[k], 1, x * 1e3, "");
    }
    figure(p, "max", 1, s[n - 1] * 1e3, "");
    free(s);
}

/* An open loop's own figures: arrivals sent, dropped beyond the cap, sent
 * late, the send lag and the service time; null for a closed loop. */
static void open_loop_json(cJSON *o, const hs_facts_variant *v) {
    const hs_load_result *l = v->load;
    if (!l || !l->service_s) {
        cJSON_AddNullToObject(o, "open_loop");
        cJSON_AddStringToObject(o, "open_loop_unknown",
                                l ? "the load was a closed loop" : "the load did not run");
        return;
    }
    cJSON *p = cJSON_AddObjectToObject(o, "open_loop");
    cJSON_AddNumberToObject(p, "arrivals", (double)(l->n + l->dropped));
    cJSON_AddNumberToObject(p, "sent", (double)l->n);
    cJSON_AddNumberToObject(p, "dropped", (double)l->dropped);
    cJSON_AddNumberToObject(p, "late_over_1ms", (double)l->late_1ms);
    spread_ms(p, "send_lag_ms", l->lag_s, l->n);
    spread_ms(p, "service_ms", l->service_s, l->n);
}

/* An open loop's prediction and what it was measured from (capacity.c):
 * S, the burst, cores / S, and the offered rate over it (utilisation);
 * null for a closed loop. Beside it, what the load achieved: requests/s
 * answered with HTTP 200 (a refusal is not service). */
static void capacity_json(cJSON *o, const hs_facts_variant *v, double offered) {
    const hs_capacity *c = v->capacity;
    if (!c) {
        cJSON_AddNullToObject(o, "capacity");
        cJSON_AddStringToObject(o, "capacity_unknown",
                                !(offered > 0) ? "the load was a closed loop"
                                : v->load      ? "evidence was off (--no-evidence)"
                                               : "the load did not run");
        return;
    }
    cJSON *p = cJSON_AddObjectToObject(o, "capacity");
    const char *why = c->measured ? "" : c->why;
    figure(p, "service_ms", c->service_s > 0, c->service_s * 1e3, why);
    cJSON_AddNumberToObject(p, "serial_requests", (double)c->serial_requests);
    cJSON *b = cJSON_AddObjectToObject(p, "burst");
    cJSON_AddNumberToObject(b, "clients", c->burst_clients);
    cJSON_AddNumberToObject(b, "requests", (double)c->burst_requests);
    figure(b, "wall_s", c->measured, c->burst_wall_s, why);
    figure(b, "cores_busy", c->measured, c->burst_cores, why);
    figure(b, "cpu_ms_per_request", c->measured, c->cpu_per_request_s * 1e3, why);
    figure(b, "requests_per_s", c->measured, c->burst_rps, why);
    int predicted = c->predicted_rps > 0;
    figure(p, "predicted_rps", predicted, c->predicted_rps, c->why);
    figure(p, "offered_rps", offered > 0, offered, "no rate");
    figure(p, "utilisation", predicted && offered > 0, offered / c->predicted_rps, c->why);
    const hs_summary *s = v->summary;
    figure(p, "achieved_ok_rps", s && s->wall_s > 0, s ? s->rps * s->ok_percent / 100 : 0,
           "nothing was recorded");
}

static cJSON *others_json(const hs_facts_variant *v) {
    cJSON *o = cJSON_CreateObject();
    const hs_evidence *e = v->evidence;
    const char *why = !e ? (v->load ? "evidence was off (--no-evidence)" : "the load did not run")
                      : !(e->cpu0.ok && e->cpu1.ok) ? "/proc/stat lacked an allowed CPU"
                      : NULL;
    int ok = why == NULL;
    double wall = ok ? e->t1 - e->t0 : 0;
    ok = ok && wall > 0;
    double busy = ok ? (e->cpu1.busy_s - e->cpu0.busy_s) / wall : 0;
    double steal = ok ? (e->cpu1.steal_s - e->cpu0.steal_s) / wall : 0;
    figure(o, "busy_cores", ok, busy, why ? why : "no wall time");
    figure(o, "steal_cores", ok, steal, why ? why : "no wall time");
    /* What is left once the server and this harness are taken out: a busy
     * neighbour, or nothing. /proc/stat counts in 10 ms ticks, so a few
     * hundredths of a core either way is rounding. */
    double cpu = 0;
    const char *why_srv = ok ? server_cpu(v, &cpu) : why ? why : "no wall time";
    int self_ok = ok && e->have_self_cpu;
    double self = self_ok ? (e->self_cpu1 - e->self_cpu0) / wall : 0;
    const char *why_self = !ok ? (why ? why : "no wall time") : "getrusage(RUSAGE_SELF) failed";
    figure(o, "harness_cores_used", self_ok, self, why_self);
    figure(o, "other_cores_used", self_ok && !why_srv, busy - cpu / (wall > 0 ? wall : 1) - self,
           !self_ok ? why_self : why_srv);
    return o;
}

/* Counter differences over the window, this network namespace. */
static cJSON *kernel_json(const hs_facts_variant *v) {
    cJSON *o = cJSON_CreateObject();
    const hs_evidence *e = v->evidence;
    const char *why = !e ? (v->load ? "evidence was off (--no-evidence)" : "the load did not run")
                         : "/proc/net/netstat or snmp unreadable";
    int ok = e && e->have_tcp;
    static const struct { const char *key; size_t off; } fields[] = {
        {"listen_overflows", offsetof(hs_tcp_counters, listen_overflows)},
        {"listen_drops", offsetof(hs_tcp_counters, listen_drops)},
        {"syn_retransmits", offsetof(hs_tcp_counters, syn_retransmits)},
        {"retransmitted_segments", offsetof(hs_tcp_counters, retransmitted_segs)},
        {"resets_sent", offsetof(hs_tcp_counters, resets_sent)},
        {"established_resets", offsetof(hs_tcp_counters, established_resets)},
        {"failed_connection_attempts", offsetof(hs_tcp_counters, attempt_fails)},
        {"active_opens", offsetof(hs_tcp_counters, active_opens)},
        {"passive_opens", offsetof(hs_tcp_counters, passive_opens)},
        {"aborts_on_data", offsetof(hs_tcp_counters, abort_on_data)},
        {"aborts_on_close", offsetof(hs_tcp_counters, abort_on_close)},
    };
    for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++) {
        long long a = 0, b = 0;
        if (ok) {
            memcpy(&a, (const char *)&e->tcp0 + fields[i].off, sizeof a);
            memcpy(&b, (const char *)&e->tcp1 + fields[i].off, sizeof b);
        }
        int known = ok && a >= 0 && b >= 0;
        figure(o, fields[i].key, known, (double)(b - a),
               ok ? "this kernel does not report the counter" : why);
    }
    return o;
}

/* Connect percentiles over the requests that opened a connection and got
 * it (curl reports 0 both for a reused one and for one never made), and
 * time-to-first-byte over those that got a response; each with its count. */
static cJSON *phases_json(const hs_facts_variant *v) {
    cJSON *o = cJSON_CreateObject();
    const hs_load_result *l = v->load;
    size_t n = l && l->phases ? l->n : 0, nc = 0, nt = 0, nf = 0;
    const char *why = !l ? "the load did not run" : "evidence was off (--no-evidence)";
    double *c = malloc((n ? n : 1) * sizeof *c), *t = malloc((n ? n : 1) * sizeof *t);
    if (!c || !t) n = 0, why = "out of memory";
    for (size_t i = 0; i < n; i++) {
        const hs_phase *ph = &l->phases[i];
        if (ph->new_connections > 0 && ph->connect_s > 0) c[nc++] = ph->connect_s;
        else if (l->samples[i].status == 0 && ph->ttfb_s == 0) nf++; /* never answered */
        if (l->samples[i].status > 0) t[nt++] = ph->ttfb_s;
    }
    cJSON *co = percentiles_ms(c, nc, n ? "no recorded request opened a connection" : why);
    cJSON *to = percentiles_ms(t, nt, n ? "no recorded request got a response" : why);
    figure(co, "requests", n > 0, (double)nc, why);
    /* Requests that failed with no answer: some never connected, and
     * libcurl gives them no connect time, so they are outside the
     * percentiles; their count is here. */
    figure(co, "failed_without_answer", n > 0, (double)nf, why);
    figure(to, "requests", n > 0, (double)nt, why);
    cJSON_AddItemToObject(o, "connect", co);
    cJSON_AddItemToObject(o, "ttfb", to);
    free(c), free(t);
    return o;
}

/* The probe's latencies under load (those sent inside the window, the ones
 * that got a 2xx; the rest counted as failed) and on the idle server. */
static cJSON *probe_json(const hs_facts_input *in, const hs_facts_variant *v) {
    cJSON *o = cJSON_CreateObject();
    const hs_probe *p = v->probe_loaded, *idle = v->probe_idle;
    const hs_evidence *e = v->evidence;
    const char *why = !in->evidence ? "evidence was off (--no-evidence)"
                      : in->probe_rate <= 0 ? "the probe was off (--probe-rate 0)"
                      : !p ? "the probe did not run (the load did not start, or its thread failed)"
                           : "no probe sent during the load got a 2xx answer";
    size_t n = p ? p->n : 0, sent = 0, ok = 0;
    double *lat = malloc((n ? n : 1) * sizeof *lat);
    if (!lat) n = 0, why = "out of memory";
    for (size_t i = 0; i < n; i++) {
        const hs_probe_sample *x = &p->samples[i];
        if (e && (x->sent < e->t0 || x->sent > e->t1)) continue;
        sent++;
        if (x->status >= 200 && x->status <= 299) lat[ok++] = x->latency_s;
    }
    /* A load shorter than the probe's interval may have no probe inside it:
     * say so, rather than that probes failed. */
    char none[160];
    if (p && e && !sent && in->probe_rate > 0) {
        snprintf(none, sizeof none,
                 "no probe sent inside the load's %.0f ms window was answered before it ended"
                 " (one is sent every %.0f ms)",
                 1e3 * (e->t1 - e->t0), 1e3 / in->probe_rate);
        why = none;
    }
    figure(o, "requests", p != NULL, (double)sent, why);
    figure(o, "failed", p != NULL, (double)(sent - ok), why);
    figure(o, "missed_ticks", p != NULL, p ? (double)p->missed : 0, why);
    figure(o, "cut_short", p != NULL, p ? (double)p->cut_short : 0, why);
    figure(o, "cut_short_wait_ms", p && p->cut_short, p ? 1e3 * p->cut_short_wait_s : 0,
           p ? "no probe was cut short" : why);
    if (p && p->oom) cJSON_AddStringToObject(o, "note", "out of memory: some probes were not kept");
    cJSON *pc = percentiles_ms(lat, ok, why);
    static const char *keys[][2] = {{"p50", "p50_ms"}, {"p95", "p95_ms"}, {"p99", "p99_ms"},
                                    {"max", "max_ms"}};
    for (size_t i = 0; i < 4; i++) {
        cJSON *x = cJSON_GetObjectItemCaseSensitive(pc, keys[i][0]);
        figure(o, keys[i][1], cJSON_IsNumber(x), cJSON_IsNumber(x) ? x->valuedouble : 0, why);
    }
    cJSON_Delete(pc);
    free(lat);
    size_t ni = idle ? idle->n : 0, nok = 0;
    double *il = malloc((ni ? ni : 1) * sizeof *il);
    if (!il) ni = 0;
    for (size_t i = 0; i < ni; i++)
        if (idle->samples[i].status >= 200 && idle->samples[i].status <= 299)
            il[nok++] = idle->samples[i].latency_s;
    double med = 0;
    hs_sort_doubles(il, nok);
    int known = nok > 0 && hs_percentile(il, nok, 50, &med) == 0;
    const char *why_idle = !in->evidence || in->probe_rate <= 0 ? why
                           : !idle ? "the idle server was not probed"
                                   : "no idle probe got a 2xx answer";
    figure(o, "unloaded_requests", idle != NULL, (double)ni, why_idle);
    figure(o, "unloaded_p50_ms", known, med * 1e3, why_idle);
    free(il);
    return o;
}

/* What the server says of its own settings in its health answer; what it
 * does not say stays unknown. */
static cJSON *settings_json(const hs_facts_variant *v, const char *health_path) {
    cJSON *o = cJSON_CreateObject();
    cJSON *h = v->healthz ? cJSON_Parse(v->healthz) : NULL;
    char why[384];
    snprintf(why, sizeof why, "not reported by the server's GET %s", health_path);
    static const char *keys[] = {"threads", "workers", "io_delay_ms", "detect_blocking_ms"};
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
        const cJSON *x = cJSON_GetObjectItemCaseSensitive(h, keys[i]);
        figure(o, keys[i], cJSON_IsNumber(x), cJSON_IsNumber(x) ? x->valuedouble : 0,
               v->healthz ? why : "the server never answered its health check");
    }
    /* Its own name for the handler it runs: variants of a lab that report
     * the same one, and differ in one setting, are compared across it. */
    const cJSON *name = cJSON_GetObjectItemCaseSensitive(h, "variant");
    if (cJSON_IsString(name) && name->valuestring[0]) {
        cJSON_AddStringToObject(o, "variant", name->valuestring);
    } else {
        cJSON_AddNullToObject(o, "variant");
        cJSON_AddStringToObject(o, "variant_unknown",
                                v->healthz ? why : "the server never answered its health check");
    }
    cJSON_Delete(h);
    return o;
}

static cJSON *blocks_json(const hs_blocks *b) {
    cJSON *o = cJSON_CreateObject();
    const char *why = "the server's /debug/blocks gave no usable number";
    figure(o, "threshold_ms", 1, (double)b->threshold_ms, why);
    figure(o, "workers", 1, b->workers, why);
    figure(o, "blocks", 1, b->blocks, why);
    figure(o, "blocked_ms", 1, b->blocks_ms, why);
    figure(o, "longest_ms", 1, b->longest_ms, why);
    figure(o, "starved", 1, b->starved, why);
    figure(o, "starved_ms", 1, b->starved_ms, why);
    if (b->top_where[0]) cJSON_AddStringToObject(o, "top_blocked_in", b->top_where);
    else {
        cJSON_AddNullToObject(o, "top_blocked_in");
        cJSON_AddStringToObject(o, "top_blocked_in_unknown",
                                b->blocks ? "the reports name no place" : "no block was reported");
    }
    figure(o, "top_blocks", 1, b->top_count, why);
    figure(o, "top_blocked_ms", 1, b->top_ms, why);
    /* the server's own words for one such block, quoted, not ours */
    if (b->top_report) cJSON_AddStringToObject(o, "top_report", b->top_report);
    else cJSON_AddNullToObject(o, "top_report");
    return o;
}

/* Resident memory of each server process after warm-up, and which of
 * them answered. */
static cJSON *memory_json(const hs_facts_variant *v) {
    cJSON *o = cJSON_CreateObject();
    const hs_rss *m = v->rss;
    const char *why = "the server's memory could not be read after warm-up";
    cJSON *procs = cJSON_AddArrayToObject(o, "processes");
    for (int k = 0; m && k < m->n; k++) {
        cJSON *p = cJSON_CreateObject();
        cJSON_AddNumberToObject(p, "pid", (double)m->pid[k]);
        cJSON_AddNumberToObject(p, "rss_mib", m->rss_kib[k] / 1024.0);
        cJSON_AddItemToArray(procs, p);
    }
    figure(o, "total_mib", m != NULL, m ? m->total_kib / 1024.0 : 0, why);
    figure(o, "serving_pids", v->serving_pids > 0, (double)v->serving_pids,
           v->serving_pids < 0 ? "the server's health answer has no \"pid\", so its "
                                 "processes cannot be told apart"
                               : "no process answered the health path over fresh connections");
    return o;
}

static cJSON *variant_json(const hs_facts_input *in, const hs_facts_variant *v) {
    cJSON *o = cJSON_CreateObject();
    const hs_summary *s = v->summary;
    const char *why = why_not_measured(v);
    cJSON_AddBoolToObject(o, "measured", s != NULL);
    figure(o, "requests", s != NULL, s ? (double)s->requests : 0, why);
    figure(o, "ok_percent", s != NULL, s ? s->ok_percent : 0, why);
    figure(o, "requests_per_s", s && s->wall_s > 0, s ? s->rps : 0, why);
    figure(o, "wall_s", s != NULL, s ? s->wall_s : 0, why);
    cJSON *lat = cJSON_AddObjectToObject(o, "latency_ms");
    figure(lat, "p50", s != NULL, s ? s->p50_s * 1e3 : 0, why);
    figure(lat, "p95", s != NULL, s ? s->p95_s * 1e3 : 0, why);
    figure(lat, "p99", s != NULL, s ? s->p99_s * 1e3 : 0, why);
    figure(lat, "max", s != NULL, s ? s->max_s * 1e3 : 0, why);
    double sum = 0;
    for (size_t i = 0; s && v->sorted_s && i < s->requests; i++) sum += v->sorted_s[i];
    figure(lat, "mean", s && v->sorted_s && s->requests, s && s->requests ? 1e3 * sum / (double)s->requests : 0,
           why);
    if (v->load) {
        const hs_load_errors *e = &v->load->errors;
        cJSON *er = cJSON_AddObjectToObject(o, "errors");
        cJSON_AddNumberToObject(er, "connect", (double)e->connect);
        cJSON_AddNumberToObject(er, "timeout", (double)e->timeout);
        cJSON_AddNumberToObject(er, "read_write", (double)e->io);
        cJSON_AddNumberToObject(er, "other", (double)e->other);
        cJSON_AddNumberToObject(er, "http_not_2xx", (double)e->http);
    } else {
        cJSON_AddNullToObject(o, "errors");
        cJSON_AddStringToObject(o, "errors_unknown", why);
    }
    cJSON_AddItemToObject(o, "server", server_json(v, s ? (double)s->requests : 0));
    cJSON_AddItemToObject(o, "loadgen", loadgen_json(v));
    open_loop_json(o, v);
    capacity_json(o, v, in->lab->load.rate);
    cJSON_AddItemToObject(o, "machine", others_json(v));
    cJSON_AddItemToObject(o, "kernel", kernel_json(v));
    cJSON_AddItemToObject(o, "phases_ms", phases_json(v));
    cJSON_AddItemToObject(o, "probe", probe_json(in, v));
    cJSON_AddItemToObject(o, "settings", settings_json(v, in->lab->health));
    cJSON_AddItemToObject(o, "memory_after_warmup", memory_json(v));
    if (v->blocks) {
        cJSON_AddItemToObject(o, "blocks", blocks_json(v->blocks));
    } else {
        cJSON_AddNullToObject(o, "blocks");
        cJSON_AddStringToObject(o, "blocks_unknown",
                                v->blocks_note ? v->blocks_note : "no block detector answered");
    }
    if (v->problem) cJSON_AddStringToObject(o, "problem", v->problem);
    else cJSON_AddNullToObject(o, "problem");
    return o;
}

cJSON *hs_facts_build(const hs_facts_input *in) {
    cJSON *f = cJSON_CreateObject();
    if (!f) return NULL;
    cJSON_AddNumberToObject(f, "facts_format", HS_FACTS_FORMAT);
    cJSON_AddStringToObject(f, "lab", in->lab->name);
    cJSON_AddBoolToObject(f, "complete", in->complete);
    if (in->incomplete_reason) cJSON_AddStringToObject(f, "incomplete_reason", in->incomplete_reason);
    else cJSON_AddNullToObject(f, "incomplete_reason");
    cJSON_AddItemToObject(f, "machine", machine_json(in->cpus));
    const hs_load_params *L = &in->lab->load;
    cJSON *load = cJSON_AddObjectToObject(f, "load");
    cJSON_AddStringToObject(load, "loop", L->rate > 0 ? "open" : "closed");
    if (L->rate > 0) cJSON_AddStringToObject(load, "arrivals", L->poisson ? "poisson" : "uniform");
    hs_load_params_write(L, load);
    cJSON_AddStringToObject(load, "method", in->lab->method);
    cJSON_AddStringToObject(load, "path", in->lab->path);
    cJSON *ev = cJSON_AddObjectToObject(f, "evidence");
    cJSON_AddBoolToObject(ev, "collected", in->evidence);
    cJSON_AddNumberToObject(ev, "probe_rate_per_s", in->probe_rate);
    cJSON_AddStringToObject(ev, "probe_path", in->lab->health);

    cJSON *vars = cJSON_AddObjectToObject(f, "variants");
    for (int i = 0; i < in->n_variants; i++)
        cJSON_AddItemToObject(vars, in->variants[i].name, variant_json(in, &in->variants[i]));

    /* Every pair's KS distance, so the distinct-curves check can be judged
     * again from this file alone. */
    cJSON *ks = cJSON_AddArrayToObject(f, "ks_distances");
    for (int i = 0; i < in->n_variants; i++)
        for (int j = i + 1; j < in->n_variants; j++) {
            const hs_facts_variant *a = &in->variants[i], *b = &in->variants[j];
            if (!a->summary || !b->summary || !a->sorted_s || !b->sorted_s) continue;
            cJSON *p = cJSON_CreateObject();
            cJSON_AddStringToObject(p, "a", a->name);
            cJSON_AddStringToObject(p, "b", b->name);
            cJSON_AddNumberToObject(p, "d", hs_ks_distance(a->sorted_s, a->summary->requests,
                                                           b->sorted_s, b->summary->requests));
            cJSON_AddItemToArray(ks, p);
        }

    cJSON *checks = cJSON_AddArrayToObject(f, "checks");
    for (int c = 0; c < in->lab->n_checks; c++) {
        cJSON *o = hs_check_json(&in->lab->checks[c]);
        cJSON_AddStringToObject(o, "measured", in->checks[c].detail);
        /* the deciding figure, for verdicts across runs (issue 15) */
        figure(o, "value", isfinite(in->checks[c].value), in->checks[c].value,
               "not a finite number: a figure not known, or a zero to divide by");
        cJSON_AddBoolToObject(o, "at_least", in->checks[c].at_least);
        cJSON_AddStringToObject(o, "result", in->checks[c].pass ? "PASS" : "FAIL");
        cJSON_AddItemToArray(checks, o);
    }
    return f;
}

int hs_json_write(const char *dir, const char *name, const cJSON *obj) {
    char *text = cJSON_Print(obj);
    if (!text) return -ENOMEM;
    char path[4352];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    int rc = hs_write_atomic(path, text, strlen(text));
    free(text);
    return rc;
}

int hs_facts_write(const char *dir, const cJSON *facts) {
    return hs_json_write(dir, "facts.json", facts);
}

/* A finite number from lo to hi under obj, or 0 with *ok cleared: a
 * hand-edited file may hold anything. */
static double need(const cJSON *obj, const char *key, double lo, double hi, int *ok) {
    const cJSON *x = cJSON_GetObjectItemCaseSensitive(obj, key);
    if (!cJSON_IsNumber(x) || !isfinite(x->valuedouble) || x->valuedouble < lo ||
        x->valuedouble > hi) {
        *ok = 0;
        return 0;
    }
    return x->valuedouble;
}

int hs_facts_variant_result(const cJSON *facts, const char *name, hs_variant_result *out) {
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(
        cJSON_GetObjectItemCaseSensitive(facts, "variants"), name);
    if (!cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(v, "measured"))) return -1;
    const cJSON *lat = cJSON_GetObjectItemCaseSensitive(v, "latency_ms");
    int ok = 1;
    hs_summary s = {0};
    const double big = 1e15;
    s.requests = (size_t)need(v, "requests", 1, big, &ok);
    s.ok_percent = need(v, "ok_percent", 0, 100, &ok);
    s.ok = (size_t)llround(s.ok_percent * (double)s.requests / 100.0);
    s.rps = need(v, "requests_per_s", 0, big, &ok);
    s.wall_s = need(v, "wall_s", 0, big, &ok);
    s.p50_s = need(lat, "p50", 0, big, &ok) / 1e3;
    s.p95_s = need(lat, "p95", 0, big, &ok) / 1e3;
    s.p99_s = need(lat, "p99", 0, big, &ok) / 1e3;
    s.max_s = need(lat, "max", 0, big, &ok) / 1e3;
    if (!ok) return -1;
    /* a closed loop drops nothing and sends nothing late; an open loop's
     * drops and late sends are its facts' */
    const cJSON *loop = hs_fact_at(facts, "load.loop");
    double arrivals = hs_fact(v, "open_loop.arrivals"), dropped = hs_fact(v, "open_loop.dropped");
    double sent = hs_fact(v, "open_loop.sent"), late = hs_fact(v, "open_loop.late_over_1ms");
    int open = cJSON_IsString(loop) && !strcmp(loop->valuestring, "open");
    double dp = open ? (arrivals > 0 ? 100 * dropped / arrivals : NAN) : 0;
    double lp = open ? (sent > 0 ? 100 * late / sent : NAN) : 0;
    *out = (hs_variant_result){name, s, NULL, NULL, dp, lp};
    return 0;
}

void hs_facts_percentiles_ms(const cJSON *facts, const char *name, double p_ms[3]) {
    static const char *keys[] = {"p50", "p95", "p99"};
    const cJSON *lat = cJSON_GetObjectItemCaseSensitive(
        cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(facts, "variants"), name),
        "latency_ms");
    for (int k = 0; k < 3; k++) {
        const cJSON *x = cJSON_GetObjectItemCaseSensitive(lat, keys[k]);
        p_ms[k] = cJSON_IsNumber(x) && isfinite(x->valuedouble) ? x->valuedouble : NAN;
    }
}

size_t hs_facts_ks_pairs(const cJSON *facts, hs_ks_pair *pairs, size_t cap) {
    size_t n = 0;
    const cJSON *p;
    cJSON_ArrayForEach(p, cJSON_GetObjectItemCaseSensitive(facts, "ks_distances")) {
        const cJSON *a = cJSON_GetObjectItemCaseSensitive(p, "a");
        const cJSON *b = cJSON_GetObjectItemCaseSensitive(p, "b");
        const cJSON *d = cJSON_GetObjectItemCaseSensitive(p, "d");
        if (n == cap || !cJSON_IsString(a) || !cJSON_IsString(b) || !cJSON_IsNumber(d) ||
            !(d->valuedouble >= 0 && d->valuedouble <= 1))
            continue;
        snprintf(pairs[n].a, sizeof pairs[n].a, "%s", a->valuestring);
        snprintf(pairs[n].b, sizeof pairs[n].b, "%s", b->valuestring);
        pairs[n].d = d->valuedouble;
        n++;
    }
    return n;
}
