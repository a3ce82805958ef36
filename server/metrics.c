/* metrics.c - the counters behind GET /metrics.
 *
 * handlers_running counts handlers between their start and their end,
 * wherever they run: it is what shows async_blocking never overlapping
 * (max 1) while sync and async_tothread do. model_running counts
 * agent_correct() calls alone. Loop lag is how late a SRV_LAG_TICK_MS
 * repeating timer fires: a blocked loop fires it late; its max and p99 are
 * over the samples of the last SRV_LAG_WINDOW_S seconds, max_ever over
 * the worker's life. requests.by_status counts responses to requests that
 * were read; connections refused over --max-conns get a 503 too, but are
 * counted only in connections.rejected. loop_blocks has the block
 * detector's counts when --detect-blocking is on.
 */
#include "internal.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static void gauge_up(atomic_int *now, atomic_int *max) {
    int v = atomic_fetch_add(now, 1) + 1;
    int m = atomic_load(max);
    while (v > m && !atomic_compare_exchange_weak(max, &m, v)) {
    }
}

/* Any thread; lock-free. */
void srv_metrics_handler_begin(srv_metrics *m) {
    gauge_up(&m->handlers_running, &m->handlers_max);
}
void srv_metrics_handler_end(srv_metrics *m) {
    atomic_fetch_sub(&m->handlers_running, 1);
}
void srv_metrics_model_begin(srv_metrics *m) {
    gauge_up(&m->model_running, &m->model_max);
}
void srv_metrics_model_end(srv_metrics *m) { atomic_fetch_sub(&m->model_running, 1); }

/* Loop thread. */
void srv_metrics_lag_start(srv_metrics *m) {
    m->start_ns = uv_hrtime();
    m->lag_prev_ns = m->start_ns;
}

void srv_metrics_lag_record(srv_metrics *m, uint64_t now_ns, uint64_t lag_ns) {
    m->lag[m->lag_next] = (srv_lag_sample){now_ns, lag_ns};
    m->lag_next = (m->lag_next + 1) % SRV_LAG_SAMPLES;
    if (m->lag_count < SRV_LAG_SAMPLES) m->lag_count++;
    if (lag_ns > m->lag_max_ever_ns) m->lag_max_ever_ns = lag_ns;
}

/* Loop thread, from the lag timer. */
void srv_metrics_lag_tick(srv_metrics *m) {
    uint64_t now = uv_hrtime();
    uint64_t due = m->lag_prev_ns + (uint64_t)SRV_LAG_TICK_MS * 1000000u;
    m->lag_prev_ns = now;
    srv_metrics_lag_record(m, now, now > due ? now - due : 0);
}

static int cmp_u64(const void *a, const void *b) {
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

void srv_metrics_lag_summary(const srv_metrics *m, uint64_t now_ns,
                             srv_lag_summary *out) {
    uint64_t window = (uint64_t)SRV_LAG_WINDOW_S * 1000000000u;
    uint64_t since = now_ns > window ? now_ns - window : 0;
    uint64_t sorted[SRV_LAG_SAMPLES];
    size_t n = 0;
    for (size_t i = 0; i < m->lag_count; i++)
        if (m->lag[i].at_ns >= since) sorted[n++] = m->lag[i].lag_ns;
    qsort(sorted, n, sizeof sorted[0], cmp_u64);
    out->samples = n;
    out->max_ms = n ? (double)sorted[n - 1] / 1e6 : 0;
    /* Nearest rank: the ceil(0.99 n)-th smallest, 1-based. */
    out->p99_ms = n ? (double)sorted[(n * 99 + 99) / 100 - 1] / 1e6 : 0;
}

/* Loop thread. */
static cJSON *lag_json(const srv_metrics *m) {
    cJSON *o = cJSON_CreateObject();
    srv_lag_summary s;
    srv_metrics_lag_summary(m, uv_hrtime(), &s);
    cJSON_AddNumberToObject(o, "window_s", SRV_LAG_WINDOW_S);
    cJSON_AddNumberToObject(o, "samples", (double)s.samples);
    cJSON_AddNumberToObject(o, "max", s.max_ms);
    cJSON_AddNumberToObject(o, "p99", s.p99_ms);
    cJSON_AddNumberToObject(o, "max_ever", (double)m->lag_max_ever_ns / 1e6);
    return o;
}

static void add_tally(cJSON *o, const char *name, const blockwatch_tally *t) {
    cJSON *x = cJSON_AddObjectToObject(o, name);
    cJSON_AddNumberToObject(x, "count", (double)t->count);
    cJSON_AddNumberToObject(x, "total_ms", (double)t->total_ns / 1e6);
    cJSON_AddNumberToObject(x, "longest_ms", (double)t->longest_ns / 1e6);
}

/* Loop thread. The block detector's counts; the reports themselves are at
 * /debug/blocks. */
static cJSON *blocks_json(const srv_worker *w) {
    cJSON *o = cJSON_CreateObject();
    cJSON_AddBoolToObject(o, "enabled", w->blockwatch != NULL);
    if (!w->blockwatch) return o;
    blockwatch_tally blocks, starved;
    blockwatch_tallies(w->blockwatch, &blocks, &starved);
    cJSON_AddNumberToObject(o, "threshold_ms", blockwatch_threshold_ms(w->blockwatch));
    add_tally(o, "blocks", &blocks);
    add_tally(o, "starved", &starved);
    return o;
}

/* Loop thread. */
char *srv_metrics_json(const srv_worker *w) {
    const srv_metrics *m = &w->metrics;
    cJSON *o = cJSON_CreateObject();
    cJSON *req = cJSON_AddObjectToObject(o, "requests");
    cJSON *by = cJSON_CreateObject();
    uint64_t total = 0;
    for (int s = 100; s < 600; s++) {
        if (!m->by_status[s]) continue;
        char key[8];
        snprintf(key, sizeof key, "%d", s);
        cJSON_AddNumberToObject(by, key, (double)m->by_status[s]);
        total += m->by_status[s];
    }
    cJSON_AddNumberToObject(req, "total", (double)total);
    cJSON_AddItemToObject(req, "by_status", by);

    cJSON *h = cJSON_AddObjectToObject(o, "handlers");
    cJSON_AddNumberToObject(h, "running", atomic_load(&m->handlers_running));
    cJSON_AddNumberToObject(h, "max_running", atomic_load(&m->handlers_max));
    cJSON *mc = cJSON_AddObjectToObject(o, "model_calls");
    cJSON_AddNumberToObject(mc, "running", atomic_load(&m->model_running));
    cJSON_AddNumberToObject(mc, "max_running", atomic_load(&m->model_max));
    cJSON *p = cJSON_AddObjectToObject(o, "pool");
    cJSON_AddNumberToObject(p, "threads", w->cfg->threads);
    cJSON_AddNumberToObject(p, "queued", atomic_load(&m->queued));
    cJSON_AddNumberToObject(p, "max_queued", atomic_load(&m->queued_max));
    if (w->cfg->variant == SRV_ASYNC_TOPROCESS) { /* its model processes */
        const srv_procpool *pp = &w->procpool;
        cJSON *pr = cJSON_AddObjectToObject(o, "processes");
        cJSON_AddNumberToObject(pr, "configured", pp->n);
        cJSON_AddNumberToObject(pr, "running", pp->alive);
        cJSON_AddNumberToObject(pr, "busy", pp->busy);
        cJSON_AddNumberToObject(pr, "max_busy", pp->busy_max);
        cJSON_AddNumberToObject(pr, "queued", pp->queued);
        cJSON_AddNumberToObject(pr, "restarts", (double)pp->restarts);
        /* the round trip beyond the model call: messages, wake-ups, waits
         * for a core (CLOCK_MONOTONIC in both processes) */
        cJSON *ov = cJSON_AddObjectToObject(pr, "round_trip_overhead_us");
        cJSON_AddNumberToObject(ov, "trips", (double)pp->trips);
        if (pp->trips) {
            cJSON_AddNumberToObject(ov, "mean", pp->overhead_ns_sum / 1e3 / (double)pp->trips);
            cJSON_AddNumberToObject(ov, "max", pp->overhead_ns_max / 1e3);
        } else {
            cJSON_AddNullToObject(ov, "mean");
            cJSON_AddNullToObject(ov, "max");
        }
        cJSON *pids = cJSON_AddArrayToObject(pr, "pids");
        for (int i = 0; i < pp->n; i++)
            if (pp->procs && pp->procs[i].alive)
                cJSON_AddItemToArray(pids, cJSON_CreateNumber((double)pp->procs[i].process.pid));
    }
    cJSON *c = cJSON_AddObjectToObject(o, "connections");
    cJSON_AddNumberToObject(c, "open", w->n_conns);
    cJSON_AddNumberToObject(c, "accepted", (double)m->conns_accepted);
    cJSON_AddNumberToObject(c, "rejected", (double)m->conns_rejected);
    cJSON_AddItemToObject(o, "loop_lag_ms", lag_json(m));
    cJSON_AddItemToObject(o, "loop_blocks", blocks_json(w));
    cJSON_AddNumberToObject(o, "uptime_s", (double)(uv_hrtime() - m->start_ns) / 1e9);
    cJSON_AddStringToObject(o, "variant", srv_variant_name(w->cfg->variant));
    cJSON_AddNumberToObject(o, "pid", (double)getpid());
    char *out = cJSON_PrintUnformatted(o);
    cJSON_Delete(o);
    return out;
}
